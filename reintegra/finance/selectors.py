"""User-scoped reads of instalments and payments."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from reintegra.audit.services import record_access
from reintegra.cases.permissions import CaseAccess, case_access
from reintegra.finance.choices import OPEN_PURCHASES, InstalmentStatus, PurchaseStatus
from reintegra.finance.models import Instalment, PurchaseRequest, Supplier
from reintegra.plans.choices import Status
from reintegra.plans.selectors import plan_visible_to

PAYMENT_STEPS = ("to_prepare", "to_approve", "to_pay", "paid", "all")
STEP_STATUS = {
    "to_prepare": InstalmentStatus.PLANNED,
    "to_approve": InstalmentStatus.PREPARED,
    "to_pay": InstalmentStatus.APPROVED,
    "paid": InstalmentStatus.PAID,
}


def instalment_visible_to(user: Any) -> QuerySet[Instalment]:
    """Instalments of the plans whose lines the user reads."""
    return Instalment.objects.filter(plan__in=plan_visible_to(user).values("pk"))


def instalment_list(user: Any, *, step: str = "all", plan: Any = None) -> QuerySet[Instalment]:
    qs = instalment_visible_to(user).select_related(
        "plan",
        "plan__case",
        "plan__case__person",
        "measure",
        "measure__assistance_type",
        "prepared_by",
        "approved_by",
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    if step in STEP_STATUS:
        qs = qs.filter(status=STEP_STATUS[step])
    if step in ("to_prepare", "to_approve", "to_pay"):  # work only on plans in force
        qs = qs.filter(plan__status=Status.APPROVED)
    order = ("-paid_at", "-id") if step == "paid" else ("due_on", "id")
    return qs.order_by(*order)


def _get_for_user(user: Any, qs: QuerySet[Any], pk: Any, action: str) -> tuple[Any, CaseAccess]:
    """One object of a plan the user reads (404 otherwise), its reading recorded, and the
    user's access to the plan's case."""
    try:
        found = qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        raise Http404 from None
    if found is None:
        raise Http404
    case = found.plan.case
    record_access(
        actor=user, action=action, target=found, case_id=case.pk, person_id=case.person_id
    )
    return found, case_access(user, case)


def instalment_get_for_user(user: Any, pk: Any) -> tuple[Instalment, CaseAccess]:
    return _get_for_user(user, instalment_list(user), pk, "instalment.viewed")


def plan_instalments(plan: Any) -> list[Instalment]:
    return list(plan.instalments.select_related("measure", "prepared_by", "approved_by", "paid_by"))


def payment_counts(user: Any) -> dict[str, int]:
    """How many instalments wait at each step, in one query (the finance home page)."""
    counts = (
        instalment_visible_to(user)
        .filter(plan__status=Status.APPROVED)
        .aggregate(
            **{
                step: Count("pk", filter=Q(status=status))
                for step, status in STEP_STATUS.items()
                if step != "paid"
            }
        )
    )
    return {step: counts.get(step) or 0 for step in ("to_prepare", "to_approve", "to_pay")}


# --- in-kind purchases ----------------------------------------------------------------------


def purchase_visible_to(user: Any) -> QuerySet[PurchaseRequest]:
    return PurchaseRequest.objects.filter(plan__in=plan_visible_to(user).values("pk"))


def purchase_list(user: Any, *, status: str = "") -> QuerySet[PurchaseRequest]:
    qs = purchase_visible_to(user).select_related(
        "plan", "plan__case", "plan__case__person", "measure", "measure__assistance_type",
        "chosen", "chosen__supplier",
    )  # fmt: skip
    if status in PurchaseStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=OPEN_PURCHASES)
    return qs.order_by("-created_at", "-id")


def purchase_get_for_user(user: Any, pk: Any) -> tuple[PurchaseRequest, CaseAccess]:
    return _get_for_user(user, purchase_list(user), pk, "purchase.viewed")


def plan_purchases(plan: Any) -> list[PurchaseRequest]:
    return list(plan.purchases.select_related("measure", "chosen", "chosen__supplier"))


def supplier_list(active_only: bool = False) -> QuerySet[Supplier]:
    qs = Supplier.objects.all()
    return qs.filter(is_active=True) if active_only else qs
