"""Fixtures for cash assistance: an approved plan of cm.tamba's Tambacounda case with a cash
measure of 200,000 and an in-kind measure of 100,000, committed on a 1,000,000 budget line,
and helpers that move an instalment through its steps with the real services.

Personas (DESIGN §9): cm.tamba plans the instalments of her case's approved plan; `finance`
(Dakar) prepares the payment instruction and a second finance user, `finance.checker` (Dakar),
approves it (maker–checker); either records the payment. coord.tamba approves plans and
follows payments; cm.kolda must not reach Tambacounda instalments.
"""

import pytest

from reintegra.accounts import services as accounts
from reintegra.accounts.choices import Role
from reintegra.accounts.models import User
from reintegra.cases.models import Case
from reintegra.finance import services
from reintegra.finance.choices import PaymentMethod
from reintegra.finance.models import Instalment
from reintegra.plans import services as plans
from reintegra.plans.models import BudgetLine, Measure, Plan
from reintegra.plans.tests.conftest import (  # noqa: F401  (fixtures shared with the plans tests)
    catalogue,
    draft,
    kolda_case,
    kolda_line,
    line,
    open_case,
    tamba_case,
    tamba_line,
)

CASH = "200000"
IN_KIND = "100000"


def checker_ensure(offices, username: str = "finance.checker") -> User:
    """A second finance user at Dakar (the checker of maker–checker), made the way the demo
    makes its personas."""
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    user = accounts.user_create(
        actor=None, username=username, first_name="Moussa", last_name="Kane"
    )
    accounts.role_assign(actor=None, user=user, role=Role.FINANCE, office=offices["DKR"])
    return user


def approved_plan(
    users, case: Case, catalogue: dict, budget_line: BudgetLine, *costs: tuple[str, str]
) -> Plan:
    """A plan drafted and submitted by the case's manager, approved by coord.tamba (or
    coord.national for a Kolda case) on the line; `costs` are (assistance type code, cost)."""
    manager = users["cm.kolda"] if case.office.code == "KLD" else users["cm.tamba"]
    plan = draft(manager, case, catalogue)
    for code, cost in costs or (("CASH", CASH), ("IGA", IN_KIND)):
        plans.measure_add(
            actor=manager, plan=plan, assistance_type=catalogue[code], estimated_cost=cost
        )
    plan = plans.plan_submit(actor=manager, plan=plan)
    approver = users["coord.national"] if case.office.code == "KLD" else users["coord.tamba"]
    return plans.plan_approve(actor=approver, plan=plan, budget_line=budget_line)


def cash_measure(plan: Plan) -> Measure:
    return plan.measures.get(delivery_mode="CASH")


def planned(users, plan: Plan, amount: str = "50000", milestone: str = "Arrival") -> Instalment:
    """An instalment of the plan's cash measure, planned by cm.tamba (cm.kolda on Kolda)."""
    manager = users["cm.kolda"] if plan.case.office.code == "KLD" else users["cm.tamba"]
    return services.instalment_add(
        actor=manager,
        plan=plan,
        measure=cash_measure(plan),
        amount=amount,
        milestone=milestone,
    )


def prepared(users, instalment: Instalment) -> Instalment:
    """The payment instruction, prepared by the `finance` persona (mobile money)."""
    return services.instalment_prepare(
        actor=users["finance"],
        instalment=instalment,
        method=PaymentMethod.MOBILE_MONEY,
        payee="Moussa Diallo",
        account="+221 77 100 0001",
    )


def approved(users, checker: User, instalment: Instalment) -> Instalment:
    """Prepared by `finance`, approved by the checker."""
    return services.instalment_approve(actor=checker, instalment=prepared(users, instalment))


def to_pay(users, checker: User, plan: Plan, amount: str = "50000") -> Instalment:
    """A planned, prepared and approved instalment of the plan, ready to be paid."""
    return approved(users, checker, planned(users, plan, amount))


@pytest.fixture
def checker(offices) -> User:
    """The second finance user at Dakar."""
    return checker_ensure(offices)


@pytest.fixture
def plan(users, tamba_case, catalogue, tamba_line) -> Plan:
    """cm.tamba's approved plan: cash 200,000 + in kind 100,000 = 300,000 on BL-TAM."""
    return approved_plan(users, tamba_case, catalogue, tamba_line)


@pytest.fixture
def kolda_plan(users, kolda_case, catalogue, kolda_line) -> Plan:
    """cm.kolda's approved plan at Kolda (out of scope for Tambacounda users)."""
    return approved_plan(users, kolda_case, catalogue, kolda_line)


# --- in-kind purchases ------------------------------------------------------------------------
# `finance` (Dakar) buys what approved plans list anywhere; `finance.tamba`, a finance user at
# Tambacounda, buys for Tambacounda only (a Kolda plan is out of their scope).


def png_data_url(width: int = 1, height: int = 1) -> str:
    """A real (tiny, grey) PNG as the signature pad sends it: `data:image/png;base64,...`."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def finance_user(offices, username: str, office: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    user = accounts.user_create(actor=None, username=username, first_name="Rama", last_name="Ly")
    accounts.role_assign(actor=None, user=user, role=Role.FINANCE, office=offices[office])
    return user


def in_kind_measure(plan: Plan) -> Measure:
    return plan.measures.get(delivery_mode="IN_KIND")


def supplier_make(users, name: str = "Quincaillerie Tamba", **fields):
    fields.setdefault("bank_name", "CBAO")
    fields.setdefault("bank_account", "SN012 01201 036182616101 83")
    fields.setdefault("mobile_money", "+221 77 555 0101")
    return services.supplier_save(actor=users["finance"], name=name, **fields)


def purchase_started(users, plan: Plan):
    """The purchase of the plan's in-kind measure, started by `finance`."""
    return services.purchase_start(actor=users["finance"], plan=plan, measure=in_kind_measure(plan))


def quoted(users, purchase, supplier, amount: str = "95000"):
    import datetime

    return services.quotation_add(
        actor=users["finance"],
        request=purchase,
        supplier=supplier,
        amount=amount,
        received_on=datetime.date(2026, 2, 2),
    )


def purchase_ordered(users, plan: Plan, supplier, amount: str = "95000"):
    """A purchase of the plan's in-kind measure, one quotation, ordered by `finance`."""
    purchase = purchase_started(users, plan)
    quotation = quoted(users, purchase, supplier, amount)
    return services.purchase_order(
        actor=users["finance"],
        request=purchase,
        quotation=quotation,
        justification="Cheapest, in stock",
        order_number="PO-0001",
    )


def purchase_received(users, plan: Plan, supplier, amount: str = "95000"):
    import datetime

    purchase = purchase_ordered(users, plan, supplier, amount)
    return services.goods_receive(
        actor=users["finance"], request=purchase, received_on=datetime.date(2026, 2, 10)
    )


@pytest.fixture
def finance_tamba(offices) -> User:
    """A finance user at Tambacounda."""
    return finance_user(offices, "finance.tamba", "TAM")


@pytest.fixture
def supplier(users):
    """An active supplier with bank details, registered by `finance`."""
    return supplier_make(users)
