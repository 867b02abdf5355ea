"""Cross-cutting HTTP behaviour: request ids, private pages, error pages without stack traces."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(users):
    response = Client().get(reverse("account_login"))
    assert len(response["X-Request-Id"]) == 32


def test_a_well_formed_incoming_request_id_is_kept(users):
    response = Client(headers={"x-request-id": "proxy-1234abcd"}).get(reverse("account_login"))
    assert response["X-Request-Id"] == "proxy-1234abcd"


def test_pages_for_signed_in_users_are_not_stored_by_browsers(client_for):
    response = client_for("cm.tamba").get(reverse("home"))
    assert response["Cache-Control"] == "private, no-store"


def test_a_missing_page_answers_404_without_details(client_for):
    response = client_for("cm.tamba").get("/cases/999999999/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
