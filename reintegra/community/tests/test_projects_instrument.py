"""Community profiles filled through the `community_profile` XLSForm instrument: the engine
renders and validates the questions without a case; the six findings come from the answers."""

import datetime

import pytest
from django.urls import reverse

from reintegra.audit.models import AuditEvent
from reintegra.community.models.projects import CommunityProfile
from reintegra.community.services import projects as services
from reintegra.community.tests.fixtures_projects import *  # noqa: F403 - the fixtures
from reintegra.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ANSWERS = {
    "returnees_count": 7,
    "non_migrants_count": 15,
    "needs": "Storage for the harvest",
    "migration_drivers": ["work", "family"],
    "water_points": "Two boreholes",
}


def test_the_instrument_fills_the_findings_and_keeps_the_raw_answers(
    profile_instrument, users, offices
):
    profile = services.profile_create(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        community="Missirah",
        region="Tambacounda",
        profiled_on=TODAY,
        instrument_version=profile_instrument,
        answers=ANSWERS,
    )
    assert profile.instrument_version == profile_instrument
    assert profile.needs == "Storage for the harvest"
    assert profile.migration_drivers == "work, family"
    assert profile.returnees_count == 7 and profile.non_migrants_count == 15
    assert profile.answers["water_points"] == "Two boreholes"
    assert AuditEvent.objects.filter(action="community_profile.created").exists()
    updated = services.profile_update(
        actor=users["cm.tamba"],
        profile=profile,
        version=profile.version,
        answers={**ANSWERS, "needs": "A cereal bank"},
    )
    assert updated.needs == "A cereal bank" and updated.version == 2
    event = AuditEvent.objects.get(action="community_profile.updated")
    assert event.changes["answers"] == [None, ["needs"]]
    assert event.changes["needs"] == ["Storage for the harvest", "A cereal bank"]


def test_invalid_answers_are_refused_with_each_question_named(profile_instrument, users, offices):
    with pytest.raises(ValidationFailed) as err:
        services.profile_create(
            actor=users["cm.tamba"],
            office=offices["TAM"],
            community="Missirah",
            region="Tambacounda",
            profiled_on=TODAY,
            instrument_version=profile_instrument,
            answers={"returnees_count": -2},
        )
    paths = {e["loc"][-1] for e in err.value.errors}
    assert {"returnees_count", "non_migrants_count", "needs"} <= paths
    assert not CommunityProfile.objects.exists()


def test_the_new_profile_page_uses_the_instrument_when_there_is_one(
    profile_instrument, offices, client_for
):
    client = client_for("cm.tamba")
    page = client.get(reverse("community:profile_new"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="needs"' in body and 'name="profile-community"' in body
    assert "Community profile" in body
    structured = client.get(reverse("community:profile_new") + "?form=structured")
    assert 'name="needs"' in structured.content.decode()  # the structured form's textarea
    assert 'name="profile-community"' not in structured.content.decode()

    header = {
        "mode": "instrument",
        "profile-office": offices["TAM"].pk,
        "profile-community": "Dialacoto",
        "profile-region": "Tambacounda",
        "profile-profiled_on": TODAY.isoformat(),
    }
    bad = client.post(reverse("community:profile_new"), {**header, "returnees_count": "many"})
    assert bad.status_code == 422
    response = client.post(
        reverse("community:profile_new"),
        {
            **header,
            "returnees_count": "5",
            "non_migrants_count": "12",
            "needs": "A mill",
            "migration_drivers": ["harvest"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    profile = CommunityProfile.objects.get(community="Dialacoto")
    assert profile.needs == "A mill" and profile.migration_drivers == "harvest"
    detail = client.get(reverse("community:profile", args=[profile.pk])).content.decode()
    assert "Poor harvests" in detail  # the answers, read-only, with their labels
    edit = client.get(reverse("community:profile_edit", args=[profile.pk]))
    assert edit.status_code == 200 and 'value="Dialacoto"' in edit.content.decode()
    response = client.post(
        reverse("community:profile_edit", args=[profile.pk]),
        {
            **header,
            "profile-version": "1",
            "returnees_count": "6",
            "non_migrants_count": "12",
            "needs": "A mill and a shop",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.returnees_count == 6 and profile.version == 2
    stale = client.post(
        reverse("community:profile_edit", args=[profile.pk]),
        {**header, "profile-version": "1", "returnees_count": "1", "non_migrants_count": "1",
         "needs": "x"},
    )  # fmt: skip
    assert stale.status_code == 409


def test_the_api_takes_the_instrument_answers(profile_instrument, offices, users):
    import json

    from django.test import Client

    from reintegra.accounts.services import api_token_issue

    client = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=users['cm.tamba'])}"})
    body = {
        "office_id": offices["TAM"].pk,
        "community": "Bakel",
        "region": "Tambacounda",
        "profiled_on": TODAY.isoformat(),
        "answers": ANSWERS,
    }
    response = client.post("/api/community/profiles", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["instrument_version_id"] == profile_instrument.pk and out["needs"]
    bad = client.post(
        "/api/community/profiles",
        json.dumps({**body, "answers": {"returnees_count": "x"}}),
        "application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"]
