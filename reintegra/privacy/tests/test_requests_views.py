"""Pages and API of subject-access requests: coordinators record, move and export; other staff
get 403; a request about someone out of scope is 404."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent
from reintegra.privacy.models.requests import SubjectAccessRequest
from reintegra.privacy.services import requests as services
from reintegra.privacy.tests.fixtures_requests import *  # noqa: F403 - the fixtures
from reintegra.privacy.tests.fixtures_requests import NOTES, export_json, make_request, open_zip

pytestmark = pytest.mark.django_db


def _kolda_request(users, person):
    return services.request_record(
        actor=users["coord.national"],
        person=person,
        received_on=timezone.localdate(),
        identity_check="ID_DOCUMENT",
    )


# Pages ----------------------------------------------------------------------------------------


def test_the_list_shows_the_coordinators_requests_and_flags_overdue(users, subject, client_for):
    make_request(users, subject, received_on=timezone.localdate() - datetime.timedelta(45))
    response = client_for("coord.tamba").get(reverse("privacy:request_list"))
    assert response.status_code == 200
    assert "Moussa" in response.content.decode()
    assert 'class="badge overdue"' in response.content.decode()
    filtered = client_for("coord.tamba").get(
        reverse("privacy:request_list"), {"status": "ANSWERED"}
    )
    assert "Moussa" not in filtered.content.decode()


def test_a_bad_filter_is_ignored_not_a_500(users, subject, client_for):
    response = client_for("coord.tamba").get(
        reverse("privacy:request_list"), {"status": "<script>", "page": "x"}
    )
    assert response.status_code == 200


def test_staff_who_are_not_coordinators_get_403(users, subject, client_for):
    sar = make_request(users, subject)
    client = client_for("cm.tamba")
    assert client.get(reverse("privacy:request_list")).status_code == 403
    assert client.get(reverse("privacy:request_new")).status_code == 403
    # cm.tamba sees Moussa (her case) but does not handle his requests.
    assert client.get(reverse("privacy:request_detail", args=[sar.pk])).status_code == 403
    assert client.post(reverse("privacy:request_export", args=[sar.pk])).status_code == 403


def test_a_request_out_of_scope_is_404(users, kolda_person, client_for):
    sar = _kolda_request(users, kolda_person)
    client = client_for("coord.tamba")
    assert client.get(reverse("privacy:request_detail", args=[sar.pk])).status_code == 404
    assert client.post(reverse("privacy:request_export", args=[sar.pk])).status_code == 404
    assert client.get(reverse("privacy:request_download", args=[sar.pk])).status_code == 404
    assert (
        client.get(reverse("privacy:request_new"), {"person": kolda_person.pk}).status_code == 404
    )


def test_a_coordinator_finds_the_person_and_records_a_request(users, subject, client_for):
    client = client_for("coord.tamba")
    found = client.get(reverse("privacy:request_new"), {"q": "soumare"})
    assert f"?person={subject.pk}" in found.content.decode()
    form = client.get(reverse("privacy:request_new"), {"person": subject.pk})
    assert "Moussa" in form.content.decode()
    response = client.post(
        reverse("privacy:request_new"),
        {
            "person": subject.pk,
            "received_on": timezone.localdate().isoformat(),
            "identity_check": "CALLBACK",
            "language": "en",
            "details": "Everything you hold about me",
        },
    )
    sar = SubjectAccessRequest.objects.get(person=subject)
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:request_detail", args=[sar.pk])
    assert sar.language == "en" and sar.recorded_by == users["coord.tamba"]


def test_bad_input_on_the_form_is_a_form_error(users, subject, client_for):
    response = client_for("coord.tamba").post(
        reverse("privacy:request_new"),
        {"person": subject.pk, "received_on": "not a date", "identity_check": "OTHER"},
    )
    assert response.status_code == 422
    assert not SubjectAccessRequest.objects.exists()
    response = client_for("coord.tamba").post(
        reverse("privacy:request_new"),
        {
            "person": subject.pk,
            "received_on": timezone.localdate().isoformat(),
            "identity_check": "OTHER",
            "language": "fr",
        },
    )
    assert response.status_code == 422
    assert "Describe how" in response.content.decode()


def test_the_export_page_shows_the_password_once_and_the_zip_opens(users, subject, client_for):
    sar = make_request(users, subject)
    client = client_for("coord.tamba")
    response = client.post(reverse("privacy:request_export", args=[sar.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    start = page.index('id="export-password">') + len('id="export-password">')
    password = page[start : page.index("</code>", start)]
    # Not shown again.
    assert (
        password
        not in client.get(reverse("privacy:request_detail", args=[sar.pk])).content.decode()
    )
    download = client.get(reverse("privacy:request_download", args=[sar.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data = export_json(open_zip(b"".join(download.streaming_content), password))
    assert {n["body"] for n in data["cases"]["notes"]} == set(NOTES.values())


def test_the_detail_page_moves_the_request(users, subject, client_for):
    sar = make_request(users, subject)
    client = client_for("coord.tamba")
    url = reverse("privacy:request_move", args=[sar.pk])
    client.post(url, {"action": "refuse", "version": sar.version, "reason": ""})
    sar.refresh_from_db()
    assert sar.status == "RECEIVED"
    client.post(url, {"action": "refuse", "version": sar.version, "reason": "Not the person"})
    sar.refresh_from_db()
    assert sar.status == "REFUSED"
    stale = client.post(url, {"action": "answer", "version": 0}, follow=True)
    assert stale.status_code == 200
    assert client.post(url, {"action": "nonsense", "version": "x"}).status_code == 302


# API ------------------------------------------------------------------------------------------


def _api(users, username):
    from django.test import Client

    token = api_token_issue(actor=users[username])
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_the_api_records_lists_and_reads_requests(users, subject):
    client = _api(users, "coord.tamba")
    body = {
        "person_id": subject.pk,
        "received_on": timezone.localdate().isoformat(),
        "identity_check": "ID_DOCUMENT",
        "language": "fr",
    }
    created = client.post(
        "/api/privacy/requests", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    sar_id = created.json()["id"]
    listing = client.get("/api/privacy/requests").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == sar_id
    detail = client.get(f"/api/privacy/requests/{sar_id}").json()
    assert detail["person_name"] == subject.full_name and detail["status"] == "RECEIVED"


def test_the_api_refuses_bad_input_with_422(users, subject):
    client = _api(users, "coord.tamba")
    bad = {"person_id": subject.pk, "received_on": "soon", "identity_check": "ID_DOCUMENT"}
    response = client.post(
        "/api/privacy/requests", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422
    unknown = {**bad, "received_on": timezone.localdate().isoformat(), "identity_check": "NOPE"}
    response = client.post(
        "/api/privacy/requests", json.dumps(unknown), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert client.get("/api/privacy/requests?status=NOPE").status_code == 422


def test_the_api_answers_409_for_a_stale_version(users, subject):
    sar = make_request(users, subject)
    client = _api(users, "coord.tamba")
    response = client.post(
        f"/api/privacy/requests/{sar.pk}/move",
        json.dumps({"action": "start", "version": sar.version + 5}),
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_api_export_returns_the_password_once_and_the_file(users, subject, other):
    sar = make_request(users, subject)
    client = _api(users, "coord.tamba")
    made = client.post(f"/api/privacy/requests/{sar.pk}/export")
    assert made.status_code == 201
    answer = made.json()
    assert answer["request"]["status"] == "IN_PROGRESS"
    download = client.get(answer["download_url"])
    assert download.status_code == 200
    files = open_zip(b"".join(download.streaming_content), answer["password"])
    assert "Aissatou" not in files["data.json"].decode()
    assert AuditEvent.objects.filter(action="subject_access.exported").count() == 1


def test_the_api_scope_404_and_403(users, subject, kolda_person):
    sar = make_request(users, subject)
    kolda = _kolda_request(users, kolda_person)
    tamba = _api(users, "coord.tamba")
    assert tamba.get(f"/api/privacy/requests/{kolda.pk}").status_code == 404
    assert tamba.post(f"/api/privacy/requests/{kolda.pk}/export").status_code == 404
    case_manager = _api(users, "cm.tamba")
    assert case_manager.get("/api/privacy/requests").status_code == 403
    assert case_manager.get(f"/api/privacy/requests/{sar.pk}").status_code == 403
    body = {
        "person_id": kolda_person.pk,
        "received_on": timezone.localdate().isoformat(),
        "identity_check": "ID_DOCUMENT",
    }
    response = tamba.post(
        "/api/privacy/requests", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404
