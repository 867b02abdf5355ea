"""API of the restricted sections and of staff training records. Same selectors, services and
predicates as the pages: a case out of scope answers 404; a section whose tier the user does
not know of 403; at FLAG level a content-free 200 (`restricted: true`, no content); a write by
anyone but the tier's writer 403; a stale `version` 409; invalid input 422.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from reintegra.accounts.api import office_ref, user_ref
from reintegra.core.api import ERRORS, MAX_ID, Id, PathId, Ref, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.safeguarding import permissions, selectors, services
from reintegra.safeguarding.choices import Section
from reintegra.safeguarding.models import SectionEntry, TrainingRecord
from reintegra.safeguarding.selectors import SectionView

router = Router(tags=["safeguarding"])

Version = Annotated[int, Field(ge=0, le=MAX_ID)]
LongText = Annotated[Text, StringConstraints(max_length=10_000)]
Code = Annotated[Text, StringConstraints(max_length=32)]


class EntryOut(Schema):
    id: int
    kind: str
    written_on: date
    author: Ref | None
    body: str
    next_steps: str
    session_type: str
    duration_minutes: int | None
    referral_id: int | None
    created_at: datetime


class SectionOut(Schema):
    case_id: int
    section: str
    restricted: bool
    exists: bool
    message: str | None
    can_write: bool
    version: int | None
    content: dict[str, str] | None
    screening_response_id: int | None
    updated_at: datetime | None
    entries: list[EntryOut] | None


class SectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    content: dict[Annotated[Text, StringConstraints(max_length=40)], LongText] = {}
    screening_response_id: Id | None = None


class EntryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Code
    body: LongText
    written_on: date | None = None
    next_steps: LongText = ""
    session_type: Code = ""
    duration_minutes: Annotated[int, Field(ge=0, le=10_000)] | None = None
    referral_id: Id | None = None


def entry_out(entry: SectionEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "written_on": entry.written_on,
        "author": user_ref(entry.author),
        "body": entry.body,
        "next_steps": entry.next_steps,
        "session_type": entry.session_type,
        "duration_minutes": entry.duration_minutes,
        "referral_id": entry.referral_id,
        "created_at": entry.created_at,
    }


def section_out(view: SectionView) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case_id": view.case.pk,
        "section": view.section,
        "restricted": view.restricted,
        "exists": view.exists,
        "can_write": view.can_write,
        "message": view.restricted_message if view.restricted else None,
        "version": None,
        "content": None,
        "screening_response_id": None,
        "updated_at": None,
        "entries": None,
    }
    if view.restricted:
        return base
    record = view.record
    base.update(
        {
            "version": view.version,
            "content": {row["name"]: row["value"] for row in view.rows} | view.content,
            "screening_response_id": record.screening_response_id if record else None,
            "updated_at": record.updated_at if record else None,
            "entries": [entry_out(e) for e in view.entries],
        }
    )
    return base


def _get(request: HttpRequest, case_id: int, section: str) -> dict[str, Any]:
    return section_out(selectors.section_get_for_user(request.user, case_id, section))


def _put(request: HttpRequest, case_id: int, section: str, body: SectionIn) -> dict[str, Any]:
    view = selectors.section_get_for_user(request.user, case_id, section)
    if not view.can_write:
        raise NotAllowed(_("Your role does not write this section of the case."))
    screening = None
    if body.screening_response_id is not None:
        screening = (
            selectors.screenings_for(request.user, view.case)
            .filter(pk=body.screening_response_id)
            .first()
        )
        if screening is None:
            raise ValidationFailed(
                _("Choose a screening of this case."), field="screening_response_id"
            )
    services.section_update(
        actor=request.user,
        case=view.case,
        section=section,
        version=body.version,
        values=dict(body.content),
        screening_response=screening,
    )
    return _get(request, case_id, section)


def _post_entry(request: HttpRequest, case_id: int, section: str, body: EntryIn) -> Status:
    view = selectors.section_get_for_user(request.user, case_id, section)
    if not view.can_write:
        raise NotAllowed(_("Your role does not write this section of the case."))
    referral = None
    if body.referral_id is not None:
        referral = (
            selectors.medical_referrals_for(request.user, view.case)
            .filter(pk=body.referral_id)
            .first()
        )
        if referral is None:
            raise ValidationFailed(
                _("Choose a medical referral of this case."), field="referral_id"
            )
    entry = services.section_entry_add(
        actor=request.user,
        case=view.case,
        section=section,
        kind=body.kind,
        body=body.body,
        written_on=body.written_on,
        next_steps=body.next_steps,
        session_type=body.session_type,
        duration_minutes=body.duration_minutes,
        referral=referral,
    )
    return Status(201, entry_out(entry))


# One explicit operation per section and verb: each has its own row in the permission matrix.


@router.get("/cases/{case_id}/protection", response={200: SectionOut, **ERRORS})
def protection_get(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    """The protection section of a case (content-free at FLAG level)."""
    return _get(request, case_id, Section.PROTECTION)


@router.put("/cases/{case_id}/protection", response={200: SectionOut, **ERRORS})
def protection_put(request: HttpRequest, case_id: PathId, body: SectionIn) -> dict[str, Any]:
    """Update the protection section (protection focal point); raises the protection flag."""
    return _put(request, case_id, Section.PROTECTION, body)


@router.post("/cases/{case_id}/protection/entries", response={201: EntryOut, **ERRORS})
def protection_entry_post(request: HttpRequest, case_id: PathId, body: EntryIn) -> Status:
    """Add a dated protection note (kind PROTECTION_NOTE)."""
    return _post_entry(request, case_id, Section.PROTECTION, body)


@router.get("/cases/{case_id}/medical", response={200: SectionOut, **ERRORS})
def medical_get(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    """The medical section of a case (content-free at FLAG level)."""
    return _get(request, case_id, Section.MEDICAL)


@router.put("/cases/{case_id}/medical", response={200: SectionOut, **ERRORS})
def medical_put(request: HttpRequest, case_id: PathId, body: SectionIn) -> dict[str, Any]:
    """Update the medical section (medical focal point)."""
    return _put(request, case_id, Section.MEDICAL, body)


@router.post("/cases/{case_id}/medical/entries", response={201: EntryOut, **ERRORS})
def medical_entry_post(request: HttpRequest, case_id: PathId, body: EntryIn) -> Status:
    """Add a treatment follow-up (kind MEDICAL_FOLLOW_UP, optionally on a medical referral)."""
    return _post_entry(request, case_id, Section.MEDICAL, body)


@router.get("/cases/{case_id}/psychosocial", response={200: SectionOut, **ERRORS})
def psychosocial_get(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    """The psychosocial section of a case (content-free at FLAG level)."""
    return _get(request, case_id, Section.PSYCHOSOCIAL)


@router.put("/cases/{case_id}/psychosocial", response={200: SectionOut, **ERRORS})
def psychosocial_put(request: HttpRequest, case_id: PathId, body: SectionIn) -> dict[str, Any]:
    """Update the psychosocial plan and clinical referral (psychosocial case manager)."""
    return _put(request, case_id, Section.PSYCHOSOCIAL, body)


@router.post("/cases/{case_id}/psychosocial/entries", response={201: EntryOut, **ERRORS})
def psychosocial_entry_post(request: HttpRequest, case_id: PathId, body: EntryIn) -> Status:
    """Add a counselling session (SESSION: session_type and duration_minutes required) or a
    progress note (PROGRESS_NOTE)."""
    return _post_entry(request, case_id, Section.PSYCHOSOCIAL, body)


# --- training records ---------------------------------------------------------------------------


class TrainingOut(Schema):
    id: int
    person: Ref
    office: Ref | None
    training: str
    title: str
    completed_on: date
    trainer: str
    has_certificate: bool
    version: int


class TrainingPage(Schema):
    items: list[TrainingOut]
    count: int


class TrainingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    training: Code
    title: Annotated[Text, StringConstraints(max_length=200)] = ""
    completed_on: date
    trainer: Annotated[Text, StringConstraints(max_length=200)]


def training_out(t: TrainingRecord) -> dict[str, Any]:
    return {
        "id": t.pk,
        "person": user_ref(t.person),
        "office": office_ref(t.office),
        "training": t.training,
        "title": t.title,
        "completed_on": t.completed_on,
        "trainer": t.trainer,
        "has_certificate": t.has_certificate,
        "version": t.version,
    }


@router.get("/training-records", response={200: TrainingPage, **ERRORS})
def training_index(
    request: HttpRequest,
    page: int = 1,
    training: Code = "",
    office: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None,
    person: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None,
    q: Annotated[Text, StringConstraints(max_length=100)] = "",
) -> dict[str, Any]:
    """Training records: the user's own, and those of a coordinator's offices."""
    if not permissions.can_view_sections(request.user):
        raise NotAllowed(_("Your role has no training records."))
    filters = selectors.TrainingFilters(training=training, office=office, person=person, query=q)
    result = paginate(selectors.training_list_for_user(request.user, filters), page)
    return {"items": [training_out(t) for t in result.items], "count": result.count}


@router.post("/training-records", response={201: TrainingOut, **ERRORS})
def training_create(request: HttpRequest, body: TrainingIn) -> Status:
    """Record a training (coordinators, for staff of their offices). Certificates are uploaded
    on the page."""
    if not permissions.can_record_training(request.user):
        raise NotAllowed(_("Coordinators record training."))
    person = selectors.trainable_people(request.user).filter(pk=body.person_id).first()
    if person is None:
        raise ValidationFailed(_("Choose a staff member of your offices."), field="person_id")
    item = services.training_record_add(
        actor=request.user,
        person=person,
        training=body.training,
        title=body.title,
        completed_on=body.completed_on,
        trainer=body.trainer,
    )
    return Status(201, training_out(item))
