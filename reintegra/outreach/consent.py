"""Outreach's part of a consent withdrawal: a returnee who withdrew their communication consent
gets no more messages. Registered in OutreachConfig.ready(). Later sends already skip them (the
recipients are the consenting returnees, selectors.communication.consenting)."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from reintegra.audit.services import record_many
from reintegra.outreach.choices.communication import DeliveryStatus
from reintegra.outreach.models.communication import Delivery, Message
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent
from reintegra.people.selectors import consent_valid_for

# The error a delivery cancelled by a withdrawal carries (shown in the message's deliveries).
CONSENT_WITHDRAWN = "consent withdrawn"


def deliveries_cancel_on_withdrawal(*, actor: Any, consent: Consent) -> None:
    """A withdrawn COMMUNICATION consent cancels the person's queued deliveries: marked FAILED
    with the error "consent withdrawn" and counted as failed on their message. Audits
    `message.delivery_cancelled` for each (with the person). Nothing happens while another
    valid communication consent remains."""
    if consent.purpose != ConsentPurpose.COMMUNICATION:
        return
    if consent_valid_for(consent.person, ConsentPurpose.COMMUNICATION) is not None:
        return
    queued = list(
        Delivery.objects.select_for_update()
        .filter(person_id=consent.person_id, status=DeliveryStatus.QUEUED)
        .order_by("pk")
    )
    if not queued:
        return
    now = timezone.now()
    per_message: dict[int, int] = {}
    for delivery in queued:
        delivery.status, delivery.error, delivery.updated_at = (
            DeliveryStatus.FAILED,
            CONSENT_WITHDRAWN,
            now,
        )
        per_message[delivery.message_id] = per_message.get(delivery.message_id, 0) + 1
    Delivery.objects.bulk_update(queued, ["status", "error", "updated_at"])
    for message_id, count in per_message.items():
        Message.objects.filter(pk=message_id).update(failed=F("failed") + count, updated_at=now)
    record_many(
        actor=actor,
        entries=[
            {
                "action": "message.delivery_cancelled",
                "target": delivery,
                "person_id": delivery.person_id,
                "changes": {"status": [DeliveryStatus.QUEUED, DeliveryStatus.FAILED]},
            }
            for delivery in queued
        ],
    )
