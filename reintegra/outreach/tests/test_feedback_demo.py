"""The demo programme's feedback: every category and channel, overdue items, the sensitive
complaint in the coordinators' queue only, adjustments linked to feedback and to a visit."""

import pytest

from reintegra.demo.programme import programme_load
from reintegra.outreach.choices.feedback import FeedbackCategory, FeedbackChannel
from reintegra.outreach.models.feedback import FeedbackItem, ProgrammeAdjustment
from reintegra.outreach.selectors import feedback as selectors

pytestmark = pytest.mark.django_db


def test_the_demo_has_feedback_in_every_state_and_adjustments_behind_it(users):
    programme_load()
    items = FeedbackItem.objects.all()
    assert 18 <= items.count() <= 25
    assert set(items.values_list("category", flat=True)) == set(FeedbackCategory.values)
    assert set(items.values_list("channel", flat=True)) == set(FeedbackChannel.values)
    assert {"RECEIVED", "ACKNOWLEDGED", "ASSIGNED", "RESOLVED", "CLOSED"} <= set(
        items.values_list("status", flat=True)
    )
    assert any(i.is_overdue for i in items)
    sensitive = items.get(category="SENSITIVE")
    queue = selectors.feedback_list_for_user(
        users["coord.tamba"], selectors.FeedbackFilters(queue="restricted")
    )
    assert list(queue) == [sensitive]
    assert not selectors.feedback_visible_to(users["cm.tamba"]).filter(pk=sensitive.pk).exists()
    adjustments = ProgrammeAdjustment.objects.all()
    assert adjustments.count() == 3
    assert all(a.feedback_items.exists() for a in adjustments)
    assert sum(a.visits.count() for a in adjustments) == 1
    for username in ("coord.tamba", "cm.tamba", "cm.kolda", "fp.comms"):
        assert selectors.home_feedback(users[username]) is not None, username
