"""Writes on cash instalments. Paying spends the plan's commitment on its budget line: the
instalment, the commitment and the line are locked, so an instalment is paid once whatever
the number of concurrent requests, and the line never goes negative."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.policy import Tier
from reintegra.audit.services import record
from reintegra.cases.choices import EventKind
from reintegra.cases.services import case_event_record
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.finance.choices import InstalmentStatus, PaymentMethod
from reintegra.finance.models import (
    Instalment,
)
from reintegra.plans.choices import DeliveryMode, Status
from reintegra.plans.models import BudgetLine, Commitment, Measure, Plan
from reintegra.plans.services import measure_delivered, money


def _audit(actor: Any, instalment: Instalment, action: str, changes: dict[str, Any]) -> None:
    plan = instalment.plan
    record(
        actor=actor,
        action=action,
        target=instalment,
        case_id=plan.case_id,
        person_id=plan.case.person_id,
        changes=changes,
    )


def _timeline(actor: Any, instalment: Instalment, summary: str) -> None:
    case_event_record(
        actor=actor,
        case=instalment.plan.case,
        kind=EventKind.PLAN,
        summary=summary,
        tier=Tier.FINANCE,
        data={"instalment_id": instalment.pk, "status": instalment.status},
    )


@transaction.atomic
def instalment_add(
    *,
    actor: Any,
    plan: Plan,
    measure: Measure,
    amount: Any,
    milestone: str,
    due_on: Any = None,
) -> Instalment:
    """An instalment of an approved plan's cash measure, tied to a milestone; the measure's
    instalments never exceed its cost. Audits `instalment.planned`."""
    locked = Plan.objects.select_for_update().select_related("case", "case__person").get(pk=plan.pk)
    if locked.status != Status.APPROVED:
        raise ValidationFailed(
            _("Instalments are planned on an approved plan."), code="not_approved"
        )
    if measure.plan_id != locked.pk or measure.delivery_mode != DeliveryMode.CASH:
        raise ValidationFailed(_("Choose a cash measure of this plan."), field="measure")
    if not (milestone or "").strip():
        raise ValidationFailed(
            _("Name the milestone that releases the instalment."), field="milestone"
        )
    value = money(amount, "amount", positive=True)
    planned = measure.instalments.exclude(status=InstalmentStatus.CANCELLED).aggregate(
        t=Sum("amount")
    )["t"] or Decimal(0)
    if planned + value > measure.estimated_cost:
        raise ValidationFailed(
            _("The measure's instalments would exceed its cost (%(cost)s; %(planned)s planned).")
            % {"cost": measure.estimated_cost, "planned": planned},
            field="amount",
            code="above_measure",
        )
    instalment = Instalment.objects.create(
        plan=locked,
        measure=measure,
        amount=value,
        milestone=milestone.strip()[:200],
        due_on=due_on,
        created_by=actor,
    )
    instalment.plan = locked
    _audit(actor, instalment, "instalment.planned", {"amount": [None, str(value)]})
    _timeline(
        actor,
        instalment,
        _("Instalment planned: %(milestone)s") % {"milestone": instalment.milestone},
    )
    return instalment


def lock_step(obj: Any, version: int | None, expected: str, *, stale: str, wrong_step: str) -> Any:
    """Lock an instalment's or a purchase's row for its next step: refused when the caller's
    version is stale, or when it is not at the `expected` status."""
    locked = (
        type(obj)
        .objects.select_for_update(of=("self",))
        .select_related("plan", "plan__case", "plan__case__person")
        .get(pk=obj.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(stale)
    if locked.status != expected:
        raise ValidationFailed(
            wrong_step % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    return locked


def save_step(locked: Any, *fields: str) -> None:
    """Save a step's fields with the new status and version."""
    locked.version += 1
    locked.save(update_fields=[*fields, "status", "version", "updated_at"])


def _lock(instalment: Instalment, version: int | None, expected: str) -> Instalment:
    try:
        locked: Instalment = lock_step(
            instalment,
            version,
            expected,
            stale=_("This instalment was changed by someone else. Reload and try again."),
            wrong_step=_("The instalment is %(status)s: this step does not apply."),
        )
    except ValidationFailed:  # not at the expected step: a paid one says so (409)
        if Instalment.objects.filter(pk=instalment.pk, status=InstalmentStatus.PAID).exists():
            raise Conflict(_("This instalment is already paid.")) from None
        raise
    if expected != InstalmentStatus.APPROVED and locked.plan.status != Status.APPROVED:
        # (Paying checks it under the plan's lock, see instalment_pay.)
        raise ValidationFailed(
            _("The plan was revised: plan the instalment on the plan in force."),
            code="plan_not_in_force",
        )
    return locked


@transaction.atomic
def instalment_prepare(
    *,
    actor: Any,
    instalment: Instalment,
    method: str,
    payee: str,
    account: str = "",
    version: int | None = None,
) -> Instalment:
    """The payment instruction: method and payee. Audits `instalment.prepared`."""
    locked = _lock(instalment, version, InstalmentStatus.PLANNED)
    if method not in PaymentMethod.values:
        raise ValidationFailed(_("Choose a payment method."), field="method")
    if not (payee or "").strip():
        raise ValidationFailed(_("Say who is paid."), field="payee")
    if method != PaymentMethod.CASH and not (account or "").strip():
        raise ValidationFailed(_("Give the phone number or account to pay."), field="account")
    locked.method = method
    locked.payee = payee.strip()[:200]
    locked.account = (account or "").strip()[:64]
    locked.prepared_by = actor
    locked.prepared_at = timezone.now()
    locked.status = InstalmentStatus.PREPARED
    save_step(locked, "method", "payee", "account", "prepared_by", "prepared_at")
    _audit(actor, locked, "instalment.prepared", {"method": [None, method]})
    _timeline(
        actor, locked, _("Payment instruction prepared: %(amount)s") % {"amount": locked.amount}
    )
    return locked


@transaction.atomic
def instalment_approve(
    *, actor: Any, instalment: Instalment, version: int | None = None
) -> Instalment:
    """A second finance user approves the instruction. Audits `instalment.approved`."""
    locked = _lock(instalment, version, InstalmentStatus.PREPARED)
    if locked.prepared_by_id == getattr(actor, "pk", None):
        raise ValidationFailed(
            _("You prepared this payment: another finance user approves it."),
            code="maker_checker",
        )
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.status = InstalmentStatus.APPROVED
    save_step(locked, "approved_by", "approved_at")
    _audit(
        actor,
        locked,
        "instalment.approved",
        {"status": [InstalmentStatus.PREPARED, InstalmentStatus.APPROVED]},
    )
    _timeline(actor, locked, _("Payment approved: %(amount)s") % {"amount": locked.amount})
    return locked


def spend_commitment(actor: Any, plan: Plan, amount: Decimal) -> None:
    """Turn part of the plan's commitment into spending on its budget line (a payment, goods
    received). The plan is locked before its commitment and line, as plan_approve does: a
    revision approved at the same moment either waits and carries this spending, or goes
    first and the spending is refused (without it, the two lock the commitment and the line
    in opposite orders)."""
    plan_status = Plan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    if plan_status != Status.APPROVED:
        raise ValidationFailed(
            _("The plan was revised: this is done on the plan in force."),
            code="plan_not_in_force",
        )
    commitment = (
        Commitment.objects.select_for_update().filter(plan=plan, released_at__isnull=True).first()
    )
    if commitment is None or commitment.spent + amount > commitment.amount:
        raise ValidationFailed(
            _("The plan's commitment does not cover this amount."), code="not_committed"
        )
    BudgetLine.objects.select_for_update().filter(pk=commitment.budget_line_id).update(
        committed=F("committed") - amount, spent=F("spent") + amount, version=F("version") + 1
    )
    Commitment.objects.filter(pk=commitment.pk).update(spent=F("spent") + amount)
    record(
        actor=actor,
        action="budget_line.spent",
        target=commitment.budget_line,
        case_id=plan.case_id,
        changes={"spent": [None, str(amount)]},
    )


@transaction.atomic
def instalment_pay(
    *, actor: Any, instalment: Instalment, reference: str, version: int | None = None
) -> Instalment:
    """Record the payment with its reference: it spends the plan's commitment on the budget
    line. Paid once: a second request finds it paid (Conflict). Audits `instalment.paid`."""
    locked = _lock(instalment, version, InstalmentStatus.APPROVED)
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise ValidationFailed(_("Give the payment reference."), field="reference")
    spend_commitment(actor, locked.plan, locked.amount)
    locked.reference = reference
    locked.paid_by = actor
    locked.paid_at = timezone.now()
    locked.status = InstalmentStatus.PAID
    try:
        with transaction.atomic():
            save_step(locked, "reference", "paid_by", "paid_at")
    except IntegrityError:
        raise Conflict(_("This reference already pays another instalment.")) from None
    _audit(
        actor,
        locked,
        "instalment.paid",
        {
            "status": [InstalmentStatus.APPROVED, InstalmentStatus.PAID],
            "amount": [None, str(locked.amount)],
        },
    )
    _timeline(actor, locked, _("Instalment paid: %(amount)s") % {"amount": locked.amount})
    measure = locked.measure
    paid = measure.instalments.filter(status=InstalmentStatus.PAID).aggregate(t=Sum("amount"))["t"]
    if paid is not None and paid >= measure.estimated_cost:
        measure_delivered(actor=actor, measure=measure, on=timezone.localdate())
    return locked


@transaction.atomic
def instalment_cancel(
    *, actor: Any, instalment: Instalment, reason: str, version: int | None = None
) -> Instalment:
    """Cancel an instalment not yet paid. Audits `instalment.cancelled`."""
    locked = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__case", "plan__case__person")
        .get(pk=instalment.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(_("This instalment was changed by someone else. Reload and try again."))
    if locked.status in (InstalmentStatus.PAID, InstalmentStatus.CANCELLED):
        raise ValidationFailed(
            _("A paid or cancelled instalment stays as it is."), code="invalid_transition"
        )
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the instalment is cancelled."), field="reason")
    before = locked.status
    locked.cancel_reason = reason.strip()
    locked.status = InstalmentStatus.CANCELLED
    save_step(locked, "cancel_reason")
    _audit(actor, locked, "instalment.cancelled", {"status": [before, InstalmentStatus.CANCELLED]})
    _timeline(
        actor, locked, _("Instalment cancelled: %(milestone)s") % {"milestone": locked.milestone}
    )
    return locked


# The moves a user asks for on an instalment, and the fields each one takes.
INSTALMENT_MOVES: dict[str, tuple[Any, tuple[str, ...]]] = {
    InstalmentStatus.PREPARED: (instalment_prepare, ("method", "payee", "account")),
    InstalmentStatus.APPROVED: (instalment_approve, ()),
    InstalmentStatus.PAID: (instalment_pay, ("reference",)),
    InstalmentStatus.CANCELLED: (instalment_cancel, ("reason",)),
}


def instalment_move(
    *, actor: Any, instalment: Instalment, to: str, version: int | None = None, **fields: Any
) -> Instalment:
    """The step `to` with its own fields (the others are ignored): the page and the API."""
    if to not in INSTALMENT_MOVES:
        raise ValidationFailed(
            _("Move the instalment to PREPARED, APPROVED, PAID or CANCELLED."), field="to"
        )
    step, names = INSTALMENT_MOVES[to]
    given = {name: fields.get(name) or "" for name in names}
    result: Instalment = step(actor=actor, instalment=instalment, version=version, **given)
    return result
