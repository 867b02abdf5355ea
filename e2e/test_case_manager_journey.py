"""Journey 1: a case manager registers a returnee past a duplicate warning, opens a case, writes
a counselling note and a follow-up task, moves the case to assessment, and reads the timeline."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData


def near_duplicate_of(given_names: str) -> str:
    """The given names with one letter changed (a typo the duplicate check should see through)."""
    last = given_names[-1]
    return given_names[:-1] + ("e" if last.lower() != "e" else "a")


def test_a_case_manager_registers_a_returnee_past_a_duplicate_warning_and_works_the_case(
    browsing: Browsing, demo_data: DemoData
) -> None:
    # A returnee registered at Tambacounda, whom cm.tamba can see, with a known birth date.
    existing = demo_data.row(
        """
        SELECT r.id, r.given_names, r.family_name, r.date_of_birth
        FROM people_returnee r JOIN accounts_office o ON o.id = r.office_id
        WHERE o.code = 'TAM' AND r.date_of_birth IS NOT NULL AND r.is_birth_date_estimated = 0
          AND length(r.given_names) >= 4
        ORDER BY r.id LIMIT 1
        """
    )
    given_names = near_duplicate_of(existing["given_names"])
    family_name = existing["family_name"]
    page = browsing.signed_in("cm.tamba")

    # Register: People → Register a returnee (people:new).
    page.goto("/people/new/")
    expect(page.get_by_role("heading", name="Register a returnee", level=1)).to_be_visible()
    page.get_by_label("Given names").fill(given_names)
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Date of birth").fill(existing["date_of_birth"])
    expect(page.get_by_label("Nationality")).to_have_value("SN")

    # The duplicate check runs as the name and birth date are typed, before anything is saved.
    warning = page.locator("#duplicates").get_by_role("alert")
    expect(warning).to_contain_text("Possible duplicate")
    expect(
        warning.get_by_role("link", name=f"{existing['given_names']} {family_name}")
    ).to_be_visible()

    page.get_by_label("Sex", exact=True).select_option(label="Male")
    page.get_by_label("Phone", exact=True).fill("+221 77 123 45 67")
    page.get_by_label("Region of return").fill("Tambacounda")
    page.get_by_label("Commune").fill("Goudiry")
    expect(page.locator(".htmx-request")).to_have_count(0)  # no check in flight any more
    page.get_by_label("This is not the same person").check()
    expect(page.get_by_label("Registering office")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Register", exact=True).click()

    # Saved: the person page, with their new record.
    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    expect(page.get_by_text("The person was registered.")).to_be_visible()
    full_name = re.compile(rf"^\s*{re.escape(given_names)} {re.escape(family_name)}\s*$", re.I)
    expect(page.get_by_role("heading", level=1)).to_have_text(full_name)
    person_url = page.url

    # Open a case from the person page (the cases card loads with htmx).
    page.get_by_role("link", name="Open a case").click()
    expect(page).to_have_url(re.compile(r"/cases/new/\?person=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{given_names} {family_name}", ignore_case=True
    )
    office = page.get_by_label("Office", exact=True)
    if not office.input_value():
        office.select_option(label="Tambacounda")
    page.get_by_label("Arrival date").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Open the case").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_text(re.compile(r"Case .+ opened\."))).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Registered")
    case_path = page.url.removeprefix(browsing.base_url)
    number = page.get_by_role("heading", level=1).inner_text().split("·")[0].strip()

    # A counselling note.
    notes = page.locator("section#notes")
    notes.locator("summary", has_text="Add a note").click()
    note = "First counselling session: wants to restart a tailoring business in Goudiry."
    notes.get_by_label("Note", exact=True).fill(note)
    notes.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    expect(page.locator("#note-list")).to_contain_text(note)

    # A follow-up task.
    tasks = page.locator("section", has=page.get_by_role("heading", name="Open tasks"))
    tasks.locator("summary", has_text="Add a task").click()
    tasks.get_by_label("Task", exact=True).fill("Follow-up visit in Goudiry")
    tasks.get_by_label("Due on").fill((date.today() + timedelta(days=14)).isoformat())
    tasks.get_by_role("button", name="Add the task").click()
    expect(page.get_by_text("Task added.")).to_be_visible()
    expect(
        page.locator("section", has=page.get_by_role("heading", name="Open tasks"))
    ).to_contain_text("Follow-up visit in Goudiry")

    # Registered → Assessment.
    actions = page.locator("section#actions")
    actions.locator("summary", has_text="Change stage").click()
    actions.get_by_label("Next stage").select_option(label="Assessment")
    actions.get_by_role("button", name="Change stage").click()
    expect(page.get_by_text("Stage changed.")).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Assessment")

    # The timeline tells the story, newest first.
    timeline = page.locator("#timeline")
    for event in ("Stage changed", "Task added", "Note added", "Case opened"):
        expect(timeline).to_contain_text(event)
    kinds = timeline.locator(".timeline-what").all_inner_texts()
    order = [kinds.index(k) for k in ("Stage changed", "Task added", "Note added", "Case opened")]
    assert order == sorted(order), f"timeline not newest first: {kinds}"

    # The person page now lists the case, and no second case can be opened while it is open.
    page.goto(person_url)
    cases = page.locator("#person-cases")
    expect(cases.get_by_role("link", name=number, exact=True)).to_have_attribute("href", case_path)
    expect(cases.get_by_role("row").filter(has_text=number)).to_contain_text("Assessment")
    expect(cases.get_by_role("link", name="Open a case")).to_have_count(0)
