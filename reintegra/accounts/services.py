"""Writes on users, offices and role assignments (the system administrator's work)."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.choices import OfficeKind, Role
from reintegra.accounts.models import ApiToken, Office, RoleAssignment, User
from reintegra.audit.services import record
from reintegra.core.errors import StaleVersion, ValidationFailed

# Which kinds of office may sit under which.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OfficeKind.COUNTRY: {None},
    OfficeKind.NATIONAL: {OfficeKind.COUNTRY},
    OfficeKind.REGIONAL: {OfficeKind.NATIONAL, OfficeKind.COUNTRY},
    OfficeKind.LOCAL: {OfficeKind.REGIONAL, OfficeKind.NATIONAL},
    OfficeKind.HOST: {OfficeKind.COUNTRY},
}


def _set_path(office: Office) -> None:
    parent_path = office.parent.path if office.parent_id and office.parent else "/"
    office.path = f"{parent_path}{office.pk}/"


@transaction.atomic
def office_create(
    *,
    actor: Any,
    name: str,
    code: str,
    kind: str,
    country_code: str,
    parent: Office | None = None,
) -> Office:
    """Create an office in the tree. Audits `office.created`. Raises ValidationFailed."""
    parent_kind = parent.kind if parent else None
    if kind not in OfficeKind.values:
        raise ValidationFailed(_("Unknown office kind."), field="kind")
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise ValidationFailed(
            _("This kind of office cannot sit under that parent."), field="parent"
        )
    code = code.strip().upper()
    if not code or Office.objects.filter(code=code).exists():
        raise ValidationFailed(_("This office code is empty or already used."), field="code")
    office = Office(
        name=name.strip(),
        code=code,
        kind=kind,
        parent=parent,
        country_code=country_code.strip().upper()[:2],
    )
    office.save()
    _set_path(office)
    office.save(update_fields=["path"])
    record(
        actor=actor,
        action="office.created",
        target=office,
        changes={"name": [None, office.name], "kind": [None, kind]},
    )
    return office


@transaction.atomic
def office_update(
    *, actor: Any, office: Office, version: int, name: str, is_active: bool
) -> Office:
    """Rename or (de)activate an office. Audits `office.updated`. Raises StaleVersion."""
    locked = Office.objects.select_for_update().get(pk=office.pk)
    if locked.version != version:
        raise StaleVersion(_("This office was changed by someone else. Reload and try again."))
    changes: dict[str, list[Any]] = {}
    if locked.name != name.strip():
        changes["name"] = [locked.name, name.strip()]
    if locked.is_active != is_active:
        changes["is_active"] = [locked.is_active, is_active]
    locked.name, locked.is_active = name.strip(), is_active
    locked.version += 1
    locked.save()
    record(actor=actor, action="office.updated", target=locked, changes=changes)
    return locked


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a staff account. Audits `user.created`. Raises ValidationFailed on a taken name."""
    username = username.strip().lower()
    if not username or User.objects.filter(username=username).exists():
        raise ValidationFailed(_("This username is empty or already taken."), field="username")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password_hash:
        # An already hashed password (the demo gives every persona the same one).
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(actor=actor, action="user.created", target=user, changes={"username": [None, username]})
    return user


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: User,
    role: str,
    office: Office | None,
    specialisation: str = "",
    expires_on: date | None = None,
) -> RoleAssignment:
    """Give a user a role at an office. Audits `role.assigned`. Raises ValidationFailed."""
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")
    if role != Role.SYSADMIN and office is None:
        raise ValidationFailed(_("This role needs an office."), field="office")
    if specialisation and role != Role.CASE_MANAGER:
        raise ValidationFailed(
            _("Only case managers have a specialisation."), field="specialisation"
        )
    if expires_on and expires_on < timezone.localdate():
        raise ValidationFailed(_("The expiry date is in the past."), field="expires_on")
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        office=office,
        specialisation=specialisation,
        expires_on=expires_on,
    )
    record(
        actor=actor,
        action="role.assigned",
        target=assignment,
        changes={
            "user": [None, user.username],
            "role": [None, role],
            "office": [None, office.code if office else None],
        },
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    """End a role assignment and the user's sessions and tokens. Audits `role.revoked`."""
    assignment.is_active = False
    assignment.save(update_fields=["is_active", "updated_at"])
    sessions_end(user=assignment.user)
    record(
        actor=actor,
        action="role.revoked",
        target=assignment,
        changes={"role": [assignment.role, None]},
    )
    return assignment


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Deactivate an account, ending its sessions and API tokens. Audits `user.deactivated`."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_end(user=user)
    record(
        actor=actor, action="user.deactivated", target=user, changes={"is_active": [True, False]}
    )
    return user


# Where a user's session keys are recorded at sign-in: the access app (a higher layer) fills
# this in its AppConfig.ready() with a function that returns the keys of a user and forgets
# them. Without it, `sessions_end` falls back to decoding every live session.
SESSION_KEYS: list[Callable[[int], Iterable[str]]] = []


def sessions_end(*, user: User) -> None:
    """End every session and API token of a user at once."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if SESSION_KEYS:
        keys = {key for source in SESSION_KEYS for key in source(user.pk)}
        if keys:
            Session.objects.filter(session_key__in=keys).delete()
        return
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


@transaction.atomic
def api_token_issue(*, actor: User) -> str:
    """Issue a bearer token for the API; returns the raw token once. Audits `token.issued`."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=actor,
        key_hash=ApiToken.hash(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    record(actor=actor, action="token.issued", target=token)
    return raw


def api_token_user(raw: str) -> User | None:
    """The active user behind a bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
