"""Approvals at the same moment (PostgreSQL row locks): a budget line is never over-committed,
and a plan is approved once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from reintegra.accounts.models import User
from reintegra.audit.models import AuditEvent
from reintegra.core.errors import ServiceError
from reintegra.plans import services
from reintegra.plans.choices import Status
from reintegra.plans.models import BudgetLine, Commitment, Plan
from reintegra.plans.tests.conftest import line, open_case, submitted


def _approve_all(attempts: list[tuple[str, int, int]]) -> list[str]:
    """Each (username, plan id, line id) approved in its own thread and connection, all
    released at once; returns "ok" or the error code of each."""
    barrier = threading.Barrier(len(attempts))

    def approve(attempt: tuple[str, int, int]) -> str:
        username, plan_id, line_id = attempt
        try:
            actor = User.objects.get(username=username)
            plan = Plan.objects.get(pk=plan_id)
            budget_line = BudgetLine.objects.get(pk=line_id)
            barrier.wait(timeout=30)
            services.plan_approve(actor=actor, plan=plan, budget_line=budget_line)
        except ServiceError as err:
            return err.code
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(approve, attempts))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_never_overcommit_a_budget_line(users, offices, catalogue):
    budget = line(users, offices, amount="1000000")
    costs = ["300000", "250000", "200000", "150000", "100000", "400000", "350000", "50000"]
    plans = [
        submitted(users["cm.tamba"], open_case(users, offices), catalogue, cost) for cost in costs
    ]
    assert sum(p.total for p in plans) > budget.amount

    results = _approve_all([("coord.tamba", p.pk, budget.pk) for p in plans])

    assert set(results) <= {"ok", "insufficient_budget"}
    assert "insufficient_budget" in results and "ok" in results
    budget.refresh_from_db()
    approved = [p for p, r in zip(plans, results, strict=True) if r == "ok"]
    assert {p.pk for p in approved} == set(
        Plan.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)
    )
    committed = sum((p.total for p in approved), Decimal(0))
    assert budget.committed == committed <= budget.amount
    assert budget.available >= 0
    assert budget.version == 1 + len(approved)
    commitments = Commitment.objects.filter(budget_line=budget)
    assert sorted(c.plan_id for c in commitments) == sorted(p.pk for p in approved)
    assert sum(c.amount for c in commitments) == committed
    # Every refusal was a plan the remaining money could not cover when its turn came.
    refused = [p for p, r in zip(plans, results, strict=True) if r != "ok"]
    assert all(p.total > budget.available for p in refused)
    assert Plan.objects.filter(pk__in=[p.pk for p in refused], status=Status.SUBMITTED).count() == (
        len(refused)
    )
    assert AuditEvent.objects.filter(action="budget_line.committed").count() == len(approved)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_one_plan_at_once_approve_it_once(users, offices, catalogue):
    budget = line(users, offices, amount="1000000")
    plan = submitted(users["cm.tamba"], open_case(users, offices), catalogue, "300000")

    results = _approve_all(
        [("coord.tamba", plan.pk, budget.pk), ("coord.national", plan.pk, budget.pk)] * 2
    )

    assert results.count("ok") == 1
    assert results.count("invalid_transition") == 3
    plan.refresh_from_db()
    budget.refresh_from_db()
    assert plan.status == Status.APPROVED
    winner = ["coord.tamba", "coord.national"][results.index("ok") % 2]
    assert plan.approved_by.username == winner
    assert budget.committed == Decimal("300000.00")
    assert Commitment.objects.get().plan_id == plan.pk
    assert AuditEvent.objects.filter(action="plan.approved", target_id=plan.pk).count() == 1
    assert plan.events.filter(decision="APPROVED").count() == 1
