"""Password-protected (AES) ZIP files for downloads that carry personal data.

A file with personal data leaves the system encrypted: the page shows a generated password once
(the user passes it on by another channel) and offers the ZIP. The password is never stored.

`protected_download(request, filename, content)` is the one way a view offers such a file:
the first request builds the ZIP, keeps it for a few minutes in the cache for this user only and
renders a page with the password and a link; the link (same URL, plus `zip=<token>`) answers
the ZIP itself.
"""

import io
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

import pyzipper
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Without look-alike characters (0/O, 1/l/I): the password is read out or copied by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# How long the prepared ZIP waits for its download.
KEEP_SECONDS = 600


def new_password(groups: int = 5, size: int = 4) -> str:
    """A random password of `groups` groups of `size` characters (about 99 bits by default)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def protected_zip(files: Mapping[str, bytes | str], password: str) -> bytes:
    """A ZIP of `files` (name -> content), each encrypted with AES-256 under `password`."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def zip_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem}.zip"


def zip_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(filename)}"'
    response["Cache-Control"] = "no-store"
    return response


def _key(user_id: object, token: str) -> str:
    return f"protected-download:{user_id}:{token}"


def prepared_download(request: HttpRequest, filename: str) -> HttpResponse | None:
    """The ZIP prepared by `protected_download` when the request carries its token (`?zip=`),
    once; None otherwise. Views call it first, so the link does not rebuild the file."""
    token = request.GET.get("zip", "")
    if not token or len(token) > 100:
        return None
    key = _key(request.user.pk, token)
    data = cache.get(key)
    if data is None:
        return None
    cache.delete(key)
    return zip_response(filename, data)


def protected_download(
    request: HttpRequest, filename: str, content: bytes | str, *, title: str = ""
) -> HttpResponse:
    """Offer `content` (a file named `filename`) as a password-protected ZIP: answer the ZIP
    when the request carries a valid token (see `prepared_download`), otherwise prepare it,
    keep it for this user for a few minutes and render the page that shows the password once
    with the download link (the same URL plus the token). A used, expired or another user's
    token gets a fresh ZIP and password."""
    ready = prepared_download(request, filename)
    if ready is not None:
        return ready
    password = new_password()
    token = secrets.token_urlsafe(24)
    data = protected_zip({filename: content}, password)
    cache.set(_key(request.user.pk, token), data, KEEP_SECONDS)
    query = {k: v for k, v in request.GET.items() if k != "zip"}
    query["zip"] = token
    context = {
        "password": password,
        "filename": zip_name(filename),
        "inner_name": filename,
        "download_url": f"{request.path}?{urlencode(query)}",
        "title": title,
        "minutes": KEEP_SECONDS // 60,
    }
    response = render(request, "core/protected_download.html", context)
    response["Cache-Control"] = "no-store"
    return response
