"""API of stakeholders, agreements, capacity building, coordination mechanisms and SOPs.
Same selectors, services and predicates as the pages."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.accounts.selectors import office_list
from reintegra.community.choices.structural import (
    AgreementKind,
    AgreementStatus,
    EngagementLevel,
    StakeholderKind,
)
from reintegra.community.models.structural import (
    Agreement,
    CoordinationMechanism,
    EngagementEntry,
    FollowUpAction,
    Stakeholder,
)
from reintegra.community.permissions import structural as perms
from reintegra.community.selectors import structural as selectors
from reintegra.community.services import structural as services
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.providers.models import Provider

router = Router(tags=["structural"])


def _viewer(request: HttpRequest) -> None:
    if not perms.can_view_structural(request.user):
        raise NotAllowed(_("Your role does not use the stakeholder register."))


# --- stakeholders -------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str


class EngagementOut(Schema):
    id: int
    occurred_on: date
    kind: str
    summary: str
    next_step: str
    by: int | None


class StakeholderOut(Schema):
    id: int
    name: str
    kind: str
    office: int
    region: str
    influence: str
    interest: str
    engagement: str
    concerns: str
    expectations: str
    notes: str
    is_active: bool
    provider: int | None
    contacts: list[ContactOut]
    version: int


class StakeholderPage(Schema):
    items: list[StakeholderOut]
    count: int


class StakeholderQuery(Schema):
    q: Text = Field("", max_length=100)
    kind: Text = Field("", max_length=24)
    engagement: Text = Field("", max_length=16)
    region: Text = Field("", max_length=100)
    inactive: bool = False
    page: int = 1


class StakeholderFields(Schema):
    name: Text | None = Field(None, max_length=200)
    kind: Text | None = Field(None, max_length=24)
    region: Text | None = Field(None, max_length=100)
    influence: Text | None = Field(None, max_length=4)
    interest: Text | None = Field(None, max_length=4)
    concerns: Text | None = Field(None, max_length=5000)
    expectations: Text | None = Field(None, max_length=5000)
    notes: Text | None = Field(None, max_length=5000)
    is_active: bool | None = None
    provider_id: Id | None = None


class StakeholderIn(StakeholderFields):
    name: Text = Field(..., max_length=200)  # type: ignore[assignment]
    kind: Text = Field(..., max_length=24)  # type: ignore[assignment]
    influence: Text = Field(..., max_length=4)  # type: ignore[assignment]
    interest: Text = Field(..., max_length=4)  # type: ignore[assignment]
    office_id: Id


class StakeholderPatch(StakeholderFields):
    version: int


class EngagementIn(Schema):
    occurred_on: date
    kind: Text = Field(..., max_length=16)
    summary: Text = Field(..., max_length=5000)
    next_step: Text = Field("", max_length=300)


def stakeholder_out(s: Stakeholder) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "office": s.office_id,
        "region": s.region,
        "influence": s.influence,
        "interest": s.interest,
        "engagement": s.engagement,
        "concerns": s.concerns,
        "expectations": s.expectations,
        "notes": s.notes,
        "is_active": s.is_active,
        "provider": s.provider_id,
        "contacts": [
            {"id": c.pk, "name": c.name, "position": c.position, "phone": c.phone, "email": c.email}
            for c in s.contacts.all()
        ],
        "version": s.version,
    }


def engagement_out(e: EngagementEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "occurred_on": e.occurred_on,
        "kind": e.kind,
        "summary": e.summary,
        "next_step": e.next_step,
        "by": e.by_id,
    }


def _stakeholder_fields(payload: StakeholderFields) -> dict[str, Any]:
    """The fields the client sent (a text sent as null is cleared; a flag sent as null is left
    as it is); the provider by id."""
    data = payload.dict(exclude_unset=True, exclude={"version", "office_id"})
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "provider_id":
            provider = None
            if value is not None:
                provider = Provider.objects.filter(pk=value, is_active=True).first()
                if provider is None:
                    raise ValidationFailed(_("Choose a provider of the service map."), field=name)
            out["provider"] = provider
        elif name == "is_active":
            if value is not None:
                out[name] = value
        else:
            out[name] = "" if value is None else value
    return out


@router.get("/community/stakeholders", response={200: StakeholderPage, **ERRORS})
def stakeholder_index(request: HttpRequest, params: Query[StakeholderQuery]) -> dict[str, Any]:
    """The stakeholder register: search, type, engagement level, region."""
    _viewer(request)
    if params.kind and params.kind not in StakeholderKind.values:
        raise ValidationFailed(_("Unknown type of stakeholder."), field="kind")
    if params.engagement and params.engagement not in EngagementLevel.values:
        raise ValidationFailed(_("Unknown engagement level."), field="engagement")
    filters = selectors.StakeholderFilters(
        query=params.q,
        kind=params.kind,
        engagement=params.engagement,
        region=params.region,
        active_only=not params.inactive,
    )
    result = paginate(selectors.stakeholder_list(filters).prefetch_related("contacts"), params.page)
    return {"items": [stakeholder_out(s) for s in result.items], "count": result.count}


@router.post("/community/stakeholders", response={201: StakeholderOut, **ERRORS})
def stakeholder_create(request: HttpRequest, payload: StakeholderIn) -> Status[dict[str, Any]]:
    """Add a stakeholder, kept by an office where the user adds stakeholders."""
    user = request.user
    if not perms.can_add_stakeholder(user):
        raise NotAllowed(_("Coordinators and the communication focal point add stakeholders."))
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or office.pk not in perms.stakeholder_offices(user):
        raise ValidationFailed(
            _("Choose an office for which you add stakeholders."), field="office_id"
        )
    stakeholder = services.stakeholder_create(
        actor=user, office=office, **_stakeholder_fields(payload)
    )
    return Status(201, stakeholder_out(stakeholder))


@router.get("/community/stakeholders/{stakeholder_id}", response={200: StakeholderOut, **ERRORS})
def stakeholder_detail(request: HttpRequest, stakeholder_id: PathId) -> dict[str, Any]:
    return stakeholder_out(selectors.stakeholder_get_for_user(request.user, stakeholder_id))


@router.patch("/community/stakeholders/{stakeholder_id}", response={200: StakeholderOut, **ERRORS})
def stakeholder_update(
    request: HttpRequest, stakeholder_id: PathId, payload: StakeholderPatch
) -> dict[str, Any]:
    """Change a stakeholder. A stale `version` answers 409 and changes nothing."""
    stakeholder = selectors.stakeholder_get_for_user(request.user, stakeholder_id)
    if not perms.can_edit_stakeholder(request.user, stakeholder):
        raise NotAllowed(_("The coordinators of the office that keeps this stakeholder edit it."))
    if payload.version != stakeholder.version:
        raise StaleVersion(
            _("This stakeholder was changed by someone else: it is shown as it is now.")
        )
    updated = services.stakeholder_update(
        actor=request.user,
        stakeholder=stakeholder,
        version=payload.version,
        **_stakeholder_fields(payload),
    )
    return stakeholder_out(updated)


@router.post(
    "/community/stakeholders/{stakeholder_id}/engagements",
    response={201: EngagementOut, **ERRORS},
)
def stakeholder_engagement_add(
    request: HttpRequest, stakeholder_id: PathId, payload: EngagementIn
) -> Status[dict[str, Any]]:
    """Record a contact in the stakeholder's engagement history."""
    stakeholder = selectors.stakeholder_get_for_user(request.user, stakeholder_id)
    if not perms.can_add_engagement(request.user, stakeholder):
        raise NotAllowed(
            _("Coordinators and the communication focal point keep the engagement history.")
        )
    entry = services.engagement_add(actor=request.user, stakeholder=stakeholder, **payload.dict())
    return Status(201, engagement_out(entry))


# --- agreements ---------------------------------------------------------------------------------


class AgreementOut(Schema):
    id: int
    kind: str
    stakeholder: int
    office: int
    title: str
    reference: str
    signed_on: date | None
    starts_on: date | None
    ends_on: date | None
    terminated_on: date | None
    status: str
    has_document: bool
    # Data-sharing terms: null for those who may not read them.
    data_ownership: str | None
    data_categories: str | None
    safeguards: str | None
    data_access: str | None
    version: int


class AgreementPage(Schema):
    items: list[AgreementOut]
    count: int


class AgreementQuery(Schema):
    q: Text = Field("", max_length=100)
    kind: Text = Field("", max_length=16)
    status: Text = Field("", max_length=16)
    expiring: bool = False
    stakeholder: Id | None = None
    page: int = 1


class AgreementIn(Schema):
    kind: Text = Field(..., max_length=16)
    stakeholder_id: Id
    office_id: Id
    title: Text = Field(..., max_length=200)
    reference: Text = Field("", max_length=100)
    signed_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    data_ownership: Text = Field("", max_length=5000)
    data_categories: Text = Field("", max_length=5000)
    safeguards: Text = Field("", max_length=5000)
    data_access: Text = Field("", max_length=5000)


def agreement_out(a: Agreement, user: Any) -> dict[str, Any]:
    terms = perms.can_read_data_sharing(user) or not a.is_data_sharing
    return {
        "id": a.pk,
        "kind": a.kind,
        "stakeholder": a.stakeholder_id,
        "office": a.office_id,
        "title": a.title,
        "reference": a.reference,
        "signed_on": a.signed_on,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "terminated_on": a.terminated_on,
        "status": a.status,
        "has_document": a.has_document,
        "data_ownership": a.data_ownership if terms else None,
        "data_categories": a.data_categories if terms else None,
        "safeguards": a.safeguards if terms else None,
        "data_access": a.data_access if terms else None,
        "version": a.version,
    }


@router.get("/community/agreements", response={200: AgreementPage, **ERRORS})
def agreement_index(request: HttpRequest, params: Query[AgreementQuery]) -> dict[str, Any]:
    """Agreements: search, kind, status (derived), expiring soon, stakeholder."""
    _viewer(request)
    if params.kind and params.kind not in AgreementKind.values:
        raise ValidationFailed(_("Unknown kind of agreement."), field="kind")
    if params.status and params.status not in AgreementStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    filters = selectors.AgreementFilters(
        query=params.q,
        kind=params.kind,
        status=params.status,
        expiring=params.expiring,
        stakeholder=params.stakeholder,
    )
    result = paginate(selectors.agreement_list(filters), params.page)
    return {"items": [agreement_out(a, request.user) for a in result.items], "count": result.count}


@router.post("/community/agreements", response={201: AgreementOut, **ERRORS})
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Status[dict[str, Any]]:
    """Record an agreement (the document is uploaded on its page)."""
    user = request.user
    if not perms.can_add_agreement(user):
        raise NotAllowed(_("Coordinators record agreements."))
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or office.pk not in perms.coordinating_offices(user):
        raise ValidationFailed(_("Choose an office that you coordinate."), field="office_id")
    stakeholder = Stakeholder.objects.filter(pk=payload.stakeholder_id).first()
    if stakeholder is None:
        raise ValidationFailed(_("Choose a stakeholder of the register."), field="stakeholder_id")
    fields = payload.dict(exclude={"stakeholder_id", "office_id"})
    agreement = services.agreement_create(
        actor=user, stakeholder=stakeholder, office=office, **fields
    )
    return Status(201, agreement_out(agreement, user))


@router.get("/community/agreements/{agreement_id}", response={200: AgreementOut, **ERRORS})
def agreement_detail(request: HttpRequest, agreement_id: PathId) -> dict[str, Any]:
    return agreement_out(selectors.agreement_get_for_user(request.user, agreement_id), request.user)


# --- coordination -------------------------------------------------------------------------------


class MechanismOut(Schema):
    id: int
    name: str
    kind: str
    lead: int | None
    office: int
    meeting_frequency: str
    is_active: bool
    open_actions: int
    version: int


class MechanismPage(Schema):
    items: list[MechanismOut]
    count: int


class ActionOut(Schema):
    id: int
    mechanism: int
    meeting: int
    description: str
    owner: int | None
    owner_name: str
    due_on: date | None
    overdue: bool


class ActionPage(Schema):
    items: list[ActionOut]
    count: int


class ActionQuery(Schema):
    mine: bool = False
    page: int = 1


def mechanism_out(m: CoordinationMechanism) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "kind": m.kind,
        "lead": m.lead_id,
        "office": m.office_id,
        "meeting_frequency": m.meeting_frequency,
        "is_active": m.is_active,
        "open_actions": getattr(m, "open_actions", 0),
        "version": m.version,
    }


def action_out(a: FollowUpAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "mechanism": a.meeting.mechanism_id,
        "meeting": a.meeting_id,
        "description": a.description,
        "owner": a.owner_id,
        "owner_name": a.owner_label,
        "due_on": a.due_on,
        "overdue": a.is_overdue,
    }


@router.get("/community/mechanisms", response={200: MechanismPage, **ERRORS})
def mechanism_index(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """Coordination mechanisms, with their count of open follow-up actions."""
    _viewer(request)
    result = paginate(selectors.mechanism_list(), page)
    return {"items": [mechanism_out(m) for m in result.items], "count": result.count}


@router.get("/community/actions", response={200: ActionPage, **ERRORS})
def action_index(request: HttpRequest, params: Query[ActionQuery]) -> dict[str, Any]:
    """Open follow-up actions, the earliest due first; `?mine=1` for the user's own."""
    _viewer(request)
    result = paginate(selectors.action_list(request.user, mine=params.mine), params.page)
    return {"items": [action_out(a) for a in result.items], "count": result.count}
