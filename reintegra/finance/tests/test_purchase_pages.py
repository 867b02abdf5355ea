"""Purchase pages: finance takes an approved plan's in-kind kit from quotation to a signed
hand-over certificate; the supplier register keeps bank details for finance."""

import base64
import datetime
import struct
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from reintegra.cases import services as cases
from reintegra.cases.tests.conftest import register
from reintegra.finance.models import PurchaseRequest, Supplier
from reintegra.plans import services as plans
from reintegra.plans.models import AssistanceType

pytestmark = pytest.mark.django_db


def png_data_url() -> str:
    """A real 1×1 PNG, as the signature pad sends it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def kit_plan(users, offices):
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    plans.catalogue_load(actor=users["coord.national"])
    line = plans.budget_line_create(
        actor=coord, office=offices["TAM"], code="TAM-K", name="Kits", donor="EU", amount=500000
    )
    case = cases.case_open(
        actor=cm,
        person=register(cm, offices["TAM"]),
        office=offices["TAM"],
        arrived_on=datetime.date.today(),
    )
    plan = plans.plan_start(actor=cm, case=case)
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    measure = plans.measure_add(
        actor=cm, plan=plan, assistance_type=kit, estimated_cost=200000, description="Tailoring kit"
    )
    plans.item_add(
        actor=cm,
        plan=plan,
        measure=measure,
        description="Sewing machine",
        quantity=1,
        unit_cost=150000,
    )
    plans.item_add(
        actor=cm, plan=plan, measure=measure, description="Fabric (m)", quantity=50, unit_cost=1000
    )
    plan = plans.plan_submit(actor=cm, plan=plan)
    plan = plans.plan_approve(actor=coord, plan=plan, budget_line=line)
    return plan, measure, line


def test_finance_takes_a_kit_from_quotation_to_a_signed_certificate(client_for, kit_plan):
    plan, measure, line = kit_plan
    finance = client_for("finance")
    finance.post(
        reverse("finance:supplier_add"),
        {"name": "Quincaillerie du marché", "region": "Tambacounda", "bank_account": "SN01 2345"},
    )
    supplier = Supplier.objects.get()
    panel = finance.get(reverse("finance:plan_panel", args=[plan.pk])).content.decode()
    assert "Start the purchase" in panel
    finance.post(reverse("finance:purchase_start", args=[plan.pk]), {"measure": measure.pk})
    purchase = PurchaseRequest.objects.get()
    assert purchase.estimated_total == Decimal("200000.00") and purchase.lines.count() == 2
    url = reverse("finance:purchase", args=[purchase.pk])
    move = reverse("finance:purchase_move", args=[purchase.pk])
    finance.post(
        reverse("finance:quotation_add", args=[purchase.pk]),
        {"supplier": supplier.pk, "amount": "185000", "received_on": "2026-11-20"},
    )
    quotation = purchase.quotations.get()
    finance.post(
        move,
        {
            "to": "ORDERED",
            "quotation": quotation.pk,
            "justification": "Only supplier with sewing machines in stock",
            "order_number": "PO-2026-017",
        },
    )
    finance.post(move, {"to": "RECEIVED", "received_on": "2026-11-24"})
    line.refresh_from_db()
    assert line.spent == Decimal("185000.00") and line.committed == Decimal("15000.00")
    unsigned = finance.post(
        move, {"to": "HANDED_OVER", "handed_over_on": "2026-11-25", "signed_by": "M. Diallo"},
        follow=True,
    )  # fmt: skip
    assert "capture a signature" in unsigned.content.decode()
    finance.post(
        move,
        {
            "to": "HANDED_OVER",
            "handed_over_on": "2026-11-25",
            "signed_by": "Moussa Diallo",
            "signature": png_data_url(),
        },
    )
    purchase.refresh_from_db()
    measure.refresh_from_db()
    assert purchase.status == "HANDED_OVER"
    assert measure.delivered_on == datetime.date(2026, 11, 25)
    page = finance.get(url).content.decode()
    assert "Hand-over certificate" in page
    printed = finance.get(reverse("finance:certificate", args=[purchase.pk])).content.decode()
    assert purchase.certificate.number in printed and "Sewing machine" in printed
    assert "data:image/png;base64," in printed and "185000.00" in printed
    # The case manager follows it but does not buy.
    assert client_for("cm.tamba").get(url).status_code == 200
    assert client_for("cm.tamba").post(move, {"to": "CANCELLED", "reason": "x"}).status_code == 403


def test_the_supplier_register_keeps_bank_details_for_finance(client_for):
    client_for("finance").post(
        reverse("finance:supplier_add"), {"name": "Atelier Ba", "bank_account": "SN99 8888"}
    )
    assert "SN99 8888" in client_for("finance").get(reverse("finance:suppliers")).content.decode()
    coordinator = client_for("coord.tamba").get(reverse("finance:suppliers")).content.decode()
    assert "Atelier Ba" in coordinator and "SN99 8888" not in coordinator
    assert client_for("cm.tamba").get(reverse("finance:suppliers")).status_code == 403
    assert (
        client_for("coord.tamba").post(reverse("finance:supplier_add"), {"name": "X"}).status_code
        == 403
    )
