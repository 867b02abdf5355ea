"""Payment pages: a case manager plans an instalment on an approved plan; one finance user
prepares the payment, a second approves it, the payment is recorded; the plan shows paid
against planned."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reintegra.accounts import services as accounts
from reintegra.cases import services as cases
from reintegra.cases.tests.conftest import register
from reintegra.finance import services
from reintegra.finance.models import Instalment
from reintegra.plans import services as plans
from reintegra.plans.models import AssistanceType

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(users, offices):
    """An approved Tambacounda plan with a 100,000 cash measure, on a 1,000,000 line."""
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    plans.catalogue_load(actor=users["coord.national"])
    line = plans.budget_line_create(
        actor=coord, office=offices["TAM"], code="TAM-1", name="Grants", donor="EU", amount=1000000
    )
    case = cases.case_open(
        actor=cm,
        person=register(cm, offices["TAM"]),
        office=offices["TAM"],
        arrived_on=datetime.date.today(),
    )
    plan = plans.plan_start(actor=cm, case=case)
    cash = AssistanceType.objects.get(code="CASH")
    measure = plans.measure_add(actor=cm, plan=plan, assistance_type=cash, estimated_cost=100000)
    plan = plans.plan_submit(actor=cm, plan=plan)
    plan = plans.plan_approve(actor=coord, plan=plan, budget_line=line)
    return plan, measure, line


@pytest.fixture
def second_finance(users, offices):
    user = accounts.user_create(
        actor=users["sysadmin"], username="finance.two", first_name="Khady", last_name="Sarr"
    )
    accounts.role_assign(actor=users["sysadmin"], user=user, role="FINANCE", office=offices["DKR"])
    client = Client()
    client.force_login(user)
    return client


def test_cash_goes_from_plan_to_payment_with_two_finance_users(
    client_for, approved, second_finance
):
    plan, measure, line = approved
    cm = client_for("cm.tamba")
    cm.post(
        reverse("finance:instalment_add", args=[plan.pk]),
        {"measure": measure.pk, "amount": "60000", "milestone": "On arrival"},
    )
    instalment = Instalment.objects.get()
    move = reverse("finance:instalment_move", args=[instalment.pk])
    # The case manager does not prepare payments.
    assert cm.post(move, {"to": "PREPARED", "method": "CASH", "payee": "M"}).status_code == 403
    finance = client_for("finance")
    page = finance.get(reverse("finance:payments")).content.decode()
    assert "On arrival" in page and "Prepare the payment" in page
    finance.post(
        move,
        {
            "to": "PREPARED",
            "method": "MOBILE_MONEY",
            "payee": "Moussa Diallo",
            "account": "771234567",
        },
    )
    instalment.refresh_from_db()
    assert instalment.status == "PREPARED"
    # The preparer cannot approve; a second finance user does.
    assert finance.post(move, {"to": "APPROVED"}).status_code == 403
    second_finance.post(move, {"to": "APPROVED"})
    finance.post(move, {"to": "PAID", "reference": "OM-2026-0001"})
    instalment.refresh_from_db()
    line.refresh_from_db()
    assert instalment.status == "PAID" and instalment.reference == "OM-2026-0001"
    assert line.spent == Decimal("60000.00") and line.committed == Decimal("40000.00")
    measure.refresh_from_db()
    assert measure.delivered_on is None  # 40,000 still to pay
    panel = cm.get(reverse("finance:plan_panel", args=[plan.pk])).content.decode()
    assert "planned in instalments: 60000.00" in panel and "paid: 60000.00" in panel
    home = finance.get("/").content.decode()
    assert 'id="payments"' in home


def test_instalments_cannot_exceed_the_cash_measure(client_for, approved):
    plan, measure, _line = approved
    cm = client_for("cm.tamba")
    response = cm.post(
        reverse("finance:instalment_add", args=[plan.pk]),
        {"measure": measure.pk, "amount": "150000", "milestone": "Too much"},
        follow=True,
    )
    assert "would exceed its cost" in response.content.decode()
    assert not Instalment.objects.exists()


def test_finance_reports_show_and_export_the_budget(client_for, approved):
    plan, _measure, line = approved
    finance = client_for("finance")
    page = finance.get(reverse("finance:reports")).content.decode()
    assert "TAM-1" in page and "1000000.00" in page
    assert "Cost per returnee" in page and "Approved assistance by dimension" in page
    offices = page[page.index('id="report-offices"') : page.index('id="report-dimensions"')]
    assert "1000000.00" in offices and "100000.00" in offices  # amounts keep two decimals
    csv_text = finance.get(reverse("finance:report_export", args=["lines", "csv"]))
    assert csv_text.status_code == 200 and b"TAM-1" in csv_text.content
    assert b"100000.00" in csv_text.content  # committed by the plan
    workbook = finance.get(reverse("finance:report_export", args=["all", "xlsx"]))
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True)
    assert sheets.sheetnames == [
        "lines",
        "offices",
        "dimensions",
        "per_returnee",
        "pending",
        "procurement",
    ]
    lines = list(sheets["lines"].iter_rows(values_only=True))
    assert lines[1][0] == "TAM-1" and lines[1][4] == 100000
    assert finance.get(reverse("finance:report_export", args=["nope", "csv"])).status_code == 404
    assert client_for("me.officer").get(reverse("finance:reports")).status_code == 200
    assert client_for("cm.tamba").get(reverse("finance:reports")).status_code == 403


def test_a_cash_measure_is_delivered_when_its_instalments_are_all_paid(users, approved, offices):
    plan, measure, _line = approved
    checker = accounts.user_create(
        actor=users["sysadmin"], username="finance.three", first_name="A", last_name="B"
    )
    accounts.role_assign(
        actor=users["sysadmin"], user=checker, role="FINANCE", office=offices["DKR"]
    )
    for number, amount in enumerate(("60000", "40000")):
        instalment = services.instalment_add(
            actor=users["cm.tamba"],
            plan=plan,
            measure=measure,
            amount=amount,
            milestone=f"M{number}",
        )
        instalment = services.instalment_prepare(
            actor=users["finance"], instalment=instalment, method="CASH", payee="Moussa"
        )
        instalment = services.instalment_approve(actor=checker, instalment=instalment)
        services.instalment_pay(
            actor=users["finance"], instalment=instalment, reference=f"C-{number}"
        )
        measure.refresh_from_db()
        assert (measure.delivered_on is not None) is (number == 1)
