"""Sending at the same moment (PostgreSQL row locks): two people pressing *Send* on the same
message together queue each recipient once and send each message once."""

from collections import Counter
from collections.abc import Callable

import pytest

from reintegra.accounts.models import User
from reintegra.core.tests.race import race
from reintegra.outreach.models.communication import Message
from reintegra.outreach.services import communication as services
from reintegra.outreach.tests.fixtures_communication import (  # noqa: F401 (fixtures)
    message_file_fixture,
    returnees_fixture,
    sent_lines,
    sms,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _send(message_id: int, username: str) -> Callable[[], object]:
    def call() -> object:
        return services.message_send(
            actor=User.objects.get(username=username),
            message=Message.objects.get(pk=message_id),
        )

    return call


def test_two_sends_at_once_send_each_message_once(users, offices, returnees, message_file):
    message = sms(users["fp.comms"], offices["DKR"], region="")
    results = race([_send(message.pk, "fp.comms"), _send(message.pk, "coord.national")])
    assert set(results) <= {"ok", "already_sent"}, results
    message.refresh_from_db()
    assert message.status == "SENT"
    assert message.deliveries.count() == message.total == 2
    assert (message.sent, message.failed) == (2, 0)
    sent_to = Counter(line["to"] for line in sent_lines(message_file))
    assert sorted(sent_to.values()) == [1, 1]
