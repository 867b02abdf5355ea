"""Pages and API of the restricted sections and of training records: who sees what, FLAG-level
users see only that a section exists (pages, API, case page, timeline), bad input answers a
form error or 422, never a 500."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reintegra.accounts.services import api_token_issue
from reintegra.safeguarding import services
from reintegra.safeguarding.models import SectionEntry, SectionRecord, TrainingRecord
from reintegra.safeguarding.tests.fixtures_sections import *  # noqa: F403 - the fixtures

pytestmark = pytest.mark.django_db
NEED = "Canary-need-4b2: insulin every morning"


def api(users, username):
    token = api_token_issue(actor=users[username])
    return Client(headers={"Authorization": f"Bearer {token}"})


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def medical_need(case, users):
    services.section_update(
        actor=users["fp.medical"], case=case, section="MEDICAL", version=0, values={"needs": NEED}
    )
    services.section_entry_add(
        actor=users["fp.medical"],
        case=case,
        section="MEDICAL",
        kind="MEDICAL_FOLLOW_UP",
        body=NEED + " (follow-up)",
    )
    return case


def test_the_case_manager_sees_that_medical_information_exists_but_never_the_need(
    medical_need, users, client_for
):
    case = medical_need
    client = client_for("cm.tamba")
    page = client.get(reverse("safeguarding:medical", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Medical information exists" in text and NEED not in text and "insulin" not in text
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Medical information exists" in detail and "insulin" not in detail
    timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "insulin" not in timeline
    answer = api(users, "cm.tamba").get(f"/api/cases/{case.pk}/medical")
    assert answer.status_code == 200
    body = answer.json()
    assert body["restricted"] is True and body["exists"] is True
    assert body["content"] is None and body["entries"] is None
    assert "insulin" not in answer.content.decode()
    case_api = api(users, "cm.tamba").get(f"/api/cases/{case.pk}").content.decode()
    assert "insulin" not in case_api


def test_the_medical_focal_point_reads_the_need(medical_need, users, client_for):
    case = medical_need
    page = client_for("fp.medical").get(reverse("safeguarding:medical", args=[case.pk]))
    assert page.status_code == 200 and NEED in page.content.decode()
    body = api(users, "fp.medical").get(f"/api/cases/{case.pk}/medical").json()
    assert body["content"]["needs"] == NEED and body["version"] == 1
    assert body["entries"][0]["kind"] == "MEDICAL_FOLLOW_UP"


def test_roles_below_flag_level_are_refused_and_out_of_scope_cases_are_not_found(
    case, kolda_case, users, client_for
):
    # M&E sees the case, not even the existence of its medical section.
    assert (
        client_for("me.officer").get(reverse("safeguarding:medical", args=[case.pk])).status_code
        == 403
    )
    assert api(users, "me.officer").get(f"/api/cases/{case.pk}/medical").status_code == 403
    assert (
        client_for("cm.tamba")
        .get(reverse("safeguarding:medical", args=[kolda_case.pk]))
        .status_code
        == 404
    )
    assert api(users, "cm.tamba").get(f"/api/cases/{kolda_case.pk}/medical").status_code == 404
    assert api(users, "cm.tamba").get("/api/cases/999999/medical").status_code == 404


def test_the_protection_focal_point_edits_the_section_on_the_page(case, client_for):
    client = client_for("fp.protection")
    url = reverse("safeguarding:protection_edit", args=[case.pk])
    answer = client.post(url, {"version": 0, "safety_plan": "Stay with the aunt in Goudiry"})
    assert answer.status_code == 302
    record = SectionRecord.objects.get(case=case, section="PROTECTION")
    assert record.content["safety_plan"] == "Stay with the aunt in Goudiry"
    page = client.get(reverse("safeguarding:protection", args=[case.pk])).content.decode()
    assert "Stay with the aunt in Goudiry" in page
    stale = client.post(url, {"version": 0, "safety_plan": "Other"})
    assert stale.status_code == 409
    assert SectionRecord.objects.get(pk=record.pk).content["safety_plan"] != "Other"
    bad = client.post(url, {"version": "x", "trafficking_screening": "MAYBE"})
    assert bad.status_code == 422


def test_a_counselling_session_on_the_page_and_its_form_errors(case, client_for):
    client = client_for("cm.psy")
    url = reverse("safeguarding:psychosocial_entry_add", args=[case.pk])
    missing = client.post(url, {"kind": "SESSION", "written_on": "2026-01-05", "body": "Talk"})
    assert missing.status_code == 422
    assert "Choose the type of session." in missing.content.decode()
    ok = client.post(
        url,
        {
            "kind": "SESSION",
            "written_on": "2026-01-05",
            "body": "Group session",
            "session_type": "GROUP",
            "duration_minutes": "90",
            "next_steps": "Invite to the next group",
        },
    )
    assert ok.status_code == 302
    assert SectionEntry.objects.get(case=case).duration_minutes == 90
    # The case manager (not psychosocial) may not write it.
    refused = client_for("cm.tamba").post(url, {"kind": "PROGRESS_NOTE", "body": "x"})
    assert refused.status_code == 403


def test_the_api_puts_with_a_version_and_adds_entries(case, users):
    client = api(users, "fp.protection")
    url = f"/api/cases/{case.pk}/protection"
    answer = put(client, url, {"version": 0, "content": {"individual_risks": "Debt"}})
    assert answer.status_code == 200 and answer.json()["version"] == 1
    assert put(client, url, {"version": 0, "content": {"safety_plan": "x"}}).status_code == 409
    assert put(client, url, {"version": 1, "content": {"nope": "x"}}).status_code == 422
    assert put(client, url, {"content": {}}).status_code == 422
    assert client.put(url, data="{", content_type="application/json").status_code == 422
    entry = post(client, f"{url}/entries", {"kind": "PROTECTION_NOTE", "body": "Home visit"})
    assert entry.status_code == 201 and entry.json()["body"] == "Home visit"
    assert post(client, f"{url}/entries", {"kind": "SESSION", "body": "x"}).status_code == 422
    refused = put(api(users, "coord.tamba"), url, {"version": 1, "content": {}})
    assert refused.status_code == 403


# --- training records ---------------------------------------------------------------------------


def test_coordinators_record_training_and_see_their_offices_only(users, client_for, files):
    services.training_record_add(
        actor=users["coord.national"],
        person=users["cm.kolda"],
        training="PROTECTION",
        completed_on=datetime.date(2026, 2, 1),
        trainer="UNICEF",
    )
    client = client_for("coord.tamba")
    answer = client.post(
        reverse("safeguarding:training_new"),
        {
            "person": users["cm.psy"].pk,
            "training": "PFA",
            "completed_on": "2026-03-01",
            "trainer": "IOM Dakar",
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x"),
        },
    )
    assert answer.status_code == 302
    record = TrainingRecord.objects.get(person=users["cm.psy"])
    assert record.has_certificate
    listing = client.get(reverse("safeguarding:training")).content.decode()
    assert "IOM Dakar" in listing and "UNICEF" not in listing
    items = api(users, "coord.tamba").get("/api/training-records").json()
    assert [i["person"]["id"] for i in items["items"]] == [users["cm.psy"].pk]
    national = api(users, "coord.national").get("/api/training-records").json()
    assert national["count"] == 2
    filtered = api(users, "coord.national").get("/api/training-records?training=PFA").json()
    assert filtered["count"] == 1
    download = client_for("cm.psy").get(
        reverse("safeguarding:training_certificate", args=[record.pk])
    )
    assert download.status_code == 200
    assert (
        client_for("cm.tamba")
        .get(reverse("safeguarding:training_certificate", args=[record.pk]))
        .status_code
        == 404
    )


def test_each_user_sees_their_own_training_only(users, client_for):
    services.training_record_add(
        actor=users["coord.tamba"],
        person=users["cm.tamba"],
        training="DATA_PROTECTION",
        completed_on=datetime.date(2026, 2, 1),
        trainer="CDP Sénégal",
    )
    mine = api(users, "cm.tamba").get("/api/training-records").json()
    assert mine["count"] == 1
    assert api(users, "cm.psy").get("/api/training-records").json()["count"] == 0
    assert (
        "CDP Sénégal"
        not in client_for("cm.psy").get(reverse("safeguarding:training")).content.decode()
    )


def test_training_input_is_checked(users, client_for):
    client = api(users, "coord.tamba")
    base = {"person_id": users["cm.tamba"].pk, "training": "PFA", "trainer": "IOM"}
    assert (
        post(client, "/api/training-records", {**base, "completed_on": "2999-01-01"}).status_code
        == 422
    )
    assert (
        post(
            client, "/api/training-records", {**base, "training": "X", "completed_on": "2026-01-01"}
        ).status_code
        == 422
    )
    kolda = {**base, "person_id": users["cm.kolda"].pk, "completed_on": "2026-01-01"}
    assert post(client, "/api/training-records", kolda).status_code == 422
    other = {**base, "training": "OTHER", "completed_on": "2026-01-01"}
    assert post(client, "/api/training-records", other).status_code == 422
    assert (
        post(
            api(users, "cm.tamba"), "/api/training-records", {**base, "completed_on": "2026-01-01"}
        ).status_code
        == 403
    )
    page = client_for("coord.tamba").post(
        reverse("safeguarding:training_new"),
        {
            "person": users["cm.tamba"].pk,
            "training": "PFA",
            "completed_on": "2026-01-01",
            "trainer": "IOM",
            "certificate": SimpleUploadedFile("c.pdf", b"not a pdf"),
        },
    )
    assert page.status_code == 422
    assert not TrainingRecord.objects.exists()


def test_the_home_section_shows_own_trainings_and_a_coordinators_count(users):
    from reintegra.safeguarding.permissions import can_view_sections
    from reintegra.safeguarding.selectors import home_sections

    services.training_record_add(
        actor=users["coord.tamba"],
        person=users["cm.tamba"],
        training="PFA",
        completed_on=datetime.date(2026, 2, 1),
        trainer="IOM",
    )
    assert [t.training for t in home_sections(users["cm.tamba"])["own_trainings"]] == ["PFA"]
    assert home_sections(users["cm.tamba"])["scope_count"] is None
    assert home_sections(users["coord.tamba"])["scope_count"] == 1
    assert not can_view_sections(users["sysadmin"]) and home_sections(users["sysadmin"]) == {}
