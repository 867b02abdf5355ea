"""API of community projects and profiles: lists, creation, versions, participants, errors."""

import datetime
import json

import pytest
from django.test import Client

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent
from reintegra.cases.models import CaseEvent
from reintegra.community.services import projects as services
from reintegra.community.tests.fixtures_projects import *  # noqa: F403 - the fixtures

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def api_for(users):
    def make(username: str) -> Client:
        token = api_token_issue(actor=users[username])
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def send(client: Client, method: str, path: str, body: dict):
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


def test_a_project_is_created_and_listed(api_for, users, offices, profile):
    client = api_for("cm.tamba")
    response = send(
        client,
        "POST",
        "/api/community/projects",
        {
            "office_id": offices["TAM"].pk,
            "title": "Jardin maraîcher de Goudiry",
            "approach": "COLLECTIVE",
            "dimensions": ["ECONOMIC"],
            "region": "Tambacounda",
            "profile_id": profile.pk,
            "focal_point_ids": [users["fp.comms"].pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_id"] == users["cm.tamba"].pk and body["status"] == "PLANNED"
    assert body["focal_point_ids"] == [users["fp.comms"].pk] and len(body["checklist"]) == 7
    listed = client.get("/api/community/projects?status=PLANNED").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert api_for("cm.kolda").get("/api/community/projects").json()["count"] == 0


def test_bad_input_is_422_never_500(api_for, offices):
    client = api_for("cm.tamba")
    for body in (
        {"office_id": offices["TAM"].pk, "title": "x", "approach": "NOPE", "region": "T"},
        {"office_id": offices["KLD"].pk, "title": "x", "approach": "COLLECTIVE", "region": "T"},
        {"office_id": 0, "title": "x", "approach": "COLLECTIVE", "region": "T"},
        {"office_id": offices["TAM"].pk, "title": "\x00", "approach": "COLLECTIVE", "region": "T"},
        {
            "office_id": offices["TAM"].pk,
            "title": "x",
            "approach": "COLLECTIVE",
            "region": "T",
            "dimensions": ["CULTURAL"],
        },
    ):
        response = send(client, "POST", "/api/community/projects", body)
        assert response.status_code == 422, body
    assert client.get("/api/community/projects?status=WHATEVER").status_code == 422


def test_a_patch_on_a_stale_version_is_409_and_the_checklist_is_patched(api_for, project):
    client = api_for("cm.tamba")
    path = f"/api/community/projects/{project.pk}"
    response = send(
        client,
        "PATCH",
        path,
        {"version": 1, "place": "Keur Samba", "checklist": {"SKILLS": {"rating": "MET"}}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["place"] == "Keur Samba"
    assert {c["code"]: c["rating"] for c in body["checklist"]}["SKILLS"] == "MET"
    stale = send(client, "PATCH", path, {"version": 1, "place": "X"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert send(api_for("fp.comms"), "PATCH", path, {"version": 3}).status_code == 403


def test_transitions_and_their_refusals(api_for, project):
    client = api_for("cm.tamba")
    path = f"/api/community/projects/{project.pk}/transitions"
    assert send(client, "POST", path, {"status": "COMPLETED"}).status_code == 422
    assert send(client, "POST", path, {"status": "ACTIVE"}).json()["status"] == "ACTIVE"
    refused = send(client, "POST", path, {"status": "CANCELLED"})
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    assert send(api_for("me.officer"), "POST", path, {"status": "COMPLETED"}).status_code == 403


def test_participants_by_api_hide_cases_the_caller_does_not_see(
    api_for, project, tamba_case, kolda_case
):
    client = api_for("cm.tamba")
    path = f"/api/community/projects/{project.pk}/participants"
    added = send(client, "POST", path, {"kind": "RETURNEE", "case_id": tamba_case.pk})
    assert added.status_code == 201, added.content
    assert CaseEvent.objects.filter(case=tamba_case, kind="COMMUNITY").exists()
    outside = send(client, "POST", path, {"kind": "RETURNEE", "case_id": kolda_case.pk})
    assert outside.status_code == 422
    members = send(client, "POST", path, {"kind": "COMMUNITY", "sex": "M", "count": 4})
    assert members.status_code == 201
    assert send(client, "POST", path, {"kind": "COMMUNITY", "sex": "?"}).status_code == 422
    mine = client.get(path).json()
    assert mine["people"] == 5 and mine["returnees"] == 1 and mine["community_members"] == 4
    assert mine["items"][0]["case_id"] == tamba_case.pk
    theirs = api_for("fp.comms").get(path).json()
    assert theirs["items"][0]["case_id"] is None
    assert theirs["items"][0]["name"] == "Returnee (case not in your caseload)"
    refused = send(api_for("fp.comms"), "POST", path, {"kind": "COMMUNITY", "sex": "F"})
    assert refused.status_code == 403


def test_activities_and_reports_by_api(api_for, project):
    path = f"/api/community/projects/{project.pk}"
    client = api_for("fp.protection")
    response = send(client, "POST", f"{path}/activities", {"title": "Safe-space session"})
    assert response.status_code == 201
    report = {
        "period_start": TODAY.isoformat(),
        "period_end": TODAY.isoformat(),
        "summary": "Started",
    }
    assert send(client, "POST", f"{path}/reports", report).status_code == 201
    assert AuditEvent.objects.filter(action="community_report.added").count() == 1
    bad = {**report, "period_end": (TODAY - datetime.timedelta(days=1)).isoformat()}
    assert send(client, "POST", f"{path}/reports", bad).status_code == 422
    assert send(api_for("finance"), "POST", f"{path}/reports", report).status_code == 403


def test_profiles_by_api(api_for, offices, profile):
    client = api_for("coord.tamba")
    created = send(
        client,
        "POST",
        "/api/community/profiles",
        {
            "office_id": offices["TAM"].pk,
            "community": "Bala",
            "region": "Tambacounda",
            "profiled_on": TODAY.isoformat(),
            "needs": "Jobs",
        },
    )
    assert created.status_code == 201, created.content
    assert client.get("/api/community/profiles").json()["count"] == 2
    path = f"/api/community/profiles/{profile.pk}"
    assert client.get(path).json()["community"] == "Koussanar"
    assert send(client, "PATCH", path, {"version": 1, "needs": "Water"}).json()["version"] == 2
    assert send(client, "PATCH", path, {"version": 1, "needs": "x"}).status_code == 409
    assert api_for("cm.kolda").get(path).status_code == 404
    assert api_for("sysadmin").get("/api/community/profiles").status_code == 403


def test_a_project_update_through_services_is_visible_in_the_api(api_for, project, users):
    services.project_transition(actor=users["cm.tamba"], project=project, status="ACTIVE")
    body = api_for("me.officer").get(f"/api/community/projects/{project.pk}").json()
    assert body["status"] == "ACTIVE" and body["version"] == 2


def test_patches_with_bad_references_or_dates_are_422(api_for, project, users):
    client = api_for("coord.tamba")
    path = f"/api/community/projects/{project.pk}"
    for body in (
        {"version": 1, "lead_id": 2**62},
        {"version": 1, "lead_id": users["cm.kolda"].pk},
        {"version": 1, "focal_point_ids": [users["finance"].pk]},
        {"version": 1, "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        {"version": 1, "budget_amount": "-5"},
        {"version": 1, "currency": "francs"},
        {"version": 1, "checklist": {"WEATHER": {"rating": "MET"}}},
        {"version": 1, "checklist": {"SKILLS": {"rating": "SUPER"}}},
        {"version": 1, "profile_id": 2**62},
    ):
        response = send(client, "PATCH", path, body)
        assert response.status_code == 422, (body, response.content)
    project.refresh_from_db()
    assert project.version == 1


def test_the_project_page_needs_a_bounded_number_of_queries(
    project, tamba_case, users, client_for, django_assert_max_num_queries
):
    services.participant_add_returnee(actor=users["cm.tamba"], project=project, case=tamba_case)
    for n in range(5):
        services.participant_add_members(
            actor=users["cm.tamba"], project=project, sex="F", count=n + 1
        )
        services.activity_add(actor=users["cm.tamba"], project=project, title=f"A{n}")
    client = client_for("cm.tamba")
    client.get(f"/community/projects/{project.pk}/")
    with django_assert_max_num_queries(40):
        assert client.get(f"/community/projects/{project.pk}/").status_code == 200
