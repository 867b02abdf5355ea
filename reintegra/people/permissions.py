"""Pure predicates about what a user may do with a returnee's record, from the policy table.

People sit below cases: a person's cases are reached through the reverse relation (`cases__`)
with the scope filters of `access.scoping`, never by importing the cases app.
"""

from typing import Any

from reintegra.access.policy import REGISTERING_ROLES, Level, Tier
from reintegra.access.principal import principal
from reintegra.access.scoping import NOTHING, grant_case_q
from reintegra.people.models import Returnee


def registering_office_ids(user: Any) -> frozenset[int]:
    """Offices where the user may register returnees (case manager / coordinator scope)."""
    return principal(user).offices(*REGISTERING_ROLES)


def can_register_person(user: Any) -> bool:
    return bool(registering_office_ids(user))


def can_view_people(user: Any) -> bool:
    """The people pages exist for roles with at least a partial view of identity."""
    return principal(user).max_level(Tier.IDENTITY) >= Level.PARTIAL


def sees_full_identity(user: Any) -> bool:
    """Partial-identity roles (communication, finance) see only name, phone and ID numbers."""
    return principal(user).max_level(Tier.IDENTITY) >= Level.READ


def can_edit_person(user: Any, person: Returnee) -> bool:
    """Write access to identity: a role with identity WRITE (case manager, protection focal
    point) that reaches one of the person's cases, or — while the person has no case yet — a
    registering role whose scope covers the person's registering office."""
    grants = principal(user).grants
    if not grants:
        return False
    reach = NOTHING
    for g in grants:
        if g.level(Tier.IDENTITY) >= Level.WRITE:
            reach |= grant_case_q(g, user.pk, prefix="cases__")
    if reach is not NOTHING and Returnee.objects.filter(reach, pk=person.pk).exists():
        return True
    registers_here = any(
        g.role in REGISTERING_ROLES and person.office_id in g.office_ids for g in grants
    )
    return registers_here and not person.cases.exists()
