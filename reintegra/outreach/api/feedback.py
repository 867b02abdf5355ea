"""API of feedback and complaints, the programme adjustment log and its report. Same selectors,
services and predicates as the pages."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.accounts.models import Office, User
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.outreach.choices.feedback import (
    FeedbackAction,
    FeedbackCategory,
    FeedbackStatus,
    FeedbackTheme,
)
from reintegra.outreach.models.feedback import FeedbackItem, ProgrammeAdjustment
from reintegra.outreach.permissions import feedback as perms
from reintegra.outreach.selectors import feedback as selectors
from reintegra.outreach.services import feedback as services

router = Router(tags=["feedback"])


class FeedbackOut(Schema):
    id: int
    reference: str
    office: int
    source: str
    returnee: int | None
    is_anonymous: bool
    received_on: date
    channel: str
    category: str
    sensitive_kind: str
    theme: str
    status: str
    ack_due_on: date
    due_on: date
    ack_overdue: bool
    overdue: bool
    assigned_to: int | None
    acknowledged_on: date | None
    resolved_on: date | None
    version: int


class FeedbackDetailOut(FeedbackOut):
    person_name: str
    contact: str
    description: str
    response: str
    responded_on: date | None
    response_channel: str
    adjustments: list[int]


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    count: int


class FeedbackQuery(Schema):
    status: Text = Field("", max_length=16)
    category: Text = Field("", max_length=16)
    theme: Text = Field("", max_length=16)
    overdue: bool = False
    mine: bool = False
    queue: Text = Field("", max_length=16)
    page: int = 1


class FeedbackIn(Schema):
    office_id: Id
    source: Text = Field(..., max_length=16)
    returnee_id: Id | None = None
    person_name: Text = Field("", max_length=150)
    is_anonymous: bool = False
    contact: Text = Field("", max_length=255)
    received_on: date
    channel: Text = Field(..., max_length=20)
    category: Text = Field(..., max_length=16)
    sensitive_kind: Text = Field("", max_length=16)
    theme: Text = Field(..., max_length=16)
    description: Text = Field(..., max_length=5000)


class TransitionIn(Schema):
    action: Text = Field(..., max_length=16)
    version: int = Field(..., ge=0, le=2**31 - 1)
    on: date | None = None
    assignee_id: Id | None = None
    response: Text = Field("", max_length=5000)
    response_channel: Text = Field("", max_length=20)
    reason: Text = Field("", max_length=2000)


def feedback_out(item: FeedbackItem, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.pk,
        "reference": item.reference,
        "office": item.office_id,
        "source": item.source,
        "returnee": item.returnee_id,
        "is_anonymous": item.is_anonymous,
        "received_on": item.received_on,
        "channel": item.channel,
        "category": item.category,
        "sensitive_kind": item.sensitive_kind,
        "theme": item.theme,
        "status": item.status,
        "ack_due_on": item.ack_due_on,
        "due_on": item.due_on,
        "ack_overdue": item.ack_overdue,
        "overdue": item.is_overdue,
        "assigned_to": item.assigned_to_id,
        "acknowledged_on": item.acknowledged_on,
        "resolved_on": item.resolved_on,
        "version": item.version,
    }
    if detail:
        out.update(
            {
                "person_name": item.person_name,
                "contact": item.contact,
                "description": item.description,
                "response": item.response,
                "responded_on": item.responded_on,
                "response_channel": item.response_channel,
                "adjustments": sorted(a.pk for a in item.adjustments.all()),
            }
        )
    return out


def _need_feedback(user: Any) -> None:
    if not perms.can_view_feedback(user):
        raise NotAllowed(_("Only programme staff use the feedback register."))


@router.get("/outreach/feedback", response={200: FeedbackPage, **ERRORS})
def feedback_index(request: HttpRequest, params: Query[FeedbackQuery]) -> dict[str, Any]:
    """Feedback the user sees; `queue=restricted` lists the sensitive complaints
    (coordinators)."""
    _need_feedback(request.user)
    for name, choices in (
        ("status", FeedbackStatus),
        ("category", FeedbackCategory),
        ("theme", FeedbackTheme),
    ):
        value = getattr(params, name)
        if value and value not in choices.values:
            raise ValidationFailed(_("Unknown value."), field=name)
    if params.queue not in ("", "restricted"):
        raise ValidationFailed(_("Unknown queue."), field="queue")
    if params.queue == "restricted" and not perms.can_see_restricted_queue(request.user):
        raise NotAllowed(_("Only coordinators see the restricted queue."))
    filters = selectors.FeedbackFilters(
        status=params.status,
        category=params.category,
        theme=params.theme,
        overdue=params.overdue,
        mine=params.mine,
        queue=params.queue,
    )
    result = paginate(selectors.feedback_list_for_user(request.user, filters), params.page)
    return {"items": [feedback_out(i) for i in result.items], "count": result.count}


@router.post("/outreach/feedback", response={201: FeedbackOut, **ERRORS})
def feedback_create(request: HttpRequest, payload: FeedbackIn) -> Status[dict[str, Any]]:
    """Record feedback. A sensitive complaint answers with its reference only visible through
    this answer: afterwards only coordinators of its office see it."""
    user = request.user
    _need_feedback(user)
    office = selectors.recording_office_list(user).filter(pk=payload.office_id).first()
    if office is None:
        raise ValidationFailed(_("Choose an office of your scope."), field="office_id")
    returnee = None
    if payload.returnee_id is not None:
        returnee = selectors.linkable_returnees(user).filter(pk=payload.returnee_id).first()
        if returnee is None:
            raise ValidationFailed(_("Choose a returnee you can see."), field="returnee_id")
    item = services.feedback_record(
        actor=user,
        office=office,
        returnee=returnee,
        **payload.dict(exclude={"office_id", "returnee_id"}),
    )
    return Status(201, feedback_out(item))


@router.get("/outreach/feedback/{feedback_id}", response={200: FeedbackDetailOut, **ERRORS})
def feedback_detail(request: HttpRequest, feedback_id: PathId) -> dict[str, Any]:
    return feedback_out(selectors.feedback_get_for_user(request.user, feedback_id), detail=True)


@router.post("/outreach/feedback/{feedback_id}/transitions", response={200: FeedbackOut, **ERRORS})
def feedback_transition(
    request: HttpRequest, feedback_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """acknowledge (`on`), assign (`assignee_id`), resolve (`response`, `on`,
    `response_channel`), close, reopen (`reason`), with the item's `version` (stale: 409)."""
    user = request.user
    item = selectors.feedback_get_for_user(user, feedback_id)
    if not perms.can_handle_feedback(user, item):
        raise NotAllowed(
            _("Coordinators, the communication focal point and the assignee handle feedback.")
        )
    if payload.action not in FeedbackAction.values:
        raise ValidationFailed(_("Unknown action."), field="action")
    action = FeedbackAction(payload.action)
    kwargs: dict[str, Any] = {"actor": user, "item": item, "version": payload.version}
    if action == FeedbackAction.ACKNOWLEDGE:
        kwargs["acknowledged_on"] = payload.on
    elif action == FeedbackAction.ASSIGN:
        assignee = User.objects.filter(pk=payload.assignee_id or 0).first()
        kwargs["assignee"] = assignee
    elif action == FeedbackAction.RESOLVE:
        kwargs.update(
            response=payload.response,
            responded_on=payload.on,
            response_channel=payload.response_channel,
        )
    elif action == FeedbackAction.REOPEN:
        kwargs["reason"] = payload.reason
    updated = services.TRANSITIONS[action](**kwargs)
    return feedback_out(updated)


# --- adjustments ------------------------------------------------------------------------------


class AdjustmentOut(Schema):
    id: int
    office: int
    decided_on: date
    title: str
    description: str
    area: str
    status: str
    feedback_items: list[int]
    visits: list[int]
    version: int


class AdjustmentPage(Schema):
    items: list[AdjustmentOut]
    count: int


class AdjustmentQuery(Schema):
    page: int = 1


class AdjustmentIn(Schema):
    office_id: Id
    decided_on: date
    title: Text = Field(..., max_length=200)
    description: Text = Field("", max_length=5000)
    area: Text = Field(..., max_length=16)
    status: Text = Field("PLANNED", max_length=16)
    feedback_ids: list[Id] = Field(default_factory=list, max_length=200)
    visit_ids: list[Id] = Field(default_factory=list, max_length=200)


def adjustment_out(user: Any, adjustment: ProgrammeAdjustment) -> dict[str, Any]:
    basis = selectors.adjustment_basis(user, adjustment)
    return {
        "id": adjustment.pk,
        "office": adjustment.office_id,
        "decided_on": adjustment.decided_on,
        "title": adjustment.title,
        "description": adjustment.description,
        "area": adjustment.area,
        "status": adjustment.status,
        "feedback_items": [i.pk for i in basis.feedback],
        "visits": [v.pk for v, _label in basis.visits],
        "version": adjustment.version,
    }


@router.get("/outreach/adjustments", response={200: AdjustmentPage, **ERRORS})
def adjustment_index(request: HttpRequest, params: Query[AdjustmentQuery]) -> dict[str, Any]:
    if not perms.can_view_adjustments(request.user):
        raise NotAllowed(
            _("Coordinators, the M&E specialist and the communication focal point read the log.")
        )
    result = paginate(selectors.adjustment_list_for_user(request.user), params.page)
    return {
        "items": [adjustment_out(request.user, a) for a in result.items],
        "count": result.count,
    }


@router.post("/outreach/adjustments", response={201: AdjustmentOut, **ERRORS})
def adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Status[dict[str, Any]]:
    user = request.user
    if not perms.can_record_adjustment(user):
        raise NotAllowed(_("Coordinators record programme adjustments."))
    office = selectors.adjustment_office_list(user).filter(pk=payload.office_id).first()
    if office is None:
        raise ValidationFailed(_("Choose an office of your scope."), field="office_id")
    items = list(selectors.linkable_feedback(user).filter(pk__in=payload.feedback_ids))
    if len(items) != len(set(payload.feedback_ids)):
        raise ValidationFailed(_("Link only feedback you can see."), field="feedback_ids")
    visits = list(selectors.linkable_visits(user).filter(pk__in=payload.visit_ids))
    if len(visits) != len(set(payload.visit_ids)):
        raise ValidationFailed(_("Link only monitoring visits you can see."), field="visit_ids")
    adjustment = services.adjustment_record(
        actor=user,
        office=office,
        decided_on=payload.decided_on,
        title=payload.title,
        description=payload.description,
        area=payload.area,
        status=payload.status,
        feedback_items=items,
        visits=visits,
    )
    return Status(201, adjustment_out(user, adjustment))


# --- the report -------------------------------------------------------------------------------


class ReportQuery(Schema):
    start: date | None = None
    end: date | None = None
    office_id: Id | None = None


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


class ReportOut(Schema):
    start: date
    end: date
    office: int | None
    tables: list[TableOut]


@router.get("/outreach/feedback-report", response={200: ReportOut, **ERRORS})
def feedback_report(request: HttpRequest, params: Query[ReportQuery]) -> dict[str, Any]:
    """Feedback themes and categories by month, handling times, overdue items and the
    adjustments decided in the period (default: the last six months), for the offices of the
    user's scope or one of them."""
    user = request.user
    if not perms.can_view_feedback_report(user):
        raise NotAllowed(
            _("Coordinators, the M&E specialist and the communication focal point see the report.")
        )
    period = selectors.default_period()
    period.start = params.start or period.start
    period.end = params.end or period.end
    if period.end < period.start:
        raise ValidationFailed(_("The period ends before it starts."), field="end")
    if (period.end - period.start).days > 3660:
        raise ValidationFailed(_("The period is too long (ten years at most)."), field="start")
    if params.office_id is not None:
        office: Office | None = (
            selectors.report_office_list(user).filter(pk=params.office_id).first()
        )
        if office is None:
            raise ValidationFailed(_("Choose an office of your scope."), field="office_id")
        period.office = office
    tables = selectors.feedback_report(user, period)
    return {
        "start": period.start,
        "end": period.end,
        "office": period.office.pk if period.office else None,
        "tables": [
            {"key": t.key, "title": t.title, "columns": t.columns, "rows": t.rows} for t in tables
        ],
    }
