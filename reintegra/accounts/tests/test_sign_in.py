"""Signing in: MFA for coordinators and the administrator, lockout, idle expiry, languages."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "reintegra-demo"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def test_a_persona_signs_in_and_lands_on_the_home_page(users):
    client = Client()
    response = sign_in(client, "cm.tamba")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(users):
    response = sign_in(Client(), "cm.tamba", "wrong-password")
    assert response.status_code == 200
    assert b"not correct" in response.content or b"incorrect" in response.content.lower()


def test_repeated_failures_lock_the_account_out_for_a_while(users):
    client = Client()
    for _ in range(5):
        sign_in(client, "cm.kolda", "wrong-password")
    response = sign_in(client, "cm.kolda")
    assert response.status_code == 429 or b"Too many" in response.content


def test_coordinators_must_set_up_mfa_outside_demo_mode(users, settings):
    settings.DEMO_MODE = False
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    client = Client()
    sign_in(client, "coord.tamba")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]


def test_the_api_refuses_a_coordinator_session_without_mfa(users, settings):
    settings.DEMO_MODE = False
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    client = Client()
    sign_in(client, "coord.national")
    response = client.get("/api/me")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"


def test_case_managers_may_work_without_mfa(users, settings):
    settings.DEMO_MODE = False
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    client = Client()
    sign_in(client, "cm.tamba")
    assert client.get(reverse("home")).status_code == 200


def test_demo_mode_says_so_on_the_login_page_and_does_not_require_mfa(users, settings):
    settings.DEMO_MODE = True
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    client = Client()
    page = client.get(reverse("account_login"))
    assert b"reintegra-demo" in page.content
    sign_in(client, "coord.national")
    assert client.get(reverse("home")).status_code == 200


def test_an_idle_session_expires_after_thirty_minutes(users):
    client = Client()
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "cm.tamba")
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=56), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_french_interface_follows_the_browser_language(users):
    client = Client(headers={"accept-language": "fr"})
    page = client.get(reverse("account_login"))
    assert page.headers.get("Content-Language") == "fr"


def test_a_deactivated_user_loses_their_session_at_once(users):
    from reintegra.accounts.services import user_deactivate

    client = Client()
    sign_in(client, "cm.tamba")
    user_deactivate(actor=users["sysadmin"], user=users["cm.tamba"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
