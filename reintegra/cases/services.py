"""Writes on cases. Each service validates, saves, adds the timeline event and the audit event
in one transaction. Views and the API call these same functions.
"""

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.policy import Tier
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.audit.services import record
from reintegra.cases.choices import (
    TRANSITIONS,
    AssignmentRole,
    ClosureReason,
    DocumentType,
    EventKind,
    Flag,
    HandoverSection,
    HandoverStatus,
    Stage,
)
from reintegra.cases.models import (
    Assignment,
    Case,
    CaseDocument,
    CaseEvent,
    Handover,
    Note,
    Task,
)
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent, Returnee

FLAG_FIELDS: dict[str, tuple[str, str]] = {
    Flag.PROTECTION: ("has_protection_flag", Tier.PROTECTION),
    Flag.MEDICAL: ("has_medical_flag", Tier.MEDICAL),
    Flag.PSYCHOSOCIAL: ("has_psychosocial_flag", Tier.PSYCHOSOCIAL),
}


def _event(
    case: Case,
    kind: str,
    actor: Any,
    summary: str = "",
    tier: str = Tier.CASE,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        office_id=case.office_id,
        summary=summary[:255],
        tier=tier,
        data=data or {},
    )


def _audit(
    actor: Any, action: str, case: Case, target: Any, changes: dict[str, Any] | None = None
) -> None:
    """The audit row of a write on a case, in the caller's transaction."""
    record(
        actor=actor,
        action=action,
        target=target,
        case_id=case.pk,
        person_id=case.person_id,
        changes=changes,
    )


def _person_follows(case: Case) -> None:
    """The office responsible for a case is responsible for its person (people scopes use it)."""
    Returnee.objects.filter(pk=case.person_id).exclude(office_id=case.office_id).update(
        office_id=case.office_id
    )


def _lock(case: Case, version: int | None = None) -> Case:
    """Lock the case row; refuse when the caller's version is stale."""
    locked = Case.objects.select_for_update().select_related("office", "person").get(pk=case.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This case was changed by someone else. Reload and try again."))
    return locked


def _bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def _is_case_manager_for(user: User, office_id: int) -> RoleAssignment | None:
    today = timezone.localdate()
    for a in RoleAssignment.objects.filter(
        user=user, role=Role.CASE_MANAGER, is_active=True
    ).select_related("office"):
        if a.expires_on and a.expires_on < today:
            continue
        office = Office.objects.get(pk=office_id)
        if a.office and office.path.startswith(a.office.path):
            return a
    return None


@transaction.atomic
def case_open(
    *,
    actor: Any,
    person: Returnee,
    office: Office,
    arrived_on: date | None = None,
    opened_on: date | None = None,
) -> Case:
    """Open a case: PRE_DEPARTURE at a host-country office, REGISTERED on arrival elsewhere.

    The actor becomes the lead when they are a case manager there. Audits `case.opened`.
    Raises ValidationFailed (office inactive, open case exists, arrival date in the future).
    """
    if not office.is_active or office.kind == "COUNTRY":
        raise ValidationFailed(_("Cases are opened at an active office."), field="office")
    if person.cases.exclude(stage=Stage.CLOSED).exists():
        raise ValidationFailed(_("This person already has an open case."), code="case_exists")
    if arrived_on and arrived_on > timezone.localdate():
        raise ValidationFailed(_("The arrival date is in the future."), field="arrived_on")
    stage = Stage.PRE_DEPARTURE if office.is_host_country else Stage.REGISTERED
    if stage == Stage.REGISTERED and arrived_on is None:
        arrived_on = timezone.localdate()
    case = Case.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        person=person,
        office=office,
        stage=stage,
        arrived_on=arrived_on if stage == Stage.REGISTERED else None,
        opened_on=opened_on or timezone.localdate(),
        sort_name=f"{person.family_key} {person.name_key}",
    )
    case.number = f"{office.code}-{case.opened_on.year}-{case.pk:06d}"
    _person_follows(case)
    case.save(update_fields=["number"])
    _event(
        case,
        EventKind.OPENED,
        actor,
        _("Case opened at %(office)s") % {"office": office},
        data={"stage": stage},
    )
    _audit(
        actor, "case.opened", case, case, {"office": [None, office.code], "stage": [None, stage]}
    )
    if getattr(actor, "is_authenticated", False):
        cm = _is_case_manager_for(actor, office.pk)
        if cm:
            _assign(
                actor=actor,
                case=case,
                user=actor,
                role=AssignmentRole.LEAD,
                specialisation=cm.specialisation,
            )
    return case


def _assign(*, actor: Any, case: Case, user: User, role: str, specialisation: str) -> Assignment:
    if role == AssignmentRole.LEAD:
        for old in case.assignments.filter(role=AssignmentRole.LEAD, ended_at__isnull=True):
            old.ended_at = timezone.now()
            old.save(update_fields=["ended_at", "updated_at"])
        case.lead = user
        case.save(update_fields=["lead", "updated_at"])
    assignment = Assignment.objects.create(
        case=case, user=user, role=role, specialisation=specialisation
    )
    _event(
        case,
        EventKind.ASSIGNED,
        actor,
        _("%(user)s assigned as %(role)s") % {"user": user, "role": assignment.get_role_display()},
        data={"user_id": user.pk, "role": role},
    )
    _audit(
        actor,
        "case.assigned",
        case,
        assignment,
        {"user": [None, user.username], "role": [None, role]},
    )
    return assignment


@transaction.atomic
def case_assign(
    *, actor: Any, case: Case, user: User, role: str = AssignmentRole.LEAD
) -> Assignment:
    """Assign a case manager (a lead replaces the previous lead). Audits `case.assigned`.

    Raises ValidationFailed when the user is not a case manager covering the case's office,
    Conflict when they are already assigned.
    """
    locked = _lock(case)
    if locked.is_closed:
        raise ValidationFailed(_("A closed case cannot be assigned."), code="case_closed")
    if role not in AssignmentRole.values:
        raise ValidationFailed(_("Choose a valid assignment role."), field="role")
    cm = _is_case_manager_for(user, locked.office_id)
    if cm is None:
        raise ValidationFailed(
            _("%(user)s is not a case manager of this case's office.") % {"user": user},
            field="user",
        )
    current = locked.assignments.filter(user=user, ended_at__isnull=True).first()
    if current and (current.role == role or role != AssignmentRole.LEAD):
        raise Conflict(_("%(user)s is already assigned to this case.") % {"user": user})
    if current:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at", "updated_at"])
    return _assign(actor=actor, case=locked, user=user, role=role, specialisation=cm.specialisation)


@transaction.atomic
def case_assign_recipient(*, actor: Any, case: Case, user: User, role: str) -> Assignment:
    """Assign a focal point or a specialist who accepted an internal referral (their role, not
    a case manager's, is what the referral checked). Already assigned: the current assignment."""
    locked = _lock(case)
    if locked.is_closed:
        raise ValidationFailed(_("A closed case cannot be assigned."), code="case_closed")
    current = locked.assignments.filter(user=user, ended_at__isnull=True).first()
    if current:
        return current
    cm = _is_case_manager_for(user, locked.office_id)
    specialisation = cm.specialisation if cm else ""
    return _assign(actor=actor, case=locked, user=user, role=role, specialisation=specialisation)


@transaction.atomic
def case_unassign(*, actor: Any, assignment: Assignment) -> Assignment:
    """End an assignment. Audits `case.unassigned`."""
    case = _lock(assignment.case)
    if assignment.ended_at:
        raise ValidationFailed(_("This assignment has already ended."))
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at", "updated_at"])
    if case.lead_id == assignment.user_id:
        case.lead = None
        case.save(update_fields=["lead", "updated_at"])
    _event(
        case,
        EventKind.UNASSIGNED,
        actor,
        _("%(user)s removed") % {"user": assignment.user},
        data={"user_id": assignment.user_id},
    )
    _audit(actor, "case.unassigned", case, assignment, {"user": [assignment.user.username, None]})
    return assignment


@transaction.atomic
def case_transition(
    *, actor: Any, case: Case, to_stage: str, version: int | None = None, note: str = ""
) -> Case:
    """Move a case to the next stage of the lifecycle. Audits `case.stage_changed`.

    Raises StaleVersion, or ValidationFailed with a clear message for an invalid transition.
    """
    locked = _lock(case, version)
    if to_stage not in Stage.values:
        raise ValidationFailed(_("Unknown stage."), field="to_stage", code="invalid_transition")
    if to_stage == Stage.CLOSED:
        raise ValidationFailed(_("Close a case with a closure reason."), code="invalid_transition")
    allowed = TRANSITIONS[locked.stage]
    if to_stage not in allowed:
        names = ", ".join(str(Stage(s).label) for s in allowed) or _("none")
        raise ValidationFailed(
            _("A case in %(current)s cannot move to %(target)s. Allowed next stages: %(allowed)s.")
            % {
                "current": Stage(locked.stage).label,
                "target": Stage(to_stage).label,
                "allowed": names,
            },
            code="invalid_transition",
        )
    if to_stage == Stage.REGISTERED and locked.office.is_host_country:
        raise ValidationFailed(
            _("A case is registered on arrival by the origin-country office: hand it over first."),
            code="invalid_transition",
        )
    before = locked.stage
    locked.stage = to_stage
    fields = ["stage"]
    if to_stage == Stage.REGISTERED and not locked.arrived_on:
        locked.arrived_on = timezone.localdate()
        fields.append("arrived_on")
    _bump(locked, *fields)
    _event(
        locked,
        EventKind.STAGE_CHANGED,
        actor,
        _("%(before)s → %(after)s")
        % {"before": Stage(before).label, "after": Stage(to_stage).label},
        data={"from": before, "to": to_stage, "note": note[:500]},
    )
    _audit(actor, "case.stage_changed", locked, locked, {"stage": [before, to_stage]})
    for hook in STAGE_HOOKS:
        hook(actor=actor, case=locked, before=before, after=to_stage)
    return locked


# Services of apps above cases that must run when a case changes stage, in the same transaction
# (the monitoring schedule starts when a case reaches MONITORING). Apps register them in their
# AppConfig.ready(); cases may not import them (layering), and signals carry no domain logic.
STAGE_HOOKS: list[Callable[..., None]] = []


@transaction.atomic
def case_close(
    *, actor: Any, case: Case, reason: str, note: str = "", version: int | None = None
) -> Case:
    """Close a case with a handbook reason. Audits `case.closed`. Raises ValidationFailed."""
    locked = _lock(case, version)
    if locked.is_closed:
        raise ValidationFailed(_("This case is already closed."), code="invalid_transition")
    if reason not in ClosureReason.values:
        raise ValidationFailed(_("Choose a closure reason."), field="reason")
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationFailed(_("Explain the reason when it is 'Other'."), field="note")
    before = locked.stage
    locked.stage = Stage.CLOSED
    locked.closure_reason = reason
    locked.closure_note = note.strip()
    locked.closed_on = timezone.localdate()
    _bump(locked, "stage", "closure_reason", "closure_note", "closed_on")
    Task.objects.filter(case=locked, completed_at__isnull=True).update(completed_at=timezone.now())
    _event(
        locked,
        EventKind.CLOSED,
        actor,
        str(ClosureReason(reason).label),
        data={"reason": reason, "from": before},
    )
    _audit(
        actor,
        "case.closed",
        locked,
        locked,
        {"stage": [before, Stage.CLOSED], "closure_reason": [None, reason]},
    )
    return locked


@transaction.atomic
def case_reopen(
    *,
    actor: Any,
    case: Case,
    reason: str,
    to_stage: str = Stage.ASSESSMENT,
    version: int | None = None,
) -> Case:
    """Reopen a closed case (a coordinator's decision). Audits `case.reopened`."""
    locked = _lock(case, version)
    if not locked.is_closed:
        raise ValidationFailed(_("Only a closed case can be reopened."), code="invalid_transition")
    if not reason.strip():
        raise ValidationFailed(_("Say why the case is reopened."), field="reason")
    if to_stage in (Stage.CLOSED, Stage.PRE_DEPARTURE) or to_stage not in Stage.values:
        raise ValidationFailed(_("Choose the stage the case goes back to."), field="to_stage")
    old_reason = locked.closure_reason
    locked.stage = to_stage
    locked.closed_on = None
    locked.closure_reason = ""
    _bump(locked, "stage", "closed_on", "closure_reason")
    _event(locked, EventKind.REOPENED, actor, reason.strip()[:255], data={"to": to_stage})
    _audit(
        actor,
        "case.reopened",
        locked,
        locked,
        {"stage": [Stage.CLOSED, to_stage], "closure_reason": [old_reason, None]},
    )
    return locked


@transaction.atomic
def case_flag_set(*, actor: Any, case: Case, flag: str, value: bool, note: str = "") -> Case:
    """Raise or clear the protection, medical or psychosocial flag. Audits `case.flag_set`.

    The note is not stored in the timeline (its tier is restricted); only the flag is.
    """
    if flag not in FLAG_FIELDS:
        raise ValidationFailed(_("Unknown flag."), field="flag")
    field, tier = FLAG_FIELDS[flag]
    locked = _lock(case)
    if getattr(locked, field) == value:
        return locked
    setattr(locked, field, value)
    _bump(locked, field)
    kind = EventKind.FLAG_SET if value else EventKind.FLAG_CLEARED
    label = Flag(flag).label
    _event(locked, kind, actor, str(label), tier=Tier.CASE, data={"flag": flag})
    _audit(
        actor,
        "case.flag_set" if value else "case.flag_cleared",
        locked,
        locked,
        {field: [not value, value]},
    )
    return locked


@transaction.atomic
def case_has_plan_set(*, actor: Any, case: Case, value: bool) -> Case:
    """Whether the case has an approved reintegration plan (the plans app keeps it).
    Audits `case.plan_set`."""
    locked = _lock(case)
    if locked.has_plan != value:
        locked.has_plan = value
        _bump(locked, "has_plan")
        _audit(actor, "case.plan_set", locked, locked, {"has_plan": [not value, value]})
    return locked


@transaction.atomic
def case_event_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    summary: str = "",
    tier: str = Tier.CASE,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A timeline entry written by another app's service (an assessment submitted…), which
    audits its own write. The case counts as updated."""
    event = _event(case, kind, actor, summary, tier=tier, data=data)
    _touch(case)
    return event


@transaction.atomic
def case_events_record_many(
    *, actor: Any, events: list[tuple[Case, str, str, str, dict[str, Any]]]
) -> None:
    """`case_event_record` for many (case, kind, summary, tier, data) at once (imports)."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=kind,
                actor_id=actor_id,
                office_id=case.office_id,
                summary=summary[:255],
                tier=tier,
                data=data,
                at=now,
            )
            for case, kind, summary, tier, data in events
        ],
        batch_size=1000,
    )
    Case.objects.filter(pk__in={case.pk for case, *_rest in events}).update(updated_at=now)


@transaction.atomic
def note_add(
    *, actor: Any, case: Case, body: str, written_on: date | None = None, tier: str = Tier.CASE
) -> Note:
    """Add a dated counselling note. Audits `note.added` (body not copied into the audit)."""
    if not body.strip():
        raise ValidationFailed(_("The note is empty."), field="body")
    written_on = written_on or timezone.localdate()
    if written_on > timezone.localdate():
        raise ValidationFailed(_("The note's date is in the future."), field="written_on")
    if tier not in (Tier.CASE, Tier.PSYCHOSOCIAL, Tier.PROTECTION, Tier.MEDICAL):
        raise ValidationFailed(_("Unknown note type."), field="tier")
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    note = Note.objects.create(
        case=case, author=actor, written_on=written_on, body=body.strip(), tier=tier
    )
    excerpt = body.strip().splitlines()[0][:120]
    _event(
        case,
        EventKind.NOTE_ADDED,
        actor,
        excerpt,
        tier=tier,
        data={"note_id": note.pk, "written_on": written_on.isoformat()},
    )
    _touch(case)
    _audit(actor, "note.added", case, note, {"tier": [None, tier]})
    return note


@transaction.atomic
def task_add(
    *, actor: Any, case: Case, title: str, due_on: date, assignee: User | None = None
) -> Task:
    """Add a follow-up task. Audits `task.added`."""
    if not title.strip():
        raise ValidationFailed(_("Describe the task."), field="title")
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    task = Task.objects.create(
        case=case, title=title.strip(), due_on=due_on, assignee=assignee or actor, created_by=actor
    )
    _event(
        case,
        EventKind.TASK_ADDED,
        actor,
        task.title,
        data={"task_id": task.pk, "due_on": due_on.isoformat()},
    )
    _touch(case)
    _audit(actor, "task.added", case, task, {"due_on": [None, due_on.isoformat()]})
    return task


@transaction.atomic
def task_complete(*, actor: Any, task: Task) -> Task:
    """Mark a task done. Audits `task.completed`."""
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.completed_at:
        raise ValidationFailed(_("This task is already done."), code="already_done")
    locked.completed_at = timezone.now()
    locked.save(update_fields=["completed_at", "updated_at"])
    _event(locked.case, EventKind.TASK_COMPLETED, actor, locked.title, data={"task_id": locked.pk})
    _audit(actor, "task.completed", locked.case, locked)
    return locked


# Magic numbers of the accepted file types: the extension alone is not trusted.
_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def upload_check(name: str, head: bytes, size: int) -> str:
    """The content type of an upload the document rules accept (type, content, size); other
    apps' files (agreements, certificates) use the same rules. Raises ValidationFailed."""
    ext = Path(name).suffix.lower()
    allowed = settings.DOCUMENT_ALLOWED_TYPES
    if ext not in allowed:
        raise ValidationFailed(
            _("This type of file is not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(sorted(allowed))},
            field="file",
            code="file_type",
        )
    if size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationFailed(
            _("The file is too large (maximum %(mb)s MB).")
            % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
            code="file_size",
        )
    if size == 0:
        raise ValidationFailed(_("The file is empty."), field="file", code="file_size")
    signatures = _SIGNATURES.get(ext)
    if signatures and not head.startswith(signatures):
        raise ValidationFailed(
            _("The file's content does not match its type."), field="file", code="file_type"
        )
    if ext == ".txt" and b"\x00" in head:
        raise ValidationFailed(
            _("The file's content does not match its type."), field="file", code="file_type"
        )
    return allowed[ext]


@transaction.atomic
def document_attach(
    *, actor: Any, case: Case, upload: Any, doc_type: str, title: str = "", tier: str = Tier.CASE
) -> CaseDocument:
    """Store a file outside the web root and attach it. Audits `document.added`.

    Raises ValidationFailed for a wrong type, a mismatched content or a file too large.
    """
    if doc_type not in DocumentType.values:
        raise ValidationFailed(_("Choose a document type."), field="doc_type")
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    name = Path(getattr(upload, "name", "") or "file").name
    size = int(getattr(upload, "size", 0) or 0)
    upload.seek(0)
    head = upload.read(16)
    content_type = upload_check(name, head, size)
    upload.seek(0)
    storage_name = f"{case.pk}/{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    target = Path(settings.PRIVATE_FILES_DIR) / storage_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            digest.update(chunk)
            out.write(chunk)
    document = CaseDocument.objects.create(
        case=case,
        doc_type=doc_type,
        title=(title or name).strip()[:200],
        storage_name=storage_name,
        original_name=name[:255],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        tier=tier,
    )
    _event(
        case,
        EventKind.DOCUMENT_ADDED,
        actor,
        document.title,
        tier=tier,
        data={"document_id": document.pk},
    )
    _touch(case)
    _audit(
        actor, "document.added", case, document, {"size": [None, size], "type": [None, doc_type]}
    )
    return document


def document_path(document: CaseDocument) -> Path:
    return Path(settings.PRIVATE_FILES_DIR) / document.storage_name


@transaction.atomic
def handover_request(
    *,
    actor: Any,
    case: Case,
    to_office: Office,
    consent: Consent,
    sections: list[str],
    message: str = "",
) -> Handover:
    """Hand a pre-departure case from a host-country office to an origin-country office.

    Records the consent relied on and the sections that travel. Audits `handover.requested`.
    Raises ValidationFailed (wrong offices, consent not valid, unknown sections) or Conflict
    (a hand-over is already waiting).
    """
    locked = _lock(case)
    if not locked.office.is_host_country or locked.stage != Stage.PRE_DEPARTURE:
        raise ValidationFailed(
            _("Only a pre-departure case of a host-country office is handed over."),
            code="invalid_handover",
        )
    if to_office.is_host_country or to_office.kind == "COUNTRY" or not to_office.is_active:
        raise ValidationFailed(_("Choose an active origin-country office."), field="to_office")
    if consent.person_id != locked.person_id or not consent.is_valid:
        raise ValidationFailed(_("Choose a valid consent of this returnee."), field="consent")
    if consent.purpose not in (ConsentPurpose.CASE_MANAGEMENT, ConsentPurpose.PARTNER_SHARING):
        raise ValidationFailed(
            _("The hand-over needs consent for case management or for sharing with a partner."),
            field="consent",
        )
    unknown = set(sections) - set(HandoverSection.values)
    if unknown or HandoverSection.IDENTITY not in sections:
        raise ValidationFailed(
            _("Choose the sections that travel; identity always does."), field="sections"
        )
    if locked.handovers.filter(status=HandoverStatus.PENDING).exists():
        raise Conflict(_("A hand-over of this case is already waiting for acceptance."))
    handover = Handover.objects.create(
        case=locked,
        from_office=locked.office,
        to_office=to_office,
        consent=consent,
        sections=[s for s in HandoverSection.values if s in sections],
        message=message.strip(),
        requested_by=actor,
    )
    _event(
        locked,
        EventKind.HANDOVER_REQUESTED,
        actor,
        _("Hand-over to %(office)s requested") % {"office": to_office},
        data={"handover_id": handover.pk, "to_office": to_office.pk, "sections": handover.sections},
    )
    _touch(locked)
    _audit(
        actor,
        "handover.requested",
        locked,
        handover,
        {
            "to_office": [None, to_office.code],
            "consent_id": [None, consent.pk],
            "sections": [None, handover.sections],
        },
    )
    return handover


def _lock_pending(handover: Handover) -> Handover:
    locked = (
        Handover.objects.select_for_update().select_related("case", "to_office").get(pk=handover.pk)
    )
    if locked.status != HandoverStatus.PENDING:
        raise Conflict(_("This hand-over has already been decided."))
    return locked


@transaction.atomic
def handover_accept(
    *, actor: Any, handover: Handover, lead: User | None = None, note: str = ""
) -> Handover:
    """Accept a hand-over: the case moves to the receiving office and is registered on arrival.

    The sending office's assignments end. Audits `handover.accepted`.
    """
    locked = _lock_pending(handover)
    case = _lock(locked.case)
    before_office = case.office
    locked.status = HandoverStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save()
    case.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    case.office = locked.to_office
    _person_follows(case)
    case.lead = None
    case.stage = Stage.REGISTERED
    case.arrived_on = case.arrived_on or timezone.localdate()
    _bump(case, "office", "lead", "stage", "arrived_on")
    _event(
        case,
        EventKind.HANDED_OVER,
        actor,
        _("Handed over from %(from)s to %(to)s") % {"from": before_office, "to": locked.to_office},
        data={
            "handover_id": locked.pk,
            "from_office": before_office.pk,
            "to_office": locked.to_office_id,
            "sections": locked.sections,
        },
    )
    _audit(
        actor,
        "handover.accepted",
        case,
        locked,
        {
            "office": [before_office.code, locked.to_office.code],
            "stage": [Stage.PRE_DEPARTURE, Stage.REGISTERED],
        },
    )
    if lead is not None:
        case_assign(actor=actor, case=case, user=lead, role=AssignmentRole.LEAD)
    elif getattr(actor, "is_authenticated", False) and _is_case_manager_for(actor, case.office_id):
        case_assign(actor=actor, case=case, user=actor, role=AssignmentRole.LEAD)
    return locked


@transaction.atomic
def handover_refuse(*, actor: Any, handover: Handover, reason: str) -> Handover:
    """Refuse a hand-over: the case stays where it was. Audits `handover.refused`."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the hand-over is refused."), field="reason")
    locked = _lock_pending(handover)
    locked.status = HandoverStatus.REFUSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = reason.strip()
    locked.save()
    _event(
        locked.case,
        EventKind.HANDOVER_REFUSED,
        actor,
        _("Hand-over refused by %(office)s") % {"office": locked.to_office},
        data={"handover_id": locked.pk},
    )
    _audit(
        actor,
        "handover.refused",
        locked.case,
        locked,
        {"status": [HandoverStatus.PENDING, HandoverStatus.REFUSED]},
    )
    return locked


def ensure(condition: bool, message: str | None = None) -> None:
    """Refuse an action the user may not take on an object they can see (403)."""
    if not condition:
        raise NotAllowed(message or _("You are not allowed to do this."))
