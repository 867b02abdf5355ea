"""Journey: a person asks for their data; the coordinator records the request, makes the
password-protected export and downloads it. The ZIP opens with the password shown on the page
(and not without it), names that person and holds nothing about another returnee.
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING

import pytest
import pyzipper
from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

# A Tambacounda returnee with a unique name and at least one case note.
SUBJECT = """
    SELECT r.id, r.given_names, r.family_name FROM people_returnee r
    JOIN accounts_office o ON o.id = r.office_id
    WHERE o.code = 'TAM'
      AND (SELECT COUNT(*) FROM people_returnee r2 WHERE r2.name_key = r.name_key) = 1
      AND EXISTS (SELECT 1 FROM cases_case c JOIN cases_note n ON n.case_id = c.id
                  WHERE c.person_id = r.id)
    ORDER BY r.id LIMIT 1
"""
# Another Tambacounda returnee with a case, and that case's number.
OTHER = """
    SELECT r.given_names, r.family_name, c.number FROM people_returnee r
    JOIN accounts_office o ON o.id = r.office_id
    JOIN cases_case c ON c.person_id = r.id
    WHERE o.code = 'TAM' AND r.id != ? AND r.family_name != ?
    ORDER BY r.id LIMIT 1
"""


def test_a_coordinator_answers_a_subject_access_request(
    browsing: Browsing, demo_data: DemoData
) -> None:
    subject = demo_data.row(SUBJECT)
    other = demo_data.row(OTHER, subject["id"], subject["family_name"])
    name = f"{subject['given_names']} {subject['family_name']}"

    page = browsing.signed_in("coord.tamba")
    page.goto("/privacy/requests/new/")
    expect(
        page.get_by_role("heading", name="Record a subject-access request", level=1)
    ).to_be_visible()
    page.get_by_label("Name or phone of the person").fill(name)
    page.get_by_role("button", name="Search").click()
    page.locator("#person-matches").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("Request from"))).to_be_visible()
    page.get_by_label("Identity checked by").select_option(label="Identity document seen")
    page.get_by_label("What the person asked for").fill("Everything you hold about me.")
    page.get_by_label("Language of the answer").select_option(label="English")
    page.get_by_role("button", name="Record the request").click()
    expect(page).to_have_url(re.compile(r"/privacy/requests/\d+/$"))
    detail_url = page.url
    expect(page.get_by_text("The request is recorded.")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("Received")

    page.get_by_role("button", name="Make the export").click()
    expect(page.get_by_role("heading", name="The export is ready")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("In progress")
    password = page.locator("#export-password").inner_text().strip()
    assert len(password) >= 20
    with page.expect_download() as download:
        page.locator("#export-download").click()
    assert download.value.suggested_filename.endswith(".zip")
    data = download.value.path().read_bytes()

    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(RuntimeError):
            archive.read("data.json")
        archive.setpassword(password.encode())
        exported = json.loads(archive.read("data.json"))
        summary = archive.read("summary.html").decode()
    returnee = exported["people"]["returnee"]
    assert (returnee["given_names"], returnee["family_name"]) == (
        subject["given_names"],
        subject["family_name"],
    )
    assert exported["cases"]["notes"]
    assert subject["family_name"].upper() in summary
    everything = json.dumps(exported, ensure_ascii=False) + summary
    assert other["number"] not in everything
    assert f"{other['given_names']} {other['family_name'].upper()}" not in everything

    # The password is shown once: the request page does not show it again.
    page.goto(detail_url)
    expect(page.locator("#request-status")).to_have_text("In progress")
    expect(page.locator("#export-password")).to_have_count(0)
