"""API of subject-access requests and their password-protected exports.

`POST /privacy/requests/{id}/export` makes the export and answers its password once, with the
URL of the (encrypted) ZIP: `GET /privacy/requests/{id}/export` answers the file itself. The
password is never stored, so it cannot be asked for again: a new export makes a new one.
"""

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.privacy.choices.requests import REQUEST_MOVES, RequestStatus
from reintegra.privacy.models.requests import SubjectAccessRequest
from reintegra.privacy.permissions.requests import can_manage_request, can_view_requests
from reintegra.privacy.selectors.requests import (
    RequestFilters,
    request_get_for_user,
    request_list_for_user,
    request_person_for_user,
)
from reintegra.privacy.services import requests as services

router = Router(tags=["requests"])


class RequestOut(Schema):
    id: int
    person: int
    person_name: str
    office: int
    received_on: date
    identity_check: str
    identity_note: str
    details: str
    language: str
    due_on: date
    status: str
    is_overdue: bool
    refusal_reason: str
    closed_on: date | None
    exported_at: datetime | None
    version: int


class RequestPage(Schema):
    items: list[RequestOut]
    count: int


class RequestQuery(Schema):
    status: Text = Field("", max_length=16)
    overdue: bool = False
    page: int = 1


class RequestIn(Schema):
    person_id: Id
    received_on: date
    identity_check: Text = Field(..., max_length=16)
    identity_note: Text = Field("", max_length=300)
    details: Text = Field("", max_length=5000)
    language: Text = Field("fr", max_length=2)


class MoveIn(Schema):
    action: Text = Field(..., max_length=16)
    version: int
    reason: Text = Field("", max_length=5000)


class ExportOut(Schema):
    request: RequestOut
    password: str
    download_url: str
    size: int


def request_out(sar: SubjectAccessRequest) -> dict[str, Any]:
    return {
        "id": sar.pk,
        "person": sar.person_id,
        "person_name": sar.person.full_name,
        "office": sar.office_id,
        "received_on": sar.received_on,
        "identity_check": sar.identity_check,
        "identity_note": sar.identity_note,
        "details": sar.details,
        "language": sar.language,
        "due_on": sar.due_on,
        "status": sar.status,
        "is_overdue": sar.is_overdue,
        "refusal_reason": sar.refusal_reason,
        "closed_on": sar.closed_on,
        "exported_at": sar.exported_at,
        "version": sar.version,
    }


def _manageable(request: HttpRequest, request_id: int) -> SubjectAccessRequest:
    sar = request_get_for_user(request.user, request_id)
    if not can_manage_request(request.user, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    return sar


@router.get("/privacy/requests", response={200: RequestPage, **ERRORS})
def request_index(request: HttpRequest, params: Query[RequestQuery]) -> dict[str, Any]:
    """The requests of the offices the coordinator coordinates, the most urgent first."""
    if not can_view_requests(request.user):
        raise NotAllowed(_("Only coordinators handle subject-access requests."))
    if params.status and params.status not in RequestStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    filters = RequestFilters(status=params.status, overdue=params.overdue)
    result = paginate(request_list_for_user(request.user, filters), params.page)
    return {"items": [request_out(s) for s in result.items], "count": result.count}


@router.post("/privacy/requests", response={201: RequestOut, **ERRORS})
def request_create(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Record a request from a returnee the coordinator sees (404 for anyone else)."""
    if not can_view_requests(request.user):
        raise NotAllowed(_("Only coordinators handle subject-access requests."))
    person = request_person_for_user(request.user, payload.person_id)
    sar = services.request_record(
        actor=request.user,
        person=person,
        received_on=payload.received_on,
        identity_check=payload.identity_check,
        identity_note=payload.identity_note,
        details=payload.details,
        language=payload.language,
    )
    return Status(201, request_out(sar))


@router.get("/privacy/requests/{request_id}", response={200: RequestOut, **ERRORS})
def request_detail(request: HttpRequest, request_id: PathId) -> dict[str, Any]:
    return request_out(_manageable(request, request_id))


@router.post("/privacy/requests/{request_id}/move", response={200: RequestOut, **ERRORS})
def request_move(request: HttpRequest, request_id: PathId, payload: MoveIn) -> dict[str, Any]:
    """`start`, `answer` or `refuse` (with a `reason`). A stale `version` answers 409."""
    sar = _manageable(request, request_id)
    if payload.action not in REQUEST_MOVES:
        raise ValidationFailed(_("Unknown action."), field="action")
    moved = services.request_move(
        actor=request.user,
        sar=sar,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
    )
    return request_out(moved)


@router.post("/privacy/requests/{request_id}/export", response={201: ExportOut, **ERRORS})
def request_export(request: HttpRequest, request_id: PathId) -> Status[dict[str, Any]]:
    """Make the export. The answer holds the password, once, and the URL of the ZIP."""
    sar, password = services.request_export(
        actor=request.user, sar=_manageable(request, request_id)
    )
    return Status(
        201,
        {
            "request": request_out(sar),
            "password": password,
            "download_url": f"/api/privacy/requests/{sar.pk}/export",
            "size": sar.export_size,
        },
    )


@router.get("/privacy/requests/{request_id}/export", response={200: None, **ERRORS})
def request_export_file(request: HttpRequest, request_id: PathId) -> FileResponse:
    """The latest export: a ZIP encrypted with the password given when it was made."""
    sar = _manageable(request, request_id)
    path = services.request_export_file(actor=request.user, sar=sar)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"subject-access-{sar.pk}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
