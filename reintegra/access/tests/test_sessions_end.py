"""Deactivating a user or revoking a role ends their sessions and API tokens at once."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from reintegra.access.models import UserSession
from reintegra.accounts import services as accounts
from reintegra.accounts.models import RoleAssignment

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    token = accounts.api_token_issue(actor=user)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/cases/").status_code == 200
    assert api.get("/api/cases").status_code == 200
    return client, api


def test_signing_in_records_the_session_key_and_signing_out_forgets_it(users):
    client = Client()
    client.force_login(users["cm.tamba"])
    key = client.session.session_key
    assert UserSession.objects.filter(user=users["cm.tamba"], session_key=key).exists()
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()


def test_revoking_a_role_ends_sessions_and_tokens_at_once(users):
    cm, other = users["cm.tamba"], users["cm.psy"]
    client, api = signed_in(cm)
    other_client, other_api = signed_in(other)
    assignment = RoleAssignment.objects.get(user=cm, is_active=True)
    accounts.role_revoke(actor=users["sysadmin"], assignment=assignment)
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api.get("/api/cases").status_code == 401
    assert not UserSession.objects.filter(user=cm).exists()
    # Nobody else is signed out.
    assert other_client.get("/cases/").status_code == 200
    assert other_api.get("/api/cases").status_code == 200


def test_deactivating_a_user_ends_sessions_and_tokens_at_once(users):
    cm = users["cm.kolda"]
    client, api = signed_in(cm)
    accounts.user_deactivate(actor=users["sysadmin"], user=cm)
    assert client.get("/cases/").status_code == 302
    assert api.get("/api/cases").status_code == 401


def test_ending_sessions_deletes_only_the_recorded_ones(users):
    """No decoding of every session: the keys recorded at sign-in are deleted, others stay."""
    cm = users["cm.tamba"]
    first, second = Client(), Client()
    first.force_login(cm)
    second.force_login(cm)
    bystander = Client()
    bystander.force_login(users["coord.tamba"])
    assert UserSession.objects.filter(user=cm).count() == 2
    accounts.sessions_end(user=cm)
    assert not Session.objects.filter(
        session_key__in=[first.session.session_key, second.session.session_key]
    ).exists()
    assert Session.objects.filter(session_key=bystander.session.session_key).exists()


def test_the_console_revokes_a_role_and_signs_the_person_out(users, client_for):
    cm = users["cm.psy"]
    client, api = signed_in(cm)
    assignment = RoleAssignment.objects.get(user=cm, is_active=True)
    console = client_for("sysadmin")
    response = console.post(f"/console/users/{cm.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 302
    assert api.get("/api/cases").status_code == 401
