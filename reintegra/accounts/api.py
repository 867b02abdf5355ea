"""API: bearer tokens, the signed-in user, the office tree."""

import hashlib
import time
from datetime import date
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from reintegra.accounts.credentials import (
    count_failure,
    failure_key,
    must_use_mfa,
    too_many_failures,
)
from reintegra.accounts.models import Office, User
from reintegra.accounts.selectors import assignment_list, office_list
from reintegra.accounts.services import api_token_issue
from reintegra.core.api import ERRORS, ErrorOut, Ref, Text, error_response
from reintegra.core.pagination import paginate

router = Router(tags=["accounts"])


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    otp: Text | None = Field(None, max_length=32)


class TokenOut(Schema):
    token: str


class RoleOut(Schema):
    role: str
    office: Ref | None
    specialisation: str
    expires_on: date | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[RoleOut]
    language: str


class OfficeOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None
    country_code: str
    is_active: bool


class OfficePage(Schema):
    items: list[OfficeOut]
    count: int


def office_ref(office: Office | None) -> dict | None:
    return {"id": office.pk, "name": office.name} if office else None


def user_ref(user: User | None) -> dict | None:
    return {"id": user.pk, "name": str(user)} if user else None


def _token_rate() -> tuple[int, int]:
    """REINTEGRA_TOKEN_RATE: "<requests>/<seconds>" (default 10 per 5 minutes)."""
    try:
        count, seconds = str(settings.REINTEGRA_TOKEN_RATE).split("/", 1)
        return max(1, int(count)), max(1, int(seconds))
    except (AttributeError, ValueError):
        return 10, 300


def token_rate_wait(request: HttpRequest, username: str) -> int:
    """Count this token request against its client address and its username; the seconds to
    wait when either is over the limit (0 when allowed). Every request counts, right or wrong:
    failures also count towards the stricter lock-out of `credentials.failure_key`."""
    limit, window = _token_rate()
    try:
        # The client address as allauth sees it (honours REINTEGRA_TRUSTED_PROXY_COUNT).
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        address = "unknown"
    now = time.time()
    slot = int(now // window)
    wait = 0
    for kind, value in (("ip", address), ("user", username.strip().lower())):
        digest = hashlib.sha256(value.encode()).hexdigest()
        key = f"api-token-rate:{kind}:{slot}:{digest}"
        cache.add(key, 0, timeout=window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            used = 1
        if used > limit:
            wait = max(wait, int((slot + 1) * window - now) + 1)
    return wait


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, str] | HttpResponse:
    """Exchange a username and password (and the TOTP code when MFA is on) for a bearer token."""
    wait = token_rate_wait(request, payload.username)
    if wait:
        response = error_response(
            request, 429, _("Too many requests. Try again later."), "rate_limited"
        )
        response["Retry-After"] = str(wait)
        return response
    key = failure_key(request, payload.username)
    if too_many_failures(key):
        return error_response(
            request, 429, _("Too many failed attempts. Try again later."), "throttled"
        )
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        count_failure(key)
        return error_response(
            request, 401, _("The username or password is not correct."), "invalid_credentials"
        )
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        if not payload.otp:
            return error_response(
                request, 401, _("Enter the code of your authenticator app."), "otp_required"
            )
        if not totp.wrap().validate_code(payload.otp.strip()):
            count_failure(key)
            return error_response(
                request, 401, _("The authenticator code is not correct."), "otp_invalid"
            )
        totp.record_usage()
    elif must_use_mfa(user):
        return error_response(
            request,
            403,
            _("Set up two-factor authentication in the pages before using the API."),
            "mfa_setup_required",
        )
    cache.delete(key)
    return {"token": api_token_issue(actor=user)}


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user and their current role assignments."""
    user: User = request.auth  # type: ignore[attr-defined]
    today = timezone.localdate()
    roles = [
        {
            "role": a.role,
            "office": office_ref(a.office),
            "specialisation": a.specialisation,
            "expires_on": a.expires_on,
        }
        for a in assignment_list().filter(user=user, is_active=True)
        if a.expires_on is None or a.expires_on >= today
    ]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": str(user),
        "roles": roles,
        "language": getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE,
    }


@router.get("/offices", response={200: OfficePage, **ERRORS})
def offices(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """The office tree, in tree order (no personal data: any signed-in user)."""
    result = paginate(office_list(), page)
    return {
        "items": [
            {
                "id": o.pk,
                "name": o.name,
                "code": o.code,
                "kind": o.kind,
                "parent_id": o.parent_id,
                "country_code": o.country_code,
                "is_active": o.is_active,
            }
            for o in result.items
        ],
        "count": result.count,
    }
