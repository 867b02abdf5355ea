"""Journey: a coordinator breaks the glass on a case with a protection flag.

The protection focal point writes a protection note; the Tambacounda coordinator does not see
it, breaks the glass with a justification, reads the note under a break-glass banner; the
national coordinator finds the access in the review list and marks it reviewed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

# An open Tambacounda case with a protection flag.
PROTECTION_CASE = """
    SELECT c.id, c.number
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    WHERE o.code = 'TAM' AND c.has_protection_flag AND c.stage != 'CLOSED'
    ORDER BY c.id
    LIMIT 1
"""

JUSTIFICATION = "The returnee called tonight: the recruiter threatened the family again."


def test_a_coordinator_breaks_the_glass_and_it_is_reviewed(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(PROTECTION_CASE)
    case_path = f"/cases/{case['id']}/"
    secret = f"Safety plan {int(time.time())}: stays with the aunt, not the recruiter's village."

    # The protection focal point records a protection note on the case.
    fp = browsing.signed_in("fp.protection")
    fp.goto(case_path)
    notes = fp.locator("section#notes")
    notes.locator("summary", has_text="Add a note").click()
    notes.get_by_label("Type of note", exact=True).select_option(
        label="Protection note (restricted)"
    )
    notes.get_by_label("Note", exact=True).fill(secret)
    notes.get_by_role("button", name="Save the note").click()
    expect(fp.locator("body")).to_contain_text(secret)

    # The coordinator knows only that a protection entry exists.
    coord = browsing.signed_in("coord.tamba")
    coord.goto(case_path)
    expect(coord.get_by_role("heading", level=1)).to_contain_text(case["number"])
    expect(coord.locator("body")).not_to_contain_text(secret)

    # Break glass: a justification is required.
    card = coord.locator("#access-card")
    card.locator("summary", has_text="Break glass").click()
    glass = card.locator("form[action$='/break-glass/']")
    glass.get_by_label("Section", exact=True).select_option(label="Protection")
    glass.get_by_label("Justification of the emergency", exact=True).fill("urgent")
    glass.get_by_role("button", name="Break glass").click()
    expect(coord.locator("body")).to_contain_text("Explain the emergency")
    glass = coord.locator("#access-card form[action$='/break-glass/']")
    glass.get_by_label("Section", exact=True).select_option(label="Protection")
    glass.get_by_label("Justification of the emergency", exact=True).fill(JUSTIFICATION)
    glass.get_by_role("button", name="Break glass").click()

    # Back on the case: the banner, and the protection note is readable.
    expect(coord).to_have_url(f"{browsing.base_url}{case_path}")
    expect(coord.locator(".break-glass")).to_contain_text(
        "Break-glass access to the Protection section is open"
    )
    expect(coord.locator("section#notes")).to_contain_text(secret)

    # The national coordinator reviews it.
    national = browsing.signed_in("coord.national")
    national.goto("/cases/break-glass/")
    row = national.locator("#break-glass-table tr", has_text=case["number"]).filter(
        has_text=JUSTIFICATION
    )
    expect(row).to_have_count(1)
    row.get_by_label("Review comment").fill("Justified: threat confirmed by phone.")
    row.get_by_role("button", name="Mark as reviewed").click()
    expect(national.locator("body")).to_contain_text("Break-glass access reviewed.")
    national.goto("/cases/break-glass/?status=reviewed")
    expect(national.locator("#break-glass-table tr", has_text=JUSTIFICATION)).to_contain_text(
        "Justified: threat confirmed by phone."
    )
