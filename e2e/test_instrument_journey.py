"""Journey: the M&E officer uploads an XLSForm with skip logic; a case manager fills it in from
a case while the skip logic reacts to the answers, submits it and sees the scores."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from reintegra.instruments.xlsform import build_xlsform

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

FORM = {
    "survey": [
        [
            "type",
            "name",
            "label::English (en)",
            "label::French (fr)",
            "required",
            "relevant",
            "dimension",
            "constraint",
            "constraint_message::English (en)",
            "constraint_message::French (fr)",
        ],
        ["text", "case_number", "Case number", "Numéro de dossier", "yes", "", "", "", "", ""],
        [
            "select_one yn",
            "has_work",
            "Do you have work?",
            "Avez-vous du travail ?",
            "yes",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "text",
            "work",
            "What work?",
            "Quel travail ?",
            "yes",
            "${has_work} = 'yes'",
            "",
            "",
            "",
            "",
        ],
        [
            "integer",
            "days",
            "Days worked last week",
            "Jours travaillés la semaine dernière",
            "yes",
            "${has_work} = 'yes'",
            "",
            ". <= 7",
            "At most 7 days.",
            "7 jours au plus.",
        ],
        [
            "select_one level",
            "income",
            "Is your income enough?",
            "Votre revenu suffit-il ?",
            "yes",
            "",
            "economic",
            "",
            "",
            "",
        ],
        [
            "select_one level",
            "food",
            "Do you eat enough?",
            "Mangez-vous à votre faim ?",
            "yes",
            "",
            "economic",
            "",
            "",
            "",
        ],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::French (fr)", "score"],
        ["yn", "yes", "Yes", "Oui", ""],
        ["yn", "no", "No", "Non", ""],
        ["level", "never", "Never", "Jamais", 0],
        ["level", "sometimes", "Sometimes", "Parfois", 1],
        ["level", "always", "Always", "Toujours", 2],
    ],
    "settings": [
        ["form_id", "form_title", "version", "default_language", "case_field"],
        ["work_check", "Work check", "2026-11", "English (en)", "case_number"],
    ],
}


def test_an_xlsform_with_skip_logic_is_uploaded_filled_in_and_scored(
    browsing: Browsing, demo_data: DemoData, tmp_path: Path
) -> None:
    path = tmp_path / "work_check.xlsx"
    path.write_bytes(build_xlsform(FORM))

    # The M&E officer uploads the form from the library.
    me = browsing.signed_in("me.officer")
    me.goto("/instruments/")
    expect(me.get_by_role("link", name="Rapid vulnerability screening")).to_be_visible()
    me.get_by_label("XLSForm (.xlsx)").set_input_files(str(path))
    me.get_by_role("button", name="Upload").click()
    expect(me.get_by_role("heading", name="Work check", level=1)).to_be_visible()
    expect(me.get_by_text("Work check: version 1 stored.")).to_be_visible()
    expect(me.locator(".outline")).to_contain_text("Do you have work?")

    # A case manager starts it from one of their open cases.
    case = demo_data.row(
        """
        SELECT c.id, c.number FROM cases_case c JOIN accounts_user u ON u.id = c.lead_id
        WHERE u.username = 'cm.tamba' AND c.stage = 'ASSESSMENT' ORDER BY c.id LIMIT 1
        """
    )
    page = browsing.signed_in("cm.tamba")
    page.goto(f"/cases/{case['id']}/")
    panel = page.locator("section#responses")
    expect(panel).to_contain_text("Assessments and surveys")
    panel.get_by_label("Instrument").select_option(label="Work check")
    panel.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="Work check", level=1)).to_be_visible()
    expect(page.get_by_label("Case number")).to_have_value(case["number"])

    # Skip logic: the work questions appear only once "Yes" is answered.
    expect(page.get_by_label("What work?")).to_have_count(0)
    page.get_by_role("radio", name="Yes").check()
    expect(page.get_by_label("What work?")).to_be_visible()
    page.get_by_label("What work?").fill("Tailor")
    page.get_by_label("Days worked last week").fill("9")
    page.locator("fieldset", has_text="Is your income enough?").get_by_label("Sometimes").check()
    page.locator("fieldset", has_text="Do you eat enough?").get_by_label("Always").check()
    expect(page.locator(".htmx-request")).to_have_count(0)

    # The server checks everything again on submit: the constraint refuses 9 days.
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("At most 7 days.")).to_be_visible()
    expect(page.get_by_label("What work?")).to_have_value("Tailor")
    page.get_by_label("Days worked last week").fill("5")
    page.get_by_role("button", name="Submit").click()

    # Back on the case: the response is listed with its score; the page shows the dimension.
    expect(page).to_have_url(re.compile(rf"/cases/{case['id']}/$"))
    expect(page.get_by_text("Submitted.")).to_be_visible()
    panel = page.locator("section#responses")
    expect(panel).to_contain_text("75/100")
    panel.get_by_role("link", name="Work check").first.click()
    scores = page.locator("dl.scores")
    expect(scores).to_contain_text("economic")
    expect(scores).to_contain_text("75/100")
    expect(page.locator("#timeline")).to_have_count(0)
    page.goto(f"/cases/{case['id']}/")
    expect(page.locator("#timeline")).to_contain_text("Assessment or survey submitted")
