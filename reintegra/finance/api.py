"""API: cash instalments and their payments. Same selectors, services and predicates as the
pages: an instalment or plan out of scope answers 404, a forbidden move on a visible instalment
403, a stale version 409 (and so does paying an instalment already paid), and what the services
refuse 422 with their code (`above_measure`, `maker_checker`, `invalid_transition`,
`not_committed`, `plan_not_in_force`…).

Who lists: `GET /instalments` without `plan` is the payment desk of the finance staff and the
coordinators (403 for other roles); with `plan`, anyone who reads that plan's lines (its case
manager, M&E) lists its instalments. The payment instruction's payee and account are answered
to those who pay or follow payments and to the case's manager; to others (M&E) they are null.

Amounts are answered as strings (`"50000.00"`) and accepted as numbers or strings."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from reintegra.accounts.api import user_ref
from reintegra.cases.permissions import CaseAccess
from reintegra.core.api import ERRORS, Id, PathId, Ref, Text
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.finance import permissions, selectors, services
from reintegra.finance.choices import TRANSITIONS, InstalmentStatus
from reintegra.finance.models import Instalment
from reintegra.plans.api import Amount, TypeRef, Version
from reintegra.plans.selectors import plan_get_for_user

router = Router(tags=["finance"])

# The moves of POST /instalments/{id}/transitions.
MOVES = (
    InstalmentStatus.PREPARED,
    InstalmentStatus.APPROVED,
    InstalmentStatus.PAID,
    InstalmentStatus.CANCELLED,
)


class InstalmentOut(Schema):
    """`payee` and `account` are null for those who only read the plan's lines."""

    id: int
    plan: int
    case: int
    case_number: str
    measure: int
    assistance_type: TypeRef
    amount: str
    currency: str
    milestone: str
    due_on: date | None
    status: str
    method: str
    payee: str | None
    account: str | None
    reference: str
    cancel_reason: str
    created_by: Ref | None
    prepared_by: Ref | None
    prepared_at: datetime | None
    approved_by: Ref | None
    approved_at: datetime | None
    paid_by: Ref | None
    paid_at: datetime | None
    version: int


class InstalmentPage(Schema):
    items: list[InstalmentOut]
    count: int


class InstalmentQuery(Schema):
    step: Text = Field(
        "all", max_length=16, description="to_prepare, to_approve, to_pay, paid or all"
    )
    plan: Id | None = Field(None, description="The instalments of one plan")
    page: int = 1


class InstalmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    measure: Id = Field(..., description="A cash measure of the plan")
    amount: Amount
    milestone: Annotated[Text, StringConstraints(max_length=200)] = Field(
        ..., description="What releases the instalment"
    )
    due_on: date | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[Text, StringConstraints(max_length=16)] = Field(
        ...,
        description="PREPARED (method, payee; account unless CASH), APPROVED (another finance "
        "user than the preparer), PAID (reference) or CANCELLED (reason)",
    )
    version: Version | None = None
    method: Annotated[Text, StringConstraints(max_length=16)] = Field(
        "", description="MOBILE_MONEY, BANK or CASH"
    )
    payee: Annotated[Text, StringConstraints(max_length=200)] = ""
    account: Annotated[Text, StringConstraints(max_length=64)] = ""
    reference: Annotated[Text, StringConstraints(max_length=100)] = ""
    reason: Annotated[Text, StringConstraints(max_length=4000)] = ""


def _detailed(user: Any, access: CaseAccess) -> bool:
    """Who sees the payment instruction: finance staff and coordinators, and the case's
    manager."""
    return permissions.can_view_payments(user) or access.can_edit


def instalment_out(instalment: Instalment, detailed: bool) -> dict[str, Any]:
    plan = instalment.plan
    kind = instalment.measure.assistance_type
    return {
        "id": instalment.pk,
        "plan": instalment.plan_id,
        "case": plan.case_id,
        "case_number": plan.case.number,
        "measure": instalment.measure_id,
        "assistance_type": {"id": kind.pk, "code": kind.code, "name": kind.name},
        "amount": str(instalment.amount),
        "currency": plan.currency,
        "milestone": instalment.milestone,
        "due_on": instalment.due_on,
        "status": instalment.status,
        "method": instalment.method,
        "payee": instalment.payee if detailed else None,
        "account": instalment.account if detailed else None,
        "reference": instalment.reference,
        "cancel_reason": instalment.cancel_reason,
        "created_by": user_ref(instalment.created_by),
        "prepared_by": user_ref(instalment.prepared_by),
        "prepared_at": instalment.prepared_at,
        "approved_by": user_ref(instalment.approved_by),
        "approved_at": instalment.approved_at,
        "paid_by": user_ref(instalment.paid_by),
        "paid_at": instalment.paid_at,
        "version": instalment.version,
    }


def _fresh(user: Any, instalment_id: int) -> dict[str, Any]:
    instalment, access = selectors.instalment_get_for_user(user, instalment_id)
    return instalment_out(instalment, _detailed(user, access))


@router.get("/instalments", response={200: InstalmentPage, **ERRORS})
def instalment_index(request: HttpRequest, params: Query[InstalmentQuery]) -> dict[str, Any]:
    """The payment desk: instalments in the user's scope waiting for a step (`to_prepare`,
    `to_approve`, `to_pay`), `paid` (latest first) or `all` (by due date). Finance staff and
    coordinators only (403), unless `plan` is given: then whoever reads that plan's lines
    (404 when out of scope)."""
    user = request.user
    if params.step not in selectors.PAYMENT_STEPS:
        raise ValidationFailed(
            _("Choose a step: to_prepare, to_approve, to_pay, paid or all."), field="step"
        )
    plan = None
    detailed = permissions.can_view_payments(user)
    if params.plan is not None:
        plan, access, _readable = plan_get_for_user(user, params.plan)
        detailed = _detailed(user, access)
    elif not detailed:
        raise NotAllowed(_("Your role does not follow payments."))
    instalments = selectors.instalment_list(user, step=params.step, plan=plan).select_related(
        "created_by", "paid_by"
    )
    result = paginate(instalments, params.page)
    return {"items": [instalment_out(i, detailed) for i in result.items], "count": result.count}


@router.post("/plans/{plan_id}/instalments", response={201: InstalmentOut, **ERRORS})
def instalment_create(
    request: HttpRequest, plan_id: PathId, payload: InstalmentIn
) -> Status[dict[str, Any]]:
    """Plan an instalment of an approved plan's cash measure, tied to a milestone (the case's
    manager; 403 otherwise or when the plan is not approved). The measure's instalments never
    exceed its cost (422 `above_measure`)."""
    user = request.user
    plan, access, _readable = plan_get_for_user(user, plan_id)
    if not permissions.can_plan_instalments(access, plan):
        raise NotAllowed(
            _("The case's manager plans instalments, on an approved plan."),
        )
    measure = plan.measures.filter(pk=payload.measure).first()
    if measure is None:
        raise ValidationFailed(_("Choose a cash measure of this plan."), field="measure")
    instalment = services.instalment_add(
        actor=user,
        plan=plan,
        measure=measure,
        amount=payload.amount,
        milestone=payload.milestone,
        due_on=payload.due_on,
    )
    return Status(201, _fresh(user, instalment.pk))


@router.get("/instalments/{instalment_id}", response={200: InstalmentOut, **ERRORS})
def instalment_detail(request: HttpRequest, instalment_id: PathId) -> dict[str, Any]:
    """An instalment of a plan whose lines the user reads."""
    return _fresh(request.user, instalment_id)


@router.post("/instalments/{instalment_id}/transitions", response={200: InstalmentOut, **ERRORS})
def instalment_transition(
    request: HttpRequest, instalment_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """PREPARED (finance: `method`, `payee`, `account` unless CASH), APPROVED (a finance user
    who did not prepare it), PAID (finance: `reference`; spends the plan's commitment on its
    budget line) or CANCELLED (`reason`; finance, or the case's manager while it is planned).
    Carries the instalment's `version`: a stale one answers 409, and so does an instalment
    already paid; a move that does not apply to its status 422 `invalid_transition`."""
    user = request.user
    if payload.to not in MOVES:
        raise ValidationFailed(
            _("Move the instalment to PREPARED, APPROVED, PAID or CANCELLED."), field="to"
        )
    instalment, access = selectors.instalment_get_for_user(user, instalment_id)
    if instalment.status == InstalmentStatus.PAID:
        raise Conflict(_("This instalment is already paid."))
    if payload.version is not None and payload.version != instalment.version:
        raise StaleVersion(_("This instalment was changed by someone else. Reload and try again."))
    if payload.to not in TRANSITIONS.get(instalment.status, ()):
        raise ValidationFailed(
            _("The instalment is %(status)s: this step does not apply.")
            % {"status": instalment.get_status_display().lower()},
            code="invalid_transition",
        )
    if not permissions.can_move(user, access, instalment, payload.to):
        if payload.to == InstalmentStatus.APPROVED and permissions.pays(access):
            raise NotAllowed(
                _("You prepared this payment: another finance user approves it."),
                code="maker_checker",
            )
        raise NotAllowed(_("You may not move this instalment."))
    version = payload.version
    if payload.to == InstalmentStatus.PREPARED:
        services.instalment_prepare(
            actor=user,
            instalment=instalment,
            method=payload.method,
            payee=payload.payee,
            account=payload.account,
            version=version,
        )
    elif payload.to == InstalmentStatus.APPROVED:
        services.instalment_approve(actor=user, instalment=instalment, version=version)
    elif payload.to == InstalmentStatus.PAID:
        services.instalment_pay(
            actor=user, instalment=instalment, reference=payload.reference, version=version
        )
    else:
        services.instalment_cancel(
            actor=user, instalment=instalment, reason=payload.reason, version=version
        )
    return _fresh(user, instalment.pk)
