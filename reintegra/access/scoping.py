"""Scope filters built from the policy. Apps apply them in their `visible_to(user)` querysets.

Field paths follow the case model's names (`office_id`, `has_protection_flag`, `assignments`);
`prefix` lets another model reach cases through a relation (people use `cases__`).
Access imports no domain app: it knows field names, not models.
"""

from typing import Any

from django.db.models import Q

from reintegra.access.policy import Level, Reach, Tier
from reintegra.access.principal import Grant, principal

NOTHING = Q(pk__in=[])


def _assigned(user_id: int, prefix: str) -> Q:
    return Q(
        **{f"{prefix}assignments__user_id": user_id, f"{prefix}assignments__ended_at__isnull": True}
    )


def grant_case_q(grant: Grant, user_id: int, prefix: str = "") -> Q:
    """The cases one role assignment reaches."""
    if grant.reach == Reach.NONE or not grant.office_ids:
        return NOTHING
    scope = Q(**{f"{prefix}office_id__in": sorted(grant.office_ids)})
    if grant.reach == Reach.SCOPE:
        return scope
    if grant.reach == Reach.ASSIGNED:
        return scope & _assigned(user_id, prefix)
    if grant.reach == Reach.PROTECTION:
        return scope & (Q(**{f"{prefix}has_protection_flag": True}) | _assigned(user_id, prefix))
    if grant.reach == Reach.MEDICAL:
        return scope & (Q(**{f"{prefix}has_medical_flag": True}) | _assigned(user_id, prefix))
    return NOTHING


def case_q(user: Any, prefix: str = "") -> tuple[Q, bool]:
    """(filter, needs_subquery): every case the user reaches through any role.

    `needs_subquery` is true when the filter ORs conditions over the assignments join, which
    would repeat rows: the caller then filters by `pk__in` a subquery instead.
    """
    p = principal(user)
    grants = [g for g in p.grants if g.reach != Reach.NONE]
    # A current time-bound grant or break-glass opening makes its case reachable.
    granted = p.granted_case_ids()
    q = Q(**{f"{prefix}id__in": sorted(granted)}) if granted else NOTHING
    if not grants:
        return q, False
    for g in grants:
        q |= grant_case_q(g, user.pk, prefix)
    simple = all(g.reach == Reach.SCOPE for g in grants) or (
        len(grants) == 1 and grants[0].reach == Reach.ASSIGNED
    )
    return q, not simple


def case_levels(user: Any, case: Any, assigned_user_ids: set[int]) -> dict[str, Level]:
    """The user's level on each tier for this case: the best over the roles that reach it."""
    levels = {tier: Level.NONE for tier in Tier.values}
    for g in principal(user).grants:
        if reaches(g, case, user.pk in assigned_user_ids):
            for tier in Tier.values:
                levels[tier] = max(levels[tier], g.level(tier))
    return levels


def reaches(grant: Grant, case: Any, is_assigned: bool) -> bool:
    if grant.reach == Reach.NONE or case.office_id not in grant.office_ids:
        return False
    if grant.reach == Reach.SCOPE:
        return True
    if grant.reach == Reach.ASSIGNED:
        return is_assigned
    if grant.reach == Reach.PROTECTION:
        return bool(case.has_protection_flag) or is_assigned
    if grant.reach == Reach.MEDICAL:
        return bool(case.has_medical_flag) or is_assigned
    return False
