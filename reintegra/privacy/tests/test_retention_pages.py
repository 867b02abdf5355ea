"""Pages and API of the retention area. Personas: coord.national keeps the rules; coord.tamba
reads them and holds Tambacounda cases; cm.tamba (case manager) uses neither."""

import datetime
import json

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent
from reintegra.cases import services as cases
from reintegra.people import services as people
from reintegra.privacy.models.retention import LegalHold, RetentionRule
from reintegra.privacy.permissions.retention import can_view_retention
from reintegra.privacy.selectors.retention import home_retention
from reintegra.privacy.services import retention as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, offices):
    cm = users["cm.tamba"]
    person = people.returnee_register(
        actor=cm,
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
        date_of_birth=datetime.date(1995, 3, 2),
        region="Tambacounda",
    )
    return cases.case_open(actor=cm, person=person, office=offices["TAM"])


@pytest.fixture
def kolda_case(users, offices):
    cm = users["cm.kolda"]
    person = people.returnee_register(
        actor=cm, office=offices["KLD"], given_names="Awa", family_name="Sy", sex="F"
    )
    return cases.case_open(actor=cm, person=person, office=offices["KLD"])


def case_rule():
    return {r.record_type: r for r in services.rules_ensure()}["CASE"]


def api(user, method, path, body=None):
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=user)}"})
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json")


def test_the_rules_page_shows_the_defaults_and_edit_links_to_the_national_coordinator(
    client_for,
):
    response = client_for("coord.national").get(reverse("privacy:retention_rules"))
    assert response.status_code == 200
    assert "not official figures" in response.content.decode()
    assert (
        reverse("privacy:retention_rule_edit", args=[case_rule().pk]) in response.content.decode()
    )
    regional = client_for("coord.tamba").get(reverse("privacy:retention_rules"))
    assert regional.status_code == 200
    assert "/edit/" not in regional.content.decode()
    assert client_for("cm.tamba").get(reverse("privacy:retention_rules")).status_code == 403


def test_the_national_coordinator_edits_a_rule_and_bad_input_is_a_form_error(client_for):
    rule = case_rule()
    url = reverse("privacy:retention_rule_edit", args=[rule.pk])
    client = client_for("coord.national")
    bad = client.post(url, {"period": "0", "unit": "YEARS", "version": rule.version})
    assert bad.status_code == 422
    assert RetentionRule.objects.get(pk=rule.pk).period == 7
    good = client.post(url, {"period": "10", "unit": "YEARS", "is_active": "on", "version": 1})
    assert good.status_code == 302
    assert RetentionRule.objects.get(pk=rule.pk).period == 10
    stale = client.post(url, {"period": "5", "unit": "YEARS", "is_active": "on", "version": 1})
    assert stale.status_code == 409
    assert RetentionRule.objects.get(pk=rule.pk).period == 10
    assert client_for("coord.tamba").post(url, {"period": "1", "unit": "YEARS"}).status_code == 403


def test_a_coordinator_places_and_lifts_a_hold_from_the_holds_page(client_for, case, kolda_case):
    client = client_for("coord.tamba")
    place = reverse("privacy:legal_hold_place")
    response = client.post(place, {"case_number": case.number, "reason": "Court inquiry"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(case=case)
    assert hold.is_active and hold.placed_by.username == "coord.tamba"
    page = client.get(reverse("privacy:legal_hold_list"))
    assert case.number in page.content.decode()
    # A case out of scope is answered like a missing one.
    client.post(place, {"case_number": kolda_case.number, "reason": "x"})
    client.post(place, {"case_number": "NOPE-1", "reason": "x"})
    assert not LegalHold.objects.filter(case=kolda_case).exists()
    lift = reverse("privacy:legal_hold_lift", args=[hold.pk])
    assert client.post(lift, {"reason": "", "version": hold.version}).status_code == 302
    assert LegalHold.objects.get(pk=hold.pk).is_active
    client.post(lift, {"reason": "Inquiry closed", "version": hold.version})
    assert not LegalHold.objects.get(pk=hold.pk).is_active
    assert AuditEvent.objects.filter(action="legal_hold.lifted", case_id=case.pk).exists()


def test_a_hold_out_of_scope_answers_404(client_for, users, kolda_case):
    hold = services.legal_hold_place(actor=users["coord.national"], case=kolda_case, reason="x")
    url = reverse("privacy:legal_hold_lift", args=[hold.pk])
    assert client_for("coord.tamba").post(url, {"reason": "y"}).status_code == 404
    assert client_for("cm.kolda").post(url, {"reason": "y"}).status_code == 404


def test_the_api_lists_and_edits_rules_with_versions(users):
    national = users["coord.national"]
    listed = api(national, "GET", "/api/privacy/retention-rules").json()
    assert listed["count"] == 3
    rule = next(r for r in listed["items"] if r["record_type"] == "DELIVERY")
    path = f"/api/privacy/retention-rules/{rule['id']}"
    bad = api(national, "PUT", path, {"period": 6, "unit": "WEEKS", "version": rule["version"]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    ok = api(national, "PUT", path, {"period": 6, "unit": "MONTHS", "version": rule["version"]})
    assert ok.status_code == 200 and ok.json()["period"] == 6
    stale = api(national, "PUT", path, {"period": 9, "unit": "MONTHS", "version": rule["version"]})
    assert stale.status_code == 409
    regional = api(users["coord.tamba"], "PUT", path, {"period": 9, "unit": "MONTHS", "version": 2})
    assert regional.status_code == 403
    assert api(users["cm.tamba"], "GET", "/api/privacy/retention-rules").status_code == 403


def test_the_api_places_and_lifts_holds_in_scope(users, case, kolda_case):
    coord = users["coord.tamba"]
    created = api(coord, "POST", "/api/privacy/legal-holds", {"case_id": case.pk, "reason": "Inq"})
    assert created.status_code == 201
    body = created.json()
    assert body["case_number"] == case.number and body["is_active"]
    again = api(coord, "POST", "/api/privacy/legal-holds", {"case_id": case.pk, "reason": "Inq"})
    assert again.status_code == 409
    out = api(coord, "POST", "/api/privacy/legal-holds", {"case_id": kolda_case.pk, "reason": "x"})
    assert out.status_code == 422
    assert api(coord, "GET", "/api/privacy/legal-holds?active=true").json()["count"] == 1
    lift = f"/api/privacy/legal-holds/{body['id']}/lift"
    assert api(coord, "POST", lift, {"reason": "done", "version": 99}).status_code == 409
    lifted = api(coord, "POST", lift, {"reason": "done", "version": body["version"]})
    assert lifted.status_code == 200 and not lifted.json()["is_active"]
    assert api(coord, "POST", lift, {"reason": "done", "version": 2}).status_code == 409


def test_the_home_section_lists_the_active_holds_of_the_scope(users, case, kolda_case):
    services.legal_hold_place(actor=users["coord.tamba"], case=case, reason="Inquiry")
    services.legal_hold_place(actor=users["coord.national"], case=kolda_case, reason="Audit")
    html = render_to_string(
        "privacy/retention/_home.html", {"retention": home_retention(users["coord.tamba"])}
    )
    assert case.number in html and kolda_case.number not in html
    assert home_retention(users["coord.national"])["held"] == 2
    assert home_retention(users["cm.tamba"]) is None
    assert can_view_retention(users["coord.tamba"]) and not can_view_retention(users["fp.comms"])
