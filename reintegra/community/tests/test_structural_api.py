"""API of the structural register: lists, creation, version checks, data-sharing terms,
invalid input answered 422 (never a 500)."""

import datetime
import json

import pytest

from reintegra.accounts.services import api_token_issue
from reintegra.community.models.structural import Agreement, EngagementEntry, Stakeholder
from reintegra.community.services import structural as services
from reintegra.community.tests.fixtures_structural import *  # noqa: F403 - fixtures
from reintegra.community.tests.fixtures_structural import TODAY, audited

DAY = datetime.timedelta(days=1)


@pytest.fixture
def api(users, client):
    """A JSON caller as a persona: api("coord.tamba").get(path) / .send(method, path, body)."""

    class Caller:
        def __init__(self, username: str) -> None:
            self.headers = {"Authorization": f"Bearer {api_token_issue(actor=users[username])}"}

        def get(self, path: str, **params):
            return client.get(path, params, headers=self.headers)

        def send(self, method: str, path: str, body):
            data = body if isinstance(body, str) else json.dumps(body)
            return client.generic(
                method, path, data=data, content_type="application/json", headers=self.headers
            )

    return Caller


@pytest.mark.django_db
def test_the_register_lists_stakeholders_with_filters(api, agency, kolda_ngo):
    response = api("finance").get("/api/community/stakeholders", engagement="COMMUNICATE")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["name"] == kolda_ngo.name
    assert api("finance").get("/api/community/stakeholders", kind="BOGUS").status_code == 422
    assert api("sysadmin").get("/api/community/stakeholders").status_code == 403


@pytest.mark.django_db
def test_communication_adds_a_stakeholder_through_the_api(api, offices):
    response = api("fp.comms").send(
        "POST",
        "/api/community/stakeholders",
        {
            "name": "Association des Sénégalais de Casablanca",
            "kind": "DIASPORA",
            "influence": "LOW",
            "interest": "HIGH",
            "office_id": offices["DKR"].pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["engagement"] == "COMMUNICATE"
    stakeholder = Stakeholder.objects.get()
    assert audited("stakeholder.created", stakeholder)
    # Rabat is not in the communication focal point's scope.
    outside = api("fp.comms").send(
        "POST",
        "/api/community/stakeholders",
        {
            "name": "X",
            "kind": "NGO",
            "influence": "LOW",
            "interest": "LOW",
            "office_id": offices["RBT"].pk,
        },
    )
    assert outside.status_code == 422
    assert (
        api("cm.tamba")
        .send(
            "POST",
            "/api/community/stakeholders",
            {"name": "X", "kind": "NGO", "influence": "LOW", "interest": "LOW", "office_id": 1},
        )
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_bad_input_answers_422(api, offices, agency):
    caller = api("coord.tamba")
    assert caller.send("POST", "/api/community/stakeholders", "{not json").status_code == 422
    bad = caller.send(
        "POST",
        "/api/community/stakeholders",
        {
            "name": "X",
            "kind": "NGO",
            "influence": "MEDIUM",
            "interest": "LOW",
            "office_id": offices["TAM"].pk,
        },
    )
    assert bad.status_code == 422 and bad.json()["field"] == "influence"
    assert caller.get("/api/community/stakeholders/0").status_code == 422
    assert caller.get("/api/community/stakeholders/99999").status_code == 404
    assert (
        caller.send(
            "POST",
            f"/api/community/stakeholders/{agency.pk}/engagements",
            {"occurred_on": "yesterday", "kind": "CALL", "summary": "x"},
        ).status_code
        == 422
    )


@pytest.mark.django_db
def test_a_patch_carries_the_version(api, agency):
    caller = api("coord.tamba")
    path = f"/api/community/stakeholders/{agency.pk}"
    response = caller.send("PATCH", path, {"version": 1, "interest": "LOW", "notes": None})
    assert response.status_code == 200
    assert response.json()["engagement"] == "COMMUNICATE" and response.json()["version"] == 2
    stale = caller.send("PATCH", path, {"version": 1, "interest": "HIGH"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    agency.refresh_from_db()
    assert agency.interest == "LOW"
    assert api("fp.comms").send("PATCH", path, {"version": 2}).status_code == 403


@pytest.mark.django_db
def test_an_engagement_entry_through_the_api(api, agency):
    response = api("fp.comms").send(
        "POST",
        f"/api/community/stakeholders/{agency.pk}/engagements",
        {"occurred_on": TODAY.isoformat(), "kind": "EVENT", "summary": "Radio debate"},
    )
    assert response.status_code == 201
    entry = EngagementEntry.objects.get()
    assert audited("stakeholder_engagement.added", entry)


@pytest.mark.django_db
def test_agreements_hide_data_sharing_terms_from_other_roles(api, users, offices, agency):
    response = api("coord.tamba").send(
        "POST",
        "/api/community/agreements",
        {
            "kind": "DATA_SHARING",
            "stakeholder_id": agency.pk,
            "office_id": offices["TAM"].pk,
            "title": "Data sharing",
            "signed_on": TODAY.isoformat(),
            "ends_on": (TODAY + 30 * DAY).isoformat(),
            "safeguards": "Pseudonymised lists only",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "EXPIRING"
    agreement = Agreement.objects.get()
    path = f"/api/community/agreements/{agreement.pk}"
    assert api("me.officer").get(path).json()["safeguards"] == "Pseudonymised lists only"
    hidden = api("cm.tamba").get(path).json()
    assert hidden["safeguards"] is None and hidden["status"] == "EXPIRING"
    listed = api("cm.tamba").get("/api/community/agreements", expiring="true").json()
    assert listed["count"] == 1
    assert api("cm.tamba").get("/api/community/agreements", status="NOPE").status_code == 422


@pytest.mark.django_db
def test_an_agreement_with_dates_out_of_order_answers_422(api, offices, agency):
    response = api("coord.tamba").send(
        "POST",
        "/api/community/agreements",
        {
            "kind": "MOU",
            "stakeholder_id": agency.pk,
            "office_id": offices["TAM"].pk,
            "title": "MoU",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - DAY).isoformat(),
        },
    )
    assert response.status_code == 422 and response.json()["field"] == "ends_on"
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_mechanisms_and_open_actions(api, users, committee, overdue_action):
    mechanisms = api("fp.medical").get("/api/community/mechanisms").json()
    assert mechanisms["items"][0]["open_actions"] == 1
    mine = api("coord.tamba").get("/api/community/actions", mine="1").json()
    assert mine["count"] == 1 and mine["items"][0]["overdue"] is True
    assert api("cm.tamba").get("/api/community/actions", mine="1").json()["count"] == 0
    services.action_complete(actor=users["coord.tamba"], action=overdue_action)
    assert api("coord.tamba").get("/api/community/actions").json()["count"] == 0


@pytest.mark.django_db
def test_the_mechanism_list_counts_each_mechanism_once(api, users, offices, meeting):
    steering = services.mechanism_create(
        actor=users["coord.national"],
        office=offices["DKR"],
        name="Comité national de pilotage",
        kind="STEERING_COMMITTEE",
    )
    for description in ("One", "Two", "Three"):
        services.action_add(
            actor=users["coord.tamba"], meeting=meeting, description=description, owner_name="X"
        )
    body = api("cm.tamba").get("/api/community/mechanisms").json()
    assert body["count"] == 2
    assert {m["name"]: m["open_actions"] for m in body["items"]} == {
        steering.name: 0,
        meeting.mechanism.name: 3,
    }
