"""The demo's community profiles and projects (loaded on a few cases, not the whole demo)."""

from decimal import Decimal

import pytest

from reintegra.cases.models import CaseEvent
from reintegra.community.models.projects import CommunityProfile, CommunityProject
from reintegra.community.selectors.projects import home_projects, project_visible_to
from reintegra.community.tests.fixtures_projects import open_case
from reintegra.demo.projects import projects_load
from reintegra.plans.models import BudgetLine

pytestmark = pytest.mark.django_db


def test_the_demo_has_profiles_and_projects_in_several_statuses(users, offices):
    for n in range(5):
        open_case(users["cm.tamba"], offices["TAM"], f"Demba{n}", "Sidibé")
        open_case(users["cm.kolda"], offices["KLD"], f"Coumba{n}", "Diallo", sex="F")
    BudgetLine.objects.create(
        code="TAM-EUTF-01", name="T", donor="EU", office=offices["TAM"], amount=Decimal(10**7)
    )
    projects_load(users)
    assert CommunityProfile.objects.count() == 2
    statuses = set(CommunityProject.objects.values_list("status", flat=True))
    assert {"ACTIVE", "PLANNED", "SUSPENDED"} <= statuses
    poultry = CommunityProject.objects.get(title__startswith="Ferme avicole")
    assert poultry.lead.username == "cm.tamba" and poultry.budget_line is not None
    assert {u.username for u in poultry.focal_points.all()} == {
        "fp.comms",
        "fp.protection",
        "me.officer",
    }
    returnees = poultry.participants.filter(kind="RETURNEE")
    assert returnees.count() == 4
    assert all(p.case.office.code == "TAM" for p in returnees)
    assert CaseEvent.objects.filter(kind="COMMUNITY").count() == 7
    assert poultry.indicators.count() == 2 and poultry.reports.count() == 1
    # Each persona's home page has something to show.
    assert home_projects(users["fp.comms"])["mine"]
    assert home_projects(users["cm.kolda"])["mine"]
    assert home_projects(users["coord.national"])["recent"]
    assert home_projects(users["sysadmin"]) is None
    assert not project_visible_to(users["cm.rabat"]).exists()
