"""Journey: a regional coordinator adds a stakeholder with high influence and low interest (the
engagement level is "Communicate"), records an agreement with it that ends in three weeks, and
sees the agreement flagged as expiring soon."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing


def test_a_coordinator_registers_a_stakeholder_and_an_agreement_expiring_soon(
    browsing: Browsing,
) -> None:
    page = browsing.signed_in("coord.tamba")
    page.goto("/community/stakeholders/")
    expect(page.get_by_role("heading", name="Stakeholders", level=1)).to_be_visible()
    # The demo's regional development agency is managed closely.
    row = page.get_by_role("row").filter(
        has_text="Agence régionale de développement de Tambacounda"
    )
    expect(row).to_contain_text("Manage closely")

    page.get_by_role("link", name="Add a stakeholder").click()
    page.get_by_label("Kept by the office").select_option(label="Tambacounda")
    page.get_by_label("Name", exact=True).fill("Gouvernance de Bakel")
    page.get_by_label("Type", exact=True).select_option(label="Local authority")
    page.get_by_label("Region", exact=True).fill("Tambacounda")
    page.get_by_label("Influence").select_option(label="High")
    page.get_by_label("Interest").select_option(label="Low")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/community/stakeholders/\d+/$"))
    expect(page.get_by_text("Stakeholder added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Gouvernance de Bakel", level=1)).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Communicate")

    page.get_by_role("link", name="Record an agreement").click()
    page.get_by_label("Kept by the office").select_option(label="Tambacounda")
    expect(page.get_by_label("Stakeholder")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Kind").select_option(label="Memorandum of understanding (MoU)")
    page.get_by_label("Title").fill("MoU on the reception of returnees in Bakel")
    today = date.today()
    page.get_by_label("Signed on").fill((today - timedelta(days=300)).isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Agreement recorded.")).to_be_visible()
    header = page.locator(".page-header")
    expect(header).to_contain_text("Expiring soon")
    expect(header).to_contain_text("21 days left")

    page.goto("/community/agreements/?expiring=on")
    expect(
        page.get_by_role("link", name="MoU on the reception of returnees in Bakel")
    ).to_be_visible()
