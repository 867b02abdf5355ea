"""Writes of the communication area: the strategy, campaigns, activities with their reach, and
messages to consenting returnees (composing, sending in batches, delivery status).

Each write is audited in its transaction; edits carry the version they were made on (a stale
one raises StaleVersion and changes nothing). Phone numbers, emails and message bodies never go
to the logs or the audit trail.
"""

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record, record_many
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.outreach.backends import DeliveryFailed, MessageBackend, backend_for
from reintegra.outreach.choices.communication import (
    MESSAGE_MAX_LENGTH,
    SMS_MAX_LENGTH,
    ActivityKind,
    Audience,
    Channel,
    DeliveryStatus,
    MessageChannel,
    MessageStatus,
    StrategyStatus,
)
from reintegra.outreach.models.communication import (
    Activity,
    ActivityReach,
    Campaign,
    CommunicationStrategy,
    Delivery,
    Message,
)
from reintegra.outreach.permissions.communication import (
    can_edit_activity,
    logging_offices,
    messaging_offices,
    writing_offices,
)
from reintegra.outreach.selectors.communication import message_preview, message_recipients
from reintegra.people.choices import AgeBand, Sex

logger = logging.getLogger(__name__)

BATCH_SIZE = 25
MAX_KEY_MESSAGES = 20
MAX_REACH = 1_000_000


def _text(value: Any) -> str:
    return str(value or "").strip()


def _period(start: date | None, end: date | None, field: str = "ends_on") -> None:
    if start is None:
        raise ValidationFailed(_("Give the start date."), field="starts_on")
    if end is not None and end < start:
        raise ValidationFailed(_("The period ends before it starts."), field=field)


def _office_in(office: Office | None, offices: frozenset[int]) -> Office:
    if office is None or office.pk not in offices:
        raise ValidationFailed(_("Choose an office in your scope."), field="office")
    return office


def _lock(model: Any, obj: Any, version: int | None, message: str) -> Any:
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(message)
    return locked


def _save_changes(locked: Any, fields: dict[str, Any], actor: Any, action: str) -> Any:
    before = {f: getattr(locked, f) for f in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    changes = diff(before, {f: getattr(locked, f) for f in fields})
    if changes:
        locked.version += 1
        locked.save()
        record(actor=actor, action=action, target=locked, changes=changes)
    return locked


# --- strategy ---------------------------------------------------------------------------------

STRATEGY_FIELDS = (
    "title",
    "region",
    "starts_on",
    "ends_on",
    "objectives",
    "audiences",
    "key_messages",
    "channels",
    "status",
)
STALE_STRATEGY = gettext_lazy(
    "This strategy was changed by someone else: it is shown as it is now."
)


def _codes(values: Iterable[Any] | None, allowed: list[str], field: str) -> list[str]:
    codes = [str(v) for v in values or []]
    if any(code not in allowed for code in codes):
        raise ValidationFailed(_("Choose from the list."), field=field)
    return list(dict.fromkeys(codes))


def _key_messages(values: Any) -> list[dict[str, str]]:
    out = []
    for item in values or []:
        if not isinstance(item, dict):
            raise ValidationFailed(
                _("A key message needs a text and an audience."), field="key_messages"
            )
        text, audience = _text(item.get("text")), _text(item.get("audience"))
        if not text and not audience:
            continue
        if not text or audience not in Audience.values:
            raise ValidationFailed(
                _("A key message needs a text and an audience."), field="key_messages"
            )
        if len(text) > 500:
            raise ValidationFailed(
                _("A key message is 500 characters at most."), field="key_messages"
            )
        out.append({"text": text, "audience": audience})
    if len(out) > MAX_KEY_MESSAGES:
        raise ValidationFailed(_("Too many key messages."), field="key_messages")
    return out


def _strategy_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(STRATEGY_FIELDS)
    if unknown:
        raise ValueError(f"not strategy fields: {sorted(unknown)}")
    out = dict(fields)
    for name in ("title", "region", "objectives"):
        if name in out:
            out[name] = _text(out[name])
    if "title" in out and not out["title"]:
        raise ValidationFailed(_("Give the strategy a title."), field="title")
    if "objectives" in out and not out["objectives"]:
        raise ValidationFailed(_("Write the objectives."), field="objectives")
    if "audiences" in out:
        out["audiences"] = _codes(out["audiences"], Audience.values, "audiences")
    if "channels" in out:
        out["channels"] = _codes(out["channels"], Channel.values, "channels")
    if "key_messages" in out:
        out["key_messages"] = _key_messages(out["key_messages"])
    if "status" in out and out["status"] not in StrategyStatus.values:
        raise ValidationFailed(_("Choose a status."), field="status")
    return out


def _archive_others(actor: Any, strategy: CommunicationStrategy) -> None:
    """One strategy is in force per office: the one put in force archives the previous one."""
    others = CommunicationStrategy.objects.select_for_update().filter(
        office_id=strategy.office_id, status=StrategyStatus.IN_FORCE
    )
    for other in others.exclude(pk=strategy.pk):
        other.status = StrategyStatus.ARCHIVED
        other.version += 1
        other.save(update_fields=["status", "version", "updated_at"])
        record(
            actor=actor,
            action="communication_strategy.archived",
            target=other,
            changes={"status": [StrategyStatus.IN_FORCE, StrategyStatus.ARCHIVED]},
        )


@transaction.atomic
def strategy_create(*, actor: Any, office: Office, **fields: Any) -> CommunicationStrategy:
    """Write a communication strategy for an office where the actor keeps it. Putting it in
    force archives the one in force. Audits `communication_strategy.created`. Raises
    ValidationFailed."""
    _office_in(office, writing_offices(actor))
    data = _strategy_fields({"status": StrategyStatus.DRAFT, **fields})
    if not data.get("title"):
        raise ValidationFailed(_("Give the strategy a title."), field="title")
    if not data.get("objectives"):
        raise ValidationFailed(_("Write the objectives."), field="objectives")
    _period(data.get("starts_on"), data.get("ends_on"))
    strategy = CommunicationStrategy.objects.create(office=office, author=actor, **data)
    if strategy.status == StrategyStatus.IN_FORCE:
        _archive_others(actor, strategy)
    record(
        actor=actor,
        action="communication_strategy.created",
        target=strategy,
        changes={"status": [None, strategy.status]},
    )
    return strategy


@transaction.atomic
def strategy_update(
    *, actor: Any, strategy: CommunicationStrategy, version: int | None, **fields: Any
) -> CommunicationStrategy:
    """Change a strategy (its status too). Audits `communication_strategy.updated` with what
    changed. Raises StaleVersion, ValidationFailed, NotAllowed."""
    data = _strategy_fields(fields)
    locked = _lock(CommunicationStrategy, strategy, version, str(STALE_STRATEGY))
    if locked.office_id not in writing_offices(actor):
        raise NotAllowed(_("The communication focal point keeps the strategy."))
    _period(data.get("starts_on", locked.starts_on), data.get("ends_on", locked.ends_on))
    updated = _save_changes(locked, data, actor, "communication_strategy.updated")
    if updated.status == StrategyStatus.IN_FORCE:
        _archive_others(actor, updated)
    return updated


# --- campaigns --------------------------------------------------------------------------------

CAMPAIGN_FIELDS = ("title", "objective", "starts_on", "ends_on", "strategy")
STALE_CAMPAIGN = gettext_lazy(
    "This campaign was changed by someone else: it is shown as it is now."
)


def _campaign_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"not campaign fields: {sorted(unknown)}")
    out = dict(fields)
    for name in ("title", "objective"):
        if name in out:
            out[name] = _text(out[name])
    if "title" in out and not out["title"]:
        raise ValidationFailed(_("Give the campaign a title."), field="title")
    return out


@transaction.atomic
def campaign_create(*, actor: Any, office: Office, **fields: Any) -> Campaign:
    """Start a campaign. Audits `campaign.created`. Raises ValidationFailed."""
    _office_in(office, writing_offices(actor))
    data = _campaign_fields(fields)
    if not data.get("title"):
        raise ValidationFailed(_("Give the campaign a title."), field="title")
    _period(data.get("starts_on"), data.get("ends_on"))
    campaign = Campaign.objects.create(office=office, author=actor, **data)
    record(actor=actor, action="campaign.created", target=campaign)
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: Any, campaign: Campaign, version: int | None, **fields: Any
) -> Campaign:
    """Change a campaign. Audits `campaign.updated`. Raises StaleVersion, ValidationFailed."""
    data = _campaign_fields(fields)
    locked = _lock(Campaign, campaign, version, str(STALE_CAMPAIGN))
    if locked.office_id not in writing_offices(actor):
        raise NotAllowed(_("The communication focal point keeps the campaigns."))
    _period(data.get("starts_on", locked.starts_on), data.get("ends_on", locked.ends_on))
    return _save_changes(locked, data, actor, "campaign.updated")


# --- activities -------------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "campaign",
    "kind",
    "title",
    "held_on",
    "region",
    "commune",
    "venue",
    "audience",
    "materials",
    "feedback",
    "notes",
)
STALE_ACTIVITY = gettext_lazy(
    "This activity was changed by someone else: it is shown as it is now."
)


def _reach_rows(reach: Any) -> dict[tuple[str, str], int]:
    """Reach as {(sex, age band): count} from a list of {"sex", "age_band", "count"} rows or
    a mapping; zero counts are dropped; a cell given twice is refused."""
    items = reach.items() if isinstance(reach, dict) else None
    rows: dict[tuple[str, str], int] = {}
    if items is not None:
        source = [{"sex": k[0], "age_band": k[1], "count": v} for k, v in items]
    else:
        source = list(reach or [])
    for row in source:
        sex, band, count = row.get("sex"), row.get("age_band"), row.get("count")
        if sex not in Sex.values or band not in AgeBand.values:
            raise ValidationFailed(_("Choose a sex and an age band for each count."), field="reach")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_REACH:
            raise ValidationFailed(_("A count of people is a whole number from 0."), field="reach")
        if (sex, band) in rows:
            raise ValidationFailed(_("Each sex and age band is counted once."), field="reach")
        rows[(sex, band)] = count
    return {key: n for key, n in rows.items() if n}


def _activity_fields(fields: dict[str, Any], office_id: int) -> dict[str, Any]:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"not activity fields: {sorted(unknown)}")
    out = dict(fields)
    for name in ("title", "region", "commune", "venue", "materials", "feedback", "notes"):
        if name in out:
            out[name] = _text(out[name])
    if "title" in out and not out["title"]:
        raise ValidationFailed(_("Give the activity a title."), field="title")
    if "kind" in out and out["kind"] not in ActivityKind.values:
        raise ValidationFailed(_("Choose the type of activity."), field="kind")
    if "audience" in out and out["audience"] not in Audience.values:
        raise ValidationFailed(_("Choose the audience."), field="audience")
    if "held_on" in out:
        if out["held_on"] is None:
            raise ValidationFailed(_("Give the date."), field="held_on")
        if out["held_on"] > timezone.localdate():
            raise ValidationFailed(
                _("Log an activity once it has taken place (the date is in the future)."),
                field="held_on",
            )
    campaign = out.get("campaign")
    if campaign is not None and campaign.office_id != office_id:
        # A campaign of another office would show this office's activity out of its scope.
        campaign_office = Office.objects.get(pk=campaign.office_id)
        office = Office.objects.get(pk=office_id)
        if not office.path.startswith(campaign_office.path):
            raise ValidationFailed(
                _("Choose a campaign of this office or of an office above it."), field="campaign"
            )
    return out


def _store_reach(activity: Activity, rows: dict[tuple[str, str], int]) -> dict[str, int]:
    activity.reach.all().delete()
    ActivityReach.objects.bulk_create(
        ActivityReach(activity=activity, sex=sex, age_band=band, count=n)
        for (sex, band), n in rows.items()
    )
    return {f"{sex} {band}": n for (sex, band), n in sorted(rows.items())}


@transaction.atomic
def activity_create(*, actor: Any, office: Office, reach: Any = None, **fields: Any) -> Activity:
    """Log a communication activity with the people it reached by sex and age band (the
    focal point, or a case manager for an activity they ran). Audits `activity.logged`.
    Raises ValidationFailed."""
    _office_in(office, logging_offices(actor))
    data = _activity_fields(
        {"title": "", "kind": "", "audience": "", "held_on": None, **fields}, office.pk
    )
    rows = _reach_rows(reach)
    activity = Activity.objects.create(
        office=office, author=actor, reached=sum(rows.values()), **data
    )
    stored = _store_reach(activity, rows)
    record(
        actor=actor,
        action="activity.logged",
        target=activity,
        changes={"reached": [None, activity.reached], "reach": [None, stored]},
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: Any, activity: Activity, version: int | None, reach: Any = None, **fields: Any
) -> Activity:
    """Change an activity and, when `reach` is given, replace its reach figures. Audits
    `activity.updated` with what changed. Raises StaleVersion, ValidationFailed, NotAllowed."""
    locked = _lock(Activity, activity, version, str(STALE_ACTIVITY))
    if not can_edit_activity(actor, locked):
        raise NotAllowed(_("The communication focal point keeps the activities."))
    data = _activity_fields(fields, locked.office_id)
    before = {f: getattr(locked, f) for f in data}
    for name, value in data.items():
        setattr(locked, name, value)
    changes = diff(before, {f: getattr(locked, f) for f in data})
    if reach is not None:
        rows = _reach_rows(reach)
        old = {(r.sex, r.age_band): r.count for r in locked.reach.all()}
        if old != rows:
            was = {f"{s} {b}": n for (s, b), n in sorted(old.items())}
            changes["reach"] = [was, _store_reach(locked, rows)]
            changes["reached"] = [locked.reached, sum(rows.values())]
            locked.reached = sum(rows.values())
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="activity.updated", target=locked, changes=changes)
    return locked


# --- messages ---------------------------------------------------------------------------------


def _message_check(
    channel: str, subject: str, body: str, office: Office, target_office: Office | None
) -> None:
    if channel not in MessageChannel.values:
        raise ValidationFailed(_("Choose a channel."), field="channel")
    if not body:
        raise ValidationFailed(_("Write the message."), field="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            _("The message is too long (%(max)d characters at most).")
            % {"max": MESSAGE_MAX_LENGTH},
            field="body",
        )
    if channel == MessageChannel.SMS and len(body) > SMS_MAX_LENGTH:
        raise ValidationFailed(
            _("An SMS is %(max)d characters at most (three text messages); this one has %(n)d.")
            % {"max": SMS_MAX_LENGTH, "n": len(body)},
            field="body",
        )
    if channel == MessageChannel.EMAIL and not subject:
        raise ValidationFailed(_("An email needs a subject."), field="subject")
    if target_office is not None and not target_office.path.startswith(office.path):
        raise ValidationFailed(
            _("Choose an office within the message's office."), field="target_office"
        )


@transaction.atomic
def message_create(
    *,
    actor: Any,
    office: Office,
    channel: str,
    body: str,
    subject: str = "",
    target_office: Office | None = None,
    region: str = "",
    commune: str = "",
    only_open_cases: bool = False,
) -> Message:
    """Compose a message (a draft: nothing is sent until `message_send`). Audits
    `message.composed` (without the text). Raises ValidationFailed."""
    scope = messaging_offices(actor)
    _office_in(office, scope)
    if target_office is not None:
        _office_in(target_office, scope)
    subject, body = _text(subject), str(body or "").strip()
    if channel != MessageChannel.EMAIL:
        subject = ""
    _message_check(channel, subject, body, office, target_office)
    message = Message.objects.create(
        office=office,
        channel=channel,
        subject=subject,
        body=body,
        target_office=target_office,
        region=_text(region),
        commune=_text(commune),
        only_open_cases=bool(only_open_cases),
        author=actor,
    )
    record(
        actor=actor,
        action="message.composed",
        target=message,
        changes={"channel": [None, channel], "length": [None, len(body)]},
    )
    return message


STALE_MESSAGE = gettext_lazy("This message was changed by someone else: it is shown as it is now.")


@transaction.atomic
def message_send(*, actor: Any, message: Message, version: int | None = None) -> Message:
    """Send a draft: one queued delivery per recipient (returnees in the actor's scope with a
    valid communication consent and an address), the skipped ones counted, then the sending
    runs in the background. Sending again while it runs resumes it (a crashed send picks up
    the deliveries still queued); nothing is ever sent twice. Audits `message.send_started`
    (or `message.send_resumed`). Raises StaleVersion, Conflict (already sent), NotAllowed."""
    locked = _lock(Message, message, version, str(STALE_MESSAGE))
    if locked.office_id not in messaging_offices(actor):
        raise NotAllowed(_("You may not send messages for this office."))
    if locked.status == MessageStatus.SENT:
        raise Conflict(_("This message was sent already."), code="already_sent")
    if locked.status == MessageStatus.DRAFT:
        preview = message_preview(actor, locked)
        recipients = message_recipients(actor, locked).only("pk", "phone", "email")
        email = locked.channel == MessageChannel.EMAIL
        Delivery.objects.bulk_create(
            [
                Delivery(message=locked, person=p, address=p.email if email else p.phone)
                for p in recipients.order_by("pk")
            ],
            ignore_conflicts=True,
        )
        locked.total = locked.deliveries.count()
        locked.skipped_consent = preview["skipped_consent"]
        locked.skipped_address = preview["skipped_address"]
        locked.status = MessageStatus.SENDING
        locked.sent_by = actor
        locked.send_started_at = timezone.now()
        locked.version += 1
        locked.save()
        record(
            actor=actor,
            action="message.send_started",
            target=locked,
            changes={
                "status": [MessageStatus.DRAFT, MessageStatus.SENDING],
                "total": [0, locked.total],
                "skipped_consent": [0, locked.skipped_consent],
                "skipped_address": [0, locked.skipped_address],
            },
        )
    else:
        record(actor=actor, action="message.send_resumed", target=locked)
    pk = locked.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return locked


def _enqueue(message_id: int) -> None:
    from reintegra.outreach.tasks import deliver_message

    deliver_message.delay(message_id)


def _deliver_batch(message: Message, size: int, backend: MessageBackend) -> int:
    """Send one batch of queued deliveries; returns how many were tried (0: none left)."""
    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(message_id=message.pk, status=DeliveryStatus.QUEUED)
            .order_by("pk")[:size]
        )
        if not batch:
            return 0
        sent = failed = 0
        now = timezone.now()
        entries = []
        for delivery in batch:
            try:
                reference = backend.send(
                    message.channel, delivery.address, message.subject, message.body
                )
            except DeliveryFailed as err:
                delivery.status, delivery.error = DeliveryStatus.FAILED, err.reason
                failed += 1
            except Exception as err:  # a backend's own bug must not stop the whole send
                delivery.status = DeliveryStatus.FAILED
                delivery.error = f"backend error ({type(err).__name__})"
                failed += 1
            else:
                delivery.status, delivery.provider_reference = DeliveryStatus.SENT, reference
                delivery.sent_at = now
                sent += 1
            delivery.updated_at = now
            entries.append(
                {
                    "action": f"message.delivery_{delivery.status.lower()}",
                    "target": delivery,
                    "person_id": delivery.person_id,
                    "changes": {"status": [DeliveryStatus.QUEUED, delivery.status]},
                }
            )
        Delivery.objects.bulk_update(
            batch, ["status", "error", "provider_reference", "sent_at", "updated_at"]
        )
        Message.objects.filter(pk=message.pk).update(
            sent=F("sent") + sent, failed=F("failed") + failed, updated_at=now
        )
        record_many(actor=message.sent_by, entries=entries)
    logger.info(
        "message %s: batch of %d (%d sent, %d failed)", message.pk, len(batch), sent, failed
    )
    return len(batch)


def message_deliver(
    *,
    actor: Any = None,
    message_id: int,
    batch_size: int = BATCH_SIZE,
    backend: MessageBackend | None = None,
) -> str:
    """Work through a sending message's queued deliveries in batches (each its own
    transaction, so the progress shows while it runs and a crash loses at most one batch's
    bookkeeping), then mark it sent. Audits each delivery (`message.delivery_sent` /
    `message.delivery_failed`, with the person) and `message.sent` with the counts. Returns
    the message's status. `backend` replaces the channel's configured one (the demo)."""
    # The sender is every batch's audit actor: loaded once, not once a batch.
    message = Message.objects.filter(pk=message_id).select_related("sent_by").first()
    if message is None or message.status != MessageStatus.SENDING:
        return message.status if message else "MISSING"
    backend = backend or backend_for(message.channel)
    while _deliver_batch(message, batch_size, backend):
        pass
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        queued = locked.deliveries.filter(status=DeliveryStatus.QUEUED).exists()
        if locked.status == MessageStatus.SENDING and not queued:
            locked.status = MessageStatus.SENT
            locked.send_finished_at = timezone.now()
            locked.version += 1
            locked.save()
            record(
                actor=actor or locked.sent_by,
                action="message.sent",
                target=locked,
                changes={
                    "status": [MessageStatus.SENDING, MessageStatus.SENT],
                    "sent": [0, locked.sent],
                    "failed": [0, locked.failed],
                },
            )
    return locked.status


@transaction.atomic
def delivery_report(*, actor: Any, reference: str, status: str, error: str = "") -> Delivery | None:
    """A gateway reports what became of a message it accepted (DELIVERED or FAILED). Unknown
    references are ignored (None). Audits `message.delivery_reported`."""
    if status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED) or not reference:
        raise ValidationFailed(_("Unknown delivery status."), field="status")
    delivery = (
        Delivery.objects.select_for_update().filter(provider_reference=reference[:100]).first()
    )
    if delivery is None or delivery.status == status:
        return delivery
    before = delivery.status
    delivery.status = status
    if status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = timezone.now()
    else:
        delivery.error = _text(error)[:200]
        if before == DeliveryStatus.SENT:
            Message.objects.filter(pk=delivery.message_id).update(
                sent=F("sent") - 1, failed=F("failed") + 1
            )
    delivery.save()
    record(
        actor=actor,
        action="message.delivery_reported",
        target=delivery,
        person_id=delivery.person_id,
        changes={"status": [before, status]},
    )
    return delivery
