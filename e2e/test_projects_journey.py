"""Journey: a case manager starts a community project, fills the seven-criteria checklist, adds
a returnee of their caseload and community members counted by sex and age, and the returnee's
case timeline shows the project. The communication focal point then opens the demo's poultry
project: the totals, never a case narrative nor a returnee's name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

TITLE = "Unité de transformation de céréales de Bala"


def test_a_case_manager_runs_a_community_project_with_returnees_and_community_members(
    browsing: Browsing,
) -> None:
    page = browsing.signed_in("cm.tamba")
    page.goto("/community/projects/")
    expect(page.get_by_role("heading", name="Community projects", level=1)).to_be_visible()
    page.get_by_role("link", name="New project").click()

    page.get_by_label("Office", exact=True).select_option(label="Tambacounda")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary and objectives").fill("A cereal processing unit run together.")
    page.get_by_label("Approach").select_option(label="Collective returnee project")
    page.get_by_label("Economic").check()
    page.get_by_label("Social", exact=True).check()
    page.get_by_label("Region").fill("Tambacounda")
    page.get_by_label("Department").fill("Goudiry")
    page.get_by_label("Commune").fill("Bala")
    page.get_by_label("Khady Faye").check()  # the communication focal point
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/community/projects/\d+/$"))
    expect(page.get_by_text("Project created.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()

    # The checklist: every criterion rated, with a note.
    checklist = page.locator("#checklist")
    checklist.get_by_label(
        "Enough returnees to the same community within a short time", exact=True
    ).select_option(label="Met")
    checklist.get_by_label("Returnee skills matched to the project", exact=True).select_option(
        label="Partly met"
    )
    checklist.get_by_label("Basic infrastructure", exact=True).select_option(label="Not met")
    checklist.get_by_label("Notes: Basic infrastructure").fill("No electricity in Bala yet")
    checklist.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_text("Checklist saved.")).to_be_visible()
    infrastructure = page.locator("#checklist").get_by_label("Basic infrastructure", exact=True)
    expect(infrastructure).to_have_value("NOT_MET")

    # A returnee from the caseload.
    participants = page.locator("#participants")
    picker = participants.get_by_label("Returnee (from your caseload)")
    option = picker.locator("option").nth(1)
    case_id = option.get_attribute("value")
    case_label = option.inner_text()
    picker.select_option(value=case_id)
    participants.get_by_label("Role in the project").first.fill("Trésorier")
    participants.get_by_role("button", name="Add the returnee").click()
    expect(page.get_by_text("Returnee added to the project.")).to_be_visible()

    # Five young women of the community, unnamed.
    members = page.locator("#participants form").filter(has_text="Add community members")
    members.get_by_label("Sex", exact=True).select_option(label="Female")
    members.get_by_label("Age band").select_option(label="18 to 24")
    members.get_by_label("Number of people").fill("5")
    members.get_by_role("button", name="Add the community members").click()
    expect(page.get_by_text("Community members added.")).to_be_visible()
    expect(page.locator("#participant-totals")).to_have_text(
        "6 people: 1 returnees and 5 community members."
    )
    number = case_label.split(" · ")[0]
    expect(page.locator("#participant-rows")).to_contain_text(number)

    # The returnee's case timeline shows the project.
    page.goto(f"/cases/{case_id}/timeline/")
    expect(page.get_by_text(f"Joined community project: {TITLE}")).to_be_visible()


def test_the_communication_focal_point_sees_totals_but_no_case_narrative(
    browsing: Browsing, demo_data: DemoData
) -> None:
    project = demo_data.row(
        "SELECT id, title FROM community_communityproject WHERE title LIKE 'Ferme avicole%'"
    )
    notes = demo_data.rows(
        """
        SELECT n.body, r.family_name FROM cases_note n
        JOIN community_projectparticipant p ON p.case_id = n.case_id
        JOIN cases_case c ON c.id = n.case_id JOIN people_returnee r ON r.id = c.person_id
        WHERE p.project_id = ?
        """,
        project["id"],
    )
    page = browsing.signed_in("fp.comms")
    page.goto("/community/projects/?mine=on")
    page.get_by_role("link", name=project["title"]).click()
    expect(page.get_by_role("heading", name=project["title"], level=1)).to_be_visible()
    expect(page.locator("#participant-totals")).to_contain_text("4 returnees")
    expect(page.locator("#participant-rows")).to_contain_text(
        "Returnee (case not in your caseload)"
    )
    body = page.content()
    for note in notes:
        assert note["body"][:40] not in body
        assert note["family_name"].upper() not in body
    # The communication focal point records progress on a project they are assigned to.
    page.locator("summary", has_text="Add an activity").click()
    page.locator("#activities").get_by_label("Activity", exact=True).fill("Émission radio")
    page.get_by_role("button", name="Add the activity").click()
    expect(page.get_by_text("Activity added.")).to_be_visible()
