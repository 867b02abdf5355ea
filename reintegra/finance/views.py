"""Payment pages: the instalments to prepare, approve and pay; a plan's instalments."""

import csv
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from reintegra.cases.permissions import case_access_many
from reintegra.core.cells import safe_row
from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate
from reintegra.finance import permissions, reports, selectors, services
from reintegra.finance.choices import TRANSITIONS, InstalmentStatus, PaymentMethod
from reintegra.finance.forms import InstalmentForm, MoveForm
from reintegra.plans.choices import DeliveryMode
from reintegra.plans.selectors import plan_get_for_user

MOVES: dict[str, Callable[..., Any]] = {
    InstalmentStatus.PREPARED: services.instalment_prepare,
    InstalmentStatus.APPROVED: services.instalment_approve,
    InstalmentStatus.PAID: services.instalment_pay,
    InstalmentStatus.CANCELLED: services.instalment_cancel,
}
FIELDS = {
    InstalmentStatus.PREPARED: ("method", "payee", "account"),
    InstalmentStatus.APPROVED: (),
    InstalmentStatus.PAID: ("reference",),
    InstalmentStatus.CANCELLED: ("reason",),
}


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
    if form.is_valid():
        try:
            services.instalment_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ServiceError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Instalment planned."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
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
    fields = {name: data[name] for name in FIELDS[to]}
    try:
        MOVES[to](actor=request.user, instalment=instalment, version=data["version"], **fields)
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
