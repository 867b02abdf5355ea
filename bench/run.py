"""Benchmark of the pages that must stay fast at scale, against the current database.

For each measure: the server time of the real view (django.test.Client with force_login,
queries counted with CaptureQueriesContext) — or, while a view does not exist yet, the selectors
the page is built from — and the "floor": hand-written SQL fetching the same data. The ratio
view / floor says how much the ORM, the access scoping and the page add to the bare query.

Measures:
1. case list of a case manager (cm.tamba): open cases, most recently updated first, page of 50;
2. case list of the national coordinator: one stage, sorted by name, page of 50;
3. person search by a common name fragment, page of 50 (cm.tamba and coord.national);
4. case detail with its timeline, open tasks and notes (cm.tamba, on his open cases).

Viewing a case file records an AccessEvent (appended to the chain like any view).
"""

import copy
import json
import math
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from reintegra.access.policy import Level, Tier
from reintegra.accounts.models import User
from reintegra.audit.models import AccessEvent
from reintegra.cases.choices import Stage
from reintegra.cases.models import Assignment, Case, CaseEvent, Note, Task
from reintegra.cases.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    open_tasks,
    timeline_for,
)
from reintegra.core.pagination import PAGE_SIZE, paginate
from reintegra.people.models import Returnee
from reintegra.people.selectors import returnee_list_for_user

NAME_FRAGMENT = "diallo"
COORDINATOR_STAGE = Stage.ASSISTANCE
DETAIL_CASES = 20


@dataclass
class Result:
    """One measure: timings in milliseconds and the queries of one run."""

    measure: str
    path: str
    queries: int
    times: list[float] = field(default_factory=list)
    floor_queries: int = 0
    floor_times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor_times) if self.floor_times else math.nan

    @property
    def floor_p95(self) -> float:
        return percentile(self.floor_times, 95) if self.floor_times else math.nan

    @property
    def ratio(self) -> float:
        return self.median / self.floor_median if self.floor_times else math.nan


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _in(ids: Any) -> tuple[str, list[int]]:
    ids = sorted(ids)
    return ", ".join(["%s"] * len(ids)), ids


def _scope(user: User, roles: tuple[str, ...]) -> list[int]:
    from reintegra.access.principal import principal

    return sorted(principal(user).offices(*roles))


T = {
    "case": Case._meta.db_table,
    "person": Returnee._meta.db_table,
    "office": "accounts_office",
    "user": User._meta.db_table,
    "assignment": Assignment._meta.db_table,
    "event": CaseEvent._meta.db_table,
    "task": Task._meta.db_table,
    "note": Note._meta.db_table,
}
LIST_COLUMNS = """c.id, c.number, c.stage, c.opened_on, c.arrived_on, c.updated_at,
    c.has_protection_flag, c.has_medical_flag, c.has_psychosocial_flag, c.has_plan, p.id,
    p.given_names, p.family_name, p.date_of_birth, o.id, o.name, u.id, u.first_name, u.last_name"""
LIST_JOINS = f"""JOIN {T["person"]} p ON p.id = c.person_id
    JOIN {T["office"]} o ON o.id = c.office_id
    LEFT JOIN {T["user"]} u ON u.id = c.lead_id"""


def _page_with_total(
    columns: str, table: str, joins: str, where: str, params: list[Any], order: str
) -> tuple[str, list[Any]]:
    """One statement: a page of rows and, in the same row, the total (an uncorrelated scalar
    subquery, computed once; a window count would stop the index-ordered LIMIT scan)."""
    sql = f"""SELECT {columns}, (SELECT COUNT(*) FROM {table} WHERE {where}) AS total
        FROM {table} {joins} WHERE {where} ORDER BY {order} LIMIT {PAGE_SIZE}"""
    return sql, [*params, *params]


def floor_case_list_cm(user: User) -> list[tuple[str, list[Any]]]:
    marks, ids = _in(_scope(user, ("CASE_MANAGER",)))
    where = f"""c.office_id IN ({marks}) AND c.stage <> %s
        AND EXISTS (SELECT 1 FROM {T["assignment"]} a
                    WHERE a.case_id = c.id AND a.user_id = %s AND a.ended_at IS NULL)"""
    return [
        _page_with_total(
            LIST_COLUMNS,
            f"{T['case']} c",
            LIST_JOINS,
            where,
            [*ids, Stage.CLOSED, user.pk],
            "c.updated_at DESC, c.id DESC",
        )
    ]


def floor_case_list_coordinator(user: User) -> list[tuple[str, list[Any]]]:
    marks, ids = _in(_scope(user, ("COORDINATOR",)))
    where = f"c.office_id IN ({marks}) AND c.stage = %s"
    return [
        _page_with_total(
            LIST_COLUMNS,
            f"{T['case']} c",
            LIST_JOINS,
            where,
            [*ids, COORDINATOR_STAGE],
            "c.sort_name, c.id",
        )
    ]


def floor_person_search(user: User) -> list[tuple[str, list[Any]]]:
    """People the user may know of whose name matches, by the rule `returnee_visible_to`
    applies: a person's `office` is the office responsible for them, so the coordinator's scope
    is one indexed column; a case manager sees the people of their own office and those of the
    cases assigned to them. The matches are materialised first (the trigram index finds them),
    so the planner cannot walk a name index in order filtering every row."""
    from reintegra.access.principal import principal

    p = principal(user)
    like = f"%{NAME_FRAGMENT}%"
    if p.has_role("COORDINATOR"):
        marks, ids = _in(_scope(user, ("COORDINATOR",)))
        visible = f"p.office_id IN ({marks})"
        params: list[Any] = ids
    else:
        marks, ids = _in(p.home_offices("CASE_MANAGER"))
        scope_marks, scope_ids = _in(_scope(user, ("CASE_MANAGER",)))
        visible = f"""(p.office_id IN ({marks}) OR p.id IN (
            SELECT c.person_id FROM {T["case"]} c
            JOIN {T["assignment"]} a ON a.case_id = c.id
            WHERE c.office_id IN ({scope_marks}) AND a.user_id = %s AND a.ended_at IS NULL))"""
        params = [*ids, *scope_ids, user.pk]
    sql = f"""WITH m AS MATERIALIZED (
            SELECT p.id FROM {T["person"]} p WHERE p.name_key LIKE %s AND {visible})
        SELECT p.id, p.given_names, p.family_name, p.sex, p.date_of_birth, p.phone, p.commune,
            o.id, o.name, (SELECT COUNT(*) FROM m) AS total
        FROM m JOIN {T["person"]} p ON p.id = m.id JOIN {T["office"]} o ON o.id = p.office_id
        ORDER BY p.family_key, p.name_key, p.id LIMIT {PAGE_SIZE}"""
    return [(sql, [like, *params])]


def floor_case_detail(
    case_id: int, tiers: tuple[list[str], list[str]]
) -> list[tuple[str, list[Any]]]:
    """Four reads: the case with person, office and lead; its timeline (tiers the user knows
    of); open tasks; notes (tiers the user reads)."""
    known, readable = tiers
    marks = ", ".join(["%s"] * len(known))
    note_marks = ", ".join(["%s"] * len(readable))
    return [
        (
            f"""SELECT c.*, p.*, o.*, u.id, u.first_name, u.last_name FROM {T["case"]} c
            JOIN {T["person"]} p ON p.id = c.person_id
            JOIN {T["office"]} o ON o.id = c.office_id
            LEFT JOIN {T["user"]} u ON u.id = c.lead_id WHERE c.id = %s""",
            [case_id],
        ),
        (
            f"""SELECT e.*, u.first_name, u.last_name FROM {T["event"]} e
            LEFT JOIN {T["user"]} u ON u.id = e.actor_id
            WHERE e.case_id = %s AND e.tier IN ({marks}) ORDER BY e.at DESC, e.id DESC LIMIT 200""",
            [case_id, *known],
        ),
        (
            f"""SELECT t.*, u.first_name, u.last_name FROM {T["task"]} t
            LEFT JOIN {T["user"]} u ON u.id = t.assignee_id
            WHERE t.case_id = %s AND t.completed_at IS NULL ORDER BY t.due_on""",
            [case_id],
        ),
        (
            f"""SELECT n.*, u.first_name, u.last_name FROM {T["note"]} n
            LEFT JOIN {T["user"]} u ON u.id = n.author_id
            WHERE n.case_id = %s AND n.tier IN ({note_marks})
            ORDER BY n.written_on DESC, n.id DESC LIMIT {PAGE_SIZE}""",
            [case_id, *readable],
        ),
    ]


def run_sql(statements: list[tuple[str, list[Any]]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def views_available() -> bool:
    return all(_url(n) for n in ("cases:list", "people:list")) and bool(_url("cases:detail", 1))


def _tiers(user: User, case: Case) -> tuple[list[str], list[str]]:
    """The tiers the user knows of (timeline) and reads (notes) on this case."""
    from reintegra.cases.permissions import case_access

    access = case_access(user, case)
    return (
        [t for t in Tier.values if access.level(t) >= Level.FLAG],
        [t for t in Tier.values if access.level(t) >= Level.READ],
    )


class Bench:
    def __init__(self, repeat: int, log: Callable[[str], None]) -> None:
        self.repeat = repeat
        self.log = log
        self.users = {
            u.username: u for u in User.objects.filter(username__in=["cm.tamba", "coord.national"])
        }
        if len(self.users) < 2:
            raise RuntimeError("The personas cm.tamba and coord.national are missing.")
        self.detail_ids = list(
            Case.objects.filter(lead=self.users["cm.tamba"])
            .exclude(stage=Stage.CLOSED)
            .order_by("-updated_at")
            .values_list("id", flat=True)[:DETAIL_CASES]
        )

    def time(self, fn: Callable[[int], Any]) -> tuple[list[float], list[float], int]:
        """Run fn(i) twice to warm up, then `repeat` times; return the wall-clock and this
        process's CPU milliseconds of each run, and the queries of one run."""
        fn(0)
        fn(1)
        times, cpu = [], []
        queries = 0
        for i in range(self.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                fn(i)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            queries = len(ctx.captured_queries)
        return times, cpu, queries

    def measure(
        self,
        name: str,
        path: str,
        fn: Callable[[int], Any],
        floor: Callable[[int], list[tuple[str, list[Any]]]],
    ) -> Result:
        times, cpu, queries = self.time(fn)
        floor_times, _cpu, floor_queries = self.time(lambda i: run_sql(floor(i)))
        result = Result(name, path, queries, times, floor_queries, floor_times, cpu)
        self.log(
            f"  {name} [{path}]: median {result.median:.1f} ms, p95 {result.p95:.1f} ms, "
            f"{queries} queries; floor {result.floor_median:.1f} ms"
        )
        return result

    def scenarios(self) -> list[tuple[str, User, Any, Any, Any]]:
        """(measure, user, view url(i), selector fn(user, i), floor(i))."""
        cm, coord = self.users["cm.tamba"], self.users["coord.national"]
        detail = self.detail_ids

        def detail_selectors(user: User, i: int) -> None:
            case, access = case_get_for_user(user, detail[i % len(detail)])
            timeline_for(access)
            list(open_tasks(case))
            tiers = [t for t in Tier.values if access.level(t) >= Level.READ]
            list(case.notes.filter(tier__in=tiers).select_related("author")[:PAGE_SIZE])

        detail_tiers = {cid: _tiers(cm, Case.objects.get(pk=cid)) for cid in self.detail_ids}
        scenarios = [
            (
                "Case list — case manager (open, recent)",
                cm,
                lambda i: f"{reverse('cases:list')}?stage=OPEN",
                lambda u, i: paginate(case_list_for_user(u, CaseFilters(stage="OPEN")), 1),
                lambda i: floor_case_list_cm(cm),
            ),
            (
                f"Case list — national coordinator ({COORDINATOR_STAGE.lower()}, by name)",
                coord,
                lambda i: f"{reverse('cases:list')}?stage={COORDINATOR_STAGE}&sort=name",
                lambda u, i: paginate(
                    case_list_for_user(u, CaseFilters(stage=COORDINATOR_STAGE, sort="name")), 1
                ),
                lambda i: floor_case_list_coordinator(coord),
            ),
            (
                f"Person search “{NAME_FRAGMENT}” — case manager",
                cm,
                lambda i: f"{reverse('people:list')}?q={NAME_FRAGMENT}",
                lambda u, i: paginate(returnee_list_for_user(u, query=NAME_FRAGMENT), 1),
                lambda i: floor_person_search(cm),
            ),
            (
                f"Person search “{NAME_FRAGMENT}” — national coordinator",
                coord,
                lambda i: f"{reverse('people:list')}?q={NAME_FRAGMENT}",
                lambda u, i: paginate(returnee_list_for_user(u, query=NAME_FRAGMENT), 1),
                lambda i: floor_person_search(coord),
            ),
            (
                "Case detail with timeline — case manager",
                cm,
                lambda i: reverse("cases:detail", args=[detail[i % len(detail)]]),
                detail_selectors,
                lambda i: floor_case_detail(
                    detail[i % len(detail)], detail_tiers[detail[i % len(detail)]]
                ),
            ),
        ]
        if not detail:
            self.log("  (cm.tamba leads no open case: the case detail is not measured)")
            scenarios.pop()
        return scenarios

    def run(self, paths: tuple[str, ...]) -> list[Result]:
        results = []
        for name, user, url, selectors, floor in self.scenarios():
            if "view" in paths:
                client = Client()
                client.force_login(user)

                def get(i: int, client: Client = client, url: Any = url) -> None:
                    response = client.get(url(i), secure=True)
                    if response.status_code != 200:
                        raise RuntimeError(f"{url(i)} answered {response.status_code}")

                results.append(self.measure(name, "view", get, floor))
            if "selectors" in paths:

                def select(i: int, selectors: Any = selectors, user: User = user) -> None:
                    # A fresh user object per call, as per request, so the principal (roles and
                    # office scope) is loaded each time; loading the user itself is the
                    # sign-in's work, done by the middleware, not the page's.
                    fresh = copy.copy(user)
                    fresh.__dict__.pop("_reintegra_principal", None)
                    selectors(fresh, i)

                results.append(self.measure(name, "selectors", select, floor))
        return results


def engine() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def data_size() -> dict[str, int]:
    return {
        "returnees": Returnee.objects.count(),
        "cases": Case.objects.count(),
        "notes": Note.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "access_events": AccessEvent.objects.count(),
    }


def run(
    *, repeat: int = 30, paths: tuple[str, ...] | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Measure every scenario; views when they exist, and the selectors they are built from."""
    if paths is None:
        paths = ("view", "selectors") if views_available() else ("selectors",)
    load_before = _load()
    log(f"Engine: {engine()} · repeat {repeat} · paths: {', '.join(paths)} · load {load_before}")
    # Outside demo mode coordinators are sent to MFA enrolment: measure the pages themselves
    # (an enrolled coordinator costs one more query). Static URLs without collectstatic's
    # manifest, as in the test suite (a manifest lookup is a dictionary read).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(DEMO_MODE=True, STORAGES=storages):
        results = Bench(repeat, log).run(paths)
    return {
        "engine": engine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {_cpus()} cores, Python {platform.python_version()}",
        "debug": settings.DEBUG,
        "repeat": repeat,
        # Other work on the machine skews wall-clock timings: say how busy it was.
        "load_average": f"{load_before} → {_load()}",
        "data": data_size(),
        "results": [
            {
                **asdict(r),
                "median": round(r.median, 1),
                "cpu_median": round(r.cpu_median, 1),
                "p95": round(r.p95, 1),
                "floor_median": round(r.floor_median, 1),
                "floor_p95": round(r.floor_p95, 1),
                "ratio": round(r.ratio, 1),
            }
            for r in results
        ],
    }


def _load() -> str:
    """The 1-minute load average (on Unix)."""
    import os

    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "?"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown table."""
    data = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in report["data"].items())
    lines = [
        f"**{report['engine']}** · {report['date']} · {report['machine']} · "
        f"repeat {report['repeat']} · load average {report['load_average']}",
        "",
        f"Data: {data}.",
        "",
        "| Measure | Path | Queries | Median ms | p95 ms | CPU ms | Floor queries "
        "| Floor median ms | Floor p95 ms | × floor (median) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['measure']} | {r['path']} | {r['queries']} | {r['median']:.1f} | "
            f"{r['p95']:.1f} | {r['cpu_median']:.1f} | {r['floor_queries']} | "
            f"{r['floor_median']:.1f} | "
            f"{r['floor_p95']:.1f} | {r['ratio']:.1f} |"
        )
    lines += [
        "",
        "Median and p95: wall-clock server time per request (views: django.test.Client, whole "
        "middleware stack and template). CPU ms: median CPU time of the Python process per "
        "request (without the database server's work and without waiting for a core: the "
        "part of the time a busy machine does not inflate). Floor: hand-written SQL returning "
        "the same rows.",
    ]
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str) -> None:
    slim = {**report, "results": [dict(r) for r in report["results"]]}
    with open(path, "w", encoding="utf-8") as out:
        json.dump(slim, out, indent=2, ensure_ascii=False)
