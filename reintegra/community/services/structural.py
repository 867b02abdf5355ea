"""Writes to the structural register: stakeholders (contacts, engagement history), agreements,
capacity-building activities, coordination mechanisms (meetings, follow-up actions) and SOP
versions. Each write is audited in its transaction; an edit carries the version it was made on
(a stale one is refused and changes nothing). Who may call them is checked by the pages and the
API with the predicates of permissions/structural.py."""

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record
from reintegra.cases.services import upload_check
from reintegra.community.choices.structural import (
    AgreementKind,
    CapacityKind,
    EngagementKind,
    MechanismKind,
    Rating,
    StakeholderKind,
    engagement_level,
)
from reintegra.community.models.structural import (
    Agreement,
    CapacityActivity,
    ContactPoint,
    CoordinationMechanism,
    EngagementEntry,
    FollowUpAction,
    MechanismMeeting,
    SopVersion,
    Stakeholder,
)
from reintegra.core.errors import StaleVersion, ValidationFailed

STAKEHOLDER_FIELDS = (
    "name",
    "kind",
    "region",
    "influence",
    "interest",
    "concerns",
    "expectations",
    "notes",
    "is_active",
    "provider",
)
AGREEMENT_FIELDS = (
    "kind",
    "title",
    "reference",
    "signed_on",
    "starts_on",
    "ends_on",
    "data_ownership",
    "data_categories",
    "safeguards",
    "data_access",
)
CAPACITY_FIELDS = (
    "title",
    "kind",
    "stakeholder",
    "institution_name",
    "starts_on",
    "ends_on",
    "participants",
    "participants_female",
    "participants_male",
    "results",
    "notes",
)
MECHANISM_FIELDS = (
    "name",
    "kind",
    "lead",
    "terms_of_reference",
    "meeting_frequency",
    "is_active",
)

# Where the register's documents are kept, under the private files folder.
FOLDER = "structural"


# --- helpers ------------------------------------------------------------------------------------


def _known(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")


def _text(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _required(value: Any, field: str, message: str) -> None:
    if not str(value or "").strip():
        raise ValidationFailed(message, field=field)


def _choice(value: Any, choices: type[models.TextChoices], field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(_("Choose one of the listed values."), field=field)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit records them (related objects by id)."""
    return {k: v.pk if isinstance(v, models.Model) else v for k, v in values.items()}


def _lock[M: models.Model](model: type[M], obj: M, version: int | None, message: str) -> M:
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    if version is not None and locked.version != version:  # type: ignore[attr-defined]
        raise StaleVersion(message)
    return locked


def _apply(actor: Any, obj: Any, fields: dict[str, Any], action: str) -> bool:
    """Set the fields; when something changed, bump the version, save and audit it."""
    before = _plain({f: getattr(obj, f) for f in fields})
    for name, value in fields.items():
        setattr(obj, name, value)
    changes = diff(before, _plain({f: getattr(obj, f) for f in fields}))
    if not changes:
        return False
    obj.version += 1
    obj.save()
    record(actor=actor, action=action, target=obj, changes=changes)
    return True


def _store(upload: Any) -> dict[str, Any]:
    """Check an upload by the document rules and keep it outside the web root; returns the
    document fields of the record that holds it."""
    name = Path(getattr(upload, "name", "") or "file").name
    size = int(getattr(upload, "size", 0) or 0)
    upload.seek(0)
    content_type = upload_check(name, upload.read(16), size)
    upload.seek(0)
    storage_name = f"{FOLDER}/{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    target = Path(settings.PRIVATE_FILES_DIR) / storage_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            digest.update(chunk)
            out.write(chunk)
    return {
        "storage_name": storage_name,
        "original_name": name[:255],
        "content_type": content_type,
        "size": size,
        "sha256": digest.hexdigest(),
    }


def document_path(holder: Any) -> Path:
    """Where the document of an agreement, a meeting (minutes) or an SOP version is kept."""
    return Path(settings.PRIVATE_FILES_DIR) / holder.storage_name


# --- stakeholders -------------------------------------------------------------------------------


def _check_stakeholder(fields: dict[str, Any]) -> None:
    if "name" in fields:
        _required(fields["name"], "name", _("Give the stakeholder's name."))
    if "kind" in fields:
        _choice(fields["kind"], StakeholderKind, "kind")
    for field in ("influence", "interest"):
        if field in fields:
            _choice(fields[field], Rating, field)


@transaction.atomic
def stakeholder_create(*, actor: Any, office: Office, **fields: Any) -> Stakeholder:
    """Add a stakeholder kept by `office`; its engagement level follows from its influence and
    interest. Audits `stakeholder.created`. Raises ValidationFailed."""
    _known(fields, STAKEHOLDER_FIELDS)
    fields = _text(fields)
    for required in ("name", "kind", "influence", "interest"):
        fields.setdefault(required, "")
    _check_stakeholder(fields)
    stakeholder = Stakeholder(office=office, **fields)
    stakeholder.engagement = engagement_level(stakeholder.influence, stakeholder.interest)
    stakeholder.save()
    record(
        actor=actor,
        action="stakeholder.created",
        target=stakeholder,
        changes={"engagement": [None, stakeholder.engagement]},
    )
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *, actor: Any, stakeholder: Stakeholder, version: int | None, **fields: Any
) -> Stakeholder:
    """Change a stakeholder's details (the engagement level follows). Audits
    `stakeholder.updated` with what changed. Raises ValidationFailed or StaleVersion."""
    _known(fields, STAKEHOLDER_FIELDS)
    fields = _text(fields)
    _check_stakeholder(fields)
    locked = _lock(
        Stakeholder,
        stakeholder,
        version,
        _("This stakeholder was changed by someone else: it is shown as it is now."),
    )
    influence = fields.get("influence", locked.influence)
    interest = fields.get("interest", locked.interest)
    fields["engagement"] = engagement_level(influence, interest)
    _apply(actor, locked, fields, "stakeholder.updated")
    return locked


@transaction.atomic
def contact_add(
    *,
    actor: Any,
    stakeholder: Stakeholder,
    name: str,
    position: str = "",
    phone: str = "",
    email: str = "",
) -> ContactPoint:
    """Add a contact point to a stakeholder. Audits `stakeholder_contact.added`."""
    _required(name, "name", _("Give the contact's name."))
    contact = ContactPoint.objects.create(
        stakeholder=stakeholder,
        name=name.strip(),
        position=position.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    Stakeholder.objects.filter(pk=stakeholder.pk).update(updated_at=timezone.now())
    record(actor=actor, action="stakeholder_contact.added", target=contact)
    return contact


@transaction.atomic
def contact_remove(*, actor: Any, contact: ContactPoint) -> None:
    """Remove a contact point (it no longer works there). Audits `stakeholder_contact.removed`."""
    record(
        actor=actor,
        action="stakeholder_contact.removed",
        target=contact,
        changes={"stakeholder": [contact.stakeholder_id, None]},
    )
    contact.delete()


@transaction.atomic
def engagement_add(
    *,
    actor: Any,
    stakeholder: Stakeholder,
    occurred_on: date,
    kind: str,
    summary: str,
    next_step: str = "",
) -> EngagementEntry:
    """Record a contact with a stakeholder in its engagement history (not in the future).
    Audits `stakeholder_engagement.added`. Raises ValidationFailed."""
    _choice(kind, EngagementKind, "kind")
    _required(summary, "summary", _("Summarise the contact."))
    if occurred_on > timezone.localdate():
        raise ValidationFailed(_("The date is in the future."), field="occurred_on")
    entry = EngagementEntry.objects.create(
        stakeholder=stakeholder,
        occurred_on=occurred_on,
        kind=kind,
        summary=summary.strip(),
        next_step=next_step.strip(),
        by=actor,
    )
    Stakeholder.objects.filter(pk=stakeholder.pk).update(updated_at=timezone.now())
    record(
        actor=actor,
        action="stakeholder_engagement.added",
        target=entry,
        changes={"kind": [None, kind], "occurred_on": [None, occurred_on.isoformat()]},
    )
    return entry


# --- agreements ---------------------------------------------------------------------------------


def _check_agreement(values: dict[str, Any]) -> None:
    _choice(values.get("kind"), AgreementKind, "kind")
    _required(values.get("title"), "title", _("Give the agreement's title."))
    starts, ends, signed = values.get("starts_on"), values.get("ends_on"), values.get("signed_on")
    if starts and ends and ends < starts:
        raise ValidationFailed(_("The agreement ends before it starts."), field="ends_on")
    if signed and ends and ends < signed:
        raise ValidationFailed(_("The agreement ends before it was signed."), field="ends_on")


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    stakeholder: Stakeholder,
    office: Office,
    upload: Any = None,
    **fields: Any,
) -> Agreement:
    """Record an agreement with a stakeholder, kept by `office`, with its document if given.
    Audits `agreement.created`. Raises ValidationFailed (dates out of order, a bad file)."""
    _known(fields, AGREEMENT_FIELDS)
    fields = _text(fields)
    _check_agreement(fields)
    agreement = Agreement(stakeholder=stakeholder, office=office, **fields)
    if upload is not None:
        for name, value in _store(upload).items():
            setattr(agreement, name, value)
    agreement.save()
    record(
        actor=actor,
        action="agreement.created",
        target=agreement,
        changes={"kind": [None, agreement.kind], "stakeholder": [None, stakeholder.pk]},
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor: Any, agreement: Agreement, version: int | None, upload: Any = None, **fields: Any
) -> Agreement:
    """Change an agreement (and replace its document if one is given). Audits
    `agreement.updated`. Raises ValidationFailed or StaleVersion."""
    _known(fields, AGREEMENT_FIELDS)
    fields = _text(fields)
    locked = _lock(
        Agreement,
        agreement,
        version,
        _("This agreement was changed by someone else: it is shown as it is now."),
    )
    _check_agreement({**{f: getattr(locked, f) for f in AGREEMENT_FIELDS}, **fields})
    if upload is not None:
        fields.update(_store(upload))
    _apply(actor, locked, fields, "agreement.updated")
    return locked


@transaction.atomic
def agreement_terminate(
    *, actor: Any, agreement: Agreement, version: int | None, terminated_on: date
) -> Agreement:
    """End an agreement before its term. Audits `agreement.terminated`. Raises
    ValidationFailed (already terminated, a date before it started) or StaleVersion."""
    locked = _lock(
        Agreement,
        agreement,
        version,
        _("This agreement was changed by someone else: it is shown as it is now."),
    )
    if locked.terminated_on is not None:
        raise ValidationFailed(_("This agreement is already terminated."), code="terminated")
    start = locked.starts_on or locked.signed_on
    if start and terminated_on < start:
        raise ValidationFailed(
            _("The agreement cannot end before it starts."), field="terminated_on"
        )
    _apply(actor, locked, {"terminated_on": terminated_on}, "agreement.terminated")
    return locked


# --- capacity building --------------------------------------------------------------------------


def _check_capacity(values: dict[str, Any]) -> None:
    _required(values.get("title"), "title", _("Give the activity a title."))
    _choice(values.get("kind"), CapacityKind, "kind")
    if values.get("stakeholder") is None and not str(values.get("institution_name") or "").strip():
        raise ValidationFailed(
            _("Choose the institution in the register or name it."), field="stakeholder"
        )
    if values.get("starts_on") is None:
        raise ValidationFailed(_("Give the date."), field="starts_on")
    ends = values.get("ends_on")
    if ends and ends < values["starts_on"]:
        raise ValidationFailed(_("The activity ends before it starts."), field="ends_on")
    total = values.get("participants") or 0
    by_sex = (values.get("participants_female") or 0) + (values.get("participants_male") or 0)
    if by_sex > total:
        raise ValidationFailed(
            _("Women and men add up to more than the participants."), field="participants"
        )


@transaction.atomic
def capacity_activity_create(*, actor: Any, office: Office, **fields: Any) -> CapacityActivity:
    """Record a capacity-building activity kept by `office`. Audits `capacity_activity.created`.
    Raises ValidationFailed."""
    _known(fields, CAPACITY_FIELDS)
    fields = _text(fields)
    _check_capacity(fields)
    activity = CapacityActivity.objects.create(office=office, created_by=actor, **fields)
    record(
        actor=actor,
        action="capacity_activity.created",
        target=activity,
        changes={"kind": [None, activity.kind]},
    )
    return activity


@transaction.atomic
def capacity_activity_update(
    *, actor: Any, activity: CapacityActivity, version: int | None, **fields: Any
) -> CapacityActivity:
    """Change an activity (its results, most often). Audits `capacity_activity.updated`.
    Raises ValidationFailed or StaleVersion."""
    _known(fields, CAPACITY_FIELDS)
    fields = _text(fields)
    locked = _lock(
        CapacityActivity,
        activity,
        version,
        _("This activity was changed by someone else: it is shown as it is now."),
    )
    _check_capacity({**{f: getattr(locked, f) for f in CAPACITY_FIELDS}, **fields})
    _apply(actor, locked, fields, "capacity_activity.updated")
    return locked


# --- coordination mechanisms --------------------------------------------------------------------


def _check_mechanism(values: dict[str, Any]) -> None:
    _required(values.get("name"), "name", _("Give the mechanism's name."))
    _choice(values.get("kind"), MechanismKind, "kind")


@transaction.atomic
def mechanism_create(*, actor: Any, office: Office, **fields: Any) -> CoordinationMechanism:
    """Record a coordination mechanism kept by `office`. Audits `mechanism.created`."""
    _known(fields, MECHANISM_FIELDS)
    fields = _text(fields)
    _check_mechanism(fields)
    mechanism = CoordinationMechanism.objects.create(office=office, **fields)
    record(actor=actor, action="mechanism.created", target=mechanism)
    return mechanism


@transaction.atomic
def mechanism_update(
    *, actor: Any, mechanism: CoordinationMechanism, version: int | None, **fields: Any
) -> CoordinationMechanism:
    """Change a mechanism. Audits `mechanism.updated`. Raises ValidationFailed or
    StaleVersion."""
    _known(fields, MECHANISM_FIELDS)
    fields = _text(fields)
    locked = _lock(
        CoordinationMechanism,
        mechanism,
        version,
        _("This mechanism was changed by someone else: it is shown as it is now."),
    )
    _check_mechanism({**{f: getattr(locked, f) for f in MECHANISM_FIELDS}, **fields})
    _apply(actor, locked, fields, "mechanism.updated")
    return locked


@transaction.atomic
def meeting_add(
    *,
    actor: Any,
    mechanism: CoordinationMechanism,
    held_on: date,
    place: str = "",
    attendees: str = "",
    stakeholders: Iterable[Stakeholder] = (),
    agenda: str = "",
    decisions: str = "",
    upload: Any = None,
) -> MechanismMeeting:
    """Record a meeting of a mechanism (attendees as text and/or institutions of the register,
    minutes optional). Audits `mechanism_meeting.added`. Raises ValidationFailed."""
    present = list(stakeholders)
    if not attendees.strip() and not present:
        raise ValidationFailed(_("Say who attended."), field="attendees")
    meeting = MechanismMeeting(
        mechanism=mechanism,
        held_on=held_on,
        place=place.strip(),
        attendees=attendees.strip(),
        agenda=agenda.strip(),
        decisions=decisions.strip(),
        recorded_by=actor,
    )
    if upload is not None:
        for name, value in _store(upload).items():
            setattr(meeting, name, value)
    meeting.save()
    meeting.stakeholders.set(present)
    CoordinationMechanism.objects.filter(pk=mechanism.pk).update(updated_at=timezone.now())
    record(
        actor=actor,
        action="mechanism_meeting.added",
        target=meeting,
        changes={"held_on": [None, held_on.isoformat()]},
    )
    return meeting


@transaction.atomic
def action_add(
    *,
    actor: Any,
    meeting: MechanismMeeting,
    description: str,
    owner: Any = None,
    owner_name: str = "",
    due_on: date | None = None,
) -> FollowUpAction:
    """Add a follow-up action decided at a meeting, owned by a user or someone named.
    Audits `followup_action.added`. Raises ValidationFailed."""
    _required(description, "description", _("Describe the action."))
    if owner is None and not owner_name.strip():
        raise ValidationFailed(_("Say who owns the action."), field="owner")
    if owner is not None and not getattr(owner, "is_active", False):
        raise ValidationFailed(_("Choose an active user."), field="owner")
    action = FollowUpAction.objects.create(
        meeting=meeting,
        description=description.strip(),
        owner=owner,
        owner_name="" if owner is not None else owner_name.strip(),
        due_on=due_on,
    )
    record(
        actor=actor,
        action="followup_action.added",
        target=action,
        changes={
            "owner": [None, owner.pk if owner is not None else action.owner_name],
            "due_on": [None, due_on.isoformat() if due_on else None],
        },
    )
    return action


@transaction.atomic
def action_complete(
    *, actor: Any, action: FollowUpAction, done_on: date | None = None
) -> FollowUpAction:
    """Mark a follow-up action done (today unless a date is given, never in the future).
    Audits `followup_action.done`. Raises ValidationFailed when it is already done."""
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_on is not None:
        raise ValidationFailed(_("This action is already done."), code="already_done")
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationFailed(_("The date is in the future."), field="done_on")
    _apply(actor, locked, {"done_on": done_on, "done_by": actor}, "followup_action.done")
    return locked


# --- SOP versions -------------------------------------------------------------------------------


@transaction.atomic
def sop_version_add(
    *,
    actor: Any,
    office: Office,
    title: str,
    version_label: str,
    effective_on: date,
    mechanism: CoordinationMechanism | None = None,
    changes: str = "",
    upload: Any = None,
) -> SopVersion:
    """Add a version of a mechanism's (or programme-wide) SOPs; it becomes the current one and
    supersedes the current version of the same title. Audits `sop_version.added` (and
    `sop_version.superseded` for the one it replaces). Raises ValidationFailed."""
    _required(title, "title", _("Give the SOP's title."))
    _required(version_label, "version_label", _("Give the version."))
    title = title.strip()
    same = SopVersion.objects.select_for_update().filter(mechanism=mechanism, title__iexact=title)
    if same.filter(version_label__iexact=version_label.strip()).exists():
        raise ValidationFailed(
            _("This version of these SOPs is already recorded."), field="version_label"
        )
    sop = SopVersion(
        mechanism=mechanism,
        office=mechanism.office if mechanism is not None else office,
        title=title,
        version_label=version_label.strip(),
        effective_on=effective_on,
        changes=changes.strip(),
        is_current=True,
        added_by=actor,
    )
    if upload is not None:
        for name, value in _store(upload).items():
            setattr(sop, name, value)
    for previous in same.filter(is_current=True):
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
        record(
            actor=actor,
            action="sop_version.superseded",
            target=previous,
            changes={"is_current": [True, False]},
        )
    sop.save()
    record(
        actor=actor,
        action="sop_version.added",
        target=sop,
        changes={"version_label": [None, sop.version_label]},
    )
    return sop
