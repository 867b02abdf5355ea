"""API: referrals. Same selectors, services and predicates as the pages. A referral the user
may only know of (a restricted tier) answers with its id, tier and state and nothing else."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.accounts.models import User
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.providers.models import Service
from reintegra.referrals import permissions, selectors, services, sharing
from reintegra.referrals.choices import DEFAULT_FIELDS, Kind
from reintegra.referrals.models import Referral

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    id: int
    reference: str
    case: int
    tier: str
    state: str
    restricted: bool
    sent_at: datetime | None
    acknowledge_by: date | None
    version: int
    kind: str | None = None
    provider: int | None = None
    service: int | None = None
    recipient: str | None = None
    recipient_user: int | None = None
    category: str | None = None
    reason: str | None = None
    urgent: bool | None = None
    shared: dict[str, str] | None = None
    consent: int | None = None
    override_ground: str | None = None
    override_reviewed: bool | None = None
    acknowledged_at: datetime | None = None
    answer: str | None = None
    answer_note: str | None = None
    result: str | None = None
    outcome: str | None = None
    closing_note: str | None = None
    feedback: str | None = None
    satisfaction: str | None = None
    overdue: bool | None = None


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int


class ReferralQuery(Schema):
    state: Text = Field("", max_length=16)
    when: Text = Field("", max_length=16, description="open | overdue | mine | to_me")
    case: Id | None = None
    page: int = 1


class ReferralIn(Schema):
    case: Id
    service: Id | None = None
    recipient: Text = Field(
        "", max_length=16, description="PROTECTION_FP | MEDICAL_FP | PSYCHOSOCIAL"
    )
    recipient_user: Id | None = None
    reason: Text = Field(..., max_length=2000)
    urgent: bool = False
    shared_fields: list[Text] = Field(
        default_factory=lambda: [str(f) for f in DEFAULT_FIELDS], max_length=20
    )
    override_ground: Text = Field("", max_length=16)
    override_reason: Text = Field("", max_length=2000)
    send: bool = True


class TransitionIn(Schema):
    to: Text = Field(..., max_length=16, description="SENT, ACCEPTED, … or ACKNOWLEDGED")
    version: int | None = None
    note: Text = Field("", max_length=4000)
    feedback: Text = Field("", max_length=4000)
    satisfaction: Text = Field("", max_length=16)


def referral_out(r: Referral, readable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.pk,
        "reference": r.reference,
        "case": r.case_id,
        "tier": r.tier,
        "state": r.state,
        "restricted": not readable,
        "sent_at": r.sent_at,
        "acknowledge_by": r.acknowledge_by,
        "version": r.version,
    }
    if readable:
        out.update(
            {
                "kind": r.kind,
                "provider": r.provider_id,
                "service": r.service_id,
                "recipient": r.recipient,
                "recipient_user": r.recipient_user_id,
                "category": r.category,
                "reason": r.reason,
                "urgent": r.urgent,
                "shared": r.shared,
                "consent": r.consent_id,
                "override_ground": r.override_ground,
                "override_reviewed": r.override_reviewed_at is not None,
                "acknowledged_at": r.acknowledged_at,
                "answer": r.answer,
                "answer_note": r.answer_note,
                "result": r.result,
                "outcome": r.outcome,
                "closing_note": r.closing_note,
                "feedback": r.feedback,
                "satisfaction": r.satisfaction,
                "overdue": r.is_overdue,
            }
        )
    return out


@router.get("/referrals", response={200: ReferralPage, **ERRORS})
def referral_index(request: HttpRequest, params: Query[ReferralQuery]) -> dict[str, Any]:
    """Referrals of the cases in the user's scope, and those addressed to them."""
    if not permissions.can_view_referrals(request.user):
        raise NotAllowed(_("Your role does not follow referrals."))
    filters = selectors.ReferralFilters(state=params.state, when=params.when, case=params.case)
    result = paginate(selectors.referral_list(request.user, filters), params.page)
    rows = selectors.rows_for(request.user, result.items)
    return {
        "items": [referral_out(row.referral, row.readable) for row in rows],
        "count": result.count,
    }


@router.post("/referrals", response={201: ReferralOut, **ERRORS})
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    """Refer a case's returnee to a provider's service (`service`) or within the programme
    (`recipient`). Needs a valid consent for referral to a provider, or an override ground
    and reason. Sent at once unless `send` is false."""
    user = request.user
    case, access = case_get_for_user(user, payload.case, log_view=False)
    tiers = permissions.creatable_tiers(access)
    if not tiers:
        raise NotAllowed(_("You may not refer this returnee."))
    service = None
    if payload.service is not None:
        service = Service.objects.select_related("provider").filter(pk=payload.service).first()
        if service is None:
            raise ValidationFailed(_("Choose a service of the service map."), field="service")
    recipient_user = None
    if payload.recipient_user is not None:
        recipient_user = User.objects.filter(pk=payload.recipient_user, is_active=True).first()
        if recipient_user is None:
            raise ValidationFailed(_("Choose an active member of staff."), field="recipient_user")
    unknown = [f for f in payload.shared_fields if f not in sharing.VALUES]
    if unknown:
        raise ValidationFailed(
            _("Unknown shared fields: %(fields)s") % {"fields": ", ".join(unknown)},
            field="shared_fields",
        )
    kind = Kind.EXTERNAL if service is not None else Kind.INTERNAL
    if services.tier_for(kind=kind, service=service, recipient=payload.recipient) not in tiers:
        raise NotAllowed(_("You may not make this kind of referral on this case."))
    referral = services.referral_create(
        actor=user,
        case=case,
        service=service,
        recipient=payload.recipient,
        recipient_user=recipient_user,
        reason=payload.reason,
        urgent=payload.urgent,
        shared_fields=payload.shared_fields,
        override_ground=payload.override_ground,
        override_reason=payload.override_reason,
        send=payload.send,
    )
    return Status(201, referral_out(referral, permissions.can_read(access, referral)))


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS})
def referral_detail(request: HttpRequest, referral_id: PathId) -> dict[str, Any]:
    referral, _access, readable = selectors.referral_get_for_user(request.user, referral_id)
    return referral_out(referral, readable)


@router.post("/referrals/{referral_id}/transitions", response={200: ReferralOut, **ERRORS})
def referral_transition(
    request: HttpRequest, referral_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """Move the referral along its loop: SENT, ACCEPTED, DECLINED (note required),
    DELIVERED, NOT_DELIVERED (note required), CLOSED (note: the outcome; feedback,
    satisfaction), CANCELLED (note required); or ACKNOWLEDGED (receipt, no state change).
    Carries the referral's `version`; a stale one answers 409."""
    user = request.user
    referral, access, readable = selectors.referral_get_for_user(user, referral_id)
    if not readable:
        raise NotAllowed(_("You may not change this referral."))
    fields: dict[str, Any] = {}
    if payload.to != services.ACKNOWLEDGED:
        fields = {
            "version": payload.version,
            "note": payload.note,
            "feedback": payload.feedback,
            "satisfaction": payload.satisfaction,
        }
    referral = services.referral_move(
        actor=user, referral=referral, access=access, to=payload.to, **fields
    )
    return referral_out(referral, True)
