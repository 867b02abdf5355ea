"""Fixtures for the instrument tests that use the database: the shipped instruments, a case."""

import datetime

import pytest

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.instruments import services
from reintegra.instruments.models import Instrument
from reintegra.people import services as people


@pytest.fixture
def shipped(users) -> dict[str, Instrument]:
    """The six instruments Reintegra ships, uploaded by the M&E officer."""
    services.shipped_load(actor=users["me.officer"])
    return {i.code: i for i in Instrument.objects.select_related("current")}


def open_case(actor, office, given="Moussa", family="Diallo") -> Case:
    person = people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex="M",
        date_of_birth=datetime.date(1995, 3, 2),
    )
    return cases.case_open(actor=actor, person=person, office=office)


@pytest.fixture
def tamba_case(offices, users) -> Case:
    return open_case(users["cm.tamba"], offices["TAM"])


@pytest.fixture
def kolda_case(offices, users) -> Case:
    return open_case(users["cm.kolda"], offices["KLD"], "Binta", "Kandé")


SAT_ITEMS = [
    "sat_return",
    "sat_counselling",
    "sat_economic",
    "sat_social",
    "sat_community",
    "sat_overall",
    "sat_expectations",
]


def satisfaction(case: Case, answer: str = "satisfied", **changes) -> dict:
    """Complete answers to the shipped satisfaction survey."""
    answers = {"case_number": case.number, "survey_date": datetime.date.today().isoformat()}
    answers.update({name: answer for name in SAT_ITEMS})
    answers.update(changes)
    return answers


SCREENING_ITEMS = [
    "ind_health",
    "ind_wellbeing",
    "ind_documents",
    "ind_skills",
    "ind_resources",
    "hh_relations",
    "hh_livelihood",
    "hh_debt",
    "hh_dependants",
    "hh_violence",
    "com_acceptance",
    "com_safety",
    "com_services",
    "com_opportunities",
    "com_support",
    "str_discrimination",
    "str_justice",
    "str_social_protection",
    "str_stability",
]


def screening(case: Case, rating: str = "low", groups=("none",), **changes) -> dict:
    answers = {
        "case_number": case.number,
        "screening_date": datetime.date.today().isoformat(),
        "screening_stage": "on_arrival",
        "at_risk_groups": list(groups),
        "intervention_rating": rating,
    }
    answers.update({name: "protective" for name in SCREENING_ITEMS})
    if rating == "high":
        answers["referral_protection"] = "yes"
    answers.update(changes)
    return answers
