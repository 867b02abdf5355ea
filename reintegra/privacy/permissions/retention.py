"""Who may do what in the retention area: the national coordinators keep the retention rules
(every coordinator reads them); coordinators place and lift legal holds on their scope's cases."""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.plans.permissions import is_national_coordinator


def can_view_retention(user: Any) -> bool:
    """The rules and the legal holds page: coordinators."""
    return principal(user).has_role(Role.COORDINATOR)


def can_edit_rules(user: Any) -> bool:
    return is_national_coordinator(user)


def hold_offices(user: Any) -> frozenset[int]:
    return principal(user).offices(Role.COORDINATOR)


def can_hold_case(user: Any, case: Any) -> bool:
    """Coordinators place and lift legal holds on the cases of their scope."""
    return case.office_id in hold_offices(user)
