"""The demo programme's communication work: a strategy in force, campaigns with activities and
reach, an SMS sent only to consenting returnees of Tambacounda (a few failed), and a draft."""

import pytest

from reintegra.demo.programme import programme_load
from reintegra.outreach.models.communication import (
    Activity,
    Campaign,
    CommunicationStrategy,
    Message,
)
from reintegra.outreach.selectors.communication import consenting, home_communication
from reintegra.people.models import Returnee

pytestmark = pytest.mark.django_db


def test_the_demo_has_communication_work_in_progress(users):
    programme_load()
    assert CommunicationStrategy.objects.filter(status="IN_FORCE").count() == 1
    assert Campaign.objects.count() == 2
    activities = Activity.objects.all()
    assert 5 <= activities.count() <= 8
    assert {"TAM", "KLD", "DKR"} == set(activities.values_list("office__code", flat=True))
    assert all(a.reached > 0 for a in activities)
    sent, draft = Message.objects.get(status="SENT"), Message.objects.get(status="DRAFT")
    assert sent.channel == "SMS" and draft.channel == "WHATSAPP"
    assert sent.failed > 0 and sent.sent > sent.failed
    assert sent.skipped_consent > 0
    tamba = Returnee.objects.filter(region="Tambacounda")
    agreed = set(consenting(tamba).values_list("pk", flat=True))
    recipients = set(sent.deliveries.values_list("person_id", flat=True))
    assert recipients and recipients <= agreed
    assert sent.deliveries.filter(status="DELIVERED").exists()
    home = home_communication(users["fp.comms"])
    assert home["strategies"] and home["activities"] and home["messages"]
