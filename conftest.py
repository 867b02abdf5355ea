"""Test fixtures shared by every app: the demo programme's offices and personas.

Each persona fixture is a user of DESIGN.md §9; tests name them by what they are.
"""

import pytest
from django.test import Client

from reintegra.demo.personas import programme_ensure


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Hashing passwords the production way costs seconds per persona: tests use a fast hasher.
    The test client speaks plain HTTP and static files are not collected."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    # MFA enrolment is tested on its own (accounts/tests/test_sign_in.py); page and API tests
    # sign coordinators in without it.
    settings.MFA_REQUIRED_ROLES = []
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Rate-limit counters live in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def programme(db):
    """The demo offices and the twelve personas (password `reintegra-demo`)."""
    offices, users = programme_ensure(password="reintegra-demo")
    return offices, users


@pytest.fixture
def offices(programme):
    return programme[0]


@pytest.fixture
def users(programme):
    return programme[1]


@pytest.fixture
def client_for(users):
    """A logged-in test client for a persona: `client_for("cm.tamba")`."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return make


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL (locks, triggers): skip them on SQLite."""
    import os

    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _allow_flush_of_audit_tables(request):
    """Transactional tests end with a flush (TRUNCATE), which the audit trigger refuses;
    this test session (and only it) may truncate."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        yield
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET reintegra.allow_truncate = 'on'")
    yield
