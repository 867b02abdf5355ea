"""Who may do what with plans and the programme set-up. A plan's narrative is case-tier; its
lines and amounts are finance-tier: the finance staff (and the M&E specialist) see the lines
only. Maker–checker: nobody approves a plan they drafted or submitted; above
REINTEGRA_PLAN_NATIONAL_ABOVE only a national coordinator approves."""

from decimal import Decimal
from typing import Any

from django.conf import settings

from reintegra.access.policy import SUPERVISING_ROLES, Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import OfficeKind, Role
from reintegra.accounts.models import Office
from reintegra.cases.permissions import CaseAccess
from reintegra.plans.choices import EDITABLE, Status


def national_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "REINTEGRA_PLAN_NATIONAL_ABOVE", "1000000")))


def is_national_coordinator(user: Any) -> bool:
    homes = principal(user).home_offices(Role.COORDINATOR)
    return (
        bool(homes)
        and Office.objects.filter(
            pk__in=homes, kind__in=[OfficeKind.NATIONAL, OfficeKind.COUNTRY]
        ).exists()
    )


# --- programme set-up -----------------------------------------------------------------------


def can_view_setup(user: Any) -> bool:
    """The catalogue, budget lines and feasibility grid: staff who plan, approve or pay."""
    return principal(user).has_role(
        Role.COORDINATOR, Role.CASE_MANAGER, Role.FINANCE, Role.ME_SPECIALIST
    )


def can_edit_catalogue(user: Any) -> bool:
    """The assistance catalogue and the feasibility grid are the national coordinators'."""
    return is_national_coordinator(user)


def budget_offices(user: Any) -> frozenset[int]:
    """Offices whose budget lines the user keeps: coordinators and finance staff, in scope."""
    return principal(user).offices(Role.COORDINATOR, Role.FINANCE)


def can_edit_budget_line(user: Any, line: Any) -> bool:
    return line.office_id in budget_offices(user)


# --- plans ----------------------------------------------------------------------------------


def can_read_plan(access: CaseAccess) -> bool:
    """The whole plan: summaries, measures, items, history."""
    return access.level(Tier.CASE) >= Level.READ


def can_read_lines(access: CaseAccess) -> bool:
    """The plan's lines and amounts (finance staff, M&E): no narrative."""
    return can_read_plan(access) or access.level(Tier.FINANCE) >= Level.PARTIAL


def can_draft(access: CaseAccess) -> bool:
    return access.can_edit


def can_edit_plan(access: CaseAccess, plan: Any) -> bool:
    return plan.status in EDITABLE and access.can_edit


def _checker(user: Any, plan: Any) -> bool:
    uid = getattr(user, "pk", None)
    return uid not in (plan.created_by_id, plan.submitted_by_id)


def can_decide(access: CaseAccess, plan: Any) -> bool:
    """Return a submitted plan: a coordinator reaching the case who neither drafted nor
    submitted it."""
    return (
        plan.status == Status.SUBMITTED
        and not access.case.is_closed
        and bool(access.roles & SUPERVISING_ROLES)
        and _checker(access.user, plan)
    )


def needs_national(plan: Any) -> bool:
    return bool(plan.total > national_threshold())


def can_approve(access: CaseAccess, plan: Any) -> bool:
    return can_decide(access, plan) and (
        not needs_national(plan) or is_national_coordinator(access.user)
    )


def can_revise(access: CaseAccess, plan: Any) -> bool:
    return plan.status == Status.APPROVED and access.can_edit
