"""Writes of feedback and complaints and of the programme adjustment log.

Each service checks that the actor may do it (NotAllowed otherwise), validates, saves and writes
its audit row in the same transaction. Audit rows carry codes and dates, never an item's
description, names, contact details or response (a sensitive complaint's content must not leave
the restricted queue). Transitions and edits carry the version they were made on: a stale one is
refused (StaleVersion) and changes nothing.
"""

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.audit.services import diff, record
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.outreach.choices.feedback import (
    AdjustmentArea,
    AdjustmentStatus,
    FeedbackAction,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackSource,
    FeedbackStatus,
    FeedbackTheme,
    SensitiveKind,
)
from reintegra.outreach.models.feedback import (
    FeedbackEvent,
    FeedbackItem,
    ProgrammeAdjustment,
    due_days,
)
from reintegra.outreach.permissions.feedback import (
    can_edit_adjustment,
    can_handle_feedback,
    can_record_adjustment,
    can_record_feedback,
    recording_offices,
)
from reintegra.outreach.selectors.feedback import (
    assignable_users,
    linkable_feedback,
    linkable_visits,
)
from reintegra.people.selectors import returnee_visible_to

MAX_TEXT = 5000


def _text(
    value: Any, field: str, message: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(message, field=field)
    if len(text) > limit:
        raise ValidationFailed(_("This text is too long."), field=field)
    return text


def _choice(value: Any, choices: Any, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, field=field)
    return str(value)


def _day(value: Any, field: str, *, not_before: date | None = None) -> date:
    """A date that is given, not in the future, and not before `not_before`."""
    if not isinstance(value, date):
        raise ValidationFailed(_("Give a date."), field=field)
    if value > timezone.localdate():
        raise ValidationFailed(_("This date is in the future."), field=field)
    if not_before is not None and value < not_before:
        raise ValidationFailed(_("This date is before the feedback was received."), field=field)
    return value


@transaction.atomic
def feedback_record(
    *,
    actor: Any,
    office: Any,
    source: str,
    received_on: date,
    channel: str,
    category: str,
    theme: str,
    description: str,
    sensitive_kind: str = "",
    returnee: Any = None,
    person_name: str = "",
    is_anonymous: bool = False,
    contact: str = "",
) -> FeedbackItem:
    """Record feedback received from a person, with its due dates and a reference.
    Audits `feedback.recorded` (codes only). Raises NotAllowed (no staff role, or an office out
    of the actor's scope), ValidationFailed."""
    if not can_record_feedback(actor):
        raise NotAllowed(_("Only programme staff record feedback."))
    if office is None or office.pk not in recording_offices(actor):
        raise ValidationFailed(_("Choose an office of your scope."), field="office")
    source = _choice(source, FeedbackSource, "source", _("Say who the feedback is from."))
    channel = _choice(channel, FeedbackChannel, "channel", _("Choose the channel."))
    category = _choice(category, FeedbackCategory, "category", _("Choose a category."))
    theme = _choice(theme, FeedbackTheme, "theme", _("Choose a theme."))
    if category == FeedbackCategory.SENSITIVE:
        sensitive_kind = _choice(
            sensitive_kind, SensitiveKind, "sensitive_kind",
            _("Say what kind of sensitive complaint this is."),
        )  # fmt: skip
    elif sensitive_kind:
        raise ValidationFailed(_("Only a sensitive complaint has a kind."), field="sensitive_kind")
    received_on = _day(received_on, "received_on")
    description = _text(description, "description", _("Describe the feedback."))
    person_name = _text(person_name, "person_name", "", required=False, limit=150)
    contact = _text(contact, "contact", "", required=False, limit=255)
    if is_anonymous:
        person_name = ""
        returnee = None
    if returnee is not None:
        if source != FeedbackSource.RETURNEE:
            raise ValidationFailed(
                _("Link a returnee only to feedback from a returnee."), field="returnee"
            )
        if not returnee_visible_to(actor).filter(pk=returnee.pk).exists():
            raise ValidationFailed(_("Choose a returnee you can see."), field="returnee")
    ack_due_on, due_on = FeedbackItem.due_dates(category, received_on)
    fields = {
        "office": office,
        "source": source,
        "returnee": returnee,
        "person_name": person_name,
        "is_anonymous": bool(is_anonymous),
        "contact": contact,
        "received_on": received_on,
        "channel": channel,
        "category": category,
        "sensitive_kind": sensitive_kind,
        "theme": theme,
        "description": description,
        "recorded_by": actor,
        "ack_due_on": ack_due_on,
        "due_on": due_on,
    }
    # Numbered from the row's id (as cases and purchases are): a count or a "highest + 1" would
    # give two items recorded at the same moment the same reference.
    item = FeedbackItem.objects.create(reference=f"tmp-{uuid.uuid4().hex[:16]}", **fields)
    item.reference = f"FB-{timezone.localdate():%Y}-{item.pk:04d}"
    item.save(update_fields=["reference"])
    record(
        actor=actor,
        action="feedback.recorded",
        target=item,
        person_id=item.returnee_id,
        changes={
            "reference": [None, item.reference],
            "category": [None, category],
            "channel": [None, channel],
            "theme": [None, theme],
            "office": [None, office.code],
        },
    )
    return item


def _lock(item: FeedbackItem, version: int | None) -> FeedbackItem:
    locked = FeedbackItem.objects.select_for_update().select_related("office").get(pk=item.pk)
    if version is None or locked.version != version:
        raise StaleVersion(
            _("This feedback was changed by someone else: it is shown as it is now.")
        )
    return locked


def _check_handler(actor: Any, item: FeedbackItem) -> None:
    if not can_handle_feedback(actor, item):
        raise NotAllowed(
            _("Coordinators, the communication focal point and the assignee handle feedback.")
        )


def _expect(item: FeedbackItem, *statuses: str) -> None:
    if item.status not in statuses:
        raise ValidationFailed(
            _("This cannot be done while the feedback is “%(status)s”.")
            % {"status": item.get_status_display()},
            code="invalid_transition",
        )


def _save(
    actor: Any,
    item: FeedbackItem,
    action: str,
    before: dict[str, Any],
    on: date,
    note: str = "",
) -> FeedbackItem:
    after = {k: getattr(item, k) for k in before}
    item.version += 1
    item.save()
    FeedbackEvent.objects.create(item=item, action=action, actor=actor, on=on, note=note)
    changes = diff(
        {k: _code(v) for k, v in before.items()},
        {k: _code(v) for k, v in after.items()},
    )
    record(
        actor=actor,
        action=AUDIT_ACTIONS[action],
        target=item,
        person_id=item.returnee_id,
        changes=changes,
    )
    return item


AUDIT_ACTIONS: dict[str, str] = {
    FeedbackAction.ACKNOWLEDGE: "feedback.acknowledged",
    FeedbackAction.ASSIGN: "feedback.assigned",
    FeedbackAction.RESOLVE: "feedback.resolved",
    FeedbackAction.CLOSE: "feedback.closed",
    FeedbackAction.REOPEN: "feedback.reopened",
}


def _code(value: Any) -> Any:
    """A value as the audit row keeps it (a user as their id; dates as text)."""
    if hasattr(value, "pk"):
        return value.pk
    return str(value) if isinstance(value, date) else value


@transaction.atomic
def feedback_acknowledge(
    *, actor: Any, item: FeedbackItem, version: int | None, acknowledged_on: date | None = None
) -> FeedbackItem:
    """Received → acknowledged (the person was told it was received). Audits
    `feedback.acknowledged`. Raises NotAllowed, StaleVersion, ValidationFailed."""
    _check_handler(actor, item)
    locked = _lock(item, version)
    _expect(locked, FeedbackStatus.RECEIVED)
    on = _day(
        acknowledged_on or timezone.localdate(), "acknowledged_on", not_before=locked.received_on
    )
    before = {"status": locked.status, "acknowledged_on": locked.acknowledged_on}
    locked.status = FeedbackStatus.ACKNOWLEDGED
    locked.acknowledged_on = on
    return _save(actor, locked, FeedbackAction.ACKNOWLEDGE, before, on)


@transaction.atomic
def feedback_assign(
    *, actor: Any, item: FeedbackItem, version: int | None, assignee: Any
) -> FeedbackItem:
    """Acknowledged (or assigned) → assigned to someone who may see it: staff of its office's
    scope, a coordinator for a sensitive complaint. Audits `feedback.assigned` (the user's id).
    Raises NotAllowed, StaleVersion, ValidationFailed."""
    _check_handler(actor, item)
    locked = _lock(item, version)
    _expect(locked, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.ASSIGNED)
    if assignee is None or not assignable_users(locked).filter(pk=assignee.pk).exists():
        message = (
            _("Assign a sensitive complaint to a coordinator of its office.")
            if locked.is_sensitive
            else _("Assign it to a member of staff of its office.")
        )
        raise ValidationFailed(message, field="assignee")
    before = {"status": locked.status, "assigned_to": locked.assigned_to_id}
    locked.status = FeedbackStatus.ASSIGNED
    locked.assigned_to = assignee
    locked.assigned_on = timezone.localdate()
    return _save(actor, locked, FeedbackAction.ASSIGN, before, locked.assigned_on)


@transaction.atomic
def feedback_resolve(
    *,
    actor: Any,
    item: FeedbackItem,
    version: int | None,
    response: str,
    responded_on: date | None,
    response_channel: str,
) -> FeedbackItem:
    """Acknowledged or assigned → resolved, with the response given to the person (its text,
    date and how it was communicated). Audits `feedback.resolved` (without the response's
    text). Raises NotAllowed, StaleVersion, ValidationFailed."""
    _check_handler(actor, item)
    locked = _lock(item, version)
    _expect(locked, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.ASSIGNED)
    text = _text(response, "response", _("Write the response given to the person."))
    on = _day(responded_on, "responded_on", not_before=locked.received_on)
    channel = _choice(
        response_channel, FeedbackChannel, "response_channel",
        _("Say how the response was communicated."),
    )  # fmt: skip
    before = {
        "status": locked.status,
        "responded_on": locked.responded_on,
        "response_channel": locked.response_channel,
    }
    locked.status = FeedbackStatus.RESOLVED
    locked.response = text
    locked.responded_on = on
    locked.response_channel = channel
    # Resolved when the person was given the response.
    locked.resolved_on = on
    return _save(actor, locked, FeedbackAction.RESOLVE, before, on)


@transaction.atomic
def feedback_close(*, actor: Any, item: FeedbackItem, version: int | None) -> FeedbackItem:
    """Resolved → closed. Audits `feedback.closed`. Raises NotAllowed, StaleVersion,
    ValidationFailed."""
    _check_handler(actor, item)
    locked = _lock(item, version)
    _expect(locked, FeedbackStatus.RESOLVED)
    before = {"status": locked.status}
    locked.status = FeedbackStatus.CLOSED
    locked.closed_on = timezone.localdate()
    return _save(actor, locked, FeedbackAction.CLOSE, before, locked.closed_on)


@transaction.atomic
def feedback_reopen(
    *, actor: Any, item: FeedbackItem, version: int | None, reason: str
) -> FeedbackItem:
    """Resolved or closed → back to its assignee (or acknowledged when it has none), with a
    reason (kept in the item's history, not in the audit row) and a new resolution due date.
    Audits `feedback.reopened`. Raises NotAllowed, StaleVersion, ValidationFailed."""
    _check_handler(actor, item)
    locked = _lock(item, version)
    _expect(locked, FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED)
    why = _text(reason, "reason", _("Say why the feedback is re-opened."))
    today = timezone.localdate()
    before = {"status": locked.status, "due_on": locked.due_on}
    locked.status = (
        FeedbackStatus.ASSIGNED if locked.assigned_to_id else FeedbackStatus.ACKNOWLEDGED
    )
    locked.closed_on = None
    locked.resolved_on = None
    locked.due_on = today + timedelta(days=due_days(locked.category))
    return _save(actor, locked, FeedbackAction.REOPEN, before, today, note=why)


TRANSITIONS: dict[str, Callable[..., FeedbackItem]] = {
    FeedbackAction.ACKNOWLEDGE: feedback_acknowledge,
    FeedbackAction.ASSIGN: feedback_assign,
    FeedbackAction.RESOLVE: feedback_resolve,
    FeedbackAction.CLOSE: feedback_close,
    FeedbackAction.REOPEN: feedback_reopen,
}


# --- programme adjustments --------------------------------------------------------------------

ADJUSTMENT_FIELDS = ("decided_on", "title", "description", "area", "status")


def _adjustment_values(actor: Any, fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "title" in fields:
        values["title"] = _text(
            fields["title"], "title", _("Give the adjustment a title."), limit=200
        )
    if "description" in fields:
        values["description"] = _text(fields["description"], "description", "", required=False)
    if "area" in fields:
        values["area"] = _choice(fields["area"], AdjustmentArea, "area", _("Choose an area."))
    if "status" in fields:
        values["status"] = _choice(
            fields["status"], AdjustmentStatus, "status", _("Choose a status.")
        )
    if "decided_on" in fields:
        if not isinstance(fields["decided_on"], date):
            raise ValidationFailed(_("Give a date."), field="decided_on")
        values["decided_on"] = fields["decided_on"]
    return values


def _links(actor: Any, feedback_items: Any, visits: Any) -> tuple[list[Any], list[Any]]:
    """The feedback items and visits to link, each one the actor may see."""
    items = list(feedback_items or [])
    found = list(linkable_feedback(actor).filter(pk__in=[i.pk for i in items]))
    if len(found) != len({i.pk for i in items}):
        raise ValidationFailed(_("Link only feedback you can see."), field="feedback_items")
    chosen = list(visits or [])
    seen = list(linkable_visits(actor).filter(pk__in=[v.pk for v in chosen]))
    if len(seen) != len({v.pk for v in chosen}):
        raise ValidationFailed(_("Link only monitoring visits you can see."), field="visits")
    return found, seen


@transaction.atomic
def adjustment_record(
    *,
    actor: Any,
    office: Any,
    decided_on: date,
    title: str,
    area: str,
    description: str = "",
    status: str = AdjustmentStatus.PLANNED,
    feedback_items: Any = None,
    visits: Any = None,
) -> ProgrammeAdjustment:
    """Record an adjustment to the programme and the feedback and findings behind it.
    Audits `adjustment.recorded` (with the linked ids). Raises NotAllowed, ValidationFailed."""
    if not can_record_adjustment(actor):
        raise NotAllowed(_("Coordinators record programme adjustments."))
    if office is None or office.pk not in principal(actor).offices(Role.COORDINATOR):
        raise ValidationFailed(_("Choose an office of your scope."), field="office")
    values = _adjustment_values(
        actor,
        {
            "decided_on": decided_on,
            "title": title,
            "description": description,
            "area": area,
            "status": status,
        },
    )
    items, seen = _links(actor, feedback_items, visits)
    adjustment = ProgrammeAdjustment.objects.create(office=office, recorded_by=actor, **values)
    adjustment.feedback_items.set(items)
    adjustment.visits.set(seen)
    record(
        actor=actor,
        action="adjustment.recorded",
        target=adjustment,
        changes={
            "area": [None, values["area"]],
            "status": [None, values["status"]],
            "feedback_items": [None, sorted(i.pk for i in items)],
            "visits": [None, sorted(v.pk for v in seen)],
        },
    )
    return adjustment


@transaction.atomic
def adjustment_update(
    *,
    actor: Any,
    adjustment: ProgrammeAdjustment,
    version: int | None,
    feedback_items: Any = None,
    visits: Any = None,
    **fields: Any,
) -> ProgrammeAdjustment:
    """Change an adjustment and what it links to. Links the actor cannot see are kept as they
    were. Audits `adjustment.updated` with what changed. Raises NotAllowed, StaleVersion,
    ValidationFailed."""
    if not can_edit_adjustment(actor, adjustment):
        raise NotAllowed(_("Coordinators of its office edit an adjustment."))
    unknown = set(fields) - set(ADJUSTMENT_FIELDS)
    if unknown:
        raise ValueError(f"not adjustment fields: {sorted(unknown)}")
    locked = ProgrammeAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if version is None or locked.version != version:
        raise StaleVersion(
            _("This adjustment was changed by someone else: it is shown as it is now.")
        )
    values = _adjustment_values(actor, fields)
    before: dict[str, Any] = {k: getattr(locked, k) for k in values}
    for name, value in values.items():
        setattr(locked, name, value)
    changes = diff(
        {k: _code(v) for k, v in before.items()},
        {k: _code(getattr(locked, k)) for k in values},
    )
    if feedback_items is not None or visits is not None:
        items, seen = _links(actor, feedback_items or [], visits or [])
        hidden_items = set(locked.feedback_items.values_list("pk", flat=True)) - set(
            linkable_feedback(actor).values_list("pk", flat=True)
        )
        hidden_visits = set(locked.visits.values_list("pk", flat=True)) - set(
            linkable_visits(actor).values_list("pk", flat=True)
        )
        old_items = sorted(locked.feedback_items.values_list("pk", flat=True))
        old_visits = sorted(locked.visits.values_list("pk", flat=True))
        new_items = sorted({i.pk for i in items} | hidden_items)
        new_visits = sorted({v.pk for v in seen} | hidden_visits)
        if feedback_items is not None and new_items != old_items:
            locked.feedback_items.set(new_items)
            changes["feedback_items"] = [old_items, new_items]
        if visits is not None and new_visits != old_visits:
            locked.visits.set(new_visits)
            changes["visits"] = [old_visits, new_visits]
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="adjustment.updated", target=locked, changes=changes)
    return locked
