"""Journey: a case manager drafts a reintegration plan with an in-kind micro-business kit and a
cash measure; a coordinator approves it on a budget line; finance buys the kit (three
quotations, an order, the goods received) and records the hand-over certificate the returnee
signs on the screen; the case manager plans a cash instalment, one finance user prepares the
payment, a second approves it, the first records it; the plan shows what was paid and the
finance report the budget line's amounts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

# An open Tambacounda case led by cm.tamba that has no plan at all.
CASE_WITHOUT_PLAN = """
    SELECT c.id, c.number
    FROM cases_case c
    JOIN accounts_office o ON o.id = c.office_id
    JOIN accounts_user u ON u.id = c.lead_id
    WHERE o.code = 'TAM' AND u.username = 'cm.tamba'
      AND c.stage IN ('REGISTERED', 'ASSESSMENT', 'PLANNING')
      AND NOT EXISTS (SELECT 1 FROM plans_plan p WHERE p.case_id = c.id)
    ORDER BY c.id DESC
    LIMIT 1
"""


def test_a_plan_is_approved_and_its_cash_paid_by_two_finance_users(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(CASE_WITHOUT_PLAN)
    cm = browsing.signed_in("cm.tamba")
    cm.goto(f"/cases/{case['id']}/")
    card = cm.locator("section#plan")
    expect(card).to_contain_text("No plan yet.")
    card.get_by_role("button", name="Draft the plan").click()
    expect(cm).to_have_url(re.compile(r"/plans/\d+/$"))
    plan_url = cm.url

    cm.get_by_label("Economic assistance").fill("Tailoring workshop in the market of Tambacounda.")
    cm.get_by_role("button", name="Save").click()
    expect(cm.get_by_text("Plan saved.")).to_be_visible()

    def add_measure(kind: str, cost: str, description: str) -> None:
        section = cm.locator(
            "section", has=cm.get_by_role("heading", name="2. Assistance measures")
        )
        details = section.locator("details", has_text="Add a measure")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        form = details.locator("form")
        form.get_by_label("Type of assistance").select_option(label=kind)
        form.get_by_label("Estimated cost").fill(cost)
        form.get_by_label("Description").fill(description)
        form.get_by_role("button", name="Add the measure").click()
        expect(cm.get_by_text("Measure added.")).to_be_visible()

    add_measure("Individual micro-business", "450000", "Tailoring kit")
    add_measure("Cash", "60000", "Cash on arrival")
    items = cm.locator("section", has=cm.get_by_role("heading", name=re.compile("3. Goods")))
    items.locator("summary", has_text="Add an item").click()
    items.get_by_label("Item").fill("Sewing machine")
    items.get_by_label("Quantity").fill("1")
    items.get_by_label("Unit cost").fill("300000")
    items.get_by_role("button", name="Add the item").click()
    expect(cm.get_by_text("Item added.")).to_be_visible()
    expect(cm.locator("#plan-total")).to_contain_text("510000")
    cm.get_by_role("button", name="Submit for approval").click()
    expect(cm.get_by_text("Plan submitted for approval.")).to_be_visible()
    expect(cm.get_by_role("heading", level=1)).to_contain_text("Waiting for approval")

    coordinator = browsing.signed_in("coord.tamba")
    coordinator.goto(plan_url)
    approve = coordinator.locator("#approve-form")
    expect(approve.get_by_label("Budget line")).to_be_visible()
    approve.get_by_role("button", name="Approve the plan").click()
    expect(coordinator.get_by_text("Plan approved.")).to_be_visible()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Approved")

    line_code = coordinator.locator("dt:text('Budget line') + dd").inner_text().split(" ")[0]

    buyer = browsing.signed_in("finance")
    buyer.goto(plan_url)
    buyer.locator("#plan-purchases").get_by_role(
        "button", name=re.compile("Start the purchase")
    ).click()
    expect(buyer.get_by_text("Purchase requested.")).to_be_visible()
    purchase_url = buyer.url
    for amount in ("430000", "445000", "460000"):
        quotations = buyer.locator("section#quotations")
        details = quotations.locator("details", has_text="Add a quotation")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        details.get_by_label("Supplier").select_option(index=1)
        details.get_by_label("Amount").fill(amount)
        details.get_by_label("Received on").fill("2026-11-20")
        details.get_by_role("button", name="Add the quotation").click()
        expect(buyer.get_by_text("Quotation added.")).to_be_visible()
    order = buyer.locator("#order-form")
    order.get_by_label("Why this supplier").fill("Cheapest of three; machines in stock.")
    order.get_by_label("Purchase order number").fill("PO-E2E-001")
    order.get_by_role("button", name="Place the order").click()
    expect(buyer.get_by_text("Purchase: Ordered.")).to_be_visible()
    buyer.locator("#receive-form").get_by_role("button", name="Goods received").click()
    expect(buyer.get_by_text("Purchase: Goods received.")).to_be_visible()
    pad = buyer.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    buyer.mouse.move(box["x"] + 20, box["y"] + 40)
    buyer.mouse.down()
    for step in range(1, 12):
        buyer.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (15 if step % 2 else -15))
    buyer.mouse.up()
    buyer.locator("#handover-form").get_by_role("button", name="Record the hand-over").click()
    expect(buyer.get_by_text("Purchase: Handed over.")).to_be_visible()
    buyer.get_by_role("link", name="Hand-over certificate").click()
    certificate = buyer.locator("#certificate")
    expect(certificate).to_contain_text("Tailoring kit")
    expect(certificate).to_contain_text("430000.00")
    expect(certificate.locator("img.signature")).to_be_visible()
    assert purchase_url

    cm.goto(plan_url)
    panel = cm.locator("section#instalments")
    panel.locator("summary", has_text="Plan an instalment").click()
    panel.get_by_label("Amount").fill("60000")
    panel.get_by_label("Milestone").fill("On arrival")
    panel.get_by_role("button", name="Plan the instalment").click()
    expect(cm.get_by_text("Instalment planned.")).to_be_visible()

    def payment_row(page, step: str):  # noqa: ANN001, ANN202
        page.goto(f"/finance/payments/?step={step}")
        return page.locator("#instalments tr", has_text=case["number"])

    finance = browsing.signed_in("finance")
    row = payment_row(finance, "to_prepare")
    row.get_by_label("Phone or account").fill("771234567")
    row.get_by_role("button", name="Prepare the payment").click()
    expect(finance.get_by_text("Instalment: Payment instruction prepared.")).to_be_visible()
    # The preparer is not offered the approval.
    expect(
        payment_row(finance, "to_approve").get_by_role("button", name="Approve the payment")
    ).to_have_count(0)

    second = browsing.signed_in("finance.two")
    payment_row(second, "to_approve").get_by_role("button", name="Approve the payment").click()
    expect(second.get_by_text("Instalment: Payment approved.")).to_be_visible()

    row = payment_row(finance, "to_pay")
    row.get_by_label("Payment reference").fill("OM-E2E-0001")
    row.get_by_role("button", name="Record the payment").click()
    expect(finance.get_by_text("Instalment: Paid.")).to_be_visible()
    expect(payment_row(finance, "paid")).to_contain_text("OM-E2E-0001")

    cm.goto(plan_url)
    expect(cm.locator("#reconciliation")).to_contain_text("paid: 60000.00")

    finance.goto("/finance/reports/")
    expect(finance.locator("#report-lines tr", has_text=line_code)).to_be_visible()
