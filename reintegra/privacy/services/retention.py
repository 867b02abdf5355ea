"""Writes of the retention area: retention rules, legal holds, and the retention run that
anonymises what is past its period. Each write is audited in its transaction; the run audits
`retention.anonymised` for every record it anonymises, with no personal data in the row."""

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.audit.services import diff, record, record_many
from reintegra.cases.choices import EventKind, Stage
from reintegra.cases.models import Case, CaseDocument, CaseEvent, Handover, Note, Task
from reintegra.cases.services import case_event_record
from reintegra.community.models import ProjectParticipant
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.finance.models import HandoverCertificate, Instalment, PurchaseRequest
from reintegra.instruments.models import Response
from reintegra.outreach.choices.communication import DeliveryStatus
from reintegra.outreach.choices.feedback import FeedbackStatus
from reintegra.outreach.models.communication import Delivery
from reintegra.outreach.models.feedback import FeedbackEvent, FeedbackItem
from reintegra.people.models import Consent, HouseholdMember, IdentityDocument, Returnee
from reintegra.plans.models import Measure, Plan, PlanEvent
from reintegra.privacy.choices.retention import DEFAULT_RULES, PeriodUnit, RecordType
from reintegra.privacy.models.retention import AnonymisedRecord, LegalHold, RetentionRule
from reintegra.privacy.permissions.retention import can_edit_rules, can_hold_case
from reintegra.referrals.models import Referral
from reintegra.safeguarding.models import SectionEntry, SectionRecord

logger = logging.getLogger(__name__)

PERSON = "PERSON"
ACTION = "retention.anonymised"


# --- rules -------------------------------------------------------------------------------


def effective_rules() -> list[RetentionRule]:
    """The rules in force: the stored ones, the programme defaults (unsaved) for the others.
    A read: a dry run writes nothing."""
    stored = {r.record_type: r for r in RetentionRule.objects.all()}
    return [
        stored.get(t) or RetentionRule(record_type=t, period=p, unit=u)
        for t, (p, u) in DEFAULT_RULES.items()
    ]


def rules_ensure() -> list[RetentionRule]:
    """The rules, the programme defaults created on first use (audited
    `retention_rule.created`, by the system)."""
    existing = {r.record_type: r for r in RetentionRule.objects.all()}
    missing = [t for t in RecordType.values if t not in existing]
    if missing:
        with transaction.atomic():
            for record_type in missing:
                period, unit = DEFAULT_RULES[record_type]
                rule, created = RetentionRule.objects.get_or_create(
                    record_type=record_type, defaults={"period": period, "unit": unit}
                )
                if created:
                    record(
                        actor=None,
                        action="retention_rule.created",
                        target=rule,
                        changes={"period": [None, period], "unit": [None, unit]},
                    )
                existing[record_type] = rule
    return [existing[t] for t in RecordType.values]


@transaction.atomic
def retention_rule_update(
    *,
    actor: Any,
    rule: RetentionRule,
    version: int | None,
    period: int,
    unit: str,
    is_active: bool = True,
) -> RetentionRule:
    """Change a rule's period (national coordinators only). Audits `retention_rule.updated`
    with what changed. Raises NotAllowed, ValidationFailed, StaleVersion."""
    if not can_edit_rules(actor):
        raise NotAllowed(_("Only a national coordinator changes the retention rules."))
    if unit not in PeriodUnit.values:
        raise ValidationFailed(_("Choose years or months."), field="unit")
    limit = 100 if unit == PeriodUnit.YEARS else 1200
    if not isinstance(period, int) or not 1 <= period <= limit:
        raise ValidationFailed(
            _("The period must be between 1 and %(limit)s.") % {"limit": limit}, field="period"
        )
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This rule was changed by someone else: it is shown as it is now."))
    before = {"period": locked.period, "unit": locked.unit, "is_active": locked.is_active}
    locked.period, locked.unit, locked.is_active = period, unit, bool(is_active)
    changes = diff(
        before, {"period": locked.period, "unit": locked.unit, "is_active": locked.is_active}
    )
    if not changes:
        return locked
    locked.updated_by = actor
    locked.version += 1
    locked.save()
    record(actor=actor, action="retention_rule.updated", target=locked, changes=changes)
    return locked


# --- legal holds ---------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: Any, case: Case, reason: str) -> LegalHold:
    """Place a legal hold on a case: it and its returnee are never anonymised while it lasts.
    Audits `legal_hold.placed` and writes a line on the case's timeline. Raises NotAllowed,
    ValidationFailed (no reason), Conflict (a hold is already active)."""
    if not can_hold_case(actor, case):
        raise NotAllowed(_("Only a coordinator of the case's office places a legal hold."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the legal hold."), field="reason")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if LegalHold.objects.filter(case=locked, lifted_on__isnull=True).exists():
        raise Conflict(_("This case is already under a legal hold."), code="already_held")
    hold = LegalHold.objects.create(
        case=locked, reason=reason[:2000], placed_on=timezone.localdate(), placed_by=actor
    )
    case_event_record(
        actor=actor, case=locked, kind=EventKind.UPDATED, summary=str(_("Legal hold placed"))
    )
    record(
        actor=actor,
        action="legal_hold.placed",
        target=hold,
        case_id=locked.pk,
        changes={"placed_on": [None, hold.placed_on.isoformat()]},
    )
    return hold


@transaction.atomic
def legal_hold_lift(
    *, actor: Any, hold: LegalHold, reason: str, version: int | None = None
) -> LegalHold:
    """Lift a legal hold, with a reason. Audits `legal_hold.lifted`. Raises NotAllowed,
    ValidationFailed, StaleVersion, Conflict (already lifted)."""
    locked = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
    if not can_hold_case(actor, locked.case):
        raise NotAllowed(_("Only a coordinator of the case's office lifts a legal hold."))
    if version is not None and locked.version != version:
        raise StaleVersion(_("This hold was changed by someone else: it is shown as it is now."))
    if locked.lifted_on is not None:
        raise Conflict(_("This legal hold was already lifted."), code="already_lifted")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for lifting the hold."), field="reason")
    locked.lifted_on = timezone.localdate()
    locked.lifted_by = actor
    locked.lift_reason = reason[:2000]
    locked.version += 1
    locked.save()
    case_event_record(
        actor=actor, case=locked.case, kind=EventKind.UPDATED, summary=str(_("Legal hold lifted"))
    )
    record(
        actor=actor,
        action="legal_hold.lifted",
        target=locked,
        case_id=locked.case_id,
        changes={"lifted_on": [None, locked.lifted_on.isoformat()]},
    )
    return locked


# --- the retention run ----------------------------------------------------------------------


def shift_back(day: date, period: int, unit: str) -> date:
    """The day `period` years or months before `day` (the end of a shorter month)."""
    months = period * 12 if unit == PeriodUnit.YEARS else period
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class RetentionPlan:
    """What a run would anonymise on `today` (ids and numbers, never names)."""

    today: date
    cases: list[tuple[int, str]] = field(default_factory=list)  # (id, number)
    persons: list[int] = field(default_factory=list)
    feedback: list[tuple[int, str]] = field(default_factory=list)  # (id, reference)
    deliveries: list[int] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # cases past their period, held

    @property
    def is_empty(self) -> bool:
        return not (self.cases or self.persons or self.feedback or self.deliveries)

    def lines(self) -> list[tuple[str, int, list[str]]]:
        """(record type, count, ids or numbers) for the dry-run listing."""
        return [
            (RecordType.CASE, len(self.cases), [n for _i, n in self.cases]),
            (PERSON, len(self.persons), [str(i) for i in self.persons]),
            (RecordType.FEEDBACK, len(self.feedback), [r for _i, r in self.feedback]),
            (RecordType.DELIVERY, len(self.deliveries), [str(i) for i in self.deliveries]),
        ]


def _done(record_type: str) -> QuerySet[AnonymisedRecord]:
    return AnonymisedRecord.objects.filter(record_type=record_type)


def _active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_on__isnull=True)


def held_person_ids() -> set[int]:
    return set(_active_holds().values_list("case__person_id", flat=True))


def retention_plan(today: date | None = None) -> RetentionPlan:
    """What the retention rules make due today. Not user-scoped: the command's read."""
    today = today or timezone.localdate()
    rules = {r.record_type: r for r in effective_rules() if r.is_active}
    plan = RetentionPlan(today=today)
    held_persons = held_person_ids()
    if RecordType.CASE in rules:
        rule = rules[RecordType.CASE]
        cutoff = shift_back(today, rule.period, rule.unit)
        due = (
            Case.objects.filter(stage=Stage.CLOSED, closed_on__lte=cutoff)
            .exclude(pk__in=_done(RecordType.CASE).values("object_id"))
            .annotate(held=Exists(_active_holds().filter(case=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", "number", "person_id", "held")
        )
        due_ids: set[int] = set()
        persons: set[int] = set()
        for pk, number, person_id, held in due:
            if held:
                plan.held.append((pk, number))
                continue
            plan.cases.append((pk, number))
            due_ids.add(pk)
            persons.add(person_id)
        done_cases = set(_done(RecordType.CASE).values_list("object_id", flat=True))
        done_persons = set(_done(PERSON).values_list("object_id", flat=True))
        # A returnee is anonymised with their last case: every case of theirs is anonymised
        # (or is in this run), none is held.
        others: dict[int, set[int]] = {}
        for pk, person_id in Case.objects.filter(person_id__in=persons).values_list(
            "pk", "person_id"
        ):
            others.setdefault(person_id, set()).add(pk)
        plan.persons = sorted(
            p
            for p in persons
            if p not in done_persons
            and p not in held_persons
            and others.get(p, set()) <= (due_ids | done_cases)
        )
    if RecordType.FEEDBACK in rules:
        rule = rules[RecordType.FEEDBACK]
        cutoff = shift_back(today, rule.period, rule.unit)
        items = (
            FeedbackItem.objects.filter(status=FeedbackStatus.CLOSED, closed_on__lte=cutoff)
            .exclude(pk__in=_done(RecordType.FEEDBACK).values("object_id"))
            .exclude(returnee_id__in=held_persons)
            .order_by("pk")
        )
        plan.feedback = list(items.values_list("pk", "reference"))
    if RecordType.DELIVERY in rules:
        rule = rules[RecordType.DELIVERY]
        cutoff = timezone.make_aware(
            datetime.combine(shift_back(today, rule.period, rule.unit), time.max)
        )
        deliveries = (
            Delivery.objects.exclude(status=DeliveryStatus.QUEUED)
            .filter(Q(sent_at__lte=cutoff) | Q(sent_at__isnull=True, created_at__lte=cutoff))
            .exclude(pk__in=_done(RecordType.DELIVERY).values("object_id"))
            .exclude(person_id__in=held_persons)
            .order_by("pk")
        )
        plan.deliveries = list(deliveries.values_list("pk", flat=True))
    return plan


def _delete_files(names: list[str]) -> None:
    root = Path(settings.PRIVATE_FILES_DIR)
    for name in names:
        if name:
            (root / name).unlink(missing_ok=True)


def _year_only(day: date | None) -> date | None:
    return date(day.year, 1, 1) if day else None


def _anonymise_cases(ids: list[int]) -> None:
    """Free text, files and names of the cases' records; stages, dates, scores, amounts kept."""
    Case.objects.filter(pk__in=ids).update(closure_note="", sort_name="")
    Note.objects.filter(case_id__in=ids).update(body="")
    Task.objects.filter(case_id__in=ids).update(title="")
    documents = CaseDocument.objects.filter(case_id__in=ids)
    names = list(documents.values_list("storage_name", flat=True))
    documents.update(title="", original_name="", storage_name="", sha256="")
    # Files go once the anonymisation is committed (a rolled-back run keeps them).
    transaction.on_commit(lambda: _delete_files(names))
    Handover.objects.filter(case_id__in=ids).update(message="", decision_note="")
    CaseEvent.objects.filter(case_id__in=ids).update(summary="", data={})
    Referral.objects.filter(case_id__in=ids).update(
        reason="",
        shared={},
        override_reason="",
        override_review_note="",
        answer_note="",
        outcome="",
        closing_note="",
        feedback="",
        cancel_reason="",
    )
    plans = Plan.objects.filter(case_id__in=ids)
    plans.update(
        summary_economic="",
        summary_social="",
        summary_psychosocial="",
        expected_improvement="",
        community_part="",
    )
    Measure.objects.filter(plan__in=plans).update(description="")
    PlanEvent.objects.filter(plan__in=plans).update(comment="")
    Instalment.objects.filter(plan__in=plans).update(
        payee="", account="", reference="", cancel_reason=""
    )
    purchases = PurchaseRequest.objects.filter(plan__in=plans)
    purchases.update(received_note="")
    HandoverCertificate.objects.filter(request__in=purchases).update(signed_by="", signature="")
    Response.objects.filter(case_id__in=ids).update(answers={})
    ProjectParticipant.objects.filter(case_id__in=ids).update(name="")
    SectionRecord.objects.filter(case_id__in=ids).update(content={})
    SectionEntry.objects.filter(case_id__in=ids).update(body="", next_steps="")


def _anonymise_persons(ids: list[int]) -> None:
    """Names, contacts, document numbers, address, exact birth dates; sex, year of birth,
    nationality, region and office kept."""
    for person in Returnee.objects.filter(pk__in=ids):
        person.given_names = person.family_name = ""
        person.phone = person.phone_alt = person.email = person.address = person.commune = ""
        if person.date_of_birth:
            person.date_of_birth = _year_only(person.date_of_birth)
            person.is_birth_date_estimated = True
        person.refresh_keys()
        person.version += 1
        person.save()
    for member in HouseholdMember.objects.filter(person_id__in=ids):
        member.name = ""
        member.date_of_birth = _year_only(member.date_of_birth)
        member.save(update_fields=["name", "date_of_birth", "updated_at"])
    IdentityDocument.objects.filter(person_id__in=ids).update(number="")
    Consent.objects.filter(person_id__in=ids).update(notes="", withdrawal_reason="")
    items = FeedbackItem.objects.filter(returnee_id__in=ids)
    FeedbackEvent.objects.filter(item__in=items).update(note="")
    items.update(person_name="", contact="", description="", response="")
    Delivery.objects.filter(person_id__in=ids).update(address="")
    Case.objects.filter(person_id__in=ids).update(sort_name="")


def _anonymise_feedback(ids: list[int]) -> None:
    FeedbackEvent.objects.filter(item_id__in=ids).update(note="")
    FeedbackItem.objects.filter(pk__in=ids).update(
        person_name="", contact="", description="", response=""
    )


def _anonymise_deliveries(ids: list[int]) -> None:
    Delivery.objects.filter(pk__in=ids).update(address="")


@transaction.atomic
def retention_run(*, actor: Any = None, today: date | None = None) -> RetentionPlan:
    """Anonymise everything the rules make due (the same plan a dry run lists; held cases and
    their returnees left alone). Audits `retention.anonymised` for each record (record type
    only, no personal data) and remembers it, so a second run changes nothing."""
    plan = retention_plan(today)
    if plan.is_empty:
        return plan
    case_ids = [pk for pk, _n in plan.cases]
    feedback_ids = [pk for pk, _r in plan.feedback]
    _anonymise_cases(case_ids)
    _anonymise_persons(plan.persons)
    _anonymise_feedback(feedback_ids)
    _anonymise_deliveries(plan.deliveries)
    now = timezone.now()
    case_person = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "person_id"))
    groups: list[tuple[str, Any, list[int]]] = [
        (RecordType.CASE, Case, case_ids),
        (PERSON, Returnee, plan.persons),
        (RecordType.FEEDBACK, FeedbackItem, feedback_ids),
        (RecordType.DELIVERY, Delivery, plan.deliveries),
    ]
    entries: list[dict[str, Any]] = []
    for record_type, model, ids in groups:
        AnonymisedRecord.objects.bulk_create(
            [
                AnonymisedRecord(record_type=record_type, object_id=i, anonymised_at=now)
                for i in ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        for pk in ids:
            entries.append(
                {
                    "action": ACTION,
                    "target": model(pk=pk),
                    "case_id": pk if model is Case else None,
                    "person_id": pk
                    if model is Returnee
                    else (case_person.get(pk) if model is Case else None),
                    "changes": {"record_type": [None, str(record_type)]},
                }
            )
    record_many(actor=actor, entries=entries)
    logger.info(
        "retention run: %d cases, %d people, %d feedback items, %d deliveries anonymised",
        len(case_ids),
        len(plan.persons),
        len(feedback_ids),
        len(plan.deliveries),
    )
    return plan
