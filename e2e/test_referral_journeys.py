"""Referral journeys: a case manager refers a returnee to a provider's service, the provider
answers through its link without an account, and the link is revoked; a returnee without
consent for referral is not referred; a medical referral's details stay with the medical tier.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

REFERENCE = re.compile(r"RF-[A-Z0-9]{8}")
THANKS = "Thank you: your answer was recorded."

# An open Tambacounda case led by cm.tamba, never referred, whose returnee (living in the
# Tambacounda region, with a phone and a date of birth) gave a consent for referral that
# stands. The consent condition decides which journey a case belongs to.
_TAMBA_CASE = """
    SELECT c.id, c.number, p.given_names, p.family_name, p.phone, p.date_of_birth
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    JOIN accounts_user u ON u.id = c.lead_id
    JOIN people_returnee p ON p.id = c.person_id
    WHERE o.code = 'TAM' AND u.username = 'cm.tamba'
      AND c.stage NOT IN ('CLOSED', 'PRE_DEPARTURE')
      AND p.region = 'Tambacounda' AND p.phone != '' AND p.date_of_birth IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM referrals_referral r WHERE r.case_id = c.id)
      AND {consent} EXISTS (
        SELECT 1 FROM people_consent k
        WHERE k.person_id = c.person_id AND k.purpose = 'REFERRAL'
          AND k.withdrawn_on IS NULL AND k.given_on <= date('now'))
    ORDER BY c.id
    LIMIT 1
"""
CONSENTED_CASE = _TAMBA_CASE.format(consent="")
UNCONSENTED_CASE = _TAMBA_CASE.format(consent="NOT")

# A medical referral of the demo that cm.tamba made (sent, so it is on the loop).
MEDICAL_REFERRAL = """
    SELECT r.id, r.reference, r.reason
    FROM referrals_referral r
    JOIN accounts_user u ON u.id = r.created_by_id
    WHERE r.tier = 'MEDICAL' AND u.username = 'cm.tamba' AND r.state != 'DRAFT'
    ORDER BY r.id
    LIMIT 1
"""


def open_refer_form(page: Page, case_id: int, number: str) -> None:
    """From the case page, the Referrals card (loaded by htmx) → Refer."""
    page.goto(f"/cases/{case_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    card = page.locator("section#referrals")
    expect(card.get_by_role("heading", name="Referrals")).to_be_visible()
    expect(card).to_contain_text("No referral yet.")
    card.get_by_role("link", name="Refer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/referrals/case/{case_id}/new/$"))


def test_a_case_manager_refers_and_the_provider_answers_through_its_link(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(CONSENTED_CASE)
    name = f"{case['given_names']} {case['family_name'].upper()}"

    cm = browsing.signed_in("cm.tamba")
    open_refer_form(cm, case["id"], case["number"])
    expect(cm.locator("#consent-status")).to_contain_text("Given on")
    service = cm.get_by_label("Chambre de métiers de Tambacounda · Business plan coaching")
    service.check()
    cm.get_by_label("What the referral asks for").fill(
        "Recherche d'emploi dans la menuiserie : accompagnement pour monter un atelier."
    )
    # What is shared by default: enough to reach the person, nothing more.
    shared = cm.locator("#shared-fields")
    expect(shared.get_by_label("Name")).to_be_checked()
    expect(shared.get_by_label("Phone")).to_be_checked()
    expect(shared.get_by_label("Date of birth")).not_to_be_checked()
    cm.get_by_role("button", name="Send the referral").click()

    expect(cm).to_have_url(re.compile(r"/referrals/\d+/$"))
    referral_url = cm.url
    heading = cm.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Sent")
    match = REFERENCE.search(heading.inner_text())
    assert match, f"no reference in {heading.inner_text()!r}"
    reference = match.group(0)
    expect(cm.get_by_text(f"Referral {reference} sent.")).to_be_visible()
    expect(cm.locator("#shared")).to_contain_text(name)

    # The printable form shows the provider link, once.
    cm.get_by_role("button", name="Issue a provider link").click()
    link = cm.locator("#provider-link")
    expect(link).to_be_visible()
    expect(cm.locator("#reference")).to_have_text(reference)
    url = link.inner_text().strip()
    assert re.fullmatch(rf"{re.escape(browsing.base_url)}/r/[^/]+/", url), url

    # The provider, without an account, in a browser of its own.
    provider = browsing.new_page()
    response = provider.goto(url)
    assert response is not None and response.status == 200
    expect(provider.locator("#reference")).to_have_text(reference)
    answered = provider.locator("#shared")
    expect(answered).to_contain_text("Name")
    expect(answered).to_contain_text(name)
    expect(answered).to_contain_text("Phone")
    expect(answered).to_contain_text(case["phone"])
    expect(answered).not_to_contain_text("Date of birth")
    expect(provider.locator("body")).not_to_contain_text(case["date_of_birth"])
    expect(provider.locator(".user-name")).to_have_count(0)  # nobody is signed in

    provider.get_by_role("button", name="Acknowledge receipt").click()
    expect(provider.get_by_text(THANKS)).to_be_visible()
    expect(provider.get_by_role("button", name="Acknowledge receipt")).to_have_count(0)
    provider.get_by_role("button", name="Accept the referral").click()
    expect(provider.get_by_text(THANKS)).to_be_visible()
    expect(provider.get_by_role("heading", level=1)).to_contain_text("Accepted")
    provider.get_by_role("button", name="The service was delivered").click()
    expect(provider.get_by_text(THANKS)).to_be_visible()
    expect(provider.get_by_role("heading", level=1)).to_contain_text("Delivered")
    expect(provider.locator("#nothing-to-do")).to_be_visible()

    # The case manager sees the provider's answers, then revokes the link.
    cm.goto(referral_url)
    expect(cm.get_by_role("heading", level=1)).to_contain_text("Delivered")
    links = cm.locator("section#links")
    expect(links).to_contain_text("Live")
    # The button asks for confirmation (data-confirm): Browsing's pages accept dialogs.
    links.get_by_role("button", name="Revoke").click()
    expect(cm.get_by_text("The link was revoked: it no longer opens.")).to_be_visible()
    expect(cm.locator("section#links")).to_contain_text("Revoked")

    response = provider.goto(url)
    assert response is not None and response.status == 410
    expect(provider.get_by_role("heading", level=1)).to_have_text("This link is no longer valid")
    expect(provider.locator("body")).not_to_contain_text(name)


def test_a_returnee_without_consent_for_referral_is_not_referred(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(UNCONSENTED_CASE)

    cm = browsing.signed_in("cm.tamba")
    open_refer_form(cm, case["id"], case["number"])
    form_url = cm.url
    expect(cm.locator("#consent-status")).to_contain_text("No valid consent for referral")
    cm.get_by_label(
        "Caisse de crédit mutuel de Tambacounda · Savings account and micro-credit"
    ).check()
    cm.get_by_label("What the referral asks for").fill(
        "Ouvrir un compte d'épargne pour recevoir l'appui au démarrage."
    )
    cm.get_by_role("button", name="Send the referral").click()

    expect(cm.get_by_text("has not given a valid consent for referral")).to_be_visible()
    assert cm.url == form_url
    expect(cm.locator("#override")).to_be_visible()

    # Nothing was created: the case's Referrals card is still empty.
    cm.goto(f"/cases/{case['id']}/")
    expect(cm.locator("section#referrals")).to_contain_text("No referral yet.")


def _plain(stored: str) -> str:
    """A referral text as the demo server stores it: encrypted at rest with the field key the
    server derives from its secret key (the demo server runs without REINTEGRA_* settings)."""
    if not stored.startswith("fernet:"):
        return stored
    secret = "insecure-development-key-do-not-use-in-production"
    key = base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{secret}".encode()).digest())
    return Fernet(key).decrypt(stored.removeprefix("fernet:").encode()).decode()


def test_a_medical_referral_is_for_the_medical_tier_only(
    browsing: Browsing, demo_data: DemoData
) -> None:
    referral = demo_data.row(MEDICAL_REFERRAL)
    path = f"/referrals/{referral['id']}/"
    reason = _plain(referral["reason"])

    # Finance: not even that it exists, on the page and in the API.
    finance = browsing.signed_in("finance")
    response = finance.goto(path)
    assert response is not None and response.status == 404, f"{path}: {response}"
    expect(finance.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(finance.locator("body")).not_to_contain_text(referral["reference"])
    api = finance.request.get(f"{browsing.base_url}/api/referrals/{referral['id']}")
    assert api.status == 404, f"the API answered {api.status}: {api.text()[:200]}"
    assert reason not in api.text()

    # The medical focal point reads it.
    medical = browsing.signed_in("fp.medical")
    response = medical.goto(path)
    assert response is not None and response.status == 200
    expect(medical.get_by_role("heading", level=1)).to_contain_text(referral["reference"])
    expect(medical.get_by_text(reason)).to_be_visible()

    # The case manager who made it knows it exists, not what it says.
    cm = browsing.signed_in("cm.tamba")
    response = cm.goto(path)
    assert response is not None and response.status == 200
    expect(cm.locator("#restricted-referral")).to_be_visible()
    expect(cm.locator("body")).not_to_contain_text(reason)
