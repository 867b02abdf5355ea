"""Test fixtures shared by every app: the demo programme's offices and personas.

Each persona fixture is a user of DESIGN.md §9; tests name them by what they are.
"""

import pytest
from django.test import Client

from reintegra.demo.personas import programme_ensure


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
