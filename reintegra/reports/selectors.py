"""Reads behind the home page of each role. No writes; every list is bounded.

Case data comes through the cases selectors (scoped to the user); the aggregate and system-health
figures are counts only, with no personal data.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case, Handover, Task
from reintegra.cases.selectors import (
    CaseFilters,
    aggregate_counts,
    case_list_for_user,
    case_visible_to,
    caseload,
    cases_without_plan,
    handovers_incoming,
    overdue_tasks,
)
from reintegra.monitoring.selectors import visit_list_for_user

HOME_LIST_LIMIT = 20
CASELOAD_LIMIT = 50
# Roles whose home page shows only counts (they have no case narrative).
AGGREGATE_ROLES = (Role.COMMS_FP, Role.ME_SPECIALIST, Role.FINANCE)


@dataclass
class CaseManagerHome:
    caseload: list[Case]
    caseload_count: int
    overdue: list[Task]
    without_plan: list[Case]


def case_manager_home(user: Any) -> CaseManagerHome:
    """The user's open cases with their next due task, overdue tasks, cases still without plan."""
    next_task = Task.objects.filter(case=OuterRef("pk"), completed_at__isnull=True).order_by(
        "due_on", "id"
    )
    cases = caseload(user).distinct()
    rows = cases.annotate(
        next_task_title=Subquery(next_task.values("title")[:1]),
        next_task_due=Subquery(next_task.values("due_on")[:1]),
    )
    return CaseManagerHome(
        caseload=list(rows[:CASELOAD_LIMIT]),
        caseload_count=cases.count(),
        overdue=list(overdue_tasks(user)[:CASELOAD_LIMIT]),
        without_plan=list(cases_without_plan(user).distinct()[:CASELOAD_LIMIT]),
    )


@dataclass
class StageTable:
    """Case counts with offices as rows and stages as columns."""

    stages: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals)


def stage_office_table(user: Any) -> StageTable:
    """Counts of the user's cases by office × stage (no personal data)."""
    counts = (
        case_visible_to(user)
        .values("office_id", "office__name", "stage")
        .annotate(n=Count("id"))
        .order_by("office__name", "office_id")
    )
    stages = [(code, str(label)) for code, label in Stage.choices]
    by_office: dict[int, dict[str, Any]] = {}
    for row in counts:
        entry = by_office.setdefault(
            row["office_id"], {"id": row["office_id"], "name": row["office__name"], "n": {}}
        )
        entry["n"][row["stage"]] = row["n"]
    table = StageTable(stages=stages)
    for entry in by_office.values():
        cells = [(code, entry["n"].get(code, 0)) for code, _label in stages]
        table.rows.append(
            {
                "id": entry["id"],
                "name": entry["name"],
                "cells": cells,
                "total": sum(n for _code, n in cells),
            }
        )
    table.totals = [sum(r["cells"][i][1] for r in table.rows) for i in range(len(stages))]
    return table


def coordinator_handovers(user: Any) -> list[Handover]:
    return list(handovers_incoming(user)[:HOME_LIST_LIMIT])


def flagged_cases(user: Any, flag: str) -> list[Case]:
    """The first cases in the user's scope carrying a flag (protection / medical)."""
    return list(case_list_for_user(user, CaseFilters(flag=flag))[:HOME_LIST_LIMIT])


@dataclass
class AggregateFigures:
    by_stage: list[tuple[str, str, int]]
    total: int
    open: int
    closed: int


def aggregate_figures(user: Any) -> AggregateFigures:
    """Counts per stage over the offices of the user's aggregate-only roles."""
    offices = principal(user).offices(*AGGREGATE_ROLES)
    counts = aggregate_counts(offices)
    by_stage = [(code, str(label), counts.get(code, 0)) for code, label in Stage.choices]
    total = sum(counts.values())
    closed = counts.get(Stage.CLOSED, 0)
    return AggregateFigures(by_stage=by_stage, total=total, open=total - closed, closed=closed)


@dataclass
class SystemHealth:
    offices: int
    active_offices: int
    users: int
    active_users: int
    active_assignments: int
    audit_events: int
    access_events: int
    last_audit_at: Any


def system_health() -> SystemHealth:
    """Figures about the system itself (no personal data): the administrator's home page."""
    today = timezone.localdate()
    office_counts = Office.objects.aggregate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    user_counts = User.objects.aggregate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    assignments = (
        RoleAssignment.objects.filter(is_active=True, user__is_active=True)
        .exclude(expires_on__lt=today)
        .count()
    )
    last = AuditEvent.objects.order_by("-id").values_list("at", flat=True).first()
    return SystemHealth(
        offices=office_counts["total"],
        active_offices=office_counts["active"],
        users=user_counts["total"],
        active_users=user_counts["active"],
        active_assignments=assignments,
        audit_events=AuditEvent.objects.count(),
        access_events=AccessEvent.objects.count(),
        last_audit_at=last,
    )


@dataclass
class VisitsHome:
    due: list[Any]
    overdue: int
    due_count: int


def visits_home(user: Any) -> VisitsHome:
    """Monitoring visits due within the window in the user's scope, overdue first."""
    due = visit_list_for_user(user, when="due")
    return VisitsHome(
        due=list(due[:HOME_LIST_LIMIT]),
        overdue=visit_list_for_user(user, when="overdue").count(),
        due_count=due.count(),
    )
