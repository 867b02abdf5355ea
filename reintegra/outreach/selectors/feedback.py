"""User-scoped reads of feedback items and programme adjustments, the feedback report, and the
feedback section of the home page.

A sensitive complaint is visible only to coordinators whose scope holds its office; any other
item to the scope roles (coordinator, communication FP, M&E) of its office, to the person who
recorded it and to its assignee. An item or adjustment outside the user's reach is "not found".
"""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, User
from reintegra.finance.reports import Table
from reintegra.monitoring.models import Visit
from reintegra.monitoring.selectors import visit_visible_to
from reintegra.outreach.choices.feedback import (
    OPEN_STATUSES,
    FeedbackCategory,
    FeedbackStatus,
    FeedbackTheme,
)
from reintegra.outreach.models.feedback import FeedbackItem, ProgrammeAdjustment
from reintegra.outreach.permissions.feedback import (
    SCOPE_ROLES,
    adjustment_offices,
    can_view_adjustments,
    can_view_feedback,
    recording_offices,
    report_offices,
)
from reintegra.people.models import Returnee
from reintegra.people.selectors import returnee_visible_to

# --- feedback items ---------------------------------------------------------------------------


def feedback_visible_to(user: Any) -> QuerySet[FeedbackItem]:
    """Every item the user may see (see the module's docstring)."""
    if not can_view_feedback(user):
        return FeedbackItem.objects.none()
    p = principal(user)
    coordinator = sorted(p.offices(Role.COORDINATOR))
    scope = sorted(p.offices(*SCOPE_ROLES))
    sensitive = Q(category=FeedbackCategory.SENSITIVE)
    ordinary = Q(recorded_by_id=user.pk) | Q(assigned_to_id=user.pk)
    if scope:
        ordinary |= Q(office_id__in=scope)
    condition = ~sensitive & ordinary
    if coordinator:
        condition |= sensitive & Q(office_id__in=coordinator)
    return FeedbackItem.objects.filter(condition)


def _overdue_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=FeedbackStatus.RECEIVED, ack_due_on__lt=today) | Q(
        status__in=OPEN_STATUSES, due_on__lt=today
    )


@dataclass
class FeedbackFilters:
    status: str = ""
    category: str = ""
    theme: str = ""
    overdue: bool = False
    mine: bool = False
    # "restricted": the coordinators' queue of sensitive complaints; otherwise the others.
    queue: str = ""


def feedback_list_for_user(
    user: Any, filters: FeedbackFilters | None = None
) -> QuerySet[FeedbackItem]:
    f = filters or FeedbackFilters()
    qs = feedback_visible_to(user).select_related("office", "assigned_to")
    if f.queue == "restricted":
        qs = qs.filter(category=FeedbackCategory.SENSITIVE)
    else:
        qs = qs.exclude(category=FeedbackCategory.SENSITIVE)
        if f.category:
            qs = qs.filter(category=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.theme:
        qs = qs.filter(theme=f.theme)
    if f.overdue:
        qs = qs.filter(_overdue_q())
    if f.mine:
        qs = qs.filter(assigned_to_id=user.pk)
    return qs.order_by("-received_on", "-id")


def feedback_get_for_user(user: Any, pk: Any) -> FeedbackItem:
    """The item, or Http404 when missing or out of the user's reach."""
    try:
        item_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    item = (
        feedback_visible_to(user)
        .select_related("office", "assigned_to", "recorded_by", "returnee")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def feedback_recorded_get_for_user(user: Any, pk: Any) -> FeedbackItem:
    """An item the user recorded, for the confirmation shown once it is saved (a sensitive
    complaint's recorder sees its reference there, and nothing else of it)."""
    try:
        item_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    item = FeedbackItem.objects.filter(pk=item_id, recorded_by_id=getattr(user, "pk", None))
    found = item.first()
    if found is None:
        raise Http404
    return found


def feedback_events(item: FeedbackItem) -> QuerySet[Any]:
    return item.events.select_related("actor").order_by("created_at", "id")


def assignable_users(item: FeedbackItem) -> QuerySet[User]:
    """Who an item may be assigned to: staff whose scope holds its office (coordinators only for
    a sensitive complaint)."""
    roles = (
        [Role.COORDINATOR] if item.is_sensitive else [r for r in Role.values if r != Role.SYSADMIN]
    )
    today = timezone.localdate()
    return (
        User.objects.filter(
            Q(assignments__expires_on__isnull=True) | Q(assignments__expires_on__gte=today),
            is_active=True,
            assignments__is_active=True,
            assignments__role__in=roles,
            assignments__office_id__in=sorted(item.office.line_ids),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def recording_office_list(user: Any) -> QuerySet[Office]:
    return Office.objects.filter(pk__in=sorted(recording_offices(user)), is_active=True).order_by(
        "path"
    )


def linkable_returnees(user: Any) -> QuerySet[Returnee]:
    """Returnees a recorder may link an item to."""
    return returnee_visible_to(user).order_by("family_name", "given_names", "pk")


def returnee_shown_to(user: Any, item: FeedbackItem) -> Returnee | None:
    """The item's returnee when the viewer may see that person, else None."""
    if item.returnee_id is None:
        return None
    return returnee_visible_to(user).filter(pk=item.returnee_id).first()


# --- programme adjustments --------------------------------------------------------------------


def adjustment_visible_to(user: Any) -> QuerySet[ProgrammeAdjustment]:
    if not can_view_adjustments(user):
        return ProgrammeAdjustment.objects.none()
    return ProgrammeAdjustment.objects.filter(office_id__in=sorted(adjustment_offices(user)))


def adjustment_list_for_user(user: Any) -> QuerySet[ProgrammeAdjustment]:
    return (
        adjustment_visible_to(user)
        .select_related("office")
        .annotate(
            n_feedback=Count("feedback_items", distinct=True),
            n_visits=Count("visits", distinct=True),
        )
        .order_by("-decided_on", "-id")
    )


def adjustment_get_for_user(user: Any, pk: Any) -> ProgrammeAdjustment:
    try:
        adjustment_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        adjustment_visible_to(user)
        .select_related("office", "recorded_by")
        .filter(pk=adjustment_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def visit_label(visit: Visit) -> str:
    """A monitoring finding as "case number · month N visit · date" (nothing more)."""
    when = visit.done_on or visit.due_on
    return _("%(case)s · month %(months)s visit · %(date)s") % {
        "case": visit.case.number,
        "months": visit.months,
        "date": date_format(when, "SHORT_DATE_FORMAT"),
    }


def adjustment_office_list(user: Any) -> QuerySet[Office]:
    """Offices at which the user records adjustments (their coordinator scope)."""
    offices = principal(user).offices(Role.COORDINATOR)
    return Office.objects.filter(pk__in=sorted(offices), is_active=True).order_by("path")


def linkable_visits(user: Any) -> QuerySet[Visit]:
    """Monitoring visits an adjustment may cite: those of the user's reach."""
    return visit_visible_to(user).select_related("case").order_by("-due_on", "-id")


def linkable_feedback(user: Any) -> QuerySet[FeedbackItem]:
    return feedback_visible_to(user).order_by("-received_on", "-id")


@dataclass
class Basis:
    """What an adjustment rests on, as the viewer may see it."""

    feedback: list[FeedbackItem]
    visits: list[tuple[Visit, str]]
    hidden_feedback: int = 0
    hidden_visits: int = 0


def adjustment_basis(user: Any, adjustment: ProgrammeAdjustment) -> Basis:
    """The feedback and findings behind an adjustment; those the viewer may not see are only
    counted."""
    items = list(adjustment.feedback_items.all().order_by("received_on", "id"))
    shown_items = set(
        feedback_visible_to(user).filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)
    )
    visits = list(adjustment.visits.select_related("case").order_by("due_on", "id"))
    shown_visits = set(
        visit_visible_to(user).filter(pk__in=[v.pk for v in visits]).values_list("pk", flat=True)
    )
    return Basis(
        feedback=[i for i in items if i.pk in shown_items],
        visits=[(v, visit_label(v)) for v in visits if v.pk in shown_visits],
        hidden_feedback=len(items) - len(shown_items),
        hidden_visits=len(visits) - len(shown_visits),
    )


def adjustment_bases(user: Any, adjustments: list[ProgrammeAdjustment]) -> dict[int, Basis]:
    """`adjustment_basis` of many adjustments in four queries whatever their number (the
    report lists every adjustment of its period)."""
    ids = [a.pk for a in adjustments]
    bases = {pk: Basis(feedback=[], visits=[]) for pk in ids}
    if not ids:
        return bases
    item_links = list(
        ProgrammeAdjustment.feedback_items.through.objects.filter(programmeadjustment_id__in=ids)
        .select_related("feedbackitem")
        .order_by("feedbackitem__received_on", "feedbackitem_id")
    )
    shown_items = set(
        feedback_visible_to(user)
        .filter(pk__in=sorted({link.feedbackitem_id for link in item_links}))
        .values_list("pk", flat=True)
    )
    for link in item_links:
        basis = bases[link.programmeadjustment_id]
        if link.feedbackitem_id in shown_items:
            basis.feedback.append(link.feedbackitem)
        else:
            basis.hidden_feedback += 1
    visit_links = list(
        ProgrammeAdjustment.visits.through.objects.filter(programmeadjustment_id__in=ids)
        .select_related("visit__case")
        .order_by("visit__due_on", "visit_id")
    )
    shown_visits = set(
        visit_visible_to(user)
        .filter(pk__in=sorted({finding.visit_id for finding in visit_links}))
        .values_list("pk", flat=True)
    )
    for finding in visit_links:
        basis = bases[finding.programmeadjustment_id]
        if finding.visit_id in shown_visits:
            basis.visits.append((finding.visit, visit_label(finding.visit)))
        else:
            basis.hidden_visits += 1
    return bases


def adjustments_of_item(item: FeedbackItem) -> list[ProgrammeAdjustment]:
    """The adjustments an item led to (whoever sees the item sees what it led to: titles, areas
    and dates, no other feedback)."""
    return list(item.adjustments.select_related("office").order_by("-decided_on", "-id"))


# --- the report -------------------------------------------------------------------------------


@dataclass
class ReportPeriod:
    start: date
    end: date
    office: Office | None = None


def default_period() -> ReportPeriod:
    """The current month and the five before it."""
    today = timezone.localdate()
    month = today.month - 5
    year = today.year + (month - 1) // 12
    start = date(year, (month - 1) % 12 + 1, 1)
    return ReportPeriod(start=start, end=today)


def report_office_list(user: Any) -> QuerySet[Office]:
    return Office.objects.filter(pk__in=sorted(report_offices(user))).order_by("path")


def _report_offices(user: Any, period: ReportPeriod) -> list[int]:
    offices = report_offices(user)
    if period.office is not None:
        # The office and those below it, within the user's report scope.
        below = set(
            Office.objects.filter(path__startswith=period.office.path).values_list("pk", flat=True)
        )
        offices = frozenset(offices & below)
    return sorted(offices)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _month_key(value: Any) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") else value.replace(day=1)


def _by_month(
    items: QuerySet[FeedbackItem],
    months: list[date],
    field: str,
    choices: Any,
    key: str,
    title: str,
) -> Table:
    counts: dict[tuple[date, str], int] = {}
    for row in (
        items.annotate(month=TruncMonth("received_on"))
        .values("month", field)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = _month_key(row["month"])
        counts[(month, row[field])] = counts.get((month, row[field]), 0) + row["n"]
    table = Table(key, title, [_("Month"), *[str(label) for _code, label in choices], _("Total")])
    totals = [0] * (len(choices) + 1)
    for month in months:
        values = [counts.get((month, code), 0) for code, _label in choices]
        values.append(sum(values))
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        table.add([date_format(month, "YEAR_MONTH_FORMAT"), *values])
    table.add([_("Total"), *totals])
    return table


def _median_days(counts: dict[int, int]) -> str:
    """The median of a distribution given as {days: how many} (as `statistics.median` of the
    expanded list: the mean of the two middle values for an even count)."""
    total = sum(counts.values())
    if not total:
        return "—"
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for days in sorted(counts):
        seen += counts[days]
        while wanted and wanted[0] < seen:
            found.append(days)
            wanted.pop(0)
    return f"{statistics.median(found):g}"


def _days_between(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _durations(items: QuerySet[FeedbackItem], end: str) -> dict[str, dict[int, int]]:
    """{category: {days from receipt to `end`: how many}}, counted in the database (one row a
    category and number of days, not one a feedback item)."""
    rows = (
        items.filter(**{f"{end}__isnull": False})
        .annotate(took=_days_between("received_on", end))
        .values("category", "took")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[str, dict[int, int]] = {}
    for row in rows:
        took = row["took"]
        days = took.days if isinstance(took, timedelta) else int(took)
        by_days = out.setdefault(row["category"], {})
        by_days[days] = by_days.get(days, 0) + row["n"]
    return out


def _handling(items: QuerySet[FeedbackItem]) -> Table:
    """Median days to acknowledge and to resolve, and what is overdue now, by category."""
    table = Table(
        "handling",
        _("Handling times"),
        [_("Category"), _("Received"), _("Median days to acknowledge"),
         _("Median days to resolve"), _("Overdue now")],
    )  # fmt: skip
    counts = {
        row["category"]: (row["n"], row["overdue"])
        for row in items.values("category")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=_overdue_q()))
        .order_by()
    }
    acknowledged = _durations(items, "acknowledged_on")
    resolved = _durations(items, "resolved_on")

    def merged(by_category: dict[str, dict[int, int]], code: str) -> dict[int, int]:
        if code:
            return by_category.get(code, {})
        out: dict[int, int] = {}
        for by_days in by_category.values():
            for days, n in by_days.items():
                out[days] = out.get(days, 0) + n
        return out

    for code, label in [*FeedbackCategory.choices, ("", _("All categories"))]:
        received, overdue = (
            counts.get(code, (0, 0))
            if code
            else (sum(n for n, _o in counts.values()), sum(o for _n, o in counts.values()))
        )
        table.add(
            [
                str(label),
                received,
                _median_days(merged(acknowledged, code)),
                _median_days(merged(resolved, code)),
                overdue,
            ]
        )
    return table


def _adjustments(user: Any, offices: list[int], period: ReportPeriod) -> Table:
    table = Table(
        "adjustments",
        _("Adjustments made"),
        [_("Decided on"), _("Adjustment"), _("Area"), _("Status"), _("Office"),
         _("Feedback behind it"), _("Monitoring findings behind it")],
        text_columns=7,
    )  # fmt: skip
    adjustments = list(
        ProgrammeAdjustment.objects.filter(
            office_id__in=offices, decided_on__gte=period.start, decided_on__lte=period.end
        )
        .select_related("office")
        .order_by("decided_on", "id")
    )
    bases = adjustment_bases(user, adjustments)
    for adjustment in adjustments:
        basis = bases[adjustment.pk]
        feedback = [i.reference for i in basis.feedback]
        if basis.hidden_feedback:
            feedback.append(_("%(n)d restricted") % {"n": basis.hidden_feedback})
        visits = [label for _v, label in basis.visits]
        if basis.hidden_visits:
            visits.append(_("%(n)d other visit(s)") % {"n": basis.hidden_visits})
        table.add(
            [
                date_format(adjustment.decided_on, "SHORT_DATE_FORMAT"),
                adjustment.title,
                str(adjustment.get_area_display()),
                str(adjustment.get_status_display()),
                adjustment.office.name,
                ", ".join(feedback) or "—",
                "; ".join(visits) or "—",
            ]
        )
    return table


REPORT_KEYS = ("themes", "categories", "handling", "adjustments")


def feedback_report(user: Any, period: ReportPeriod) -> list[Table]:
    """The report's tables over the offices of the user's report scope (or one of them):
    feedback by month × theme and × category (sensitive complaints counted, never described),
    handling times and overdue items, and the adjustments decided in the period."""
    offices = _report_offices(user, period)
    items = FeedbackItem.objects.filter(
        office_id__in=offices, received_on__gte=period.start, received_on__lte=period.end
    )
    months = _months(period.start, period.end)
    themes = _("Feedback by theme and month")
    categories = _("Feedback by category and month")
    return [
        _by_month(items, months, "theme", FeedbackTheme.choices, "themes", themes),
        _by_month(items, months, "category", FeedbackCategory.choices, "categories", categories),
        _handling(items),
        _adjustments(user, offices, period),
    ]


# --- the home page ----------------------------------------------------------------------------

HOME_LIMIT = 8


def home_feedback(user: Any) -> dict[str, Any] | None:
    """The feedback section of the home page: the user's assigned open items (overdue first),
    the open items they recorded, and for coordinators the overdue items of their scope and the
    restricted queue's open count. None when there is nothing to show."""
    if not can_view_feedback(user):
        return None
    visible = feedback_visible_to(user).select_related("office")
    still_open = visible.filter(status__in=OPEN_STATUSES)
    # One query for both lists (assigned to the user, recorded by them), split here.
    own = list(
        still_open.filter(Q(assigned_to_id=user.pk) | Q(recorded_by_id=user.pk)).order_by(
            "due_on", "id"
        )[: 2 * HOME_LIMIT]
    )
    mine = [item for item in own if item.assigned_to_id == user.pk][:HOME_LIMIT]
    recorded = [item for item in own if item.assigned_to_id != user.pk][:HOME_LIMIT]
    is_coordinator = principal(user).has_role(Role.COORDINATOR)
    overdue: list[FeedbackItem] = []
    restricted_open = 0
    if is_coordinator:
        overdue = list(visible.filter(_overdue_q()).order_by("due_on", "id")[:HOME_LIMIT])
        restricted_open = still_open.filter(category=FeedbackCategory.SENSITIVE).count()
    if not (mine or recorded or overdue or restricted_open):
        return None
    return {
        "mine": mine,
        "recorded": recorded,
        "overdue": overdue,
        "restricted_open": restricted_open,
        "is_coordinator": is_coordinator,
    }
