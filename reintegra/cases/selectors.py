"""User-scoped reads of cases. Out-of-scope cases are "not found", exactly like missing ones."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from reintegra.access.policy import Level, Tier
from reintegra.access.principal import principal
from reintegra.access.scoping import case_q
from reintegra.audit.services import record_access
from reintegra.cases.choices import Flag, HandoverStatus, Stage
from reintegra.cases.models import Case, CaseEvent, Handover, Task
from reintegra.cases.permissions import CaseAccess, case_access
from reintegra.people.models import normalise, normalise_phone

SORTS = {
    "recent": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    "number": ("number",),
    "arrival": ("-arrived_on", "-id"),
    "stage": ("stage", "-updated_at", "-id"),
}


def case_visible_to(user: Any) -> QuerySet[Case]:
    """Every case the user reaches through any role assignment."""
    q, needs_subquery = case_q(user)
    if needs_subquery:
        return Case.objects.filter(pk__in=Case.objects.filter(q).values("pk"))
    return Case.objects.filter(q)


def case_get_for_user(user: Any, pk: Any, *, log_view: bool = True) -> tuple[Case, CaseAccess]:
    """The case and what the user may do with it; Http404 when missing or out of scope.

    A view is recorded as an AccessEvent (`case.viewed`); an out-of-scope attempt on an
    existing case as `case.denied`. When the access event cannot be written, nothing is served.
    """
    try:
        case_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (
        case_visible_to(user).select_related("person", "office", "lead").filter(pk=case_id).first()
    )
    if case is None:
        existing = Case.objects.filter(pk=case_id).values("person_id").first()
        if existing:
            record_access(
                actor=user, action="case.denied", case_id=case_id, person_id=existing["person_id"]
            )
        raise Http404
    if log_view:
        record_access(
            actor=user, action="case.viewed", target=case, case_id=case.pk, person_id=case.person_id
        )
    return case, case_access(user, case)


@dataclass
class CaseFilters:
    query: str = ""
    office: int | None = None
    stage: str = ""
    manager: int | None = None
    flag: str = ""
    sort: str = "recent"


# What a row of a case list shows (page, API, home page): fetching only these columns halves
# the time the ORM spends on a page. Reading another field of a row costs a query per row,
# which the query-count tests catch.
LIST_ROW_FIELDS = (
    "number",
    "stage",
    "version",
    "arrived_on",
    "updated_at",
    "has_protection_flag",
    "has_medical_flag",
    "has_psychosocial_flag",
    "has_plan",
    "person__given_names",
    "person__family_name",
    "office__name",
    "lead__username",
    "lead__first_name",
    "lead__last_name",
)


def case_list_for_user(user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Search (name, case number, phone), filter and sort the user's cases."""
    f = filters or CaseFilters()
    qs = case_visible_to(user)
    text = f.query.strip()
    if text:
        key = normalise(text)
        digits = normalise_phone(text)
        condition = Q(number__iexact=text) | Q(number__istartswith=text.upper())
        if key:
            condition |= Q(person__name_key__contains=key)
        if len(digits) >= 6:
            condition |= Q(person__phone_key__contains=digits)
        qs = qs.filter(condition)
    if f.office:
        qs = qs.filter(office_id=f.office)
    if f.stage in Stage.values:
        qs = qs.filter(stage=f.stage)
    elif f.stage == "OPEN":
        qs = qs.exclude(stage=Stage.CLOSED)
    if f.manager:
        qs = qs.filter(lead_id=f.manager)
    if f.flag == Flag.PROTECTION:
        qs = qs.filter(has_protection_flag=True)
    elif f.flag == Flag.MEDICAL:
        qs = qs.filter(has_medical_flag=True)
    elif f.flag == Flag.PSYCHOSOCIAL:
        qs = qs.filter(has_psychosocial_flag=True)
    elif f.flag == "NO_PLAN":
        qs = qs.filter(has_plan=False).exclude(stage__in=[Stage.CLOSED, Stage.PRE_DEPARTURE])
    return (
        qs.select_related("person", "office", "lead")
        .only(*LIST_ROW_FIELDS)
        .order_by(*SORTS.get(f.sort, SORTS["recent"]))
    )


def timeline_for(access: CaseAccess, limit: int = 200) -> list[dict[str, Any]]:
    """The case's events the viewer may see; restricted-tier events they may only know of
    appear as a bare flag without content."""
    visible_tiers = [t for t in Tier.values if access.level(t) >= Level.READ]
    flag_tiers = [t for t in Tier.values if access.level(t) == Level.FLAG]
    if access.level(Tier.CASE) < Level.READ:
        # Summary-only roles see the milestones, not the narrative.
        milestone_kinds = [
            "OPENED",
            "STAGE_CHANGED",
            "HANDED_OVER",
            "CLOSED",
            "REOPENED",
            "ASSIGNED",
        ]
        events = CaseEvent.objects.filter(case=access.case, kind__in=milestone_kinds)
    else:
        events = CaseEvent.objects.filter(case=access.case, tier__in=visible_tiers + flag_tiers)
    rows = []
    for event in events.select_related("actor").order_by("-at", "-id")[:limit]:
        restricted = event.tier in flag_tiers
        rows.append(
            {
                "event": event,
                "kind": event.get_kind_display(),
                "restricted": restricted,
                "summary": "" if restricted else event.summary,
            }
        )
    return rows


def open_tasks(case: Case) -> QuerySet[Task]:
    return (
        case.tasks.filter(completed_at__isnull=True).select_related("assignee").order_by("due_on")
    )


def handovers_incoming(user: Any) -> QuerySet[Handover]:
    """Hand-overs waiting for the user's offices (as coordinator or case manager)."""
    offices = principal(user).offices("COORDINATOR", "CASE_MANAGER")
    return (
        Handover.objects.filter(status=HandoverStatus.PENDING, to_office_id__in=offices)
        .select_related("case", "case__person", "from_office", "to_office", "requested_by")
        .order_by("created_at")
    )


def handover_get_for_user(user: Any, pk: Any) -> Handover:
    """A hand-over the user sends (through case scope) or receives; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    offices = principal(user).offices("COORDINATOR", "CASE_MANAGER")
    handover = (
        Handover.objects.select_related(
            "case", "case__person", "from_office", "to_office", "consent", "requested_by"
        )
        .filter(pk=pk)
        .first()
    )
    if handover is None:
        raise Http404
    if handover.to_office_id in offices or handover.from_office_id in offices:
        return handover
    if case_visible_to(user).filter(pk=handover.case_id).exists():
        return handover
    raise Http404


def caseload(user: Any) -> QuerySet[Case]:
    """Open cases where the user is an active assignee."""
    return (
        Case.objects.filter(assignments__user=user, assignments__ended_at__isnull=True)
        .exclude(stage=Stage.CLOSED)
        .select_related("person", "office")
        .order_by("-updated_at")
    )


def overdue_tasks(user: Any) -> QuerySet[Task]:
    visible = case_visible_to(user).values("pk")
    return (
        Task.objects.filter(
            assignee=user,
            completed_at__isnull=True,
            due_on__lt=timezone.localdate(),
            case_id__in=visible,
        )
        .select_related("case", "case__person")
        .order_by("due_on")
    )


def cases_without_plan(user: Any) -> QuerySet[Case]:
    """The user's cases still without a plan one month (PLAN_DUE_DAYS) after arrival."""
    limit = timezone.localdate() - timedelta(days=settings.PLAN_DUE_DAYS)
    return caseload(user).filter(has_plan=False, arrived_on__lte=limit).order_by("arrived_on")


def aggregate_counts(office_ids: frozenset[int]) -> dict[str, int]:
    """Counts for roles without case access: per stage, in their office scope."""
    rows = Case.objects.filter(office_id__in=office_ids).values("stage").annotate(n=Count("id"))
    counts = {row["stage"]: row["n"] for row in rows}
    return {stage: counts.get(stage, 0) for stage in Stage.values}
