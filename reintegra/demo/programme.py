"""The demo programme: about 300 returnees of a Senegal reintegration programme.

Everything is written through the services (`people.services`, `cases.services`) with the
personas as actors, so every record has its audit events and its timeline, exactly as if staff
had typed it in: registrations at Tambacounda and Kolda, pre-departure cases at Rabat with
hand-overs (waiting, accepted, refused), cases in every stage of the lifecycle, counselling
notes, follow-up tasks, flags, consents.

`programme_load()` is idempotent: when any returnee exists it only ensures the personas.
A fixed random seed makes the demo the same every time (its dates are relative to the day it
is loaded).

Demo back-dating: the services stamp everything "now". To give the programme a past (arrivals
over eighteen months), the loader afterwards moves the *dates* of the rows it has just written
with a plain ORM update: timeline events' `at`; `created_at` / `updated_at` of returnees,
cases, assignments and hand-overs (the ones pages show); a task's `completed_at`, a hand-over's
`decided_at`, a case's `closed_on` and an accepted hand-over's `arrived_on`. Dates the services
take as arguments (arrival, opening, note, due, consent and withdrawal dates) are passed to
them. Nothing else is changed that way, and the audit tables are never touched (they are
append-only, and the database refuses): the audit trail truthfully says the demo was loaded
today.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Model
from django.utils import timezone

from reintegra.access.policy import Tier
from reintegra.accounts.models import Office, User
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services as cases
from reintegra.cases.choices import (
    AssignmentRole,
    ClosureReason,
    Flag,
    HandoverSection,
    HandoverStatus,
    Stage,
)
from reintegra.cases.models import Case, CaseEvent, Handover, Note, Task
from reintegra.demo import names
from reintegra.demo.access_ops import access_ops_load
from reintegra.demo.assessments import assessments_load
from reintegra.demo.communication import communication_load
from reintegra.demo.feedback import feedback_load
from reintegra.demo.payments import payments_load, purchases_load
from reintegra.demo.personas import programme_ensure
from reintegra.demo.plans import plans_load
from reintegra.demo.privacy import privacy_load
from reintegra.demo.projects import projects_load
from reintegra.demo.providers import providers_load
from reintegra.demo.referrals import referrals_load
from reintegra.demo.retention import retention_load
from reintegra.demo.sections import sections_load
from reintegra.demo.structural import structural_load
from reintegra.instruments.models import Response
from reintegra.people import services as people
from reintegra.people.choices import ConsentPurpose, DocumentKind, Relationship
from reintegra.people.models import Consent, Returnee

SEED = 221

# Returnees registered directly at each office (Rabat's are pre-departure).
DIRECT_TAMBACOUNDA = 132
DIRECT_KOLDA = 112
DAKAR = 8
# Rabat: what happens to each pre-departure case.
RABAT_OUTCOMES = (
    ["pending:TAM"] * 3
    + ["pending:KLD"] * 2
    + ["accepted:TAM"] * 6
    + ["accepted:KLD"] * 2
    + ["refused:TAM"]
    + ["waiting"] * 30
)
# cm.psy is lead on this many Tambacounda cases.
PSY_LEAD = 15

ORIGIN_STAGES: list[str] = [
    Stage.REGISTERED,
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.ASSISTANCE,
    Stage.MONITORING,
]
STAGE_WEIGHTS: dict[str, int] = {
    Stage.REGISTERED: 14,
    Stage.ASSESSMENT: 14,
    Stage.PLANNING: 14,
    Stage.ASSISTANCE: 20,
    Stage.MONITORING: 16,
    Stage.CLOSED: 22,
}
# Days since arrival, by current stage.
AGE_WINDOW: dict[str, tuple[int, int]] = {
    Stage.REGISTERED: (1, 70),
    Stage.ASSESSMENT: (10, 120),
    Stage.PLANNING: (35, 200),
    Stage.ASSISTANCE: (70, 420),
    Stage.MONITORING: (150, 540),
    Stage.CLOSED: (90, 540),
}
CLOSURE_WEIGHTS: dict[str, int] = {
    ClosureReason.SUPPORT_ENDED: 45,
    ClosureReason.UNREACHABLE: 15,
    ClosureReason.CHOSE_TO_STOP: 10,
    ClosureReason.REMIGRATED: 8,
    ClosureReason.MOVED_AWAY: 8,
    ClosureReason.NOT_ELIGIBLE: 5,
    ClosureReason.FUNDING_LOST: 3,
    ClosureReason.DECEASED: 2,
    ClosureReason.OTHER: 4,
}
CLOSURE_NOTES: dict[str, str] = {
    ClosureReason.SUPPORT_ENDED: "Reintegration support completed; the activity is running.",
    ClosureReason.UNREACHABLE: "Three calls and a home visit without contact.",
    ClosureReason.CHOSE_TO_STOP: "{given} told us they no longer want support.",
    ClosureReason.REMIGRATED: "The family says {given} has left the country again.",
    ClosureReason.MOVED_AWAY: "{given} moved to Dakar for work; outside the programme's area.",
    ClosureReason.NOT_ELIGIBLE: "Arrival date outside the programme's eligibility period.",
    ClosureReason.FUNDING_LOST: "The project funding this support ended.",
    ClosureReason.DECEASED: "The family informed us of the death; condolence visit made.",
    ClosureReason.OTHER: "Now supported by another organisation's programme in {commune}.",
}

RELATIVES = ["an uncle", "a brother", "the parents", "a cousin", "an older sister", "the spouse"]
SKILLS = ["mason", "farmer", "driver", "tailor", "trader", "fisherman", "mechanic", "painter"]

NOTES: dict[str, list[str]] = {
    Stage.PRE_DEPARTURE: [
        "Pre-departure counselling in Rabat: {given} wants to return to {commune} ({region}). "
        "Explained the reintegration support and the hand-over to the {region} office.",
        "Second counselling session: talked about plans to {trade} after return; "
        "the family in {commune} has been told.",
        "Travel documents: laissez-passer requested from the consulate; "
        "waiting for the travel date.",
    ],
    Stage.REGISTERED: [
        "Arrival interview at the {office} office. {given} came back from {route} and is "
        "staying with {relative} in {commune}.",
        "Registration completed. {given} has no valid identity card at the moment; we will help "
        "with the renewal in {department}.",
        "Welcome call: {given} arrived safely in {commune} and asked when the assessment "
        "interview can take place.",
    ],
    Stage.ASSESSMENT: [
        "Assessment interview: {given} worked as a {skill} before leaving. Wants to {trade} "
        "in {commune}.",
        "Needs and skills assessment done. Main concern is supporting the family; "
        "interested in {sector}.",
        "Follow-up call: {given} wants to {trade} in {commune}; asked about training options.",
    ],
    Stage.PLANNING: [
        "Plan discussion: {sector} activity in {commune}. {given} will bring two supplier "
        "quotes next week.",
        "Reviewed the draft plan with {given}; the family agrees. Short training in "
        "{department} first.",
        "Market visit in {commune} with {given} to compare prices for the equipment.",
    ],
    Stage.ASSISTANCE: [
        "Equipment for the {sector} activity delivered in {commune}; hand-over certificate signed.",
        "Follow-up call: {given} started the {sector} activity; first customers this week.",
        "Home visit in {commune}: the activity is set up; discussed simple bookkeeping.",
    ],
    Stage.MONITORING: [
        "Monitoring call: the {sector} activity is running; sales are slower during the "
        "rainy season.",
        "Monitoring visit in {commune}. {given} covers the rent from the income and wants "
        "to expand.",
        "Follow-up call: {given} is doing well and has joined a local savings group (tontine).",
    ],
}
PSY_NOTES = [
    "Psychosocial session: {given} reports trouble sleeping since the return; agreed on "
    "weekly sessions.",
    "Psychosocial session: {given} feels ashamed to face the family after the return; we "
    "worked on how to talk about it at home.",
    "Group session at the {office} office with other returnees; {given} spoke for the first time.",
]
PROTECTION_NOTES = [
    "Protection follow-up: safety plan reviewed with {given}; no new incident reported.",
    "Protection screening completed; referral to the departmental social action service "
    "discussed and agreed.",
]
MEDICAL_NOTES = [
    "Medical follow-up: appointment at the {department} health centre confirmed; transport "
    "costs covered.",
    "Medical focal point call: treatment ongoing, next check-up in one month.",
]
TASKS: dict[str, list[str]] = {
    Stage.PRE_DEPARTURE: [
        "Confirm the travel date with the consulate",
        "Prepare the hand-over summary",
        "Call the family in {commune}",
    ],
    Stage.REGISTERED: [
        "Schedule the assessment interview",
        "Help renew the national ID card",
        "Call back to confirm the address in {commune}",
    ],
    Stage.ASSESSMENT: [
        "Complete the needs and skills assessment",
        "Home visit in {commune}",
        "Check training options in {department}",
    ],
    Stage.PLANNING: [
        "Collect two supplier quotes",
        "Draft the reintegration plan",
        "Book a place in the vocational training",
    ],
    Stage.ASSISTANCE: [
        "Deliver the equipment",
        "Get the hand-over certificate signed",
        "Follow-up call after the first month",
    ],
    Stage.MONITORING: ["Monitoring visit in {commune}", "Monitoring call", "Sustainability survey"],
}
WITHDRAWAL_REASONS = [
    "Asked not to receive text messages any more.",
    "Does not want to take part in surveys.",
]


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


@dataclass
class Story:
    """One returnee's file while it is being written."""

    person: Returnee
    office: Office
    words: dict[str, str]
    case: Case | None = None
    consents: dict[str, Consent] = field(default_factory=dict)


class _Loader:
    def __init__(self, offices: dict[str, Office], users: dict[str, User]) -> None:
        self.rng = random.Random(SEED)
        self.offices = offices
        self.users = users
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._last: datetime | None = None

    # ---- back-dating (dates only; see the module docstring) ----------------------------

    def _when(self, day: date) -> datetime:
        """A working-hours moment on `day`, always after the previous one of the story."""
        start = timezone.make_aware(datetime.combine(day, time(8, 0)))
        when = start + timedelta(minutes=self.rng.randint(0, 300))
        if self._last and when <= self._last:
            when = self._last + timedelta(minutes=self.rng.randint(3, 40))
        when = min(when, self.now - timedelta(minutes=1))
        self._last = when
        return when

    def _stamp(self, story: Story, day: date, *created: Model) -> datetime:
        """Move the story's timeline events not yet back-dated, and these new rows, to `day`.

        Events still carry the real time of writing (after `self.now`); moved ones are before.
        """
        when = self._when(day)
        if story.case is not None:
            CaseEvent.objects.filter(case_id=story.case.pk, at__gte=self.now).update(at=when)
        by_model: dict[type[Model], list[int]] = {}
        for obj in created:
            by_model.setdefault(type(obj), []).append(obj.pk)
        for model, pks in by_model.items():
            model._default_manager.filter(pk__in=pks).update(created_at=when, updated_at=when)
        return when

    # ---- people -------------------------------------------------------------------------

    def register(self, actor: User, office: Office, region: str, day: date) -> Story:
        """Register a returnee with household, documents and consents, as of `day`."""
        rng = self.rng
        self._last = None
        fields = names.person(rng)
        fields.update(names.place(rng, region))
        person = people.returnee_register(actor=actor, office=office, **fields)
        trade, sector = rng.choice(names.TRADES)
        given = fields["given_names"].split()[0]
        story = Story(
            person=person,
            office=office,
            words={
                "given": given,
                "commune": fields["commune"],
                "department": fields["department"],
                "region": region,
                "office": office.name,
                "route": rng.choice(names.ROUTES),
                "relative": rng.choice(RELATIVES),
                "skill": rng.choice(SKILLS),
                "trade": trade,
                "sector": sector,
            },
        )
        self._household(actor, person, fields)
        self._documents(actor, person, office)
        language = fields["languages"].split(", ")[0]
        purposes = [ConsentPurpose.CASE_MANAGEMENT]
        for purpose, share in (
            (ConsentPurpose.REFERRAL, 0.85),
            (ConsentPurpose.MONITORING, 0.8),
            (ConsentPurpose.COMMUNICATION, 0.65),
        ):
            if rng.random() < share:
                purposes.append(purpose)
        for purpose in purposes:
            consent = people.consent_record(
                actor=actor, person=person, purpose=purpose, given_on=day, language=language
            )
            story.consents[purpose] = consent
        # "Registered on" is the person's created_at.
        self._stamp(story, day, person)
        return story

    def _household(self, actor: User, person: Returnee, fields: dict) -> None:
        rng = self.rng
        dob = fields["date_of_birth"]
        age = self.today.year - dob.year
        members = []
        family = fields["family_name"]
        if age >= 25 and rng.random() < 0.55:
            female = fields["sex"] == "M"
            spouse_given = rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE)
            spouse_family = rng.choice(names.FAMILY)[0] if female else family
            members.append(
                (f"{spouse_given} {spouse_family}", Relationship.SPOUSE, "F" if female else "M")
            )
            for _ in range(rng.randint(0, 3)):
                sex = rng.choice("MF")
                child = rng.choice(names.GIVEN_MALE if sex == "M" else names.GIVEN_FEMALE)
                members.append((f"{child} {family}", Relationship.CHILD, sex))
        if rng.random() < 0.5:
            sex = rng.choice("MF")
            parent = rng.choice(names.GIVEN_MALE if sex == "M" else names.GIVEN_FEMALE)
            members.append((f"{parent} {family}", Relationship.PARENT, sex))
        for name, relationship, sex in members:
            if relationship == Relationship.CHILD:
                year = rng.randint(max(dob.year + 18, self.today.year - 15), self.today.year - 1)
            elif relationship == Relationship.PARENT:
                year = dob.year - rng.randint(20, 35)
            else:
                year = dob.year + rng.randint(-3, 8)
            born = date(year, rng.randint(1, 12), rng.randint(1, 28))
            born = min(born, self.today - timedelta(days=30))
            people.household_member_add(
                actor=actor,
                person=person,
                name=name,
                relationship=relationship,
                sex=sex,
                date_of_birth=born,
                is_dependant=relationship == Relationship.CHILD or rng.random() < 0.3,
            )

    def _documents(self, actor: User, person: Returnee, office: Office) -> None:
        rng = self.rng
        kinds = []
        if office.is_host_country and rng.random() < 0.7:
            kinds.append(DocumentKind.LAISSEZ_PASSER)
        if rng.random() < 0.65:
            kinds.append(DocumentKind.NATIONAL_ID)
        if rng.random() < 0.35 or not kinds:
            kinds.append(DocumentKind.PASSPORT)
        for kind in kinds:
            issued = self.today - timedelta(days=rng.randint(30, 3000))
            if kind == DocumentKind.PASSPORT:
                number = f"A{rng.randrange(10**8):08d}"
                expires = issued + timedelta(days=5 * 365)
            elif kind == DocumentKind.NATIONAL_ID:
                number = f"{1 if person.sex == 'M' else 2}{rng.randrange(10**12):012d}"
                expires = issued + timedelta(days=10 * 365)
            else:
                issued = self.today - timedelta(days=rng.randint(5, 200))
                number = f"LP-RBT-{rng.randrange(10**5):05d}"
                expires = issued + timedelta(days=90)
            people.identity_document_add(
                actor=actor,
                person=person,
                kind=kind,
                number=number,
                issuing_country="SN",
                issued_on=issued,
                expires_on=expires,
            )

    def withdraw_some(self, story: Story, actor: User) -> None:
        """A few people withdraw their communication or monitoring consent later."""
        for purpose in (ConsentPurpose.COMMUNICATION, ConsentPurpose.MONITORING):
            consent = story.consents.get(purpose)
            if consent and self.rng.random() < 0.07:
                span = (self.today - consent.given_on).days
                if span < 2:
                    continue
                day = consent.given_on + timedelta(days=self.rng.randint(1, span - 1))
                people.consent_withdraw(
                    actor=actor,
                    consent=consent,
                    reason=self.rng.choice(WITHDRAWAL_REASONS),
                    withdrawn_on=day,
                )

    # ---- cases --------------------------------------------------------------------------

    def text(self, template: str, story: Story) -> str:
        return template.format(**story.words)

    def note(
        self,
        story: Story,
        actor: User,
        day: date,
        stage: str,
        tier: str = Tier.CASE,
        template: str = "",
    ) -> tuple[date, Any]:
        """The action writing a note on `day`."""
        pools: dict[str, list[str]] = {
            Tier.PSYCHOSOCIAL: PSY_NOTES,
            Tier.PROTECTION: PROTECTION_NOTES,
            Tier.MEDICAL: MEDICAL_NOTES,
        }
        body = self.text(template or self.rng.choice(pools.get(tier, NOTES[stage])), story)
        day = min(day, self.today - timedelta(days=1))

        def write() -> None:
            assert story.case is not None
            cases.note_add(actor=actor, case=story.case, body=body, written_on=day, tier=tier)
            self._stamp(story, day)

        return day, write

    def task(
        self, story: Story, actor: User, day: date, stage: str, done_by: date | None
    ) -> list[tuple[date, Any]]:
        """Actions adding a task on `day`: done before `done_by`, or left open with a due date
        around today (overdue, due soon or later)."""
        rng = self.rng
        title = self.text(rng.choice(TASKS[stage]), story)
        added: dict[str, Task] = {}

        def add(due: date, day: date) -> None:
            assert story.case is not None
            added["task"] = cases.task_add(actor=actor, case=story.case, title=title, due_on=due)
            self._stamp(story, day)

        if done_by is not None and (done_by - day).days >= 2:
            due = day + timedelta(days=rng.randint(3, 14))
            finished = day + timedelta(days=rng.randint(1, (done_by - day).days - 1))

            def complete() -> None:
                done = cases.task_complete(actor=actor, task=added["task"])
                when = self._stamp(story, finished)
                Task.objects.filter(pk=done.pk).update(completed_at=when, updated_at=when)

            return [(day, lambda: add(due, day)), (finished, complete)]
        roll = rng.random()
        if roll < 0.35:
            due = self.today - timedelta(days=rng.randint(1, 25))
        elif roll < 0.7:
            due = self.today + timedelta(days=rng.randint(0, 7))
        else:
            due = self.today + timedelta(days=rng.randint(8, 30))
        due = max(due, day + timedelta(days=2))
        return [(day, lambda: add(due, day))]

    def run(self, actions: list[tuple[date, Any]]) -> None:
        """Run a period's actions in the order of their days."""
        for _, action in sorted(actions, key=lambda a: a[0]):
            action()

    def milestones(self, start: date, count: int, end: date) -> list[date]:
        """`count` sorted days in (start, end]."""
        span = max(1, (end - start).days)
        offsets = sorted(self.rng.randint(1, span) for _ in range(count))
        return [start + timedelta(days=o) for o in offsets]

    def progress(
        self,
        story: Story,
        lead: User,
        start: date,
        target: str,
        *,
        close_reason: str = "",
        flags: tuple[str, ...] = (),
        specialist: User | None = None,
        assigner: User | None = None,
    ) -> None:
        """Walk an arrived case from REGISTERED to `target` (or to closure) between `start`
        and yesterday, with notes, tasks and flags along the way."""
        rng = self.rng
        last: str
        if close_reason:
            # Support ended after monitoring; other closures happen earlier on the way.
            last = (
                Stage.MONITORING
                if close_reason == ClosureReason.SUPPORT_ENDED
                else rng.choice(ORIGIN_STAGES[:4])
            )
        else:
            last = target
        path = ORIGIN_STAGES[1 : ORIGIN_STAGES.index(last) + 1]
        end = self.today - timedelta(days=rng.randint(1, 6))
        end = max(end, start + timedelta(days=1))
        stops = [start, *self.milestones(start, len(path) + (1 if close_reason else 0), end)]
        stages = [Stage.REGISTERED, *path]
        # Vulnerabilities come up at the arrival interview: flags are raised on the first day.
        self._flags(story, lead, start, flags, specialist, assigner)
        for i, stage in enumerate(stages):
            begin = stops[i]
            is_current = i + 1 >= len(stops)
            finish = self.today if is_current else stops[i + 1]
            span = max(0, (finish - begin).days - 1)
            days = sorted(begin + timedelta(days=rng.randint(0, span)) for _ in range(2))
            # The first note of a stage opens it (the arrival interview on arrival).
            texts = [NOTES[stage][0], *rng.sample(NOTES[stage][1:], 1)]
            count = rng.randint(1, 2)
            actions = [
                self.note(story, lead, day, stage, template=text)
                for day, text in zip([begin, days[-1]][:count], texts, strict=False)
            ]
            if specialist and stage != Stage.REGISTERED and rng.random() < 0.8:
                actions.append(self.note(story, specialist, days[-1], stage, Tier.PSYCHOSOCIAL))
            if Flag.PROTECTION in flags and rng.random() < 0.5:
                fp = self.users["fp.protection"]
                actions.append(self.note(story, fp, days[-1], stage, Tier.PROTECTION))
            if Flag.MEDICAL in flags and rng.random() < 0.5:
                fp = self.users["fp.medical"]
                actions.append(self.note(story, fp, days[-1], stage, Tier.MEDICAL))
            if is_current and not close_reason:
                for _ in range(rng.randint(1, 2)):
                    actions += self.task(story, lead, days[0], stage, done_by=None)
            elif rng.random() < 0.4:
                actions += self.task(story, lead, begin, stage, done_by=finish)
            self.run(actions)
            if i + 1 < len(stages):
                assert story.case is not None
                story.case = cases.case_transition(
                    actor=lead, case=story.case, to_stage=stages[i + 1]
                )
                self._stamp(story, stops[i + 1])
        if close_reason:
            closed_day = stops[-1]
            note = self.text(CLOSURE_NOTES[close_reason], story)
            assert story.case is not None
            case = cases.case_close(actor=lead, case=story.case, reason=close_reason, note=note)
            story.case = case
            when = self._stamp(story, closed_day)
            Case.objects.filter(pk=case.pk).update(closed_on=closed_day)
            # Tasks still open at closure were completed by the service, today.
            Task.objects.filter(case=case, completed_at__gt=when).update(completed_at=when)

    def _flags(
        self,
        story: Story,
        lead: User,
        day: date,
        flags: tuple[str, ...],
        specialist: User | None,
        assigner: User | None,
    ) -> None:
        assert story.case is not None
        for flag in flags:
            story.case = cases.case_flag_set(actor=lead, case=story.case, flag=flag, value=True)
            self._stamp(story, day)
        if specialist and specialist != lead:
            assignment = cases.case_assign(
                actor=assigner or lead,
                case=story.case,
                user=specialist,
                role=AssignmentRole.SPECIALIST,
            )
            self._stamp(story, day, assignment)

    def finish_case(self, story: Story, opened: date) -> None:
        """The case row's own timestamps: created when opened, updated at its last event."""
        assert story.case is not None
        last = (
            CaseEvent.objects.filter(case=story.case).order_by("-at").values_list("at", flat=True)
        ).first()
        Case.objects.filter(pk=story.case.pk).update(
            created_at=timezone.make_aware(datetime.combine(opened, time(8, 0))),
            updated_at=last or self.now,
        )

    # ---- the three kinds of story -------------------------------------------------------

    def origin(self, office_code: str, lead: User, target: str) -> None:
        """A returnee registered on arrival at Tambacounda or Kolda."""
        rng = self.rng
        office = self.offices[office_code]
        region = "Tambacounda" if office_code == "TAM" else "Kolda"
        low, high = AGE_WINDOW[target]
        arrived = self.today - timedelta(days=rng.randint(low, high))
        opened = min(arrived + timedelta(days=rng.randint(0, 2)), self.today - timedelta(days=1))
        story = self.register(lead, office, region, opened)
        story.case = cases.case_open(
            actor=lead, person=story.person, office=office, arrived_on=arrived, opened_on=opened
        )
        self._stamp(story, opened)
        flags: list[str] = []
        if rng.random() < 0.08:
            flags.append(Flag.PROTECTION)
        if rng.random() < 0.05:
            flags.append(Flag.MEDICAL)
        psy = self.users["cm.psy"]
        specialist = None
        if lead == psy:
            if rng.random() < 0.6:
                flags.append(Flag.PSYCHOSOCIAL)
                specialist = psy
        elif office_code == "TAM" and rng.random() < 0.12:
            flags.append(Flag.PSYCHOSOCIAL)
            specialist = psy
        elif office_code == "KLD" and rng.random() < 0.08:
            flags.append(Flag.PSYCHOSOCIAL)
        close_reason = _weighted(rng, CLOSURE_WEIGHTS) if target == Stage.CLOSED else ""
        self.progress(
            story,
            lead,
            opened,
            target,
            close_reason=close_reason,
            flags=tuple(flags),
            specialist=specialist,
            assigner=self.users["coord.tamba"],
        )
        self.withdraw_some(story, lead)
        self.finish_case(story, opened)

    def rabat(self, outcome: str) -> None:
        """A pre-departure case at Rabat, waiting or handed over to Tambacounda or Kolda."""
        rng = self.rng
        cm = self.users["cm.rabat"]
        office = self.offices["RBT"]
        kind, _, to_code = outcome.partition(":")
        to_code = to_code or rng.choice(["TAM", "TAM", "KLD"])
        region = "Tambacounda" if to_code == "TAM" else "Kolda"
        window = {
            "waiting": (3, 100),
            "pending": (12, 40),
            "refused": (20, 60),
            "accepted": (70, 330),
        }[kind]
        opened = self.today - timedelta(days=rng.randint(*window))
        story = self.register(cm, office, region, opened)
        story.case = cases.case_open(actor=cm, person=story.person, office=office, opened_on=opened)
        self._stamp(story, opened)
        request_day = opened + timedelta(days=rng.randint(5, 10))
        request_day = min(request_day, self.today - timedelta(days=2))
        span = max(0, (request_day - opened).days - 1)
        texts = NOTES[Stage.PRE_DEPARTURE]
        days = [opened, *sorted(opened + timedelta(days=rng.randint(0, span)) for _ in range(2))]
        actions = [
            self.note(story, cm, day, Stage.PRE_DEPARTURE, template=text)
            for day, text in list(zip(days, texts, strict=True))[: rng.randint(1, 3)]
        ]
        if kind == "waiting":
            for _ in range(rng.randint(1, 2)):
                actions += self.task(story, cm, opened, Stage.PRE_DEPARTURE, done_by=None)
            self.run(actions)
            self.finish_case(story, opened)
            return
        actions += self.task(story, cm, opened, Stage.PRE_DEPARTURE, done_by=request_day)
        self.run(actions)
        sections: list[str] = [HandoverSection.IDENTITY, HandoverSection.DOCUMENTS]
        if rng.random() < 0.8:
            sections += [HandoverSection.HOUSEHOLD, HandoverSection.NOTES]
        handover = cases.handover_request(
            actor=cm,
            case=story.case,
            to_office=self.offices[to_code],
            consent=story.consents[ConsentPurpose.CASE_MANAGEMENT],
            sections=sections,
            message=self.text(
                "{given} travels home to {commune} soon; please plan the arrival interview.",
                story,
            ),
        )
        self._stamp(story, request_day, handover)
        receiver = self.users["cm.tamba" if to_code == "TAM" else "cm.kolda"]
        if kind == "refused":
            decided = request_day + timedelta(days=1)
            handover = cases.handover_refuse(
                actor=self.users["coord.tamba"],
                handover=handover,
                reason=self.text(
                    "{given} now plans to settle in Dakar with relatives: please hand the "
                    "case over to the Dakar office instead.",
                    story,
                ),
            )
            when = self._stamp(story, decided)
            Handover.objects.filter(pk=handover.pk).update(decided_at=when, updated_at=when)
        elif kind == "accepted":
            arrived = request_day + timedelta(days=rng.randint(3, 15))
            handover = cases.handover_accept(
                actor=receiver, handover=handover, note="Arrival interview booked."
            )
            when = self._stamp(story, arrived)
            Handover.objects.filter(pk=handover.pk).update(decided_at=when, updated_at=when)
            Case.objects.filter(pk=story.case.pk).update(arrived_on=arrived)
            story.case = Case.objects.get(pk=story.case.pk)
            story.office = self.offices[to_code]
            story.words["office"] = story.office.name
            target = rng.choice([Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE])
            self.progress(story, receiver, arrived, target)
        self.finish_case(story, opened)

    def dakar(self) -> None:
        """A returnee registered at the national office, waiting for a case manager."""
        actor = self.users["coord.national"]
        opened = self.today - timedelta(days=self.rng.randint(1, 20))
        story = self.register(actor, self.offices["DKR"], "Dakar", opened)
        story.case = cases.case_open(
            actor=actor,
            person=story.person,
            office=self.offices["DKR"],
            arrived_on=opened,
            opened_on=opened,
        )
        self._stamp(story, opened)
        self.finish_case(story, opened)

    def load(self) -> None:
        rng = self.rng
        stages = list(STAGE_WEIGHTS)
        weights = [STAGE_WEIGHTS[s] for s in stages]
        tamba, psy, kolda = self.users["cm.tamba"], self.users["cm.psy"], self.users["cm.kolda"]
        for i in range(DIRECT_TAMBACOUNDA):
            target = rng.choices(stages, weights=weights)[0]
            self.origin("TAM", psy if i % (DIRECT_TAMBACOUNDA // PSY_LEAD) == 0 else tamba, target)
        for _ in range(DIRECT_KOLDA):
            self.origin("KLD", kolda, rng.choices(stages, weights=weights)[0])
        for outcome in RABAT_OUTCOMES:
            self.rabat(outcome)
        for _ in range(DAKAR):
            self.dakar()


def programme_load() -> tuple[bool, dict[str, Any]]:
    """Load the demo programme unless it is there already; return (loaded now?, summary)."""
    offices, users = programme_ensure()
    if Returnee.objects.exists():
        return False, programme_summary()
    with transaction.atomic():
        providers_load(offices, users)
        _Loader(offices, users).load()
        assessments_load(users)
        referrals_load(users)
        plans_load(users)
        payments_load(users)
        purchases_load(users)
        projects_load(users)
        structural_load(users)
        communication_load(users)
        feedback_load(users)
        privacy_load(users)
        sections_load(users)
        retention_load(users)
        access_ops_load(users)
    return True, programme_summary()


def programme_summary() -> dict[str, Any]:
    """Counts describing what is in the database (for the command's output and tests)."""
    today = timezone.localdate()
    by_stage = Counter(dict(Case.objects.values_list("stage").annotate(n=Count("id"))))
    by_office = Counter(dict(Case.objects.values_list("office__code").annotate(n=Count("id"))))
    handovers = Counter(dict(Handover.objects.values_list("status").annotate(n=Count("id"))))
    open_tasks = Task.objects.filter(completed_at__isnull=True)
    return {
        "returnees": Returnee.objects.count(),
        "cases": Case.objects.count(),
        "cases_by_stage": {s: by_stage.get(s, 0) for s in Stage.values},
        "cases_by_office": dict(sorted(by_office.items())),
        "handovers": {s: handovers.get(s, 0) for s in HandoverStatus.values},
        "notes": Note.objects.count(),
        "tasks_open": open_tasks.count(),
        "tasks_overdue": open_tasks.filter(due_on__lt=today).count(),
        "tasks_done": Task.objects.filter(completed_at__isnull=False).count(),
        "timeline_events": CaseEvent.objects.count(),
        "consents_withdrawn": Consent.objects.filter(withdrawn_on__isnull=False).count(),
        "audit_events": AuditEvent.objects.count(),
        "access_events": AccessEvent.objects.count(),
        "responses": dict(
            Response.objects.values_list("instrument__code").annotate(n=Count("id")).order_by()
        ),
    }
