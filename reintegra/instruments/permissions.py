"""Pure predicates about instruments and responses, from the policy table.

A response's answers belong to its instrument's tier (CASE by default; PROTECTION for the
vulnerability screening). Reading them needs READ on that tier for the case. Filling one in
needs WRITE on that tier, or — for a restricted tier — being able to edit the case: the case
manager who screens a returnee at intake writes protection data they may not read back once it
is submitted (they keep their own draft until then).
"""

from typing import Any

from reintegra.access.policy import Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.cases.permissions import CaseAccess

MANAGING_ROLES = frozenset({Role.ME_SPECIALIST, Role.COORDINATOR})


def can_manage_instruments(user: Any) -> bool:
    """Upload XLSForms and new versions of instruments."""
    return principal(user).has_role(*MANAGING_ROLES)


def can_view_instruments(user: Any) -> bool:
    """See the library of instruments (their questions, not anyone's answers)."""
    return can_manage_instruments(user) or principal(user).max_level(Tier.CASE) >= Level.READ


def can_fill(access: CaseAccess, tier: str) -> bool:
    """Start or continue a response of this tier on this case."""
    if access.case.is_closed:
        return False
    return access.can_write_tier(tier) or access.can_edit


def reads_answers(role: str, level: Level, tier: str) -> bool:
    """Whether a role at this level on a tier reads the answers of that tier. The M&E
    specialist reads the CASE tier's plans, assistance and monitoring (a partial level, not the
    counselling narrative), and that includes every CASE-tier questionnaire."""
    if level >= Level.READ:
        return True
    return role == Role.ME_SPECIALIST and tier == Tier.CASE and level >= Level.PARTIAL


def can_read_response(access: CaseAccess, response: Any) -> bool:
    """Read a response's answers and scores."""
    level = access.level(response.tier)
    if any(reads_answers(role, level, response.tier) for role in access.roles):
        return True
    return response.is_draft and response.created_by_id == getattr(access.user, "pk", None)


def can_edit_response(access: CaseAccess, response: Any) -> bool:
    """Change a draft (its author, or anyone who may write its tier on the case)."""
    if not response.is_draft or access.case.is_closed:
        return False
    if response.created_by_id == getattr(access.user, "pk", None):
        return can_fill(access, response.tier)
    return access.can_write_tier(response.tier)


def can_collect(user: Any, tier: str) -> bool:
    """Fill in an instrument of this tier from a data-collection app on some case (the case
    itself is checked when the submission arrives)."""
    p = principal(user)
    return p.max_level(Tier.CASE) >= Level.WRITE or p.max_level(tier) >= Level.WRITE


def can_export(user: Any) -> bool:
    """Export responses (the ones the user may read): M&E specialists and coordinators."""
    return can_manage_instruments(user)


def must_pseudonymise(user: Any) -> bool:
    """The M&E specialist's exports never name anyone (a pseudonym per person, no names,
    contacts or ids); a coordinator may ask for them too."""
    return not principal(user).has_role(Role.COORDINATOR)


def can_import_into(access: CaseAccess, tier: str) -> bool:
    """Import collected responses of this tier on this case: whoever may fill them in, and the
    M&E specialist or coordinator for CASE-tier surveys of a case whose answers they read
    (field teams collect monitoring surveys with KoBo; M&E brings them in). Restricted tiers
    still need write access to the tier."""
    if can_fill(access, tier):
        return True
    if access.case.is_closed or tier != Tier.CASE:
        return False
    level = access.level(tier)
    return any(role in MANAGING_ROLES and reads_answers(role, level, tier) for role in access.roles)
