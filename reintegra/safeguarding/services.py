"""Writes of the restricted sections and training records. Each service checks the policy,
validates, saves, writes a content-free timeline line and the audit row (which never carries
the content) in one transaction. Pages and the API call these same functions.
"""

import uuid
from datetime import date
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.policy import Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.models import User
from reintegra.audit.services import MASK, record
from reintegra.cases.choices import EventKind, Flag
from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access
from reintegra.cases.services import case_event_record, case_flag_set, upload_check
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.instruments.choices import InstrumentKind
from reintegra.instruments.models import Response
from reintegra.referrals.models import Referral
from reintegra.safeguarding import permissions
from reintegra.safeguarding.choices import (
    SECTION_FIELDS,
    SECTION_KINDS,
    EntryKind,
    Section,
    SessionType,
    TraffickingScreening,
    Training,
)
from reintegra.safeguarding.models import SectionEntry, SectionRecord, TrainingRecord

MAX_TEXT = 10_000
MAX_SESSION_MINUTES = 600
SECTION_FLAG: dict[str, tuple[str, str]] = {
    Section.PROTECTION: (Flag.PROTECTION, "has_protection_flag"),
    Section.MEDICAL: (Flag.MEDICAL, "has_medical_flag"),
    Section.PSYCHOSOCIAL: (Flag.PSYCHOSOCIAL, "has_psychosocial_flag"),
}


def _check_writer(actor: Any, case: Case, section: str) -> None:
    if section not in Section.values:
        raise ValidationFailed(_("Unknown section."), field="section")
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    if not permissions.can_write_section(case_access(actor, case), section):
        raise NotAllowed(_("Your role does not write this section of the case."))


def _raise_flag(actor: Any, case: Case, section: str) -> None:
    """A section with content carries the case's matching flag, so the people who must know of
    it (and the focal points who reach flagged cases) do."""
    flag, field = SECTION_FLAG[section]
    if not getattr(case, field):
        case_flag_set(actor=actor, case=case, flag=flag, value=True)
        setattr(case, field, True)


def _text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise ValidationFailed(_("The text contains invalid characters."), field=name)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            _("This text is too long (at most %(n)s characters).") % {"n": MAX_TEXT}, field=name
        )
    return text


@transaction.atomic
def section_update(
    *,
    actor: Any,
    case: Case,
    section: str,
    version: int | None,
    values: dict[str, Any],
    screening_response: Response | None = None,
) -> SectionRecord:
    """Replace the text fields of a case's section (fields not given keep their value).

    `version` is the record's version (0 when the section has no record yet). Raises NotAllowed
    (not the writer of this tier), ValidationFailed (unknown field, bad value, closed case),
    StaleVersion. Raises the case's matching flag if it is off. Audits `section.updated` with
    the names of the changed fields, values masked."""
    _check_writer(actor, case, section)
    allowed = SECTION_FIELDS[section]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(name)s.") % {"name": unknown[0]}, field=unknown[0]
        )
    cleaned = {name: _text(value, name) for name, value in values.items()}
    screening = cleaned.get("trafficking_screening")
    if screening and screening not in TraffickingScreening.values:
        raise ValidationFailed(
            _("Choose a trafficking screening outcome."), field="trafficking_screening"
        )
    if version is None:
        raise ValidationFailed(_("The version is missing."), field="version")
    if screening_response is not None and (
        section != Section.PROTECTION
        or screening_response.case_id != case.pk
        or screening_response.instrument.kind != InstrumentKind.SCREENING
    ):
        raise ValidationFailed(_("Choose a screening of this case."), field="screening_response")
    locked = SectionRecord.objects.select_for_update().filter(case=case, section=section).first()
    current = locked.version if locked else 0
    if int(version) != current:
        raise StaleVersion(
            _("Someone changed this section meanwhile. Reload the page and try again.")
        )
    created = locked is None
    if locked is None:
        locked = SectionRecord(case=case, section=section, content={}, version=0)  # type: ignore[misc]
    before: dict[str, Any] = dict(cast(dict[str, Any], locked.content))
    after = {**before, **cleaned}
    changed = [n for n in allowed if (before.get(n) or "") != (after.get(n) or "")]
    changes: dict[str, Any] = {name: [MASK, MASK] for name in changed}
    if section == Section.PROTECTION and screening_response is not None:
        if locked.screening_response_id != screening_response.pk:
            changes["screening_response"] = [locked.screening_response_id, screening_response.pk]
        locked.screening_response = screening_response
    locked.content = after  # type: ignore[assignment]
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    _raise_flag(actor, case, section)
    label = Section(section).label
    case_event_record(
        actor=actor,
        case=case,
        kind=EventKind.UPDATED,
        tier=section,
        summary=_("%(section)s section updated") % {"section": label},
    )
    record(
        actor=actor,
        action="section.created" if created else "section.updated",
        target=locked,
        case_id=case.pk,
        person_id=case.person_id,
        changes={"section": [None, section], **changes},
    )
    return locked


@transaction.atomic
def section_entry_add(
    *,
    actor: Any,
    case: Case,
    section: str,
    kind: str,
    body: str,
    written_on: date | None = None,
    next_steps: str = "",
    session_type: str = "",
    duration_minutes: int | None = None,
    referral: Referral | None = None,
) -> SectionEntry:
    """Add a dated entry to a section: a protection note, a treatment follow-up (optionally on
    one of the case's medical referrals), a counselling session (type and duration required)
    or a progress note. Raises NotAllowed, ValidationFailed. Raises the case's matching flag.
    Audits `section.entry_added` (kind and date, never the text)."""
    _check_writer(actor, case, section)
    if kind not in SECTION_KINDS[section]:
        raise ValidationFailed(_("This kind of entry does not belong here."), field="kind")
    body = _text(body, "body")
    if not body:
        raise ValidationFailed(_("Write a summary."), field="body")
    next_steps = _text(next_steps, "next_steps")
    written_on = written_on or timezone.localdate()
    if written_on > timezone.localdate():
        raise ValidationFailed(_("The date is in the future."), field="written_on")
    if kind == EntryKind.SESSION:
        if session_type not in SessionType.values:
            raise ValidationFailed(_("Choose the type of session."), field="session_type")
        if duration_minutes is None or not 1 <= int(duration_minutes) <= MAX_SESSION_MINUTES:
            raise ValidationFailed(
                _("Give the duration in minutes (1 to %(max)s).") % {"max": MAX_SESSION_MINUTES},
                field="duration_minutes",
            )
    else:
        session_type, duration_minutes = "", None
    if referral is not None and (
        kind != EntryKind.MEDICAL_FOLLOW_UP
        or referral.case_id != case.pk
        or referral.tier != Tier.MEDICAL
    ):
        raise ValidationFailed(_("Choose a medical referral of this case."), field="referral")
    entry = SectionEntry.objects.create(
        case=case,
        section=section,
        kind=kind,
        written_on=written_on,
        author=actor,
        body=body,
        next_steps=next_steps,
        session_type=session_type,
        duration_minutes=duration_minutes,
        referral=referral,
    )
    _raise_flag(actor, case, section)
    case_event_record(
        actor=actor,
        case=case,
        kind=EventKind.NOTE_ADDED,
        tier=section,
        summary=str(EntryKind(kind).label),
        data={"entry_id": entry.pk},
    )
    record(
        actor=actor,
        action="section.entry_added",
        target=entry,
        case_id=case.pk,
        person_id=case.person_id,
        changes={"kind": [None, kind], "written_on": [None, written_on.isoformat()]},
    )
    return entry


# --- training records ---------------------------------------------------------------------------


def training_office_for(actor: Any, person: User) -> int | None:
    """The office of the person's active assignments that the coordinator's scope covers."""
    scope = principal(actor).offices(Role.COORDINATOR)
    offices = sorted(
        person.assignments.filter(is_active=True, office_id__in=sorted(scope)).values_list(
            "office_id", flat=True
        )
    )
    return offices[0] if offices else None


def certificate_path(training: TrainingRecord) -> Path:
    return Path(settings.PRIVATE_FILES_DIR) / training.certificate_name


@transaction.atomic
def training_record_add(
    *,
    actor: Any,
    person: User,
    training: str,
    completed_on: date,
    trainer: str,
    title: str = "",
    certificate: Any = None,
) -> TrainingRecord:
    """Record a training a staff member of the coordinator's scope took, with an optional
    certificate (the document rules: type, content, size). Raises NotAllowed (not a
    coordinator), ValidationFailed. Audits `training.recorded`."""
    if not permissions.can_record_training(actor):
        raise NotAllowed(_("Coordinators record training."))
    office_id = training_office_for(actor, person)
    if office_id is None:
        raise ValidationFailed(_("Choose a staff member of your offices."), field="person")
    if training not in Training.values:
        raise ValidationFailed(_("Choose a training."), field="training")
    title = _text(title, "title")[:200]
    if training == Training.OTHER and not title:
        raise ValidationFailed(_("Name the training."), field="title")
    trainer = _text(trainer, "trainer")[:200]
    if not trainer:
        raise ValidationFailed(_("Name the trainer."), field="trainer")
    if completed_on > timezone.localdate():
        raise ValidationFailed(_("The date is in the future."), field="completed_on")
    item = TrainingRecord(
        person=person,
        office_id=office_id,
        training=training,
        title=title,
        completed_on=completed_on,
        trainer=trainer,
        recorded_by=actor,
    )
    if certificate is not None:
        name = Path(getattr(certificate, "name", "") or "file").name
        size = int(getattr(certificate, "size", 0) or 0)
        certificate.seek(0)
        content_type = upload_check(name, certificate.read(16), size)
        certificate.seek(0)
        storage_name = f"training/{uuid.uuid4().hex}{Path(name).suffix.lower()}"
        target = Path(settings.PRIVATE_FILES_DIR) / storage_name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            has_chunks = hasattr(certificate, "chunks")
            for chunk in certificate.chunks() if has_chunks else [certificate.read()]:
                out.write(chunk)
        item.certificate_name = storage_name
        item.certificate_original_name = name[:255]
        item.certificate_content_type = content_type
        item.certificate_size = size
    item.save()
    record(
        actor=actor,
        action="training.recorded",
        target=item,
        changes={
            "person": [None, person.pk],
            "training": [None, training],
            "completed_on": [None, completed_on.isoformat()],
            "certificate": [None, item.has_certificate],
        },
    )
    return item
