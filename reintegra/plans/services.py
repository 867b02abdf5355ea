"""Writes on plans and the programme set-up. Each service validates, saves, adds the plan's
history, the case's timeline event and the audit row in one transaction.

Money: approving a plan commits its total on a budget line (the line's row is locked, and the
database refuses a line below zero), releasing what the plan it revises had committed."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.audit.services import record
from reintegra.cases.choices import EventKind
from reintegra.cases.models import Case
from reintegra.cases.services import case_event_record, case_has_plan_set
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.instruments.choices import SUSTAINABILITY_INSTRUMENT, ResponseStatus
from reintegra.instruments.models import Response
from reintegra.plans.choices import (
    ANNEX3_TYPES,
    EDITABLE,
    IN_PROGRESS,
    Decision,
    DeliveryMode,
    Dimension,
    Status,
)
from reintegra.plans.models import (
    AssistanceType,
    BudgetLine,
    Commitment,
    FeasibleOption,
    Item,
    Measure,
    Plan,
    PlanEvent,
)
from reintegra.plans.permissions import is_national_coordinator, needs_national

SUMMARY_FIELDS = (
    "summary_economic",
    "summary_social",
    "summary_psychosocial",
    "expected_improvement",
    "community_part",
)


# Amounts are stored with 14 digits, 2 of them decimals; quantities with 10.
MONEY_LIMIT = Decimal("1e12")
QUANTITY_LIMIT = Decimal("1e8")


def money(value: Any, field: str, *, positive: bool = False) -> Decimal:
    """An amount from a form or the API: a number ≥ 0 (> 0 when `positive`), two decimals."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Enter an amount."), field=field) from None
    # NaN first: comparing it raises InvalidOperation (a 500 on "NaN" from a form).
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        message = (
            _("Enter an amount above zero.") if positive else _("Enter an amount of zero or more.")
        )
        raise ValidationFailed(message, field=field)
    if amount >= MONEY_LIMIT:
        raise ValidationFailed(_("This amount is too large."), field=field)
    return amount


# --- the catalogue, the grid, budget lines --------------------------------------------------


def _apply(obj: Any, fields: dict[str, Any]) -> dict[str, str]:
    """Set the fields, bump the version and save; return the values before, as text."""
    before = {k: str(getattr(obj, k)) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.version += 1
    obj.save()
    return before


@transaction.atomic
def catalogue_load(*, actor: Any) -> int:
    """Add the Annex 3 types of assistance missing from the catalogue (without ceilings: the
    programme sets its own). Audits `catalogue.loaded`. Returns how many were added."""
    existing = set(AssistanceType.objects.values_list("code", flat=True))
    added = [
        AssistanceType(code=code, dimension=dim, name=str(name), delivery_mode=mode)
        for code, dim, name, mode in ANNEX3_TYPES
        if code not in existing
    ]
    AssistanceType.objects.bulk_create(added)
    if added:
        record(actor=actor, action="catalogue.loaded", changes={"added": [None, len(added)]})
    return len(added)


@transaction.atomic
def assistance_type_save(
    *,
    actor: Any,
    assistance_type: AssistanceType | None = None,
    version: int | None = None,
    **fields: Any,
) -> AssistanceType:
    """Add a type of assistance, or change one (with its version). Audits
    `catalogue.type_saved`."""
    if fields.get("dimension") is not None and fields["dimension"] not in Dimension.values:
        raise ValidationFailed(_("Choose a dimension."), field="dimension")
    if (
        fields.get("delivery_mode") is not None
        and fields["delivery_mode"] not in DeliveryMode.values
    ):
        raise ValidationFailed(_("Choose a delivery mode."), field="delivery_mode")
    if "ceiling" in fields:
        ceiling = fields["ceiling"]
        fields["ceiling"] = (
            None if ceiling in (None, "") else money(ceiling, "ceiling", positive=True)
        )
    if assistance_type is None:
        if not str(fields.get("code", "")).strip() or not str(fields.get("name", "")).strip():
            raise ValidationFailed(_("Give the type a code and a name."), field="code")
        fields["code"] = fields["code"].strip().upper()
        if AssistanceType.objects.filter(code=fields["code"]).exists():
            raise Conflict(_("This code is already in the catalogue."))
        saved = AssistanceType.objects.create(**fields)
        before: dict[str, Any] = {}
    else:
        saved = AssistanceType.objects.select_for_update().get(pk=assistance_type.pk)
        if version is not None and saved.version != version:
            raise StaleVersion(_("This entry was changed by someone else. Reload and try again."))
        before = _apply(saved, fields)
    record(
        actor=actor,
        action="catalogue.type_saved",
        target=saved,
        changes={k: [before.get(k), str(v)] for k, v in fields.items()},
    )
    return saved


@transaction.atomic
def option_save(
    *, actor: Any, option: FeasibleOption | None = None, **fields: Any
) -> FeasibleOption:
    """Add or change a row of the feasibility grid. Audits `feasibility.saved`."""
    if fields.get("dimension", Dimension.ECONOMIC) not in Dimension.values:
        raise ValidationFailed(_("Choose a dimension."), field="dimension")
    if option is None:
        if not str(fields.get("approach", "")).strip():
            raise ValidationFailed(_("Name the approach."), field="approach")
        option = FeasibleOption.objects.create(**fields)
    else:
        _apply(option, fields)
    record(actor=actor, action="feasibility.saved", target=option)
    return option


# What may change on a budget line (its money moves only through commitments and payments).
LINE_FIELDS = frozenset({"name", "donor", "amount", "starts_on", "ends_on", "is_active"})


def _check_dates(starts_on: Any, ends_on: Any) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The line ends before it starts."), field="ends_on")


@transaction.atomic
def budget_line_create(
    *, actor: Any, office: Any, code: str, name: str, donor: str, amount: Any, **fields: Any
) -> BudgetLine:
    """A budget line of a donor or programme at an office. Audits `budget_line.created`."""
    code = (code or "").strip().upper()
    if not code or not (name or "").strip() or not (donor or "").strip():
        raise ValidationFailed(_("A budget line needs a code, a name and a donor."), field="code")
    if len(code) > 32 or len(name.strip()) > 200 or len(donor.strip()) > 200:
        raise ValidationFailed(_("The code, name or donor is too long."), field="code")
    unknown = set(fields) - {"currency", "starts_on", "ends_on", "is_active"}
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))}
        )
    _check_dates(fields.get("starts_on"), fields.get("ends_on"))
    if BudgetLine.objects.filter(code=code).exists():
        raise Conflict(_("A budget line with this code exists already."))
    line = BudgetLine.objects.create(
        office=office,
        code=code,
        name=name.strip(),
        donor=donor.strip(),
        amount=money(amount, "amount"),
        **fields,
    )
    record(
        actor=actor,
        action="budget_line.created",
        target=line,
        changes={"amount": [None, str(line.amount)]},
    )
    return line


@transaction.atomic
def budget_line_update(
    *, actor: Any, line: BudgetLine, version: int | None, **fields: Any
) -> BudgetLine:
    """Change a budget line (its amount never below what is committed and spent). Audits
    `budget_line.updated`."""
    unknown = set(fields) - LINE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))}
        )
    locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This budget line was changed by someone else. Reload and try again."))
    _check_dates(fields.get("starts_on", locked.starts_on), fields.get("ends_on", locked.ends_on))
    if "amount" in fields:
        fields["amount"] = money(fields["amount"], "amount")
        if fields["amount"] < locked.committed + locked.spent:
            raise ValidationFailed(
                _("The amount cannot go below what is committed and spent (%(used)s).")
                % {"used": locked.committed + locked.spent},
                field="amount",
            )
    before = _apply(locked, fields)
    record(
        actor=actor,
        action="budget_line.updated",
        target=locked,
        changes={k: [before[k], str(v)] for k, v in fields.items() if before[k] != str(v)},
    )
    return locked


# --- plans ----------------------------------------------------------------------------------


def _lock(plan: Plan, version: int | None = None) -> Plan:
    locked = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("case", "case__person")
        .get(pk=plan.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(_("This plan was changed by someone else. Reload and try again."))
    return locked


def _log(
    actor: Any,
    plan: Plan,
    decision: str,
    summary: str,
    *,
    comment: str = "",
    amount: Decimal | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """The plan's history, the case's timeline and the audit row of one step."""
    PlanEvent.objects.create(
        plan=plan,
        decision=decision,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
        amount=amount,
        changes=changes or {},
    )
    case_event_record(
        actor=actor,
        case=plan.case,
        kind=EventKind.PLAN,
        summary=summary,
        data={"plan_id": plan.pk, "decision": decision},
    )
    record(
        actor=actor,
        action=f"plan.{decision.lower()}",
        target=plan,
        case_id=plan.case_id,
        person_id=plan.case.person_id,
        changes=changes,
    )


def _editable(plan: Plan, version: int | None) -> Plan:
    locked = _lock(plan, version)
    if locked.status not in EDITABLE:
        raise ValidationFailed(
            _("Only a draft or returned plan can be changed."), code="not_editable"
        )
    return locked


def _retotal(plan: Plan) -> None:
    plan.total = plan.measures.aggregate(t=Sum("estimated_cost"))["t"] or Decimal(0)
    plan.version += 1
    plan.save(update_fields=["total", "version", "updated_at"])


@transaction.atomic
def plan_start(*, actor: Any, case: Case) -> Plan:
    """Draft the case's plan, or a revision of the approved one (its measures and items are
    copied). Audits `plan.drafted`. Conflict when a plan is already being written."""
    locked = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if locked.is_closed:
        raise ValidationFailed(_("A closed case gets no plan."), code="case_closed")
    if locked.plans.filter(status__in=IN_PROGRESS).exists():
        raise Conflict(_("A plan is already being written for this case."))
    current = locked.plans.filter(status=Status.APPROVED).first()
    last = locked.plans.order_by("-revision").values_list("revision", flat=True).first() or 0
    plan = Plan(case=locked, revision=last + 1, previous=current, created_by=actor)
    if current is not None:
        for name in SUMMARY_FIELDS:
            setattr(plan, name, getattr(current, name))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise Conflict(_("A plan is already being written for this case.")) from None
    if current is not None:
        for measure in current.measures.prefetch_related("items"):
            items = list(measure.items.all())
            measure.pk = None
            measure.plan = plan
            measure.save()
            Item.objects.bulk_create(
                [
                    Item(
                        plan=plan,
                        measure=measure,
                        description=i.description,
                        quantity=i.quantity,
                        unit_cost=i.unit_cost,
                    )
                    for i in items
                ]
            )
        for item in current.items.filter(measure__isnull=True):
            Item.objects.create(
                plan=plan,
                description=item.description,
                quantity=item.quantity,
                unit_cost=item.unit_cost,
            )
        _retotal(plan)
    summary = (
        _("Revision %(revision)s of the plan drafted") % {"revision": plan.revision}
        if current
        else _("Reintegration plan drafted")
    )
    plan.case = locked
    _log(actor, plan, Decision.DRAFTED, summary, changes={"revision": [None, plan.revision]})
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, version: int | None = None, **fields: Any) -> Plan:
    """Change the plan's summaries. Audits `plan.updated` with what changed."""
    locked = _editable(plan, version)
    unknown = set(fields) - set(SUMMARY_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))}
        )
    changed = {k: v.strip() for k, v in fields.items() if getattr(locked, k) != v.strip()}
    for key, value in changed.items():
        setattr(locked, key, value)
    if changed:
        locked.version += 1
        locked.save()
        record(
            actor=actor,
            action="plan.updated",
            target=locked,
            case_id=locked.case_id,
            person_id=locked.case.person_id,
            changes={k: ["…", "…"] for k in changed},
        )
    return locked


@transaction.atomic
def measure_add(
    *,
    actor: Any,
    plan: Plan,
    assistance_type: AssistanceType,
    estimated_cost: Any,
    description: str = "",
    delivery_mode: str = "",
    referral_needed: bool = False,
    version: int | None = None,
) -> Measure:
    """Add an assistance measure; refused above the type's ceiling. Audits `plan.measure_added`."""
    locked = _editable(plan, version)
    if not assistance_type.is_active:
        raise ValidationFailed(
            _("This type of assistance is no longer offered."), field="assistance_type"
        )
    cost = money(estimated_cost, "estimated_cost")
    if assistance_type.currency != locked.currency:
        raise ValidationFailed(
            _("This type of assistance is counted in another currency."), field="assistance_type"
        )
    if assistance_type.ceiling is not None and cost > assistance_type.ceiling:
        raise ValidationFailed(
            _("%(type)s is capped at %(ceiling)s %(currency)s.")
            % {
                "type": assistance_type.name,
                "ceiling": assistance_type.ceiling,
                "currency": assistance_type.currency,
            },
            field="estimated_cost",
            code="above_ceiling",
        )
    if locked.total + cost >= MONEY_LIMIT:
        raise ValidationFailed(_("The plan's total would be too large."), field="estimated_cost")
    mode = delivery_mode or assistance_type.delivery_mode
    if mode not in DeliveryMode.values:
        raise ValidationFailed(_("Choose a delivery mode."), field="delivery_mode")
    measure = Measure.objects.create(
        plan=locked,
        assistance_type=assistance_type,
        description=(description or "").strip(),
        estimated_cost=cost,
        delivery_mode=mode,
        referral_needed=referral_needed or mode == DeliveryMode.SERVICE,
    )
    _retotal(locked)
    record(
        actor=actor,
        action="plan.measure_added",
        target=locked,
        case_id=locked.case_id,
        person_id=locked.case.person_id,
        changes={"measure": [None, assistance_type.code], "estimated_cost": [None, str(cost)]},
    )
    return measure


@transaction.atomic
def measure_remove(*, actor: Any, measure: Measure) -> Plan:
    locked = _editable(measure.plan, None)
    code = measure.assistance_type.code
    measure.delete()
    _retotal(locked)
    record(
        actor=actor,
        action="plan.measure_removed",
        target=locked,
        case_id=locked.case_id,
        person_id=locked.case.person_id,
        changes={"measure": [code, None]},
    )
    return locked


@transaction.atomic
def item_add(
    *,
    actor: Any,
    plan: Plan,
    description: str,
    quantity: Any,
    unit_cost: Any,
    measure: Measure | None = None,
) -> Item:
    """Goods or equipment to buy (Annex 3, section 3). Audits `plan.item_added`."""
    locked = _editable(plan, None)
    if not (description or "").strip():
        raise ValidationFailed(_("Describe the item."), field="description")
    if measure is not None and measure.plan_id != locked.pk:
        raise ValidationFailed(_("Choose a measure of this plan."), field="measure")
    count = money(quantity, "quantity", positive=True)
    if count >= QUANTITY_LIMIT:
        raise ValidationFailed(_("This quantity is too large."), field="quantity")
    item = Item.objects.create(
        plan=locked,
        measure=measure,
        description=description.strip(),
        quantity=count,
        unit_cost=money(unit_cost, "unit_cost"),
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    record(
        actor=actor,
        action="plan.item_added",
        target=locked,
        case_id=locked.case_id,
        person_id=locked.case.person_id,
        changes={"item": [None, item.description], "cost": [None, str(item.cost)]},
    )
    return item


@transaction.atomic
def item_remove(*, actor: Any, item: Item) -> Plan:
    locked = _editable(item.plan, None)
    description = item.description
    item.delete()
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    record(
        actor=actor,
        action="plan.item_removed",
        target=locked,
        case_id=locked.case_id,
        person_id=locked.case.person_id,
        changes={"item": [description, None]},
    )
    return locked


def _baseline(case: Case) -> float | None:
    first = (
        Response.objects.filter(
            case=case, instrument__code=SUSTAINABILITY_INSTRUMENT, status=ResponseStatus.SUBMITTED
        )
        .order_by("submitted_at", "id")
        .values_list("composite", flat=True)
        .first()
    )
    return first


@transaction.atomic
def plan_submit(*, actor: Any, plan: Plan, version: int | None = None) -> Plan:
    """Send the plan for approval (it needs at least one measure); the baseline score is
    taken from the case's first sustainability survey. Audits `plan.submitted`."""
    locked = _editable(plan, version)
    if not locked.measures.exists():
        raise ValidationFailed(_("Add at least one assistance measure first."), code="empty_plan")
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.baseline_score = _baseline(locked.case)
    locked.version += 1
    locked.save()
    level = _("national") if needs_national(locked) else _("regional")
    _log(
        actor,
        locked,
        Decision.SUBMITTED,
        _("Plan submitted for %(level)s approval (%(total)s %(currency)s)")
        % {"level": level, "total": locked.total, "currency": locked.currency},
        amount=locked.total,
        changes={"status": [plan.status, Status.SUBMITTED]},
    )
    return locked


@transaction.atomic
def plan_return(*, actor: Any, plan: Plan, comment: str, version: int | None = None) -> Plan:
    """Return a submitted plan to its case manager with a comment. Audits `plan.returned`."""
    locked = _lock(plan, version)
    if locked.status != Status.SUBMITTED:
        raise ValidationFailed(_("Only a submitted plan is returned."), code="invalid_transition")
    if not (comment or "").strip():
        raise ValidationFailed(_("Say what needs to change."), field="comment")
    locked.status = Status.RETURNED
    locked.version += 1
    locked.save()
    _log(
        actor,
        locked,
        Decision.RETURNED,
        _("Plan returned for changes"),
        comment=comment.strip(),
        changes={"status": [Status.SUBMITTED, Status.RETURNED]},
    )
    return locked


def _release(actor: Any, plan: Plan) -> Decimal:
    """Give back what a superseded plan committed and did not spend; return what it spent
    (the revision carries it)."""
    now = timezone.now()
    spent = Decimal(0)
    for commitment in plan.commitments.filter(released_at__isnull=True):
        left = commitment.amount - commitment.spent
        spent += commitment.spent
        BudgetLine.objects.filter(pk=commitment.budget_line_id).update(
            committed=F("committed") - left, version=F("version") + 1
        )
        commitment.released_at = now
        commitment.save(update_fields=["released_at", "updated_at"])
        record(
            actor=actor,
            action="budget_line.released",
            target=commitment.budget_line,
            case_id=plan.case_id,
            changes={"committed": [str(left), "0"]},
        )
    return spent


def _measure_keys(plan: Plan) -> set[str]:
    return {
        f"{m.assistance_type.name} · {m.description} · {m.estimated_cost}".replace(" ·  · ", " · ")
        for m in plan.measures.select_related("assistance_type")
    }


def revision_changes(previous: Plan | None, plan: Plan) -> dict[str, Any]:
    """What a revision changed against the plan it replaces: the total, the measures added and
    removed, the summaries rewritten (kept in the approval's history)."""
    if previous is None:
        return {}
    before, after = _measure_keys(previous), _measure_keys(plan)
    changes: dict[str, Any] = {}
    if previous.total != plan.total:
        changes["total"] = [str(previous.total), str(plan.total)]
    if after - before:
        changes["measures_added"] = sorted(after - before)
    if before - after:
        changes["measures_removed"] = sorted(before - after)
    rewritten = [f for f in SUMMARY_FIELDS if getattr(previous, f) != getattr(plan, f)]
    if rewritten:
        changes["summaries_rewritten"] = rewritten
    return changes


@transaction.atomic
def plan_approve(
    *,
    actor: Any,
    plan: Plan,
    budget_line: BudgetLine,
    version: int | None = None,
    comment: str = "",
) -> Plan:
    """Approve a submitted plan and commit its total on a budget line of the case's office (or
    an office above it). Maker–checker and the national threshold are checked here too. The
    revision it replaces is superseded and its commitment released. Audits `plan.approved`
    and `budget_line.committed`."""
    locked = _lock(plan, version)
    if locked.status != Status.SUBMITTED:
        raise ValidationFailed(_("Only a submitted plan is approved."), code="invalid_transition")
    if locked.case.is_closed:
        raise ValidationFailed(_("The case is closed."), code="case_closed")
    uid = getattr(actor, "pk", None)
    if uid in (locked.created_by_id, locked.submitted_by_id):
        raise ValidationFailed(
            _("You drafted or submitted this plan: another coordinator approves it."),
            code="maker_checker",
        )
    if needs_national(locked) and not is_national_coordinator(actor):
        raise ValidationFailed(
            _("Above %(amount)s a national coordinator approves the plan.")
            % {"amount": settings.REINTEGRA_PLAN_NATIONAL_ABOVE},
            code="needs_national",
        )
    current = (
        locked.case.plans.select_for_update(of=("self",)).filter(status=Status.APPROVED).first()
    )
    # Lock every line this approval moves money on, in id order (no deadlock with another
    # approval moving money the other way).
    moved = {budget_line.pk}
    if current is not None:
        moved |= set(current.commitments.values_list("budget_line_id", flat=True))
    lines = {
        found.pk: found
        for found in BudgetLine.objects.select_for_update()
        .select_related("office")
        .filter(pk__in=moved)
        .order_by("pk")
    }
    line = lines[budget_line.pk]
    if not line.is_active or line.office_id not in locked.case.office.line_ids:
        raise ValidationFailed(
            _("Choose an active budget line of the case's office."), field="budget_line"
        )
    if line.currency != locked.currency:
        raise ValidationFailed(_("The budget line is in another currency."), field="budget_line")
    carried = Decimal(0)
    if current is not None:
        carried = _release(actor, current)
        current.status = Status.SUPERSEDED
        current.version += 1
        current.save()
        _log(
            actor,
            current,
            Decision.SUPERSEDED,
            _("Plan superseded by revision %(revision)s") % {"revision": locked.revision},
        )
        line.refresh_from_db()
    # What the revision it replaces already paid stays spent: commit the rest of the total.
    needed = locked.total - carried
    if needed < 0:
        raise ValidationFailed(
            _("The plan's total is below what was already paid (%(paid)s).") % {"paid": carried},
            code="below_paid",
        )
    if needed > line.available:
        raise ValidationFailed(
            _("The budget line has %(available)s %(currency)s left; the plan needs %(total)s.")
            % {"available": line.available, "currency": line.currency, "total": needed},
            field="budget_line",
            code="insufficient_budget",
        )
    if needed > 0:
        Commitment.objects.create(budget_line=line, plan=locked, amount=needed)
        BudgetLine.objects.filter(pk=line.pk).update(
            committed=F("committed") + needed, version=F("version") + 1
        )
        record(
            actor=actor,
            action="budget_line.committed",
            target=line,
            case_id=locked.case_id,
            changes={"committed": [str(line.committed), str(line.committed + needed)]},
        )
    locked.status = Status.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = actor
    locked.budget_line = line
    locked.version += 1
    locked.save()
    level = _("national") if needs_national(locked) else _("regional")
    _log(
        actor,
        locked,
        Decision.APPROVED,
        _("Plan approved (%(level)s level): %(total)s %(currency)s on %(line)s")
        % {"level": level, "total": locked.total, "currency": locked.currency, "line": line.code},
        comment=(comment or "").strip(),
        amount=locked.total,
        changes={
            "status": [Status.SUBMITTED, Status.APPROVED],
            "budget_line": [None, line.code],
            **revision_changes(current, locked),
        },
    )
    case_has_plan_set(actor=actor, case=locked.case, value=True)
    return locked


@transaction.atomic
def plan_cancel(*, actor: Any, plan: Plan, comment: str = "", version: int | None = None) -> Plan:
    """Drop a plan being written (a draft or a returned plan). Audits `plan.cancelled`."""
    locked = _editable(plan, version)
    locked.status = Status.CANCELLED
    locked.version += 1
    locked.save()
    _log(
        actor, locked, Decision.CANCELLED, _("Plan draft dropped"), comment=(comment or "").strip()
    )
    return locked


@transaction.atomic
def measure_link_referral(*, actor: Any, measure: Measure, referral: Any) -> Measure:
    """The referral that delivers a measure (a service through a referral). Audits
    `plan.referral_linked`."""
    plan = measure.plan
    if plan.status in (Status.SUPERSEDED, Status.CANCELLED):
        raise ValidationFailed(_("This plan is no longer in force."), code="not_in_force")
    if referral.case_id != plan.case_id:
        raise ValidationFailed(_("Choose a referral of this case."), field="referral")
    measure.referral = referral
    measure.save(update_fields=["referral", "updated_at"])
    record(
        actor=actor,
        action="plan.referral_linked",
        target=plan,
        case_id=plan.case_id,
        person_id=plan.case.person_id,
        changes={"referral": [None, referral.reference]},
    )
    return measure


@transaction.atomic
def measure_delivered(*, actor: Any, measure: Measure, on: Any) -> Measure:
    """The measure reached the returnee (the finance services call this: hand-over
    certificate, last instalment paid). Audits `plan.measure_delivered`."""
    if measure.delivered_on is None:
        measure.delivered_on = on
        measure.save(update_fields=["delivered_on", "updated_at"])
        plan = measure.plan
        record(
            actor=actor,
            action="plan.measure_delivered",
            target=plan,
            case_id=plan.case_id,
            person_id=plan.case.person_id,
            changes={
                "measure": [None, measure.assistance_type.code],
                "delivered_on": [None, str(on)],
            },
        )
    return measure
