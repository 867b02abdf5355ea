"""The community profile instrument Reintegra ships (`community_profile.xlsx`) fills a
community profile: its counts, who took part and the six findings."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from reintegra.community.models.projects import PROFILE_FINDINGS, CommunityProfile
from reintegra.community.selectors.projects import profile_instrument
from reintegra.community.services import projects as services
from reintegra.community.tests.fixtures_projects import open_case
from reintegra.core.errors import ValidationFailed
from reintegra.instruments import services as instruments

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ANSWERS = {
    "returnees_count": 9,
    "non_migrants_count": 31,
    "participant_groups_main": ["returnees", "women"],
    "participants_notes": "Village chief, women's group",
    "needs_main": ["water", "jobs"],
    "needs": "Water for market gardens",
    "resources": "Communal land near the borehole",
    "impact_of_returns": "Families hosting returnees spend more",
    "migration_drivers_main": ["no_work", "poor_harvests"],
    "migration_drivers": "Poor harvests, no work in the dry season",
    "reintegration_barriers_main": ["debt"],
    "reintegration_barriers": "Debts for the journey",
    "resilience_sources": "The tontine",
    "project_idea": "yes",
    "project_idea_notes": "A market garden",
}


@pytest.fixture
def shipped_profile(users):
    instruments.shipped_load(actor=users["me.officer"])
    version = profile_instrument()
    assert version is not None and version.instrument.code == "community_profile"
    return version


def test_the_shipped_instrument_fills_every_field_of_the_profile(shipped_profile, users, offices):
    profile = services.profile_create(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        community="Koussanar",
        region="Tambacounda",
        department="Tambacounda",
        commune="Koussanar",
        profiled_on=TODAY,
        instrument_version=shipped_profile,
        answers=ANSWERS,
    )
    assert profile.returnees_count == 9 and profile.non_migrants_count == 31
    assert profile.participants_notes == "Village chief, women's group"
    for name in PROFILE_FINDINGS:
        assert getattr(profile, name) == ANSWERS[name], name
    assert profile.answers["needs_main"] == ["water", "jobs"]
    assert profile.answers["project_idea_notes"] == "A market garden"


def test_the_counts_and_the_needs_are_required(shipped_profile, users, offices):
    with pytest.raises(ValidationFailed) as err:
        services.profile_create(
            actor=users["cm.tamba"],
            office=offices["TAM"],
            community="Koussanar",
            region="Tambacounda",
            profiled_on=TODAY,
            instrument_version=shipped_profile,
            answers={"returnees_count": -1, "project_idea": "yes"},
        )
    paths = {e["loc"][-1] for e in err.value.errors}
    assert {"returnees_count", "non_migrants_count", "needs"} <= paths
    assert "resources" not in paths  # the other findings may stay blank
    assert not CommunityProfile.objects.exists()


def test_the_new_profile_page_shows_the_shipped_questions_in_french(
    shipped_profile, client_for, offices
):
    client = client_for("cm.tamba")
    client.cookies["django_language"] = "fr"
    with translation.override("en"):  # the page switches to French; the tests after do not
        body = client.get(reverse("community:profile_new"), headers={"Accept-Language": "fr"})
    assert body.status_code == 200
    text = body.content.decode()
    assert 'name="needs"' in text and 'name="migration_drivers_main"' in text
    assert "Sources de résilience" in text


def test_the_demo_fills_kounkane_through_the_shipped_instrument(users, offices):
    from reintegra.demo.projects import projects_load

    for n in range(5):
        open_case(users["cm.tamba"], offices["TAM"], f"Demba{n}", "Sidibé")
        open_case(users["cm.kolda"], offices["KLD"], f"Coumba{n}", "Diallo", sex="F")
    projects_load(users)
    kounkane = CommunityProfile.objects.get(community="Kounkané")
    assert kounkane.instrument_version.instrument.code == "community_profile"
    assert kounkane.returnees_count == 9 and kounkane.needs.startswith("Rice husking")
    assert kounkane.answers["migration_drivers_main"] == ["no_work", "role_models"]
    assert CommunityProfile.objects.get(community="Koussanar").instrument_version is None
