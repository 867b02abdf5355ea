"""In-kind purchases through the real database: the supplier register, a purchase started from
an approved plan's in-kind measure, quotations, the order (a justification, an order number,
enough quotations above the threshold), the goods received (the plan's commitment is spent on
its budget line), the hand-over certificate the returnee signs (on the tablet or a signed
scan), cancelling, and stale versions.

Personas (DESIGN §9): cm.tamba's approved plan (cash 200,000 + in kind 100,000 on BL-TAM);
`finance` (Dakar) buys; `finance.checker` races it; coord.tamba approves plans.
"""

import base64
import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reintegra.access.policy import Tier
from reintegra.accounts.models import User
from reintegra.audit.models import AuditEvent
from reintegra.cases.choices import DocumentType
from reintegra.cases.models import CaseDocument
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.finance import permissions, selectors, services
from reintegra.finance.choices import PurchaseStatus
from reintegra.finance.models import HandoverCertificate, PurchaseRequest, Quotation, Supplier
from reintegra.finance.tests.conftest import (
    approved_plan,
    cash_measure,
    in_kind_measure,
    png_data_url,
    purchase_ordered,
    purchase_received,
    purchase_started,
    quoted,
    supplier_make,
    to_pay,
)
from reintegra.plans import services as plans
from reintegra.plans.models import Commitment, Plan
from reintegra.plans.tests.conftest import draft, open_case, submitted

DAY = datetime.date(2026, 2, 12)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fresh(obj):
    obj.refresh_from_db()
    return obj


def money_of(line_) -> tuple[Decimal, Decimal]:
    line_ = fresh(line_)
    return line_.committed, line_.spent


def order(users, purchase, quotation, **kwargs):
    kwargs.setdefault("justification", "Cheapest, in stock")
    kwargs.setdefault("order_number", "PO-0001")
    return services.purchase_order(
        actor=users["finance"], request=purchase, quotation=quotation, **kwargs
    )


def receive(users, purchase, **kwargs):
    kwargs.setdefault("received_on", DAY)
    return services.goods_receive(actor=users["finance"], request=purchase, **kwargs)


def issue(users, purchase, **kwargs):
    kwargs.setdefault("handed_over_on", DAY)
    kwargs.setdefault("signed_by", "Moussa Diallo")
    return services.certificate_issue(actor=users["finance"], request=purchase, **kwargs)


@pytest.fixture
def itemised_plan(users, offices, catalogue, tamba_line) -> Plan:
    """An approved plan whose in-kind measure (IGA, 120,000) lists two items."""
    cm = users["cm.tamba"]
    plan = draft(cm, open_case(users, offices), catalogue)
    measure = plans.measure_add(
        actor=cm, plan=plan, assistance_type=catalogue["IGA"], estimated_cost="120000"
    )
    plans.item_add(
        actor=cm, plan=plan, measure=measure, description="Sewing machine", quantity="2",
        unit_cost="45000",
    )  # fmt: skip
    plans.item_add(
        actor=cm, plan=plan, measure=measure, description="Fabric (metres)", quantity="30",
        unit_cost="500.50",
    )  # fmt: skip
    plan = plans.plan_submit(actor=cm, plan=plan)
    return plans.plan_approve(actor=users["coord.tamba"], plan=plan, budget_line=tamba_line)


@pytest.fixture
def big_plan(users, offices, catalogue, tamba_line) -> Plan:
    """An approved plan with an in-kind measure of 400,000 (above the quotations threshold)."""
    return approved_plan(
        users, open_case(users, offices), catalogue, tamba_line, ("MICRO_BUSINESS", "400000")
    )


# --- the supplier register --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_supplier_is_registered_with_its_bank_details_masked_in_the_audit(users):
    supplier = supplier_make(users, goods="Tools", region="Tambacounda")
    assert (supplier.name, supplier.version, supplier.is_active) == ("Quincaillerie Tamba", 1, True)
    assert supplier.bank_account == "SN012 01201 036182616101 83"
    (event,) = AuditEvent.objects.filter(action="supplier.saved", target_id=supplier.pk)
    assert event.changes["name"] == [None, "Quincaillerie Tamba"]
    assert event.changes["goods"] == [None, "Tools"]
    for key in ("bank_name", "bank_account", "mobile_money"):
        assert event.changes[key] == [None, "•••"], key
    text = str(event.changes)
    assert "CBAO" not in text and "036182616101" not in text and "555 0101" not in text


@pytest.mark.django_db
def test_a_supplier_is_changed_with_its_version(users, supplier):
    changed = services.supplier_save(
        actor=users["finance"], supplier=supplier, version=1, phone="+221 33 981 0000"
    )
    assert (changed.phone, changed.version) == ("+221 33 981 0000", 2)
    with pytest.raises(StaleVersion):
        services.supplier_save(actor=users["finance"], supplier=supplier, version=1, phone="x")
    assert fresh(supplier).phone == "+221 33 981 0000"
    services.supplier_save(actor=users["finance"], supplier=supplier, is_active=False)
    assert fresh(supplier).is_active is False and fresh(supplier).version == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Ok", "email": "not an email"}, "email"),
    ],
)
def test_a_supplier_is_checked(users, fields, field):
    with pytest.raises(ValidationFailed) as err:
        services.supplier_save(actor=users["finance"], **fields)
    assert err.value.field == field
    assert not Supplier.objects.exists()


@pytest.mark.django_db
def test_a_supplier_refuses_unknown_fields(users, supplier):
    with pytest.raises(ValidationFailed):
        services.supplier_save(actor=users["finance"], name="X", version_history="boom")
    with pytest.raises(ValidationFailed):
        services.supplier_save(actor=users["finance"], supplier=supplier, pk=99)
    assert Supplier.objects.count() == 1 and fresh(supplier).pk == supplier.pk


@pytest.mark.django_db
def test_the_supplier_register_is_listed(users, supplier):
    closed = supplier_make(users, name="Ancien fournisseur", is_active=False)
    assert list(selectors.supplier_list()) == [closed, supplier]
    assert list(selectors.supplier_list(active_only=True)) == [supplier]


@pytest.mark.django_db
def test_who_keeps_the_register(users):
    assert permissions.can_manage_suppliers(users["finance"])
    assert permissions.can_view_suppliers(users["coord.tamba"])
    assert not permissions.can_manage_suppliers(users["coord.tamba"])
    for username in ("cm.tamba", "me.officer", "fp.medical", "sysadmin"):
        assert not permissions.can_view_suppliers(users[username]), username


# --- starting a purchase ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_purchase_starts_from_the_measure_when_it_lists_no_items(users, plan):
    purchase = purchase_started(users, plan)
    assert purchase.status == PurchaseStatus.QUOTING and purchase.version == 1
    assert purchase.reference == f"PR-{datetime.date.today():%Y}-{purchase.pk:05d}"
    assert purchase.measure == in_kind_measure(plan) and purchase.plan == plan
    assert purchase.estimated_total == Decimal("100000.00")
    (line,) = purchase.lines.all()
    assert (line.quantity, line.unit_cost, line.cost) == (1, Decimal("100000"), Decimal("100000"))
    assert line.description == in_kind_measure(plan).assistance_type.name
    event = AuditEvent.objects.get(action="purchase.requested")
    assert str(event.target_id) == str(purchase.pk)
    assert event.case_id == plan.case_id
    assert plan.case.events.filter(data__purchase_id=purchase.pk).exists()


@pytest.mark.django_db
def test_a_purchase_copies_the_measures_items(users, itemised_plan):
    purchase = purchase_started(users, itemised_plan)
    lines = [(x.description, x.quantity, x.unit_cost) for x in purchase.lines.all()]
    assert lines == [
        ("Sewing machine", Decimal("2.00"), Decimal("45000.00")),
        ("Fabric (metres)", Decimal("30.00"), Decimal("500.50")),
    ]
    assert purchase.estimated_total == Decimal("105015.00")


@pytest.mark.django_db
def test_a_purchase_is_for_an_approved_plans_in_kind_measure(
    users, offices, catalogue, plan, kolda_plan
):
    finance = users["finance"]
    with pytest.raises(ValidationFailed) as err:
        services.purchase_start(actor=finance, plan=plan, measure=cash_measure(plan))
    assert err.value.field == "measure"
    with pytest.raises(ValidationFailed) as err:
        services.purchase_start(actor=finance, plan=plan, measure=in_kind_measure(kolda_plan))
    assert err.value.field == "measure"

    pending = submitted(users["cm.tamba"], open_case(users, offices), catalogue, "1000")
    with pytest.raises(ValidationFailed) as err:
        services.purchase_start(actor=finance, plan=pending, measure=pending.measures.get())
    assert err.value.code == "not_approved"
    assert not PurchaseRequest.objects.exists()


@pytest.mark.django_db
def test_a_revised_plan_is_not_bought_for(users, plan, tamba_line):
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    with pytest.raises(ValidationFailed) as err:
        purchase_started(users, fresh(plan))
    assert err.value.code == "not_approved"


@pytest.mark.django_db
def test_one_open_purchase_per_measure(users, plan):
    first = purchase_started(users, plan)
    with pytest.raises(Conflict):
        purchase_started(users, plan)
    services.purchase_cancel(actor=users["finance"], request=first, reason="Wrong specification")
    second = purchase_started(users, plan)
    assert second.pk != first.pk and second.reference != first.reference
    assert PurchaseRequest.objects.count() == 2


# --- quotations -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quotations_are_added_while_quoting(users, plan, supplier):
    purchase = purchase_started(users, plan)
    quotation = services.quotation_add(
        actor=users["finance"],
        request=purchase,
        supplier=supplier,
        amount="98000.5",
        received_on=DAY,
        notes="  Delivery in a week  ",
    )
    assert (quotation.amount, quotation.notes) == (Decimal("98000.50"), "Delivery in a week")
    assert fresh(purchase).version == 2
    event = AuditEvent.objects.get(action="purchase.quotation_added")
    assert event.changes == {"supplier": [None, supplier.name], "amount": [None, "98000.50"]}


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", None, "1" * 41])
def test_a_quotation_has_a_positive_amount(users, plan, supplier, amount):
    purchase = purchase_started(users, plan)
    with pytest.raises(ValidationFailed) as err:
        quoted(users, purchase, supplier, amount)
    assert err.value.field == "amount"
    assert not Quotation.objects.exists()


@pytest.mark.django_db
def test_a_quotation_needs_a_date_and_an_active_supplier(users, plan, supplier):
    purchase = purchase_started(users, plan)
    with pytest.raises(ValidationFailed) as err:
        services.quotation_add(
            actor=users["finance"], request=purchase, supplier=supplier, amount="1",
            received_on=None,
        )  # fmt: skip
    assert err.value.field == "received_on"
    closed = supplier_make(users, name="Closed", is_active=False)
    with pytest.raises(ValidationFailed) as err:
        quoted(users, purchase, closed)
    assert err.value.field == "supplier"
    assert not Quotation.objects.exists()


@pytest.mark.django_db
def test_no_quotation_once_ordered(users, plan, supplier):
    purchase = purchase_ordered(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        quoted(users, purchase, supplier)
    assert err.value.code == "invalid_transition"
    assert Quotation.objects.count() == 1


# --- the order --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_below_the_threshold_one_quotation_suffices(users, plan, supplier):
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier, "95000")
    purchase = order(users, purchase, quotation, justification=" Only one in Tamba ")
    assert purchase.status == PurchaseStatus.ORDERED
    assert (purchase.amount, purchase.chosen, purchase.order_number) == (
        Decimal("95000.00"), quotation, "PO-0001",
    )  # fmt: skip
    assert purchase.justification == "Only one in Tamba"
    assert purchase.ordered_by == users["finance"] and purchase.ordered_at is not None
    assert purchase.version == 3
    assert AuditEvent.objects.filter(action="purchase.ordered", case_id=plan.case_id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"justification": ""}, "justification"),
        ({"justification": "   "}, "justification"),
        ({"order_number": ""}, "order_number"),
        ({"order_number": "  "}, "order_number"),
    ],
)
def test_the_order_needs_a_justification_and_a_number(users, plan, supplier, fields, field):
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier)
    with pytest.raises(ValidationFailed) as err:
        order(users, purchase, quotation, **fields)
    assert err.value.field == field
    assert fresh(purchase).status == PurchaseStatus.QUOTING


@pytest.mark.django_db
def test_above_the_threshold_the_minimum_of_quotations_is_needed(users, big_plan, settings):
    above, minimum = settings.REINTEGRA_QUOTATIONS_ABOVE, settings.REINTEGRA_MIN_QUOTATIONS
    assert (above, minimum) == (Decimal("250000"), 3)
    purchase = purchase_started(users, big_plan)
    suppliers = [supplier_make(users, name=f"Supplier {n}") for n in range(3)]
    first = quoted(users, purchase, suppliers[0], "390000")
    quoted(users, purchase, suppliers[1], "395000")
    with pytest.raises(ValidationFailed) as err:
        order(users, purchase, first)
    assert err.value.code == "too_few_quotations"
    assert fresh(purchase).status == PurchaseStatus.QUOTING
    quoted(users, purchase, suppliers[2], "399000")
    assert order(users, purchase, first).status == PurchaseStatus.ORDERED


@pytest.mark.django_db
def test_the_threshold_and_minimum_come_from_the_settings(
    users, plan, big_plan, supplier, settings
):
    settings.REINTEGRA_QUOTATIONS_ABOVE = Decimal("500000")
    purchase = purchase_started(users, big_plan)
    assert order(users, purchase, quoted(users, purchase, supplier, "400000")).amount == 400000

    settings.REINTEGRA_QUOTATIONS_ABOVE = Decimal("50000")
    settings.REINTEGRA_MIN_QUOTATIONS = 2
    purchase = purchase_started(users, plan)
    first = quoted(users, purchase, supplier, "90000")
    with pytest.raises(ValidationFailed) as err:
        order(users, purchase, first)
    assert err.value.code == "too_few_quotations"
    quoted(users, purchase, supplier_make(users, name="Other"), "99000")
    assert order(users, purchase, first).status == PurchaseStatus.ORDERED


@pytest.mark.django_db
def test_a_price_above_the_threshold_is_competed_for_even_on_a_small_estimate(
    users, plan, supplier
):
    """The estimate (100,000) is below the threshold; the price chosen (300,000) is not."""
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier, "300000")
    with pytest.raises(ValidationFailed) as err:
        order(users, purchase, quotation)
    assert err.value.code == "too_few_quotations"


@pytest.mark.django_db
def test_the_quotation_chosen_is_one_of_this_purchase(users, plan, itemised_plan, supplier):
    purchase = purchase_started(users, plan)
    other = quoted(users, purchase_started(users, itemised_plan), supplier)
    with pytest.raises(ValidationFailed) as err:
        order(users, purchase, other)
    assert err.value.field == "quotation"


# --- the goods received -----------------------------------------------------------------------


@pytest.mark.django_db
def test_receiving_the_goods_spends_the_commitment(users, plan, supplier, tamba_line):
    purchase = purchase_ordered(users, plan, supplier, "95000")
    assert money_of(tamba_line) == (Decimal("300000.00"), Decimal("0.00"))
    line_version = fresh(tamba_line).version

    purchase = receive(users, purchase, note=" Two machines, in boxes ", version=3)

    assert purchase.status == PurchaseStatus.RECEIVED and purchase.version == 4
    assert (purchase.received_on, purchase.received_by) == (DAY, users["finance"])
    assert purchase.received_note == "Two machines, in boxes"
    assert money_of(tamba_line) == (Decimal("205000.00"), Decimal("95000.00"))
    assert fresh(tamba_line).version == line_version + 1
    assert Commitment.objects.get(plan=plan).spent == Decimal("95000.00")
    spent = AuditEvent.objects.get(action="budget_line.spent")
    assert spent.changes == {"spent": [None, "95000.00"]} and spent.case_id == plan.case_id
    assert AuditEvent.objects.filter(action="purchase.received").count() == 1


@pytest.mark.django_db
def test_receiving_needs_a_date_and_an_order(users, plan, supplier, tamba_line):
    purchase = purchase_started(users, plan)
    with pytest.raises(ValidationFailed) as err:
        receive(users, purchase)
    assert err.value.code == "invalid_transition"
    purchase = order(users, purchase, quoted(users, purchase, supplier))
    with pytest.raises(ValidationFailed) as err:
        receive(users, purchase, received_on=None)
    assert err.value.field == "received_on"
    receive(users, purchase)
    with pytest.raises(ValidationFailed) as err:
        receive(users, purchase)
    assert err.value.code == "invalid_transition"
    assert money_of(tamba_line) == (Decimal("205000.00"), Decimal("95000.00"))


@pytest.mark.django_db
def test_goods_of_a_revised_plan_are_not_received(users, plan, supplier, tamba_line):
    purchase = purchase_ordered(users, plan, supplier)
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    before = money_of(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        receive(users, purchase)
    assert err.value.code == "plan_not_in_force"
    assert fresh(purchase).status == PurchaseStatus.ORDERED
    assert money_of(tamba_line) == before
    assert not AuditEvent.objects.filter(action="budget_line.spent").exists()


@pytest.mark.django_db
def test_goods_the_commitment_does_not_cover_are_not_received(
    users, checker, plan, supplier, tamba_line
):
    """The plan's commitment is 300,000: once its 200,000 in cash are paid, 100,000 is left,
    not enough for goods ordered at 150,000."""
    services.instalment_pay(
        actor=users["finance"],
        instalment=to_pay(users, checker, plan, "200000"),
        reference="OM-1",
    )
    purchase = purchase_ordered(users, plan, supplier, "150000")
    before = money_of(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        receive(users, purchase)
    assert err.value.code == "not_committed"
    assert fresh(purchase).status == PurchaseStatus.ORDERED
    assert money_of(tamba_line) == before == (Decimal("100000.00"), Decimal("200000.00"))
    assert Commitment.objects.get(plan=plan).spent == Decimal("200000.00")


# --- the hand-over certificate ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_certificate_is_signed_on_the_tablet(users, itemised_plan, supplier):
    purchase = purchase_received(users, itemised_plan, supplier, "104000")
    signature = png_data_url(4, 3)
    certificate = issue(
        users, purchase, signature=signature, signed_by=" Moussa Diallo ", version=4
    )

    assert certificate.number == f"HC-{datetime.date.today():%Y}-{purchase.pk:05d}"
    assert certificate.value == Decimal("104000.00")
    assert certificate.items == [
        {"description": "Sewing machine", "quantity": "2.00"},
        {"description": "Fabric (metres)", "quantity": "30.00"},
    ]
    assert (certificate.handed_over_on, certificate.signed_by) == (DAY, "Moussa Diallo")
    assert certificate.signature == signature and certificate.scan is None
    assert certificate.recorded_by == users["finance"]
    purchase = fresh(purchase)
    assert (purchase.status, purchase.version) == (PurchaseStatus.HANDED_OVER, 5)
    event = AuditEvent.objects.get(action="purchase.handed_over")
    assert event.changes == {
        "certificate": [None, certificate.number],
        "value": [None, "104000.00"],
    }
    assert signature not in str(event.changes)


@pytest.mark.django_db
def test_the_certificate_is_a_signed_scan(users, plan, supplier, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    purchase = purchase_received(users, plan, supplier)
    scan = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    certificate = issue(users, purchase, scan=scan)

    document = certificate.scan
    assert document is not None and certificate.signature == ""
    assert (document.doc_type, document.tier) == (DocumentType.CERTIFICATE, Tier.FINANCE)
    assert document.case == plan.case and document.size == len(PDF)
    assert certificate.number in document.title
    assert CaseDocument.objects.filter(case=plan.case).count() == 1


@pytest.mark.django_db
def test_certificates_have_unique_numbers(users, plan, itemised_plan, supplier):
    first = issue(users, purchase_received(users, plan, supplier), signature=png_data_url())
    second = issue(
        users, purchase_received(users, itemised_plan, supplier), signature=png_data_url()
    )
    assert first.number != second.number
    assert HandoverCertificate.objects.count() == 2


@pytest.mark.django_db
def test_an_unsigned_certificate_is_refused(users, plan, supplier):
    purchase = purchase_received(users, plan, supplier)
    for signature in ("", "   "):
        with pytest.raises(ValidationFailed) as err:
            issue(users, purchase, signature=signature)
        assert (err.value.code, err.value.field) == ("unsigned", "signature")
    assert not HandoverCertificate.objects.exists()
    assert fresh(purchase).status == PurchaseStatus.RECEIVED


PNG = png_data_url()
PAYLOAD = PNG.split(",", 1)[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "signature",
    [
        "data:image/jpeg;base64," + PAYLOAD,  # the wrong prefix
        PAYLOAD,  # no prefix
        "data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\x00" * 60).decode(),  # not PNG
        "data:image/png;base64,!!!not base64!!!",
        "data:image/png;base64," + PAYLOAD[:10],  # cut short: not base64
        PNG + "%%%" + "A" * 100,  # a PNG followed by garbage
        PNG + "A" * 300_000,  # too long
        "data:image/png;base64,",
    ],
)
def test_a_signature_that_is_not_a_png_data_url_is_refused(users, plan, supplier, signature):
    purchase = purchase_received(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        issue(users, purchase, signature=signature)
    assert err.value.field == "signature"
    assert not HandoverCertificate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [({"handed_over_on": None}, "handed_over_on"), ({"signed_by": "  "}, "signed_by")],
)
def test_the_certificate_needs_a_date_and_who_signed(users, plan, supplier, fields, field):
    purchase = purchase_received(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        issue(users, purchase, signature=PNG, **fields)
    assert err.value.field == field


@pytest.mark.django_db
def test_a_certificate_is_issued_once_for_goods_received(users, plan, supplier):
    purchase = purchase_ordered(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        issue(users, purchase, signature=PNG)
    assert err.value.code == "invalid_transition"
    purchase = receive(users, purchase)
    issue(users, purchase, signature=PNG)
    with pytest.raises(ValidationFailed) as err:
        issue(users, purchase, signature=PNG)
    assert err.value.code == "invalid_transition"
    assert HandoverCertificate.objects.count() == 1


# --- cancelling and stale versions ------------------------------------------------------------


@pytest.mark.django_db
def test_a_purchase_is_cancelled_before_the_goods_arrive(users, plan, supplier, tamba_line):
    purchase = purchase_ordered(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        services.purchase_cancel(actor=users["finance"], request=purchase, reason="  ")
    assert err.value.field == "reason"
    cancelled = services.purchase_cancel(
        actor=users["finance"], request=purchase, reason=" Supplier closed ", version=3
    )
    assert (cancelled.status, cancelled.cancel_reason) == ("CANCELLED", "Supplier closed")
    event = AuditEvent.objects.get(action="purchase.cancelled")
    assert event.changes == {"status": ["ORDERED", "CANCELLED"]}
    assert money_of(tamba_line) == (Decimal("300000.00"), Decimal("0.00"))
    with pytest.raises(ValidationFailed) as err:
        services.purchase_cancel(actor=users["finance"], request=purchase, reason="Again")
    assert err.value.code == "invalid_transition"


@pytest.mark.django_db
def test_goods_received_are_not_cancelled(users, plan, supplier):
    purchase = purchase_received(users, plan, supplier)
    with pytest.raises(ValidationFailed) as err:
        services.purchase_cancel(actor=users["finance"], request=purchase, reason="Too late")
    assert err.value.code == "invalid_transition"
    assert fresh(purchase).status == PurchaseStatus.RECEIVED


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(users, plan, supplier, tamba_line):
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier)  # version 2
    with pytest.raises(StaleVersion):
        order(users, purchase, quotation, version=1)
    purchase = order(users, purchase, quotation, version=2)
    with pytest.raises(StaleVersion):
        receive(users, purchase, version=2)
    with pytest.raises(StaleVersion):
        services.purchase_cancel(actor=users["finance"], request=purchase, reason="x", version=1)
    assert money_of(tamba_line) == (Decimal("300000.00"), Decimal("0.00"))
    purchase = receive(users, purchase, version=3)
    with pytest.raises(StaleVersion):
        issue(users, purchase, signature=PNG, version=3)
    assert not HandoverCertificate.objects.exists()
    assert fresh(purchase).version == 4


# --- reads ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purchases_are_read_in_scope(users, plan, kolda_plan, supplier):
    tamba = purchase_started(users, plan)
    kolda = purchase_started(users, kolda_plan)
    assert set(selectors.purchase_list(users["finance"])) == {tamba, kolda}
    assert list(selectors.purchase_list(users["coord.tamba"])) == [tamba]
    assert list(selectors.purchase_list(users["finance"], status="ORDERED")) == []
    assert set(selectors.purchase_list(users["finance"], status="open")) == {tamba, kolda}
    found, access = selectors.purchase_get_for_user(users["cm.tamba"], tamba.pk)
    assert found == tamba and not permissions.can_purchase(access)
    _found, access = selectors.purchase_get_for_user(users["finance"], tamba.pk)
    assert permissions.can_purchase(access)
    for user, pk in ((users["coord.tamba"], kolda.pk), (users["cm.kolda"], tamba.pk)):
        with pytest.raises(Exception) as err:
            selectors.purchase_get_for_user(user, pk)
        assert type(err.value).__name__ == "Http404"
    assert selectors.plan_purchases(plan) == [tamba]


# --- at the same moment (PostgreSQL row locks) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_receiving_the_same_goods_spend_once(users, checker, plan, tamba_line):
    from reintegra.core.tests.race import race

    supplier = supplier_make(users)
    purchase = purchase_ordered(users, plan, supplier, "95000")
    before = money_of(tamba_line)

    def receiving(username: str) -> Callable[[], object]:
        def call() -> object:
            return services.goods_receive(
                actor=User.objects.get(username=username),
                request=PurchaseRequest.objects.get(pk=purchase.pk),
                received_on=DAY,
            )

        return call

    results = race([receiving("finance"), receiving("finance.checker")])

    assert sorted(results) == ["invalid_transition", "ok"], results
    purchase = fresh(purchase)
    assert (purchase.status, purchase.version) == (PurchaseStatus.RECEIVED, 4)
    assert money_of(tamba_line) == (before[0] - 95000, before[1] + 95000)
    assert Commitment.objects.get(plan=plan).spent == Decimal("95000.00")
    assert AuditEvent.objects.filter(action="budget_line.spent").count() == 1
    assert AuditEvent.objects.filter(action="purchase.received").count() == 1
