"""Pure predicates about what a user may do with a case, from the policy table.

`case_access(user, case)` computes the user's level on every tier for that case once;
every predicate reads it. Templates get the same object, so a button shows only when allowed.
"""

from dataclasses import dataclass, field
from typing import Any

from reintegra.access.policy import (
    FLAGGING_ROLES,
    RECEIVING_ROLES,
    SUPERVISING_ROLES,
    Level,
    Tier,
)
from reintegra.access.principal import CaseGrant, principal
from reintegra.access.scoping import case_levels, reaches
from reintegra.accounts.choices import Role
from reintegra.cases.choices import Flag, HandoverStatus, Stage
from reintegra.cases.models import Assignment

FLAG_TIER: dict[str, str] = {
    Flag.PROTECTION: Tier.PROTECTION,
    Flag.MEDICAL: Tier.MEDICAL,
    Flag.PSYCHOSOCIAL: Tier.PSYCHOSOCIAL,
}


@dataclass
class CaseAccess:
    """What one user may do with one case."""

    user: Any
    case: Any
    levels: dict[str, Level]
    is_assigned: bool
    roles: set[str] = field(default_factory=set)
    # The user's current time-bound grants and break-glass openings on this case.
    grants: list[CaseGrant] = field(default_factory=list)

    @property
    def break_glass(self) -> list[CaseGrant]:
        """The break-glass openings in force for this user on this case (for the banner)."""
        return [g for g in self.grants if g.kind == "BREAK_GLASS"]

    def level(self, tier: str) -> Level:
        return self.levels.get(tier, Level.NONE)

    # Reading
    @property
    def can_view(self) -> bool:
        return self.level(Tier.CASE) >= Level.PARTIAL or self.level(Tier.IDENTITY) >= Level.READ

    @property
    def can_view_identity(self) -> bool:
        return self.level(Tier.IDENTITY) >= Level.READ

    @property
    def can_view_notes(self) -> bool:
        return self.level(Tier.CASE) >= Level.READ

    def can_read_tier(self, tier: str) -> bool:
        return self.level(tier) >= Level.READ

    def knows_tier(self, tier: str) -> bool:
        return self.level(tier) >= Level.FLAG

    @property
    def can_view_history(self) -> bool:
        """Who viewed / who changed: coordinators reaching the case."""
        return bool(self.roles & SUPERVISING_ROLES)

    # Writing
    @property
    def can_edit(self) -> bool:
        return self.level(Tier.CASE) >= Level.WRITE and not self.case.is_closed

    @property
    def can_edit_identity(self) -> bool:
        return self.level(Tier.IDENTITY) >= Level.WRITE

    @property
    def can_assign(self) -> bool:
        return not self.case.is_closed and (
            bool(self.roles & SUPERVISING_ROLES) or (self.can_edit and self.is_lead)
        )

    @property
    def is_lead(self) -> bool:
        return self.case.lead_id == getattr(self.user, "pk", None)

    @property
    def can_reopen(self) -> bool:
        return self.case.is_closed and bool(self.roles & SUPERVISING_ROLES)

    @property
    def can_close(self) -> bool:
        return self.can_edit

    def can_set_flag(self, flag: str) -> bool:
        if self.case.is_closed or not (self.roles & FLAGGING_ROLES):
            return False
        if not self.knows_tier(FLAG_TIER[flag]):
            return False
        if Role.CASE_MANAGER in self.roles and not self.can_edit:
            return bool(self.roles & (FLAGGING_ROLES - {Role.CASE_MANAGER}))
        return True

    def can_write_tier(self, tier: str) -> bool:
        return self.level(tier) >= Level.WRITE and not self.case.is_closed

    @property
    def can_handover(self) -> bool:
        return (
            self.can_edit
            and self.case.office.is_host_country
            and self.case.stage == Stage.PRE_DEPARTURE
        )


def _access(user: Any, case: Any, assigned: set[int]) -> CaseAccess:
    levels = case_levels(user, case, assigned)
    p = principal(user)
    roles = {g.role for g in p.grants if reaches(g, case, user.pk in assigned)}
    # A current grant or break-glass raises its tier; the grantee also sees the case summary
    # (the way to the section) when no role of theirs reaches the case.
    grants = p.current_case_grants(case.pk)
    for g in grants:
        levels[g.tier] = max(levels.get(g.tier, Level.NONE), g.level)
    if grants:
        levels[Tier.CASE] = max(levels.get(Tier.CASE, Level.NONE), Level.PARTIAL)
    return CaseAccess(
        user=user,
        case=case,
        levels=levels,
        is_assigned=user.pk in assigned,
        roles=roles,
        grants=grants,
    )


def case_access(user: Any, case: Any) -> CaseAccess:
    """Compute once per request (cached on the case object)."""
    cache = getattr(case, "_access_cache", {})
    key = getattr(user, "pk", None)
    if key in cache:
        return cache[key]
    assigned = set(case.assignments.filter(ended_at__isnull=True).values_list("user_id", flat=True))
    access = _access(user, case, assigned)
    cache[key] = access
    case._access_cache = cache
    return access


def case_access_many(user: Any, cases: list[Any]) -> dict[int, CaseAccess]:
    """`case_access` for many cases with one query for their assignments (imports)."""
    assigned: dict[int, set[int]] = {case.pk: set() for case in cases}
    rows = Assignment.objects.filter(case_id__in=list(assigned), ended_at__isnull=True).values_list(
        "case_id", "user_id"
    )
    for case_id, user_id in rows:
        assigned[case_id].add(user_id)
    return {case.pk: _access(user, case, assigned[case.pk]) for case in cases}


def can_open_case_at(user: Any, office: Any) -> bool:
    """Case managers and coordinators open cases at an office of their scope."""
    return any(
        g.role in {Role.CASE_MANAGER, Role.COORDINATOR} and office.pk in g.office_ids
        for g in principal(user).grants
    )


def can_decide_handover(user: Any, handover: Any) -> bool:
    """A coordinator or case manager of the receiving office (or above it) decides."""
    return handover.status == HandoverStatus.PENDING and any(
        g.role in RECEIVING_ROLES and handover.to_office_id in g.office_ids
        for g in principal(user).grants
    )
