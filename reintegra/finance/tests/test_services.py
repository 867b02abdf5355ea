"""The cash assistance services through the real database: planning instalments of an approved
plan's cash measure, the payment instruction, maker–checker approval, payment (money moves from
committed to spent on the budget line and the plan's commitment), cancelling, stale versions,
and how a revision of the plan carries what was already paid.

Personas (DESIGN §9): cm.tamba plans; `finance` prepares; `finance.checker` (a second finance
user at Dakar) approves; coord.tamba approves plans.
"""

from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.http import Http404

from reintegra.audit.models import AuditEvent
from reintegra.cases.choices import EventKind
from reintegra.cases.models import CaseEvent
from reintegra.cases.permissions import case_access
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.finance import permissions, selectors, services
from reintegra.finance.choices import InstalmentStatus, PaymentMethod
from reintegra.finance.models import Instalment
from reintegra.finance.tests.conftest import (
    approved,
    approved_plan,
    cash_measure,
    planned,
    prepared,
    to_pay,
)
from reintegra.plans import services as plans
from reintegra.plans.choices import Status
from reintegra.plans.models import BudgetLine, Commitment
from reintegra.plans.tests.conftest import draft, line, open_case, submitted

ZERO = Decimal(0)


def audit(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def fresh(obj):
    obj.refresh_from_db()
    return obj


def money(line_: BudgetLine) -> tuple[Decimal, Decimal, int]:
    """(committed, spent, version) of the line as stored."""
    line_ = fresh(line_)
    return line_.committed, line_.spent, line_.version


def pay(users, instalment: Instalment, reference: str = "OM-0001", **kwargs) -> Instalment:
    return services.instalment_pay(
        actor=users["finance"], instalment=instalment, reference=reference, **kwargs
    )


def assert_line_consistent(budget_line: BudgetLine) -> None:
    """The line's committed is what its open commitments have not spent; its spent is what
    the instalments paid; never negative."""
    budget_line = fresh(budget_line)
    open_left = (
        Commitment.objects.filter(budget_line=budget_line, released_at__isnull=True).aggregate(
            t=Sum(F("amount") - F("spent"))
        )["t"]
        or ZERO
    )
    paid = (
        Instalment.objects.filter(
            status=InstalmentStatus.PAID, plan__commitments__budget_line=budget_line
        )
        .distinct()
        .aggregate(t=Sum("amount"))["t"]
        or ZERO
    )
    assert budget_line.committed == open_left
    assert budget_line.spent == paid
    assert budget_line.committed >= 0 and budget_line.spent >= 0
    assert budget_line.amount >= budget_line.committed + budget_line.spent


# --- planning instalments ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_instalment_is_planned_on_the_cash_measure_of_an_approved_plan(users, plan):
    cm = users["cm.tamba"]
    instalment = services.instalment_add(
        actor=cm,
        plan=plan,
        measure=cash_measure(plan),
        amount="75000.50",
        milestone="  Business registered  ",
        due_on="2026-03-01",
    )
    instalment = fresh(instalment)
    assert instalment.status == InstalmentStatus.PLANNED
    assert instalment.amount == Decimal("75000.50")
    assert instalment.milestone == "Business registered"
    assert str(instalment.due_on) == "2026-03-01"
    assert instalment.created_by == cm and instalment.version == 1
    assert (instalment.method, instalment.payee, instalment.reference) == ("", "", "")

    events = audit("instalment.planned", target_id=instalment.pk)
    assert len(events) == 1
    assert events[0].case_id == plan.case_id and events[0].person_id == plan.case.person_id
    assert events[0].changes == {"amount": [None, "75000.50"]}
    assert events[0].actor_id == cm.pk
    timeline = CaseEvent.objects.filter(case=plan.case, data__instalment_id=instalment.pk).get()
    assert (timeline.kind, timeline.tier) == (EventKind.PLAN, "FINANCE")


@pytest.mark.django_db
def test_instalments_are_planned_only_on_an_approved_plan(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    plan = submitted(cm, tamba_case, catalogue, "200000", code="CASH")
    with pytest.raises(ValidationFailed) as err:
        services.instalment_add(
            actor=cm, plan=plan, measure=cash_measure(plan), amount="1000", milestone="Arrival"
        )
    assert err.value.code == "not_approved"
    assert not Instalment.objects.exists()
    assert not audit("instalment.planned")


@pytest.mark.django_db
def test_a_superseded_plan_gets_no_new_instalment(users, plan, tamba_line):
    revision = plans.plan_submit(
        actor=users["cm.tamba"], plan=plans.plan_start(actor=users["cm.tamba"], case=plan.case)
    )
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    assert fresh(plan).status == Status.SUPERSEDED
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan)
    assert err.value.code == "not_approved"


@pytest.mark.django_db
def test_instalments_are_planned_only_on_a_cash_measure_of_the_plan(
    users, offices, plan, catalogue
):
    cm = users["cm.tamba"]
    in_kind = plan.measures.get(delivery_mode="IN_KIND")
    with pytest.raises(ValidationFailed) as err:
        services.instalment_add(
            actor=cm, plan=plan, measure=in_kind, amount="1000", milestone="Arrival"
        )
    assert err.value.field == "measure"

    other = open_case(users, offices)
    other_plan = draft(cm, other, catalogue, "5000", code="CASH")
    with pytest.raises(ValidationFailed) as err:
        services.instalment_add(
            actor=cm,
            plan=plan,
            measure=cash_measure(other_plan),
            amount="1000",
            milestone="Arrival",
        )
    assert err.value.field == "measure"
    assert not Instalment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("milestone", ["", "   "])
def test_an_instalment_names_its_milestone(users, plan, milestone):
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan, milestone=milestone)
    assert err.value.field == "milestone"


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", "Infinity", "", None, "1e13"])
def test_an_instalment_has_an_amount_above_zero(users, plan, amount):
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan, amount=amount)
    assert err.value.field == "amount"
    assert not Instalment.objects.exists()


@pytest.mark.django_db
def test_the_instalments_of_a_measure_never_exceed_its_cost(users, plan):
    first = planned(users, plan, "120000")
    planned(users, plan, "80000", milestone="Three months")  # exactly the cost: 200,000
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan, "0.01", milestone="One more")
    assert err.value.code == "above_measure" and err.value.field == "amount"
    assert Instalment.objects.count() == 2

    # A cancelled instalment gives its share back.
    services.instalment_cancel(actor=users["cm.tamba"], instalment=first, reason="Merged")
    planned(users, plan, "120000", milestone="Business registered")
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan, "1", milestone="One more")
    assert err.value.code == "above_measure"


@pytest.mark.django_db
def test_a_single_instalment_above_the_measure_is_refused(users, plan):
    with pytest.raises(ValidationFailed) as err:
        planned(users, plan, "200000.01")
    assert err.value.code == "above_measure"


# --- the payment instruction ------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_prepares_the_payment_instruction(users, plan):
    instalment = planned(users, plan)
    done = services.instalment_prepare(
        actor=users["finance"],
        instalment=instalment,
        method=PaymentMethod.MOBILE_MONEY,
        payee="  Moussa Diallo ",
        account=" +221 77 100 0001 ",
        version=instalment.version,
    )
    done = fresh(done)
    assert done.status == InstalmentStatus.PREPARED and done.version == 2
    assert (done.method, done.payee, done.account) == (
        "MOBILE_MONEY",
        "Moussa Diallo",
        "+221 77 100 0001",
    )
    assert done.prepared_by == users["finance"] and done.prepared_at is not None
    events = audit("instalment.prepared", target_id=done.pk)
    assert len(events) == 1 and events[0].changes == {"method": [None, "MOBILE_MONEY"]}
    assert events[0].actor_id == users["finance"].pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "payee", "account", "field"),
    [
        ("", "Moussa Diallo", "+221 77 100 0001", "method"),
        ("CHEQUE", "Moussa Diallo", "+221 77 100 0001", "method"),
        ("MOBILE_MONEY", "", "+221 77 100 0001", "payee"),
        ("MOBILE_MONEY", "   ", "+221 77 100 0001", "payee"),
        ("MOBILE_MONEY", "Moussa Diallo", "", "account"),
        ("BANK", "Moussa Diallo", "  ", "account"),
    ],
)
def test_the_instruction_needs_a_method_a_payee_and_an_account(
    users, plan, method, payee, account, field
):
    instalment = planned(users, plan)
    with pytest.raises(ValidationFailed) as err:
        services.instalment_prepare(
            actor=users["finance"],
            instalment=instalment,
            method=method,
            payee=payee,
            account=account,
        )
    assert err.value.field == field
    instalment = fresh(instalment)
    assert (instalment.status, instalment.version) == (InstalmentStatus.PLANNED, 1)
    assert not audit("instalment.prepared")


@pytest.mark.django_db
def test_cash_in_hand_needs_no_account(users, plan):
    done = services.instalment_prepare(
        actor=users["finance"],
        instalment=planned(users, plan),
        method=PaymentMethod.CASH,
        payee="Moussa Diallo",
    )
    assert fresh(done).status == InstalmentStatus.PREPARED and done.account == ""


@pytest.mark.django_db
def test_the_preparer_cannot_approve_a_second_finance_user_does(users, checker, plan):
    instalment = prepared(users, planned(users, plan))
    with pytest.raises(ValidationFailed) as err:
        services.instalment_approve(actor=users["finance"], instalment=instalment)
    assert err.value.code == "maker_checker"
    assert fresh(instalment).status == InstalmentStatus.PREPARED
    assert not audit("instalment.approved")

    done = services.instalment_approve(
        actor=checker, instalment=instalment, version=instalment.version
    )
    done = fresh(done)
    assert done.status == InstalmentStatus.APPROVED and done.version == 3
    assert done.approved_by == checker and done.approved_at is not None
    assert done.prepared_by == users["finance"]
    events = audit("instalment.approved", target_id=done.pk)
    assert len(events) == 1 and events[0].actor_id == checker.pk


@pytest.mark.django_db
def test_steps_out_of_order_are_invalid_transitions(users, checker, plan):
    instalment = planned(users, plan)
    with pytest.raises(ValidationFailed) as err:
        services.instalment_approve(actor=checker, instalment=instalment)
    assert err.value.code == "invalid_transition"
    with pytest.raises(ValidationFailed) as err:
        pay(users, instalment)
    assert err.value.code == "invalid_transition"

    instalment = prepared(users, instalment)
    with pytest.raises(ValidationFailed) as err:
        prepared(users, instalment)
    assert err.value.code == "invalid_transition"
    with pytest.raises(ValidationFailed) as err:
        pay(users, instalment)
    assert err.value.code == "invalid_transition"
    assert fresh(instalment).status == InstalmentStatus.PREPARED


# --- paying -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["", "   ", "x" * 101])
def test_paying_needs_a_reference(users, checker, plan, tamba_line, reference):
    instalment = to_pay(users, checker, plan)
    before = money(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        pay(users, instalment, reference=reference)
    assert err.value.field == "reference"
    assert fresh(instalment).status == InstalmentStatus.APPROVED
    assert money(tamba_line) == before
    assert Commitment.objects.get(plan=plan).spent == 0


@pytest.mark.django_db
def test_paying_moves_the_money_from_committed_to_spent(users, checker, plan, tamba_line):
    assert money(tamba_line)[:2] == (Decimal("300000.00"), ZERO)
    instalment = to_pay(users, checker, plan, "50000")
    version = fresh(tamba_line).version

    done = pay(users, instalment, reference=" OM-778899 ", version=instalment.version)

    done = fresh(done)
    assert done.status == InstalmentStatus.PAID and done.reference == "OM-778899"
    assert done.paid_by == users["finance"] and done.paid_at is not None
    assert done.version == 4
    committed, spent, new_version = money(tamba_line)
    assert (committed, spent) == (Decimal("250000.00"), Decimal("50000.00"))
    assert new_version == version + 1
    commitment = Commitment.objects.get(plan=plan)
    assert (commitment.amount, commitment.spent) == (Decimal("300000.00"), Decimal("50000.00"))
    assert_line_consistent(tamba_line)

    paid = audit("instalment.paid", target_id=done.pk)
    assert len(paid) == 1 and paid[0].changes == {
        "status": ["APPROVED", "PAID"],
        "amount": [None, "50000.00"],
    }
    spent_events = audit("budget_line.spent", target_id=tamba_line.pk)
    assert len(spent_events) == 1 and spent_events[0].case_id == plan.case_id
    assert spent_events[0].changes == {"spent": [None, "50000.00"]}
    assert CaseEvent.objects.filter(
        case=plan.case, data__instalment_id=done.pk, data__status="PAID"
    ).exists()


@pytest.mark.django_db
def test_the_whole_trail_is_audited(users, checker, plan):
    done = pay(users, to_pay(users, checker, plan))
    actions = list(
        AuditEvent.objects.filter(target_type="instalment", target_id=done.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "instalment.planned",
        "instalment.prepared",
        "instalment.approved",
        "instalment.paid",
    ]
    assert len(audit("budget_line.spent")) == 1


@pytest.mark.django_db
def test_paying_twice_is_a_conflict_and_moves_the_money_once(users, checker, plan, tamba_line):
    instalment = to_pay(users, checker, plan, "50000")
    pay(users, instalment, reference="OM-1")
    after_first = money(tamba_line)

    with pytest.raises(Conflict) as err:
        pay(users, instalment, reference="OM-2")
    assert err.value.status == 409 and "already paid" in err.value.message
    # With the paid instalment's version too: it is paid, whatever the caller thinks.
    with pytest.raises(Conflict):
        pay(users, instalment, reference="OM-2", version=fresh(instalment).version)

    assert money(tamba_line) == after_first
    assert fresh(instalment).reference == "OM-1"
    assert Commitment.objects.get(plan=plan).spent == Decimal("50000.00")
    assert len(audit("instalment.paid")) == 1 and len(audit("budget_line.spent")) == 1


@pytest.mark.django_db
def test_one_reference_pays_one_instalment_per_method(users, checker, plan, tamba_line):
    first = to_pay(users, checker, plan, "50000")
    second = to_pay(users, checker, plan, "30000")
    pay(users, first, reference="OM-42")
    before = money(tamba_line)

    with pytest.raises(Conflict) as err:
        pay(users, second, reference="OM-42")
    assert "reference" in err.value.message
    second = fresh(second)
    assert (second.status, second.reference, second.paid_by) == (
        InstalmentStatus.APPROVED,
        "",
        None,
    )
    assert money(tamba_line) == before
    assert Commitment.objects.get(plan=plan).spent == Decimal("50000.00")
    assert len(audit("instalment.paid")) == 1

    # The same reference through another payment method is another payment.
    third = services.instalment_approve(
        actor=checker,
        instalment=services.instalment_prepare(
            actor=users["finance"],
            instalment=planned(users, plan, "10000"),
            method=PaymentMethod.BANK,
            payee="Moussa Diallo",
            account="SN012 01001 000123456789 12",
        ),
    )
    pay(users, third, reference="OM-42")
    pay(users, second, reference="OM-43")
    assert money(tamba_line)[:2] == (Decimal("210000.00"), Decimal("90000.00"))
    assert_line_consistent(tamba_line)


@pytest.mark.django_db
def test_an_instalment_of_a_superseded_plan_is_not_paid(users, checker, plan, tamba_line):
    instalment = to_pay(users, checker, plan, "50000")
    revision = plans.plan_submit(
        actor=users["cm.tamba"], plan=plans.plan_start(actor=users["cm.tamba"], case=plan.case)
    )
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    before = money(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        pay(users, instalment)
    assert err.value.code == "plan_not_in_force"
    assert fresh(instalment).status == InstalmentStatus.APPROVED
    assert money(tamba_line) == before


@pytest.mark.django_db
def test_a_payment_the_commitment_does_not_cover_is_refused(
    users, checker, plan, tamba_line, catalogue
):
    """After a revision, the commitment is the revision's total less what was paid: the
    revision's instalments cannot spend more than that."""
    pay(users, to_pay(users, checker, plan, "150000"))
    cm = users["cm.tamba"]
    revision = plans.plan_start(actor=cm, case=plan.case)
    plans.measure_remove(actor=cm, measure=revision.measures.get(delivery_mode="IN_KIND"))
    revision = plans.plan_submit(actor=cm, plan=revision)
    revision = plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    assert Commitment.objects.get(plan=revision).amount == Decimal("50000.00")

    instalment = to_pay(users, checker, revision, "60000")
    before = money(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        pay(users, instalment)
    assert err.value.code == "not_committed"
    assert fresh(instalment).status == InstalmentStatus.APPROVED
    assert money(tamba_line) == before
    assert_line_consistent(tamba_line)


# --- cancelling -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["planned", "prepared", "approved"])
def test_an_instalment_not_yet_paid_is_cancelled_with_a_reason(
    users, checker, plan, tamba_line, step
):
    instalment = planned(users, plan)
    if step in ("prepared", "approved"):
        instalment = prepared(users, instalment)
    if step == "approved":
        instalment = services.instalment_approve(actor=checker, instalment=instalment)
    before = money(tamba_line)
    status = fresh(instalment).status

    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as err:
            services.instalment_cancel(actor=users["finance"], instalment=instalment, reason=reason)
        assert err.value.field == "reason"
    assert fresh(instalment).status == status

    done = services.instalment_cancel(
        actor=users["finance"],
        instalment=instalment,
        reason=" The returnee moved to Dakar ",
        version=fresh(instalment).version,
    )
    done = fresh(done)
    assert done.status == InstalmentStatus.CANCELLED
    assert done.cancel_reason == "The returnee moved to Dakar"
    events = audit("instalment.cancelled", target_id=done.pk)
    assert len(events) == 1 and events[0].changes == {"status": [status, "CANCELLED"]}
    assert money(tamba_line)[:2] == before[:2]


@pytest.mark.django_db
def test_a_paid_or_cancelled_instalment_is_not_cancelled(users, checker, plan, tamba_line):
    paid = pay(users, to_pay(users, checker, plan))
    before = money(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        services.instalment_cancel(actor=users["finance"], instalment=paid, reason="Mistake")
    assert err.value.code == "invalid_transition"
    paid = fresh(paid)
    assert paid.status == InstalmentStatus.PAID and paid.cancel_reason == ""
    assert money(tamba_line) == before

    cancelled = services.instalment_cancel(
        actor=users["cm.tamba"], instalment=planned(users, plan), reason="Not needed"
    )
    with pytest.raises(ValidationFailed) as err:
        services.instalment_cancel(actor=users["finance"], instalment=cancelled, reason="Again")
    assert err.value.code == "invalid_transition"
    with pytest.raises(ValidationFailed) as err:
        prepared(users, cancelled)
    assert err.value.code == "invalid_transition"
    assert len(audit("instalment.cancelled")) == 1


# --- stale versions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(users, checker, plan, tamba_line):
    instalment = planned(users, plan)
    stale = instalment.version + 1

    def unchanged(expected_status: str, expected_version: int) -> None:
        current = fresh(instalment)
        assert (current.status, current.version) == (expected_status, expected_version)

    with pytest.raises(StaleVersion):
        services.instalment_prepare(
            actor=users["finance"],
            instalment=instalment,
            method=PaymentMethod.CASH,
            payee="Moussa Diallo",
            version=stale,
        )
    unchanged(InstalmentStatus.PLANNED, 1)
    with pytest.raises(StaleVersion):
        services.instalment_cancel(
            actor=users["finance"], instalment=instalment, reason="x", version=0
        )
    unchanged(InstalmentStatus.PLANNED, 1)

    prepared(users, instalment)
    with pytest.raises(StaleVersion):
        services.instalment_approve(actor=checker, instalment=instalment, version=1)
    unchanged(InstalmentStatus.PREPARED, 2)

    services.instalment_approve(actor=checker, instalment=instalment, version=2)
    before = money(tamba_line)
    with pytest.raises(StaleVersion) as err:
        pay(users, instalment, version=2)
    assert err.value.status == 409 and err.value.code == "stale_version"
    unchanged(InstalmentStatus.APPROVED, 3)
    assert money(tamba_line) == before
    assert Commitment.objects.get(plan=plan).spent == 0
    assert not audit("instalment.paid") and not audit("budget_line.spent")


# --- a revision of the plan carries what was paid ---------------------------------------------


@pytest.mark.django_db
def test_a_revision_commits_its_total_less_what_was_already_paid(
    users, checker, plan, tamba_line, catalogue
):
    pay(users, to_pay(users, checker, plan, "50000"), reference="OM-1")
    pay(users, to_pay(users, checker, plan, "30000"), reference="OM-2")
    to_pay(users, checker, plan, "20000")  # approved, never paid
    assert money(tamba_line)[:2] == (Decimal("220000.00"), Decimal("80000.00"))

    cm = users["cm.tamba"]
    revision = plans.plan_start(actor=cm, case=plan.case)
    plans.measure_add(
        actor=cm, plan=revision, assistance_type=catalogue["BASIC_NEEDS"], estimated_cost="40000"
    )
    revision = plans.plan_submit(actor=cm, plan=fresh(revision))
    assert revision.total == Decimal("340000.00")
    revision = plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)

    old = Commitment.objects.get(plan=plan)
    assert old.released_at is not None and old.spent == Decimal("80000.00")
    new = Commitment.objects.get(plan=revision)
    assert new.released_at is None
    assert new.amount == revision.total - Decimal("80000.00") == Decimal("260000.00")
    assert new.spent == 0
    committed, spent, _version = money(tamba_line)
    assert (committed, spent) == (Decimal("260000.00"), Decimal("80000.00"))
    assert_line_consistent(tamba_line)
    released = audit("budget_line.released", target_id=tamba_line.pk)
    assert released[-1].changes == {"committed": ["220000.00", "0"]}

    # The revision's instalments spend its commitment; the line stays consistent.
    pay(users, to_pay(users, checker, revision, "100000"), reference="OM-3")
    assert money(tamba_line)[:2] == (Decimal("160000.00"), Decimal("180000.00"))
    assert Commitment.objects.get(plan=revision).spent == Decimal("100000.00")
    assert_line_consistent(tamba_line)


@pytest.mark.django_db
def test_a_revision_on_another_line_carries_what_was_paid(
    users, checker, plan, tamba_line, offices
):
    pay(users, to_pay(users, checker, plan, "50000"))
    other = line(users, offices, office="DKR", amount="500000", code="BL-DKR")
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    revision = plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=other)

    assert money(tamba_line)[:2] == (ZERO, Decimal("50000.00"))
    assert money(other)[:2] == (Decimal("250000.00"), ZERO)
    assert Commitment.objects.get(plan=revision).amount == Decimal("250000.00")
    assert_line_consistent(tamba_line)
    assert_line_consistent(other)


@pytest.mark.django_db
def test_a_revision_below_what_was_paid_is_refused(users, checker, plan, tamba_line):
    pay(users, to_pay(users, checker, plan, "150000"))
    cm = users["cm.tamba"]
    revision = plans.plan_start(actor=cm, case=plan.case)
    plans.measure_remove(actor=cm, measure=revision.measures.get(delivery_mode="CASH"))
    revision = plans.plan_submit(actor=cm, plan=revision)
    assert revision.total == Decimal("100000.00")
    before = money(tamba_line)

    with pytest.raises(ValidationFailed) as err:
        plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    assert err.value.code == "below_paid"

    # Nothing moved: the plan in force stays, its commitment is open, the revision waits.
    assert money(tamba_line) == before
    assert fresh(plan).status == Status.APPROVED
    assert fresh(revision).status == Status.SUBMITTED
    commitment = Commitment.objects.get(plan=plan)
    assert commitment.released_at is None and commitment.spent == Decimal("150000.00")
    assert not Commitment.objects.filter(plan=revision).exists()
    assert not audit("budget_line.released")
    assert_line_consistent(tamba_line)


@pytest.mark.django_db
def test_a_revision_equal_to_what_was_paid_commits_nothing_more(
    users, checker, tamba_case, catalogue, tamba_line
):
    plan = approved_plan(users, tamba_case, catalogue, tamba_line, ("CASH", "100000"))
    pay(users, to_pay(users, checker, plan, "100000"))
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    revision = plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    assert revision.status == Status.APPROVED
    assert not Commitment.objects.filter(plan=revision).exists()
    assert money(tamba_line)[:2] == (ZERO, Decimal("100000.00"))
    assert_line_consistent(tamba_line)


# --- permissions and selectors ----------------------------------------------------------------


@pytest.mark.django_db
def test_who_plans_and_moves_instalments(users, checker, plan):
    cm, finance, coord = users["cm.tamba"], users["finance"], users["coord.tamba"]
    case = plan.case
    assert permissions.can_view_payments(finance) and permissions.can_view_payments(coord)
    assert permissions.can_view_payments(checker)
    assert not permissions.can_view_payments(cm)
    assert not permissions.can_view_payments(users["me.officer"])

    assert permissions.can_plan_instalments(case_access(cm, case), plan)
    assert not permissions.can_plan_instalments(case_access(finance, case), plan)
    assert not permissions.can_plan_instalments(case_access(coord, case), plan)

    instalment = planned(users, plan)
    for user in (finance, checker):
        assert permissions.can_move(user, case_access(user, case), instalment, "PREPARED")
    assert not permissions.can_move(cm, case_access(cm, case), instalment, "PREPARED")
    assert not permissions.can_move(coord, case_access(coord, case), instalment, "PREPARED")
    assert permissions.can_move(cm, case_access(cm, case), instalment, "CANCELLED")
    assert not permissions.can_move(finance, case_access(finance, case), instalment, "PAID")

    instalment = prepared(users, instalment)
    assert not permissions.can_move(finance, case_access(finance, case), instalment, "APPROVED")
    assert permissions.can_move(checker, case_access(checker, case), instalment, "APPROVED")
    assert not permissions.can_move(cm, case_access(cm, case), instalment, "CANCELLED")
    assert permissions.can_move(finance, case_access(finance, case), instalment, "CANCELLED")

    instalment = services.instalment_approve(actor=checker, instalment=instalment)
    assert permissions.can_move(finance, case_access(finance, case), instalment, "PAID")
    instalment = pay(users, instalment)
    for to in ("PREPARED", "APPROVED", "PAID", "CANCELLED"):
        assert not permissions.can_move(finance, case_access(finance, case), instalment, to)


@pytest.mark.django_db
def test_the_payment_steps_list_what_waits_for_each_step(users, checker, plan, kolda_plan):
    a = planned(users, plan, "10000", milestone="A")
    b = prepared(users, planned(users, plan, "10000", milestone="B"))
    c = approved(users, checker, planned(users, plan, "10000", milestone="C"))
    d = pay(users, approved(users, checker, planned(users, plan, "10000", milestone="D")))
    k = planned(users, kolda_plan, "10000", milestone="K")

    def ids(user, **kwargs) -> set[int]:
        return {i.pk for i in selectors.instalment_list(user, **kwargs)}

    finance = users["finance"]
    assert ids(finance, step="to_prepare") == {a.pk, k.pk}
    assert ids(finance, step="to_approve") == {b.pk}
    assert ids(finance, step="to_pay") == {c.pk}
    assert ids(finance, step="paid") == {d.pk}
    assert ids(finance) == {a.pk, b.pk, c.pk, d.pk, k.pk}
    assert ids(finance, plan=kolda_plan) == {k.pk}
    # Scope: Tambacounda users do not reach Kolda; cm.kolda reaches only her case.
    assert ids(users["coord.tamba"]) == {a.pk, b.pk, c.pk, d.pk}
    assert ids(users["cm.tamba"]) == {a.pk, b.pk, c.pk, d.pk}
    assert ids(users["cm.kolda"]) == {k.pk}
    assert ids(users["fp.medical"]) == set() and ids(users["fp.comms"]) == set()

    found, access = selectors.instalment_get_for_user(finance, k.pk)
    assert found == k and access.case == kolda_plan.case
    for bad in (k.pk, "abc", None, 10**30):
        with pytest.raises(Http404):
            selectors.instalment_get_for_user(users["cm.tamba"], bad)
    assert [i.pk for i in selectors.plan_instalments(plan)] == [a.pk, b.pk, c.pk, d.pk]
