"""Benchmark of the instruments at scale (issue #3): 300,000 responses on the 100,000-returnee
programme of `bench generate`.

    reintegra bench responses --responses 300000   # after `bench generate`
    reintegra bench instruments --repeat 10         # dashboard, KoBo import, export

Responses are written in bulk like the rest of the benchmark data (`TableWriter`): the answers
are drawn from a pool of answer sets made by the demo's generator and checked by the engine,
and scored with `scoring.score`, so they are what the web form would have stored. Monitoring
cases get their visits (three each, the past ones mostly done).
"""

import csv
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from bench.generate import TableWriter
from bench.run import percentile
from reintegra.accounts.models import User
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.demo.assessments import random_answers
from reintegra.instruments import imports, scoring
from reintegra.instruments.models import Instrument, Response, ScoreRow
from reintegra.instruments.services import shipped_load
from reintegra.monitoring.models import Visit
from reintegra.monitoring.services import add_months

SEED = 303
SHARES = {
    "reintegration_sustainability": 0.5,
    "vulnerability_screening": 0.25,
    "monitoring_visit": 0.15,
    "satisfaction_survey": 0.10,
}
POOL = 400  # answer sets drawn per instrument
IMPORT_ROWS = 10_000


class BenchRefused(Exception):
    pass


def _pool(rng: random.Random, instrument: Instrument, case: Case) -> list[tuple[dict, dict]]:
    version = instrument.current
    assert version is not None
    spec = version.form
    pool = []
    for i in range(POOL):
        answers = random_answers(rng, spec, case, timezone.localdate(), bias=0.2 + 0.6 * i / POOL)
        if answers is not None:
            pool.append((answers, scoring.score(spec, answers).to_dict()))
    return pool


def generate_responses(total: int, log: Callable[[str], None]) -> dict[str, int]:
    """Bulk responses (and monitoring visits) on the generated programme."""
    if not Case.objects.exists():
        raise BenchRefused("Run `reintegra bench generate` first.")
    if Response.objects.count() > 1000:
        raise BenchRefused("The database already holds responses.")
    rng = random.Random(SEED)
    me = User.objects.get(username="me.officer")
    shipped_load(actor=me)
    instruments = {i.code: i for i in Instrument.objects.select_related("current")}
    cases = list(
        Case.objects.filter(
            stage__in=[Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING]
        ).values_list("id", "number", "arrived_on", "lead_id", "stage", "office_id")
    )
    sample = Case.objects.get(pk=cases[0][0])
    started = time.perf_counter()
    pools = {code: _pool(rng, instruments[code], sample) for code in SHARES}
    log(f"  answer pools: {time.perf_counter() - started:.1f} s")
    writer = TableWriter(Response)
    score_rows = TableWriter(ScoreRow)
    now = timezone.now()
    today = timezone.localdate()
    counts: dict[str, int] = {}
    for code, share in SHARES.items():
        instrument = instruments[code]
        version = instrument.current
        assert version is not None
        pool = pools[code]
        for _ in range(int(total * share)):
            case_id, number, arrived, lead_id, _stage, _office = rng.choice(cases)
            answers, scores = rng.choice(pool)
            answers = {**answers, "case_number": number}
            arrived = arrived or today - timedelta(days=400)
            day = arrived + timedelta(days=rng.randint(5, max(6, (today - arrived).days)))
            day = min(day, today)
            when = timezone.make_aware(datetime.combine(day, clock(10, 0)))
            response_id = writer.add(
                created_at=when,
                updated_at=when,
                version=2,
                instrument_id=instrument.pk,
                instrument_version_id=version.pk,
                case_id=case_id,
                tier=instrument.tier,
                status="SUBMITTED",
                source="WEB",
                answers=answers,
                scores=scores,
                composite=scores.get("composite"),
                scored_with_id=version.pk,
                collected_on=day,
                months_since_return=max(0, (day - arrived).days * 12 // 365),
                submitted_at=when,
                created_by_id=lead_id,
                submitted_by_id=lead_id,
                instance_id=None,
            )
            slots = instrument.dimension_slots or {}
            columns = {
                f"d{slots[name]}": value
                for name, value in (scores.get("dimensions") or {}).items()
                if name in slots
            }
            score_rows.add(
                response_id=response_id,
                instrument_id=instrument.pk,
                case_id=case_id,
                tier=instrument.tier,
                submitted_at=when,
                months_since_return=max(0, (day - arrived).days * 12 // 365),
                composite=scores.get("composite"),
                **columns,
            )
            if len(writer.rows) >= 5000:
                writer.flush()
                score_rows.flush()
        counts[code] = int(total * share)
        log(f"  {code}: {counts[code]:,}")
    writer.finish()
    score_rows.finish()
    visits = TableWriter(Visit)
    monitoring = [c for c in cases if c[4] == Stage.MONITORING]
    for case_id, _number, arrived, _lead, _stage, office_id in monitoring:
        start = (arrived or today) + timedelta(days=rng.randint(60, 200))
        for months in (3, 6, 12):
            due = add_months(start, months)
            done = due < today and rng.random() < 0.75
            visits.add(
                created_at=now,
                updated_at=now,
                version=1,
                case_id=case_id,
                office_id=office_id,
                months=months,
                due_on=due,
                status="DONE" if done else "PLANNED",
                done_on=due + timedelta(days=rng.randint(0, 15)) if done else None,
            )
        if len(visits.rows) >= 5000:
            visits.flush()
    visits.finish()
    counts["visits"] = visits.written
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE instruments_response")
            cursor.execute("VACUUM ANALYZE instruments_scorerow")
            cursor.execute("VACUUM ANALYZE monitoring_visit")
    return counts


# --- measures -----------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
    fn()
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return times, queries


def measure_dashboard(repeat: int) -> list[dict[str, Any]]:
    rows = []
    # As `bench run`: demo mode (no MFA enrolment detour), static URLs without a manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(DEMO_MODE=True, STORAGES=storages):
        for username in ("me.officer", "coord.national"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            url = reverse("monitoring:dashboard")

            def get(client: Client = client, url: str = url) -> None:
                response = client.get(url, secure=True)
                assert response.status_code == 200, response.status_code

            def cold(get: Callable[[], None] = get) -> None:
                # The figures computed afresh: the cache emptied (the session survives: it
                # lives in the database).
                cache.clear()
                get()

            for label, fn in (("computed", cold), ("cached", get)):
                times, queries = timed(fn, repeat)
                rows.append(
                    {
                        "measure": f"M&E dashboard — {username} ({label})",
                        "median_ms": round(statistics.median(times), 1),
                        "p95_ms": round(percentile(times, 95), 1),
                        "queries": queries,
                    }
                )
    return rows


def _kobo_csv(rows: int) -> bytes:
    """A KoBo CSV export of the sustainability survey for cases across Senegal."""
    instrument = Instrument.objects.get(code="reintegration_sustainability")
    assert instrument.current is not None
    spec = instrument.current.form
    rng = random.Random(SEED + 1)
    numbers = list(
        Case.objects.filter(stage__in=[Stage.ASSISTANCE, Stage.MONITORING])
        .exclude(office__code="RBT")
        .values_list("number", flat=True)[:5000]
    )
    sample = Case.objects.get(number=numbers[0])
    pool = [a for a, _s in _pool(rng, instrument, sample)]
    names = [q.name for q in spec.walk() if q.type not in ("group", "repeat", "note")]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([*names, "_uuid", "_submission_time"])
    for _ in range(rows):
        answers = {**rng.choice(pool), "case_number": rng.choice(numbers)}
        cells = []
        for name in names:
            value = answers.get(name, "")
            cells.append(" ".join(value) if isinstance(value, list) else value)
        writer.writerow([*cells, str(uuid.uuid4()), "2026-11-20T10:00:00"])
    return out.getvalue().encode()


def measure_import(rows: int = IMPORT_ROWS) -> dict[str, Any]:
    """A KoBo import (10,000 rows) as the national coordinator, rolled back afterwards."""
    data = _kobo_csv(rows)
    coord = User.objects.get(username="coord.national")
    instrument = Instrument.objects.get(code="reintegration_sustainability")
    with transaction.atomic():
        start = time.perf_counter()
        job = imports.import_create(
            actor=coord, instrument=instrument, data=data, filename="bench.csv"
        )
        job = imports.import_run(job.pk)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return {
        "measure": f"KoBo import, {rows:,} rows (CSV, checked and written)",
        "seconds": round(seconds, 1),
        "status": job.status,
        "imported": job.imported,
        "invalid": job.invalid,
    }


EXPORT_CHILD = """
import os, resource, sys, time
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from reintegra.accounts.models import User
from reintegra.instruments import exports
from reintegra.instruments.models import Instrument
from reintegra.instruments.selectors import export_rows
limit = int(sys.argv[1])
user = User.objects.get(username="me.officer")
instrument = Instrument.objects.get(code="reintegration_sustainability")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = export_rows(user, instrument)
def limited():
    for i, row in enumerate(rows):
        if i >= limit:
            return
        yield row
start = time.perf_counter()
size = lines = 0
for chunk in exports.write_csv(instrument.current.form, limited(), pseudonymise=True,
                               secret=settings.PSEUDONYM_SECRET):
    size += len(chunk); lines += 1
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(lines - 1, size, round(seconds, 1), before // 1024, after // 1024)
"""


def measure_export(limits: tuple[int, ...] = (10_000, 100_000)) -> list[dict[str, Any]]:
    """The pseudonymised CSV export of the sustainability survey in a fresh process, for two
    sizes: peak RSS barely moves with the number of rows when the export streams."""
    rows = []
    for limit in limits:
        output = subprocess.run(  # noqa: S603 - our own script, our interpreter
            [sys.executable, "-c", EXPORT_CHILD, str(limit)],
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        ).stdout.split()
        count, size, seconds, before, after = output[-5:]
        rows.append(
            {
                "measure": f"Export, pseudonymised CSV, {int(count):,} responses",
                "seconds": float(seconds),
                "megabytes": round(int(size) / 1e6, 1),
                "rss_before_mb": int(before),
                "rss_peak_mb": int(after),
            }
        )
    return rows


def run(repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    report: dict[str, Any] = {
        "responses": Response.objects.count(),
        "visits": Visit.objects.count(),
        "engine": connection.vendor,
        "max_rss_mb_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    report["dashboard"] = measure_dashboard(repeat)
    for row in report["dashboard"]:
        log(f"  {row['measure']}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms")
    report["import"] = measure_import()
    log(f"  {report['import']['measure']}: {report['import']['seconds']} s")
    report["export"] = measure_export()
    for row in report["export"]:
        log(f"  {row['measure']}: {row['seconds']} s, peak RSS {row['rss_peak_mb']} MB")
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Data: {report['responses']:,} responses, {report['visits']:,} visits "
        f"({report['engine']}).",
        "",
        "| Measure | Median ms | p95 ms | Queries |",
        "|---|--:|--:|--:|",
    ]
    for row in report["dashboard"]:
        lines.append(
            f"| {row['measure']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |"
        )
    imp = report["import"]
    lines += [
        "",
        f"- {imp['measure']}: **{imp['seconds']} s** ({imp['status']}, {imp['imported']:,} "
        f"imported, {imp['invalid']} bad rows).",
    ]
    for row in report["export"]:
        lines.append(
            f"- {row['measure']}: {row['seconds']} s, {row['megabytes']} MB; peak RSS "
            f"{row['rss_peak_mb']} MB (after setup {row['rss_before_mb']} MB)."
        )
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str) -> None:
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2, default=str)
