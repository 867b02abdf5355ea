"""Feedback services and selectors: recording, the workflow, due dates and overdue items, the
restricted queue of sensitive complaints, the adjustment log and the report."""

import datetime

import pytest
import time_machine
from django.http import Http404

from reintegra.audit.models import AuditEvent
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.outreach.models.feedback import FeedbackItem, ProgrammeAdjustment
from reintegra.outreach.selectors import feedback as selectors
from reintegra.outreach.services import feedback as services
from reintegra.outreach.tests.fixtures_feedback import *  # noqa: F403  (the fixtures)
from reintegra.outreach.tests.fixtures_feedback import TODAY, record

pytestmark = pytest.mark.django_db


def audit(action):
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


# --- recording --------------------------------------------------------------------------------


def test_recording_gives_a_yearly_reference_due_dates_and_an_audit_row(offices, users):
    first = record(users["cm.tamba"], offices["TAM"])
    second = record(users["cm.kolda"], offices["KLD"], "INFORMATION")
    year = TODAY().year
    assert first.reference == f"FB-{year}-{first.pk:04d}"
    assert second.reference == f"FB-{year}-{second.pk:04d}"
    assert first.status == "RECEIVED"
    assert first.ack_due_on == TODAY() + datetime.timedelta(days=3)
    assert first.due_on == TODAY() + datetime.timedelta(days=14)
    assert second.due_on == TODAY() + datetime.timedelta(days=7)
    row = audit("feedback.recorded")
    assert row.target_id == second.pk
    assert row.changes["category"] == [None, "INFORMATION"]


def test_due_dates_come_from_the_settings(offices, users, settings):
    settings.REINTEGRA_FEEDBACK_ACK_DAYS = 1
    settings.REINTEGRA_FEEDBACK_DUE_DAYS = {"COMPLAINT": 21}
    item = record(users["cm.tamba"], offices["TAM"])
    assert item.ack_due_on == TODAY() + datetime.timedelta(days=1)
    assert item.due_on == TODAY() + datetime.timedelta(days=21)


def test_the_audit_row_of_a_sensitive_complaint_carries_no_description(sensitive):
    for row in AuditEvent.objects.filter(target_type="feedbackitem", target_id=sensitive.pk):
        assert "money" not in str(row.changes)
        assert "description" not in row.changes


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"channel": "PIGEON"}, "channel"),
        ({"theme": "WEATHER"}, "theme"),
        ({"description": "  "}, "description"),
        ({"received_on": TODAY() + datetime.timedelta(days=2)}, "received_on"),
        ({"sensitive_kind": "FRAUD"}, "sensitive_kind"),
        ({"source": "ALIEN"}, "source"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(offices, users, extra, field):
    with pytest.raises(ValidationFailed) as err:
        record(users["cm.tamba"], offices["TAM"], **extra)
    assert err.value.field == field
    assert not FeedbackItem.objects.exists()


def test_a_sensitive_complaint_needs_its_kind(offices, users):
    with pytest.raises(ValidationFailed) as err:
        record(users["cm.tamba"], offices["TAM"], "SENSITIVE", sensitive_kind="")
    assert err.value.field == "sensitive_kind"


def test_feedback_is_recorded_only_at_an_office_of_the_recorders_scope(offices, users):
    with pytest.raises(ValidationFailed):
        record(users["cm.tamba"], offices["KLD"])


def test_the_system_administrator_records_no_feedback(offices, users):
    with pytest.raises(NotAllowed):
        record(users["sysadmin"], offices["DKR"])


def test_a_returnee_is_linked_only_when_the_recorder_sees_them(offices, users, returnee_case):
    person = returnee_case.person
    item = record(users["cm.tamba"], offices["TAM"], source="RETURNEE", returnee=person)
    assert item.returnee_id == person.pk
    assert audit("feedback.recorded").person_id == person.pk
    with pytest.raises(ValidationFailed) as err:
        record(users["cm.kolda"], offices["KLD"], source="RETURNEE", returnee=person)
    assert err.value.field == "returnee"


def test_anonymous_feedback_keeps_no_name(offices, users):
    item = record(users["cm.tamba"], offices["TAM"], person_name="Awa", is_anonymous=True)
    assert item.person_name == "" and item.is_anonymous


# --- who sees what ----------------------------------------------------------------------------


def test_scope_roles_see_the_items_of_their_scope_others_their_own(complaint, users, offices):
    kolda = record(users["cm.kolda"], offices["KLD"])
    for username in ("coord.tamba", "coord.national", "fp.comms", "me.officer", "cm.tamba"):
        assert selectors.feedback_get_for_user(users[username], complaint.pk) == complaint
    for username in ("cm.psy", "cm.kolda", "finance", "fp.medical", "sysadmin"):
        with pytest.raises(Http404):
            selectors.feedback_get_for_user(users[username], complaint.pk)
    with pytest.raises(Http404):
        selectors.feedback_get_for_user(users["coord.tamba"], kolda.pk)


def test_a_sensitive_complaint_is_seen_by_coordinators_of_its_scope_only(sensitive, users):
    for username in ("coord.tamba", "coord.national"):
        assert selectors.feedback_get_for_user(users[username], sensitive.pk) == sensitive
    for username in ("cm.tamba", "fp.comms", "me.officer", "fp.protection"):
        with pytest.raises(Http404):
            selectors.feedback_get_for_user(users[username], sensitive.pk)
    # Its recorder keeps only the confirmation (the reference).
    assert selectors.feedback_recorded_get_for_user(users["cm.tamba"], sensitive.pk) == sensitive
    with pytest.raises(Http404):
        selectors.feedback_recorded_get_for_user(users["coord.tamba"], sensitive.pk)


def test_the_restricted_queue_lists_sensitive_complaints_apart(complaint, sensitive, users):
    coordinator = users["coord.tamba"]
    ordinary = selectors.feedback_list_for_user(coordinator, selectors.FeedbackFilters())
    restricted = selectors.feedback_list_for_user(
        coordinator, selectors.FeedbackFilters(queue="restricted")
    )
    assert list(ordinary) == [complaint]
    assert list(restricted) == [sensitive]
    assert list(
        selectors.feedback_list_for_user(users["cm.tamba"], selectors.FeedbackFilters())
    ) == [complaint]


def test_a_garbage_id_is_not_found(users):
    with pytest.raises(Http404):
        selectors.feedback_get_for_user(users["coord.tamba"], "x1")


# --- the workflow -----------------------------------------------------------------------------


def handle_to_resolution(item, coordinator, assignee):
    item = services.feedback_acknowledge(actor=coordinator, item=item, version=item.version)
    item = services.feedback_assign(
        actor=coordinator, item=item, version=item.version, assignee=assignee
    )
    return services.feedback_resolve(
        actor=assignee,
        item=item,
        version=item.version,
        response="The kit will be delivered on Monday; we called you to say so.",
        responded_on=TODAY(),
        response_channel="HOTLINE",
    )


def test_a_complaint_is_handled_to_closure_with_an_audit_row_per_step(complaint, users):
    coordinator, cm = users["coord.tamba"], users["cm.psy"]
    item = handle_to_resolution(complaint, coordinator, cm)
    assert item.status == "RESOLVED" and item.resolved_on == TODAY()
    # The assignee now sees the item they were assigned.
    assert selectors.feedback_get_for_user(cm, item.pk) == item
    item = services.feedback_close(actor=coordinator, item=item, version=item.version)
    assert item.status == "CLOSED"
    actions = list(
        AuditEvent.objects.filter(target_type="feedbackitem", target_id=item.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "feedback.recorded",
        "feedback.acknowledged",
        "feedback.assigned",
        "feedback.resolved",
        "feedback.closed",
    ]
    assert "response" not in audit("feedback.resolved").changes
    assert audit("feedback.assigned").changes["assigned_to"] == [None, cm.pk]
    assert [e.action for e in item.events.all()] == [
        "acknowledge",
        "assign",
        "resolve",
        "close",
    ]


def test_reopening_needs_a_reason_and_goes_back_to_the_assignee(complaint, users):
    coordinator = users["coord.tamba"]
    item = handle_to_resolution(complaint, coordinator, users["cm.psy"])
    with pytest.raises(ValidationFailed):
        services.feedback_reopen(actor=coordinator, item=item, version=item.version, reason=" ")
    item = services.feedback_reopen(
        actor=coordinator, item=item, version=item.version, reason="The kit did not arrive"
    )
    assert item.status == "ASSIGNED"
    assert item.events.last().note == "The kit did not arrive"
    assert "The kit did not arrive" not in str(audit("feedback.reopened").changes)


def test_a_stale_version_is_refused_and_changes_nothing(complaint, users):
    coordinator = users["coord.tamba"]
    services.feedback_acknowledge(actor=coordinator, item=complaint, version=complaint.version)
    with pytest.raises(StaleVersion):
        services.feedback_acknowledge(actor=coordinator, item=complaint, version=1)
    assert FeedbackItem.objects.get(pk=complaint.pk).version == 2


def test_a_transition_out_of_order_is_refused(complaint, users):
    with pytest.raises(ValidationFailed) as err:
        services.feedback_close(
            actor=users["coord.tamba"], item=complaint, version=complaint.version
        )
    assert err.value.code == "invalid_transition"


def test_the_recorder_who_is_not_a_handler_may_not_act(complaint, users):
    with pytest.raises(NotAllowed):
        services.feedback_acknowledge(
            actor=users["cm.tamba"], item=complaint, version=complaint.version
        )
    with pytest.raises(NotAllowed):
        services.feedback_acknowledge(
            actor=users["me.officer"], item=complaint, version=complaint.version
        )


def test_the_communication_focal_point_handles_feedback(complaint, users):
    item = services.feedback_acknowledge(
        actor=users["fp.comms"], item=complaint, version=complaint.version
    )
    assert item.status == "ACKNOWLEDGED"


def test_a_sensitive_complaint_is_assigned_only_to_a_coordinator(sensitive, users):
    coordinator = users["coord.tamba"]
    item = services.feedback_acknowledge(actor=coordinator, item=sensitive, version=1)
    with pytest.raises(ValidationFailed) as err:
        services.feedback_assign(
            actor=coordinator, item=item, version=item.version, assignee=users["cm.tamba"]
        )
    assert err.value.field == "assignee"
    item = services.feedback_assign(
        actor=coordinator, item=item, version=item.version, assignee=users["coord.national"]
    )
    assert item.assigned_to == users["coord.national"]


def test_an_item_is_assigned_only_to_staff_of_its_office(complaint, users):
    coordinator = users["coord.tamba"]
    item = services.feedback_acknowledge(actor=coordinator, item=complaint, version=1)
    with pytest.raises(ValidationFailed):
        services.feedback_assign(
            actor=coordinator, item=item, version=item.version, assignee=users["cm.kolda"]
        )


def test_resolving_needs_the_response_and_how_it_was_given(complaint, users):
    coordinator = users["coord.tamba"]
    item = services.feedback_acknowledge(actor=coordinator, item=complaint, version=1)
    with pytest.raises(ValidationFailed) as err:
        services.feedback_resolve(
            actor=coordinator,
            item=item,
            version=item.version,
            response="Done",
            responded_on=TODAY(),
            response_channel="",
        )
    assert err.value.field == "response_channel"


# --- overdue items ----------------------------------------------------------------------------


def test_overdue_acknowledgement_and_resolution_are_flagged_and_filtered(offices, users):
    old = TODAY() - datetime.timedelta(days=20)
    late = record(users["cm.tamba"], offices["TAM"], received_on=old)
    fresh = record(users["cm.tamba"], offices["TAM"])
    assert late.ack_overdue and late.resolution_overdue and late.is_overdue
    assert not fresh.is_overdue
    overdue = selectors.feedback_list_for_user(
        users["coord.tamba"], selectors.FeedbackFilters(overdue=True)
    )
    assert list(overdue) == [late]
    home = selectors.home_feedback(users["coord.tamba"])
    assert home is not None and home["overdue"] == [late]


def test_the_assignees_home_lists_their_items(complaint, users):
    coordinator, cm = users["coord.tamba"], users["cm.psy"]
    item = services.feedback_acknowledge(actor=coordinator, item=complaint, version=1)
    services.feedback_assign(actor=coordinator, item=item, version=item.version, assignee=cm)
    home = selectors.home_feedback(cm)
    assert home is not None and [i.pk for i in home["mine"]] == [complaint.pk]
    assert selectors.home_feedback(users["finance"]) is None


# --- adjustments ------------------------------------------------------------------------------


def test_an_adjustment_links_feedback_and_a_visit(complaint, sensitive, visit, offices, users):
    adjustment = services.adjustment_record(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        decided_on=TODAY(),
        title="Kits delivered weekly",
        area="ASSISTANCE",
        feedback_items=[complaint, sensitive],
        visits=[visit],
    )
    assert set(adjustment.feedback_items.all()) == {complaint, sensitive}
    assert list(complaint.adjustments.all()) == [adjustment]
    row = audit("adjustment.recorded")
    assert row.changes["visits"] == [None, [visit.pk]]
    # The M&E specialist sees the visit, and only counts the sensitive complaint.
    basis = selectors.adjustment_basis(users["me.officer"], adjustment)
    assert basis.feedback == [complaint] and basis.hidden_feedback == 1
    assert [v.pk for v, _label in basis.visits] == [visit.pk]
    label = basis.visits[0][1]
    assert label.startswith(visit.case.number) and "month" in label
    # The communication focal point does not see the case's visit.
    assert selectors.adjustment_basis(users["fp.comms"], adjustment).hidden_visits == 1


def test_an_adjustment_links_only_what_its_author_sees(complaint, offices, users):
    kolda = record(users["cm.kolda"], offices["KLD"])
    with pytest.raises(ValidationFailed) as err:
        services.adjustment_record(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            decided_on=TODAY(),
            title="x",
            area="OTHER",
            feedback_items=[kolda],
        )
    assert err.value.field == "feedback_items"
    assert not ProgrammeAdjustment.objects.exists()


def test_only_coordinators_record_adjustments(offices, users):
    with pytest.raises(NotAllowed):
        services.adjustment_record(
            actor=users["me.officer"],
            office=offices["DKR"],
            decided_on=TODAY(),
            title="x",
            area="OTHER",
        )


def test_an_adjustment_update_keeps_hidden_links_and_checks_the_version(
    complaint, sensitive, offices, users
):
    adjustment = services.adjustment_record(
        actor=users["coord.national"],
        office=offices["TAM"],
        decided_on=TODAY(),
        title="Hotline hours",
        area="COMMUNICATION",
        feedback_items=[complaint, sensitive],
    )
    updated = services.adjustment_update(
        actor=users["coord.tamba"],
        adjustment=adjustment,
        version=1,
        status="IMPLEMENTED",
        feedback_items=[],
    )
    assert updated.status == "IMPLEMENTED" and updated.version == 2
    # coord.tamba sees both items, so removing them removes both.
    assert list(updated.feedback_items.all()) == []
    assert audit("adjustment.updated").changes["status"] == ["PLANNED", "IMPLEMENTED"]
    with pytest.raises(StaleVersion):
        services.adjustment_update(
            actor=users["coord.tamba"], adjustment=adjustment, version=1, title="Other"
        )


def test_adjustments_are_read_in_scope_only(offices, users):
    kolda = services.adjustment_record(
        actor=users["coord.national"],
        office=offices["KLD"],
        decided_on=TODAY(),
        title="Radio in Pulaar",
        area="COMMUNICATION",
    )
    assert selectors.adjustment_get_for_user(users["me.officer"], kolda.pk) == kolda
    for username in ("coord.tamba", "cm.kolda"):
        with pytest.raises(Http404):
            selectors.adjustment_get_for_user(users[username], kolda.pk)


# --- the report -------------------------------------------------------------------------------


def test_the_report_counts_themes_by_month_and_sensitive_ones_without_detail(offices, users):
    with time_machine.travel(TODAY() - datetime.timedelta(days=40), tick=False):
        old = record(users["cm.tamba"], offices["TAM"], theme="PAYMENTS")
    record(users["cm.tamba"], offices["TAM"], "SENSITIVE", description="secret words")
    coordinator = users["coord.tamba"]
    services.feedback_acknowledge(actor=coordinator, item=old, version=1)
    period = selectors.default_period()
    tables = {t.key: t for t in selectors.feedback_report(users["me.officer"], period)}
    themes = tables["themes"]
    assert themes.rows[-1][0] == "Total"
    payments = themes.columns.index("Payments")
    delays = themes.columns.index("Assistance delays")
    assert themes.rows[-1][payments] == 1 and themes.rows[-1][delays] == 1
    categories = tables["categories"]
    assert categories.rows[-1][categories.columns.index("Sensitive complaint")] == 1
    assert "secret words" not in str([t.rows for t in tables.values()])
    handling = tables["handling"]
    everything = handling.rows[-1]
    assert everything[1] == 2
    assert everything[2] == "40"  # received 40 days ago, acknowledged today


def test_the_report_lists_the_adjustments_of_the_period(complaint, offices, users):
    services.adjustment_record(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        decided_on=TODAY(),
        title="Kits delivered weekly",
        area="ASSISTANCE",
        feedback_items=[complaint],
    )
    tables = selectors.feedback_report(users["coord.tamba"], selectors.default_period())
    adjustments = tables[-1]
    assert adjustments.rows[0][1] == "Kits delivered weekly"
    assert complaint.reference in adjustments.rows[0][5]
