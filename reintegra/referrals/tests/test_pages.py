"""Referral pages, the provider link page (no account), the home-page lists, and the API."""

import datetime
import json
import logging
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services as cases
from reintegra.providers import services as providers
from reintegra.referrals import services
from reintegra.referrals.choices import Recipient, State
from reintegra.referrals.models import Referral

pytestmark = pytest.mark.django_db


def refer(users, case, service, **kw):
    return services.referral_create(
        actor=users["cm.tamba"], case=case, service=service, reason="Looking for work", **kw
    )


def issue_link(client, referral) -> str:
    response = client.post(reverse("referrals:link_issue", args=[referral.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    match = re.search(r"/r/([A-Za-z0-9_-]{20,})/", response.content.decode())
    assert match, "the printable form shows the link"
    return match.group(0)


def test_the_form_offers_fitting_services_marks_stale_ones_and_previews_the_shared_values(
    client_for, case, job, kolda_service, users
):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400), tick=False):
        old = providers.provider_create(
            actor=users["coord.tamba"], office=case.office, name="Vieux centre", kind="PUBLIC"
        )
        providers.service_add(
            actor=users["coord.tamba"], provider=old, category="TVET", name="Soudure"
        )
    page = client_for("cm.tamba").get(reverse("referrals:new", args=[case.pk])).content.decode()
    assert "Placement" in page and "Couture" not in page  # Kolda's service does not serve Tamba
    assert "Soudure" in page and "Not verified recently" in page
    assert "+221 77 123 45 67" in page and "Moussa DIALLO" in page
    assert "Given on" in page  # the consent status


def test_sending_from_the_form_refers_the_returnee(client_for, case, job):
    client = client_for("cm.tamba")
    response = client.post(
        reverse("referrals:new", args=[case.pk]),
        {"to": f"s{job.pk}", "reason": "Carpentry job", "shared_fields": ["NAME", "PHONE"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert referral.state == State.SENT and set(referral.shared) == {"NAME", "PHONE"}
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Carpentry job" in page and "+221 77 123 45 67" in page


def test_the_form_refuses_a_returnee_without_consent_with_a_clear_message(
    client_for, no_consent_case, job
):
    client = client_for("cm.tamba")
    url = reverse("referrals:new", args=[no_consent_case.pk])
    assert "No valid consent for referral" in client.get(url).content.decode()
    response = client.post(url, {"to": f"s{job.pk}", "reason": "Work", "shared_fields": ["NAME"]})
    assert response.status_code == 200
    assert "has not given a valid consent for referral" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_draft_is_sent_later_from_its_page(client_for, case, job):
    client = client_for("cm.tamba")
    client.post(
        reverse("referrals:new", args=[case.pk]),
        {"to": f"s{job.pk}", "reason": "Work", "shared_fields": ["NAME"], "draft": "1"},
    )
    referral = Referral.objects.get()
    assert referral.state == State.DRAFT and referral.sent_at is None
    client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to": "SENT", "version": referral.version},
    )
    referral.refresh_from_db()
    assert referral.state == State.SENT and referral.shared == {"NAME": "Moussa DIALLO"}


def test_a_medical_referral_shows_only_its_existence_to_the_case_manager(
    client_for, case, clinic, users
):
    referral = refer(users, case, clinic)
    url = reverse("referrals:detail", args=[referral.pk])
    as_cm = client_for("cm.tamba").get(url).content.decode()
    assert 'id="restricted-referral"' in as_cm and "Looking for work" not in as_cm
    assert "Consultations" not in as_cm
    panel = client_for("cm.tamba").get(reverse("referrals:case_panel", args=[case.pk]))
    assert "Medical referral (restricted)" in panel.content.decode()
    assert "Looking for work" in client_for("fp.medical").get(url).content.decode()
    assert client_for("finance").get(url).status_code == 404


def test_the_provider_link_shows_only_what_was_shared_and_records_answers(
    client_for, case, job, users
):
    referral = refer(users, case, job, shared_fields=["NAME", "PHONE"])
    path = issue_link(client_for("cm.tamba"), referral)
    provider = Client()
    page = provider.get(path).content.decode()
    assert referral.reference in page and "Moussa DIALLO" in page
    assert "1995" not in page and "Quartier Libert" not in page  # birth date, address: not shared
    for to in ("ACKNOWLEDGED", "ACCEPTED", "DELIVERED"):
        referral.refresh_from_db()
        response = provider.post(path, {"to": to, "version": referral.version, "note": "ok"})
        assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.DELIVERED and referral.result == State.DELIVERED
    provider.post(path, {"to": "CLOSED", "note": "done"})  # closing is the programme's
    referral.refresh_from_db()
    assert referral.state == State.DELIVERED
    delivered = AuditEvent.objects.get(action="referral.delivered")
    assert delivered.actor_id is None and "via_link" in delivered.changes
    assert AccessEvent.objects.filter(action="referral.link_opened").count() == 1
    assert AccessEvent.objects.filter(action="referral.link_answered").count() == 4


def test_an_expired_revoked_or_unknown_link_shows_nothing(client_for, case, job, users):
    referral = refer(users, case, job)
    client = client_for("cm.tamba")
    path = issue_link(client, referral)
    later = timezone.now() + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        response = Client().get(path)
    assert response.status_code == 410 and "Moussa" not in response.content.decode()
    assert Client().get(path).status_code == 200
    link = referral.links.get()
    client.post(reverse("referrals:link_revoke", args=[referral.pk, link.pk]))
    gone = Client().get(path)
    assert gone.status_code == 410 and "no longer valid" in gone.content.decode()
    assert Client().post(path, {"to": "ACCEPTED"}).status_code == 410
    assert Client().get("/r/not-a-real-token-at-all-000000000/").status_code == 404
    referral.refresh_from_db()
    assert referral.state == State.SENT


def test_home_pages_show_overdue_escalated_referred_and_to_review(
    client_for, case, no_consent_case, job, users
):
    refer(users, case, job)
    refer(
        users,
        no_consent_case,
        job,
        override_ground="CANNOT_CONSENT",
        override_reason="Assessed by the psychiatrist as unable to consent",
    )
    services.referral_create(
        actor=users["cm.tamba"], case=case, recipient=Recipient.PROTECTION_FP, reason="Risk"
    )
    assert 'id="referred-to-me"' in client_for("fp.protection").get("/").content.decode()
    coordinator = client_for("coord.tamba").get("/").content.decode()
    assert (
        'id="overrides-to-review"' in coordinator and 'id="escalated-referrals"' not in coordinator
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10), tick=False):
        assert 'id="overdue-referrals"' in client_for("cm.tamba").get("/").content.decode()
        assert 'id="escalated-referrals"' in client_for("coord.tamba").get("/").content.decode()


def test_statistics_page_and_csv(client_for, case, job, users):
    refer(users, case, job)
    client = client_for("cm.kolda")  # the social-work case manager (Kolda scope: no referral)
    assert client.get(reverse("referrals:statistics")).status_code == 200
    page = client_for("coord.tamba").get(reverse("referrals:statistics")).content.decode()
    assert "Agence pour l&#x27;emploi des jeunes" in page
    csv_text = client_for("coord.tamba").get(reverse("referrals:statistics") + "?format=csv")
    assert b"Job placement" in csv_text.content
    assert client_for("cm.tamba").get(reverse("referrals:statistics")).status_code == 403


# --- API ------------------------------------------------------------------------------------


def api(user, method, path, body=None):
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=user)}"})
    if method == "GET":
        return client.get(path)
    return client.generic(
        method, path, data=json.dumps(body or {}), content_type="application/json"
    )


def test_the_api_refers_lists_and_moves_referrals(users, case, no_consent_case, job, clinic):
    cm = users["cm.tamba"]
    created = api(cm, "POST", "/api/referrals", {"case": case.pk, "service": job.pk, "reason": "W"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "SENT" and body["shared"]["NAME"] == "Moussa DIALLO"
    refused = api(
        cm, "POST", "/api/referrals", {"case": no_consent_case.pk, "service": job.pk, "reason": "W"}
    )
    assert refused.status_code == 422 and refused.json()["code"] == "no_consent"
    stale = api(
        cm,
        "POST",
        f"/api/referrals/{body['id']}/transitions",
        {"to": "ACCEPTED", "version": body["version"] - 1},
    )
    assert stale.status_code == 409
    invalid = api(cm, "POST", f"/api/referrals/{body['id']}/transitions", {"to": "CLOSED"})
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_transition"
    moved = api(
        cm,
        "POST",
        f"/api/referrals/{body['id']}/transitions",
        {"to": "ACCEPTED", "version": body["version"]},
    )
    assert moved.status_code == 200 and moved.json()["state"] == "ACCEPTED"
    medical = api(
        cm, "POST", "/api/referrals", {"case": case.pk, "service": clinic.pk, "reason": "M"}
    )
    assert medical.status_code == 201 and medical.json()["restricted"] is True
    assert medical.json()["reason"] is None
    listed = api(cm, "GET", "/api/referrals").json()
    assert listed["count"] == 2
    restricted = next(item for item in listed["items"] if item["tier"] == "MEDICAL")
    assert restricted["restricted"] and restricted["reason"] is None
    assert api(users["finance"], "GET", f"/api/referrals/{medical.json()['id']}").status_code == 404
    as_medical = api(users["fp.medical"], "GET", f"/api/referrals/{medical.json()['id']}")
    assert as_medical.json()["reason"] == "M"


def test_reading_a_referral_and_being_refused_are_recorded(client_for, case, job, users):
    referral = refer(users, case, job)
    url = reverse("referrals:detail", args=[referral.pk])
    client_for("cm.tamba").get(url)
    assert client_for("cm.kolda").get(url).status_code == 404
    events = AccessEvent.objects.filter(target_type="referral", target_id=str(referral.pk))
    assert sorted(events.values_list("action", flat=True)) == [
        "referral.denied",
        "referral.viewed",
    ]


def test_a_flagged_case_offers_a_referral_to_its_focal_point(client_for, case, users):
    client = client_for("cm.tamba")
    panel = reverse("referrals:case_panel", args=[case.pk])
    assert "Refer to the protection focal point" not in client.get(panel).content.decode()
    cases.case_flag_set(actor=users["cm.tamba"], case=case, flag="PROTECTION", value=True)
    assert "Refer to the protection focal point" in client.get(panel).content.decode()
    form = client.get(reverse("referrals:new", args=[case.pk]) + "?to=rPROTECTION_FP")
    assert re.search(r'value="rPROTECTION_FP"[^>]*checked', form.content.decode())
    services.referral_create(
        actor=users["cm.tamba"], case=case, recipient=Recipient.PROTECTION_FP, reason="Risk"
    )
    assert "Refer to the protection focal point" not in client.get(panel).content.decode()


def test_a_browser_posting_with_csrf_checks_can_answer_through_the_link(
    client_for, case, job, users
):
    """The provider's browser sends the page's Origin and CSRF token (the page must not ask
    the browser to hide its origin, or Django refuses the answer)."""
    referral = refer(users, case, job)
    path = issue_link(client_for("cm.tamba"), referral)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.get("Referrer-Policy", "same-origin") != "no-referrer"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    response = browser.post(
        path,
        {"to": "ACCEPTED", "version": referral.version, "csrfmiddlewaretoken": token.group(1)},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED


def test_lists_count_only_the_referrals_the_user_may_know_of(client_for, case, clinic, job, users):
    refer(users, case, clinic)  # medical: the case manager knows of it, finance does not
    refer(users, case, job)
    listed = api(users["cm.tamba"], "GET", "/api/referrals").json()
    assert listed["count"] == 2 and len(listed["items"]) == 2
    assert api(users["finance"], "GET", f"/api/referrals?case={case.pk}").status_code == 403
    medical = api(users["fp.medical"], "GET", "/api/referrals").json()
    assert medical["count"] == 1 and medical["items"][0]["tier"] == "MEDICAL"
    protection = api(users["fp.protection"], "GET", "/api/referrals").json()
    assert protection["count"] == 0  # the case carries no protection flag: out of reach
    page = client_for("coord.tamba").get(reverse("referrals:list")).content.decode()
    assert page.count("Medical referral (restricted)") == 1


def test_log_lines_never_carry_a_provider_link(client_for, case, job, users):
    referral = refer(users, case, job)
    path = issue_link(client_for("cm.tamba"), referral)
    token = path.split("/")[2]
    (console,) = [h for h in logging.getLogger().handlers if h.filters]
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Gone", path), None
    )
    assert console.filter(record)
    line = console.format(record)
    assert token not in line and "/r/[link]/" in line
