"""Who the user is for access purposes: current role assignments and their office scopes."""

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db import connection
from django.utils import timezone

from reintegra.access.models import AccessGrant
from reintegra.access.policy import REACH, Level, Reach, level_for
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, RoleAssignment


@dataclass(frozen=True)
class Grant:
    """One current role assignment, with the office ids it covers."""

    role: str
    specialisation: str
    office_id: int | None
    office_ids: frozenset[int]

    @property
    def reach(self) -> Reach:
        return REACH[self.role]

    def level(self, tier: str) -> Level:
        return level_for(self.role, tier, self.specialisation)


@dataclass(frozen=True)
class CaseGrant:
    """A time-bound grant or a break-glass opening: a raised level on one tier of one case."""

    id: int
    kind: str
    case_id: int
    tier: str
    level: Level
    starts_at: datetime
    ends_at: datetime

    def is_current(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def _assignments_with_scopes(user_id: int) -> list[tuple[Any, ...]]:
    """The user's active role assignments, one row per office in each one's scope (the office
    and every office below it, by materialised-path prefix): one query for the whole
    principal. Paths hold only digits and slashes, so LIKE needs no escaping."""
    ra, office = RoleAssignment._meta.db_table, Office._meta.db_table
    sql = f"""SELECT ra.id, ra.role, ra.specialisation, ra.office_id, ra.expires_on, o.id
        FROM {ra} ra
        LEFT JOIN {office} a ON a.id = ra.office_id
        LEFT JOIN {office} o ON o.path LIKE a.path || '%%'
        WHERE ra.user_id = %s AND ra.is_active
        ORDER BY ra.id"""  # noqa: S608 - table names from the models, the user id a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return cursor.fetchall()


def _as_date(value: Any) -> date:
    """A date column as SQLite returns it (text) or PostgreSQL (a date)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


class Principal:
    """Access facts about one user, computed once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        if not getattr(self.user, "is_authenticated", False) or not self.user.is_active:
            return ()
        today = timezone.localdate()
        scopes: dict[int, tuple[str, str, int | None, set[int]]] = {}
        for pk, role, specialisation, office_id, expires_on, scoped in _assignments_with_scopes(
            self.user.pk
        ):
            if expires_on is not None and _as_date(expires_on) < today:
                continue
            entry = scopes.setdefault(pk, (role, specialisation, office_id, set()))
            if scoped is not None:
                entry[3].add(scoped)
        result = [
            Grant(role, specialisation, office_id, frozenset(ids))
            for role, specialisation, office_id, ids in scopes.values()
        ]
        return tuple(result)

    @cached_property
    def case_grants(self) -> tuple[CaseGrant, ...]:
        """The user's unrevoked, unexpired grants and break-glass openings (one query per
        request). Each use checks the clock again, so a grant ending during a request ends
        there: nothing outlives the request."""
        if not getattr(self.user, "is_authenticated", False) or not self.user.is_active:
            return ()
        rows = AccessGrant.objects.filter(
            user_id=self.user.pk, revoked_at__isnull=True, ends_at__gt=timezone.now()
        ).values_list("id", "kind", "case_id", "tier", "level", "starts_at", "ends_at")
        return tuple(
            CaseGrant(pk, kind, case_id, tier, Level(level), starts_at, ends_at)
            for pk, kind, case_id, tier, level, starts_at, ends_at in rows
        )

    def current_case_grants(self, case_id: int | None = None) -> list[CaseGrant]:
        now = timezone.now()
        return [
            g
            for g in self.case_grants
            if g.is_current(now) and (case_id is None or g.case_id == case_id)
        ]

    def granted_case_ids(self) -> set[int]:
        """The cases a current grant or break-glass opens to the user."""
        return {g.case_id for g in self.current_case_grants()}

    def case_grant_levels(self, case_id: int) -> dict[str, Level]:
        """The best level each current grant gives on a tier of this case."""
        levels: dict[str, Level] = {}
        for g in self.current_case_grants(case_id):
            levels[g.tier] = max(levels.get(g.tier, Level.NONE), g.level)
        return levels

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def offices(self, *roles: str) -> frozenset[int]:
        """Office ids in scope for these roles (all roles when none given)."""
        ids: set[int] = set()
        for g in self.grants:
            if not roles or g.role in roles:
                ids |= g.office_ids
        return frozenset(ids)

    def home_offices(self, *roles: str) -> frozenset[int]:
        """The offices the user is assigned at (not their sub-offices)."""
        return frozenset(
            g.office_id for g in self.grants if g.office_id and (not roles or g.role in roles)
        )

    def max_level(self, tier: str) -> Level:
        """The best level on a tier over all roles, whatever the object (for menus and pages)."""
        return max((g.level(tier) for g in self.grants), default=Level.NONE)

    @property
    def is_sysadmin(self) -> bool:
        return Role.SYSADMIN in self.roles

    @property
    def is_staff_member(self) -> bool:
        """Holds a programme role (the system administrator alone sees no programme data)."""
        return bool(self.roles) and not self.is_sysadmin


def principal(user: Any) -> Principal:
    """The cached Principal of a user object (one per request, as the user object is)."""
    cached = getattr(user, "_reintegra_principal", None)
    if cached is None:
        cached = Principal(user)
        with contextlib.suppress(AttributeError):
            user._reintegra_principal = cached
    return cached
