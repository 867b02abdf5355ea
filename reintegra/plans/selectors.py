"""User-scoped reads of plans and the programme set-up."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from reintegra.access.policy import Level, Reach, Tier
from reintegra.access.principal import principal
from reintegra.access.scoping import grant_case_q
from reintegra.accounts.choices import Role
from reintegra.audit.services import record_access
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess, case_access
from reintegra.plans import permissions
from reintegra.plans.choices import IN_PROGRESS, Status
from reintegra.plans.models import AssistanceType, BudgetLine, FeasibleOption, Plan

HOME_LIMIT = 10


def plan_visible_to(user: Any) -> QuerySet[Plan]:
    """Plans of the cases the user reaches through a role that reads plans (case tier) or
    their lines (finance tier): reaching a case is not enough (the medical focal point)."""
    q = Q(pk__in=[])
    for g in principal(user).grants:
        if g.level(Tier.CASE) < Level.READ and g.level(Tier.FINANCE) < Level.PARTIAL:
            continue
        if g.reach == Reach.SCOPE:  # every case of the offices: a plain join
            q |= Q(case__office_id__in=sorted(g.office_ids))
        else:
            q |= Q(case__in=Case.objects.filter(grant_case_q(g, user.pk)).values("pk"))
    return Plan.objects.filter(q)


def plan_get_for_user(user: Any, pk: Any) -> tuple[Plan, CaseAccess, bool]:
    """(plan, access to its case, whether the user reads the whole plan or its lines only).
    404 when missing, out of scope, or neither. Reading is recorded (`plan.viewed`)."""
    try:
        plan_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    plan = (
        plan_visible_to(user)
        .select_related("case", "case__person", "case__office", "budget_line", "created_by")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404
    access = case_access(user, plan.case)
    if not permissions.can_read_lines(access):
        raise Http404
    record_access(
        actor=user,
        action="plan.viewed",
        target=plan,
        case_id=plan.case_id,
        person_id=plan.case.person_id,
    )
    return plan, access, permissions.can_read_plan(access)


def case_plans(case: Any) -> list[Plan]:
    """The case's plans, newest revision first."""
    return list(case.plans.select_related("approved_by", "budget_line").order_by("-revision"))


def current_plan(case: Any) -> Plan | None:
    """The plan being written, else the approved one."""
    plans = case_plans(case)
    return next((p for p in plans if p.status in IN_PROGRESS), None) or next(
        (p for p in plans if p.status == Status.APPROVED), None
    )


@dataclass
class PlanFilters:
    status: str = ""
    waiting_for_me: bool = False


def plan_list(user: Any, filters: PlanFilters | None = None) -> QuerySet[Plan]:
    f = filters or PlanFilters()
    qs = plan_visible_to(user).select_related("case", "case__person", "case__office", "created_by")
    if f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.waiting_for_me:
        qs = qs.filter(
            status=Status.SUBMITTED,
            case__office_id__in=sorted(principal(user).offices(Role.COORDINATOR)),
        ).exclude(Q(created_by=user) | Q(submitted_by=user))
    return qs.order_by("-updated_at", "-id")


def approvals_waiting(user: Any) -> list[Plan]:
    """Submitted plans in the coordinator's scope they may approve (maker–checker and the
    national threshold applied), oldest first."""
    if not principal(user).has_role(Role.COORDINATOR):
        return []
    national = permissions.is_national_coordinator(user)
    plans = plan_list(user, PlanFilters(waiting_for_me=True)).order_by("submitted_at", "id")
    return [p for p in plans[: HOME_LIMIT * 3] if national or not permissions.needs_national(p)][
        :HOME_LIMIT
    ]


def returned_plans(user: Any) -> list[Plan]:
    """Plans returned to the user (drafted or submitted by them) for changes."""
    return list(
        plan_visible_to(user)
        .filter(status=Status.RETURNED)
        .filter(Q(created_by=user) | Q(submitted_by=user))
        .select_related("case", "case__person")[:HOME_LIMIT]
    )


def assistance_types(active_only: bool = True) -> QuerySet[AssistanceType]:
    qs = AssistanceType.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def budget_lines_for(user: Any) -> QuerySet[BudgetLine]:
    """Lines of the offices in scope of those who see finance (coordinators, finance, M&E)."""
    offices = principal(user).offices(Role.COORDINATOR, Role.FINANCE, Role.ME_SPECIALIST)
    return BudgetLine.objects.filter(office_id__in=sorted(offices)).select_related("office")


def budget_lines_for_case(case: Any) -> QuerySet[BudgetLine]:
    """Active lines a plan of this case may draw on: its office's and those above it."""
    return BudgetLine.objects.filter(is_active=True, office_id__in=case.office.line_ids)


def feasible_options(region: str = "") -> QuerySet[FeasibleOption]:
    """The grid for a place of return: options for that region and for everywhere."""
    qs = FeasibleOption.objects.all()
    if region:
        qs = qs.filter(Q(region="") | Q(region__iexact=region))
    return qs
