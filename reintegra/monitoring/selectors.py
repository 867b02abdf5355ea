"""User-scoped reads of monitoring visits, and the M&E dashboard's figures (aggregates of the
responses the user may read: counts and scores, no personal data)."""

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
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
from reintegra.instruments.selectors import response_visible_to
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

    The figures come from two passes over the instrument's responses in the user's scope, in
    the database: one grouped by office (means, tenths of each score, months since return) and
    one over each case's first and latest survey (window functions); dimension scores are read
    out of the stored JSON once per row."""
    responses = _submitted(user)
    figures = [_counts(responses)]
    if instrument is not None and instrument.current is not None:
        spec = instrument.current.form
        dims = [
            (d.name, text_in(d.label, language, spec.default_language) or d.name)
            for d in spec.dimensions
        ]
        with _scored_rows(responses.filter(instrument=instrument), dims) as rows:
            by_office = _office_pass(rows, len(dims))
            by_case = _case_pass(rows, len(dims) + 1)
        figures += [
            _distribution(by_office, dims),
            _by_office(by_office, dims),
            _by_months(by_office, len(dims)),
            _by_assistance(user, by_case, language),
        ]
        if instrument.code == FOLLOW_UP_INSTRUMENT:
            figures.append(_change(by_case, dims))
    figures.append(_visits(user))
    return figures


def _counts(responses: QuerySet[Any]) -> Figure:
    figure = Figure("counts", _("Responses by instrument"), [_("Instrument"), _("Responses")])
    counts = dict(responses.values_list("instrument_id").annotate(n=Count("id")).order_by())
    names = dict(Instrument.objects.filter(pk__in=counts).values_list("pk", "name"))
    figure.rows = sorted(([names[pk], n] for pk, n in counts.items()), key=lambda r: (-r[1], r[0]))
    figure.bar = 1
    return figure


ROWS_TABLE = "dashboard_rows"


@contextmanager
def _scored_rows(responses: QuerySet[Any], dims: list[tuple[str, str]]) -> Iterator[str]:
    """The scoped responses as a temporary table of narrow rows (id, case_id, office,
    submitted_at, months_since_return, composite, d0…dn): the scores are read out of the
    JSON once, and every figure aggregates over the small table."""
    scores = {
        f"d{i}": Cast(KT(f"scores__dimensions__{name}"), FloatField())
        for i, (name, _label) in enumerate(dims)
    }
    qs = responses.order_by().values(
        "id",
        "case_id",
        "submitted_at",
        "months_since_return",
        "composite",
        office=F("case__office_id"),
        **scores,
    )
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {ROWS_TABLE} AS {sql}", params)  # noqa: S608
        try:
            yield ROWS_TABLE
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}")


SERIES_TENTHS = 10


def _tenth(column: str, tenth: int) -> str:
    low, high = tenth / 10, (tenth + 1) / 10
    upper = f"{column} <= 1" if tenth == SERIES_TENTHS - 1 else f"{column} < {high}"
    return f"SUM(CASE WHEN {column} >= {low} AND {upper} THEN 1 ELSE 0 END)"


def _office_pass(rows: str, dims: int) -> list[dict[str, Any]]:
    """Per office: count, sums and counts of each series, tenths of each series, and per band
    of months since return the count and the sum of composites."""
    series = [f"t.d{i}" for i in range(dims)] + ["t.composite"]
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
    query = f"SELECT {', '.join(select)} FROM {rows} t GROUP BY t.office"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
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


def _case_pass(rows: str, series: int) -> list[tuple[Any, ...]]:
    """Per case (one sort of the rows): the number of responses, then the first and the latest
    value of each series (d0…dn, composite)."""
    columns = [f"d{i}" for i in range(series - 1)] + ["composite"]
    values = ", ".join(f"FIRST_VALUE(t.{c}) OVER w, LAST_VALUE(t.{c}) OVER w" for c in columns)
    query = f"""SELECT r.* FROM (
            SELECT t.case_id, COUNT(*) OVER w AS n, ROW_NUMBER() OVER w AS rn, {values}
            FROM {rows} t
            WINDOW w AS (PARTITION BY t.case_id ORDER BY t.submitted_at, t.id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) r
        WHERE r.rn = 1"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def _by_assistance(user: Any, by_case: list[tuple[Any, ...]], language: str) -> Figure:
    """Mean composite (each case's latest) by the assistance the person received, as
    recorded at monitoring visits (the monitoring form's `assistance_received`)."""
    figure = Figure(
        "assistance",
        _("Mean composite score by assistance received"),
        [_("Assistance"), _("Cases"), _("Composite")],
    )
    received: dict[int, set[str]] = defaultdict(set)
    visits = _submitted(user).filter(instrument__code=VISIT_INSTRUMENT).order_by()
    for case_id, raw in visits.values_list("case_id", KT("answers__assistance_received")):
        try:
            codes = json.loads(raw) if raw else []
        except ValueError:
            codes = []
        if isinstance(codes, str):
            codes = codes.split()
        received[case_id].update(c for c in codes if isinstance(c, str))
    by_type: dict[str, list[float]] = defaultdict(list)
    for row in by_case:
        case_id, composite = row[0], row[-1]  # the latest composite is the last column
        if composite is None:
            continue
        for code in received.get(case_id) or {"_none"}:
            by_type[code].append(composite)
    labels = _choice_labels(VISIT_INSTRUMENT, "assistance_received", language)
    for code, values in sorted(by_type.items(), key=lambda kv: -len(kv[1])):
        label = _("None recorded") if code == "_none" else labels.get(code, code)
        figure.rows.append([label, len(values), _pct(math.fsum(values) / len(values))])
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


def _change(by_case: list[tuple[Any, ...]], dims: list[tuple[str, str]]) -> Figure:
    """First (baseline) and latest survey of each case surveyed at least twice: the mean of
    each, per dimension and composite, and the change."""
    figure = Figure(
        "change",
        _("Baseline to latest follow-up (cases surveyed twice or more)"),
        [_("Score"), _("Cases"), _("Baseline"), _("Latest"), _("Change")],
    )
    twice = [row for row in by_case if row[1] >= 2]
    labels = [label for _name, label in dims] + [_("Composite")]
    for i, label in enumerate(labels):
        first_at, last_at = 3 + 2 * i, 4 + 2 * i
        pairs = [
            (row[first_at], row[last_at])
            for row in twice
            if row[first_at] is not None and row[last_at] is not None
        ]
        if not pairs:
            figure.rows.append([label, 0, None, None, None])
            continue
        first = math.fsum(a for a, _b in pairs) / len(pairs)
        last = math.fsum(b for _a, b in pairs) / len(pairs)
        figure.rows.append([label, len(pairs), _pct(first), _pct(last), _pct(last - first)])
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
