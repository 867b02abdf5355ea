"""Benchmark of the outreach and community areas at scale (issue #6), on the programme of
`bench generate`.

    reintegra bench outreach --feedback 50000   # after `bench generate`
    reintegra bench outreach-pages --repeat 20   # lists, report, home, preview, one bulk send

Feedback items are written in bulk like the rest of the benchmark data (`TableWriter`), with the
states and dates the services would have left: received over the past two years in every
category, theme and channel (a tenth sensitive complaints), most acknowledged within days,
assigned, resolved and closed; a few left open past their due dates (overdue). Communication
activities (with their reach by sex and age) are `bulk_create`d; community projects and
stakeholders — a few hundred — go through the services (each audited). Returnees without a
communication consent get one until about half of them have one.

The pages are measured through the real views (`django.test.Client`, whole middleware stack),
as four personas; a page a persona may not open (403) is left out. Then one bulk message is
sent, as `coord.tamba`, to the consenting returnees of the Tambacounda office and the offices
below it, through `message_send` and the delivery task it enqueues (run at once without
Redis) with the default file backend writing to a temporary file.
"""

import bisect
import json
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from bench.generate import TableWriter
from bench.instruments import timed
from bench.run import percentile
from reintegra.accounts.choices import OfficeKind, Role
from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.community.choices.projects import Approach, Dimension
from reintegra.community.choices.structural import Rating, StakeholderKind
from reintegra.community.models import CommunityProject, Stakeholder
from reintegra.community.services import projects as project_services
from reintegra.community.services import structural as structural_services
from reintegra.outreach.choices.communication import ActivityKind, Audience, MessageChannel
from reintegra.outreach.choices.feedback import (
    AdjustmentArea,
    AdjustmentStatus,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackSource,
    FeedbackStatus,
    FeedbackTheme,
    SensitiveKind,
)
from reintegra.outreach.models import (
    Activity,
    ActivityReach,
    Delivery,
    FeedbackItem,
    Message,
    ProgrammeAdjustment,
)
from reintegra.outreach.permissions.communication import can_compose_message
from reintegra.outreach.services.communication import (
    BATCH_SIZE,
    message_create,
    message_deliver,
    message_send,
)
from reintegra.people.choices import AgeBand, ConsentPurpose, Sex
from reintegra.people.models import Consent, Returnee

SEED = 606
DAYS = 730  # feedback over the past two years
PROJECTS_PER_OFFICE = 12
STAKEHOLDERS_PER_OFFICE = 12
ACTIVITIES_PER_OFFICE_MONTH = 8
CONSENT_SHARE = 0.5
MESSAGE_OFFICE = "TAM"
MESSAGE_REGION = "Tambacounda"
BENCH_MARK = "[bench]"
PERSONAS = ("coord.national", "coord.tamba", "fp.comms", "cm.tamba")

CATEGORY_WEIGHTS = {
    FeedbackCategory.INFORMATION: 35,
    FeedbackCategory.SUGGESTION: 15,
    FeedbackCategory.COMPLAINT: 40,
    FeedbackCategory.SENSITIVE: 10,
}
SOURCE_WEIGHTS = {
    FeedbackSource.RETURNEE: 60,
    FeedbackSource.COMMUNITY: 28,
    FeedbackSource.STAKEHOLDER: 12,
}
DESCRIPTIONS = {
    FeedbackCategory.INFORMATION: "Demande d'information sur les étapes de l'accompagnement.",
    FeedbackCategory.SUGGESTION: "Proposition pour améliorer les séances d'information.",
    FeedbackCategory.COMPLAINT: "Plainte sur le délai de l'appui promis.",
    FeedbackCategory.SENSITIVE: "Plainte sensible transmise aux coordinateurs.",
}
STUCK = 0.05  # share of items left open past their due dates (overdue)


class BenchRefused(Exception):
    pass


def _moment(day: date, rng: random.Random) -> datetime:
    at = clock(rng.randint(8, 17), rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, at))


# --- generation -------------------------------------------------------------------------------


def _consents(rng: random.Random, log: Callable[[str], None]) -> int:
    """Bring the share of returnees with a valid communication consent up to about half."""
    valid = Consent.objects.filter(
        person=OuterRef("pk"),
        purpose=ConsentPurpose.COMMUNICATION,
        withdrawn_on__isnull=True,
        given_on__lte=timezone.localdate(),
    )
    total = Returnee.objects.count()
    without = list(
        Returnee.objects.filter(~Exists(valid))
        .order_by("pk")
        .values_list("pk", "created_at", "languages")
    )
    missing = max(0, round(CONSENT_SHARE * total) - (total - len(without)))
    chosen = rng.sample(without, min(missing, len(without)))
    writer = TableWriter(Consent)
    for person_id, created, languages in chosen:
        given = created.date() + timedelta(days=rng.randint(0, 30))
        at = _moment(given, rng)
        writer.add(
            person_id=person_id,
            purpose=ConsentPurpose.COMMUNICATION,
            given_on=min(given, timezone.localdate()),
            language=(languages or "Français").split(", ")[0],
            created_at=at,
            updated_at=at,
        )
        if len(writer.rows) >= 5000:
            writer.flush()
    writer.finish()
    log(f"  communication consents added {len(chosen):,} ({total - len(without):,} had one)")
    return len(chosen)


def _staff() -> dict[int, dict[str, list[int]]]:
    """Active staff per office and role: {office_id: {role: [user ids]}}."""
    staff: dict[int, dict[str, list[int]]] = {}
    rows = RoleAssignment.objects.filter(is_active=True).values_list("office_id", "role", "user_id")
    for office_id, role, user_id in rows.order_by("user_id"):
        staff.setdefault(office_id, {}).setdefault(role, []).append(user_id)
    return staff


def _line(office: Office, staff: dict[int, dict[str, list[int]]], role: str) -> list[int]:
    """Staff of a role at the office or, when it has none, the nearest office above it."""
    for office_id in reversed([int(p) for p in office.path.strip("/").split("/") if p]):
        found = staff.get(office_id, {}).get(role)
        if found:
            return found
    return []


def _community(rng: random.Random, log: Callable[[str], None]) -> tuple[int, int]:
    """Projects and stakeholders at every regional and local office, through the services."""
    offices = list(
        Office.objects.filter(kind__in=[OfficeKind.REGIONAL, OfficeKind.LOCAL]).order_by("path")
    )
    staff = _staff()
    users = {u.pk: u for u in User.objects.filter(is_active=True)}
    today = timezone.localdate()
    projects = stakeholders = 0
    for office in offices:
        leads = _line(office, staff, Role.CASE_MANAGER) or _line(office, staff, Role.COORDINATOR)
        keepers = _line(office, staff, Role.COORDINATOR)
        if not leads or not keepers:
            continue
        parent = office.parent
        region = office.name if office.kind == OfficeKind.REGIONAL or not parent else parent.name
        for i in range(PROJECTS_PER_OFFICE):
            lead = users[rng.choice(leads)]
            starts = today - timedelta(days=rng.randint(0, 600))
            project_services.project_create(
                actor=lead,
                office=office,
                title=f"Projet communautaire {office.code}-{i + 1:02d}",
                summary="Activité génératrice de revenus menée avec la communauté.",
                approach=rng.choice(Approach.values),
                dimensions=rng.sample(Dimension.values, rng.randint(1, 3)),
                region=region,
                commune=office.name,
                budget_amount=Decimal(rng.randrange(500_000, 9_000_000, 50_000)),
                starts_on=starts,
                ends_on=starts + timedelta(days=rng.randint(180, 540)),
                lead=lead,
            )
            projects += 1
        for i in range(STAKEHOLDERS_PER_OFFICE):
            structural_services.stakeholder_create(
                actor=users[keepers[0]],
                office=office,
                name=f"Partenaire {office.code}-{i + 1:02d}",
                kind=rng.choice(StakeholderKind.values),
                region=region,
                influence=rng.choice(Rating.values),
                interest=rng.choice(Rating.values),
                concerns="Suivi des retours dans la commune.",
            )
            stakeholders += 1
    log(f"  community projects {projects:,}, stakeholders {stakeholders:,}")
    return projects, stakeholders


def _activities(rng: random.Random, log: Callable[[str], None]) -> int:
    """Communication activities with their reach, over the past two years (bulk_create)."""
    offices = list(
        Office.objects.filter(kind__in=[OfficeKind.REGIONAL, OfficeKind.LOCAL, OfficeKind.NATIONAL])
    )
    staff = _staff()
    today = timezone.localdate()
    activities = []
    for office in offices:
        authors = _line(office, staff, Role.COMMS_FP) or _line(office, staff, Role.COORDINATOR)
        cms = staff.get(office.pk, {}).get(Role.CASE_MANAGER, [])
        for _i in range(ACTIVITIES_PER_OFFICE_MONTH * DAYS // 30):
            held = today - timedelta(days=rng.randint(0, DAYS))
            author = (
                rng.choice(cms) if cms and rng.random() < 0.2 else rng.choice(authors or [None])
            )
            activities.append(
                Activity(
                    office=office,
                    kind=rng.choice(ActivityKind.values),
                    title=f"Séance d'information {office.name}",
                    held_on=held,
                    region=office.name,
                    commune=office.name,
                    audience=rng.choice(Audience.values),
                    author_id=author,
                )
            )
    Activity.objects.bulk_create(activities, batch_size=2000)
    reach = []
    for activity in activities:
        cells = rng.sample([(s, b) for s in Sex.values for b in AgeBand.values], 4)
        counts = [rng.randint(1, 40) for _c in cells]
        activity.reached = sum(counts)
        for (sex, band), n in zip(cells, counts, strict=True):
            reach.append(ActivityReach(activity=activity, sex=sex, age_band=band, count=n))
    ActivityReach.objects.bulk_create(reach, batch_size=5000)
    Activity.objects.bulk_update(activities, ["reached"], batch_size=2000)
    log(f"  communication activities {len(activities):,}, reach rows {len(reach):,}")
    return len(activities)


def _feedback(total: int, rng: random.Random, log: Callable[[str], None]) -> dict[str, int]:
    people = list(Returnee.objects.values_list("pk", "office_id"))
    offices = {o.pk: o for o in Office.objects.all()}
    staff = _staff()
    fallback = list(User.objects.filter(username="coord.national").values_list("pk", flat=True))
    categories, category_weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    sources, source_weights = list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values())
    themes, channels = FeedbackTheme.values, FeedbackChannel.values
    today = timezone.localdate()
    writer = TableWriter(FeedbackItem)
    counts: dict[str, int] = {}
    overdue = sensitive = 0
    for _n in range(total):
        person_id, office_id = rng.choice(people)
        office = offices[office_id]
        category = rng.choices(categories, weights=category_weights)[0]
        source = rng.choices(sources, weights=source_weights)[0]
        received = today - timedelta(days=int(DAYS * rng.random() ** 0.8))
        ack_due, due = FeedbackItem.due_dates(category, received)
        team = [u for role in staff.get(office_id, {}) for u in staff[office_id][role]]
        recorder = rng.choice(team or _line(office, staff, Role.COORDINATOR) or fallback)
        handlers = (
            _line(office, staff, Role.COORDINATOR)
            if category == FeedbackCategory.SENSITIVE
            else team or _line(office, staff, Role.COORDINATOR)
        ) or fallback
        anonymous = rng.random() < (0.3 if category == FeedbackCategory.SENSITIVE else 0.08)
        values: dict[str, Any] = {}
        acknowledged = received + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5]))
        assigned = acknowledged + timedelta(days=rng.randint(0, 3))
        resolved = assigned + timedelta(days=rng.randint(1, int(1.5 * (due - received).days)))
        closed = resolved + timedelta(days=rng.randint(1, 10))
        stuck = rng.random() < STUCK
        if acknowledged > today or (stuck and rng.random() < 0.3):
            status = FeedbackStatus.RECEIVED
        else:
            values["acknowledged_on"] = acknowledged
            status = FeedbackStatus.ACKNOWLEDGED
            if assigned <= today and rng.random() < 0.85:
                status = FeedbackStatus.ASSIGNED
                values |= {"assigned_to_id": rng.choice(handlers), "assigned_on": assigned}
            if resolved <= today and not stuck:
                status = FeedbackStatus.RESOLVED
                values |= {
                    "resolved_on": resolved,
                    "responded_on": resolved,
                    "response": "Réponse donnée à la personne.",
                    "response_channel": rng.choice(channels),
                }
                if closed <= today and rng.random() < 0.8:
                    status, values["closed_on"] = FeedbackStatus.CLOSED, closed
        last = max([received, *[v for v in values.values() if isinstance(v, date)]])
        pk = writer.next_id
        writer.add(
            created_at=_moment(received, rng),
            updated_at=_moment(last, rng),
            version=1 + sum(1 for k in values if k.endswith("_on") and k != "responded_on"),
            reference=f"FB-{received:%Y}-{pk:05d}",
            office_id=office_id,
            source=source,
            returnee_id=person_id if source == FeedbackSource.RETURNEE and not anonymous else None,
            person_name="" if anonymous else "Personne de la communauté",
            is_anonymous=anonymous,
            contact="" if anonymous else "+221 77 000 00 00",
            received_on=received,
            channel=rng.choice(channels),
            category=category,
            sensitive_kind=(
                rng.choice(SensitiveKind.values) if category == FeedbackCategory.SENSITIVE else ""
            ),
            theme=rng.choice(themes),
            description=DESCRIPTIONS[category],
            status=status,
            recorded_by_id=recorder,
            ack_due_on=ack_due,
            due_on=due,
            **values,
        )
        counts[status] = counts.get(status, 0) + 1
        sensitive += category == FeedbackCategory.SENSITIVE
        open_ = status in (
            FeedbackStatus.RECEIVED,
            FeedbackStatus.ACKNOWLEDGED,
            FeedbackStatus.ASSIGNED,
        )
        overdue += (status == FeedbackStatus.RECEIVED and ack_due < today) or (
            open_ and due < today
        )
        if len(writer.rows) >= 5000:
            writer.flush()
    writer.finish()
    log(f"  feedback items {total:,}: {sensitive:,} sensitive, {overdue:,} overdue now")
    return {**{k.lower(): v for k, v in counts.items()}, "sensitive": sensitive, "overdue": overdue}


def _by_day(row: tuple[int, date]) -> date:
    return row[1]


def _adjustments(rng: random.Random, log: Callable[[str], None]) -> int:
    """About one programme adjustment a month per regional office (and the national one), each
    citing a few feedback items of its office received before it (bulk_create)."""
    offices = list(Office.objects.filter(kind__in=[OfficeKind.REGIONAL, OfficeKind.NATIONAL]))
    staff = _staff()
    today = timezone.localdate()
    items: dict[int, list[tuple[int, date]]] = {}
    line = {o.pk: [int(p) for p in o.path.strip("/").split("/") if p] for o in Office.objects.all()}
    for pk, office_id, received in FeedbackItem.objects.values_list(
        "pk", "office_id", "received_on"
    ).order_by("received_on"):
        for ancestor in line[office_id]:
            items.setdefault(ancestor, []).append((pk, received))
    adjustments, cited = [], []
    for office in offices:
        coordinators = _line(office, staff, Role.COORDINATOR)
        pool = items.get(office.pk, [])
        if not coordinators or not pool:
            continue
        for _month in range(DAYS // 30):
            decided = today - timedelta(days=rng.randint(0, DAYS))
            # The items received in the three months before the decision.
            low = bisect.bisect_left(pool, decided - timedelta(days=90), key=_by_day)
            high = bisect.bisect_right(pool, decided, key=_by_day)
            before = [pk for pk, _received in pool[low:high]] or [pool[0][0]]
            adjustments.append(
                ProgrammeAdjustment(
                    office=office,
                    decided_on=decided,
                    title=f"Ajustement du programme — {office.name}",
                    description="Suite aux retours des bénéficiaires.",
                    area=rng.choice(AdjustmentArea.values),
                    status=rng.choice(AdjustmentStatus.values),
                    recorded_by_id=rng.choice(coordinators),
                )
            )
            cited.append(rng.sample(before, min(len(before), rng.randint(1, 6))))
    ProgrammeAdjustment.objects.bulk_create(adjustments, batch_size=1000)
    through = ProgrammeAdjustment.feedback_items.through
    through.objects.bulk_create(
        [
            through(programmeadjustment_id=a.pk, feedbackitem_id=item)
            for a, items_of in zip(adjustments, cited, strict=True)
            for item in items_of
        ],
        batch_size=5000,
    )
    log(f"  programme adjustments {len(adjustments):,} citing {sum(map(len, cited)):,} items")
    return len(adjustments)


def generate_outreach(feedback: int, log: Callable[[str], None]) -> dict[str, float]:
    """Feedback, activities, community projects and stakeholders, communication consents."""
    if not Returnee.objects.exists():
        raise BenchRefused("Run `reintegra bench generate` first.")
    if FeedbackItem.objects.exists():
        raise BenchRefused("The database already holds feedback.")
    if feedback < 1:
        raise BenchRefused("--feedback must be positive.")
    rng = random.Random(SEED)
    start = time.perf_counter()
    consents = _consents(rng, log)
    with transaction.atomic():
        projects, stakeholders = _community(rng, log)
    activities = _activities(rng, log)
    counts = _feedback(feedback, rng, log)
    adjustments = _adjustments(rng, log)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in (
                "outreach_feedbackitem",
                "outreach_activity",
                "outreach_activityreach",
                "outreach_programmeadjustment",
                "outreach_programmeadjustment_feedback_items",
                "people_consent",
                "community_communityproject",
                "community_stakeholder",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        **counts,
        "activities": activities,
        "adjustments": adjustments,
        "projects": projects,
        "stakeholders": stakeholders,
        "consents_added": consents,
        "seconds": round(time.perf_counter() - start, 1),
    }


# --- measures ---------------------------------------------------------------------------------


def _draft(user: User, office: Office, region: str) -> Message:
    """The persona's benchmark draft to the returnees of a region (kept between runs)."""
    found = (
        Message.objects.filter(
            author=user, office=office, status="DRAFT", body__startswith=BENCH_MARK, region=region
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    return message_create(
        actor=user,
        office=office,
        channel=MessageChannel.SMS,
        body=f"{BENCH_MARK} Séance d'information sur l'accompagnement à la réintégration.",
        region=region,
    )


def _measures() -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    year = f"?start={today - timedelta(days=364):%Y-%m-%d}&end={today:%Y-%m-%d}"
    feedback = reverse("outreach:feedback_list")
    export = reverse("outreach:feedback_report_export", args=["themes", "csv"])
    pages = [
        ("Feedback list", feedback),
        ("Feedback list — overdue", feedback + "?overdue=on"),
        ("Feedback list — restricted queue", feedback + "?queue=restricted"),
        ("Feedback report — a year", reverse("outreach:feedback_report") + year),
        ("Feedback report CSV — a year", export + year),
        ("Home", reverse("home")),
        ("Message preview — a whole region", ""),
        ("Activities", reverse("outreach:activities")),
        ("Community projects", reverse("community:projects")),
        ("Stakeholders", reverse("community:stakeholder_list")),
    ]
    return [(label, username, url) for label, url in pages for username in PERSONAS]


def _page(client: Client, url: str) -> int:
    return int(client.get(url, secure=True).status_code)


def measure_pages(repeat: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    offices = {o.code: o for o in Office.objects.filter(code__in=["DKR", MESSAGE_OFFICE])}
    rows = []
    clients: dict[str, Client] = {}
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    for label, username, url in _measures():
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(users[username])
        if not url:
            if not can_compose_message(users[username]):
                rows.append({"measure": label, "user": username, "status": 403})
                continue
            home = offices[MESSAGE_OFFICE] if username == "coord.tamba" else offices["DKR"]
            draft = _draft(users[username], home, MESSAGE_REGION)
            url = reverse("outreach:message_detail", args=[draft.pk])
        status = _page(client, url)
        if status != 200:
            rows.append({"measure": label, "user": username, "status": status})
            log(f"  {label} — {username}: {status}, not measured")
            continue

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)  # type: ignore[attr-defined]

        times, queries = timed(get, repeat)
        row = {
            "measure": label,
            "user": username,
            "status": 200,
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "queries": queries,
        }
        rows.append(row)
        log(
            f"  {label} — {username}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
            f"{queries} queries"
        )
    return rows


def measure_send(log: Callable[[str], None]) -> dict[str, Any]:
    """One message to the consenting returnees of a regional office and those below it, through
    `message_send` and the delivery it enqueues (eager without Redis), file backend."""
    user = User.objects.get(username="coord.tamba")
    office = Office.objects.get(code=MESSAGE_OFFICE)
    # One INFO line per batch and per task: quiet them while measuring.
    quiet = [logging.getLogger(n) for n in ("reintegra.outreach", "celery.app.trace")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        return _send(user, office, log)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _send(user: User, office: Office, log: Callable[[str], None]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "messages.jsonl"
        with override_settings(REINTEGRA_MESSAGE_FILE=str(path), REINTEGRA_MESSAGE_BACKENDS={}):
            message = message_create(
                actor=user,
                office=office,
                channel=MessageChannel.SMS,
                body=f"{BENCH_MARK} Rappel : séance d'information jeudi au bureau régional.",
            )
            nested = connection.in_atomic_block
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                with transaction.atomic():
                    message_send(actor=user, message=message, version=message.version)
                    queued = time.perf_counter()
                    queued_queries = len(ctx.captured_queries)
                # Leaving the transaction runs the delivery task (at once without Redis);
                # inside an outer transaction (the tests) it would wait for that one's commit,
                # so the task's work is done here.
                if nested:
                    message_deliver(message_id=message.pk)
                end = time.perf_counter()
            lines = sum(1 for _line in path.open(encoding="utf-8")) if path.exists() else 0
    message.refresh_from_db()
    delivery_sql = [q["sql"] for q in ctx.captured_queries[queued_queries:]]
    # Each batch starts with its SELECT … FOR UPDATE SKIP LOCKED (the last one finds none).
    starts = [i for i, sql in enumerate(delivery_sql) if "SKIP LOCKED" in sql.upper()]
    batches = len(starts) - 1
    per_batch = (starts[-1] - starts[0]) / batches if batches > 0 else 0
    recipients = message.total
    deliver_seconds = end - queued
    report = {
        "recipients": recipients,
        "sent": message.sent,
        "failed": message.failed,
        "skipped_consent": message.skipped_consent,
        "skipped_address": message.skipped_address,
        "file_lines": lines,
        "status": message.status,
        "queue_seconds": round(queued - start, 2),
        "queue_queries": queued_queries,
        "deliver_seconds": round(deliver_seconds, 2),
        "total_seconds": round(end - start, 2),
        "deliveries_per_second": round(recipients / (end - start), 1) if end > start else 0,
        "batches": batches,
        "queries_per_batch": round(per_batch, 1),
        "queries_once": len(delivery_sql) - round(per_batch * batches),
        "delivery_queries": len(delivery_sql),
        "deliveries": Delivery.objects.filter(message=message).count(),
    }
    log(
        f"  Bulk send — coord.tamba: {recipients:,} recipients, {report['total_seconds']} s "
        f"({report['deliveries_per_second']}/s), {report['batches']} batches, "
        f"{report['queries_per_batch']} queries per batch"
    )
    return report


def run(repeat: int, log: Callable[[str], None], send: bool = True) -> dict[str, Any]:
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    load = _loadavg()
    with override_settings(DEMO_MODE=True, STORAGES=storages):
        rows = measure_pages(repeat, log)
    sent = measure_send(log) if send else None
    return {
        "engine": connection.vendor,
        "load_average": [load, _loadavg()],
        "feedback": FeedbackItem.objects.count(),
        "sensitive": FeedbackItem.objects.filter(category=FeedbackCategory.SENSITIVE).count(),
        "activities": Activity.objects.count(),
        "adjustments": ProgrammeAdjustment.objects.count(),
        "projects": CommunityProject.objects.count(),
        "stakeholders": Stakeholder.objects.count(),
        "returnees": Returnee.objects.count(),
        "consenting": Consent.objects.filter(
            purpose=ConsentPurpose.COMMUNICATION, withdrawn_on__isnull=True
        )
        .values("person_id")
        .distinct()
        .count(),
        "rows": rows,
        "send": sent,
    }


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def markdown(report: dict[str, Any]) -> str:
    load = report["load_average"]
    lines = [
        f"Data: {report['feedback']:,} feedback items ({report['sensitive']:,} sensitive), "
        f"{report['activities']:,} activities, {report['adjustments']:,} programme adjustments, "
        f"{report['projects']:,} projects, "
        f"{report['stakeholders']:,} stakeholders, {report['returnees']:,} returnees "
        f"({report['consenting']:,} with a communication consent); {report['engine']}, "
        f"load average {load[0]} → {load[1]}.",
        "",
        "| Measure | User | Median ms | p95 ms | Queries |",
        "|---|---|--:|--:|--:|",
    ]
    for row in report["rows"]:
        if row["status"] != 200:
            continue
        lines.append(
            f"| {row['measure']} | {row['user']} | {row['median_ms']} | {row['p95_ms']} "
            f"| {row['queries']} |"
        )
    skipped = [f"{r['measure']} — {r['user']}" for r in report["rows"] if r["status"] != 200]
    if skipped:
        lines += ["", "Not allowed (403), not measured: " + "; ".join(skipped) + "."]
    send = report.get("send")
    if send:
        lines += [
            "",
            "| Bulk send — coord.tamba, SMS, file backend | |",
            "|---|--:|",
            f"| Recipients (consenting, with a phone) | {send['recipients']:,} |",
            f"| Skipped: no consent / no address | {send['skipped_consent']:,} / "
            f"{send['skipped_address']:,} |",
            f"| Queueing (`message_send`): seconds, queries | {send['queue_seconds']} s, "
            f"{send['queue_queries']} |",
            f"| Delivering (the task): seconds | {send['deliver_seconds']} s |",
            f"| Total seconds | {send['total_seconds']} s |",
            f"| Deliveries per second | {send['deliveries_per_second']} |",
            f"| Batches of {BATCH_SIZE}, queries per batch (+ once) | {send['batches']}, "
            f"{send['queries_per_batch']} (+ {send['queries_once']}) |",
            f"| Sent / failed / lines in the file | {send['sent']:,} / {send['failed']:,} / "
            f"{send['file_lines']:,} |",
        ]
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str) -> None:
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2, default=str)
