"""Journey: the medical focal point records a medical need on a case; the case manager of that
case sees only that medical information exists, never the need (case page, section page)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

# An open Tambacounda case of cm.tamba with a medical flag (the medical focal point reaches it).
MEDICAL_CASE = """
    SELECT c.id, c.number
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    JOIN accounts_user u ON u.id = c.lead_id
    WHERE o.code = 'TAM' AND u.username = 'cm.tamba' AND c.has_medical_flag
      AND c.stage NOT IN ('CLOSED', 'PRE_DEPARTURE')
    ORDER BY c.id
    LIMIT 1
"""


def test_the_case_manager_sees_that_medical_information_exists_but_not_the_need(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(MEDICAL_CASE)
    section_path = f"/safeguarding/cases/{case['id']}/medical/"
    need = f"Insulin {int(time.time())}: two injections a day, cold storage needed."

    # The medical focal point records the need in the medical section.
    fp = browsing.signed_in("fp.medical")
    fp.goto(section_path)
    fp.locator("summary", has_text="Edit the section").click()
    fp.get_by_label("Medical needs", exact=True).fill(need)
    fp.get_by_role("button", name="Save the section").click()
    expect(fp.locator("#section-content")).to_contain_text(need)
    expect(fp.locator("body")).to_contain_text("Section saved.")

    # The case manager sees, on the case page, only that medical information exists.
    cm = browsing.signed_in("cm.tamba")
    cm.goto(f"/cases/{case['id']}/")
    sections = cm.locator("#restricted-sections")
    expect(sections).to_contain_text(
        "Medical information exists — restricted to the medical focal point."
    )
    expect(cm.locator("body")).not_to_contain_text(need)
    sections.get_by_role("link", name="Medical").click()
    expect(cm.locator("#section-restricted")).to_contain_text("Medical information exists")
    expect(cm.locator("body")).not_to_contain_text("Insulin")
