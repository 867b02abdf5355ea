"""The API's common ground: tokens, authentication, the error shape, the OpenAPI schema.

Personas (DESIGN §9): cm.tamba is a case manager at Tambacounda, coord.national a coordinator
(who must use MFA outside demo mode), sysadmin sees no personal data.
"""

import json
import time
from datetime import timedelta

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from reintegra.accounts.models import ApiToken
from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent

PASSWORD = "reintegra-demo"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Failure counters and used TOTP codes live in the cache: each test starts clean.
    cache.clear()
    yield
    cache.clear()


def call(client: Client, method: str, path: str, data=None, raw: str | None = None, **headers):
    body = raw if raw is not None else (json.dumps(data) if data is not None else None)
    kwargs = {"secure": True, "headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def current_code(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


# --- the schema ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_schema_is_served_and_lists_every_operation():
    response = call(Client(), "get", "/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/token",
        "/api/me",
        "/api/offices",
        "/api/people",
        "/api/people/{person_id}",
        "/api/people/{person_id}/consents",
        "/api/consents/{consent_id}/withdraw",
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/transitions",
        "/api/cases/{case_id}/notes",
        "/api/cases/{case_id}/handovers",
        "/api/handovers/{handover_id}/accept",
        "/api/handovers/{handover_id}/refuse",
    ):
        assert path in schema["paths"], path
    assert {"TokenAuth", "CookieSessionAuth"} <= set(schema["components"]["securitySchemes"])
    # Every reference points at a component that exists.
    refs = {
        part.split("/")[-1]
        for part in json.dumps(schema).split('"$ref": "')[1:]
        for part in [part.split('"')[0]]
    }
    assert refs <= set(schema["components"]["schemas"])


# --- authentication -----------------------------------------------------------------------


@pytest.mark.django_db
def test_without_credentials_the_api_answers_401_with_the_error_shape(programme):
    response = call(Client(), "get", "/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "code": "not_authenticated"}


@pytest.mark.django_db
def test_the_session_cookie_of_the_pages_authenticates(client_for):
    response = call(client_for("cm.tamba"), "get", "/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "cm.tamba"


@pytest.mark.django_db
def test_a_session_write_without_the_csrf_token_is_refused(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["cm.tamba"])
    response = call(client, "post", "/api/people", {"office_id": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.django_db
def test_a_case_manager_exchanges_a_password_for_a_token_that_works_as_bearer(users):
    response = call(Client(), "post", "/api/token", {"username": "cm.tamba", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuditEvent.objects.filter(action="token.issued", actor=users["cm.tamba"]).exists()
    me = call(Client(), "get", "/api/me", **bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "cm.tamba"


@pytest.mark.django_db
def test_a_bearer_write_needs_no_csrf_token(users, offices):
    token = api_token_issue(actor=users["cm.tamba"])
    client = Client(enforce_csrf_checks=True)
    body = {"office_id": offices["TAM"].pk, "given_names": "Awa", "family_name": "Sy", "sex": "F"}
    response = call(client, "post", "/api/people", body, **bearer(token))
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_wrong_password_answers_401(programme):
    response = call(Client(), "post", "/api/token", {"username": "cm.tamba", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_an_unknown_user_answers_401_like_a_wrong_password(programme):
    response = call(Client(), "post", "/api/token", {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_the_sixth_failed_attempt_is_throttled_even_with_the_right_password(programme):
    client = Client()
    for _ in range(5):
        wrong = call(client, "post", "/api/token", {"username": "cm.tamba", "password": "x"})
        assert wrong.status_code == 401
    right = call(client, "post", "/api/token", {"username": "cm.tamba", "password": PASSWORD})
    assert right.status_code == 429
    assert right.json()["code"] == "throttled"
    # Another username from the same address is not locked out.
    other = call(client, "post", "/api/token", {"username": "cm.kolda", "password": PASSWORD})
    assert other.status_code == 200


@pytest.mark.django_db
def test_garbage_expired_and_revoked_tokens_answer_401(users):
    cm = users["cm.tamba"]
    assert call(Client(), "get", "/api/me", **bearer("garbage")).status_code == 401
    expired = api_token_issue(actor=cm)
    ApiToken.objects.filter(key_hash=ApiToken.hash(expired)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert call(Client(), "get", "/api/me", **bearer(expired)).status_code == 401
    revoked = api_token_issue(actor=cm)
    ApiToken.objects.filter(key_hash=ApiToken.hash(revoked)).update(revoked_at=timezone.now())
    assert call(Client(), "get", "/api/me", **bearer(revoked)).status_code == 401


@pytest.mark.django_db
def test_a_deactivated_users_token_stops_working(users):
    cm = users["cm.tamba"]
    token = api_token_issue(actor=cm)
    cm.is_active = False
    cm.save(update_fields=["is_active"])
    assert call(Client(), "get", "/api/me", **bearer(token)).status_code == 401


@pytest.mark.django_db
def test_with_totp_on_the_code_is_required_and_checked(users):
    secret = generate_totp_secret()
    TOTP.activate(users["cm.tamba"], secret)
    body = {"username": "cm.tamba", "password": PASSWORD}
    missing = call(Client(), "post", "/api/token", body)
    assert missing.status_code == 401
    assert missing.json()["code"] == "otp_required"
    wrong = call(Client(), "post", "/api/token", {**body, "otp": "000000"})
    if current_code(secret) != "000000":
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "otp_invalid"
    right = call(Client(), "post", "/api/token", {**body, "otp": current_code(secret)})
    assert right.status_code == 200
    assert right.json()["token"]


@pytest.mark.django_db
def test_a_totp_code_cannot_be_replayed(users):
    secret = generate_totp_secret()
    TOTP.activate(users["cm.tamba"], secret)
    body = {"username": "cm.tamba", "password": PASSWORD, "otp": current_code(secret)}
    assert call(Client(), "post", "/api/token", body).status_code == 200
    assert call(Client(), "post", "/api/token", body).json()["code"] == "otp_invalid"


@pytest.mark.django_db
def test_a_coordinator_without_mfa_gets_no_token_outside_demo_mode(programme, settings):
    settings.DEMO_MODE = False
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    body = {"username": "coord.national", "password": PASSWORD}
    response = call(Client(), "post", "/api/token", body)
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    settings.DEMO_MODE = True
    assert call(Client(), "post", "/api/token", body).status_code == 200


@pytest.mark.django_db
def test_a_coordinator_with_mfa_gets_a_token_with_the_code(users, settings):
    settings.DEMO_MODE = False
    secret = generate_totp_secret()
    TOTP.activate(users["coord.national"], secret)
    body = {"username": "coord.national", "password": PASSWORD, "otp": current_code(secret)}
    assert call(Client(), "post", "/api/token", body).status_code == 200


# --- bad input is never a 500 ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    ["{", "not json", '{"username": ', "\xff\xfe", "[]", '"text"', "null", "12"],
)
def test_a_malformed_body_answers_422(programme, raw):
    response = call(Client(), "post", "/api/token", raw=raw)
    assert response.status_code == 422
    assert set(response.json()) >= {"detail", "code"}


@pytest.mark.django_db
def test_wrong_types_and_unknown_fields_answer_422_with_the_field(programme):
    response = call(Client(), "post", "/api/token", {"username": ["x"], "password": 3})
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid"
    assert data["field"] in {"username", "password"}
    extra = {"username": "cm.tamba", "password": PASSWORD, "admin": True}
    assert call(Client(), "post", "/api/token", extra).status_code == 422


@pytest.mark.django_db
def test_nul_characters_answer_422(client_for):
    client = client_for("cm.tamba")
    assert call(client, "get", "/api/people?q=a%00b").status_code == 422
    body = {"username": "cm\x00tamba", "password": PASSWORD}
    assert call(Client(), "post", "/api/token", body).status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/people/abc",
        "/api/people/0",
        "/api/people/-4",
        "/api/people/99999999999999999999999999",
        "/api/cases/1.5",
        "/api/cases?office=abc",
        "/api/cases?page=abc",
        "/api/people?office=99999999999999999999999999",
    ],
)
def test_ids_that_are_not_database_ids_answer_422(client_for, path):
    response = call(client_for("cm.tamba"), "get", path)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["999999999", "-3", "0", "99999999999999999999999999"])
def test_any_page_number_answers_a_page(client_for, page):
    response = call(client_for("cm.tamba"), "get", f"/api/offices?page={page}")
    assert response.status_code == 200
    assert response.json()["count"] == 6


@pytest.mark.django_db
def test_a_missing_object_answers_404_with_the_error_shape(client_for):
    response = call(client_for("cm.tamba"), "get", "/api/cases/987654")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


# --- me and offices -------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_lists_the_current_roles_with_their_office(client_for, offices, users):
    response = call(client_for("cm.psy"), "get", "/api/me")
    data = response.json()
    assert data["id"] == users["cm.psy"].pk
    assert data["name"] == "Awa Ndiaye"
    assert data["language"]
    assert data["roles"] == [
        {
            "role": "CASE_MANAGER",
            "office": {"id": offices["TAM"].pk, "name": "Tambacounda"},
            "specialisation": "PSYCHOSOCIAL",
            "expires_on": None,
        }
    ]


@pytest.mark.django_db
def test_me_leaves_out_expired_assignments(client_for, users):
    users["cm.tamba"].assignments.update(expires_on=timezone.localdate() - timedelta(days=1))
    assert call(client_for("cm.tamba"), "get", "/api/me").json()["roles"] == []


@pytest.mark.django_db
def test_me_shows_the_system_administrator_without_an_office(client_for):
    roles = call(client_for("sysadmin"), "get", "/api/me").json()["roles"]
    assert roles[0]["role"] == "SYSADMIN"
    assert roles[0]["office"] is None


@pytest.mark.django_db
def test_any_signed_in_user_lists_the_offices(client_for, offices):
    response = call(client_for("fp.comms"), "get", "/api/offices")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 6
    tam = next(o for o in data["items"] if o["code"] == "TAM")
    assert tam == {
        "id": offices["TAM"].pk,
        "name": "Tambacounda",
        "code": "TAM",
        "kind": "REGIONAL",
        "parent_id": offices["DKR"].pk,
        "country_code": "SN",
        "is_active": True,
    }
