"""OpenRosa pieces (form list, XForm download, manifest, submissions, Digest auth): pure, no db.

Submissions are made the way ODK Collect makes them: the primary instance of the XForm served,
copied, filled in, with meta/instanceID.
"""

from __future__ import annotations

import copy
import hashlib
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET

from reintegra.instruments import openrosa
from reintegra.instruments.openrosa import (
    FormEntry,
    SubmissionError,
    form_list_xml,
    manifest_xml,
    openrosa_response,
    parse_submission,
    submission_form_id,
    xform_for,
    xform_hash,
)
from reintegra.instruments.spec import FormSpec
from reintegra.instruments.xlsform import build_xlsform, parse_xlsform

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
EN, FR = "label::English (en)", "label::French (fr)"
INSTANCE_ID = "uuid:6f1c8e1a-3b7d-4d55-9a0e-2c1f5b7e9d11"


def _survey(*rows: tuple[Any, ...]) -> list[list[Any]]:
    header = ["type", "name", EN, FR, "required", "calculation"]
    return [header, *[list(row) + [None] * (len(header) - len(row)) for row in rows]]


SHEETS: dict[str, list[list[Any]]] = {
    "survey": _survey(
        ("start", "start"),
        ("text", "case_number", "Case number", "Numéro de dossier", "yes"),
        ("date", "visit_date", "Visit date", "Date de visite"),
        ("begin group", "household", "Household", "Ménage"),
        ("integer", "size", "Size", "Taille"),
        ("decimal", "income", "Income", "Revenu"),
        ("select_multiple needs", "needs", "Needs", "Besoins"),
        ("select_one yn or_other", "shelter", "Shelter", "Abri"),
        ("end group",),
        ("begin repeat", "member", "Member", "Membre"),
        ("text", "member_name", "Name", "Nom"),
        ("integer", "age", "Age", "Âge"),
        ("end repeat",),
        ("calculate", "total", None, None, None, "${size} * 2"),
    ),
    "choices": [
        ["list_name", "name", EN, FR],
        ["needs", "food", "Food", "Nourriture"],
        ["needs", "water", "Water", "Eau"],
        ["yn", "yes", "Yes", "Oui"],
        ["yn", "no", "No", "Non"],
    ],
    "settings": [
        ["form_title", "form_id", "version", "default_language"],
        ["Home visit", "home_visit", "2024061001", "English (en)"],
    ],
}


@pytest.fixture(scope="module")
def spec() -> FormSpec:
    return parse_xlsform(build_xlsform(SHEETS), "home_visit.xlsx")


def _primary_instance(xform: bytes | ET.Element) -> ET.Element:
    html = xform if isinstance(xform, ET.Element) else SafeET.fromstring(xform)
    instance = html.find(f"{{{H}}}head/{{{XF}}}model/{{{XF}}}instance")
    assert instance is not None
    return next(iter(instance))


def _set(parent: ET.Element, path: str, value: str) -> None:
    element = parent.find("/".join(f"{{{XF}}}{part}" for part in path.split("/")))
    assert element is not None, path
    element.text = value


def make_instance(spec: FormSpec, values: dict[str, str], members: list[dict[str, str]]) -> bytes:
    """What ODK Collect posts: the primary instance, filled in, without the repeat template."""
    root = copy.deepcopy(_primary_instance(xform_for(spec, "v3")))
    template = None
    for member in root.findall(f"{{{XF}}}member"):
        if f"{{{JR}}}template" in member.attrib:
            template = member
        root.remove(member)
    assert template is not None
    for path, value in values.items():
        _set(root, path, value)
    meta = root.find(f"{{{XF}}}meta")
    assert meta is not None
    position = list(root).index(meta) - 1  # repeat instances go where the template was
    for i, member_values in enumerate(members):
        member = copy.deepcopy(template)
        del member.attrib[f"{{{JR}}}template"]
        for path, value in member_values.items():
            _set(member, path, value)
        root.insert(position + i, member)
    _set(root, "meta/instanceID", INSTANCE_ID)
    return ET.tostring(root, encoding="utf-8")


FILLED = {
    "start": "2024-06-10T09:30:00.000+00:00",
    "case_number": "KLD-2024-0007",
    "visit_date": "2024-06-10",
    "household/size": "4",
    "household/income": "12.5",
    "household/needs": "food water",
    "household/shelter": "other",
    "household/shelter_other": "Tent",
    "total": "8",
}


# --- submissions -----------------------------------------------------------------------------


def test_xform_primary_instance_root_is_data_with_the_form_id(spec: FormSpec) -> None:
    root = _primary_instance(spec.xform.encode())
    assert root.tag == f"{{{XF}}}data"
    assert root.get("id") == "home_visit"


def test_submission_round_trip(spec: FormSpec) -> None:
    xml = make_instance(
        spec, FILLED, [{"member_name": "Awa", "age": "31"}, {"member_name": "Ali", "age": ""}]
    )
    assert submission_form_id(xml) == "home_visit"
    submission = parse_submission(spec, xml)
    assert submission.form_id == "home_visit"
    assert submission.version == "v3"
    assert submission.instance_id == INSTANCE_ID
    assert submission.errors == {}
    assert submission.answers == {
        "start": "2024-06-10T09:30:00.000+00:00",
        "case_number": "KLD-2024-0007",
        "visit_date": "2024-06-10",
        "size": 4,
        "income": 12.5,
        "needs": ["food", "water"],
        "shelter": "other",
        "shelter_other": "Tent",
        "member": [{"member_name": "Awa", "age": 31}, {"member_name": "Ali"}],
    }


def test_submission_without_namespace_and_unknown_elements() -> None:
    spec = parse_xlsform(build_xlsform(SHEETS), "home_visit.xlsx")
    xml = (
        b'<?xml version="1.0"?>'
        b'<data xmlns:jr="http://openrosa.org/javarosa" id="home_visit" version="7">'
        b"<case_number> KLD-1 </case_number><visit_date/><extra>ignored</extra>"
        b"<household><size>2</size><needs>water</needs><shelter>no</shelter>"
        b"<shelter_other>not kept</shelter_other></household>"
        b"<meta><instanceID>uuid:1</instanceID><deprecatedID/></meta></data>"
    )
    submission = parse_submission(spec, xml)
    assert submission.version == "7"
    assert submission.answers == {
        "case_number": "KLD-1",
        "size": 2,
        "needs": ["water"],
        "shelter": "no",
        "member": [],
    }
    assert submission.errors == {}


def test_empty_elements_are_unanswered(spec: FormSpec) -> None:
    submission = parse_submission(spec, make_instance(spec, {}, []))
    assert submission.answers == {"member": []}
    assert submission.errors == {}


def test_bad_values_give_errors_by_path(spec: FormSpec) -> None:
    values = dict(FILLED)
    values.update(
        {
            "visit_date": "2024-02-30",
            "household/size": "four",
            "household/income": "1,2,3",
            "household/needs": "food bogus",
            "household/shelter": "maybe",
        }
    )
    xml = make_instance(
        spec, values, [{"member_name": "Awa", "age": "31"}, {"member_name": "Ali", "age": "x"}]
    )
    submission = parse_submission(spec, xml)
    assert set(submission.errors) == {
        "visit_date",
        "size",
        "income",
        "needs",
        "shelter",
        "member__1__age",
    }
    assert submission.answers["needs"] == ["food"]
    assert submission.answers["member"] == [
        {"member_name": "Awa", "age": 31},
        {"member_name": "Ali"},
    ]
    for key in ("visit_date", "size", "income", "shelter"):
        assert key not in submission.answers


DOCTYPES = [
    b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<data id="home_visit"><case_number>&b;</case_number>'
    b"<meta><instanceID>uuid:1</instanceID></meta></data>",
    b'<!DOCTYPE data SYSTEM "http://example.org/evil.dtd">'
    b'<data id="home_visit"><meta><instanceID>uuid:1</instanceID></meta></data>',
    b'<!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<data id="home_visit"><case_number>&x;</case_number>'
    b"<meta><instanceID>uuid:1</instanceID></meta></data>",
]


@pytest.mark.parametrize("xml", DOCTYPES)
def test_doctype_is_rejected(spec: FormSpec, xml: bytes) -> None:
    with pytest.raises(SubmissionError, match="DOCTYPE"):
        parse_submission(spec, xml)
    with pytest.raises(SubmissionError, match="DOCTYPE"):
        submission_form_id(xml)


def test_undeclared_entity_is_not_xml(spec: FormSpec) -> None:
    xml = b'<data id="home_visit"><case_number>&x;</case_number></data>'
    with pytest.raises(SubmissionError):
        parse_submission(spec, xml)


@pytest.mark.parametrize("xml", [b"", b"   ", b"not xml", b"\xff\xfe"])
def test_not_xml_is_rejected(spec: FormSpec, xml: bytes) -> None:
    with pytest.raises(SubmissionError):
        parse_submission(spec, xml)
    with pytest.raises(SubmissionError):
        submission_form_id(xml)


def test_truncated_xml_is_rejected(spec: FormSpec) -> None:
    xml = b'<data id="home_visit"><meta><instanceID>uuid:1</instanceID></meta>'
    with pytest.raises(SubmissionError, match="XML"):
        parse_submission(spec, xml)


@pytest.mark.parametrize(
    "xml",
    [
        b'<data id="other_form"><meta><instanceID>uuid:1</instanceID></meta></data>',
        b'<home_visit id="home_visit"><meta><instanceID>uuid:1</instanceID></meta></home_visit>',
        b"<data><meta><instanceID>uuid:1</instanceID></meta></data>",
    ],
)
def test_wrong_root_is_rejected(spec: FormSpec, xml: bytes) -> None:
    with pytest.raises(SubmissionError, match="home_visit"):
        parse_submission(spec, xml)


def test_submission_form_id_reads_the_root_only() -> None:
    assert submission_form_id(b'<data id="home_visit" version="3"><broken') == "home_visit"
    assert submission_form_id(b"<legacy_form><a/></legacy_form>") == "legacy_form"


@pytest.mark.parametrize(
    "xml",
    [
        b'<data id="home_visit"><case_number>x</case_number></data>',
        b'<data id="home_visit"><meta><instanceID>  </instanceID></meta></data>',
        b'<data id="home_visit"><instanceID>uuid:1</instanceID></data>',
    ],
)
def test_missing_instance_id_is_rejected(spec: FormSpec, xml: bytes) -> None:
    with pytest.raises(SubmissionError, match="instanceID"):
        parse_submission(spec, xml)


# --- form list, download, manifest, response ---------------------------------------------------

XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"


def test_form_list_xml() -> None:
    entries = [
        FormEntry("home_visit", "Home visit", "v3", "md5:abc", "/odk/forms/1/form.xml", "/odk/m/1"),
        FormEntry("survey & co", "Survey <2>", "", "md5:def", "https://cdn.example/f.xml", ""),
    ]
    xml = form_list_xml(entries, "https://reintegra.example/")
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = SafeET.fromstring(xml)
    assert root.tag == f"{XFORMS_LIST}xforms"
    forms = root.findall(f"{XFORMS_LIST}xform")
    assert len(forms) == 2

    def fields(form: ET.Element) -> dict[str, str]:
        return {child.tag.removeprefix(XFORMS_LIST): child.text or "" for child in form}

    assert fields(forms[0]) == {
        "formID": "home_visit",
        "name": "Home visit",
        "version": "v3",
        "hash": "md5:abc",
        "downloadUrl": "https://reintegra.example/odk/forms/1/form.xml",
        "manifestUrl": "https://reintegra.example/odk/m/1",
    }
    assert fields(forms[1]) == {
        "formID": "survey & co",
        "name": "Survey <2>",
        "hash": "md5:def",
        "downloadUrl": "https://cdn.example/f.xml",
    }


def test_empty_form_list() -> None:
    root = SafeET.fromstring(form_list_xml([], "https://reintegra.example"))
    assert root.tag == f"{XFORMS_LIST}xforms"
    assert list(root) == []


def _declared(xml: bytes) -> dict[str, str]:
    events = SafeET.iterparse(io.BytesIO(xml), events=("start-ns",))
    return {prefix: uri for _event, (prefix, uri) in events}


def test_xform_for_sets_the_version_and_stays_an_xform(spec: FormSpec) -> None:
    original = spec.xform
    xml = xform_for(spec, "2024061001-3")
    assert spec.xform == original  # the stored XForm is not changed

    html = SafeET.fromstring(xml)
    assert html.tag == f"{{{H}}}html"
    assert html.find(f"{{{H}}}head/{{{H}}}title") is not None
    assert html.find(f"{{{H}}}body") is not None
    model = html.find(f"{{{H}}}head/{{{XF}}}model")
    assert model is not None
    root = _primary_instance(xml)
    assert root.get("version") == "2024061001-3"
    assert root.get("id") == "home_visit"

    source = SafeET.fromstring(original)
    source_model = source.find(f"{{{H}}}head/{{{XF}}}model")
    assert source_model is not None
    binds = model.findall(f"{{{XF}}}bind")
    assert [b.attrib for b in binds] == [b.attrib for b in source_model.findall(f"{{{XF}}}bind")]
    assert any(b.get(f"{{{JR}}}preload") == "uid" for b in binds)
    assert len(model.findall(f"{{{XF}}}instance")) == 3  # primary + two choice lists
    # Same document apart from the version attribute.
    source_root = _primary_instance(source)
    source_root.set("version", "2024061001-3")
    assert ET.tostring(html) == ET.tostring(source)

    # Every namespace declaration of the source is kept, with its prefix.
    declared = _declared(xml)
    assert declared[""] == XF
    assert declared["h"] == H
    for prefix in ("h", "jr", "odk", "orx", "xsd", "ev"):
        assert declared[prefix] == openrosa.NAMESPACES[prefix]
    assert _declared(original.encode()).items() <= declared.items()
    assert b"<h:html" in xml and b"jr:template" in xml and b"odk:xforms-version" in xml


def test_xform_hash(spec: FormSpec) -> None:
    xml = xform_for(spec, "v1")
    assert xform_hash(xml) == "md5:" + hashlib.md5(xml, usedforsecurity=False).hexdigest()
    assert xform_for(spec, "v1") == xml  # stable, so the hash is too
    assert xform_hash(xform_for(spec, "v2")) != xform_hash(xml)


def test_manifest_xml() -> None:
    root = SafeET.fromstring(manifest_xml())
    assert root.tag == "{http://openrosa.org/xforms/xformsManifest}manifest"
    assert list(root) == []


def test_openrosa_response() -> None:
    root = SafeET.fromstring(openrosa_response("Reçu <merci> & bravo"))
    ns = "{http://openrosa.org/http/response}"
    assert root.tag == f"{ns}OpenRosaResponse"
    message = root.find(f"{ns}message")
    assert message is not None
    assert message.get("nature") == "submit_success"
    assert message.text == "Reçu <merci> & bravo"
    error = SafeET.fromstring(openrosa_response("No", nature="submit_error")).find(f"{ns}message")
    assert error is not None and error.get("nature") == "submit_error"


# --- digest authentication ---------------------------------------------------------------------

SECRET = "server-secret"
REALM = "Reintegra ODK"
NOW = 1_718_000_000


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _authorization(
    nonce: str, password: str, method: str = "POST", uri: str = "/odk/submission"
) -> str:
    """The header ODK Collect sends (computed here, independently of openrosa.py)."""
    ha1 = _md5(f"fatou:{REALM}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    nc, cnonce = "00000001", "0a4f113b"
    response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="fatou", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
        f'algorithm=MD5, response="{response}", opaque="op", qop=auth, nc={nc}, '
        f'cnonce="{cnonce}"'
    )


PASSWORD = "s3cret"
HA1 = _md5(f"fatou:{REALM}:{PASSWORD}")
