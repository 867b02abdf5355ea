"""The in-kind API: the supplier register (bank details for the finance staff only), purchases
started from an approved plan's in-kind measure, quotations, and the moves to ORDERED,
RECEIVED, HANDED_OVER or CANCELLED.

Personas (DESIGN §9): `finance` (Dakar) buys everywhere and keeps the register;
`finance.tamba` (a finance user at Tambacounda) buys for Tambacounda only and must not find
Kolda purchases (404), nor must cm.tamba and coord.tamba; cm.tamba reads her plan's purchases
but may not buy (403); coord.tamba reads the register without bank details.
"""

from decimal import Decimal

import pytest
from django.test import Client

from reintegra.audit.models import AuditEvent
from reintegra.finance import services
from reintegra.finance.choices import PurchaseStatus
from reintegra.finance.models import HandoverCertificate, PurchaseRequest, Quotation, Supplier
from reintegra.finance.tests.conftest import (
    checker_ensure,
    in_kind_measure,
    png_data_url,
    purchase_ordered,
    purchase_received,
    purchase_started,
    quoted,
    supplier_make,
    to_pay,
)
from reintegra.plans.models import Commitment
from reintegra.plans.tests.test_api import call, fresh

SIGNATURE = png_data_url()
BANKING = ("bank_name", "bank_account", "mobile_money")


def move(client: Client, purchase: PurchaseRequest, to: str, **fields):
    return call(client, "post", f"/api/purchases/{purchase.pk}/transitions", {"to": to, **fields})


def start(client: Client, plan, **fields):
    body = {"measure": in_kind_measure(plan).pk, **fields}
    return call(client, "post", f"/api/plans/{plan.pk}/purchases", body)


def quote(client: Client, purchase, supplier_, **fields):
    body = {"supplier": supplier_.pk, "amount": "95000", "received_on": "2026-02-02", **fields}
    return call(client, "post", f"/api/purchases/{purchase.pk}/quotations", body)


# --- the schema and authentication ------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_lists_the_purchase_operations():
    paths = call(Client(), "get", "/api/openapi.json").json()["paths"]
    assert set(paths["/api/suppliers"]) == {"get", "post"}
    assert set(paths["/api/suppliers/{supplier_id}"]) == {"patch"}
    assert set(paths["/api/purchases"]) == {"get"}
    assert set(paths["/api/plans/{plan_id}/purchases"]) == {"post"}
    assert set(paths["/api/purchases/{purchase_id}"]) == {"get"}
    assert set(paths["/api/purchases/{purchase_id}/quotations"]) == {"post"}
    assert set(paths["/api/purchases/{purchase_id}/transitions"]) == {"post"}


@pytest.mark.django_db
def test_without_credentials_every_operation_answers_401(programme):
    for method, path in [
        ("get", "/api/suppliers"),
        ("post", "/api/suppliers"),
        ("patch", "/api/suppliers/1"),
        ("get", "/api/purchases"),
        ("post", "/api/plans/1/purchases"),
        ("get", "/api/purchases/1"),
        ("post", "/api/purchases/1/quotations"),
        ("post", "/api/purchases/1/transitions"),
    ]:
        response = call(Client(), method, path, None if method == "get" else {})
        assert response.status_code == 401, path


# --- the supplier register --------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_registers_a_supplier(client_for):
    response = call(
        client_for("finance"),
        "post",
        "/api/suppliers",
        {
            "name": "Quincaillerie Tamba",
            "goods": "Tools",
            "email": "contact@quincaillerie.sn",
            "bank_name": "CBAO",
            "bank_account": "SN012 0001",
            "mobile_money": "+221 77 555 0101",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    supplier = Supplier.objects.get()
    assert data["id"] == supplier.pk and data["version"] == 1 and data["is_active"] is True
    assert (data["bank_name"], data["bank_account"], data["mobile_money"]) == (
        "CBAO",
        "SN012 0001",
        "+221 77 555 0101",
    )
    event = AuditEvent.objects.get(action="supplier.saved")
    assert "SN012" not in str(event.changes)


@pytest.mark.django_db
def test_bank_details_are_hidden_from_coordinators(client_for, users, supplier):
    closed = supplier_make(users, name="Ancien", is_active=False)
    data = call(client_for("finance"), "get", "/api/suppliers").json()
    assert data["count"] == 2
    assert [s["id"] for s in data["items"]] == [closed.pk, supplier.pk]
    assert data["items"][1]["bank_account"] == supplier.bank_account

    for username in ("coord.tamba", "coord.national"):
        response = call(client_for(username), "get", "/api/suppliers")
        assert response.status_code == 200
        for item in response.json()["items"]:
            assert all(item[key] is None for key in BANKING), item
            assert item["name"]
        assert supplier.bank_account not in response.content.decode()

    active = call(client_for("coord.tamba"), "get", "/api/suppliers?active=true").json()
    assert [s["id"] for s in active["items"]] == [supplier.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "me.officer", "fp.medical", "sysadmin"])
def test_the_register_is_for_finance_and_coordinators(client_for, supplier, username):
    response = call(client_for(username), "get", "/api/suppliers")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["coord.tamba", "coord.national", "cm.tamba", "me.officer"])
def test_only_finance_keeps_the_register(client_for, supplier, username):
    client = client_for(username)
    assert call(client, "post", "/api/suppliers", {"name": "X"}).status_code == 403
    response = call(client, "patch", f"/api/suppliers/{supplier.pk}", {"version": 1, "name": "Y"})
    assert response.status_code == 403
    assert Supplier.objects.get().name == "Quincaillerie Tamba"


@pytest.mark.django_db
def test_a_supplier_is_changed_with_its_version(client_for, supplier):
    finance = client_for("finance")
    path = f"/api/suppliers/{supplier.pk}"
    response = call(
        finance, "patch", path, {"version": 1, "phone": "+221 33 1", "is_active": False}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["phone"], data["is_active"], data["version"]) == ("+221 33 1", False, 2)
    assert data["name"] == "Quincaillerie Tamba"  # not given: unchanged

    response = call(finance, "patch", path, {"version": 1, "phone": "stale"})
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert fresh(supplier).phone == "+221 33 1"

    assert call(finance, "patch", "/api/suppliers/999999", {"version": 1}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "nul\x00"},
        {"name": "Ok", "email": "not an email"},
        {"name": "Ok", "bank_account": "1" * 65},
        {"name": "Ok", "is_active": "maybe"},
        {"name": "Ok", "version": 1},
        {"name": "Ok", "unknown": 1},
    ],
)
def test_a_bad_supplier_answers_422(client_for, body):
    response = call(client_for("finance"), "post", "/api/suppliers", body)
    assert response.status_code == 422, response.content
    assert not Supplier.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{}, {"version": -1}, {"version": 1, "name": ""}, {"version": 1, "pk": 5}, {"version": "a"}],
)
def test_a_bad_supplier_change_answers_422(client_for, supplier, body):
    response = call(client_for("finance"), "patch", f"/api/suppliers/{supplier.pk}", body)
    assert response.status_code == 422, response.content
    assert fresh(supplier).version == 1


# --- starting and reading purchases -----------------------------------------------------------


@pytest.mark.django_db
def test_finance_starts_a_purchase(client_for, users, plan):
    response = start(client_for("finance"), plan)
    assert response.status_code == 201, response.content
    data = response.json()
    purchase = PurchaseRequest.objects.get()
    assert (data["id"], data["reference"], data["status"]) == (
        purchase.pk,
        purchase.reference,
        "QUOTING",
    )
    assert (data["plan"], data["case"], data["measure"]) == (
        plan.pk,
        plan.case_id,
        in_kind_measure(plan).pk,
    )
    assert (data["estimated_total"], data["amount"], data["currency"]) == ("100000.00", None, "XOF")
    assert data["assistance_type"]["code"] == "IGA"
    assert data["lines"] == [
        {
            "description": in_kind_measure(plan).assistance_type.name,
            "quantity": "1.00",
            "unit_cost": "100000.00",
            "cost": "100000.00",
        }
    ]
    assert data["quotations"] == [] and data["certificate"] is None and data["chosen"] is None
    assert data["requested_by"]["id"] == users["finance"].pk

    response = start(client_for("finance"), plan)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


@pytest.mark.django_db
def test_a_tambacounda_finance_user_buys_for_tambacounda_only(
    client_for, finance_tamba, plan, kolda_plan
):
    client = Client()
    client.force_login(finance_tamba)
    assert start(client, plan).status_code == 201
    response = start(client, kolda_plan)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert PurchaseRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "coord.tamba", "coord.national", "me.officer"])
def test_only_finance_starts_a_purchase(client_for, plan, username):
    response = start(client_for(username), plan)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not PurchaseRequest.objects.exists()


@pytest.mark.django_db
def test_a_plan_out_of_scope_answers_404(client_for, plan, kolda_plan):
    for username in ("cm.tamba", "coord.tamba"):
        assert start(client_for(username), kolda_plan).status_code == 404, username
    assert start(client_for("fp.medical"), plan).status_code == 404
    response = call(client_for("finance"), "post", "/api/plans/999999/purchases", {"measure": 1})
    assert response.status_code == 404
    assert not PurchaseRequest.objects.exists()


@pytest.mark.django_db
def test_a_purchase_is_of_an_in_kind_measure_of_an_approved_plan(
    client_for, users, offices, catalogue, plan, kolda_plan
):
    from reintegra.finance.tests.conftest import cash_measure
    from reintegra.plans.tests.conftest import open_case, submitted

    finance = client_for("finance")
    for measure in (cash_measure(plan).pk, in_kind_measure(kolda_plan).pk, 999999):
        response = start(finance, plan, measure=measure)
        assert response.status_code == 422
        assert response.json()["field"] == "measure"
    pending = submitted(users["cm.tamba"], open_case(users, offices), catalogue, "1000")
    response = start(finance, pending, measure=pending.measures.get().pk)
    assert response.status_code == 422
    assert response.json()["code"] == "not_approved"
    assert not PurchaseRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{}, {"measure": 0}, {"measure": "abc"}, {"measure": 2**64}, {"measure": 1, "x": 1}]
)
def test_a_bad_purchase_answers_422(client_for, plan, body):
    response = call(client_for("finance"), "post", f"/api/plans/{plan.pk}/purchases", body)
    assert response.status_code == 422, response.content
    raw = call(client_for("finance"), "post", f"/api/plans/{plan.pk}/purchases", raw="{")
    assert raw.status_code == 422


@pytest.mark.django_db
def test_purchases_are_listed_for_finance_and_coordinators(client_for, users, plan, kolda_plan):
    tamba = purchase_started(users, plan)
    kolda = purchase_started(users, kolda_plan)

    def ids(username: str, query: str = "") -> list[int]:
        response = call(client_for(username), "get", f"/api/purchases{query}")
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["items"]]

    assert sorted(ids("finance")) == sorted([tamba.pk, kolda.pk])
    assert ids("coord.tamba") == [tamba.pk]
    assert sorted(ids("coord.national")) == sorted([tamba.pk, kolda.pk])
    assert ids("finance", "?status=ORDERED") == []
    assert sorted(ids("finance", "?status=QUOTING")) == sorted([tamba.pk, kolda.pk])
    assert sorted(ids("finance", "?status=open")) == sorted([tamba.pk, kolda.pk])
    assert call(client_for("finance"), "get", "/api/purchases?page=2").json() == {
        "items": [],
        "count": 2,
    }
    row = next(
        p for p in call(client_for("finance"), "get", "/api/purchases").json()["items"]
        if p["id"] == tamba.pk
    )  # fmt: skip
    assert row["reference"] == tamba.reference and "lines" not in row

    for username in ("cm.tamba", "me.officer", "fp.medical", "sysadmin"):
        response = call(client_for(username), "get", "/api/purchases")
        assert response.status_code == 403, username
    for query in ("?status=BOGUS", "?status=" + "x" * 17, "?page=abc"):
        response = call(client_for("finance"), "get", f"/api/purchases{query}")
        assert response.status_code == 422, query


@pytest.mark.django_db
def test_a_purchase_is_read_in_scope_only(client_for, users, plan, kolda_plan, supplier):
    purchase = purchase_received(users, plan, supplier)
    services.certificate_issue(
        actor=users["finance"],
        request=purchase,
        handed_over_on="2026-02-12",
        signed_by="Moussa Diallo",
        signature=SIGNATURE,
    )
    kolda = purchase_started(users, kolda_plan)
    for username in ("finance", "coord.tamba", "cm.tamba", "me.officer"):
        response = call(client_for(username), "get", f"/api/purchases/{purchase.pk}")
        assert response.status_code == 200, username
    data = response.json()
    certificate = HandoverCertificate.objects.get()
    assert data["status"] == "HANDED_OVER" and data["amount"] == "95000.00"
    assert data["supplier"] == {"id": supplier.pk, "name": supplier.name}
    assert data["chosen"] == purchase.chosen_id
    (quotation,) = data["quotations"]
    assert (quotation["id"], quotation["amount"]) == (purchase.chosen_id, "95000.00")
    assert data["certificate"] == {
        "number": certificate.number,
        "handed_over_on": "2026-02-12",
        "value": "95000.00",
        "signed_by": "Moussa Diallo",
        "items": [{"description": in_kind_measure(plan).assistance_type.name, "quantity": "1.00"}],
        "signed_on_tablet": True,
        "scan": None,
    }
    assert SIGNATURE.split(",")[1][:40] not in response.content.decode()
    assert "bank" not in response.content.decode()

    for username in ("cm.kolda", "fp.medical", "fp.comms", "sysadmin"):
        response = call(client_for(username), "get", f"/api/purchases/{purchase.pk}")
        assert response.status_code == 404, username
    for username in ("coord.tamba", "cm.tamba"):
        response = call(client_for(username), "get", f"/api/purchases/{kolda.pk}")
        assert response.status_code == 404, username
    assert call(client_for("finance"), "get", "/api/purchases/999999").status_code == 404
    for bad in ("0", "abc", str(2**64)):
        assert call(client_for("finance"), "get", f"/api/purchases/{bad}").status_code == 422


# --- quotations -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_adds_quotations(client_for, users, plan, supplier):
    purchase = purchase_started(users, plan)
    response = quote(client_for("finance"), purchase, supplier, amount=98000.5, notes="A week")
    assert response.status_code == 201, response.content
    data = response.json()
    (quotation,) = data["quotations"]
    assert quotation["supplier"] == {"id": supplier.pk, "name": supplier.name}
    assert (quotation["amount"], quotation["received_on"], quotation["notes"]) == (
        "98000.50",
        "2026-02-02",
        "A week",
    )
    assert quotation["added_by"]["id"] == users["finance"].pk
    assert data["version"] == 2


@pytest.mark.django_db
def test_quotations_are_added_by_finance_in_scope(client_for, users, plan, kolda_plan, supplier):
    purchase = purchase_started(users, plan)
    kolda = purchase_started(users, kolda_plan)
    for username in ("cm.tamba", "coord.tamba", "me.officer"):
        assert quote(client_for(username), purchase, supplier).status_code == 403, username
    for username in ("cm.kolda", "fp.medical"):
        assert quote(client_for(username), purchase, supplier).status_code == 404, username
    assert quote(client_for("coord.tamba"), kolda, supplier).status_code == 404
    assert not Quotation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": True}, None),  # (a union's error names the type it tried)
        ({"amount": None}, None),
        ({"amount": "1" * 41}, None),
        ({"received_on": "not a date"}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"notes": "x" * 301}, "notes"),
        ({"supplier": 999999}, "supplier"),
        ({"supplier": 0}, "supplier"),
        ({"extra": 1}, None),
    ],
)
def test_a_bad_quotation_answers_422(client_for, users, plan, supplier, fields, field):
    purchase = purchase_started(users, plan)
    response = quote(client_for("finance"), purchase, supplier, **fields)
    assert response.status_code == 422, response.content
    if field:
        assert response.json()["field"] == field
    assert not Quotation.objects.exists()


@pytest.mark.django_db
def test_quotations_from_active_suppliers_while_quoting(client_for, users, plan, supplier):
    purchase = purchase_started(users, plan)
    closed = supplier_make(users, name="Closed", is_active=False)
    response = quote(client_for("finance"), purchase, closed)
    assert response.status_code == 422 and response.json()["field"] == "supplier"
    purchase = services.purchase_order(
        actor=users["finance"],
        request=purchase,
        quotation=quoted(users, purchase, supplier),
        justification="Only one",
        order_number="PO-1",
    )
    response = quote(client_for("finance"), purchase, supplier)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"


# --- the moves --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_purchase_goes_from_quoting_to_handed_over(client_for, users, plan, supplier, tamba_line):
    finance = client_for("finance")
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier, "95000")

    response = move(
        finance,
        purchase,
        "ORDERED",
        version=2,
        quotation=quotation.pk,
        justification="Cheapest",
        order_number="PO-77",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["order_number"], data["amount"], data["version"]) == (
        "ORDERED",
        "PO-77",
        "95000.00",
        3,
    )
    assert data["chosen"] == quotation.pk and data["justification"] == "Cheapest"
    assert data["ordered_by"]["id"] == users["finance"].pk and data["ordered_at"]

    response = move(finance, purchase, "RECEIVED", version=3, received_on="2026-02-10", note="OK")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["received_on"], data["received_note"]) == (
        "RECEIVED",
        "2026-02-10",
        "OK",
    )
    tamba_line = fresh(tamba_line)
    assert (tamba_line.committed, tamba_line.spent) == (Decimal("205000.00"), Decimal("95000.00"))
    assert Commitment.objects.get(plan=plan).spent == Decimal("95000.00")

    response = move(
        finance,
        purchase,
        "HANDED_OVER",
        version=4,
        handed_over_on="2026-02-12",
        signed_by="Moussa Diallo",
        signature=SIGNATURE,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "HANDED_OVER" and data["version"] == 5
    assert data["certificate"]["value"] == "95000.00"
    assert data["certificate"]["number"] == HandoverCertificate.objects.get().number
    assert "signature" not in data["certificate"]


@pytest.mark.django_db
def test_a_tambacounda_finance_user_moves_tambacounda_purchases_only(
    finance_tamba, users, plan, kolda_plan, supplier
):
    client = Client()
    client.force_login(finance_tamba)
    tamba = purchase_started(users, plan)
    kolda = purchase_started(users, kolda_plan)
    assert move(client, kolda, "CANCELLED", reason="x").status_code == 404
    assert quote(client, kolda, supplier).status_code == 404
    assert call(client, "get", f"/api/purchases/{kolda.pk}").status_code == 404
    assert move(client, tamba, "CANCELLED", reason="Not needed").status_code == 200
    assert fresh(kolda).status == PurchaseStatus.QUOTING


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "coord.tamba", "coord.national", "me.officer"])
def test_only_finance_moves_a_purchase(client_for, users, plan, supplier, username):
    purchase = purchase_ordered(users, plan, supplier)
    client = client_for(username)
    assert move(client, purchase, "RECEIVED", received_on="2026-02-10").status_code == 403
    assert move(client, purchase, "CANCELLED", reason="x").status_code == 403
    assert fresh(purchase).status == PurchaseStatus.ORDERED


@pytest.mark.django_db
def test_a_purchase_out_of_scope_answers_404(client_for, users, plan, kolda_plan):
    purchase = purchase_started(users, plan)
    kolda = purchase_started(users, kolda_plan)
    for username in ("cm.kolda", "fp.medical", "sysadmin"):
        assert move(client_for(username), purchase, "CANCELLED", reason="x").status_code == 404
    for username in ("cm.tamba", "coord.tamba"):
        assert move(client_for(username), kolda, "CANCELLED", reason="x").status_code == 404
    response = call(
        client_for("finance"), "post", "/api/purchases/999999/transitions", {"to": "CANCELLED"}
    )
    assert response.status_code == 404
    assert PurchaseRequest.objects.filter(status=PurchaseStatus.QUOTING).count() == 2


@pytest.mark.django_db
def test_above_the_threshold_too_few_quotations_answers_422(client_for, users, plan, supplier):
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier, "300000")
    response = move(
        client_for("finance"),
        purchase,
        "ORDERED",
        quotation=quotation.pk,
        justification="Only one",
        order_number="PO-1",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "too_few_quotations"
    assert fresh(purchase).status == PurchaseStatus.QUOTING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"justification": ""}, "justification"),
        ({"order_number": ""}, "order_number"),
        ({"quotation": None}, "quotation"),
        ({"quotation": 999999}, "quotation"),
    ],
)
def test_the_order_is_checked(client_for, users, plan, supplier, fields, field):
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier)
    body = {"quotation": quotation.pk, "justification": "Cheapest", "order_number": "PO-1"}
    body.update(fields)
    response = move(client_for("finance"), purchase, "ORDERED", **body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert fresh(purchase).status == PurchaseStatus.QUOTING


@pytest.mark.django_db
def test_a_quotation_of_another_purchase_is_not_chosen(
    client_for, users, plan, kolda_plan, supplier
):
    purchase = purchase_started(users, plan)
    quoted(users, purchase, supplier)
    other = quoted(users, purchase_started(users, kolda_plan), supplier)
    response = move(
        client_for("finance"),
        purchase,
        "ORDERED",
        quotation=other.pk,
        justification="x",
        order_number="PO-1",
    )
    assert response.status_code == 422 and response.json()["field"] == "quotation"


@pytest.mark.django_db
def test_receiving_needs_a_date(client_for, users, plan, supplier):
    purchase = purchase_ordered(users, plan, supplier)
    response = move(client_for("finance"), purchase, "RECEIVED")
    assert response.status_code == 422 and response.json()["field"] == "received_on"


@pytest.mark.django_db
def test_goods_of_a_revised_plan_answer_422(client_for, users, plan, supplier, tamba_line):
    from reintegra.plans import services as plans

    purchase = purchase_ordered(users, plan, supplier)
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    response = move(client_for("finance"), purchase, "RECEIVED", received_on="2026-02-10")
    assert response.status_code == 422
    assert response.json()["code"] == "plan_not_in_force"
    assert fresh(purchase).status == PurchaseStatus.ORDERED


@pytest.mark.django_db
def test_goods_the_commitment_does_not_cover_answer_422(
    client_for, users, offices, plan, supplier, tamba_line
):
    checker = checker_ensure(offices)
    services.instalment_pay(
        actor=users["finance"], instalment=to_pay(users, checker, plan, "200000"), reference="R1"
    )
    purchase = purchase_ordered(users, plan, supplier, "150000")
    response = move(client_for("finance"), purchase, "RECEIVED", received_on="2026-02-10")
    assert response.status_code == 422
    assert response.json()["code"] == "not_committed"
    assert fresh(tamba_line).spent == Decimal("200000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({}, "signature", "unsigned"),
        ({"signature": "data:image/jpeg;base64,AAAA"}, "signature", "invalid"),
        ({"signature": "data:image/png;base64,@@@@"}, "signature", "invalid"),
        ({"signature": "x" * 300_001}, "signature", "invalid"),
        ({"signature": SIGNATURE, "signed_by": ""}, "signed_by", "invalid"),
        ({"signature": SIGNATURE, "handed_over_on": None}, "handed_over_on", "invalid"),
        ({"signature": SIGNATURE, "handed_over_on": "12/02/2026"}, "handed_over_on", "invalid"),
    ],
)
def test_the_certificate_is_checked(client_for, users, plan, supplier, fields, field, code):
    purchase = purchase_received(users, plan, supplier)
    body = {"handed_over_on": "2026-02-12", "signed_by": "Moussa Diallo", **fields}
    response = move(client_for("finance"), purchase, "HANDED_OVER", **body)
    assert response.status_code == 422, response.content
    assert (response.json()["field"], response.json()["code"]) == (field, code)
    assert not HandoverCertificate.objects.exists()


@pytest.mark.django_db
def test_cancelling(client_for, users, plan, supplier):
    finance = client_for("finance")
    purchase = purchase_ordered(users, plan, supplier)
    response = move(finance, purchase, "CANCELLED", reason="")
    assert response.status_code == 422 and response.json()["field"] == "reason"
    response = move(finance, purchase, "CANCELLED", reason="Supplier closed", version=3)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "CANCELLED",
        "Supplier closed",
    )
    response = move(finance, purchase, "CANCELLED", reason="Again")
    assert response.status_code == 422 and response.json()["code"] == "invalid_transition"

    received = purchase_received(users, fresh(plan), supplier)
    response = move(finance, received, "CANCELLED", reason="Too late")
    assert response.status_code == 422 and response.json()["code"] == "invalid_transition"
    assert fresh(received).status == PurchaseStatus.RECEIVED


@pytest.mark.django_db
def test_a_stale_version_answers_409_and_changes_nothing(client_for, users, plan, supplier):
    purchase = purchase_ordered(users, plan, supplier)
    finance = client_for("finance")
    for to, fields in [
        ("RECEIVED", {"received_on": "2026-02-10"}),
        ("CANCELLED", {"reason": "x"}),
    ]:
        response = move(finance, purchase, to, version=2, **fields)
        assert response.status_code == 409, to
        assert response.json()["code"] == "stale_version"
    purchase = fresh(purchase)
    assert (purchase.status, purchase.version) == (PurchaseStatus.ORDERED, 3)
    assert not AuditEvent.objects.filter(action="purchase.received").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("to", "fields"),
    [
        ("RECEIVED", {"received_on": "2026-02-10"}),
        ("HANDED_OVER", {"handed_over_on": "2026-02-12", "signed_by": "x"}),
    ],
)
def test_a_move_that_does_not_apply_answers_422(client_for, users, plan, to, fields):
    purchase = purchase_started(users, plan)
    response = move(client_for("finance"), purchase, to, **fields)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"
    assert fresh(purchase).status == PurchaseStatus.QUOTING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"to": "QUOTING"},
        {"to": "BOGUS"},
        {"to": ""},
        {},
        {"to": "CANCELLED", "version": -1},
        {"to": "CANCELLED", "version": "abc"},
        {"to": "ORDERED", "quotation": "abc"},
        {"to": "ORDERED", "quotation": 2**64},
        {"to": "ORDERED", "order_number": "x" * 51},
        {"to": "RECEIVED", "received_on": "2026-13-01"},
        {"to": "CANCELLED", "reason": "nul\x00"},
        {"to": "CANCELLED", "reason": "ok", "extra": 1},
        {"to": "HANDED_OVER", "signed_by": "x" * 201},
    ],
)
def test_a_bad_move_answers_422(client_for, users, plan, body):
    purchase = purchase_started(users, plan)
    response = call(
        client_for("finance"), "post", f"/api/purchases/{purchase.pk}/transitions", body
    )
    assert response.status_code == 422, response.content
    assert fresh(purchase).status == PurchaseStatus.QUOTING
    raw = call(client_for("finance"), "post", f"/api/purchases/{purchase.pk}/transitions", raw="[]")
    assert raw.status_code == 422
