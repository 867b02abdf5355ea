"""Journey: the communication focal point logs a campaign activity with the people it reached,
then writes an SMS to the returnees of a region: the preview counts who will receive it and who
is skipped for want of a communication consent, the send goes out, and the message page lists
the deliveries — without the returnee known to have no communication consent."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

REGION = "Kolda"
# Returnees of the region registered within the focal point's scope (the Senegal offices, not
# Rabat), whether they hold a communication consent that stands, and whether they have a phone.
_AUDIENCE = """
    SELECT p.id, p.given_names, p.family_name, p.phone,
      EXISTS (
        SELECT 1 FROM people_consent k
        WHERE k.person_id = p.id AND k.purpose = 'COMMUNICATION'
          AND k.withdrawn_on IS NULL AND k.given_on <= date('now')) AS consented
    FROM people_returnee p
    JOIN accounts_office o ON o.id = p.office_id
    WHERE o.code IN ('DKR', 'TAM', 'KLD') AND lower(p.region) = lower(?)
    ORDER BY p.family_name, p.given_names, p.id
"""


def test_the_focal_point_logs_an_activity_and_sends_an_sms_to_consenting_returnees(
    browsing: Browsing, demo_data: DemoData
) -> None:
    page = browsing.signed_in("fp.comms")

    # 1. A campaign activity with its reach by sex and age.
    page.goto("/outreach/campaigns/")
    expect(page.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
    page.get_by_role("link", name="Safe return and reintegration information").click()
    page.get_by_role("link", name="Log an activity").click()
    page.get_by_label("Office", exact=True).select_option(label="Kolda")
    page.get_by_label("Type", exact=True).select_option(label="Information session")
    page.get_by_label("Title", exact=True).fill("Information session in Médina Yoro Foulah")
    page.get_by_label("Date", exact=True).fill(date.today().isoformat())
    page.get_by_label("Region", exact=True).fill(REGION)
    page.get_by_label("Commune", exact=True).fill("Médina Yoro Foulah")
    page.get_by_label("Audience", exact=True).select_option(label="Returnees")
    page.get_by_label("Female, 18 to 24", exact=True).fill("9")
    page.get_by_label("Male, 25 to 59", exact=True).fill("12")
    page.get_by_label("Feedback gathered").fill("Questions about vocational training places.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/outreach/activities/\d+/$"))
    expect(page.get_by_text("Activity logged.")).to_be_visible()
    expect(page.get_by_role("heading", name="21 people reached")).to_be_visible()
    expect(
        page.get_by_role("link", name="Safe return and reintegration information")
    ).to_be_visible()

    # 2. An SMS to the returnees of the region: the preview counts, nothing is listed.
    audience = demo_data.rows(_AUDIENCE, REGION)
    recipients = [r for r in audience if r["consented"] and r["phone"]]
    refused = [r for r in audience if not r["consented"]]
    assert recipients and refused, "the demo needs consenting and non-consenting returnees"
    page.goto("/outreach/messages/")
    page.get_by_role("link", name="Write a message").click()
    page.get_by_label("Channel").select_option(label="SMS")
    page.get_by_label("Message", exact=True).fill(
        "Séance d'information sur la formation professionnelle jeudi au bureau de Kolda."
    )
    page.get_by_label("Region of return").fill(REGION)
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_url(re.compile(r"/outreach/messages/\d+/$"))
    preview = page.locator("#message-preview")
    expect(preview.locator("#preview-recipients")).to_have_text(
        re.compile(rf"^{len(recipients)} returnees? will receive it$")
    )
    expect(preview.locator("#preview-skipped-consent")).to_contain_text(
        f"{len(refused)} skipped: no valid communication consent"
    )
    not_consenting = f"{refused[0]['given_names']} {refused[0]['family_name'].upper()}"
    expect(page.get_by_text(not_consenting)).to_have_count(0)

    # 3. Send: the deliveries are listed with masked numbers, the skipped person is not.
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text("Sending started.")).to_be_visible()
    progress = page.locator("#message-progress")
    expect(progress.get_by_role("heading", name="Sent")).to_be_visible(timeout=20_000)
    expect(progress.locator("#count-total")).to_have_text(str(len(recipients)))
    deliveries = page.locator("#deliveries")
    first = recipients[0]
    row = deliveries.get_by_role("row").filter(
        has_text=f"{first['given_names']} {first['family_name'].upper()}"
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("*")
    digits = re.sub(r"\D", "", first["phone"])
    expect(row).not_to_contain_text(digits[-7:-2])
    expect(deliveries).not_to_contain_text(not_consenting)
