"""Benchmark data generator: a large, realistic programme, written fast in bulk.

This is a benchmark tool, not a way data enters Reintegra. Real writes go through the services
(one audit row each, serialised on the hash chain); a million rows that way would take hours.
Even `bulk_create` spends most of its time compiling SQL (about 90 returnees a second here,
20 minutes for 100,000), so the big tables are written by `TableWriter`: rows with ids chosen
here, sent in batches with COPY on PostgreSQL and `executemany` on SQLite, after which the
id sequences are moved past them. Consequences, on purpose:

- no AuditEvent rows for the bulk rows (offices are created through `office_create`, so they
  have theirs); staff users and their role assignments are `bulk_create`d;
- AccessEvents *are* written, with their hash chain computed here with `audit.chain.digest` over
  `audit.chain.content_of` of unsaved model objects, in id order, so `reintegra audit verify`
  still finds the chain intact;
- `created_at` / `updated_at` carry the generated history instead of "now";
- no index, trigger or constraint is disabled; on PostgreSQL the database is VACUUM ANALYZEd
  at the end, as autovacuum would do shortly after a bulk load.

Shape, for `--returnees 100000`: 30 offices (the demo tree plus regional, local and more
host-country offices), the twelve personas plus ~150 staff with role assignments, 100,000
returnees, ~120,000 cases (a fifth of the people have an older closed case and a newer one),
lead and specialist assignments, ~250,000 notes, ~850,000 timeline events, ~110,000 tasks,
consents, hand-overs and 300,000 access events (all scaled with the number of returnees).
"""

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from reintegra.access.policy import Tier
from reintegra.accounts import services as accounts
from reintegra.accounts.choices import OfficeKind, Role, Specialisation
from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.audit import chain
from reintegra.audit.models import AccessEvent
from reintegra.cases.choices import (
    AssignmentRole,
    ClosureReason,
    EventKind,
    HandoverSection,
    HandoverStatus,
    Stage,
)
from reintegra.cases.models import Assignment, Case, CaseEvent, Handover, Note, Task
from reintegra.demo import names
from reintegra.demo.personas import programme_ensure
from reintegra.demo.programme import (
    AGE_WINDOW,
    CLOSURE_WEIGHTS,
    MEDICAL_NOTES,
    NOTES,
    ORIGIN_STAGES,
    PROTECTION_NOTES,
    PSY_NOTES,
    TASKS,
)
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent, Returnee

SEED = 20_260_101
ACCESS_EVENTS_PER_RETURNEE = 3
# Older closed cases reach further back than the demo's eighteen months.
BENCH_AGE_WINDOW = {**AGE_WINDOW, Stage.CLOSED: (90, 1100)}

# code, name, kind, parent, country, region of return, registration weight
OFFICES: list[tuple[str, str, str, str | None, str, str, int]] = [
    ("STL", "Saint-Louis", OfficeKind.REGIONAL, "DKR", "SN", "Saint-Louis", 4),
    ("MAT", "Matam", OfficeKind.REGIONAL, "DKR", "SN", "Matam", 4),
    ("KDG", "Kédougou", OfficeKind.REGIONAL, "DKR", "SN", "Kédougou", 4),
    ("SED", "Sédhiou", OfficeKind.REGIONAL, "DKR", "SN", "Sédhiou", 4),
    ("ZIG", "Ziguinchor", OfficeKind.REGIONAL, "DKR", "SN", "Ziguinchor", 4),
    ("KLK", "Kaolack", OfficeKind.REGIONAL, "DKR", "SN", "Kaolack", 4),
    ("THS", "Thiès", OfficeKind.REGIONAL, "DKR", "SN", "Thiès", 4),
    ("DBL", "Diourbel", OfficeKind.REGIONAL, "DKR", "SN", "Diourbel", 4),
    ("LGA", "Louga", OfficeKind.REGIONAL, "DKR", "SN", "Louga", 4),
    ("FTK", "Fatick", OfficeKind.REGIONAL, "DKR", "SN", "Fatick", 4),
    ("KAF", "Kaffrine", OfficeKind.REGIONAL, "DKR", "SN", "Kaffrine", 4),
    ("BKL", "Bakel", OfficeKind.LOCAL, "TAM", "SN", "Tambacounda", 4),
    ("GDR", "Goudiry", OfficeKind.LOCAL, "TAM", "SN", "Tambacounda", 3),
    ("VLG", "Vélingara", OfficeKind.LOCAL, "KLD", "SN", "Kolda", 4),
    ("MYF", "Médina Yoro Foulah", OfficeKind.LOCAL, "KLD", "SN", "Kolda", 3),
    ("PDR", "Podor", OfficeKind.LOCAL, "STL", "SN", "Saint-Louis", 3),
    ("KNL", "Kanel", OfficeKind.LOCAL, "MAT", "SN", "Matam", 3),
    ("BGN", "Bignona", OfficeKind.LOCAL, "ZIG", "SN", "Ziguinchor", 3),
    ("NE", "Niger", OfficeKind.COUNTRY, None, "NE", "", 0),
    ("MR", "Mauritania", OfficeKind.COUNTRY, None, "MR", "", 0),
    ("NIM", "Niamey", OfficeKind.HOST, "NE", "NE", "", 3),
    ("AGZ", "Agadez", OfficeKind.HOST, "NE", "NE", "", 2),
    ("NKC", "Nouakchott", OfficeKind.HOST, "MR", "MR", "", 3),
    ("CAS", "Casablanca", OfficeKind.HOST, "MA", "MA", "", 2),
]
# The demo offices' part in the benchmark: region of return and registration weight.
DEMO_OFFICES = {
    "DKR": ("Dakar", 2),
    "TAM": ("Tambacounda", 10),
    "KLD": ("Kolda", 9),
    "RBT": ("", 4),
}
# Staff per office kind: coordinators, case managers.
STAFF = {OfficeKind.REGIONAL: (1, 6), OfficeKind.LOCAL: (0, 3), OfficeKind.HOST: (0, 3)}
PREFIX = {
    Role.COORDINATOR: "coord",
    Role.CASE_MANAGER: "cm",
    Role.PROTECTION_FP: "fp.protection",
    Role.MEDICAL_FP: "fp.medical",
    Role.ME_SPECIALIST: "me",
    Role.FINANCE: "finance",
    Role.COMMS_FP: "fp.comms",
}
NATIONAL_STAFF = [
    (Role.COORDINATOR, 2),
    (Role.CASE_MANAGER, 2),
    (Role.PROTECTION_FP, 4),
    (Role.MEDICAL_FP, 4),
    (Role.ME_SPECIALIST, 4),
    (Role.FINANCE, 5),
    (Role.COMMS_FP, 3),
]
CM_SPECIALISATIONS = [Specialisation.ECONOMIC, Specialisation.SOCIAL, Specialisation.PSYCHOSOCIAL]
CURRENT_STAGE_WEIGHTS = {
    Stage.REGISTERED: 10,
    Stage.ASSESSMENT: 10,
    Stage.PLANNING: 10,
    Stage.ASSISTANCE: 15,
    Stage.MONITORING: 15,
    Stage.CLOSED: 40,
}
STAGES = list(CURRENT_STAGE_WEIGHTS)
STAGE_WEIGHTS = list(CURRENT_STAGE_WEIGHTS.values())
CLOSURE_REASONS = list(CLOSURE_WEIGHTS)
CLOSURE_REASON_WEIGHTS = list(CLOSURE_WEIGHTS.values())
FLAG_FIELDS = [
    ("PROTECTION", "has_protection_flag"),
    ("MEDICAL", "has_medical_flag"),
    ("PSYCHOSOCIAL", "has_psychosocial_flag"),
]


class BenchRefused(Exception):
    """The database already holds returnees: generating would mix benchmark and real data."""


class TableWriter:
    """Rows of one table with ids assigned here, written in batches (COPY on PostgreSQL,
    `executemany` on SQLite). Unset columns take the model field's default."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
        sqlite = connection.vendor == "sqlite"
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for i, f in enumerate(fields):
            if isinstance(f, models.JSONField):
                self.converters.append((i, lambda v: json.dumps(v, ensure_ascii=False)))
            elif isinstance(f, models.DateTimeField) and sqlite:
                # What the SQLite backend stores: naive UTC text (connection.ops does the same,
                # several times slower).
                self.converters.append(
                    (i, lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" "))
                )
        # A table keyed by another row (a one-to-one primary key) takes the ids it is given.
        self.pk_name = model._meta.pk.attname
        self.assigns_ids = not model._meta.pk.is_relation
        self.next_id = (
            (model.objects.aggregate(m=Max(self.pk_name))["m"] or 0) + 1 if self.assigns_ids else 0
        )
        self.rows: list[list[Any]] = []
        self.written = 0

    def add(self, **values: Any) -> int:
        """Queue a row; return its id."""
        if self.assigns_ids:
            pk = values["id"] = self.next_id
            self.next_id += 1
        else:
            pk = values[self.pk_name]
        row = [values[a] if a in values else self.defaults[a] for a in self.attnames]
        for i, convert in self.converters:
            if row[i] is not None:
                row[i] = convert(row[i])
        self.rows.append(row)
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []

    def finish(self) -> None:
        """Write what is left and move the table's id sequence past the ids chosen here."""
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


@dataclass
class Staff:
    """Who works where, for choosing leads and readers."""

    case_managers: dict[int, list[User]]
    psychosocial: dict[int, list[User]]
    coordinators: dict[int, list[User]]
    everyone: list[User]


class Generator:
    def __init__(self, returnees: int, batch: int, log: Callable[[str], None]) -> None:
        self.total = returnees
        self.batch = batch
        self.log = log
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.people = TableWriter(Returnee)
        self.consents = TableWriter(Consent)
        self.cases = TableWriter(Case)
        self.assignments = TableWriter(Assignment)
        self.handovers = TableWriter(Handover)
        self.notes = TableWriter(Note)
        self.tasks = TableWriter(Task)
        self.events = TableWriter(CaseEvent)
        self.access = TableWriter(AccessEvent)
        self.writers = [
            self.people,
            self.consents,
            self.cases,
            self.assignments,
            self.handovers,
            self.notes,
            self.tasks,
            self.events,
        ]
        # A batch's timeline, written in time order once the batch is complete.
        self.pending_notes: list[dict[str, Any]] = []
        self.pending_tasks: list[dict[str, Any]] = []
        self.pending_events: list[dict[str, Any]] = []
        # (case id, person id, lead id, office id) of every case, for the access events.
        self.case_index: list[tuple[int, int, int | None, int]] = []
        self.staff_count = 0

    def moment(self, day: date) -> datetime:
        """A working-hours moment on `day` (UTC, as the database returns it)."""
        minutes = self.rng.randint(8 * 60, 17 * 60)
        return datetime.combine(day, clock(minutes // 60, minutes % 60), tzinfo=UTC)

    # ---- offices and staff --------------------------------------------------------------

    def offices(self, demo: dict[str, Office]) -> dict[str, Office]:
        offices = dict(demo)
        for code, name, kind, parent, country, _region, _weight in OFFICES:
            if code not in offices:
                offices[code] = accounts.office_create(
                    actor=None,
                    name=name,
                    code=code,
                    kind=kind,
                    country_code=country,
                    parent=offices[parent] if parent else None,
                )
        return offices

    def staff(self, offices: dict[str, Office], personas: dict[str, User]) -> Staff:
        rng = self.rng
        plan: list[tuple[str, str, Office, str]] = []
        for office in offices.values():
            if office.code == "DKR":
                plan += [
                    (f"{PREFIX[role]}.dkr.{i}", role, office, "")
                    for role, n in NATIONAL_STAFF
                    for i in range(1, n + 1)
                ]
                continue
            coordinators, cms = STAFF.get(office.kind, (0, 0))
            code = office.code.lower()
            for i in range(1, coordinators + 1):
                plan.append((f"coord.{code}.{i}", Role.COORDINATOR, office, ""))
            for i in range(1, cms + 1):
                spec = (
                    Specialisation.HOST
                    if office.kind == OfficeKind.HOST
                    else CM_SPECIALISATIONS[(i - 1) % 3]
                )
                plan.append((f"cm.{code}.{i}", Role.CASE_MANAGER, office, spec))
        taken = set(User.objects.values_list("username", flat=True))
        plan = [p for p in plan if p[0] not in taken]
        unusable = make_password(None)
        users = []
        for username, _role, _office, _spec in plan:
            sex = rng.choice("MF")
            users.append(
                User(
                    username=username,
                    first_name=rng.choice(names.GIVEN_MALE if sex == "M" else names.GIVEN_FEMALE),
                    last_name=rng.choice(names.FAMILY)[0],
                    email=f"{username}@bench.reintegra.invalid",
                    password=unusable,
                )
            )
        User.objects.bulk_create(users, batch_size=self.batch)
        by_name = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in plan])}
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=by_name[u], role=role, office=office, specialisation=spec)
                for u, role, office, spec in plan
            ],
            batch_size=self.batch,
        )
        self.staff_count = len(plan)
        staff = Staff({}, {}, {}, list(personas.values()) + list(by_name.values()))
        for a in RoleAssignment.objects.filter(is_active=True).select_related("user"):
            if a.office_id is None:
                continue
            if a.role == Role.CASE_MANAGER:
                staff.case_managers.setdefault(a.office_id, []).append(a.user)
                if a.specialisation == Specialisation.PSYCHOSOCIAL:
                    staff.psychosocial.setdefault(a.office_id, []).append(a.user)
            elif a.role == Role.COORDINATOR:
                staff.coordinators.setdefault(a.office_id, []).append(a.user)
        return staff

    # ---- people and cases ---------------------------------------------------------------

    def people_and_cases(self, offices: dict[str, Office], staff: Staff) -> None:
        rng = self.rng
        plan = [(offices[c], region, w) for c, (region, w) in DEMO_OFFICES.items()]
        plan += [(offices[c], region, w) for c, _n, _k, _p, _c, region, w in OFFICES if w]
        weights = [w for _o, _r, w in plan]
        origin = [(o, r) for o, r, _w in plan if not o.is_host_country and r]
        done = 0
        started = time.monotonic()
        while done < self.total:
            size = min(self.batch, self.total - done)
            for office, region, _w in rng.choices(plan, weights=weights, k=size):
                self.person(office, region, origin, staff)
            self.write_timeline()
            with transaction.atomic():
                for writer in self.writers:
                    writer.flush()
            done += size
            rate = done / max(0.001, time.monotonic() - started)
            self.log(f"  returnees {done:>7,}/{self.total:,} ({rate:,.0f}/s)")
        with transaction.atomic():
            for writer in self.writers:
                writer.finish()

    def person(
        self, office: Office, region: str, origin: list[tuple[Office, str]], staff: Staff
    ) -> None:
        """A returnee, their consents and their cases (an older closed one for a fifth)."""
        rng = self.rng
        fields = names.person(rng)
        stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
        handed_to: Office | None = None
        if office.is_host_country:
            # Most host-country cases have been handed over to an origin office by now.
            if rng.random() < 0.6:
                handed_to, region = rng.choice(origin)
            else:
                stage = Stage.PRE_DEPARTURE
                region = rng.choice(origin)[1]
        fields.update(names.place(rng, region))
        low, high = BENCH_AGE_WINDOW.get(stage, (3, 100))
        arrived = self.today - timedelta(days=rng.randint(low, high))
        registered = arrived - timedelta(days=rng.randint(10, 60)) if handed_to else arrived
        at = self.moment(registered)
        probe = Returnee(**fields)
        probe.refresh_keys()
        person_id = self.people.add(
            **fields,
            office_id=office.pk,
            nationality="SN",
            name_key=probe.name_key,
            family_key=probe.family_key,
            phone_key=probe.phone_key,
            created_at=at,
            updated_at=at,
        )
        language = fields["languages"].split(", ")[0]
        consent_id = self.consents.add(
            person_id=person_id,
            purpose=ConsentPurpose.CASE_MANAGEMENT,
            given_on=registered,
            language=language,
            created_at=at,
            updated_at=at,
        )
        if rng.random() < 0.5:
            self.consents.add(
                person_id=person_id,
                purpose=ConsentPurpose.COMMUNICATION,
                given_on=registered,
                language=language,
                created_at=at,
                updated_at=at,
            )
        person = {
            "id": person_id,
            "sort_name": f"{probe.family_key} {probe.name_key}",
            "words": {
                "given": fields["given_names"].split()[0],
                "commune": fields["commune"],
                "department": fields["department"],
                "region": fields["region"],
                "route": rng.choice(names.ROUTES),
                "relative": "a brother",
                "skill": "farmer",
                "trade": rng.choice(names.TRADES)[0],
                "sector": rng.choice(names.TRADES)[1],
            },
        }
        current_office = handed_to or office
        if stage != Stage.PRE_DEPARTURE and rng.random() < 0.2:
            gap = rng.randint(400, 1000)
            self.case(
                person,
                current_office,
                Stage.CLOSED,
                arrived - timedelta(days=gap),
                staff,
                closed_before=gap - 30,
            )
        self.case(
            person,
            current_office,
            stage,
            arrived,
            staff,
            handover=(office, consent_id) if handed_to else None,
            pending=(rng.choice(origin)[0], consent_id)
            if stage == Stage.PRE_DEPARTURE and rng.random() < 0.1
            else None,
        )

    def case(
        self,
        person: dict[str, Any],
        office: Office,
        stage: str,
        arrived: date,
        staff: Staff,
        *,
        closed_before: int | None = None,
        handover: tuple[Office, int] | None = None,
        pending: tuple[Office, int] | None = None,
    ) -> None:
        """A case and its history: assignments, hand-overs, stages, notes, tasks, timeline."""
        rng = self.rng
        cms = staff.case_managers.get(office.pk, [])
        lead = rng.choice(cms) if cms else None
        lead_id = lead.pk if lead else None
        close_reason = ""
        if stage == Stage.CLOSED:
            close_reason = rng.choices(CLOSURE_REASONS, weights=CLOSURE_REASON_WEIGHTS)[0]
            last = (
                Stage.MONITORING
                if close_reason == ClosureReason.SUPPORT_ENDED
                else rng.choice(ORIGIN_STAGES[:4])
            )
        else:
            last = stage
        path = ORIGIN_STAGES[1 : ORIGIN_STAGES.index(last) + 1] if last in ORIGIN_STAGES else []
        limit = self.today - timedelta(days=1)
        if closed_before is not None:
            limit = min(limit, arrived + timedelta(days=max(2, closed_before)))
        span = max(1, (limit - arrived).days)
        stops = [
            arrived,
            *sorted(
                arrived + timedelta(days=rng.randint(1, span))
                for _ in range(len(path) + bool(close_reason))
            ),
        ]
        stages = [stage if stage == Stage.PRE_DEPARTURE else Stage.REGISTERED, *path]
        opened = arrived - timedelta(days=rng.randint(10, 60)) if handover else arrived
        opened_at = self.moment(opened)
        number_office = handover[0] if handover else office
        specialist = None
        if stage != Stage.PRE_DEPARTURE and rng.random() < 0.06:
            specialist = rng.choice(staff.psychosocial.get(office.pk, [None]))
        flags = {
            "has_protection_flag": rng.random() < 0.08,
            "has_medical_flag": rng.random() < 0.05,
            "has_psychosocial_flag": specialist is not None or rng.random() < 0.02,
        }
        case_id = self.cases.next_id
        events: list[dict[str, Any]] = []

        def event(kind: str, at: datetime, actor: int | None = lead_id, **kw: Any) -> None:
            events.append({"case_id": case_id, "kind": kind, "at": at, "actor_id": actor, **kw})

        event(
            EventKind.OPENED,
            opened_at,
            summary=f"Case opened at {number_office}",
            office_id=number_office.pk,
            data={"stage": stages[0]},
        )
        assigned_at = self.moment(stops[0])
        if handover:
            from_office, consent_id = handover
            host_cm = rng.choice(staff.case_managers.get(from_office.pk, [None]))
            events[0]["actor_id"] = host_cm.pk if host_cm else None
            decided_at = self.moment(stops[0])
            assigned_at = decided_at + timedelta(seconds=1)
            requested_at = self.moment(opened + timedelta(days=rng.randint(3, 8)))
            handover_id = self.handovers.add(
                case_id=case_id,
                from_office_id=from_office.pk,
                to_office_id=office.pk,
                consent_id=consent_id,
                sections=[HandoverSection.IDENTITY, HandoverSection.DOCUMENTS],
                status=HandoverStatus.ACCEPTED,
                requested_by_id=host_cm.pk if host_cm else None,
                decided_by_id=lead_id,
                decided_at=decided_at,
                created_at=requested_at,
                updated_at=decided_at,
            )
            if host_cm:
                self.assignments.add(
                    case_id=case_id,
                    user_id=host_cm.pk,
                    role=AssignmentRole.LEAD,
                    specialisation=Specialisation.HOST,
                    ended_at=decided_at,
                    created_at=opened_at,
                    updated_at=decided_at,
                )
            event(
                EventKind.HANDOVER_REQUESTED,
                requested_at,
                actor=host_cm.pk if host_cm else None,
                office_id=from_office.pk,
                summary=f"Hand-over to {office} requested",
                data={"handover_id": handover_id, "to_office": office.pk},
            )
            event(
                EventKind.HANDED_OVER,
                decided_at,
                summary=f"Handed over from {from_office} to {office}",
                data={"handover_id": handover_id, "from_office": from_office.pk},
            )
        if lead:
            self.assignments.add(
                case_id=case_id,
                user_id=lead_id,
                role=AssignmentRole.LEAD,
                specialisation=Specialisation.ECONOMIC,
                created_at=assigned_at,
                updated_at=assigned_at,
            )
            event(
                EventKind.ASSIGNED,
                assigned_at,
                summary=f"{lead} assigned as Lead case manager",
                data={"user_id": lead_id, "role": AssignmentRole.LEAD},
            )
        if specialist:
            self.assignments.add(
                case_id=case_id,
                user_id=specialist.pk,
                role=AssignmentRole.SPECIALIST,
                specialisation=Specialisation.PSYCHOSOCIAL,
                created_at=assigned_at,
                updated_at=assigned_at,
            )
        for flag, field in FLAG_FIELDS:
            if flags[field]:
                event(EventKind.FLAG_SET, assigned_at, summary=flag.title(), data={"flag": flag})
        words = {**person["words"], "office": office.name}
        is_open = not close_reason
        for i, current in enumerate(stages):
            begin = stops[i]
            finish = stops[i + 1] if i + 1 < len(stops) else self.today
            gap = max(0, (finish - begin).days - 1)
            if i > 0:
                event(
                    EventKind.STAGE_CHANGED,
                    self.moment(begin),
                    summary=f"{stages[i - 1].title()} → {current.title()}",
                    data={"from": stages[i - 1], "to": current, "note": ""},
                )
            if i == 0 or rng.random() < 0.5:
                day = min(begin + timedelta(days=rng.randint(0, gap)), self.today)
                tier, pool, author = Tier.CASE, NOTES[current], lead_id
                if specialist and rng.random() < 0.4:
                    tier, pool, author = Tier.PSYCHOSOCIAL, PSY_NOTES, specialist.pk
                elif flags["has_protection_flag"] and rng.random() < 0.2:
                    tier, pool = Tier.PROTECTION, PROTECTION_NOTES
                elif flags["has_medical_flag"] and rng.random() < 0.2:
                    tier, pool = Tier.MEDICAL, MEDICAL_NOTES
                at = self.moment(day)
                body = rng.choice(pool).format(**words)
                note = {
                    "case_id": case_id,
                    "author_id": author,
                    "written_on": day,
                    "body": body,
                    "tier": tier,
                    "created_at": at,
                    "updated_at": at,
                }
                self.pending_notes.append(note)
                event(
                    EventKind.NOTE_ADDED,
                    at,
                    actor=author,
                    tier=tier,
                    summary=body[:120],
                    note=note,
                )
            is_current = is_open and i == len(stages) - 1
            if is_current or rng.random() < 0.1:
                added = begin + timedelta(days=rng.randint(0, gap))
                added_at = self.moment(added)
                task = {
                    "case_id": case_id,
                    "title": rng.choice(TASKS[current]).format(**words),
                    "assignee_id": lead_id,
                    "created_by_id": lead_id,
                    "created_at": added_at,
                    "updated_at": added_at,
                }
                if is_current:
                    due = self.today + timedelta(days=rng.randint(-20, 25))
                    task["due_on"] = max(due, added + timedelta(days=2))
                else:
                    task["due_on"] = added + timedelta(days=rng.randint(3, 14))
                    task["completed_at"] = task["updated_at"] = self.moment(
                        min(task["due_on"], finish)
                    )
                self.pending_tasks.append(task)
                event(EventKind.TASK_ADDED, added_at, summary=task["title"], task=task)
                if task.get("completed_at"):
                    event(
                        EventKind.TASK_COMPLETED,
                        task["completed_at"],
                        summary=task["title"],
                        task=task,
                    )
        if close_reason:
            event(
                EventKind.CLOSED,
                self.moment(stops[-1]),
                summary=str(ClosureReason(close_reason).label),
                data={"reason": close_reason, "from": stages[-1]},
            )
        if pending:
            to_office, consent_id = pending
            requested_at = self.moment(self.today - timedelta(days=rng.randint(1, 20)))
            handover_id = self.handovers.add(
                case_id=case_id,
                from_office_id=office.pk,
                to_office_id=to_office.pk,
                consent_id=consent_id,
                sections=[HandoverSection.IDENTITY, HandoverSection.NOTES],
                requested_by_id=lead_id,
                created_at=requested_at,
                updated_at=requested_at,
            )
            event(
                EventKind.HANDOVER_REQUESTED,
                requested_at,
                summary=f"Hand-over to {to_office} requested",
                data={"handover_id": handover_id, "to_office": to_office.pk},
            )
        last_at = max(e["at"] for e in events)
        self.cases.add(
            number=f"{number_office.code}-{opened.year}-{case_id:06d}",
            person_id=person["id"],
            office_id=office.pk,
            stage=stage,
            opened_on=opened,
            arrived_on=None if stage == Stage.PRE_DEPARTURE else arrived,
            lead_id=lead_id,
            has_plan=ORIGIN_STAGES.index(last) >= 2 if last in ORIGIN_STAGES else False,
            closed_on=stops[-1] if close_reason else None,
            closure_reason=close_reason,
            sort_name=person["sort_name"],
            version=len(events),
            created_at=opened_at,
            updated_at=last_at,
            **flags,
        )
        for e in events:
            e.setdefault("office_id", office.pk)
        self.pending_events += events
        self.case_index.append((case_id, person["id"], lead_id, office.pk))

    def write_timeline(self) -> None:
        """Queue the batch's notes, tasks and timeline events in time order, as they would have
        been written, then point the events at their notes and tasks."""
        for note in sorted(self.pending_notes, key=lambda n: n["created_at"]):
            note["id"] = self.notes.add(**note)
        for task in sorted(self.pending_tasks, key=lambda t: t["created_at"]):
            task["id"] = self.tasks.add(**task)
        for e in sorted(self.pending_events, key=lambda e: e["at"]):
            if note := e.pop("note", None):
                e["data"] = {"note_id": note["id"], "written_on": note["written_on"].isoformat()}
            if task := e.pop("task", None):
                e["data"] = {"task_id": task["id"], "due_on": task["due_on"].isoformat()}
            self.events.add(**e)
        self.pending_notes, self.pending_tasks, self.pending_events = [], [], []

    # ---- access events (hash-chained) ---------------------------------------------------

    def access_events(self, staff: Staff) -> None:
        """Views of case files and person records over eighteen months, chained as
        `audit.chain.append` would have chained them, one row after another."""
        rng = self.rng
        total = self.total * ACCESS_EVENTS_PER_RETURNEE
        start = timezone.now().astimezone(UTC) - timedelta(days=540)
        step = timedelta(days=540) / max(1, total)
        everyone = staff.everyone
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The lock audit.chain.append takes: nobody appends in between.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [424202])
            prev = (
                AccessEvent.objects.order_by("-id").values_list("hash", flat=True).first()
                or chain.GENESIS
            )
            for i in range(total):
                case_id, person_id, lead_id, office_id = rng.choice(self.case_index)
                roll = rng.random()
                actor_id = lead_id
                if roll < 0.15 or actor_id is None:
                    actor_id = rng.choice(staff.coordinators.get(office_id) or everyone).pk
                if roll < 0.9:
                    action, target_type, target_id = "case.viewed", "case", case_id
                elif roll < 0.99:
                    action, target_type, target_id = "person.viewed", "returnee", person_id
                else:
                    action, target_type, target_id = "case.denied", "", None
                    actor_id = rng.choice(everyone).pk
                row = AccessEvent(
                    at=start + step * i,
                    actor_id=actor_id,
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    case_id=None if action == "person.viewed" else case_id,
                    person_id=person_id,
                    request_id=f"{rng.getrandbits(128):032x}",
                )
                row.prev_hash = prev
                row.hash = prev = chain.digest(prev, chain.content_of(row))
                self.access.add(**{a: getattr(row, a) for a in self.access.attnames[1:]})
                if len(self.access.rows) >= self.batch:
                    self.access.flush()
                if (i + 1) % (self.batch * 10) == 0:
                    self.log(f"  access events {i + 1:>7,}/{total:,}")
            self.access.finish()

    def counts(self) -> dict[str, int]:
        return {
            "staff_users": self.staff_count,
            "returnees": self.people.written,
            "consents": self.consents.written,
            "cases": self.cases.written,
            "assignments": self.assignments.written,
            "handovers": self.handovers.written,
            "notes": self.notes.written,
            "tasks": self.tasks.written,
            "case_events": self.events.written,
            "access_events": self.access.written,
        }


def generate(
    *,
    returnees: int = 100_000,
    batch: int = 5000,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fill the current database with a benchmark programme; return counts and seconds.

    Raises BenchRefused when returnees exist (unless `force`).
    """
    if Returnee.objects.exists() and not force:
        raise BenchRefused(
            "The database already holds returnees (demo or real data). Use an empty database, "
            "or --force to add benchmark data anyway."
        )
    started = time.monotonic()
    demo_offices, personas = programme_ensure()
    gen = Generator(returnees, batch, log)
    with transaction.atomic():
        offices = gen.offices(demo_offices)
        staff = gen.staff(offices, personas)
    log(f"offices {len(offices)}, staff {len(staff.everyone)}")
    gen.people_and_cases(offices, staff)
    # As the case services do: a person's office is the office of their latest case.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_returnee SET office_id = (SELECT c.office_id FROM cases_case c"
            " WHERE c.person_id = people_returnee.id ORDER BY c.opened_on DESC, c.id DESC"
            " LIMIT 1) WHERE EXISTS (SELECT 1 FROM cases_case c"
            " WHERE c.person_id = people_returnee.id)"
        )
    gen.access_events(staff)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: planner statistics and visibility maps
        # (index-only scans), so the benchmark measures a database in its steady state.
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (the test suite's): analyse only there.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    result: dict[str, Any] = {"offices": Office.objects.count(), **gen.counts()}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result
