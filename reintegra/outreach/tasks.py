"""Background work of the outreach app (Celery; run at once without Redis)."""

from celery import shared_task

from reintegra.outreach.services.communication import message_deliver


@shared_task
def deliver_message(message_id: int) -> str:
    """Send a message's queued deliveries in batches (communication area)."""
    return message_deliver(message_id=message_id)
