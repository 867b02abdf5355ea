"""The OpenRosa server ODK Collect and KoBoCollect talk to (`/openrosa/…`): the forms the user
may fill, each XForm and its manifest, and submissions.

Clients sign in with HTTP Basic (over HTTPS): the account password for users without two-factor
authentication, an API token (`POST /api/token`) for those with it. A submission links to its
case through the form's case-number question, is validated, scored and stored like a web
response, and is stored once per `instanceID` (a re-sent submission answers 202).
"""

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.accounts.credentials import password_or_token_user
from reintegra.cases.permissions import case_access
from reintegra.cases.selectors import case_visible_to
from reintegra.core.errors import ServiceError
from reintegra.instruments import openrosa, services
from reintegra.instruments.choices import ResponseSource
from reintegra.instruments.models import Instrument, InstrumentVersion
from reintegra.instruments.permissions import can_collect, can_fill
from reintegra.instruments.selectors import case_instrument_list

REALM = "Reintegra"
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024


def _xml(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    for name, value in openrosa.OPENROSA_HEADERS.items():
        response[name] = value
    return response


def _message(message: str, status: int, nature: str = "submit_error") -> HttpResponse:
    return _xml(openrosa.openrosa_response(message, nature), status=status)


def _challenge() -> HttpResponse:
    response = _message(_("Sign in with your Reintegra username and password."), 401, "")
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _client(request: HttpRequest) -> Any:
    """The user behind the request's Basic credentials, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, secret = decoded.partition(":")
    if not sep or not username or not secret:
        return None
    return password_or_token_user(request, username, secret)


def _collectable(user: Any) -> list[Instrument]:
    return [
        i for i in case_instrument_list() if i.current is not None and can_collect(user, i.tier)
    ]


def _served(version: InstrumentVersion) -> bytes:
    return openrosa.xform_for(version.form, str(version.number))


@csrf_exempt
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    user = _client(request)
    if user is None:
        return _challenge()
    entries = []
    for instrument in _collectable(user):
        version = instrument.current
        assert version is not None
        entries.append(
            openrosa.FormEntry(
                form_id=instrument.code,
                name=instrument.display_name,
                version=str(version.number),
                hash=openrosa.xform_hash(_served(version)),
                download_path=reverse("openrosa:form", args=[instrument.code]),
                manifest_path=reverse("openrosa:manifest", args=[instrument.code]),
            )
        )
    return _xml(openrosa.form_list_xml(entries, request.build_absolute_uri("/")))


def _instrument(user: Any, code: str) -> Instrument | None:
    return next((i for i in _collectable(user) if i.code == code), None)


@csrf_exempt
@require_GET
def form_xml(request: HttpRequest, code: str) -> HttpResponse:
    user = _client(request)
    if user is None:
        return _challenge()
    instrument = _instrument(user, code)
    if instrument is None or instrument.current is None:
        return _message(_("No such form."), 404)
    return _xml(_served(instrument.current))


@csrf_exempt
@require_GET
def manifest(request: HttpRequest, code: str) -> HttpResponse:
    user = _client(request)
    if user is None:
        return _challenge()
    if _instrument(user, code) is None:
        return _message(_("No such form."), 404)
    return _xml(openrosa.manifest_xml())


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
def submission(request: HttpRequest) -> HttpResponse:
    user = _client(request)
    if user is None:
        return _challenge()
    if request.method == "HEAD":
        response = _xml(b"", status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
        return response
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("The submission has no xml_submission_file."), 400)
    if upload.size is not None and upload.size > MAX_SUBMISSION_BYTES:
        return _message(_("The submission is too large."), 413)
    data = upload.read(MAX_SUBMISSION_BYTES + 1)
    try:
        code = openrosa.submission_form_id(data)
        instrument = _instrument(user, code)
        if instrument is None:
            return _message(_("This form is not one you may fill in."), 404)
        version = instrument.current
        assert version is not None
        parsed = openrosa.parse_submission(version.form, data)
        if parsed.version != str(version.number):
            # Filled with an older version: read it with that version's questions.
            older = instrument.versions.filter(number=_int(parsed.version)).first()
            if older is not None:
                version = older
                parsed = openrosa.parse_submission(version.form, data)
    except openrosa.SubmissionError as err:
        return _message(err.message, 400)
    if parsed.errors:
        first = next(iter(parsed.errors.items()))
        return _message(f"{first[0]}: {first[1]}", 400)
    spec = version.form
    number = str(parsed.answers.get(spec.case_field, "")).strip() if spec.case_field else ""
    case = case_visible_to(user).filter(number=number).first() if number else None
    if case is None:
        message = _("No case with the number “%(number)s” in your scope.") % {"number": number}
        return _message(message, 400)
    if not can_fill(case_access(user, case), instrument.tier):
        return _message(_("You may not fill in this form on this case."), 403)
    try:
        _response, created = services.response_record(
            actor=user,
            case=case,
            version=version,
            answers=parsed.answers,
            source=ResponseSource.ODK,
            instance_id=parsed.instance_id,
        )
    except ServiceError as err:
        details = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in (err.errors or [])[:5])
        return _message(f"{err.message} {details}".strip(), 409 if err.status == 409 else 400)
    if not created:
        return _message(_("Already received."), 202, "submit_success")
    return _message(_("Received: thank you."), 201, "submit_success")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
