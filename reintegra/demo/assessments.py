"""The demo's assessments and surveys: the shipped instruments, filled in on the open cases.

Answers are drawn at random from each form's own choices (a fixed seed), then cleaned and
validated by the same engine as the web form; the responses are recorded through
`instruments.services` by the case's lead, and back-dated like the rest of the demo. Later
stages carry more: a screening from the assessment on, a needs and skills assessment from
planning, a baseline sustainability survey once assistance starts (and a follow-up in
monitoring, a little better on average, with a monitoring visit), a satisfaction survey late in
monitoring. A few drafts wait
on cm.tamba's cases.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import User
from reintegra.cases.choices import EventKind, Stage
from reintegra.cases.models import Case, CaseEvent
from reintegra.instruments import engine, services
from reintegra.instruments.choices import ResponseSource
from reintegra.instruments.models import Instrument, Response
from reintegra.instruments.spec import FormSpec, Question
from reintegra.monitoring.models import Visit
from reintegra.monitoring.services import add_months

SEED = 417
TEXTS = [
    "Wants to restart the shop with a cousin",
    "Worked as a mason in Morocco",
    "Family is supportive",
    "Needs help with the rent for three months",
    "Asked about vocational training in welding",
]
LATER = [Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING]


def _choice(rng: random.Random, spec: FormSpec, q: Question, bias: float) -> str:
    """A choice of the question's list; scored lists lean towards high scores by `bias`."""
    choices = [c for c in spec.choices.get(q.list_name, []) if c.name != engine.OTHER]
    scored = [c for c in choices if c.score is not None]
    if scored and rng.random() < 0.95:
        ranked = sorted(scored, key=lambda c: c.score or 0)
        position = min(len(ranked) - 1, max(0, round(rng.gauss(bias, 0.25) * (len(ranked) - 1))))
        return ranked[position].name
    return rng.choice(choices).name


def _answer(rng: random.Random, spec: FormSpec, q: Question, day: date, bias: float) -> Any:
    if q.type == "select_one":
        return _choice(rng, spec, q, bias)
    if q.type == "select_multiple":
        return [_choice(rng, spec, q, bias)]
    if q.type == "integer":
        return rng.randint(1, 12)
    if q.type == "decimal":
        return float(rng.randrange(25_000, 150_000, 5_000))
    if q.type == "date":
        return day.isoformat()
    if q.type == "text":
        return rng.choice(TEXTS)
    return None


def _fill(
    rng: random.Random, spec: FormSpec, questions: list[Question], day: date, bias: float
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in questions:
        if q.type == "group":
            answers.update(_fill(rng, spec, q.children, day, bias))
        elif q.type == "repeat":
            answers[q.name] = [
                _fill(rng, spec, q.children, day, bias) for _ in range(rng.randint(1, 3))
            ]
        elif q.read_only or q.calculate:
            continue
        elif q.required or rng.random() < 0.7:
            value = _answer(rng, spec, q, day, bias)
            if value is not None:
                answers[q.name] = value
    return answers


def random_answers(
    rng: random.Random,
    spec: FormSpec,
    case: Case,
    day: date,
    bias: float,
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Valid answers (what the web form would accept), or None after a few tries."""
    for _attempt in range(8):
        answers = _fill(rng, spec, spec.questions, day, bias)
        answers.update(fixed or {})
        if spec.case_field:
            answers[spec.case_field] = case.number
        cleaned, errors = engine.clean(spec, answers, spec.default_language)
        if not errors:
            return cleaned
    return None


class _Filler:
    def __init__(self, users: dict[str, User]) -> None:
        self.rng = random.Random(SEED)
        self.users = users
        self.today = timezone.localdate()
        self.instruments = {i.code: i for i in Instrument.objects.select_related("current")}

    def record(
        self,
        code: str,
        case: Case,
        day: date,
        bias: float,
        fixed: dict[str, Any] | None = None,
    ) -> Response | None:
        instrument = self.instruments.get(code)
        if instrument is None or instrument.current is None or case.lead is None:
            return None
        spec = instrument.current.form
        answers = random_answers(self.rng, spec, case, day, bias, fixed)
        if answers is None:
            return None
        updated_at = Case.objects.filter(pk=case.pk).values_list("updated_at", flat=True).get()
        response, _created = services.response_record(
            actor=case.lead,
            case=case,
            version=instrument.current,
            answers=answers,
            source=ResponseSource.WEB,
            collected_on=day,
        )
        when = timezone.make_aware(datetime.combine(day, time(10, self.rng.randint(0, 59))))
        Response.objects.filter(pk=response.pk).update(
            created_at=when, updated_at=when, submitted_at=when
        )
        CaseEvent.objects.filter(
            case=case, kind=EventKind.RESPONSE_SUBMITTED, data__response_id=response.pk
        ).update(at=when)
        Case.objects.filter(pk=case.pk).update(updated_at=max(updated_at, when))
        return response

    def day_between(self, start: date, end: date) -> date:
        end = min(end, self.today - timedelta(days=1))
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def fill(self) -> None:
        rng = self.rng
        cases = (
            Case.objects.select_related("lead", "person")
            .exclude(stage__in=[Stage.PRE_DEPARTURE, Stage.REGISTERED, Stage.CLOSED])
            .order_by("pk")
        )
        for case in cases:
            opened = case.opened_on
            arrived = case.arrived_on or opened
            late = case.stage in LATER
            # The screening at the first assessment interview; a protection flag on the case
            # means the screener rated it high.
            if rng.random() < 0.85:
                day = self.day_between(arrived, arrived + timedelta(days=20))
                high = case.has_protection_flag
                fixed = {
                    "intervention_rating": "high" if high else rng.choice(["low", "medium"]),
                    "at_risk_groups": ["none"] if not high else [rng.choice(AT_RISK)],
                }
                if high:
                    fixed["referral_protection"] = "yes"
                self.record("vulnerability_screening", case, day, 0.6, fixed)
            if late and rng.random() < 0.9:
                day = self.day_between(arrived + timedelta(days=10), arrived + timedelta(days=45))
                self.record("needs_skills_assessment", case, day, 0.5)
            if case.stage in (Stage.ASSISTANCE, Stage.MONITORING):
                if rng.random() < 0.9:
                    day = self.day_between(
                        arrived + timedelta(days=30), arrived + timedelta(days=70)
                    )
                    self.record("reintegration_sustainability", case, day, 0.4)
                if case.stage == Stage.MONITORING:
                    self.visits(case)
                if case.stage == Stage.MONITORING and rng.random() < 0.6:
                    day = self.day_between(arrived + timedelta(days=200), self.today)
                    self.record("satisfaction_survey", case, day, 0.7)
        self.drafts()

    def visits(self, case: Case) -> None:
        """Date the case's visits from the day it entered monitoring; most of those already
        due were made (the monitoring form and the sustainability follow-up), some are late."""
        entered = (
            CaseEvent.objects.filter(
                case=case, kind=EventKind.STAGE_CHANGED, data__to=Stage.MONITORING
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        start = timezone.localtime(entered).date() if entered else self.today
        for visit in Visit.objects.filter(case=case).order_by("months"):
            due = add_months(start, visit.months)
            Visit.objects.filter(pk=visit.pk).update(due_on=due)
            if due >= self.today - timedelta(days=3) or self.rng.random() < 0.25:
                continue
            day = self.day_between(due, due + timedelta(days=20))
            self.record("reintegration_sustainability", case, day, 0.62)
            self.record("monitoring_visit", case, day, 0.6)

    def drafts(self) -> None:
        """Needs assessments cm.tamba has started and not finished."""
        lead = self.users["cm.tamba"]
        instrument = self.instruments.get("needs_skills_assessment")
        if instrument is None:
            return
        waiting = Case.objects.filter(lead=lead, stage=Stage.ASSESSMENT).order_by("pk")[:2]
        for case in waiting:
            draft = services.response_start(actor=lead, case=case, instrument=instrument)
            services.response_save(
                actor=lead,
                response=draft,
                answers={**draft.answers, "education_level": "primary"}
                if instrument.current and instrument.current.form.question("education_level")
                else draft.answers,
                version=draft.version,
            )


AT_RISK = ["violence_in_transit", "trafficking", "gbv_survivor", "serious_health", "single_parent"]


def assessments_load(users: dict[str, User]) -> None:
    """Load the shipped instruments (as the M&E officer) and fill them in on the demo cases."""
    services.shipped_load(actor=users["me.officer"])
    _Filler(users).fill()
