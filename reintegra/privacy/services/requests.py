"""Writes of subject-access requests and their exports.

Each write is audited in its transaction; edits carry the version they were made on. The export
gathers everything held about ONE person (every tier, decrypted), writes it as an AES-encrypted
ZIP and returns the generated password once: only its hash is kept.
"""

import datetime
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.audit.services import diff, record, record_access
from reintegra.cases.models import Case, CaseDocument, CaseEvent, Handover, Note, Task
from reintegra.cases.services import document_path
from reintegra.community.models import ProjectParticipant
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.protected import new_password, protected_zip
from reintegra.finance.models import Instalment, PurchaseRequest
from reintegra.instruments.models import Response
from reintegra.monitoring.models import Visit
from reintegra.outreach.models import Delivery, FeedbackItem
from reintegra.people.models import Consent, HouseholdMember, IdentityDocument, Returnee
from reintegra.plans.models import Item, Measure, Plan
from reintegra.privacy.choices.requests import (
    OPEN_STATUSES,
    REQUEST_MOVES,
    IdentityCheck,
    RequestLanguage,
    RequestStatus,
)
from reintegra.privacy.models.requests import SubjectAccessRequest
from reintegra.privacy.permissions.requests import can_manage_request, coordinating_offices
from reintegra.referrals.models import Referral

# Internal columns that say nothing about the person (search keys, storage paths, chain hashes).
SKIPPED_FIELDS = {
    "name_key",
    "family_key",
    "phone_key",
    "catchment_key",
    "sort_name",
    "storage_name",
    "prev_hash",
    "hash",
    "password",
    "export_password_hash",
    "export_name",
}
EXPORT_DIR = "subject-access"


def due_on_for(received_on: datetime.date) -> datetime.date:
    return received_on + datetime.timedelta(days=settings.REINTEGRA_SUBJECT_ACCESS_DAYS)


def _check(*, received_on: Any, identity_check: str, identity_note: str, language: str) -> None:
    if not isinstance(received_on, datetime.date):
        raise ValidationFailed(_("Give the date the request was received."), field="received_on")
    if received_on > timezone.localdate():
        raise ValidationFailed(
            _("The request cannot be received in the future."), field="received_on"
        )
    if identity_check not in IdentityCheck.values:
        raise ValidationFailed(
            _("Say how the person's identity was checked."), field="identity_check"
        )
    if identity_check == IdentityCheck.OTHER and not identity_note.strip():
        raise ValidationFailed(
            _("Describe how the person's identity was checked."), field="identity_note"
        )
    if language not in RequestLanguage.values:
        raise ValidationFailed(_("Choose the language of the answer."), field="language")


@transaction.atomic
def request_record(
    *,
    actor: Any,
    person: Returnee,
    received_on: datetime.date,
    identity_check: str,
    identity_note: str = "",
    details: str = "",
    language: str = RequestLanguage.FR,
) -> SubjectAccessRequest:
    """Record a person's subject-access request, due `REINTEGRA_SUBJECT_ACCESS_DAYS` after it
    was received. Audits `subject_access.recorded`. Raises NotAllowed when the actor does not
    coordinate the person's office, ValidationFailed for bad input."""
    if person.office_id not in coordinating_offices(actor):
        raise NotAllowed(_("Only a coordinator of the person's office records their requests."))
    _check(
        received_on=received_on,
        identity_check=identity_check,
        identity_note=identity_note,
        language=language,
    )
    sar = SubjectAccessRequest.objects.create(
        person=person,
        office_id=person.office_id,
        received_on=received_on,
        identity_check=identity_check,
        identity_note=identity_note.strip(),
        details=details.strip(),
        language=language,
        due_on=due_on_for(received_on),
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="subject_access.recorded",
        target=sar,
        person_id=person.pk,
        changes={"due_on": [None, str(sar.due_on)], "identity_check": [None, identity_check]},
    )
    return sar


def _lock(sar: SubjectAccessRequest, version: int | None) -> SubjectAccessRequest:
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This request was changed by someone else: it is shown as it is now."))
    return locked


@transaction.atomic
def request_move(
    *,
    actor: Any,
    sar: SubjectAccessRequest,
    action: str,
    version: int | None,
    reason: str = "",
) -> SubjectAccessRequest:
    """Move a request: `start` (received → in progress), `answer` or `refuse` (with a reason).
    Audits `subject_access.<started|answered|refused>`. Raises NotAllowed, StaleVersion or
    ValidationFailed (an impossible move, a refusal without a reason)."""
    if not can_manage_request(actor, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    if action not in REQUEST_MOVES:
        raise ValidationFailed(_("Unknown action."), field="action")
    locked = _lock(sar, version)
    sources, target = REQUEST_MOVES[action]
    if locked.status not in sources:
        raise ValidationFailed(
            _("A request that is %(status)s cannot be moved this way.")
            % {"status": locked.get_status_display().lower()}
        )
    if action == "refuse" and not reason.strip():
        raise ValidationFailed(_("Give the reason for the refusal."), field="reason")
    before = {"status": locked.status, "refusal_reason": locked.refusal_reason}
    locked.status = target
    if action == "refuse":
        locked.refusal_reason = reason.strip()
    if target not in OPEN_STATUSES:
        locked.closed_on = timezone.localdate()
    locked.version += 1
    locked.save()
    past = {"start": "started", "answer": "answered", "refuse": "refused"}[action]
    record(
        actor=actor,
        action=f"subject_access.{past}",
        target=locked,
        person_id=locked.person_id,
        changes=diff(before, {"status": locked.status, "refusal_reason": locked.refusal_reason}),
    )
    return locked


# The export --------------------------------------------------------------------------------


def _value(obj: models.Model, field: models.Field) -> Any:  # type: ignore[type-arg]
    # Reading the attribute (not the column) decrypts the restricted tiers' encrypted fields.
    value = getattr(obj, field.attname)
    if isinstance(value, Path):
        return str(value)
    return value


def as_record(obj: models.Model, **extra: Any) -> dict[str, Any]:
    """One row as a dictionary of its columns (foreign keys as ids), plus `extra`."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or field.attname in SKIPPED_FIELDS:
            continue
        data[field.attname] = _value(obj, field)
        if field.choices and not field.is_relation:
            display = getattr(obj, f"get_{field.name}_display", None)
            if display is not None:
                data[f"{field.name}_label"] = str(display())
    data.update(extra)
    return data


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [as_record(o) for o in queryset]


def collect(person: Returnee) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Everything held about `person`, one key per app, and the case documents' files
    (`files/<id>-<name>` -> bytes). Only rows linked to this person are read."""
    cases = list(Case.objects.filter(person=person).order_by("opened_on", "pk"))
    case_ids = [c.pk for c in cases]
    plans = Plan.objects.filter(case_id__in=case_ids)
    documents = list(CaseDocument.objects.filter(case_id__in=case_ids).order_by("pk"))
    files: dict[str, bytes] = {}
    document_rows = []
    for document in documents:
        name = f"files/{document.pk}-{get_valid_filename(document.original_name) or 'file'}"
        try:
            files[name] = document_path(document).read_bytes()
            stored = name
        except OSError:
            stored = ""
        document_rows.append(as_record(document, file=stored))
    notes = Note.objects.filter(case_id__in=case_ids).select_related("author").order_by("pk")
    feedback = FeedbackItem.objects.filter(returnee=person).order_by("pk")
    deliveries = Delivery.objects.filter(person=person).select_related("message").order_by("pk")
    access = (
        AccessEvent.objects.filter(models.Q(person_id=person.pk) | models.Q(case_id__in=case_ids))
        .select_related("actor")
        .order_by("at", "pk")
    )
    data: dict[str, Any] = {
        "people": {
            "returnee": as_record(person),
            "household": _rows(HouseholdMember.objects.filter(person=person).order_by("pk")),
            "identity_documents": _rows(
                IdentityDocument.objects.filter(person=person).order_by("pk")
            ),
            "consents": _rows(Consent.objects.filter(person=person).order_by("pk")),
        },
        "cases": {
            "cases": [as_record(c) for c in cases],
            "notes": [as_record(n, author=_user_name(n.author)) for n in notes],
            "tasks": _rows(Task.objects.filter(case_id__in=case_ids).order_by("pk")),
            "documents": document_rows,
            "handovers": _rows(Handover.objects.filter(case_id__in=case_ids).order_by("pk")),
            "timeline": _rows(CaseEvent.objects.filter(case_id__in=case_ids).order_by("at", "pk")),
        },
        "instruments": {
            "responses": _rows(Response.objects.filter(case_id__in=case_ids).order_by("pk")),
        },
        "referrals": {
            "referrals": _rows(Referral.objects.filter(case_id__in=case_ids).order_by("pk")),
        },
        "plans": {
            "plans": _rows(plans.order_by("pk")),
            "measures": _rows(Measure.objects.filter(plan__in=plans).order_by("pk")),
            "items": _rows(Item.objects.filter(plan__in=plans).order_by("pk")),
        },
        "finance": {
            "instalments": _rows(Instalment.objects.filter(plan__in=plans).order_by("pk")),
            "purchases": _rows(PurchaseRequest.objects.filter(plan__in=plans).order_by("pk")),
        },
        "monitoring": {
            "visits": _rows(Visit.objects.filter(case_id__in=case_ids).order_by("pk")),
        },
        "outreach": {
            "feedback": _rows(feedback),
            "message_deliveries": [
                as_record(d, subject=d.message.subject, message=d.message.body) for d in deliveries
            ],
        },
        "community": {
            "project_participation": [
                as_record(p, project=str(p.project))
                for p in ProjectParticipant.objects.filter(case_id__in=case_ids)
                .select_related("project")
                .order_by("pk")
            ],
        },
        "audit": {
            "access_log": [
                {
                    "at": e.at,
                    "by": _user_name(e.actor),
                    "action": e.action,
                    "case_id": e.case_id,
                }
                for e in access
            ],
            "changes": [
                {"at": e.at, "by": _user_name(e.actor), "action": e.action, "case_id": e.case_id}
                for e in AuditEvent.objects.filter(
                    models.Q(person_id=person.pk) | models.Q(case_id__in=case_ids)
                )
                .select_related("actor")
                .order_by("at", "pk")
            ],
        },
    }
    return data, files


def counts(data: dict[str, Any]) -> dict[str, int]:
    """How many rows each section of the export holds (what the audit row keeps)."""
    result: dict[str, int] = {}
    for app, sections in data.items():
        for name, rows in sections.items():
            result[f"{app}.{name}"] = len(rows) if isinstance(rows, list) else 1
    return result


def export_path(sar: SubjectAccessRequest) -> Path:
    return Path(settings.PRIVATE_FILES_DIR) / sar.export_name


@transaction.atomic
def request_export(*, actor: Any, sar: SubjectAccessRequest) -> tuple[SubjectAccessRequest, str]:
    """Build the person's export: a ZIP with `data.json` and `summary.html` (in the request's
    language) and the case documents' files, encrypted (AES-256) with a generated password.

    Returns the request and the password (its only appearance: only a hash is kept). A request
    still received moves to in progress. Audits `subject_access.exported` with counts only.
    Raises NotAllowed (not a coordinator of the office), ValidationFailed (a refused request)."""
    if not can_manage_request(actor, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    locked = _lock(sar, None)
    if locked.status == RequestStatus.REFUSED:
        raise ValidationFailed(_("This request was refused: there is nothing to export."))
    person = Returnee.objects.select_related("office").get(pk=locked.person_id)
    data, files = collect(person)
    now = timezone.now()
    with translation.override(locked.language):
        summary = render_to_string(
            "privacy/requests/summary.html",
            {"person": person, "data": data, "request": locked, "generated_at": now},
        )
    payload = json.dumps(
        {
            "request": {"id": locked.pk, "received_on": locked.received_on, "generated_at": now},
            **data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    password = new_password()
    archive = protected_zip({"data.json": payload, "summary.html": summary, **files}, password)
    folder = Path(settings.PRIVATE_FILES_DIR) / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    old = export_path(locked) if locked.export_name else None
    name = f"{EXPORT_DIR}/{uuid.uuid4().hex}.zip"
    (Path(settings.PRIVATE_FILES_DIR) / name).write_bytes(archive)
    if old is not None:
        # The previous export's password is gone: its file is of no use any more.
        transaction.on_commit(lambda: old.unlink(missing_ok=True))
    before_status = locked.status
    locked.export_name = name
    locked.export_size = len(archive)
    locked.export_password_hash = make_password(password)
    locked.exported_at = now
    locked.exported_by = actor
    locked.export_count += 1
    if locked.status == RequestStatus.RECEIVED:
        locked.status = RequestStatus.IN_PROGRESS
    locked.version += 1
    locked.save()
    tally = counts(data)
    tally["files"] = len(files)
    record(
        actor=actor,
        action="subject_access.exported",
        target=locked,
        person_id=person.pk,
        changes={
            "counts": [None, tally],
            "status": [before_status, locked.status],
            "sha256": [None, hashlib.sha256(archive).hexdigest()],
        },
    )
    return locked, password


def request_export_file(*, actor: Any, sar: SubjectAccessRequest) -> Path:
    """The stored (encrypted) export for download; the read is logged as an access to the
    person's record. Raises NotAllowed, ValidationFailed when there is no export."""
    if not can_manage_request(actor, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    path = export_path(sar) if sar.export_name else None
    if path is None or not path.is_file():
        raise ValidationFailed(_("There is no export to download: make one first."))
    record_access(
        actor=actor,
        action="subject_access.downloaded",
        target=sar,
        person_id=sar.person_id,
    )
    return path
