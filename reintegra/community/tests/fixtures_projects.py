"""Fixtures of the projects tests: a Tambacounda profile and project (led by cm.tamba, with the
communication, protection and M&E focal points assigned), a Kolda project (led by cm.kolda, no
focal point) and returnees' cases at both offices."""

import datetime

import pytest

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.community.models.projects import CommunityProfile, CommunityProject
from reintegra.community.services import projects as services
from reintegra.people import services as people


def open_case(actor, office, given: str, family: str, sex: str = "M") -> Case:
    person = people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex=sex,
        date_of_birth=datetime.date(1998, 5, 4),
        region=office.name,
    )
    return cases.case_open(actor=actor, person=person, office=office)


@pytest.fixture
def tamba_case(users, offices) -> Case:
    """cm.tamba's returnee at Tambacounda."""
    return open_case(users["cm.tamba"], offices["TAM"], "Lamine", "Cissokho")


@pytest.fixture
def kolda_case(users, offices) -> Case:
    """cm.kolda's returnee at Kolda."""
    return open_case(users["cm.kolda"], offices["KLD"], "Binta", "Mballo", sex="F")


@pytest.fixture
def profile(users, offices) -> CommunityProfile:
    return services.profile_create(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        community="Koussanar",
        region="Tambacounda",
        department="Tambacounda",
        commune="Koussanar",
        profiled_on=datetime.date.today() - datetime.timedelta(days=30),
        returnees_count=12,
        non_migrants_count=20,
        participants_notes="Village chief, women's group",
        needs="Water for market gardens",
    )


@pytest.fixture
def project(users, offices, profile) -> CommunityProject:
    return services.project_create(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        title="Ferme avicole de Koussanar",
        approach="COLLECTIVE",
        dimensions=["ECONOMIC", "SOCIAL"],
        region="Tambacounda",
        commune="Koussanar",
        profile=profile,
        lead=users["cm.tamba"],
        focal_points=[users["fp.comms"], users["fp.protection"], users["me.officer"]],
    )


@pytest.fixture
def kolda_project(users, offices) -> CommunityProject:
    return services.project_create(
        actor=users["cm.kolda"],
        office=offices["KLD"],
        title="Périmètre maraîcher de Médina Yoro Foulah",
        approach="INCLUSION",
        dimensions=["ECONOMIC"],
        region="Kolda",
        lead=users["cm.kolda"],
    )


def profile_xlsform() -> bytes:
    """A small `community_profile` instrument: counts, who took part, the findings (drivers of
    migration as a multiple choice)."""
    from reintegra.instruments.xlsform import build_xlsform

    return build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "required", "constraint"],
                ["integer", "returnees_count", "Returnees taking part", "yes", ". >= 0"],
                ["integer", "non_migrants_count", "Non-migrants taking part", "yes", ". >= 0"],
                ["text", "participants_notes", "Who took part", "", ""],
                ["text", "needs", "Needs", "yes", ""],
                ["text", "resources", "Resources", "", ""],
                ["text", "impact_of_returns", "Impact of returns", "", ""],
                ["select_multiple drivers", "migration_drivers", "Drivers of migration", "", ""],
                ["text", "reintegration_barriers", "Barriers to reintegration", "", ""],
                ["text", "resilience_sources", "Sources of resilience", "", ""],
                ["text", "water_points", "Water points in the community", "", ""],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["drivers", "work", "No work in the dry season"],
                ["drivers", "harvest", "Poor harvests"],
                ["drivers", "family", "Family pressure"],
            ],
            "settings": [["form_id", "form_title"], ["community_profile", "Community profile"]],
        }
    )


@pytest.fixture
def profile_instrument(users):
    """The programme's community profile instrument, uploaded by the national coordinator."""
    from reintegra.instruments import services as instruments

    return instruments.instrument_upload(
        actor=users["coord.national"],
        data=profile_xlsform(),
        filename="community_profile.xlsx",
        kind="SURVEY",
    )
