"""Journey: ODK Collect sends a survey for one of cm.tamba's cases and it appears on the case
page; the M&E specialist finds the visits due on the home page and reads the dashboard."""

from __future__ import annotations

import base64
import copy
import datetime
import re
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from defusedxml import ElementTree as SafeET
from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
ITEMS = [
    "sat_return",
    "sat_counselling",
    "sat_economic",
    "sat_social",
    "sat_community",
    "sat_overall",
    "sat_expectations",
]


def _auth(username: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:reintegra-demo".encode()).decode()
    return {"Authorization": f"Basic {raw}", "X-OpenRosa-Version": "1.0"}


def _send(base_url: str, path: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(base_url + path, data=data, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local server
        return response.status, response.read()


def _filled(xform: bytes, case_number: str) -> bytes:
    """The primary instance of the XForm filled in, as ODK Collect posts it."""
    html = SafeET.fromstring(xform)
    root = copy.deepcopy(next(iter(html.find(f"{{{H}}}head/{{{XF}}}model/{{{XF}}}instance"))))
    values = {"case_number": case_number, "survey_date": datetime.date.today().isoformat()}
    values.update({f"satisfaction/{item}": "very_satisfied" for item in ITEMS})
    values["meta/instanceID"] = f"uuid:{uuid.uuid4()}"
    for path, value in values.items():
        element = root.find("/".join(f"{{{XF}}}{p}" for p in path.split("/")))
        assert element is not None, path
        element.text = value
    return ET.tostring(root, encoding="utf-8")


def test_a_submission_from_odk_collect_appears_on_the_case(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(
        """
        SELECT c.id, c.number FROM cases_case c JOIN accounts_user u ON u.id = c.lead_id
        WHERE u.username = 'cm.tamba' AND c.stage = 'PLANNING' ORDER BY c.id LIMIT 1
        """
    )
    base = browsing.base_url
    status, listing = _send(base, "/openrosa/formList", headers=_auth("cm.tamba"))
    assert status == 200 and b"<formID>satisfaction_survey</formID>" in listing
    download = re.search(rb"<downloadUrl>([^<]*satisfaction_survey[^<]*)</downloadUrl>", listing)
    assert download is not None
    path = download.group(1).decode().removeprefix(base)
    _status, xform = _send(base, path, headers=_auth("cm.tamba"))

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + _filled(xform, case["number"])
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**_auth("cm.tamba"), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, answer = _send(base, "/openrosa/submission", body, headers)
    assert status == 201, answer

    page = browsing.signed_in("cm.tamba")
    page.goto(f"/cases/{case['id']}/")
    panel = page.locator("section#responses")
    expect(panel.get_by_role("link", name="Satisfaction survey").first).to_be_visible()
    expect(panel).to_contain_text("100/100")
    expect(page.locator("#timeline")).to_contain_text("Satisfaction survey · 100/100")


def test_the_me_officer_finds_visits_due_and_reads_the_dashboard(browsing: Browsing) -> None:
    page = browsing.signed_in("me.officer")
    page.goto("/")
    visits = page.locator("section#visits")
    expect(visits.get_by_role("heading", name="Monitoring visits due")).to_be_visible()
    expect(visits.get_by_role("listitem").first).to_contain_text(re.compile(r"\w+-\d{4}-\d+"))

    visits.get_by_role("link", name="M&E dashboard").click()
    expect(page.get_by_role("heading", name="M&E dashboard", level=1)).to_be_visible()
    offices = page.locator("#figure-offices")
    expect(offices.get_by_role("rowheader", name="Tambacounda")).to_be_visible()
    expect(offices.locator("svg rect").first).to_be_visible()
    expect(page.locator("#figure-change")).to_contain_text("Composite")
    with page.expect_download() as download:
        offices.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "reintegra-offices.csv"
