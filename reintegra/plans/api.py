"""API: reintegration plans, the assistance catalogue and budget lines. Same selectors, services
and predicates as the pages: out of scope answers 404, a forbidden action on a visible plan 403,
a stale version 409, and what the services refuse 422 with their code (`above_ceiling`,
`maker_checker`, `needs_national`, `insufficient_budget`…).

Amounts are answered as strings (`"300000.00"`) and accepted as numbers or strings. Those who
read a plan's lines only (finance, M&E) get its narrative fields as null."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictFloat, StrictInt, StringConstraints

from reintegra.access.policy import SUPERVISING_ROLES
from reintegra.accounts.api import office_ref, user_ref
from reintegra.accounts.selectors import office_list
from reintegra.cases.permissions import CaseAccess, case_access
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.api import ERRORS, MAX_ID, Id, PathId, Ref, Text
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.plans import permissions, selectors, services
from reintegra.plans.choices import Status as PlanStatus
from reintegra.plans.models import AssistanceType, BudgetLine, Plan

router = Router(tags=["plans"])

# An amount: a JSON number or a string ("1500.50"); the services check it is money.
Amount = StrictInt | StrictFloat | Annotated[Text, StringConstraints(max_length=40)]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]
# Names and codes: not blank.
Name = Annotated[Text, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
Narrative = Annotated[Text, StringConstraints(max_length=10_000)]

# The moves of POST /plans/{id}/transitions.
EDITING_MOVES = (PlanStatus.SUBMITTED, PlanStatus.CANCELLED)
DECIDING_MOVES = (PlanStatus.RETURNED, PlanStatus.APPROVED)


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


# --- the catalogue ----------------------------------------------------------------------------


class AssistanceTypeOut(Schema):
    id: int
    code: str
    dimension: str
    name: str
    delivery_mode: str
    ceiling: str | None
    currency: str
    is_active: bool
    version: int


class AssistanceTypePage(Schema):
    items: list[AssistanceTypeOut]
    count: int


def assistance_type_out(t: AssistanceType) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "dimension": t.dimension,
        "name": t.name,
        "delivery_mode": t.delivery_mode,
        "ceiling": _money(t.ceiling),
        "currency": t.currency,
        "is_active": t.is_active,
        "version": t.version,
    }


@router.get("/assistance-types", response={200: AssistanceTypePage, **ERRORS})
def assistance_type_index(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """The programme's catalogue of assistance (handbook Annex 3), active types only."""
    if not permissions.can_view_setup(request.user):
        raise NotAllowed(_("Your role does not plan assistance."))
    result = paginate(selectors.assistance_types(), page)
    return {"items": [assistance_type_out(t) for t in result.items], "count": result.count}


# --- budget lines -----------------------------------------------------------------------------


class BudgetLineOut(Schema):
    id: int
    code: str
    name: str
    donor: str
    office: Ref
    currency: str
    amount: str
    committed: str
    spent: str
    available: str
    starts_on: date | None
    ends_on: date | None
    is_active: bool
    version: int


class BudgetLinePage(Schema):
    items: list[BudgetLineOut]
    count: int


class BudgetLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    office_id: Id
    code: Annotated[Text, StringConstraints(min_length=1, max_length=32, pattern=r"\S")]
    name: Name
    donor: Name
    amount: Amount
    currency: Annotated[Text, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class BudgetLinePatch(Schema):
    """Only the fields given change; `starts_on` / `ends_on` null clears them."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    name: Name | None = None
    donor: Name | None = None
    amount: Amount | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_active: bool | None = None


def budget_line_out(line: BudgetLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "code": line.code,
        "name": line.name,
        "donor": line.donor,
        "office": office_ref(line.office),
        "currency": line.currency,
        "amount": str(line.amount),
        "committed": str(line.committed),
        "spent": str(line.spent),
        "available": str(line.available),
        "starts_on": line.starts_on,
        "ends_on": line.ends_on,
        "is_active": line.is_active,
        "version": line.version,
    }


@router.get("/budget-lines", response={200: BudgetLinePage, **ERRORS})
def budget_line_index(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """Budget lines of the offices in the user's scope (coordinators, finance, M&E)."""
    if not permissions.can_view_setup(request.user):
        raise NotAllowed(_("Your role does not see budget lines."))
    result = paginate(selectors.budget_lines_for(request.user), page)
    return {"items": [budget_line_out(line) for line in result.items], "count": result.count}


@router.post("/budget-lines", response={201: BudgetLineOut, **ERRORS})
def budget_line_create(request: HttpRequest, payload: BudgetLineIn) -> Status[dict[str, Any]]:
    """A donor's or programme's budget line at an office the user keeps the budget of."""
    user = request.user
    offices = permissions.budget_offices(user)
    if not offices:
        raise NotAllowed(_("Your role does not keep budget lines."))
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or office.pk not in offices:
        raise ValidationFailed(_("Choose an office whose budget you keep."), field="office_id")
    extra = payload.model_dump(include={"currency", "starts_on", "ends_on"}, exclude_none=True)
    line = services.budget_line_create(
        actor=user,
        office=office,
        code=payload.code,
        name=payload.name,
        donor=payload.donor,
        amount=payload.amount,
        **extra,
    )
    return Status(201, budget_line_out(line))


@router.patch("/budget-lines/{line_id}", response={200: BudgetLineOut, **ERRORS})
def budget_line_update(
    request: HttpRequest, line_id: PathId, payload: BudgetLinePatch
) -> dict[str, Any]:
    """Rename, re-date, close or re-size a line (never below what is committed and spent).
    Carries the line's `version`; a stale one answers 409."""
    user = request.user
    line = selectors.budget_lines_for(user).filter(pk=line_id).first()
    if line is None:
        raise Http404
    if not permissions.can_edit_budget_line(user, line):
        raise NotAllowed(_("You do not keep this budget line."))
    given = payload.model_fields_set - {"version"}
    fields = {
        k: getattr(payload, k)
        for k in given
        if getattr(payload, k) is not None or k in ("starts_on", "ends_on")
    }
    line = services.budget_line_update(actor=user, line=line, version=payload.version, **fields)
    return budget_line_out(line)


# --- plans ------------------------------------------------------------------------------------


class PlanRow(Schema):
    id: int
    case: int
    case_number: str
    revision: int
    status: str
    total: str
    currency: str
    budget_line: int | None
    submitted_at: datetime | None
    approved_at: datetime | None
    updated_at: datetime
    version: int


class PlanPage(Schema):
    items: list[PlanRow]
    count: int


class TypeRef(Schema):
    id: int
    code: str
    name: str


class MeasureOut(Schema):
    id: int
    assistance_type: TypeRef
    description: str
    estimated_cost: str
    delivery_mode: str
    referral_needed: bool
    referral: int | None


class ItemOut(Schema):
    id: int
    measure: int | None
    description: str
    quantity: str
    unit_cost: str
    cost: str


class PlanEventOut(Schema):
    decision: str
    actor: Ref | None
    at: datetime
    amount: str | None
    comment: str | None


class PlanOut(PlanRow):
    """`readable` false: the user reads the plan's lines only, and its narrative is null."""

    readable: bool
    previous: int | None
    created_by: Ref | None
    submitted_by: Ref | None
    approved_by: Ref | None
    summary_economic: str | None
    summary_social: str | None
    summary_psychosocial: str | None
    expected_improvement: str | None
    community_part: str | None
    baseline_score: float | None
    measures: list[MeasureOut]
    items: list[ItemOut]
    events: list[PlanEventOut]


class PlanQuery(Schema):
    case: Id | None = None
    status: Text = Field("", max_length=16, description="DRAFT, SUBMITTED, … or empty")
    waiting: bool = Field(False, description="Submitted plans waiting for the user's decision")
    page: int = 1


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case: Id


class PlanPatch(Schema):
    """Only the summaries given change."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    summary_economic: Narrative | None = None
    summary_social: Narrative | None = None
    summary_psychosocial: Narrative | None = None
    expected_improvement: Narrative | None = None
    community_part: Narrative | None = None


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assistance_type: Id
    estimated_cost: Amount
    description: Annotated[Text, StringConstraints(max_length=4000)] = ""
    delivery_mode: Annotated[Text, StringConstraints(max_length=16)] = Field(
        "", description="CASH, IN_KIND, SERVICE; empty: the type's usual mode"
    )
    referral_needed: bool = False
    version: Version | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[Text, StringConstraints(max_length=16)] = Field(
        ...,
        description="SUBMITTED, RETURNED (comment required), APPROVED (budget_line "
        "required) or CANCELLED",
    )
    version: Version | None = None
    comment: Annotated[Text, StringConstraints(max_length=4000)] = ""
    budget_line: Id | None = None


def plan_row(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "case": plan.case_id,
        "case_number": plan.case.number,
        "revision": plan.revision,
        "status": plan.status,
        "total": str(plan.total),
        "currency": plan.currency,
        "budget_line": plan.budget_line_id,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "updated_at": plan.updated_at,
        "version": plan.version,
    }


def plan_out(plan: Plan, readable: bool) -> dict[str, Any]:
    out = plan_row(plan)
    narrative = {
        name: getattr(plan, name) if readable else None for name in services.SUMMARY_FIELDS
    }
    measures = plan.measures.select_related("assistance_type")
    out.update(
        narrative,
        readable=readable,
        previous=plan.previous_id,
        created_by=user_ref(plan.created_by),
        submitted_by=user_ref(plan.submitted_by),
        approved_by=user_ref(plan.approved_by),
        baseline_score=plan.baseline_score if readable else None,
        measures=[
            {
                "id": m.pk,
                "assistance_type": {
                    "id": m.assistance_type_id,
                    "code": m.assistance_type.code,
                    "name": m.assistance_type.name,
                },
                "description": m.description,
                "estimated_cost": str(m.estimated_cost),
                "delivery_mode": m.delivery_mode,
                "referral_needed": m.referral_needed,
                "referral": m.referral_id,
            }
            for m in measures
        ],
        items=[
            {
                "id": i.pk,
                "measure": i.measure_id,
                "description": i.description,
                "quantity": str(i.quantity),
                "unit_cost": str(i.unit_cost),
                "cost": str(i.cost),
            }
            for i in plan.items.all()
        ],
        events=[
            {
                "decision": e.decision,
                "actor": user_ref(e.actor),
                "at": e.at,
                "amount": _money(e.amount),
                "comment": e.comment if readable else None,
            }
            for e in plan.events.select_related("actor")
        ],
    )
    return out


def _fresh(user: Any, plan_id: int) -> dict[str, Any]:
    plan = (
        selectors.plan_visible_to(user)
        .select_related("case", "created_by", "submitted_by", "approved_by")
        .get(pk=plan_id)
    )
    return plan_out(plan, permissions.can_read_plan(case_access(user, plan.case)))


def _ensure(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _current(plan: Plan, version: int | None) -> None:
    """A stale version answers 409 before the plan's state is judged (it may have moved on)."""
    if version is not None and version != plan.version:
        raise StaleVersion(_("This plan was changed by someone else. Reload and try again."))


def _may_edit(access: CaseAccess, plan: Plan, version: int | None) -> None:
    _ensure(permissions.can_draft(access), _("You may not change this plan."))
    _current(plan, version)
    _ensure(
        permissions.can_edit_plan(access, plan),
        _("Only a draft or returned plan can be changed."),
    )


def _may_decide(access: CaseAccess, plan: Plan, version: int | None) -> None:
    _ensure(bool(access.roles & SUPERVISING_ROLES), _("A coordinator decides on plans."))
    _current(plan, version)
    _ensure(
        permissions.can_decide(access, plan),
        _("You may not decide on this plan: it is not submitted, or you drafted or submitted it."),
    )


@router.get("/plans", response={200: PlanPage, **ERRORS})
def plan_index(request: HttpRequest, params: Query[PlanQuery]) -> dict[str, Any]:
    """Plans of the cases in the user's scope whose plans or lines they read, most recently
    changed first; `waiting=true`: submitted plans waiting for the user's decision."""
    if params.status and params.status not in PlanStatus.values:
        raise ValidationFailed(_("Unknown plan status."), field="status")
    filters = selectors.PlanFilters(status=params.status, waiting_for_me=params.waiting)
    plans = selectors.plan_list(request.user, filters)
    if params.case is not None:
        plans = plans.filter(case_id=params.case)
    result = paginate(plans, params.page)
    return {"items": [plan_row(p) for p in result.items], "count": result.count}


@router.post("/plans", response={201: PlanOut, **ERRORS})
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    """Draft the case's plan, or a revision of its approved plan (measures and items copied).
    409 when a plan is already being written for the case."""
    user = request.user
    case, access = case_get_for_user(user, payload.case, log_view=False)
    _ensure(permissions.can_draft(access), _("You may not draft a plan for this case."))
    plan = services.plan_start(actor=user, case=case)
    return Status(201, _fresh(user, plan.pk))


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def plan_detail(request: HttpRequest, plan_id: PathId) -> dict[str, Any]:
    plan, _access, readable = selectors.plan_get_for_user(request.user, plan_id)
    return plan_out(plan, readable)


@router.patch("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def plan_update(request: HttpRequest, plan_id: PathId, payload: PlanPatch) -> dict[str, Any]:
    """Change the plan's summaries (a draft or returned plan). Carries the plan's `version`."""
    user = request.user
    plan, access, _readable = selectors.plan_get_for_user(user, plan_id)
    _may_edit(access, plan, payload.version)
    fields = payload.model_dump(include=set(services.SUMMARY_FIELDS), exclude_none=True)
    services.plan_update(actor=user, plan=plan, version=payload.version, **fields)
    return _fresh(user, plan.pk)


@router.post("/plans/{plan_id}/measures", response={201: PlanOut, **ERRORS})
def measure_create(
    request: HttpRequest, plan_id: PathId, payload: MeasureIn
) -> Status[dict[str, Any]]:
    """Add an assistance measure; answers the plan with its new total. Refused above the
    type's ceiling (422 `above_ceiling`)."""
    user = request.user
    plan, access, _readable = selectors.plan_get_for_user(user, plan_id)
    _may_edit(access, plan, payload.version)
    assistance_type = selectors.assistance_types().filter(pk=payload.assistance_type).first()
    if assistance_type is None:
        raise ValidationFailed(
            _("Choose a type of assistance of the catalogue."), field="assistance_type"
        )
    services.measure_add(
        actor=user,
        plan=plan,
        assistance_type=assistance_type,
        estimated_cost=payload.estimated_cost,
        description=payload.description,
        delivery_mode=payload.delivery_mode,
        referral_needed=payload.referral_needed,
        version=payload.version,
    )
    return Status(201, _fresh(user, plan.pk))


@router.post("/plans/{plan_id}/transitions", response={200: PlanOut, **ERRORS})
def plan_transition(request: HttpRequest, plan_id: PathId, payload: TransitionIn) -> dict[str, Any]:
    """SUBMITTED (the case manager; needs a measure), CANCELLED (drop a draft), RETURNED (a
    coordinator, with a comment), APPROVED (a coordinator who neither drafted nor submitted
    it, a national one above the threshold; commits the total on `budget_line`)."""
    user = request.user
    if payload.to not in (*EDITING_MOVES, *DECIDING_MOVES):
        raise ValidationFailed(
            _("Move the plan to SUBMITTED, RETURNED, APPROVED or CANCELLED."), field="to"
        )
    plan, access, _readable = selectors.plan_get_for_user(user, plan_id)
    version = payload.version
    if payload.to in EDITING_MOVES:
        _may_edit(access, plan, version)
        if payload.to == PlanStatus.SUBMITTED:
            services.plan_submit(actor=user, plan=plan, version=version)
        else:
            services.plan_cancel(actor=user, plan=plan, comment=payload.comment, version=version)
        return _fresh(user, plan.pk)
    _may_decide(access, plan, version)
    if payload.to == PlanStatus.RETURNED:
        services.plan_return(actor=user, plan=plan, comment=payload.comment, version=version)
        return _fresh(user, plan.pk)
    if payload.budget_line is None:
        raise ValidationFailed(_("Choose the budget line to commit on."), field="budget_line")
    line = selectors.budget_lines_for_case(plan.case).filter(pk=payload.budget_line).first()
    if line is None:
        raise ValidationFailed(
            _("Choose an active budget line of the case's office."), field="budget_line"
        )
    services.plan_approve(
        actor=user, plan=plan, budget_line=line, version=version, comment=payload.comment
    )
    return _fresh(user, plan.pk)
