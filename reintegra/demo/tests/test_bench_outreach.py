"""The outreach and community benchmark (`bench/outreach.py`): its generator on a small
programme, the page measures and the bulk send, and the report's query count."""

import statistics
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reintegra.audit import chain
from reintegra.audit.models import AuditEvent
from reintegra.outreach.choices.feedback import FeedbackCategory, FeedbackStatus, FeedbackTheme
from reintegra.outreach.models import Delivery, FeedbackItem, Message, ProgrammeAdjustment
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent, Returnee


@pytest.fixture
def bench_programme(programme):
    call_command("bench", "generate", "--returnees", "150", stdout=StringIO())
    out = StringIO()
    call_command("bench", "outreach", "--feedback", "600", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_bench_outreach_writes_feedback_of_every_kind_and_the_community_records(
    bench_programme,
):
    assert FeedbackItem.objects.count() == 600
    assert set(FeedbackItem.objects.values_list("category", flat=True)) == set(
        FeedbackCategory.values
    )
    assert set(FeedbackItem.objects.values_list("theme", flat=True)) == set(FeedbackTheme.values)
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(FeedbackStatus.values)
    sensitive = FeedbackItem.objects.filter(category=FeedbackCategory.SENSITIVE)
    assert 0.04 <= sensitive.count() / 600 <= 0.2
    assert not sensitive.filter(sensitive_kind="").exists()
    today = timezone.localdate()
    oldest = FeedbackItem.objects.order_by("received_on").first()
    assert oldest is not None and oldest.received_on >= today - timedelta(days=731)
    overdue = FeedbackItem.objects.filter(
        status__in=["RECEIVED", "ACKNOWLEDGED", "ASSIGNED"], due_on__lt=today
    )
    assert overdue.exists()
    # Resolved items carry their response; references are unique by construction.
    assert not FeedbackItem.objects.filter(status="RESOLVED", resolved_on__isnull=True).exists()
    assert ProgrammeAdjustment.objects.filter(feedback_items__isnull=False).exists()
    assert "projects" in bench_programme and "stakeholders" in bench_programme
    from reintegra.community.models import CommunityProject, Stakeholder

    assert CommunityProject.objects.count() > 0 and Stakeholder.objects.count() > 0
    consenting = (
        Consent.objects.filter(purpose=ConsentPurpose.COMMUNICATION, withdrawn_on__isnull=True)
        .values("person_id")
        .distinct()
        .count()
    )
    assert 0.45 <= consenting / Returnee.objects.count() <= 0.6
    # The community records went through the services: audited, the chain intact.
    assert AuditEvent.objects.filter(action="community_project.created").exists()
    assert list(chain.verify(AuditEvent)) == []
    with pytest.raises(CommandError, match="already holds feedback"):
        call_command("bench", "outreach", "--feedback", "10", stdout=StringIO())


@pytest.mark.django_db
def test_bench_outreach_pages_measure_every_page_and_one_bulk_send(bench_programme):
    out = StringIO()

    call_command("bench", "outreach-pages", "--repeat", "1", stdout=out)

    text = out.getvalue()
    assert "| Measure | User | Median ms | p95 ms | Queries |" in text
    for measure in (
        "| Feedback list — overdue | coord.national |",
        "| Feedback list — restricted queue | coord.tamba |",
        "| Feedback report CSV — a year | fp.comms |",
        "| Message preview — a whole region | coord.tamba |",
        "| Home | cm.tamba |",
        "| Stakeholders | cm.tamba |",
    ):
        assert measure in text
    assert "Feedback list — restricted queue — cm.tamba" in text  # 403, not measured
    sent = Message.objects.get(status="SENT")
    assert sent.total > 0 and sent.sent == sent.total
    assert Delivery.objects.filter(message=sent, status="SENT").count() == sent.total
    assert f"| Recipients (consenting, with a phone) | {sent.total:,} |" in text


@pytest.mark.django_db
def test_the_feedback_report_reads_its_adjustments_in_a_fixed_number_of_queries(
    bench_programme,
):
    """The report once read each adjustment's feedback and findings separately (four queries
    an adjustment: ~470 queries and 3 s for a national year at 50,000 items)."""
    from reintegra.accounts.models import User
    from reintegra.outreach.permissions.feedback import report_offices
    from reintegra.outreach.selectors.feedback import ReportPeriod, feedback_report

    user = User.objects.get(username="coord.national")
    today = timezone.localdate()
    period = ReportPeriod(start=today - timedelta(days=364), end=today)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            feedback_report(user, period)
        return len(ctx.captured_queries)

    queries()  # the principal is loaded once
    before = queries()
    adjustment = ProgrammeAdjustment.objects.filter(decided_on__gte=period.start).first()
    assert adjustment is not None
    items = list(FeedbackItem.objects.values_list("pk", flat=True)[:3])
    for i in range(10):
        extra = ProgrammeAdjustment.objects.create(
            office=adjustment.office,
            decided_on=today,
            title=f"Ajustement {i}",
            area=adjustment.area,
            recorded_by=adjustment.recorded_by,
        )
        extra.feedback_items.set(items)

    assert queries() == before
    # The handling times are counted in the database: the medians are those of every item.
    everything = FeedbackItem.objects.filter(
        office_id__in=report_offices(user), received_on__gte=period.start
    )
    handling = {t.key: t for t in feedback_report(user, period)}["handling"]
    for row, code in zip(handling.rows, [*FeedbackCategory.values, ""], strict=True):
        mine = everything.filter(category=code) if code else everything
        for column, end in ((2, "acknowledged_on"), (3, "resolved_on")):
            days = [(e - r).days for r, e in mine.values_list("received_on", end) if e]
            assert row[column] == (f"{statistics.median(days):g}" if days else "—")
        assert row[1] == mine.count()
