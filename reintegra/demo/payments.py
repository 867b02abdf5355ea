"""Demo cash payments and in-kind purchases: instalments of the approved plans' cash measures
at every step, and purchases of their in-kind kits from quotation to a signed hand-over
certificate, so the finance persona's pages show work in progress. Approving a payment needs a
second finance user: the demo adds one, `finance.two` (same password as the personas)."""

import base64
import math
import struct
import zlib
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from reintegra.accounts import services as accounts
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, User
from reintegra.finance import services
from reintegra.finance.choices import PaymentMethod
from reintegra.plans.choices import DeliveryMode, Status
from reintegra.plans.models import Measure

# Which step each cash measure's instalments reach, in turn: both paid; the first paid and
# the second approved; prepared (waiting for the second finance user); planned.
STEPS = ("paid", "paid", "to_pay", "to_approve", "to_prepare", "to_prepare")
MILESTONES = ("On arrival", "After the business training")


def _second_finance(users: dict[str, User]) -> User:
    existing = User.objects.filter(username="finance.two").first()
    if existing is not None:
        return existing
    user = accounts.user_create(
        actor=None,
        username="finance.two",
        first_name="Khady",
        last_name="Sarr",
        email="finance.two@demo.reintegra.invalid",
        password_hash=users["finance"].password,
    )
    accounts.role_assign(
        actor=None, user=user, role=Role.FINANCE, office=Office.objects.get(code="DKR")
    )
    return user


def payments_load(users: dict[str, User]) -> None:
    preparer, approver = users["finance"], _second_finance(users)
    measures = (
        Measure.objects.filter(plan__status=Status.APPROVED, delivery_mode=DeliveryMode.CASH)
        .select_related("plan", "plan__case", "plan__case__person", "plan__created_by")
        .order_by("plan__approved_at", "id")
    )
    today = timezone.localdate()
    for number, measure in enumerate(measures):
        step = STEPS[number % len(STEPS)]
        plan, person = measure.plan, measure.plan.case.person
        half = (measure.estimated_cost / 2).quantize(Decimal("0.01"))
        for i, milestone in enumerate(MILESTONES):
            amount = half if i == 0 else measure.estimated_cost - half
            instalment = services.instalment_add(
                actor=plan.created_by,
                plan=plan,
                measure=measure,
                amount=amount,
                milestone=milestone,
                due_on=today + timedelta(days=30 * i - 10),
            )
            reached = "paid" if step == "paid" or (step == "to_pay" and i == 0) else step
            if reached == "to_prepare":
                continue
            instalment = services.instalment_prepare(
                actor=preparer,
                instalment=instalment,
                method=PaymentMethod.MOBILE_MONEY,
                payee=person.full_name,
                account=person.phone or "770000000",
            )
            if reached == "to_approve":
                continue
            instalment = services.instalment_approve(actor=approver, instalment=instalment)
            if reached == "to_pay":
                continue
            services.instalment_pay(
                actor=preparer, instalment=instalment, reference=f"OM-DEMO-{instalment.pk:05d}"
            )


# --- in-kind purchases ----------------------------------------------------------------------

SUPPLIERS = (
    ("Quincaillerie Ndiaye et Frères", "Tools, hardware, sewing machines", "Tambacounda",
     "+221 77 541 22 10", "CBAO", "SN012 01201 036182 512"),
    ("Établissements Diallo Commerce", "Fabric, stock for shops, food stock", "Tambacounda",
     "+221 76 301 45 67", "BHS", "SN048 01001 002231 874"),
    ("Kolda Agro Services", "Seeds, small livestock, irrigation kits", "Kolda",
     "+221 77 880 13 02", "", ""),
    ("Moto Pièces Kolda", "Motorbikes and spare parts", "Kolda", "+221 78 122 90 44", "Ecobank",
     "SN094 01501 120045 221"),
)  # fmt: skip
# How far each in-kind measure's purchase goes, in turn.
PURCHASE_STEPS = ("handed_over", "handed_over", "received", "ordered", "quoting", "none")


def signature_png() -> str:
    """A small hand-drawn-looking signature as a PNG data URL (what the signature pad sends)."""
    width, height = 160, 48
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            curve = height / 2 + 12 * math.sin(x / 9) * math.cos(x / 31)
            row.append(20 if abs(y - curve) < 1.6 and 10 < x < 150 else 255)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def purchases_load(users: dict[str, User]) -> None:
    buyer = users["finance"]
    suppliers = [
        services.supplier_save(
            actor=buyer,
            name=name,
            goods=goods,
            region=region,
            phone=phone,
            bank_name=bank,
            bank_account=account,
        )  # fmt: skip
        for name, goods, region, phone, bank, account in SUPPLIERS
    ]
    measures = (
        Measure.objects.filter(plan__status=Status.APPROVED, delivery_mode=DeliveryMode.IN_KIND)
        .select_related("plan", "plan__case", "plan__case__person", "plan__case__office")
        .order_by("plan__approved_at", "id")
    )[:24]
    today = timezone.localdate()
    signature = signature_png()
    for number, measure in enumerate(measures):
        step = PURCHASE_STEPS[number % len(PURCHASE_STEPS)]
        if step == "none":
            continue
        plan = measure.plan
        request = services.purchase_start(actor=buyer, plan=plan, measure=measure)
        region = plan.case.office.name
        local = [s for s in suppliers if s.region == region] or suppliers
        quotes = [
            services.quotation_add(
                actor=buyer,
                request=request,
                supplier=local[i % len(local)] if i < len(local) else suppliers[i],
                amount=(request.estimated_total * Decimal(str(0.92 + 0.05 * i))).quantize(
                    Decimal("1")
                ),
                received_on=today - timedelta(days=20 - i),
            )
            for i in range(3)
        ]
        if step == "quoting":
            continue
        cheapest = min(quotes, key=lambda q: q.amount)
        request = services.purchase_order(
            actor=buyer,
            request=request,
            quotation=cheapest,
            justification="Cheapest of three quotations; goods in stock.",
            order_number=f"PO-DEMO-{request.pk:04d}",
        )
        if step == "ordered":
            continue
        request = services.goods_receive(
            actor=buyer, request=request, received_on=today - timedelta(days=6)
        )
        if step == "received":
            continue
        services.certificate_issue(
            actor=buyer,
            request=request,
            handed_over_on=today - timedelta(days=3),
            signed_by=plan.case.person.full_name,
            signature=signature,
        )
