"""Feedback pages: recording, the lists and the restricted queue, the workflow forms,
adjustments and the report with its downloads."""

import datetime

import pytest
from django.urls import reverse

from reintegra.audit.models import AuditEvent
from reintegra.outreach.models.feedback import FeedbackItem, ProgrammeAdjustment
from reintegra.outreach.services import feedback as services
from reintegra.outreach.tests.fixtures_feedback import *  # noqa: F403  (the fixtures)
from reintegra.outreach.tests.fixtures_feedback import TODAY, record

pytestmark = pytest.mark.django_db


def form_data(office, **extra):
    data = {
        "office": office.pk,
        "source": "COMMUNITY",
        "received_on": TODAY().isoformat(),
        "channel": "IN_PERSON",
        "category": "COMPLAINT",
        "sensitive_kind": "",
        "theme": "QUALITY",
        "description": "The goats delivered were sick",
    }
    data.update(extra)
    return data


def test_a_case_manager_records_a_complaint_and_sees_it(client_for, offices):
    client = client_for("cm.tamba")
    assert client.get(reverse("outreach:feedback_new")).status_code == 200
    response = client.post(reverse("outreach:feedback_new"), form_data(offices["TAM"]))
    item = FeedbackItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:feedback_detail", args=[item.pk])
    page = client.get(response["Location"])
    assert b"The goats delivered were sick" in page.content


def test_a_sensitive_complaint_shows_its_reference_once_then_is_not_found(client_for, offices):
    client = client_for("cm.tamba")
    data = form_data(offices["TAM"], category="SENSITIVE", sensitive_kind="SEA")
    response = client.post(reverse("outreach:feedback_new"), data)
    item = FeedbackItem.objects.get()
    assert response["Location"] == reverse("outreach:feedback_recorded", args=[item.pk])
    confirmation = client.get(response["Location"])
    assert item.reference.encode() in confirmation.content
    assert b"goats" not in confirmation.content
    assert client.get(reverse("outreach:feedback_detail", args=[item.pk])).status_code == 404
    assert item.reference.encode() not in client.get(reverse("outreach:feedback_list")).content
    coordinator = client_for("coord.tamba")
    queue = coordinator.get(reverse("outreach:feedback_list") + "?queue=restricted")
    assert item.reference.encode() in queue.content
    assert b"goats" not in queue.content  # never the description in a list
    main = coordinator.get(reverse("outreach:feedback_list"))
    assert item.reference.encode() not in main.content


def test_only_coordinators_open_the_restricted_queue(client_for):
    url = reverse("outreach:feedback_list") + "?queue=restricted"
    assert client_for("fp.comms").get(url).status_code == 403


def test_bad_input_gives_form_errors_not_a_500(client_for, offices):
    client = client_for("cm.tamba")
    response = client.post(
        reverse("outreach:feedback_new"),
        form_data(offices["TAM"], category="SENSITIVE", received_on="not a date"),
    )
    assert response.status_code == 422
    assert not FeedbackItem.objects.exists()
    response = client.post(
        reverse("outreach:feedback_new"), form_data(offices["TAM"], category="SENSITIVE")
    )
    assert response.status_code == 422
    assert b"kind of sensitive complaint" in response.content
    response = client.post(reverse("outreach:feedback_new"), form_data(offices["KLD"]))
    assert response.status_code == 422


def test_list_filters_and_overdue_flags(client_for, offices, users):
    late = record(
        users["cm.tamba"], offices["TAM"], received_on=TODAY() - datetime.timedelta(days=30)
    )
    fresh = record(users["cm.tamba"], offices["TAM"], "SUGGESTION", theme="INFORMATION")
    client = client_for("coord.tamba")
    page = client.get(reverse("outreach:feedback_list") + "?overdue=on")
    assert late.reference.encode() in page.content
    assert fresh.reference.encode() not in page.content
    assert b"Acknowledgement overdue" in page.content
    page = client.get(reverse("outreach:feedback_list") + "?theme=INFORMATION&status=bogus")
    assert fresh.reference.encode() in page.content
    assert late.reference.encode() not in page.content


def test_the_coordinator_handles_a_complaint_through_the_page(client_for, complaint, users):
    client = client_for("coord.tamba")
    detail = reverse("outreach:feedback_detail", args=[complaint.pk])

    def act(action, data):
        url = reverse("outreach:feedback_transition", args=[complaint.pk, action])
        return client.post(url, data)

    today = TODAY().isoformat()
    assert act("acknowledge", {"ack-version": 1, "ack-acknowledged_on": today}).status_code == 302
    assert act("assign", {"assign-version": 2, "assign-assignee": users["cm.psy"].pk})[
        "Location"
    ] == (detail)
    response = act(
        "resolve",
        {
            "resolve-version": 3,
            "resolve-response": "New goats on Friday",
            "resolve-responded_on": today,
            "resolve-response_channel": "IN_PERSON",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "RESOLVED" and complaint.response == "New goats on Friday"
    page = client.get(detail)
    assert b"New goats on Friday" in page.content


def test_a_stale_form_is_refused_with_a_message(client_for, complaint):
    client = client_for("coord.tamba")
    url = reverse("outreach:feedback_transition", args=[complaint.pk, "acknowledge"])
    today = TODAY().isoformat()
    client.post(url, {"ack-version": 1, "ack-acknowledged_on": today})
    response = client.post(url, {"ack-version": 1, "ack-acknowledged_on": today}, follow=True)
    assert b"changed by someone else" in response.content
    assert AuditEvent.objects.filter(action="feedback.acknowledged").count() == 1


def test_bad_transition_input_is_a_message_not_a_500(client_for, complaint):
    client = client_for("coord.tamba")
    url = reverse("outreach:feedback_transition", args=[complaint.pk, "acknowledge"])
    response = client.post(url, {"ack-version": "x", "ack-acknowledged_on": "y"})
    assert response.status_code == 302
    bogus = reverse("outreach:feedback_transition", args=[complaint.pk, "explode"])
    assert client.post(bogus, {}).status_code == 404


def test_the_recorder_may_not_act_on_the_item(client_for, complaint):
    url = reverse("outreach:feedback_transition", args=[complaint.pk, "acknowledge"])
    response = client_for("cm.tamba").post(url, {"ack-version": 1})
    assert response.status_code == 403


def test_the_coordinator_records_an_adjustment_linked_to_feedback_and_a_visit(
    client_for, complaint, visit, offices
):
    client = client_for("coord.tamba")
    form = client.get(reverse("outreach:adjustment_new") + f"?feedback={complaint.pk}")
    assert visit.case.number.encode() in form.content
    data = {
        "office": offices["TAM"].pk,
        "decided_on": TODAY().isoformat(),
        "title": "Veterinary check before delivery",
        "description": "Every animal is checked by the livestock service",
        "area": "PARTNERS",
        "status": "PLANNED",
        "feedback_items": [complaint.pk],
        "visits": [visit.pk],
    }
    response = client.post(reverse("outreach:adjustment_new"), data)
    adjustment = ProgrammeAdjustment.objects.get()
    assert response["Location"] == reverse("outreach:adjustment_detail", args=[adjustment.pk])
    page = client.get(response["Location"])
    assert complaint.reference.encode() in page.content
    assert b"month" in page.content
    item_page = client.get(reverse("outreach:feedback_detail", args=[complaint.pk]))
    assert b"Veterinary check before delivery" in item_page.content
    listing = client.get(reverse("outreach:adjustment_list"))
    assert b"Veterinary check before delivery" in listing.content


def test_an_adjustment_is_edited_with_its_version(client_for, complaint, offices, users):
    adjustment = services.adjustment_record(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        decided_on=TODAY(),
        title="Hotline open on Saturdays",
        area="COMMUNICATION",
    )
    client = client_for("coord.tamba")
    url = reverse("outreach:adjustment_edit", args=[adjustment.pk])
    assert client.get(url).status_code == 200
    data = {
        "decided_on": TODAY().isoformat(),
        "title": "Hotline open on Saturdays",
        "area": "COMMUNICATION",
        "status": "IMPLEMENTED",
        "feedback_items": [complaint.pk],
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == "IMPLEMENTED"
    assert list(adjustment.feedback_items.all()) == [complaint]
    stale = client.post(url, data)
    assert stale.status_code == 409
    assert client.post(url, {**data, "version": 2, "area": "NOPE"}).status_code == 422
    assert client_for("me.officer").get(url).status_code == 403


def test_the_report_page_and_its_downloads(client_for, complaint, sensitive, offices, users):
    services.adjustment_record(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        decided_on=TODAY(),
        title="=HYPERLINK(evil)",
        area="OTHER",
        feedback_items=[complaint],
    )
    client = client_for("me.officer")
    page = client.get(reverse("outreach:feedback_report"))
    assert page.status_code == 200
    assert b"Adjustments made" in page.content
    assert b"money" not in page.content
    csv = client.get(reverse("outreach:feedback_report_export", args=["adjustments", "csv"]))
    assert csv.status_code == 200
    assert b"'=HYPERLINK(evil)" in csv.content
    xlsx = client.get(reverse("outreach:feedback_report_export", args=["all", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = reverse("outreach:feedback_report_export", args=["nothing", "csv"])
    assert client.get(bad).status_code == 404
    odd = client.get(reverse("outreach:feedback_report") + "?start=2026-13-01&office=abc")
    assert odd.status_code == 200
    assert client_for("cm.tamba").get(reverse("outreach:feedback_report")).status_code == 403


def test_the_home_section_lists_overdue_items_and_the_restricted_queue(
    complaint, sensitive, offices, users, rf
):
    from django.template.loader import render_to_string

    from reintegra.outreach.selectors.feedback import home_feedback

    late = record(
        users["cm.tamba"], offices["TAM"], received_on=TODAY() - datetime.timedelta(days=20)
    )
    request = rf.get("/")
    request.user = users["coord.tamba"]
    html = render_to_string(
        "outreach/feedback/_home.html",
        {"home": home_feedback(users["coord.tamba"])},
        request=request,
    )
    assert late.reference in html
    assert "1 open sensitive complaint in the restricted queue" in html
    request.user = users["cm.tamba"]
    html = render_to_string(
        "outreach/feedback/_home.html", {"home": home_feedback(users["cm.tamba"])}, request=request
    )
    assert complaint.reference in html and sensitive.reference not in html
    assert "restricted queue" not in html


def test_ids_beyond_the_database_range_are_not_found(client_for):
    client = client_for("coord.tamba")
    huge = 10**30
    assert client.get(reverse("outreach:feedback_detail", args=[huge])).status_code == 404
    assert client.get(reverse("outreach:adjustment_detail", args=[huge])).status_code == 404
    url = reverse("outreach:adjustment_new") + f"?feedback={huge}"
    assert client.get(url).status_code == 200


def test_the_list_costs_the_same_few_queries_however_many_items(
    client_for, offices, users, django_assert_max_num_queries
):
    for _ in range(30):
        record(users["cm.tamba"], offices["TAM"])
    client = client_for("coord.tamba")
    client.get(reverse("outreach:feedback_list"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("outreach:feedback_list") + "?overdue=on&mine=on")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("outreach:feedback_list"))
