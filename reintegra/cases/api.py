"""API: cases, their stage changes, notes and hand-overs. Same selectors, services and
predicates as the pages: out of scope answers 404, a forbidden action on a visible case 403."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from reintegra.access.policy import Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts.api import office_ref, user_ref
from reintegra.accounts.choices import Role
from reintegra.accounts.selectors import office_list, staff_at_offices
from reintegra.cases import services
from reintegra.cases.choices import Flag, HandoverSection, HandoverStatus, Stage
from reintegra.cases.models import Case, Handover, Note
from reintegra.cases.permissions import (
    CaseAccess,
    can_decide_handover,
    can_open_case_at,
    case_access,
)
from reintegra.cases.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    handover_get_for_user,
)
from reintegra.core.api import ERRORS, MAX_ID, Id, PathId, Ref, Text
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.people.selectors import consent_list, returnee_get_for_user

router = Router(tags=["cases"])

# The tiers a note may carry, and the case flag that names each restricted one.
NOTE_TIERS = (Tier.CASE, Tier.PSYCHOSOCIAL, Tier.PROTECTION, Tier.MEDICAL)
FLAG_TIERS = {
    "protection": (Flag.PROTECTION, Tier.PROTECTION, "has_protection_flag"),
    "medical": (Flag.MEDICAL, Tier.MEDICAL, "has_medical_flag"),
    "psychosocial": (Flag.PSYCHOSOCIAL, Tier.PSYCHOSOCIAL, "has_psychosocial_flag"),
}


class CaseRef(Schema):
    id: int
    number: str


class FlagsOut(Schema):
    """A flag is null when the user may not even know whether it is raised."""

    protection: bool | None
    medical: bool | None
    psychosocial: bool | None


class CaseOut(Schema):
    id: int
    number: str
    person: Ref
    office: Ref
    stage: str
    lead: Ref | None
    flags: FlagsOut
    arrived_on: date | None
    updated_at: datetime
    version: int


class AssignmentOut(Schema):
    id: int
    user: Ref
    role: str
    specialisation: str
    since: datetime


class CasePermissionsOut(Schema):
    can_edit: bool
    can_close: bool
    can_reopen: bool
    can_assign: bool
    can_view_notes: bool
    can_handover: bool
    can_set_flags: list[str]


class CaseDetailOut(CaseOut):
    opened_on: date
    closed_on: date | None
    closure_reason: str
    has_plan: bool
    assignments: list[AssignmentOut]
    notes_count: int | None
    permissions: CasePermissionsOut


class CaseQuery(Schema):
    q: Text = Field("", max_length=200)
    office: Id | None = None
    stage: Text = Field("", max_length=32)
    manager: Id | None = None
    flag: Text = Field("", max_length=32)
    sort: Text = Field("recent", max_length=16)
    page: int = 1


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    office_id: Id
    arrived_on: date | None = None


class FlagsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    protection: bool | None = None
    medical: bool | None = None
    psychosocial: bool | None = None


class CasePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, le=MAX_ID)
    flags: FlagsPatch | None = None


class TransitionIn(Schema):
    """`to_stage` CLOSED closes the case (`reason` is then a closure reason code); on a closed
    case, another stage reopens it (`reason` then says why)."""

    model_config = ConfigDict(extra="forbid")

    to_stage: Text = Field(max_length=32)
    version: int = Field(ge=0, le=MAX_ID)
    reason: Text = Field("", max_length=2000)
    note: Text = Field("", max_length=5000)


class NoteOut(Schema):
    id: int
    written_on: date
    tier: str
    body: str
    author: Ref | None
    created_at: datetime


class NotePage(Schema):
    items: list[NoteOut]
    count: int


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: Text = Field(max_length=20000)
    written_on: date | None = None
    tier: Text = Field(Tier.CASE, max_length=16)


class HandoverIn(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    to_office_id: Id
    consent_id: Id
    sections: list[HandoverSection] = Field(max_length=len(HandoverSection.values))
    message: Text = Field("", max_length=5000)


class HandoverAcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lead_id: Id | None = None
    note: Text = Field("", max_length=5000)


class HandoverRefuseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(max_length=5000)


class HandoverOut(Schema):
    id: int
    case: CaseRef
    from_office: Ref
    to_office: Ref
    status: str
    sections: list[str]
    message: str
    requested_by: Ref | None
    created_at: datetime
    decided_by: Ref | None
    decided_at: datetime | None
    decision_note: str


def _flags(case: Case, knows: Callable[[str], bool]) -> dict[str, bool | None]:
    return {
        name: bool(getattr(case, field)) if knows(tier) else None
        for name, (_flag, tier, field) in FLAG_TIERS.items()
    }


def case_out(case: Case, knows: Callable[[str], bool]) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "person": {"id": case.person_id, "name": case.person.full_name},
        "office": office_ref(case.office),
        "stage": case.stage,
        "lead": user_ref(case.lead),
        "flags": _flags(case, knows),
        "arrived_on": case.arrived_on,
        "updated_at": case.updated_at,
        "version": case.version,
    }


def _readable_note_tiers(access: CaseAccess) -> list[str]:
    return [tier for tier in NOTE_TIERS if access.can_read_tier(tier)]


def case_detail_out(case: Case, access: CaseAccess) -> dict[str, Any]:
    data = case_out(case, access.knows_tier)
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("user")
    tiers = _readable_note_tiers(access)
    data.update(
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason,
        has_plan=case.has_plan,
        assignments=[
            {
                "id": a.pk,
                "user": user_ref(a.user),
                "role": a.role,
                "specialisation": a.specialisation,
                "since": a.created_at,
            }
            for a in assignments.order_by("created_at", "id")
        ],
        notes_count=case.notes.filter(tier__in=tiers).count() if tiers else None,
        permissions={
            "can_edit": access.can_edit,
            "can_close": access.can_close,
            "can_reopen": access.can_reopen,
            "can_assign": access.can_assign,
            "can_view_notes": access.can_view_notes,
            "can_handover": access.can_handover,
            "can_set_flags": [flag for flag in Flag.values if access.can_set_flag(flag)],
        },
    )
    return data


def note_out(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "written_on": note.written_on,
        "tier": note.tier,
        "body": note.body,
        "author": user_ref(note.author),
        "created_at": note.created_at,
    }


def handover_out(handover: Handover) -> dict[str, Any]:
    return {
        "id": handover.pk,
        "case": {"id": handover.case_id, "number": handover.case.number},
        "from_office": office_ref(handover.from_office),
        "to_office": office_ref(handover.to_office),
        "status": handover.status,
        "sections": list(handover.sections or []),
        "message": handover.message,
        "requested_by": user_ref(handover.requested_by),
        "created_at": handover.created_at,
        "decided_by": user_ref(handover.decided_by),
        "decided_at": handover.decided_at,
        "decision_note": handover.decision_note,
    }


def _fresh_detail(user: Any, case: Case) -> dict[str, Any]:
    """The case after a write (no new access event: the write is audited)."""
    return case_detail_out(case, case_access(user, case))


@router.get("/cases", response={200: CasePage, **ERRORS})
def case_index(request: HttpRequest, params: Query[CaseQuery]) -> dict[str, Any]:
    """The cases in the user's scope: search (name, number, phone), filters and sort."""
    filters = CaseFilters(
        query=params.q,
        office=params.office,
        stage=params.stage,
        manager=params.manager,
        flag=params.flag,
        sort=params.sort,
    )
    result = paginate(case_list_for_user(request.user, filters), params.page)
    me = principal(request.user)

    def knows(tier: str) -> bool:
        return me.max_level(tier) >= Level.FLAG

    return {"items": [case_out(c, knows) for c in result.items], "count": result.count}


@router.post("/cases", response={201: CaseDetailOut, **ERRORS})
def case_create(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    """Open a case for a visible person at an office where the user may open cases."""
    user = request.user
    person = returnee_get_for_user(user, payload.person_id)
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or not can_open_case_at(user, office):
        raise ValidationFailed(
            _("You may not open cases at this office."),
            field="office_id",
            code="office_not_allowed",
        )
    case = services.case_open(
        actor=user, person=person, office=office, arrived_on=payload.arrived_on
    )
    return Status(201, _fresh_detail(user, case))


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
def case_detail(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    """A case file's summary. The view is recorded (`case.viewed`)."""
    case, access = case_get_for_user(request.user, case_id)
    return case_detail_out(case, access)


@router.patch("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
def case_update(request: HttpRequest, case_id: PathId, payload: CasePatch) -> dict[str, Any]:
    """Raise or clear flags. A stale `version` answers 409 and changes nothing."""
    user = request.user
    case, access = case_get_for_user(user, case_id, log_view=False)
    if payload.version != case.version:
        raise StaleVersion(_("This case was changed by someone else. Reload and try again."))
    wanted = payload.flags.model_dump(exclude_none=True) if payload.flags else {}
    changes = [(FLAG_TIERS[name][0], value) for name, value in wanted.items()]
    for flag, _value in changes:
        services.ensure(access.can_set_flag(flag))
    # All the flags change, or none does.
    with transaction.atomic():
        for flag, value in changes:
            case = services.case_flag_set(actor=user, case=case, flag=flag, value=value)
    return _fresh_detail(user, case)


@router.post("/cases/{case_id}/transitions", response={200: CaseDetailOut, **ERRORS})
def case_transition(request: HttpRequest, case_id: PathId, payload: TransitionIn) -> dict[str, Any]:
    """Move a case along its lifecycle, close it (CLOSED with a reason) or reopen it."""
    user = request.user
    case, access = case_get_for_user(user, case_id, log_view=False)
    if case.is_closed:
        services.ensure(access.can_reopen)
        case = services.case_reopen(
            actor=user,
            case=case,
            reason=payload.reason,
            to_stage=payload.to_stage,
            version=payload.version,
        )
    elif payload.to_stage == Stage.CLOSED:
        services.ensure(access.can_close)
        case = services.case_close(
            actor=user,
            case=case,
            reason=payload.reason,
            note=payload.note,
            version=payload.version,
        )
    else:
        services.ensure(access.can_edit)
        case = services.case_transition(
            actor=user,
            case=case,
            to_stage=payload.to_stage,
            version=payload.version,
            note=payload.note,
        )
    return _fresh_detail(user, case)


@router.get("/cases/{case_id}/notes", response={200: NotePage, **ERRORS})
def note_index(request: HttpRequest, case_id: PathId, page: int = 1) -> dict[str, Any]:
    """The case's notes of the tiers the user may read, newest first (a view of the file)."""
    case, access = case_get_for_user(request.user, case_id)
    tiers = _readable_note_tiers(access)
    services.ensure(bool(tiers), _("You may not read this case's notes."))
    notes = case.notes.filter(tier__in=tiers).select_related("author")
    result = paginate(notes.order_by("-written_on", "-id"), page)
    return {"items": [note_out(n) for n in result.items], "count": result.count}


@router.post("/cases/{case_id}/notes", response={201: NoteOut, **ERRORS})
def note_create(request: HttpRequest, case_id: PathId, payload: NoteIn) -> Status[dict[str, Any]]:
    """Add a note: CASE notes need write access to the case, restricted tiers to that tier."""
    user = request.user
    case, access = case_get_for_user(user, case_id, log_view=False)
    if payload.tier not in NOTE_TIERS:
        raise ValidationFailed(_("Unknown note type."), field="tier")
    if payload.tier == Tier.CASE:
        services.ensure(access.can_edit)
    else:
        services.ensure(access.can_write_tier(payload.tier))
    note = services.note_add(
        actor=user, case=case, body=payload.body, written_on=payload.written_on, tier=payload.tier
    )
    return Status(201, note_out(note))


@router.post("/cases/{case_id}/handovers", response={201: HandoverOut, **ERRORS})
def handover_create(
    request: HttpRequest, case_id: PathId, payload: HandoverIn
) -> Status[dict[str, Any]]:
    """Hand a pre-departure case over to an origin-country office, with the person's consent."""
    user = request.user
    case, access = case_get_for_user(user, case_id, log_view=False)
    services.ensure(access.can_handover)
    to_office = office_list().filter(pk=payload.to_office_id).first()
    if to_office is None:
        raise ValidationFailed(_("Choose an active origin-country office."), field="to_office_id")
    consent = consent_list(case.person).filter(pk=payload.consent_id).first()
    if consent is None:
        raise ValidationFailed(_("Choose a valid consent of this returnee."), field="consent_id")
    handover = services.handover_request(
        actor=user,
        case=case,
        to_office=to_office,
        consent=consent,
        sections=list(payload.sections),
        message=payload.message,
    )
    return Status(201, handover_out(handover))


def _decidable_handover(user: Any, handover_id: int) -> Handover:
    handover = handover_get_for_user(user, handover_id)
    if handover.status != HandoverStatus.PENDING:
        raise Conflict(_("This hand-over has already been decided."))
    services.ensure(can_decide_handover(user, handover))
    return handover


@router.post("/handovers/{handover_id}/accept", response={200: HandoverOut, **ERRORS})
def handover_accept(
    request: HttpRequest, handover_id: PathId, payload: HandoverAcceptIn
) -> dict[str, Any]:
    """Accept a hand-over: the case moves to the receiving office, registered on arrival."""
    user = request.user
    handover = _decidable_handover(user, handover_id)
    lead = None
    if payload.lead_id is not None:
        # A lead is a case manager at the receiving office or at an office above it.
        above = {int(part) for part in handover.to_office.path.strip("/").split("/") if part}
        lead = staff_at_offices(above, Role.CASE_MANAGER).filter(pk=payload.lead_id).first()
        if lead is None:
            raise ValidationFailed(
                _("Choose a case manager of the receiving office."), field="lead_id"
            )
    handover = services.handover_accept(actor=user, handover=handover, lead=lead, note=payload.note)
    return handover_out(handover)


@router.post("/handovers/{handover_id}/refuse", response={200: HandoverOut, **ERRORS})
def handover_refuse(
    request: HttpRequest, handover_id: PathId, payload: HandoverRefuseIn
) -> dict[str, Any]:
    """Refuse a hand-over with a reason: the case stays where it was."""
    user = request.user
    handover = _decidable_handover(user, handover_id)
    handover = services.handover_refuse(actor=user, handover=handover, reason=payload.reason)
    return handover_out(handover)


router.add_router("", "reintegra.cases.grants_api.router")  # grants and break-glass
