"""Feedback recorded and handled at the same moment (PostgreSQL): every item gets its own
reference, and two coordinators acknowledging one item at once acknowledge it once."""

import datetime
from collections.abc import Callable

import pytest

from reintegra.accounts.models import Office, User
from reintegra.audit.models import AuditEvent
from reintegra.core.tests.race import race
from reintegra.outreach.models.feedback import FeedbackItem
from reintegra.outreach.services import feedback as services


def _record(username: str, code: str) -> Callable[[], object]:
    def call() -> object:
        return services.feedback_record(
            actor=User.objects.get(username=username),
            office=Office.objects.get(code=code),
            source="COMMUNITY",
            received_on=datetime.date.today(),
            channel="SMS",
            category="SUGGESTION",
            theme="INFORMATION",
            description="More sessions, please",
        )

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_recorders_at_once_get_six_references(users):
    calls = [_record("cm.kolda", "KLD") for _ in range(2)]
    calls += [_record("cm.tamba", "TAM") for _ in range(4)]
    results = race(calls)
    assert results == ["ok"] * 6
    references = list(FeedbackItem.objects.values_list("reference", flat=True))
    assert len(set(references)) == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_acknowledging_at_once_acknowledge_once(users, offices):
    item = _record("cm.tamba", "TAM")()
    assert isinstance(item, FeedbackItem)

    def acknowledge(username: str) -> Callable[[], object]:
        def call() -> object:
            return services.feedback_acknowledge(
                actor=User.objects.get(username=username),
                item=FeedbackItem.objects.get(pk=item.pk),
                version=1,
            )

        return call

    results = race([acknowledge("coord.tamba"), acknowledge("coord.national")])
    assert sorted(results) == ["ok", "stale_version"]
    assert AuditEvent.objects.filter(action="feedback.acknowledged").count() == 1
