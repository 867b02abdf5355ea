"""The shared password-protected download (reintegra.core.protected): AES ZIPs that open with
their password only, and the page that shows the password once then hands over the file."""

import html
import io
import re

import pytest
import pyzipper
from django.test import RequestFactory

from reintegra.core.protected import (
    ALPHABET,
    new_password,
    prepared_download,
    protected_download,
    protected_zip,
)

pytestmark = pytest.mark.django_db


def test_a_protected_zip_opens_with_its_password_only():
    data = protected_zip({"people.csv": "name\nMoussa SOUMARE\n"}, "secret-pass")
    assert b"SOUMARE" not in data
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(RuntimeError):
            archive.read("people.csv")
        archive.setpassword(b"not-the-password")
        with pytest.raises(RuntimeError):
            archive.read("people.csv")
        archive.setpassword(b"secret-pass")
        assert archive.read("people.csv") == b"name\nMoussa SOUMARE\n"


def test_passwords_are_random_and_readable():
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 24
        assert set(password.replace("-", "")) <= set(ALPHABET)


def _page(users, username="coord.tamba", query="?fmt=csv"):
    request = RequestFactory().get(f"/somewhere/{query}")
    request.user = users[username]
    return protected_download(request, "people.csv", "name\nMoussa\n", title="People")


def _get(users, url, username="coord.tamba"):
    request = RequestFactory().get(url)
    request.user = users[username]
    return request


def test_the_page_shows_the_password_and_the_link_works_once(users):
    page = _page(users)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    content = page.content.decode()
    password = re.search(r'id="protected-password">([^<]+)<', content).group(1)
    link = html.unescape(re.search(r'id="protected-download" href="([^"]+)"', content).group(1))
    assert link.startswith("/somewhere/?fmt=csv&zip=")
    answer = prepared_download(_get(users, link), "people.csv")
    assert answer is not None
    assert answer["Content-Disposition"] == 'attachment; filename="people.zip"'
    with pyzipper.AESZipFile(io.BytesIO(answer.content)) as archive:
        archive.setpassword(password.encode())
        assert archive.read("people.csv") == b"name\nMoussa\n"
    assert prepared_download(_get(users, link), "people.csv") is None


def test_another_users_token_gets_nothing(users):
    content = _page(users).content.decode()
    link = html.unescape(re.search(r'id="protected-download" href="([^"]+)"', content).group(1))
    assert prepared_download(_get(users, link, "cm.tamba"), "people.csv") is None
    assert prepared_download(_get(users, "/somewhere/?zip=" + "x" * 500), "people.csv") is None
    # A bad token gets a new page (a new password), never an error.
    fresh = protected_download(_get(users, "/somewhere/?zip=nonsense"), "people.csv", "x")
    assert fresh.status_code == 200
