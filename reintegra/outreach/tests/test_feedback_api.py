"""The feedback API: lists, recording, transitions with versions, adjustments, the report."""

import json

import pytest
from django.test import Client

from reintegra.accounts.services import api_token_issue
from reintegra.outreach.models.feedback import FeedbackItem
from reintegra.outreach.tests.fixtures_feedback import *  # noqa: F403  (the fixtures)
from reintegra.outreach.tests.fixtures_feedback import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    def make(username):
        token = api_token_issue(actor=users[username])
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def body(office, **extra):
    data = {
        "office_id": office.pk,
        "source": "STAKEHOLDER",
        "received_on": TODAY().isoformat(),
        "channel": "EMAIL",
        "category": "INFORMATION",
        "theme": "ELIGIBILITY",
        "description": "Who is eligible for the business training?",
    }
    data.update(extra)
    return data


def test_recording_and_reading_feedback(api, offices, returnee_case):
    client = api("cm.tamba")
    response = post(
        client,
        "/api/outreach/feedback",
        body(offices["TAM"], source="RETURNEE", returnee_id=returnee_case.person.pk),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reference"].startswith("FB-")
    detail = client.get(f"/api/outreach/feedback/{created['id']}").json()
    assert detail["description"].startswith("Who is eligible")
    listing = client.get("/api/outreach/feedback").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == created["id"]
    assert "description" not in listing["items"][0]


def test_bad_input_answers_422(api, offices):
    client = api("cm.tamba")
    assert (
        post(client, "/api/outreach/feedback", body(offices["TAM"], channel="FAX")).status_code
        == 422
    )
    assert post(client, "/api/outreach/feedback", body(offices["KLD"])).status_code == 422
    assert post(client, "/api/outreach/feedback", {"office_id": "x"}).status_code == 422
    assert (
        post(client, "/api/outreach/feedback", body(offices["TAM"], returnee_id=2**40)).status_code
        == 422
    )
    assert client.get("/api/outreach/feedback?status=NOPE").status_code == 422
    assert not FeedbackItem.objects.exists()


def test_a_sensitive_complaint_is_out_of_its_recorders_reach(api, offices):
    client = api("cm.tamba")
    response = post(
        client,
        "/api/outreach/feedback",
        body(offices["TAM"], category="SENSITIVE", sensitive_kind="MISCONDUCT"),
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert client.get(f"/api/outreach/feedback/{pk}").status_code == 404
    assert client.get("/api/outreach/feedback?queue=restricted").status_code == 403
    queue = api("coord.tamba").get("/api/outreach/feedback?queue=restricted").json()
    assert [i["id"] for i in queue["items"]] == [pk]


def test_transitions_check_the_version(api, complaint, users):
    client = api("coord.tamba")
    url = f"/api/outreach/feedback/{complaint.pk}/transitions"
    assert post(client, url, {"action": "acknowledge", "version": 1}).status_code == 200
    stale = post(client, url, {"action": "acknowledge", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assigned = post(
        client, url, {"action": "assign", "version": 2, "assignee_id": users["cm.psy"].pk}
    )
    assert assigned.json()["assigned_to"] == users["cm.psy"].pk
    resolved = post(
        api("cm.psy"),
        url,
        {
            "action": "resolve",
            "version": 3,
            "response": "Sent the list by email",
            "on": TODAY().isoformat(),
            "response_channel": "EMAIL",
        },
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "RESOLVED"
    assert post(client, url, {"action": "dance", "version": 4}).status_code == 422
    assert post(client, url, {"action": "reopen", "version": 4}).status_code == 422
    assert post(api("cm.tamba"), url, {"action": "close", "version": 4}).status_code == 403
    assert post(api("cm.kolda"), url, {"action": "close", "version": 4}).status_code == 404


def test_adjustments_and_the_report(api, complaint, visit, offices):
    client = api("coord.tamba")
    response = post(
        client,
        "/api/outreach/adjustments",
        {
            "office_id": offices["TAM"].pk,
            "decided_on": TODAY().isoformat(),
            "title": "Information sessions on eligibility",
            "area": "COMMUNICATION",
            "feedback_ids": [complaint.pk],
            "visit_ids": [visit.pk],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["visits"] == [visit.pk]
    reader = api("fp.comms")
    listing = reader.get("/api/outreach/adjustments").json()
    assert listing["count"] == 1
    assert listing["items"][0]["visits"] == []  # the comms FP does not see the case's visits
    assert post(reader, "/api/outreach/adjustments", {}).status_code in (403, 422)
    report = reader.get("/api/outreach/feedback-report").json()
    keys = [t["key"] for t in report["tables"]]
    assert keys == ["themes", "categories", "handling", "adjustments"]
    assert (
        reader.get("/api/outreach/feedback-report?start=2026-05-01&end=2026-01-01").status_code
        == 422
    )
    assert api("cm.tamba").get("/api/outreach/feedback-report").status_code == 403
