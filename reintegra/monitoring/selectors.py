"""User-scoped reads of monitoring visits, and the M&E dashboard's figures (aggregates of the
responses the user may read: counts and scores, no personal data)."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import mean
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Floor
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.cases.permissions import CaseAccess
from reintegra.cases.selectors import case_get_for_user, case_visible_to
from reintegra.instruments.choices import ResponseStatus
from reintegra.instruments.models import Instrument
from reintegra.instruments.selectors import response_visible_to
from reintegra.instruments.spec import text_in
from reintegra.monitoring.choices import FOLLOW_UP_INSTRUMENT, VISIT_INSTRUMENT, VisitStatus
from reintegra.monitoring.models import Visit

# The home page and the list look this far ahead for visits coming due.
DUE_WINDOW_DAYS = 30


def visit_visible_to(user: Any) -> QuerySet[Visit]:
    """Visits of the cases the user reaches."""
    return Visit.objects.filter(case__in=case_visible_to(user).values("pk"))


def visit_list_for_user(user: Any, *, when: str = "due", case: Any = None) -> QuerySet[Visit]:
    """`due`: planned and due within the window (overdue first); `overdue`; `done`; `all`."""
    today = timezone.localdate()
    qs = visit_visible_to(user).select_related("case", "case__person", "case__lead", "office")
    if case:
        qs = qs.filter(case_id=case)
    if when == "due":
        qs = qs.filter(
            status=VisitStatus.PLANNED, due_on__lte=today + timedelta(days=DUE_WINDOW_DAYS)
        )
    elif when == "overdue":
        qs = qs.filter(status=VisitStatus.PLANNED, due_on__lt=today)
    elif when == "done":
        qs = qs.filter(status=VisitStatus.DONE).order_by("-done_on", "-id")
    return qs.order_by("due_on", "id") if when != "done" else qs


def visit_get_for_user(user: Any, pk: Any) -> tuple[Visit, CaseAccess]:
    try:
        visit_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    visit = Visit.objects.select_related("response", "follow_up").filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    case, access = case_get_for_user(user, visit.case_id, log_view=False)
    visit.case = case
    return visit, access


# --- the dashboard --------------------------------------------------------------------------


@dataclass
class Figure:
    """One table of the dashboard: rows of (label, values…), exportable as CSV."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # For the bar charts: the column holding a 0–100 value, and its maximum.
    bar: int | None = None

    def bar_rows(self) -> list[dict[str, Any]]:
        if self.bar is None:
            return []
        top = max([r[self.bar] or 0 for r in self.rows] + [1])
        return [
            {
                "label": r[0],
                "value": r[self.bar],
                "width": round((r[self.bar] or 0) * 100 / top),
                "y": i * 10 + 2,
            }
            for i, r in enumerate(self.rows)
        ]

    @property
    def chart_height(self) -> int:
        return len(self.rows) * 10


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _submitted(user: Any) -> QuerySet[Any]:
    return response_visible_to(user).filter(status=ResponseStatus.SUBMITTED)


def dashboard(user: Any, instrument: Instrument | None, language: str) -> list[Figure]:
    """The M&E dashboard for one scored instrument (the sustainability survey by default)."""
    responses = _submitted(user)
    figures = [_counts(responses)]
    if instrument is not None and instrument.current is not None:
        mine = responses.filter(instrument=instrument)
        spec = instrument.current.form
        dims = [
            (d.name, text_in(d.label, language, spec.default_language) or d.name)
            for d in spec.dimensions
        ]
        figures += [
            _distribution(mine, dims),
            _by_office(mine, dims),
            _by_months(mine),
            _by_assistance(user, mine, language),
        ]
        if instrument.code == FOLLOW_UP_INSTRUMENT:
            figures.append(_change(mine, dims))
    figures.append(_visits(user))
    return figures


def _counts(responses: QuerySet[Any]) -> Figure:
    figure = Figure("counts", _("Responses by instrument"), [_("Instrument"), _("Responses")])
    rows = (
        responses.values("instrument__name")
        .annotate(n=Count("id"))
        .order_by("-n", "instrument__name")
    )
    figure.rows = [[r["instrument__name"], r["n"]] for r in rows]
    figure.bar = 1
    return figure


def _distribution(responses: QuerySet[Any], dims: list[tuple[str, str]]) -> Figure:
    """How many responses score in each tenth, per dimension and composite."""
    columns = [_("Score")] + [label for _name, label in dims] + [_("Composite")]
    figure = Figure("distribution", _("Score distribution"), columns)
    counts: dict[str, dict[int, int]] = {}
    for name, _label in dims:
        score = Cast(KT(f"scores__dimensions__{name}"), FloatField())
        rows = (
            responses.annotate(s=score)
            .filter(s__isnull=False)
            .annotate(b=Floor(F("s") * 10))
            .values("b")
            .annotate(n=Count("id"))
        )
        counts[name] = {min(int(r["b"]), 9): r["n"] for r in rows}
    rows = (
        responses.filter(composite__isnull=False)
        .annotate(b=Floor(F("composite") * 10))
        .values("b")
        .annotate(n=Count("id"))
    )
    composite: dict[int, int] = defaultdict(int)
    for r in rows:
        composite[min(int(r["b"]), 9)] += r["n"]
    for tenth in range(10):
        label = f"{tenth * 10}–{tenth * 10 + 10}"
        figure.rows.append(
            [label] + [counts[n].get(tenth, 0) for n, _l in dims] + [composite.get(tenth, 0)]
        )
    return figure


def _by_office(responses: QuerySet[Any], dims: list[tuple[str, str]]) -> Figure:
    columns = [_("Office"), _("Responses")] + [label for _n, label in dims] + [_("Composite")]
    figure = Figure("offices", _("Mean scores by office (out of 100)"), columns)
    aggregates = {
        f"d_{name}": Avg(Cast(KT(f"scores__dimensions__{name}"), FloatField())) for name, _l in dims
    }
    rows = (
        responses.values("case__office__name")
        .annotate(n=Count("id"), c=Avg("composite"), **aggregates)
        .order_by("case__office__name")
    )
    for r in rows:
        figure.rows.append(
            [r["case__office__name"], r["n"]]
            + [_pct(r[f"d_{name}"]) for name, _l in dims]
            + [_pct(r["c"])]
        )
    figure.bar = len(columns) - 1
    return figure


MONTH_BANDS = [(0, 3), (3, 6), (6, 12), (12, 24), (24, 1200)]


def _by_months(responses: QuerySet[Any]) -> Figure:
    figure = Figure(
        "months",
        _("Mean composite score by months since return"),
        [_("Months since return"), _("Responses"), _("Composite")],
    )
    for low, high in MONTH_BANDS:
        band = responses.filter(months_since_return__gte=low, months_since_return__lt=high)
        r = band.aggregate(n=Count("id"), c=Avg("composite"))
        label = f"{low}–{high}" if high < 1200 else f"{low}+"
        figure.rows.append([label, r["n"], _pct(r["c"])])
    figure.bar = 2
    return figure


def _by_assistance(user: Any, responses: QuerySet[Any], language: str) -> Figure:
    """Mean composite by the assistance the person received, as recorded at monitoring visits
    (the monitoring form's `assistance_received`)."""
    figure = Figure(
        "assistance",
        _("Mean composite score by assistance received"),
        [_("Assistance"), _("Cases"), _("Composite")],
    )
    received: dict[int, set[str]] = defaultdict(set)
    visits = _submitted(user).filter(instrument__code=VISIT_INSTRUMENT)
    for case_id, raw in visits.values_list("case_id", KT("answers__assistance_received")):
        try:
            codes = json.loads(raw) if raw else []
        except ValueError:
            codes = []
        if isinstance(codes, str):
            codes = codes.split()
        received[case_id].update(c for c in codes if isinstance(c, str))
    latest: dict[int, float] = {}
    for case_id, composite in (
        responses.filter(composite__isnull=False)
        .order_by("submitted_at")
        .values_list("case_id", "composite")
    ):
        latest[case_id] = composite
    by_type: dict[str, list[float]] = defaultdict(list)
    for case_id, composite in latest.items():
        for code in received.get(case_id, {"_none"}):
            by_type[code].append(composite)
    labels = _choice_labels(VISIT_INSTRUMENT, "assistance_received", language)
    for code, values in sorted(by_type.items(), key=lambda kv: -len(kv[1])):
        label = _("None recorded") if code == "_none" else labels.get(code, code)
        figure.rows.append([label, len(values), _pct(mean(values))])
    figure.bar = 2
    return figure


def _choice_labels(code: str, question: str, language: str) -> dict[str, str]:
    instrument = Instrument.objects.filter(code=code).select_related("current").first()
    if instrument is None or instrument.current is None:
        return {}
    spec = instrument.current.form
    q = spec.question(question)
    if q is None:
        return {}
    return {
        c.name: text_in(c.label, language, spec.default_language) or c.name
        for c in spec.choices.get(q.list_name, [])
    }


def _change(responses: QuerySet[Any], dims: list[tuple[str, str]]) -> Figure:
    """First (baseline) and latest survey of each case surveyed at least twice."""
    figure = Figure(
        "change",
        _("Baseline to latest follow-up (cases surveyed twice or more)"),
        [_("Score"), _("Cases"), _("Baseline"), _("Latest"), _("Change")],
    )
    first: dict[int, dict[str, Any]] = {}
    last: dict[int, dict[str, Any]] = {}
    counts: dict[int, int] = defaultdict(int)
    rows = responses.order_by("submitted_at", "id").values_list("case_id", "scores")
    for case_id, scores in rows:
        first.setdefault(case_id, scores or {})
        last[case_id] = scores or {}
        counts[case_id] += 1
    twice = [c for c, n in counts.items() if n >= 2]

    def row(label: str, pick: Any) -> None:
        pairs = [(pick(first[c]), pick(last[c])) for c in twice]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if not pairs:
            figure.rows.append([label, 0, None, None, None])
            return
        before, after = mean(a for a, _b in pairs), mean(b for _a, b in pairs)
        figure.rows.append([label, len(pairs), _pct(before), _pct(after), _pct(after - before)])

    for name, label in dims:
        row(label, lambda s, name=name: (s.get("dimensions") or {}).get(name))
    row(_("Composite"), lambda s: s.get("composite"))
    return figure


def _visits(user: Any) -> Figure:
    today = timezone.localdate()
    visits = visit_visible_to(user)
    due = visits.filter(due_on__lte=today).exclude(status=VisitStatus.CANCELLED)
    figure = Figure(
        "visits",
        _("Monitoring visits due so far: done and not done"),
        [_("Visits"), _("Count")],
    )
    counts = due.aggregate(
        done=Count("id", filter=Q(status=VisitStatus.DONE)),
        missing=Count("id", filter=Q(status=VisitStatus.PLANNED)),
    )
    figure.rows = [
        [_("Due so far"), counts["done"] + counts["missing"]],
        [_("Done"), counts["done"]],
        [_("Not done yet (overdue)"), counts["missing"]],
        [
            _("Planned later"),
            visits.filter(status=VisitStatus.PLANNED, due_on__gt=today).count(),
        ],
    ]
    figure.bar = 1
    return figure
