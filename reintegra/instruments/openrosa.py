"""OpenRosa 1.0 for ODK Collect / KoBoCollect: form list, form download, manifest and
submissions. Pure functions: no database, no views.

The views using these must:

* send ``X-OpenRosa-Version: 1.0`` on every response (and may check the client sends it), and
  ``Content-Type: text/xml; charset=utf-8`` on the XML documents;
* answer ``HEAD`` on the submission URL with ``204`` and ``X-OpenRosa-Accept-Content-Length``
  (the largest submission accepted, in bytes), ``POST`` with ``201`` and
  :func:`openrosa_response` (``202`` when a duplicate instanceID is accepted again, ``4xx`` with
  a response whose nature is ``submit_error`` otherwise);
* read the instance from the multipart field ``xml_submission_file`` (other parts are
  attachments), after limiting its size;
* authenticate the client (Reintegra uses HTTP Basic over HTTPS: Digest would need an unsalted
  MD5 of every password stored next to the real password hash).

Submissions
-----------
ODK Collect posts the primary instance of the XForm filled in: the root element has the tag of
the instance root (``data`` with pyxform) and the attributes ``id="<form_id>"`` and
``version``; a group is a nested element, a repeat one element per instance, the answer of a
select_multiple is its choice names separated by spaces, and ``meta/instanceID`` holds
``uuid:...``. :func:`parse_submission` turns it into the engine's answers through
:func:`engine.coerce`, so typing and its errors are the web form's; calculations, relevance and
constraints are the caller's next step (:func:`engine.clean`).

XML from outside is parsed with defusedxml, refusing any DOCTYPE (hence any entity).
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only to build and serialise; parsing is defused
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from . import engine
from .spec import META_TYPES, FormSpec, Question

__all__ = [
    "OPENROSA_HEADERS",
    "FormEntry",
    "Submission",
    "SubmissionError",
    "form_list_xml",
    "manifest_xml",
    "openrosa_response",
    "parse_submission",
    "submission_form_id",
    "xform_for",
    "xform_hash",
]

XFORMS_NS = "http://www.w3.org/2002/xforms"
XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"
JAVAROSA_NS = "http://openrosa.org/javarosa"

# The namespaces of the XForms pyxform builds, with their usual prefixes.
NAMESPACES = {
    "": XFORMS_NS,
    "h": "http://www.w3.org/1999/xhtml",
    "ev": "http://www.w3.org/2001/xml-events",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "jr": JAVAROSA_NS,
    "orx": "http://openrosa.org/xforms",
    "odk": "http://www.opendatakit.org/xforms",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

# Headers every OpenRosa response carries.
OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}

MAX_INSTANCE_ID_LENGTH = 255

# defusedxml raises its own errors (subclasses of ValueError), expat raises ParseError.
_XML_ERRORS = (ET.ParseError, DefusedXmlException, ValueError, UnicodeError)


class SubmissionError(Exception):
    """The posted instance cannot be read as a submission of this form."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# =============================================================================================
# XML helpers
# =============================================================================================


def _local(tag: Any) -> str:
    """The tag without its namespace ("{uri}data" -> "data"); "" for comments and PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[1] if tag.startswith("{") else tag


def _parse(xml: bytes) -> ET.Element:
    """Untrusted XML -> its root; any DOCTYPE (so any entity) is refused."""
    if not xml or not xml.strip():
        raise SubmissionError(_("The submission is empty."))
    try:
        return SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SubmissionError(
            _("The submission declares a DOCTYPE or entities, which are not accepted.")
        ) from exc
    except _XML_ERRORS as exc:
        raise SubmissionError(_("The submission is not well-formed XML.")) from exc


def _document(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _child(parent: ET.Element | None, name: str) -> ET.Element | None:
    """The first child element with this local name."""
    if parent is None:
        return None
    for child in parent:
        if _local(child.tag) == name:
            return child
    return None


def _children(parent: ET.Element | None, name: str) -> list[ET.Element]:
    if parent is None:
        return []
    return [child for child in parent if _local(child.tag) == name]


# =============================================================================================
# Form list, form download, manifest
# =============================================================================================


@dataclass
class FormEntry:
    """One form of the form list. Paths are site-absolute (what ``reverse()`` gives) or full
    URLs; an empty ``manifest_path`` leaves the manifest out."""

    form_id: str
    name: str
    version: str
    hash: str  # "md5:<hex>" of the XForm served (see xform_hash)
    download_path: str
    manifest_path: str = ""


def _url(base_url: str, path: str) -> str:
    if re.match(r"^https?://", path, re.IGNORECASE):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def form_list_xml(forms: list[FormEntry], base_url: str) -> bytes:
    """The OpenRosa form list (``GET /formList``). ``base_url`` is ``scheme://host`` (any path
    in it is kept: the paths are appended to it)."""
    root = ET.Element("xforms", {"xmlns": XFORMS_LIST_NS})
    for form in forms:
        item = ET.SubElement(root, "xform")
        ET.SubElement(item, "formID").text = form.form_id
        ET.SubElement(item, "name").text = form.name
        if form.version:
            ET.SubElement(item, "version").text = form.version
        ET.SubElement(item, "hash").text = form.hash
        ET.SubElement(item, "downloadUrl").text = _url(base_url, form.download_path)
        if form.manifest_path:
            ET.SubElement(item, "manifestUrl").text = _url(base_url, form.manifest_path)
    return _document(root)


def _primary_instance_root(html: ET.Element) -> ET.Element | None:
    """The root element of the XForm's primary instance (the model's first instance with no
    id; pyxform writes it first)."""
    model = None
    for element in html.iter(f"{{{XFORMS_NS}}}model"):
        model = element
        break
    if model is None:
        return None
    instances = [child for child in model if _local(child.tag) == "instance"]
    primary = next(
        (i for i in instances if "id" not in i.attrib), instances[0] if instances else None
    )
    if primary is None:
        return None
    return next((child for child in primary if isinstance(child.tag, str)), None)


def _declared_namespaces(xml: bytes) -> list[tuple[str, str]]:
    declared: list[tuple[str, str]] = []
    for _event, (prefix, uri) in SafeET.iterparse(
        io.BytesIO(xml), events=("start-ns",), forbid_dtd=True
    ):
        if (prefix, uri) not in declared:
            declared.append((prefix, uri))
    return declared


def _used_namespaces(root: ET.Element) -> set[str]:
    used: set[str] = set()
    for element in root.iter():
        for name in (element.tag, *element.attrib):
            if isinstance(name, str) and name.startswith("{"):
                used.add(name[1:].split("}", 1)[0])
    return used


def xform_for(spec: FormSpec, version_label: str) -> bytes:
    """The XForm to serve for this form: ``spec.xform`` with the ``version`` attribute of the
    primary instance root set to ``version_label`` (ODK Collect compares it with the form list's
    ``version`` to see a new version, and sends it back in each submission)."""
    if not spec.xform:
        raise ValueError(f"the form {spec.form_id!r} has no XForm")
    source = spec.xform.encode("utf-8")
    html = SafeET.fromstring(source, forbid_dtd=True)
    root = _primary_instance_root(html)
    if root is None:
        raise ValueError(f"the XForm of {spec.form_id!r} has no primary instance")
    root.set("version", version_label)
    # ElementTree declares only the namespaces elements and attributes use, with the registered
    # prefixes; XPath in attribute values may name others (e.g. "jr:itext"): keep every
    # declaration of the source on the root.
    used = _used_namespaces(html)
    registered = {uri: prefix for prefix, uri in NAMESPACES.items()}
    # The prefixes ElementTree will declare: the registered ones, "ns<n>" for the others.
    emitted = {registered[uri] for uri in used if uri in registered}
    emitted.update(f"ns{i}" for i in range(len(used)))
    for prefix, uri in _declared_namespaces(source):
        if uri in used and registered.get(uri) == prefix:
            continue  # ElementTree writes this one
        if prefix in emitted:
            continue  # the prefix is taken by another namespace: cannot keep both
        html.set(f"xmlns:{prefix}" if prefix else "xmlns", uri)
        emitted.add(prefix)
    return _document(html)


def xform_hash(xml: bytes) -> str:
    """The form list's hash of a served XForm: "md5:" + hex digest of its exact bytes."""
    return "md5:" + hashlib.md5(xml, usedforsecurity=False).hexdigest()


def manifest_xml() -> bytes:
    """An empty manifest (the forms have no media files)."""
    return _document(ET.Element("manifest", {"xmlns": MANIFEST_NS}))


def openrosa_response(message: str, nature: str = "submit_success") -> bytes:
    """The body of a response to a submission (or of an OpenRosa error)."""
    root = ET.Element("OpenRosaResponse", {"xmlns": RESPONSE_NS})
    ET.SubElement(root, "message", {"nature": nature}).text = message
    return _document(root)


# =============================================================================================
# Submissions
# =============================================================================================


@dataclass
class Submission:
    form_id: str
    version: str  # the version attribute of the instance root ("" when absent)
    instance_id: str  # meta/instanceID, e.g. "uuid:0b1c..."
    answers: dict[str, Any] = field(default_factory=dict)  # engine layout, see engine.py
    errors: dict[str, str] = field(default_factory=dict)  # by field path, from engine.coerce


def submission_form_id(xml: bytes) -> str:
    """The form id of a submission, from its root element only (the ``id`` attribute pyxform
    puts on the instance root, else the root tag), to find the instrument before parsing."""
    if not xml or not xml.strip():
        raise SubmissionError(_("The submission is empty."))
    try:
        for _event, element in SafeET.iterparse(
            io.BytesIO(xml), events=("start",), forbid_dtd=True
        ):
            return str(element.get("id") or _local(element.tag)).strip()
    except DefusedXmlException as exc:
        raise SubmissionError(
            _("The submission declares a DOCTYPE or entities, which are not accepted.")
        ) from exc
    except _XML_ERRORS as exc:
        raise SubmissionError(_("The submission is not well-formed XML.")) from exc
    raise SubmissionError(_("The submission is not well-formed XML."))


def _expected_root_tag(spec: FormSpec) -> str | None:
    if not spec.xform:
        return None
    try:
        html = SafeET.fromstring(spec.xform.encode("utf-8"), forbid_dtd=True)
    except _XML_ERRORS:
        return None
    root = _primary_instance_root(html)
    return _local(root.tag) if root is not None else None


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return element.text or ""


def _posted(spec: FormSpec, root: ET.Element) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The instance as the web form's posted fields (path -> values), and the values of the
    metadata questions (start, end, ...: not posted by the web form) in the answers layout."""
    data: dict[str, list[str]] = {}
    meta: dict[str, Any] = {}

    def visit(
        items: list[Question], element: ET.Element | None, prefix: str, out: dict[str, Any]
    ) -> None:
        for q in items:
            path = prefix + q.name
            if q.type == "group":
                visit(q.children, _child(element, q.name), prefix, out)
            elif q.type == "repeat":
                instances = [
                    item
                    for item in _children(element, q.name)
                    if f"{{{JAVAROSA_NS}}}template" not in item.attrib
                ]
                data[f"{path}__count"] = [str(len(instances))]
                nested: list[dict[str, Any]] = []
                for i, item in enumerate(instances[: engine.MAX_REPEAT_INSTANCES]):
                    instance: dict[str, Any] = {}
                    visit(q.children, item, f"{path}__{i}__", instance)
                    nested.append(instance)
                if any(nested):
                    out[q.name] = nested
            elif q.type in META_TYPES:
                value = _text(_child(element, q.name)).strip()
                if value and q.type != "audit":  # audit is an attached file: not kept
                    out[q.name] = value
            elif q.type == "select_multiple":
                data[path] = _text(_child(element, q.name)).split()
                if q.or_other:
                    data[f"{path}_other"] = [_text(_child(element, f"{q.name}_other"))]
            elif q.type in engine.ANSWERED_TYPES:
                data[path] = [_text(_child(element, q.name))]
                if q.or_other:
                    data[f"{path}_other"] = [_text(_child(element, f"{q.name}_other"))]

    visit(spec.questions, root, "", meta)
    return data, meta


def _merge_meta(answers: dict[str, Any], meta: dict[str, Any]) -> None:
    for key, value in meta.items():
        if isinstance(value, list):  # a repeat: merge instance by instance
            instances = answers.get(key)
            if not isinstance(instances, list):
                continue
            for target, extra in zip(instances, value, strict=False):
                if isinstance(target, dict):
                    _merge_meta(target, extra)
        else:
            answers[key] = value


def parse_submission(spec: FormSpec, xml: bytes) -> Submission:
    """A submitted instance of this form -> its answers (engine layout) and typing errors.

    The spec is walked, not the XML: elements the form does not have are ignored, an empty or
    missing element is an unanswered question. Calculations are not read (``engine.clean``
    computes them again); metadata questions (start, end, today, deviceid, username) are kept
    as text. Raises :class:`SubmissionError` when the XML cannot be a submission of this form.
    """
    root = _parse(xml)
    form_id = (root.get("id") or "").strip()
    tag = _local(root.tag)
    expected_tag = _expected_root_tag(spec)
    if (form_id or tag) != spec.form_id or (expected_tag is not None and tag != expected_tag):
        raise SubmissionError(
            _("This submission is not an instance of the form “%(form)s”.") % {"form": spec.form_id}
        )
    instance_id = _text(_child(_child(root, "meta"), "instanceID")).strip()
    if not instance_id:
        raise SubmissionError(_("The submission has no meta/instanceID."))
    if len(instance_id) > MAX_INSTANCE_ID_LENGTH:
        raise SubmissionError(_("The instanceID of the submission is too long."))
    data, meta = _posted(spec, root)
    answers, errors = engine.coerce(spec, data)
    _merge_meta(answers, meta)
    return Submission(
        form_id=spec.form_id,
        version=(root.get("version") or "").strip(),
        instance_id=instance_id,
        answers=answers,
        errors=errors,
    )
