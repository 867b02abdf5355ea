"""Who moves cash. Case managers plan the instalments of an approved plan's cash measures;
finance staff prepare each payment instruction, a second finance user approves it, and a
finance user records the payment. Coordinators follow payments in their scope."""

from typing import Any

from reintegra.access.policy import Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.cases.permissions import CaseAccess
from reintegra.finance.choices import TRANSITIONS, InstalmentStatus
from reintegra.plans.choices import Status


def can_view_payments(user: Any) -> bool:
    return principal(user).has_role(Role.FINANCE, Role.COORDINATOR)


def can_plan_instalments(access: CaseAccess, plan: Any) -> bool:
    return plan.status == Status.APPROVED and access.can_edit


def pays(access: CaseAccess | None) -> bool:
    """Finance staff reaching the case (they write the FINANCE tier)."""
    return access is not None and access.level(Tier.FINANCE) >= Level.WRITE


def can_move(user: Any, access: CaseAccess | None, instalment: Any, to: str) -> bool:
    if to not in TRANSITIONS.get(instalment.status, ()):
        return False
    if to == InstalmentStatus.CANCELLED:
        planner = access is not None and access.can_edit
        return pays(access) or (planner and instalment.status == InstalmentStatus.PLANNED)
    if to == InstalmentStatus.APPROVED:  # the second pair of eyes
        return pays(access) and instalment.prepared_by_id != getattr(user, "pk", None)
    return pays(access)


# --- in-kind purchases ----------------------------------------------------------------------


def can_purchase(access: CaseAccess | None) -> bool:
    """Finance staff reaching the case buy what an approved plan lists, and record the
    hand-over."""
    return pays(access)


def can_view_suppliers(user: Any) -> bool:
    return principal(user).has_role(Role.FINANCE, Role.COORDINATOR)


def can_manage_suppliers(user: Any) -> bool:
    """The supplier register, bank details included, is the finance staff's."""
    return principal(user).has_role(Role.FINANCE)
