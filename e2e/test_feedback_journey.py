"""Journey: a complaint handled to resolution with a programme adjustment linked to it.

A case manager records a complaint from a returnee; the coordinator acknowledges it, assigns it,
resolves it with a response to the person and records a programme adjustment linked to it; the
complaint shows the adjustment and the report lists it. A sensitive complaint the case manager
records is out of their sight once saved, and waits in the coordinator's restricted queue.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing

REFERENCE = re.compile(r"FB-\d{4}-\d{4}")


def test_a_complaint_is_handled_to_an_adjustment(browsing: Browsing) -> None:
    cm = browsing.signed_in("cm.tamba")
    cm.goto("/outreach/feedback/new/")
    expect(cm.get_by_role("heading", name="Record feedback", level=1)).to_be_visible()
    cm.get_by_label("Office").select_option(label="Tambacounda")
    cm.get_by_label("From").select_option(label="Returnee")
    cm.get_by_label("Returnee", exact=True).select_option(index=1)
    cm.get_by_label("How to reach them for the response").fill("By phone, mornings")
    cm.get_by_label("Channel").select_option(label="Hotline / phone")
    cm.get_by_label("Category").select_option(label="Complaint")
    cm.get_by_label("Theme").select_option(label="Payments")
    cm.get_by_label("Description").fill("The agent at the pay point asked for a fee in Goudiry.")
    cm.get_by_role("button", name="Save").click()
    expect(cm).to_have_url(re.compile(r"/outreach/feedback/\d+/$"))
    expect(cm.get_by_text(re.compile(r"Feedback recorded as FB-"))).to_be_visible()
    heading = cm.get_by_role("heading", level=1).inner_text()
    reference = REFERENCE.search(heading).group(0)  # type: ignore[union-attr]
    item_url = cm.url

    coordinator = browsing.signed_in("coord.tamba")
    coordinator.goto(item_url)
    expect(coordinator.get_by_text("asked for a fee in Goudiry")).to_be_visible()
    coordinator.get_by_role("button", name="Acknowledge").click()
    expect(coordinator.locator("#feedback-status")).to_have_text("Acknowledged")
    coordinator.get_by_label("Assign to").select_option(label="Awa Ndiaye")
    coordinator.get_by_role("button", name="Assign", exact=True).click()
    expect(coordinator.locator("#feedback-assignee")).to_have_text("Awa Ndiaye")
    coordinator.get_by_label("Response to the person").fill(
        "The fee was not due; it was refunded and the agent reminded of the rules."
    )
    coordinator.get_by_label("Communicated by").select_option(label="Hotline / phone")
    coordinator.get_by_role("button", name="Resolve").click()
    expect(coordinator.locator("#feedback-status")).to_have_text("Resolved")
    expect(coordinator.locator("#feedback-response")).to_contain_text("refunded")

    coordinator.get_by_role("link", name="Record an adjustment").click()
    coordinator.get_by_label("Office").select_option(label="Tambacounda")
    coordinator.get_by_label("Title").fill("Pay-point agents display that the service is free")
    coordinator.get_by_label("Area").select_option(label="Partners")
    expect(coordinator.get_by_label(re.compile(reference))).to_be_checked()
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_text("Adjustment recorded.")).to_be_visible()
    expect(coordinator.locator("#basis-feedback")).to_contain_text(reference)

    coordinator.goto(item_url)
    expect(coordinator.locator("#adjustments")).to_contain_text(
        "Pay-point agents display that the service is free"
    )
    coordinator.goto("/outreach/feedback/report/")
    expect(coordinator.locator("#report-adjustments")).to_contain_text(
        "Pay-point agents display that the service is free"
    )
    expect(coordinator.locator("#report-adjustments")).to_contain_text(reference)


def test_a_sensitive_complaint_goes_to_the_coordinators_alone(browsing: Browsing) -> None:
    cm = browsing.signed_in("cm.tamba")
    cm.goto("/outreach/feedback/new/")
    cm.get_by_label("Office").select_option(label="Tambacounda")
    cm.get_by_label("From").select_option(label="Community member")
    cm.get_by_label("Anonymous").check()
    cm.get_by_label("Channel").select_option(label="In person")
    cm.get_by_label("Category").select_option(label="Sensitive complaint")
    cm.get_by_label("Kind of sensitive complaint").select_option(label="Misconduct")
    cm.get_by_label("Theme").select_option(label="Staff conduct")
    cm.get_by_label("Description").fill("A driver threatens returnees who complain.")
    cm.get_by_role("button", name="Save").click()
    expect(cm).to_have_url(re.compile(r"/outreach/feedback/\d+/recorded/$"))
    confirmation = cm.locator("#recorded")
    expect(confirmation).to_contain_text("restricted queue")
    reference = REFERENCE.search(confirmation.inner_text()).group(0)  # type: ignore[union-attr]
    expect(cm.get_by_text("threatens returnees")).to_have_count(0)
    detail_url = cm.url.replace("recorded/", "")
    response = cm.goto(detail_url)
    assert response is not None and response.status == 404
    cm.goto("/outreach/feedback/")
    expect(cm.get_by_text(reference)).to_have_count(0)

    coordinator = browsing.signed_in("coord.tamba")
    coordinator.goto("/outreach/feedback/")
    expect(coordinator.locator("#feedback-items")).not_to_contain_text(reference)
    coordinator.get_by_role("link", name="Restricted queue (sensitive complaints)").click()
    expect(coordinator.locator("#feedback-items")).to_contain_text(reference)
    expect(coordinator.locator("#feedback-items")).not_to_contain_text("threatens")
    coordinator.get_by_role("link", name=reference).click()
    expect(coordinator.get_by_text("A driver threatens returnees who complain.")).to_be_visible()
