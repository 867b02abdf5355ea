"""Who the user is for access purposes: current role assignments and their office scopes."""

import contextlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

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


def _subtrees(paths: set[str]) -> dict[str, frozenset[int]]:
    """For each materialised path, the ids of its office and every office below it (one query
    for all of them)."""
    if not paths:
        return {}
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    tree = list(Office.objects.filter(condition).values_list("id", "path"))
    return {path: frozenset(i for i, p in tree if p.startswith(path)) for path in paths}


class Principal:
    """Access facts about one user, computed once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        if not getattr(self.user, "is_authenticated", False) or not self.user.is_active:
            return ()
        today = timezone.localdate()
        assignments = [
            a
            for a in RoleAssignment.objects.filter(user=self.user, is_active=True).annotate(
                office_path=F("office__path")
            )
            if a.expires_on is None or a.expires_on >= today
        ]
        subtrees = _subtrees({a.office_path for a in assignments if a.office_id})
        result = [
            Grant(
                a.role,
                a.specialisation,
                a.office_id,
                subtrees[a.office_path] if a.office_id else frozenset(),
            )
            for a in assignments
        ]
        return tuple(result)

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


def principal(user: Any) -> Principal:
    """The cached Principal of a user object (one per request, as the user object is)."""
    cached = getattr(user, "_reintegra_principal", None)
    if cached is None:
        cached = Principal(user)
        with contextlib.suppress(AttributeError):
            user._reintegra_principal = cached
    return cached
