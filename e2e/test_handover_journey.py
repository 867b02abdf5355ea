"""Journeys 2 and 3: a host-country case manager hands a pre-departure case over to Tambacounda;
the origin coordinator finds it waiting, accepts it, and the case belongs to Tambacounda.
A case manager of another office cannot reach that case at all: 404, like a missing page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

# A pre-departure case of Rabat led by cm.rabat, with no hand-over waiting, whose returnee has a
# current case-management consent (the consent a hand-over relies on).
WAITING_RABAT_CASE = """
    SELECT c.id, c.number
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    JOIN accounts_user u ON u.id = c.lead_id
    WHERE o.code = 'RBT' AND c.stage = 'PRE_DEPARTURE' AND u.username = 'cm.rabat'
      AND NOT EXISTS (
        SELECT 1 FROM cases_handover h WHERE h.case_id = c.id AND h.status = 'PENDING')
      AND EXISTS (
        SELECT 1 FROM people_consent p
        WHERE p.person_id = c.person_id AND p.purpose = 'CASE_MANAGEMENT'
          AND p.withdrawn_on IS NULL AND p.given_on <= date('now'))
    ORDER BY c.id
    LIMIT 1
"""

# A case Rabat handed over to Tambacounda, which Tambacounda accepted (demo data).
TAMBACOUNDA_CASE_FROM_RABAT = """
    SELECT c.id, c.number
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    JOIN cases_handover h ON h.case_id = c.id AND h.status = 'ACCEPTED'
    JOIN accounts_office t ON t.id = h.to_office_id AND t.code = 'TAM'
    WHERE o.code = 'TAM'
    ORDER BY c.id
    LIMIT 1
"""


def expect_not_found(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 404, f"{path} answered {response.status}, not 404"
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_a_host_office_hands_a_case_over_and_the_origin_coordinator_accepts_it(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(WAITING_RABAT_CASE)
    number, case_path = case["number"], f"/cases/{case['id']}/"

    # cm.rabat (host country) requests the hand-over from the case page.
    rabat = browsing.signed_in("cm.rabat")
    rabat.goto(case_path)
    expect(rabat.get_by_role("heading", level=1)).to_contain_text(number)
    expect(rabat.locator(".page-header")).to_contain_text("Pre-departure")
    actions = rabat.locator("section#actions")
    actions.locator("summary", has_text="Hand over to an origin-country office").click()
    actions.get_by_label("Receiving office", exact=True).select_option(label="Tambacounda")
    consent = actions.get_by_label("Consent relied on", exact=True)
    consents = [
        text
        for text in consent.locator("option").all_inner_texts()
        if text.startswith("Case management")
    ]
    assert consents, "the hand-over form offers no case-management consent"
    consent.select_option(label=consents[0])
    sections = actions.get_by_role("group", name="Other sections that travel")
    sections.get_by_label("Household").check()
    sections.get_by_label("Counselling notes").check()
    expect(sections.get_by_label("Attached files")).not_to_be_checked()
    actions.get_by_label("Message to the receiving office").fill(
        "Flight on Thursday; he wants to settle near Goudiry."
    )
    actions.get_by_role("button", name="Request the hand-over").click()

    expect(
        rabat.get_by_text("Hand-over requested: the receiving office must accept it.")
    ).to_be_visible()
    expect(
        rabat.get_by_text("A hand-over to Tambacounda is waiting for acceptance.")
    ).to_be_visible()
    expect(rabat.locator("#timeline")).to_contain_text("Hand-over requested")

    # coord.tamba sees it waiting on the home page…
    coordinator = browsing.signed_in("coord.tamba")
    waiting = coordinator.locator("section#handovers")
    expect(waiting.get_by_role("heading", name="Hand-overs waiting for acceptance")).to_be_visible()
    expect(waiting.get_by_role("link", name=number)).to_be_visible()
    expect(waiting).to_contain_text("from Rabat to Tambacounda")

    # …and in the incoming hand-overs, reached from the case list.
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    coordinator.get_by_role("link", name="Incoming hand-overs").click()
    expect(coordinator).to_have_url(re.compile(r"/cases/handovers/$"))
    row = coordinator.get_by_role("row").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rabat")
    expect(row).to_contain_text("Tambacounda")
    row.get_by_role("link", name=re.compile(r"^Review")).click()

    # The hand-over: what travels, on which consent; then accept it.
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Hand-over of {number}")
    summary = coordinator.locator("dl.details")
    travelling = summary.locator("dt", has_text="Sections that travel").locator(
        "xpath=following-sibling::dd[1]"
    )
    for section in ("Identity and contacts", "Household", "Counselling notes"):
        expect(travelling).to_contain_text(section)
    expect(travelling).not_to_contain_text("Attached files")
    expect(summary).to_contain_text("Case management")
    expect(summary).to_contain_text("Flight on Thursday")
    coordinator.get_by_role("button", name="Accept the hand-over").click()

    # The case now belongs to Tambacounda, registered on arrival, and its timeline says so.
    expect(coordinator).to_have_url(re.compile(rf"{re.escape(case_path)}$"))
    expect(
        coordinator.get_by_text(f"Hand-over accepted: case {number} now belongs to Tambacounda.")
    ).to_be_visible()
    office = coordinator.locator("dl.details dt", has_text=re.compile(r"^Office$"))
    expect(office.locator("xpath=following-sibling::dd[1]")).to_have_text("Tambacounda")
    expect(coordinator.locator(".page-header")).to_contain_text("Registered")
    timeline = coordinator.locator("#timeline")
    expect(timeline.locator(".timeline-what", has_text="Handed over")).to_have_count(1)
    expect(timeline).to_contain_text("Hand-over requested")

    # Nothing is left waiting.
    coordinator.goto("/cases/handovers/")
    expect(coordinator.get_by_role("row").filter(has_text=number)).to_have_count(0)

    # Journey 3 on this very case: Kolda's case manager cannot reach it.
    kolda = browsing.signed_in("cm.kolda")
    expect_not_found(kolda, case_path)


def test_a_case_manager_of_another_office_gets_404_on_a_tambacounda_case(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(TAMBACOUNDA_CASE_FROM_RABAT)
    case_path = f"/cases/{case['id']}/"

    # Tambacounda's case manager works on it…
    tamba = browsing.signed_in("cm.tamba")
    response = tamba.goto(case_path)
    assert response is not None and response.status == 200
    expect(tamba.get_by_role("heading", level=1)).to_contain_text(case["number"])

    # …Kolda's gets the same 404 as for a case that does not exist, on the page and its parts.
    kolda = browsing.signed_in("cm.kolda")
    expect_not_found(kolda, case_path)
    expect_not_found(kolda, f"{case_path}timeline/")
    expect_not_found(kolda, "/cases/99999999/")
    kolda.goto(f"/cases/?q={case['number']}")
    expect(kolda.locator("#case-results")).to_contain_text("No case matches.")
