"""API of communication strategy, activities and campaigns, messages to consenting returnees.
Same selectors, services and predicates as the pages; returnees appear by name and masked
contact only."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.accounts.selectors import office_list
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.outreach.choices.communication import ActivityKind, MessageStatus
from reintegra.outreach.models.communication import Activity, CommunicationStrategy, Message
from reintegra.outreach.permissions.communication import (
    can_compose_message,
    can_edit_activity,
    can_log_activity,
    can_send_message,
    can_view_activities,
    can_view_communication,
    can_view_messages,
    logging_offices,
    messaging_offices,
)
from reintegra.outreach.selectors.communication import (
    ActivityFilters,
    activity_get_for_user,
    activity_list_for_user,
    campaign_list_for_user,
    deliveries_of,
    message_get_for_user,
    message_list_for_user,
    message_preview,
    strategy_list_for_user,
)
from reintegra.outreach.services import communication as services

router = Router(tags=["communication"])


def _reader(request: HttpRequest) -> None:
    if not can_view_communication(request.user):
        raise NotAllowed(_("Your role does not use the communication pages."))


def _activities_reader(request: HttpRequest) -> None:
    if not can_view_activities(request.user):
        raise NotAllowed(_("Your role does not use the communication pages."))


def _messenger(request: HttpRequest) -> None:
    if not can_view_messages(request.user):
        raise NotAllowed(_("The communication focal point and coordinators send messages."))


# --- strategy ---------------------------------------------------------------------------------


class KeyMessageOut(Schema):
    text: str
    audience: str


class StrategyOut(Schema):
    id: int
    office: int
    region: str
    title: str
    starts_on: date
    ends_on: date | None
    objectives: str
    audiences: list[str]
    key_messages: list[KeyMessageOut]
    channels: list[str]
    status: str
    version: int


class StrategyPage(Schema):
    items: list[StrategyOut]
    count: int


class StrategyQuery(Schema):
    status: Text = Field("", max_length=10)
    page: int = 1


def strategy_out(s: CommunicationStrategy) -> dict[str, Any]:
    return {
        "id": s.pk,
        "office": s.office_id,
        "region": s.region,
        "title": s.title,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "objectives": s.objectives,
        "audiences": list(s.audiences or []),
        "key_messages": list(s.key_messages or []),
        "channels": list(s.channels or []),
        "status": s.status,
        "version": s.version,
    }


@router.get("/outreach/strategy", response={200: StrategyPage, **ERRORS})
def strategy_index(request: HttpRequest, params: Query[StrategyQuery]) -> dict[str, Any]:
    """The programme's communication strategies (the ones in force first); filter by status."""
    _reader(request)
    qs = strategy_list_for_user(request.user)
    if params.status:
        qs = qs.filter(status=params.status)
    result = paginate(qs.order_by("-status", "-starts_on", "-pk"), params.page)
    return {"items": [strategy_out(s) for s in result.items], "count": result.count}


# --- activities -------------------------------------------------------------------------------


class ReachRow(Schema):
    sex: Text = Field(..., max_length=1)
    age_band: Text = Field(..., max_length=5)
    count: int = Field(..., ge=0, le=1_000_000)


class ActivityOut(Schema):
    id: int
    office: int
    campaign: int | None
    kind: str
    title: str
    held_on: date
    region: str
    commune: str
    venue: str
    audience: str
    materials: str
    feedback: str
    notes: str
    reached: int
    reach: list[ReachRow]
    version: int


class ActivityPage(Schema):
    items: list[ActivityOut]
    count: int


class ActivityQuery(Schema):
    kind: Text = Field("", max_length=20)
    campaign: Id | None = None
    since: date | None = None
    until: date | None = None
    region: Text = Field("", max_length=80)
    page: int = 1


class ActivityFields(Schema):
    campaign_id: Id | None = None
    kind: Text | None = Field(None, max_length=20)
    title: Text | None = Field(None, max_length=200)
    held_on: date | None = None
    region: Text | None = Field(None, max_length=80)
    commune: Text | None = Field(None, max_length=80)
    venue: Text | None = Field(None, max_length=200)
    audience: Text | None = Field(None, max_length=20)
    materials: Text | None = Field(None, max_length=5000)
    feedback: Text | None = Field(None, max_length=5000)
    notes: Text | None = Field(None, max_length=5000)
    reach: list[ReachRow] | None = Field(None, max_length=60)


class ActivityIn(ActivityFields):
    office_id: Id
    kind: Text = Field(..., max_length=20)  # type: ignore[assignment]
    title: Text = Field(..., max_length=200)  # type: ignore[assignment]
    held_on: date  # type: ignore[assignment]
    audience: Text = Field(..., max_length=20)  # type: ignore[assignment]


class ActivityPatch(ActivityFields):
    version: int


def activity_out(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "office": a.office_id,
        "campaign": a.campaign_id,
        "kind": a.kind,
        "title": a.title,
        "held_on": a.held_on,
        "region": a.region,
        "commune": a.commune,
        "venue": a.venue,
        "audience": a.audience,
        "materials": a.materials,
        "feedback": a.feedback,
        "notes": a.notes,
        "reached": a.reached,
        "reach": [
            {"sex": r.sex, "age_band": r.age_band, "count": r.count}
            for r in a.reach.all().order_by("age_band", "sex")
        ],
        "version": a.version,
    }


def _activity_fields(request: HttpRequest, payload: ActivityFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True, exclude={"version", "office_id", "reach"})
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "campaign_id":
            campaign = None
            if value is not None:
                campaign = campaign_list_for_user(request.user).filter(pk=value).first()
                if campaign is None:
                    raise ValidationFailed(
                        _("Choose a campaign in your scope."), field="campaign_id"
                    )
            out["campaign"] = campaign
        elif value is None:
            if name in ("kind", "title", "held_on", "audience"):
                raise ValidationFailed(_("This field cannot be empty."), field=name)
            out[name] = ""
        else:
            out[name] = value
    return out


def _reach(payload: ActivityFields) -> list[dict[str, Any]] | None:
    if payload.reach is None:
        return None
    return [row.dict() for row in payload.reach]


@router.get("/outreach/activities", response={200: ActivityPage, **ERRORS})
def activity_index(request: HttpRequest, params: Query[ActivityQuery]) -> dict[str, Any]:
    """Activities in the user's scope (a case manager's own); filter by type, campaign,
    period and region."""
    _activities_reader(request)
    if params.kind and params.kind not in ActivityKind.values:
        raise ValidationFailed(_("Unknown type of activity."), field="kind")
    filters = ActivityFilters(
        kind=params.kind,
        campaign=params.campaign,
        since=params.since,
        until=params.until,
        region=params.region,
    )
    result = paginate(
        activity_list_for_user(request.user, filters).prefetch_related("reach"), params.page
    )
    return {"items": [activity_out(a) for a in result.items], "count": result.count}


@router.post("/outreach/activities", response={201: ActivityOut, **ERRORS})
def activity_create(request: HttpRequest, payload: ActivityIn) -> Status[dict[str, Any]]:
    """Log an activity with its reach (rows of sex × age band with counts): the focal point,
    or a case manager for an activity they ran."""
    if not can_log_activity(request.user):
        raise NotAllowed(_("The communication focal point and case managers log activities."))
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or office.pk not in logging_offices(request.user):
        raise ValidationFailed(_("Choose an office in your scope."), field="office_id")
    activity = services.activity_create(
        actor=request.user,
        office=office,
        reach=_reach(payload) or [],
        **_activity_fields(request, payload),
    )
    return Status(201, activity_out(activity))


@router.get("/outreach/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def activity_detail(request: HttpRequest, activity_id: PathId) -> dict[str, Any]:
    _activities_reader(request)
    return activity_out(activity_get_for_user(request.user, activity_id))


@router.patch("/outreach/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def activity_update(
    request: HttpRequest, activity_id: PathId, payload: ActivityPatch
) -> dict[str, Any]:
    """Change an activity; `reach`, when sent, replaces its reach. A stale `version` answers
    409 and changes nothing."""
    _activities_reader(request)
    activity = activity_get_for_user(request.user, activity_id)
    if not can_edit_activity(request.user, activity):
        raise NotAllowed(_("The communication focal point keeps the activities."))
    if payload.version != activity.version:
        raise StaleVersion(str(services.STALE_ACTIVITY))
    updated = services.activity_update(
        actor=request.user,
        activity=activity,
        version=payload.version,
        reach=_reach(payload),
        **_activity_fields(request, payload),
    )
    return activity_out(updated)


# --- messages ---------------------------------------------------------------------------------


class DeliveryOut(Schema):
    returnee: str
    address: str
    status: str
    error: str
    sent_at: datetime | None
    delivered_at: datetime | None


class MessageOut(Schema):
    id: int
    office: int
    channel: str
    subject: str
    body: str
    target_office: int | None
    region: str
    commune: str
    only_open_cases: bool
    status: str
    total: int
    sent: int
    failed: int
    skipped_consent: int
    skipped_address: int
    preview: dict[str, int] | None
    version: int


class MessageDetailOut(MessageOut):
    deliveries: list[DeliveryOut]
    deliveries_count: int


class MessagePage(Schema):
    items: list[MessageOut]
    count: int


class MessageIn(Schema):
    office_id: Id
    channel: Text = Field(..., max_length=10)
    subject: Text = Field("", max_length=200)
    body: Text = Field(..., max_length=5000)
    target_office_id: Id | None = None
    region: Text = Field("", max_length=80)
    commune: Text = Field("", max_length=80)
    only_open_cases: bool = False


class SendIn(Schema):
    version: int | None = None


class PageQuery(Schema):
    page: int = 1


def message_out(request: HttpRequest, m: Message, preview: bool = False) -> dict[str, Any]:
    return {
        "id": m.pk,
        "office": m.office_id,
        "channel": m.channel,
        "subject": m.subject,
        "body": m.body,
        "target_office": m.target_office_id,
        "region": m.region,
        "commune": m.commune,
        "only_open_cases": m.only_open_cases,
        "status": m.status,
        "total": m.total,
        "sent": m.sent,
        "failed": m.failed,
        "skipped_consent": m.skipped_consent,
        "skipped_address": m.skipped_address,
        "preview": message_preview(request.user, m)
        if preview and m.status == MessageStatus.DRAFT
        else None,
        "version": m.version,
    }


@router.get("/outreach/messages", response={200: MessagePage, **ERRORS})
def message_index(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    _messenger(request)
    result = paginate(message_list_for_user(request.user), params.page)
    return {"items": [message_out(request, m) for m in result.items], "count": result.count}


@router.post("/outreach/messages", response={201: MessageDetailOut, **ERRORS})
def message_create(request: HttpRequest, payload: MessageIn) -> Status[dict[str, Any]]:
    """Compose a message (a draft). The answer's `preview` counts who will receive it and who
    is skipped (no communication consent, no address). `POST .../send` sends it."""
    _messenger(request)
    if not can_compose_message(request.user):
        raise NotAllowed(_("The communication focal point and coordinators send messages."))
    scope = messaging_offices(request.user)
    office = office_list().filter(pk=payload.office_id, pk__in=scope).first()
    if office is None:
        raise ValidationFailed(_("Choose an office in your scope."), field="office_id")
    target = None
    if payload.target_office_id is not None:
        target = office_list().filter(pk=payload.target_office_id, pk__in=scope).first()
        if target is None:
            raise ValidationFailed(_("Choose an office in your scope."), field="target_office_id")
    message = services.message_create(
        actor=request.user,
        office=office,
        channel=payload.channel,
        subject=payload.subject,
        body=payload.body,
        target_office=target,
        region=payload.region,
        commune=payload.commune,
        only_open_cases=payload.only_open_cases,
    )
    return Status(
        201, {**message_out(request, message, True), "deliveries": [], "deliveries_count": 0}
    )


def _detail(request: HttpRequest, message: Message, page: int = 1) -> dict[str, Any]:
    deliveries = paginate(deliveries_of(message), page)
    return {
        **message_out(request, message, True),
        "deliveries": [
            {
                "returnee": d.person.full_name,
                "address": d.masked_address,
                "status": d.status,
                "error": d.error,
                "sent_at": d.sent_at,
                "delivered_at": d.delivered_at,
            }
            for d in deliveries.items
        ],
        "deliveries_count": deliveries.count,
    }


@router.get("/outreach/messages/{message_id}", response={200: MessageDetailOut, **ERRORS})
def message_detail(
    request: HttpRequest, message_id: PathId, params: Query[PageQuery]
) -> dict[str, Any]:
    """A message with its counts (or its preview while a draft) and a page of deliveries
    (returnee name, masked address, status)."""
    _messenger(request)
    return _detail(request, message_get_for_user(request.user, message_id), params.page)


@router.post("/outreach/messages/{message_id}/send", response={200: MessageDetailOut, **ERRORS})
def message_send(request: HttpRequest, message_id: PathId, payload: SendIn) -> dict[str, Any]:
    """Send a draft (or resume a send that stopped). Sending a sent message answers 409."""
    _messenger(request)
    message = message_get_for_user(request.user, message_id)
    if not can_send_message(request.user, message):
        raise NotAllowed(_("You may not send messages for this office."))
    sent = services.message_send(actor=request.user, message=message, version=payload.version)
    sent.refresh_from_db()
    return _detail(request, sent)
