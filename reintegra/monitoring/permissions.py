"""Pure predicates about monitoring visits and the dashboard."""

from typing import Any

from reintegra.access.policy import SUPERVISING_ROLES
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.cases.permissions import CaseAccess
from reintegra.instruments.permissions import can_fill

DASHBOARD_ROLES = frozenset({Role.ME_SPECIALIST, Role.COORDINATOR})


def can_view_dashboard(user: Any) -> bool:
    return principal(user).has_role(*DASHBOARD_ROLES)


def can_view_visits(user: Any) -> bool:
    """The visits list: who plans or makes monitoring visits."""
    return principal(user).has_role(Role.ME_SPECIALIST, Role.COORDINATOR, Role.CASE_MANAGER)


def can_record_visit(access: CaseAccess) -> bool:
    return can_fill(access, "CASE")


def can_cancel_visit(access: CaseAccess) -> bool:
    return access.can_edit or bool(access.roles & (SUPERVISING_ROLES | {Role.ME_SPECIALIST}))
