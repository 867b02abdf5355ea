"""Who the user is for access purposes: current role assignments and their office scopes."""

import contextlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Q
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


def office_subtree_ids(office_ids: list[int]) -> frozenset[int]:
    """Ids of these offices and all offices below them (materialised path prefix)."""
    if not office_ids:
        return frozenset()
    paths = list(Office.objects.filter(id__in=office_ids).values_list("path", flat=True))
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return frozenset(Office.objects.filter(condition).values_list("id", flat=True))


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
            for a in RoleAssignment.objects.filter(user=self.user, is_active=True)
            if a.expires_on is None or a.expires_on >= today
        ]
        result = []
        for a in assignments:
            ids = office_subtree_ids([a.office_id]) if a.office_id else frozenset()
            result.append(Grant(a.role, a.specialisation, a.office_id, ids))
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
