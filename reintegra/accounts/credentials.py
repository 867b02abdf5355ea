"""Checking a username and password outside the sign-in pages (API tokens, ODK Collect), with
the same failure limit for every such door."""

import hashlib
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from reintegra.accounts.models import User
from reintegra.accounts.selectors import assignment_list
from reintegra.accounts.services import api_token_user

# Failed attempts allowed per username and address in the window before refusing.
MAX_FAILURES = 5
FAILURE_WINDOW = 300


def failure_key(request: HttpRequest, username: str) -> str:
    # The client address as allauth sees it (honours REINTEGRA_TRUSTED_PROXY_COUNT).
    address = get_adapter(request).get_client_ip(request)
    raw = f"{username.strip().lower()}|{address}".encode()
    return "api-token-failures:" + hashlib.sha256(raw).hexdigest()


def too_many_failures(key: str) -> bool:
    return (cache.get(key) or 0) >= MAX_FAILURES


def count_failure(key: str) -> None:
    cache.add(key, 0, timeout=FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=FAILURE_WINDOW)


def must_use_mfa(user: User) -> bool:
    """Roles that must set up MFA for the pages (outside demo mode) need it elsewhere too."""
    if settings.DEMO_MODE:
        return False
    today = timezone.localdate()
    return any(
        a.expires_on is None or a.expires_on >= today
        for a in assignment_list().filter(
            user=user, is_active=True, role__in=settings.MFA_REQUIRED_ROLES
        )
    )


def password_or_token_user(request: HttpRequest, username: str, secret: str) -> Any:
    """The user for HTTP Basic credentials, or None.

    The secret is either an API token of that user (how users with two-factor authentication
    sign in a data-collection app: a password alone must not bypass their second factor), or
    the account password of a user without two-factor authentication who is not required to
    have it. Failures count towards the same limit as token requests.
    """
    key = failure_key(request, username)
    if too_many_failures(key):
        return None
    user = api_token_user(secret)
    if user is not None and user.get_username() == username:
        cache.delete(key)
        return user
    user = authenticate(request, username=username, password=secret)
    if user is not None:
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not has_totp and not must_use_mfa(user):
            cache.delete(key)
            return user
    count_failure(key)
    return None
