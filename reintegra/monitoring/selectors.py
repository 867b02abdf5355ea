"""User-scoped reads of monitoring visits, and the M&E dashboard's figures (aggregates of the
responses the user may read: counts and scores, no personal data)."""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.principal import principal
from reintegra.accounts.models import Office
from reintegra.cases.permissions import CaseAccess
from reintegra.cases.selectors import case_get_for_user, case_visible_to
from reintegra.core import generations
from reintegra.instruments.choices import ResponseStatus
from reintegra.instruments.models import Instrument
from reintegra.instruments.selectors import response_visible_to, score_rows_visible_to
from reintegra.instruments.services import FIGURES
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


DASHBOARD_CACHE_SECONDS = 600


def dashboard_cached(user: Any, instrument: Instrument | None, language: str) -> list[Figure]:
    """`dashboard`, kept in the cache until a response or a visit changes (the generation
    counter) or ten minutes pass; the key holds the user's scope, so users with the same
    roles and offices share it."""
    scope = sorted(
        (g.role, g.specialisation, tuple(sorted(g.office_ids))) for g in principal(user).grants
    )
    version = instrument.current_id if instrument else None
    raw = repr((scope, instrument.pk if instrument else None, version, language))
    key = f"dashboard:{generations.current(FIGURES)}:{hashlib.sha256(raw.encode()).hexdigest()}"
    figures = cache.get(key)
    if figures is None:
        figures = dashboard(user, instrument, language)
        cache.set(key, figures, DASHBOARD_CACHE_SECONDS)
    return figures


def dashboard(user: Any, instrument: Instrument | None, language: str) -> list[Figure]:
    """The M&E dashboard for one scored instrument (the sustainability survey by default).

    The figures come from two passes, in the database, over the instrument's scores in the
    user's scope (`ScoreRow`, plain columns): one grouped by office (means, tenths of each
    score, months since return), one over each case's first and latest survey (a window)."""
    figures = [_counts(score_rows_visible_to(user))]
    if instrument is not None and instrument.current is not None:
        spec = instrument.current.form
        dims = [
            (d.name, text_in(d.label, language, spec.default_language) or d.name)
            for d in spec.dimensions
        ]
        by_office = _office_pass(_scored_rows(user, instrument, dims, office=True), len(dims))
        choices = _assistance_choices(language)
        by_case = _case_pass(
            user, _scored_rows(user, instrument, dims), len(dims) + 1, [c for c, _l in choices]
        )
        figures += [
            _distribution(by_office, dims),
            _by_office(by_office, dims),
            _by_months(by_office, len(dims)),
            _by_assistance(by_case, choices),
        ]
        if instrument.code == FOLLOW_UP_INSTRUMENT:
            figures.append(_change(by_case, dims))
    figures.append(_visits(user))
    return figures


def _counts(scores: QuerySet[Any]) -> Figure:
    """Submitted responses (each has its row of scores) by instrument."""
    figure = Figure("counts", _("Responses by instrument"), [_("Instrument"), _("Responses")])
    counts = dict(scores.values_list("instrument_id").annotate(n=Count("pk")).order_by())
    names = dict(Instrument.objects.filter(pk__in=counts).values_list("pk", "name"))
    figure.rows = sorted(([names[pk], n] for pk, n in counts.items()), key=lambda r: (-r[1], r[0]))
    figure.bar = 1
    return figure


Rows = tuple[str, list[Any]]


def _scored_rows(
    user: Any, instrument: Instrument, dims: list[tuple[str, str]], office: bool = False
) -> Rows:
    """The SQL of the instrument's scores the user may read, as narrow rows (id, case_id,
    office, submitted_at, months_since_return, composite, s0…sn for the dimensions in the
    form's order): from `ScoreRow`, never the responses' JSON."""
    slots = instrument.dimension_slots or {}
    scores = {
        f"s{i}": F(f"d{slots[name]}") if name in slots else Value(None, FloatField())
        for i, (name, _label) in enumerate(dims)
    }
    qs = (
        score_rows_visible_to(user)
        .filter(instrument=instrument)
        .order_by()
        .values(
            "case_id",
            "submitted_at",
            "months_since_return",
            "composite",
            id=F("response_id"),
            **({"office": F("case__office_id")} if office else {}),
            **scores,
        )
    )
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


SERIES_TENTHS = 10


def _tenth(column: str, tenth: int) -> str:
    low, high = tenth / 10, (tenth + 1) / 10
    upper = f"{column} <= 1" if tenth == SERIES_TENTHS - 1 else f"{column} < {high}"
    return f"SUM(CASE WHEN {column} >= {low} AND {upper} THEN 1 ELSE 0 END)"


def _office_pass(rows: Rows, dims: int) -> list[dict[str, Any]]:
    """Per office: count, sums and counts of each series, tenths of each series, and per band
    of months since return the count and the sum of composites."""
    series = [f"t.s{i}" for i in range(dims)] + ["t.composite"]
    select = ["t.office", "COUNT(*)"]
    for column in series:
        select += [f"SUM({column})", f"COUNT({column})"]
        select += [_tenth(column, tenth) for tenth in range(SERIES_TENTHS)]
    for low, high in MONTH_BANDS:
        band = f"t.months_since_return >= {low} AND t.months_since_return < {high}"
        select += [
            f"SUM(CASE WHEN {band} AND t.composite IS NOT NULL THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {band} THEN t.composite END)",
            f"SUM(CASE WHEN {band} THEN 1 ELSE 0 END)",
        ]
    sql, params = rows
    query = f"SELECT {', '.join(select)} FROM ({sql}) t GROUP BY t.office"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        raw = cursor.fetchall()
    names = dict(Office.objects.values_list("pk", "name"))
    out = []
    for row in raw:
        position = 2
        entry: dict[str, Any] = {"office": names.get(row[0], "—"), "n": row[1], "series": []}
        for _column in series:
            total, count = row[position] or 0.0, row[position + 1] or 0
            tenths = [int(v or 0) for v in row[position + 2 : position + 2 + SERIES_TENTHS]]
            entry["series"].append({"sum": total, "count": count, "tenths": tenths})
            position += 2 + SERIES_TENTHS
        entry["bands"] = []
        for _band in MONTH_BANDS:
            scored, total, responses = row[position : position + 3]
            entry["bands"].append({"scored": scored or 0, "sum": total or 0.0, "n": responses or 0})
            position += 3
        out.append(entry)
    return sorted(out, key=lambda e: e["office"])


def _mean(total: float, count: int) -> float | None:
    return _pct(total / count) if count else None


def _distribution(by_office: list[dict[str, Any]], dims: list[tuple[str, str]]) -> Figure:
    """How many responses score in each tenth, per dimension and composite."""
    columns = [_("Score")] + [label for _name, label in dims] + [_("Composite")]
    figure = Figure("distribution", _("Score distribution"), columns)
    series = len(dims) + 1
    for tenth in range(SERIES_TENTHS):
        label = f"{tenth * 10}–{tenth * 10 + 10}"
        counts = [sum(e["series"][s]["tenths"][tenth] for e in by_office) for s in range(series)]
        figure.rows.append([label, *counts])
    return figure


def _by_office(by_office: list[dict[str, Any]], dims: list[tuple[str, str]]) -> Figure:
    columns = [_("Office"), _("Responses")] + [label for _n, label in dims] + [_("Composite")]
    figure = Figure("offices", _("Mean scores by office (out of 100)"), columns)
    for entry in by_office:
        means = [_mean(s["sum"], s["count"]) for s in entry["series"]]
        figure.rows.append([entry["office"], entry["n"], *means])
    figure.bar = len(columns) - 1
    return figure


MONTH_BANDS = [(0, 3), (3, 6), (6, 12), (12, 24), (24, 1200)]


def _by_months(by_office: list[dict[str, Any]], dims: int) -> Figure:
    figure = Figure(
        "months",
        _("Mean composite score by months since return"),
        [_("Months since return"), _("Responses"), _("Composite")],
    )
    for i, (low, high) in enumerate(MONTH_BANDS):
        n = sum(e["bands"][i]["n"] for e in by_office)
        scored = sum(e["bands"][i]["scored"] for e in by_office)
        total = sum(e["bands"][i]["sum"] for e in by_office)
        label = f"{low}–{high}" if high < 1200 else f"{low}+"
        figure.rows.append([label, n, _mean(total, scored)])
    figure.bar = 2
    return figure


@dataclass
class CaseFigures:
    """Per series (dimensions, then composite), over cases surveyed twice or more: how many,
    the sum of their first scores and of their latest ones; per assistance code (then "none
    recorded"), over cases with a latest composite: how many, the sum of those composites."""

    change: list[tuple[int, float, float]]
    assistance: list[tuple[int, float]]


def _case_pass(user: Any, rows: Rows, series: int, codes: list[str]) -> CaseFigures:
    """One window over each case's surveys (first and latest), joined to the assistance its
    monitoring visits recorded, aggregated in the database: one row comes back."""
    sql, params = rows
    columns = [f"s{i}" for i in range(series - 1)] + ["composite"]
    ends = ", ".join(
        f"FIRST_VALUE(t.{c}) OVER w AS f_{c}, LAST_VALUE(t.{c}) OVER w AS l_{c}" for c in columns
    )
    visits = (
        _submitted(user)
        .filter(instrument__code=VISIT_INSTRUMENT)
        .order_by()
        .values("case_id", received=KT("answers__assistance_received"))
    )
    visits_sql, visits_params = visits.query.sql_with_params()
    flags = ", ".join(
        f"MAX(CASE WHEN v.received LIKE %s THEN 1 ELSE 0 END) AS c{j}" for j in range(len(codes))
    )
    select = []
    for c in columns:
        both = f"k.n >= 2 AND k.f_{c} IS NOT NULL AND k.l_{c} IS NOT NULL"
        select += [
            f"SUM(CASE WHEN {both} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {both} THEN k.f_{c} END)",
            f"SUM(CASE WHEN {both} THEN k.l_{c} END)",
        ]
    latest = "k.l_composite IS NOT NULL"
    for j in range(len(codes)):
        select += [
            f"SUM(CASE WHEN {latest} AND a.c{j} = 1 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {latest} AND a.c{j} = 1 THEN k.l_composite END)",
        ]
    none = " + ".join(f"COALESCE(a.c{j}, 0)" for j in range(len(codes))) or "0"
    select += [
        f"SUM(CASE WHEN {latest} AND {none} = 0 THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN {latest} AND {none} = 0 THEN k.l_composite END)",
    ]
    flags_cte = (
        f"SELECT v.case_id, {flags} FROM ({visits_sql}) v GROUP BY v.case_id"  # noqa: S608
        if codes
        else "SELECT CAST(NULL AS BIGINT) AS case_id WHERE 1 = 0"
    )
    query = f"""WITH k AS (
            SELECT r.* FROM (
                SELECT t.case_id, COUNT(*) OVER w AS n, ROW_NUMBER() OVER w AS rn, {ends}
                FROM ({sql}) t
                WINDOW w AS (PARTITION BY t.case_id ORDER BY t.submitted_at, t.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) r
            WHERE r.rn = 1),
        a AS ({flags_cte})
        SELECT {", ".join(select)} FROM k LEFT JOIN a ON a.case_id = k.case_id"""  # noqa: S608
    patterns = [f'%"{code}"%' for code in codes]
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *patterns, *(visits_params if codes else [])])
        row = cursor.fetchone()
    values = list(row or [])
    change = [
        (int(values[3 * i] or 0), values[3 * i + 1] or 0.0, values[3 * i + 2] or 0.0)
        for i in range(len(columns))
    ]
    rest = values[3 * len(columns) :]
    assistance = [(int(rest[2 * j] or 0), rest[2 * j + 1] or 0.0) for j in range(len(codes) + 1)]
    return CaseFigures(change=change, assistance=assistance)


def _assistance_choices(language: str) -> list[tuple[str, str]]:
    """The codes and labels of the monitoring form's `assistance_received` list."""
    instrument = Instrument.objects.filter(code=VISIT_INSTRUMENT).select_related("current").first()
    if instrument is None or instrument.current is None:
        return []
    spec = instrument.current.form
    q = spec.question("assistance_received")
    if q is None:
        return []
    return [
        (c.name, text_in(c.label, language, spec.default_language) or c.name)
        for c in spec.choices.get(q.list_name, [])
    ]


def _by_assistance(figures: CaseFigures, choices: list[tuple[str, str]]) -> Figure:
    """Mean composite (each case's latest) by the assistance the person received, as
    recorded at monitoring visits (the monitoring form's `assistance_received`)."""
    figure = Figure(
        "assistance",
        _("Mean composite score by assistance received"),
        [_("Assistance"), _("Cases"), _("Composite")],
    )
    labels = [label for _code, label in choices] + [_("None recorded")]
    rows = [
        [label, count, _mean(total, count)]
        for label, (count, total) in zip(labels, figures.assistance, strict=True)
        if count
    ]
    figure.rows = sorted(rows, key=lambda r: -r[1])
    figure.bar = 2
    return figure


def _change(figures: CaseFigures, dims: list[tuple[str, str]]) -> Figure:
    """First (baseline) and latest survey of each case surveyed at least twice: the mean of
    each, per dimension and composite, and the change."""
    figure = Figure(
        "change",
        _("Baseline to latest follow-up (cases surveyed twice or more)"),
        [_("Score"), _("Cases"), _("Baseline"), _("Latest"), _("Change")],
    )
    labels = [label for _name, label in dims] + [_("Composite")]
    for label, (count, first, last) in zip(labels, figures.change, strict=True):
        if not count:
            figure.rows.append([label, 0, None, None, None])
            continue
        before, after = first / count, last / count
        figure.rows.append([label, count, _pct(before), _pct(after), _pct(after - before)])
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
