"""The communication API: activities, the strategy, messages with their counts and send."""

import datetime
import json

import pytest

from reintegra.outreach.services import communication as services
from reintegra.outreach.tests.fixtures_communication import (  # noqa: F401 (fixtures)
    activity,
    message_file_fixture,
    returnees_fixture,
    sent_lines,
    sms,
)

TODAY = datetime.date.today().isoformat()


def call(client, method, url, body=None):
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.django_db
def test_the_focal_point_logs_and_edits_an_activity_through_the_api(client_for, offices):
    client = client_for("fp.comms")
    response = call(
        client,
        "POST",
        "/api/outreach/activities",
        {
            "office_id": offices["TAM"].pk,
            "kind": "RADIO",
            "title": "Radio Tamba FM",
            "held_on": TODAY,
            "audience": "COMMUNITIES",
            "venue": "Tamba FM",
            "reach": [
                {"sex": "F", "age_band": "25-59", "count": 120},
                {"sex": "M", "age_band": "25-59", "count": 80},
            ],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reached"] == 200 and len(created["reach"]) == 2
    url = f"/api/outreach/activities/{created['id']}"
    patched = call(client, "PATCH", url, {"version": created["version"], "title": "Tamba FM"})
    assert patched.status_code == 200 and patched.json()["title"] == "Tamba FM"
    stale = call(client, "PATCH", url, {"version": created["version"], "title": "Late"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    listed = client_for("me.officer").get("/api/outreach/activities?kind=RADIO").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "Tamba FM"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"kind": "CIRCUS"},
        {"held_on": "yesterday"},
        {"reach": [{"sex": "Q", "age_band": "18-24", "count": 1}]},
        {"reach": [{"sex": "F", "age_band": "18-24", "count": -1}]},
        {"title": "x\u0000y"},
        {"office_id": 0},
    ],
)
def test_bad_activity_input_answers_422(client_for, offices, body):
    base = {
        "office_id": offices["TAM"].pk,
        "kind": "RADIO",
        "title": "Radio",
        "held_on": TODAY,
        "audience": "COMMUNITIES",
    }
    response = call(client_for("fp.comms"), "POST", "/api/outreach/activities", {**base, **body})
    assert response.status_code == 422, response.content
    assert {"detail", "code"} <= set(response.json())


@pytest.mark.django_db
def test_out_of_scope_activities_answer_404_and_others_403(client_for, users, offices):
    kolda = activity(users["fp.comms"], offices["KLD"], region="Kolda")
    url = f"/api/outreach/activities/{kolda.pk}"
    assert client_for("coord.tamba").get(url).status_code == 404
    assert client_for("fp.medical").get(url).status_code == 403
    # A case manager sees only the activities they logged.
    assert client_for("cm.kolda").get(url).status_code == 404
    assert client_for("coord.national").get(url).status_code == 200
    assert call(client_for("coord.national"), "PATCH", url, {"version": 1}).status_code == 403


@pytest.mark.django_db
def test_the_strategy_endpoint_lists_strategies(client_for, users, offices):
    services.strategy_create(
        actor=users["fp.comms"],
        office=offices["DKR"],
        title="Safe return",
        starts_on=datetime.date.today(),
        objectives="Inform",
        status="IN_FORCE",
    )
    body = client_for("coord.tamba").get("/api/outreach/strategy?status=IN_FORCE").json()
    assert body["count"] == 1 and body["items"][0]["title"] == "Safe return"


@pytest.mark.django_db
def test_compose_preview_and_send_a_message_through_the_api(
    client_for, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    client = client_for("coord.tamba")
    response = call(
        client,
        "POST",
        "/api/outreach/messages",
        {"office_id": offices["TAM"].pk, "channel": "SMS", "body": "Meeting on Monday"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["preview"] == {
        "recipients": 1,
        "skipped_consent": 2,
        "skipped_address": 1,
        "audience": 4,
    }
    url = f"/api/outreach/messages/{created['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        sent = call(client, "POST", f"{url}/send", {"version": created["version"]})
    assert sent.status_code == 200, sent.content
    detail = client.get(url).json()
    assert (detail["status"], detail["total"], detail["sent"]) == ("SENT", 1, 1)
    assert detail["deliveries"] == [
        {
            "returnee": "Awa DIALLO",
            "address": "+221 77 *** ** 12",
            "status": "SENT",
            "error": "",
            "sent_at": detail["deliveries"][0]["sent_at"],
            "delivered_at": None,
        }
    ]
    again = call(client, "POST", f"{url}/send", {})
    assert again.status_code == 409 and again.json()["code"] == "already_sent"
    assert len(sent_lines(message_file)) == 1


@pytest.mark.django_db
def test_bad_messages_answer_422_and_others_cannot_write(client_for, offices):
    client = client_for("fp.comms")
    too_long = {"office_id": offices["DKR"].pk, "channel": "SMS", "body": "x" * 481}
    assert call(client, "POST", "/api/outreach/messages", too_long).status_code == 422
    bad_channel = {**too_long, "body": "Hi", "channel": "FAX"}
    assert call(client, "POST", "/api/outreach/messages", bad_channel).status_code == 422
    outside = {**too_long, "body": "Hi", "office_id": offices["RBT"].pk}
    assert call(client, "POST", "/api/outreach/messages", outside).status_code == 422
    denied = call(
        client_for("me.officer"), "POST", "/api/outreach/messages", {**too_long, "body": "Hi"}
    )
    assert denied.status_code == 403


@pytest.mark.django_db
def test_messages_out_of_scope_answer_404(client_for, users, offices):
    kolda = sms(users["fp.comms"], offices["KLD"], region="")
    assert client_for("coord.tamba").get(f"/api/outreach/messages/{kolda.pk}").status_code == 404
    assert (
        call(
            client_for("coord.tamba"), "POST", f"/api/outreach/messages/{kolda.pk}/send"
        ).status_code
        == 404
    )
    assert client_for("coord.national").get(f"/api/outreach/messages/{kolda.pk}").status_code == 200


@pytest.mark.django_db
def test_a_case_manager_logs_an_activity_in_their_office_only(client_for, offices):
    client = client_for("cm.kolda")
    body = {
        "office_id": offices["KLD"].pk,
        "kind": "COMMUNITY_DIALOGUE",
        "title": "Dialogue in Vélingara",
        "held_on": TODAY,
        "audience": "COMMUNITIES",
    }
    created = call(client, "POST", "/api/outreach/activities", body)
    assert created.status_code == 201, created.content
    outside = call(
        client, "POST", "/api/outreach/activities", {**body, "office_id": offices["TAM"].pk}
    )
    assert outside.status_code == 422
    assert client.get("/api/outreach/activities").json()["count"] == 1
    denied = call(client_for("finance"), "POST", "/api/outreach/activities", body)
    assert denied.status_code == 403
