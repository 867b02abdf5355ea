"""Payment pages: the instalments to prepare, approve and pay; a plan's instalments."""

import csv
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from reintegra.cases.permissions import case_access_many
from reintegra.core.cells import safe_row
from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate
from reintegra.core.views import form_errors, submit_form
from reintegra.finance import permissions, reports, selectors, services
from reintegra.finance.choices import TRANSITIONS, InstalmentStatus, PaymentMethod, PurchaseStatus
from reintegra.finance.forms import (
    InstalmentForm,
    MoveForm,
    PurchaseMoveForm,
    QuotationForm,
    SupplierForm,
)
from reintegra.finance.services.cash import INSTALMENT_MOVES
from reintegra.plans.choices import DeliveryMode
from reintegra.plans.selectors import plan_get_for_user

MOVES = tuple(INSTALMENT_MOVES)


def _moves(user: Any, access: Any, instalment: Any) -> list[str]:
    return [to for to in MOVES if permissions.can_move(user, access, instalment, to)]


@login_required
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_payments(request.user):
        raise NotAllowed(_("Finance staff and coordinators follow payments."))
    step = request.GET.get("step", "to_prepare")
    step = step if step in selectors.PAYMENT_STEPS else "to_prepare"
    page = paginate(selectors.instalment_list(request.user, step=step), request.GET.get("page"))
    accesses = case_access_many(
        request.user, list({i.plan.case_id: i.plan.case for i in page.items}.values())
    )
    rows = [(i, _moves(request.user, accesses.get(i.plan.case_id), i)) for i in page.items]
    context = {"page": page, "rows": rows, "step": step, "methods": PaymentMethod.choices}
    return render(request, "finance/payments.html", context)


@login_required
@require_GET
def plan_panel(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan page's cash instalments (loaded by htmx): planned against the cash measures."""
    plan, access, _full = plan_get_for_user(request.user, plan_id)
    instalments = selectors.plan_instalments(plan)
    cash = plan.measures.filter(delivery_mode=DeliveryMode.CASH)
    active = [i for i in instalments if i.status != InstalmentStatus.CANCELLED]
    context: dict[str, Any] = {
        "plan": plan,
        "rows": [(i, _moves(request.user, access, i)) for i in instalments],
        "methods": PaymentMethod.choices,
        "cash_total": sum((m.estimated_cost for m in cash), start=Decimal(0)),
        "planned_total": sum((i.amount for i in active), start=Decimal(0)),
        "paid_total": sum(
            (i.amount for i in active if i.status == InstalmentStatus.PAID), start=Decimal(0)
        ),
        "has_cash": cash.exists(),
    }
    if permissions.can_plan_instalments(access, plan) and context["has_cash"]:
        context["form"] = InstalmentForm(measures=cash)
    purchases = selectors.plan_purchases(plan)
    bought = {p.measure_id for p in purchases if p.status != PurchaseStatus.CANCELLED}
    context["purchases"] = purchases
    context["to_buy"] = (
        [m for m in plan.measures.filter(delivery_mode=DeliveryMode.IN_KIND) if m.pk not in bought]
        if permissions.can_purchase(access) and plan.status == "APPROVED"
        else []
    )
    return render(request, "finance/_plan_panel.html", context)


@login_required
@require_POST
def instalment_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access, _full = plan_get_for_user(request.user, plan_id)
    if not permissions.can_plan_instalments(access, plan):
        raise NotAllowed(_("The case's case managers plan the instalments of an approved plan."))
    form = InstalmentForm(
        request.POST, measures=plan.measures.filter(delivery_mode=DeliveryMode.CASH)
    )
    submit_form(request, form, services.instalment_add, _("Instalment planned."), plan=plan)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def instalment_move(request: HttpRequest, pk: int) -> HttpResponse:
    instalment, access = selectors.instalment_get_for_user(request.user, pk)
    form = MoveForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if not form.is_valid() or form.cleaned_data["to"] not in MOVES:
        messages.error(request, _("Unknown change."))
        return redirect(back or "finance:payments")
    data = form.cleaned_data
    to = data["to"]
    valid = to in TRANSITIONS.get(instalment.status, ())
    if valid and not permissions.can_move(request.user, access, instalment, to):
        raise NotAllowed(_("You may not make this change to the instalment."))
    try:
        services.instalment_move(actor=request.user, instalment=instalment, **data)
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request, _("Instalment: %(status)s.") % {"status": InstalmentStatus(to).label}
        )
    return redirect(back or "finance:payments")


# --- reports --------------------------------------------------------------------------------


@login_required
@require_GET
def finance_reports(request: HttpRequest) -> HttpResponse:
    if not reports.can_view_reports(request.user):
        raise NotAllowed(_("Finance staff, coordinators and the M&E specialist see the reports."))
    return render(request, "finance/reports.html", {"tables": reports.finance_tables(request.user)})


@login_required
@require_GET
def finance_report_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One table as CSV, or one table (or `all` of them, a sheet each) as XLSX."""
    if not reports.can_view_reports(request.user):
        raise NotAllowed(_("Finance staff, coordinators and the M&E specialist see the reports."))
    if key == "all" and fmt == "xlsx":
        tables = reports.finance_tables(request.user)
    else:
        table = reports.finance_table(request.user, key)
        if table is None or fmt not in ("csv", "xlsx"):
            raise Http404
        tables = [table]
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        for row in [tables[0].columns, *tables[0].rows]:
            writer.writerow(safe_row([str(cell) for cell in row]))
    else:
        workbook = Workbook(write_only=True)
        for table in tables:
            sheet = workbook.create_sheet(title=table.key[:31])
            sheet.append(safe_row([str(c) for c in table.columns]))
            for row in table.rows:
                sheet.append(safe_row([c if isinstance(c, int | Decimal) else str(c) for c in row]))
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook.save(response)
    response["Content-Disposition"] = f'attachment; filename="reintegra-finance-{key}.{fmt}"'
    return response


# --- in-kind purchases ----------------------------------------------------------------------

PURCHASE_TABS = ("open", *PurchaseStatus.values)


@login_required
@require_GET
def purchases(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_payments(request.user):
        raise NotAllowed(_("Finance staff and coordinators follow purchases."))
    status = request.GET.get("status", "open")
    status = status if status in PURCHASE_TABS else "open"
    page = paginate(selectors.purchase_list(request.user, status=status), request.GET.get("page"))
    tabs = [("open", _("Open")), *PurchaseStatus.choices]
    return render(request, "finance/purchases.html", {"page": page, "status": status, "tabs": tabs})


@login_required
@require_POST
def purchase_start(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access, _full = plan_get_for_user(request.user, plan_id)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("Finance staff make the purchases."))
    measure = plan.measures.filter(pk=request.POST.get("measure") or 0).first()
    if measure is None:
        messages.error(request, _("Choose an in-kind measure of this plan."))
        return redirect("plans:detail", pk=plan.pk)
    try:
        purchase = services.purchase_start(actor=request.user, plan=plan, measure=measure)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("plans:detail", pk=plan.pk)
    messages.success(request, _("Purchase requested."))
    return redirect("finance:purchase", pk=purchase.pk)


@login_required
@require_GET
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    purchase, access = selectors.purchase_get_for_user(request.user, pk)
    quotations = list(purchase.quotations.select_related("supplier"))
    context: dict[str, Any] = {
        "purchase": purchase,
        "plan": purchase.plan,
        "lines": list(purchase.lines.all()),
        "quotations": quotations,
        "can_act": permissions.can_purchase(access),
        "certificate": getattr(purchase, "certificate", None),
        "quotation_form": QuotationForm(),
        "min_quotations": settings.REINTEGRA_MIN_QUOTATIONS,
        "quotations_above": settings.REINTEGRA_QUOTATIONS_ABOVE,
        "today": timezone.localdate(),
    }
    return render(request, "finance/purchase.html", context)


@login_required
@require_POST
def quotation_add(request: HttpRequest, pk: int) -> HttpResponse:
    purchase, access = selectors.purchase_get_for_user(request.user, pk)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("Finance staff make the purchases."))
    form = QuotationForm(request.POST)
    add = partial(services.quotation_add, request=purchase)  # "request": the purchase's
    submit_form(request, form, add, _("Quotation added."))
    return redirect("finance:purchase", pk=purchase.pk)


@login_required
@require_POST
def purchase_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Order (supplier chosen), goods received, handed over (certificate), or cancelled."""
    purchase, access = selectors.purchase_get_for_user(request.user, pk)
    if not permissions.can_purchase(access):
        raise NotAllowed(_("Finance staff make the purchases."))
    form = PurchaseMoveForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("finance:purchase", pk=purchase.pk)
    data = form.cleaned_data
    to = data["to"]
    try:
        services.purchase_move(actor=request.user, request=purchase, **data)
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        label = PurchaseStatus(to).label if to in PurchaseStatus.values else to
        messages.success(request, _("Purchase: %(status)s.") % {"status": label})
    return redirect("finance:purchase", pk=purchase.pk)


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The hand-over certificate, to print (or file)."""
    purchase, _access = selectors.purchase_get_for_user(request.user, pk)
    found = getattr(purchase, "certificate", None)
    if found is None:
        raise Http404
    return render(request, "finance/certificate.html", {"purchase": purchase, "certificate": found})


@login_required
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_suppliers(request.user):
        raise NotAllowed(_("Finance staff and coordinators see the supplier register."))
    manages = permissions.can_manage_suppliers(request.user)
    context = {
        "suppliers": selectors.supplier_list(),
        "manages": manages,
        "form": SupplierForm() if manages else None,
    }
    return render(request, "finance/suppliers.html", context)


@login_required
@require_POST
def supplier_add(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_suppliers(request.user):
        raise NotAllowed(_("Finance staff keep the supplier register."))
    submit_form(request, SupplierForm(request.POST), services.supplier_save, _("Supplier added."))
    return redirect("finance:suppliers")
