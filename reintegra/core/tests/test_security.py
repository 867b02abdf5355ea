"""Security hardening: the Content-Security-Policy (and templates that keep to it), production
settings that `check --deploy` accepts, rate limits on the sign-in page and the token endpoint,
error pages without stack traces, and a request id on every answer."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from ninja import NinjaAPI

from config.settings import _tile_origin

ROOT = Path(django_settings.BASE_DIR)
PASSWORD = "reintegra-demo"
WRONG = "not-the-password"  # noqa: S105


# --- a URLconf with views that fail (used with @pytest.mark.urls(__name__)) ------------------


def _explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-internal-detail: kaboom in _explode")


_failing_api = NinjaAPI(urls_namespace="failing_api", docs_url=None)


@_failing_api.get("/boom", auth=None)
def _api_explode(request: HttpRequest) -> dict:
    raise RuntimeError("secret-internal-detail: kaboom in the API")


urlpatterns = [path("explode/", _explode), path("failing-api/", _failing_api.urls)]
handler500 = "reintegra.core.views.server_error"
handler404 = "reintegra.core.views.not_found"


def _body(response) -> str:
    return (b"".join(response) if response.streaming else response.content).decode()


# --- Content-Security-Policy -------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [d.strip().split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy(client_for):
    response = client_for("cm.tamba").get(reverse("home"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_sign_in_page_and_error_pages_carry_it_too(db):
    client = Client()
    for url in (reverse("account_login"), "/no-such-page/"):
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"], url


def test_a_nonce_used_by_a_template_is_in_the_policy(rf):
    """A template that needs an inline script writes `nonce="{{ csp_nonce }}"`: the same value
    is then allowed by the header (and changes with every response)."""
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">1</script>')
    nonces = []
    for _ in range(2):
        request = rf.get("/")
        middleware = ContentSecurityPolicyMiddleware(
            lambda req: HttpResponse(template.render({}, req))
        )
        response = middleware(request)
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in _policy(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.org:8443/{z}/{x}/{y}.png", "https://tiles.example.org:8443"),
        ("", ""),
        ("javascript:alert(1)", ""),
        ("/tiles/{z}/{x}/{y}.png", ""),  # same origin: 'self' covers it
    ],
)
def test_the_map_tile_server_origin_is_derived_from_the_tile_template(template, origin):
    assert _tile_origin(template) == origin


def _settings_in_a_process(env: dict[str, str], names: list[str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_map_tiles_configured_in_the_environment_are_allowed_as_images():
    env = {
        **os.environ,
        "REINTEGRA_ALLOW_INSECURE_KEY": "1",
        "REINTEGRA_MAP_TILES": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    }
    csp = _settings_in_a_process(env, ["SECURE_CSP"])["SECURE_CSP"]
    assert csp["img-src"] == ["'self'", "data:", "https://*.tile.openstreetmap.org"]


TEMPLATE_DIRS = [ROOT / "templates", *sorted((ROOT / "reintegra").glob("*/templates"))]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
DATA_SCRIPT = re.compile(r"type=[\"']application/(ld\+)?json[\"']", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_no_template_has_inline_script_style_or_event_handlers():
    """The policy forbids them: they would silently stop working in the browser."""
    problems = []
    templates = [t for d in TEMPLATE_DIRS for t in d.rglob("*.html")]
    assert len(templates) > 50
    for template in templates:
        text = template.read_text(encoding="utf-8")
        where = template.relative_to(ROOT)
        for match in INLINE_SCRIPT.finditer(text):
            if not DATA_SCRIPT.search(match.group(0)):
                problems.append(f"{where}: inline <script> without nonce")
        if INLINE_STYLE.search(text):
            problems.append(f"{where}: inline style")
        if EVENT_HANDLER.search(text):
            problems.append(f"{where}: on…= event handler attribute")
        if JS_URL.search(text):
            problems.append(f"{where}: javascript: URL")
    assert problems == []


def test_htmx_does_not_inject_its_indicator_style_element():
    """htmx adds a <style> element for its indicators unless told not to; the policy would
    block it (and the browser console would report a violation on every page)."""
    script = (ROOT / "static" / "js" / "reintegra.js").read_text(encoding="utf-8")
    assert "includeIndicatorStyles = false" in script


# --- production settings -----------------------------------------------------------------------


def _production_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REINTEGRA_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "REINTEGRA_SECRET_KEY": "x7!Qm2#vP9@rL4$tW8^zK1&nB6*cF3(hJ5)dG0_sA-yE+uR=oI",
            "REINTEGRA_ALLOWED_HOSTS": "reintegra.example.org",
            "REINTEGRA_SECURE": "1",
            "REINTEGRA_FIELD_KEYS": Fernet.generate_key().decode(),
            "REINTEGRA_DATA_DIR": str(data_dir),
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_use_secure_cookies_and_hsts(tmp_path):
    values = _settings_in_a_process(
        _production_env(tmp_path),
        [
            "DEBUG",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_CONTENT_TYPE_NOSNIFF",
            "X_FRAME_OPTIONS",
            "MIDDLEWARE",
        ],
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in values["MIDDLEWARE"]


@pytest.mark.django_db
def test_https_answers_carry_hsts_when_secure(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get(reverse("account_login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# --- rate limits -------------------------------------------------------------------------------


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def test_the_sign_in_page_locks_an_address_out_after_repeated_failures(users):
    client = Client()
    for username in ("cm.tamba", "cm.kolda", "cm.rabat", "cm.psy", "coord.tamba"):
        failed = _sign_in(client, username, "wrong-password")
        assert failed.status_code == 200
    # The sixth attempt from the same address is refused even with the right password.
    blocked = _sign_in(client, "finance", PASSWORD)
    assert blocked.status_code == 429 or b"Too many" in blocked.content
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert _sign_in(other, "finance", PASSWORD).status_code == 302


def _token(client: Client, username: str, password: str = WRONG, **extra):
    return client.post(
        "/api/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
        **extra,
    )


def _assert_rate_limited(response):
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited" and body["detail"]
    assert 0 < int(response["Retry-After"]) <= 300
    assert response["X-Request-Id"]


@pytest.mark.django_db
def test_the_token_endpoint_limits_requests_per_client_address(users):
    client = Client(REMOTE_ADDR="192.0.2.10")
    usernames = ["cm.tamba", "cm.kolda", "cm.rabat", "cm.psy", "coord.tamba", "finance"]
    # Ten requests, right or wrong, spread over usernames (so no per-username lock-out).
    for i in range(10):
        username = usernames[i % len(usernames)]
        password = PASSWORD if i % 2 else "wrong"
        assert _token(client, username, password).status_code in (200, 401)
    _assert_rate_limited(_token(client, "cm.tamba", PASSWORD))
    # Another address still gets tokens.
    assert _token(Client(REMOTE_ADDR="192.0.2.11"), "cm.tamba", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_limits_requests_per_username_from_any_address(users):
    for i in range(10):
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        # Right passwords: the failure lock-out (5 wrong ones) does not come into play.
        assert _token(client, "cm.tamba", PASSWORD).status_code == 200
    _assert_rate_limited(_token(Client(REMOTE_ADDR="198.51.100.200"), "cm.tamba", PASSWORD))
    # The username's limit does not block other users at that address.
    other = _token(Client(REMOTE_ADDR="198.51.100.200"), "cm.kolda", PASSWORD)
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_token_limit_ignores_forwarded_addresses_unless_a_proxy_is_trusted(users, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(10):
        # A client cannot escape the limit by inventing X-Forwarded-For addresses.
        forged = {"HTTP_X_FORWARDED_FOR": f"10.0.0.{i}"}
        _token(client, ["cm.tamba", "cm.kolda", "cm.rabat"][i % 3], **forged)
    _assert_rate_limited(_token(client, "finance", HTTP_X_FORWARDED_FOR="10.0.0.99"))

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for i in range(10):
        username = ("coord.national", "cm.psy")[i % 2]
        response = _token(proxy, username, PASSWORD, HTTP_X_FORWARDED_FOR="10.1.1.1")
        assert response.status_code == 200
    # Behind the trusted proxy, each client address has its own counter.
    _assert_rate_limited(_token(proxy, "coord.tamba", PASSWORD, HTTP_X_FORWARDED_FOR="10.1.1.1"))
    fresh = _token(proxy, "coord.tamba", PASSWORD, HTTP_X_FORWARDED_FOR="10.1.1.2")
    assert fresh.status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_still_locks_out_after_five_wrong_passwords(users):
    client = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(5):
        assert _token(client, "cm.tamba").status_code == 401
    assert _token(client, "cm.tamba", PASSWORD).status_code == 429


# --- error pages and request ids ---------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_an_exception_in_a_view_gives_the_500_page_with_the_request_id_and_no_traceback(
    db, settings
):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/explode/")
    assert response.status_code == 500
    body = _body(response)
    request_id = response["X-Request-Id"]
    assert len(request_id) >= 8
    assert request_id in body
    for leak in ("Traceback", "kaboom", "secret-internal-detail", "RuntimeError", "_explode"):
        assert leak not in body
    assert "Something went wrong" in body
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.urls(__name__)
def test_an_exception_in_an_api_operation_shows_no_traceback_either(db, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/failing-api/boom")
    assert response.status_code == 500
    body = _body(response)
    assert response["X-Request-Id"] in body
    assert "kaboom" not in body and "Traceback" not in body


def test_a_caller_supplied_request_id_is_kept_when_it_is_well_formed(db):
    response = Client().get(reverse("account_login"), headers={"X-Request-Id": "abc123-req-777"})
    assert response["X-Request-Id"] == "abc123-req-777"
    forged = Client().get(reverse("account_login"), headers={"X-Request-Id": "<script>x"})
    assert forged["X-Request-Id"] != "<script>x"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-Id"])


@pytest.mark.django_db
def test_every_kind_of_answer_carries_a_request_id(client_for, users):
    client = client_for("cm.tamba")
    answers = {
        "page": client.get(reverse("home")),
        "404 page": client.get("/no-such-page/"),
        "redirect": Client().get(reverse("home")),
        "api 200": client.get("/api/me"),
        "api 401": Client().get("/api/me"),
        "api 404": client.get("/api/cases/999999"),
        "api 422": client.get("/api/cases/not-a-number"),
        "static": Client().get("/static/js/reintegra.js"),
    }
    ids = set()
    for name, response in answers.items():
        assert re.fullmatch(r"[0-9a-f]{32}", response.get("X-Request-Id", "")), name
        ids.add(response["X-Request-Id"])
    assert len(ids) == len(answers)  # a new one for each request


def test_a_bad_host_gets_the_400_page_without_details(db, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    body = _body(response)
    assert "Bad request" in body
    assert "evil.example.com" not in body and "ALLOWED_HOSTS" not in body
    assert response["X-Request-Id"] in body


def test_the_404_page_does_not_echo_the_path(db):
    response = Client().get("/people/<b>probe</b>/")
    assert response.status_code == 404
    assert "probe" not in _body(response)
    assert "Page not found" in _body(response)
