"""Fixtures for plans: the Annex 3 catalogue, cases at Tambacounda and Kolda, budget lines at
both offices, and helpers that draft, submit and approve a plan through the services.

Personas (DESIGN §9): cm.tamba drafts and submits plans of her Tambacounda cases;
coord.tamba approves them up to the national threshold; coord.national above it; finance keeps
the budget lines; cm.kolda works in Kolda and must not reach Tambacounda plans.
"""

from itertools import count

import pytest

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.cases.tests.conftest import register
from reintegra.plans import services
from reintegra.plans.models import AssistanceType, BudgetLine, Plan

_people = count(1)


def open_case(users, offices, office: str = "TAM", manager: str = "cm.tamba") -> Case:
    """A REGISTERED case at the office, led by the case manager (a new returnee each time)."""
    n = next(_people)
    person = register(
        users[manager],
        offices[office],
        family_name=f"Diallo{n}",
        phone=f"+221 77 100 {n:04d}",
    )
    return cases.case_open(actor=users[manager], person=person, office=offices[office])


def line(
    users, offices, office: str = "TAM", amount: str = "1000000", code: str = ""
) -> BudgetLine:
    """A budget line of `amount` at the office, created by the finance persona."""
    return services.budget_line_create(
        actor=users["finance"],
        office=offices[office],
        code=code or f"BL-{office}-{next(_people)}",
        name=f"Reintegration grants {office}",
        donor="EU Trust Fund",
        amount=amount,
    )


def draft(actor, case: Case, catalogue: dict, *costs: str, code: str = "IGA") -> Plan:
    """A draft plan with one measure of type `code` per cost."""
    plan = services.plan_start(actor=actor, case=case)
    for cost in costs:
        services.measure_add(
            actor=actor, plan=plan, assistance_type=catalogue[code], estimated_cost=cost
        )
    plan.refresh_from_db()
    return plan


def submitted(actor, case: Case, catalogue: dict, *costs: str, code: str = "IGA") -> Plan:
    plan = draft(actor, case, catalogue, *costs, code=code)
    return services.plan_submit(actor=actor, plan=plan)


@pytest.fixture
def catalogue(users) -> dict[str, AssistanceType]:
    """The Annex 3 types by code (loaded by the national coordinator)."""
    services.catalogue_load(actor=users["coord.national"])
    return {t.code: t for t in AssistanceType.objects.all()}


@pytest.fixture
def tamba_case(users, offices) -> Case:
    """A Tambacounda case led by cm.tamba."""
    return open_case(users, offices)


@pytest.fixture
def kolda_case(users, offices) -> Case:
    """A Kolda case led by cm.kolda."""
    return open_case(users, offices, office="KLD", manager="cm.kolda")


@pytest.fixture
def tamba_line(users, offices) -> BudgetLine:
    """1,000,000 at Tambacounda."""
    return line(users, offices, code="BL-TAM")


@pytest.fixture
def kolda_line(users, offices) -> BudgetLine:
    return line(users, offices, office="KLD", code="BL-KLD")


@pytest.fixture
def submitted_plan(users, tamba_case, catalogue) -> Plan:
    """cm.tamba's plan for her case: one income-generating activity of 300,000, submitted."""
    return submitted(users["cm.tamba"], tamba_case, catalogue, "300000")
