"""Payments at the same moment (PostgreSQL row locks): an instalment is paid once whatever the
number of requests, a reference pays once, and a budget line paid from many plans at once
never goes negative and keeps committed and spent equal to its commitments and payments."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from reintegra.accounts.models import User
from reintegra.audit.models import AuditEvent
from reintegra.core.tests.race import race
from reintegra.finance import services
from reintegra.finance.choices import InstalmentStatus
from reintegra.finance.models import Instalment
from reintegra.finance.tests.conftest import approved_plan, to_pay
from reintegra.plans import services as plans
from reintegra.plans.choices import Status
from reintegra.plans.models import BudgetLine, Commitment, Plan
from reintegra.plans.tests.conftest import line, open_case

ZERO = Decimal(0)


def _pay(instalment_id: int, reference: str, username: str = "finance") -> Callable[[], object]:
    def call() -> object:
        return services.instalment_pay(
            actor=User.objects.get(username=username),
            instalment=Instalment.objects.get(pk=instalment_id),
            reference=reference,
        )

    return call


def _assert_consistent(budget_line: BudgetLine) -> None:
    budget_line.refresh_from_db()
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
    for commitment in Commitment.objects.filter(budget_line=budget_line):
        assert 0 <= commitment.spent <= commitment.amount


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_requests_paying_one_instalment_pay_it_once(users, checker, plan, tamba_line):
    instalment = to_pay(users, checker, plan, "50000")
    tamba_line.refresh_from_db()
    before = (tamba_line.committed, tamba_line.spent, tamba_line.version)

    results = race(
        [
            _pay(instalment.pk, f"OM-{n}", "finance" if n % 2 else "finance.checker")
            for n in range(6)
        ]
    )

    assert results.count("ok") == 1, results
    assert results.count("conflict") == 5, results
    instalment.refresh_from_db()
    assert instalment.status == InstalmentStatus.PAID
    assert instalment.reference == f"OM-{results.index('ok')}"
    assert instalment.version == 4
    tamba_line.refresh_from_db()
    assert tamba_line.committed == before[0] - Decimal("50000")
    assert tamba_line.spent == before[1] + Decimal("50000")
    assert tamba_line.version == before[2] + 1
    assert Commitment.objects.get(plan=plan).spent == Decimal("50000.00")
    assert AuditEvent.objects.filter(action="instalment.paid").count() == 1
    assert AuditEvent.objects.filter(action="budget_line.spent").count() == 1
    _assert_consistent(tamba_line)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_reference_paying_two_instalments_at_once_pays_one(users, checker, plan, tamba_line):
    first = to_pay(users, checker, plan, "50000")
    second = to_pay(users, checker, plan, "30000")

    results = race([_pay(first.pk, "OM-SAME"), _pay(second.pk, "OM-SAME")])

    assert sorted(results) == ["conflict", "ok"], results
    statuses = sorted(
        Instalment.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == [InstalmentStatus.APPROVED, InstalmentStatus.PAID]
    paid = Instalment.objects.get(status=InstalmentStatus.PAID)
    tamba_line.refresh_from_db()
    assert tamba_line.spent == paid.amount
    assert Commitment.objects.get(plan=plan).spent == paid.amount
    assert AuditEvent.objects.filter(action="instalment.paid").count() == 1
    _assert_consistent(tamba_line)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_instalments_of_many_plans_paid_at_once_keep_the_line_consistent(
    users, offices, checker, catalogue
):
    budget = line(users, offices, amount="2000000", code="BL-SHARED")
    plans_ = [approved_plan(users, open_case(users, offices), catalogue, budget) for _ in range(4)]
    instalments = [
        to_pay(users, checker, p, amount) for p in plans_ for amount in ("120000", "80000")
    ]
    budget.refresh_from_db()
    assert (budget.committed, budget.spent) == (Decimal("1200000.00"), ZERO)

    results = race(
        [
            _pay(i.pk, f"OM-{n}", "finance" if n % 2 else "finance.checker")
            for n, i in enumerate(instalments)
        ]
    )

    assert results == ["ok"] * len(instalments), results
    budget.refresh_from_db()
    assert budget.spent == Decimal("800000.00")
    assert budget.committed == Decimal("400000.00")
    assert budget.version == 1 + len(plans_) + len(instalments)
    for p in plans_:
        assert Commitment.objects.get(plan=p).spent == Decimal("200000.00")
    assert AuditEvent.objects.filter(action="budget_line.spent").count() == len(instalments)
    _assert_consistent(budget)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_a_revision_of_its_plan_keeps_the_money_right(
    users, offices, checker, catalogue
):
    """Paying an instalment while a revision of its plan is approved: either the payment goes
    first and the revision carries it, or the revision goes first and the payment is refused
    (the plan is no longer in force). Never an error, never money counted twice."""
    budget = line(users, offices, amount="5000000", code="BL-RACE")
    cm = users["cm.tamba"]
    rounds = []
    for _ in range(6):
        plan = approved_plan(users, open_case(users, offices), catalogue, budget)
        instalment = to_pay(users, checker, plan, "50000")
        revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
        rounds.append((plan, instalment, revision))

    def approve(revision_id: int) -> Callable[[], object]:
        def call() -> object:
            return plans.plan_approve(
                actor=User.objects.get(username="coord.tamba"),
                plan=Plan.objects.get(pk=revision_id),
                budget_line=BudgetLine.objects.get(pk=budget.pk),
            )

        return call

    calls: list[Callable[[], object]] = []
    for n, (_plan, instalment, revision) in enumerate(rounds):
        calls += [_pay(instalment.pk, f"OM-{n}"), approve(revision.pk)]
    results = race(calls)

    for n, (plan, _instalment, revision) in enumerate(rounds):
        paid, approved = results[2 * n], results[2 * n + 1]
        assert approved == "ok", results
        assert paid in ("ok", "plan_not_in_force", "not_committed"), results
        revision.refresh_from_db()
        assert revision.status == Status.APPROVED
        expected = Decimal("50000") if paid == "ok" else ZERO
        assert Commitment.objects.get(plan=plan).spent == expected
        assert Commitment.objects.get(plan=revision).amount == revision.total - expected
    _assert_consistent(budget)
