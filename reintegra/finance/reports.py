"""Finance reports over the offices in the user's scope: budget against committed and spent
per line, per office and per dimension; cost per returnee; what waits for approval. Figures
only, no personal data. Each is a table (title, columns, rows) the page shows and the CSV and
XLSX exports write."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.finance.choices import InstalmentStatus, PurchaseStatus
from reintegra.finance.models import Instalment, PurchaseRequest
from reintegra.plans.choices import Dimension, Status
from reintegra.plans.models import BudgetLine, Measure, Plan

ZERO = Decimal(0)
REPORT_ROLES = (Role.FINANCE, Role.COORDINATOR, Role.ME_SPECIALIST)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    text_columns: int = 1  # the first columns hold text; the others figures

    def __post_init__(self) -> None:
        self.rows = [self.tidy(row) for row in self.rows]

    def add(self, row: list[Any]) -> None:
        self.rows.append(self.tidy(row))

    @staticmethod
    def tidy(row: list[Any]) -> list[Any]:
        """Amounts with two decimals whatever the database returned (SQLite loses them)."""
        return [
            cell.quantize(Decimal("0.01")) if isinstance(cell, Decimal) else cell for cell in row
        ]


def can_view_reports(user: Any) -> bool:
    return principal(user).has_role(*REPORT_ROLES)


def _offices(user: Any) -> list[int]:
    return sorted(principal(user).offices(*REPORT_ROLES))


def budget_by_line(offices: list[int]) -> Table:
    table = Table(
        "lines",
        _("Budget by line"),
        [_("Budget line"), _("Donor or programme"), _("Office"), _("Amount"), _("Committed"),
         _("Spent"), _("Available")],
        text_columns=3,
    )  # fmt: skip
    totals = [ZERO, ZERO, ZERO, ZERO]
    for line in BudgetLine.objects.filter(office_id__in=offices).select_related("office"):
        values = [line.amount, line.committed, line.spent, line.available]
        table.add([line.code, line.donor, line.office.name, *values])
        totals = [t + v for t, v in zip(totals, values, strict=True)]
    table.add([_("Total"), "", "", *totals])
    return table


def budget_by_office(offices: list[int]) -> Table:
    table = Table(
        "offices",
        _("Budget by office"),
        [_("Office"), _("Amount"), _("Committed"), _("Spent"), _("Available")],
    )
    sums = (
        BudgetLine.objects.filter(office_id__in=offices)
        .values("office__name")
        .annotate(amount=Sum("amount"), committed=Sum("committed"), spent=Sum("spent"))
        .order_by("office__name")
    )
    for row in sums:
        available = row["amount"] - row["committed"] - row["spent"]
        table.add([row["office__name"], row["amount"], row["committed"], row["spent"], available])
    return table


def by_dimension(offices: list[int]) -> Table:
    """Approved plans' measures by dimension, and the cash paid on them."""
    table = Table(
        "dimensions",
        _("Approved assistance by dimension"),
        [_("Dimension"), _("Measures"), _("Approved amount"), _("Paid in cash")],
    )
    measures = (
        Measure.objects.filter(plan__status=Status.APPROVED, plan__case__office_id__in=offices)
        .values("assistance_type__dimension")
        .annotate(n=Count("pk"), amount=Sum("estimated_cost"))
    )
    paid = dict(
        Instalment.objects.filter(status=InstalmentStatus.PAID, plan__case__office_id__in=offices)
        .values_list("measure__assistance_type__dimension")
        .annotate(total=Sum("amount"))
    )
    found = {m["assistance_type__dimension"]: m for m in measures}
    for code, label in Dimension.choices:
        row = found.get(code, {"n": 0, "amount": ZERO})
        table.add([str(label), row["n"], row["amount"], paid.get(code, ZERO)])
    return table


def cost_per_returnee(offices: list[int]) -> Table:
    table = Table(
        "per_returnee",
        _("Cost per returnee"),
        [_("Office"), _("Returnees with an approved plan"), _("Approved amount"),
         _("Average per returnee")],
    )  # fmt: skip
    rows = (
        Plan.objects.filter(status=Status.APPROVED, case__office_id__in=offices)
        .values("case__office__name")
        .annotate(people=Count("case__person", distinct=True), amount=Sum("total"))
        .order_by("case__office__name")
    )
    for row in rows:
        average = (
            (row["amount"] / row["people"]).quantize(Decimal("0.01")) if row["people"] else ZERO
        )
        table.add([row["case__office__name"], row["people"], row["amount"], average])
    return table


def pending(offices: list[int]) -> Table:
    table = Table("pending", _("Waiting for a decision"), [_("What"), _("Count"), _("Amount")])
    plans = Plan.objects.filter(status=Status.SUBMITTED, case__office_id__in=offices).aggregate(
        n=Count("pk"), amount=Sum("total")
    )
    table.add([_("Plans waiting for approval"), plans["n"], plans["amount"] or ZERO])
    steps = Instalment.objects.filter(
        plan__status=Status.APPROVED, plan__case__office_id__in=offices
    ).aggregate(
        prepare=Count("pk", filter=Q(status=InstalmentStatus.PLANNED)),
        prepare_amount=Sum("amount", filter=Q(status=InstalmentStatus.PLANNED)),
        approve=Count("pk", filter=Q(status=InstalmentStatus.PREPARED)),
        approve_amount=Sum("amount", filter=Q(status=InstalmentStatus.PREPARED)),
        pay=Count("pk", filter=Q(status=InstalmentStatus.APPROVED)),
        pay_amount=Sum("amount", filter=Q(status=InstalmentStatus.APPROVED)),
    )
    for key, label in (
        ("prepare", _("Instalments to prepare")),
        ("approve", _("Payments to approve")),
        ("pay", _("Payments to make")),
    ):
        table.add([label, steps[key], steps[f"{key}_amount"] or ZERO])
    return table


def procurement_pipeline(offices: list[int]) -> Table:
    table = Table(
        "procurement",
        _("Procurement pipeline"),
        [_("Step"), _("Purchases"), _("Estimated"), _("Ordered")],
    )
    rows: dict[str, dict[str, Any]] = {
        row["status"]: dict(row)
        for row in PurchaseRequest.objects.filter(plan__case__office_id__in=offices)
        .values("status")
        .annotate(n=Count("pk"), estimated=Sum("estimated_total"), ordered=Sum("amount"))
    }
    for code, label in PurchaseStatus.choices:
        row = rows.get(code, {})
        table.add(
            [str(label), row.get("n", 0), row.get("estimated") or ZERO, row.get("ordered") or ZERO]
        )
    return table


REPORTS = {
    "lines": budget_by_line,
    "offices": budget_by_office,
    "dimensions": by_dimension,
    "per_returnee": cost_per_returnee,
    "pending": pending,
    "procurement": procurement_pipeline,
}


def finance_tables(user: Any) -> list[Table]:
    offices = _offices(user)
    return [build(offices) for build in REPORTS.values()]


def finance_table(user: Any, key: str) -> Table | None:
    build = REPORTS.get(key)
    return build(_offices(user)) if build else None
