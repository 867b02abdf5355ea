"""Pages of feedback and complaints, the programme adjustment log and its report."""

import csv
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from reintegra.core.cells import safe_row
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, form_errors
from reintegra.finance.reports import Table
from reintegra.outreach.choices.feedback import FeedbackAction, FeedbackStatus
from reintegra.outreach.forms.feedback import (
    AcknowledgeForm,
    AdjustmentForm,
    AssignForm,
    CloseForm,
    FeedbackFilterForm,
    FeedbackForm,
    ReopenForm,
    ReportForm,
    ResolveForm,
)
from reintegra.outreach.models.feedback import FeedbackItem
from reintegra.outreach.permissions import feedback as perms
from reintegra.outreach.selectors import feedback as selectors
from reintegra.outreach.services import feedback as services

# --- feedback ---------------------------------------------------------------------------------


def _need_feedback(request: HttpRequest) -> None:
    if not perms.can_view_feedback(request.user):
        raise NotAllowed(_("Only programme staff use the feedback register."))


def _filters(request: HttpRequest, form: FeedbackFilterForm) -> selectors.FeedbackFilters:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    queue = request.GET.get("queue", "")
    return selectors.FeedbackFilters(
        status=data.get("status") or "",
        category=data.get("category") or "",
        theme=data.get("theme") or "",
        overdue=bool(data.get("overdue")),
        mine=bool(data.get("mine")),
        queue="restricted" if queue == "restricted" else "",
    )


@login_required
@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    _need_feedback(request)
    form = FeedbackFilterForm(request.GET or None)
    filters = _filters(request, form)
    restricted = perms.can_see_restricted_queue(request.user)
    if filters.queue == "restricted" and not restricted:
        raise NotAllowed(_("Only coordinators see the restricted queue."))
    page = paginate(
        selectors.feedback_list_for_user(request.user, filters), request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "queue": filters.queue,
        "show_restricted": restricted,
        "query": query.urlencode(),
        "can_read_adjustments": perms.can_view_adjustments(request.user),
        "can_view_report": perms.can_view_feedback_report(request.user),
    }
    return render(request, "outreach/feedback/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    _need_feedback(request)
    form = FeedbackForm(
        request.POST or None,
        offices=selectors.recording_office_list(request.user),
        returnees=selectors.linkable_returnees(request.user),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                item = services.feedback_record(actor=request.user, **form.cleaned_data)
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(
                    request, _("Feedback recorded as %(ref)s.") % {"ref": item.reference}
                )
                if item.is_sensitive:
                    return redirect("outreach:feedback_recorded", pk=item.pk)
                return redirect("outreach:feedback_detail", pk=item.pk)
    return render(request, "outreach/feedback/form.html", {"form": form}, status=status)


@login_required
@require_GET
def feedback_recorded(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation a recorder sees: the reference, and for a sensitive complaint that it
    went to the coordinators (its content is no longer shown to them)."""
    item = selectors.feedback_recorded_get_for_user(request.user, pk)
    context = {"item": item, "can_open": perms.can_see_feedback(request.user, item)}
    return render(request, "outreach/feedback/recorded.html", context)


def _action_forms(request: HttpRequest, item: FeedbackItem) -> dict[str, Any]:
    """The forms of the actions the item's status allows (empty when the user may not act)."""
    if not perms.can_handle_feedback(request.user, item):
        return {}
    initial = {"version": item.version}
    today = timezone.localdate()
    forms: dict[str, Any] = {}
    if item.status == FeedbackStatus.RECEIVED:
        forms["acknowledge"] = AcknowledgeForm(
            prefix="ack", initial={**initial, "acknowledged_on": today}
        )
    if item.status in (FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.ASSIGNED):
        forms["assign"] = AssignForm(
            prefix="assign",
            initial={**initial, "assignee": item.assigned_to_id},
            users=selectors.assignable_users(item),
        )
        forms["resolve"] = ResolveForm(
            prefix="resolve",
            initial={**initial, "responded_on": today, "response_channel": item.channel},
        )
    if item.status == FeedbackStatus.RESOLVED:
        forms["close"] = CloseForm(prefix="close", initial=initial)
    if item.status in (FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED):
        forms["reopen"] = ReopenForm(prefix="reopen", initial=initial)
    return forms


@login_required
@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.feedback_get_for_user(request.user, pk)
    context = {
        "item": item,
        "returnee": selectors.returnee_shown_to(request.user, item),
        "events": selectors.feedback_events(item),
        "forms": _action_forms(request, item),
        "adjustments": selectors.adjustments_of_item(item),
        "can_read_adjustments": perms.can_view_adjustments(request.user),
        "can_record_adjustment": perms.can_record_adjustment(request.user),
    }
    return render(request, "outreach/feedback/detail.html", context)


def _transition_form(action: str, request: HttpRequest, item: FeedbackItem) -> Any:
    data = request.POST
    if action == FeedbackAction.ACKNOWLEDGE:
        return AcknowledgeForm(data, prefix="ack")
    if action == FeedbackAction.ASSIGN:
        return AssignForm(data, prefix="assign", users=selectors.assignable_users(item))
    if action == FeedbackAction.RESOLVE:
        return ResolveForm(data, prefix="resolve")
    if action == FeedbackAction.CLOSE:
        return CloseForm(data, prefix="close")
    return ReopenForm(data, prefix="reopen")


@login_required
@require_POST
def feedback_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow action (acknowledge, assign, resolve, close, re-open) with the version the
    page showed; a refusal is a message on the item's page."""
    item = selectors.feedback_get_for_user(request.user, pk)
    if action not in FeedbackAction.values:
        raise Http404
    if not perms.can_handle_feedback(request.user, item):
        raise NotAllowed(
            _("Coordinators, the communication focal point and the assignee handle feedback.")
        )
    form = _transition_form(action, request, item)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("outreach:feedback_detail", pk=item.pk)
    values = dict(form.cleaned_data)
    try:
        updated = services.TRANSITIONS[FeedbackAction(action)](
            actor=request.user, item=item, **values
        )
    except StaleVersion as err:
        messages.error(request, err.message)
        return redirect("outreach:feedback_detail", pk=item.pk)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("outreach:feedback_detail", pk=item.pk)
    messages.success(request, _("Feedback: %(status)s.") % {"status": updated.get_status_display()})
    if perms.can_see_feedback(request.user, updated):
        return redirect("outreach:feedback_detail", pk=updated.pk)
    return redirect("outreach:feedback_list")


# --- programme adjustments --------------------------------------------------------------------


def _need_adjustments(request: HttpRequest) -> None:
    if not perms.can_view_adjustments(request.user):
        raise NotAllowed(
            _("Coordinators, the M&E specialist and the communication focal point read the log.")
        )


def _adjustment_form(request: HttpRequest, data: Any, **kwargs: Any) -> AdjustmentForm:
    return AdjustmentForm(
        data,
        offices=selectors.adjustment_office_list(request.user),
        feedback=selectors.linkable_feedback(request.user),
        visits=selectors.linkable_visits(request.user),
        **kwargs,
    )


@login_required
@require_GET
def adjustment_list(request: HttpRequest) -> HttpResponse:
    _need_adjustments(request)
    page = paginate(selectors.adjustment_list_for_user(request.user), request.GET.get("page"))
    context = {"page": page, "can_add": perms.can_record_adjustment(request.user)}
    return render(request, "outreach/feedback/adjustments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_record_adjustment(request.user):
        raise NotAllowed(_("Coordinators record programme adjustments."))
    initial: dict[str, Any] = {"decided_on": timezone.localdate()}
    linked = request.GET.get("feedback")
    if linked and linked.isdigit():
        initial["feedback_items"] = [int(linked)]
    form = _adjustment_form(request, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                adjustment = services.adjustment_record(
                    actor=request.user,
                    office=form.cleaned_data["office"],
                    feedback_items=form.cleaned_data["feedback_items"],
                    visits=form.cleaned_data["visits"],
                    **form.values(),
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Adjustment recorded."))
                return redirect("outreach:adjustment_detail", pk=adjustment.pk)
    return render(request, "outreach/feedback/adjustment_form.html", {"form": form}, status=status)


@login_required
@require_GET
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_get_for_user(request.user, pk)
    context = {
        "adjustment": adjustment,
        "basis": selectors.adjustment_basis(request.user, adjustment),
        "editable": perms.can_edit_adjustment(request.user, adjustment),
    }
    return render(request, "outreach/feedback/adjustment.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_get_for_user(request.user, pk)
    if not perms.can_edit_adjustment(request.user, adjustment):
        raise NotAllowed(_("Coordinators of its office edit an adjustment."))

    def initial_of(a: Any) -> dict[str, Any]:
        return {
            "office": a.office_id,
            "decided_on": a.decided_on,
            "title": a.title,
            "description": a.description,
            "area": a.area,
            "status": a.status,
            "feedback_items": list(a.feedback_items.values_list("pk", flat=True)),
            "visits": list(a.visits.values_list("pk", flat=True)),
            "version": a.version,
        }

    form = _adjustment_form(request, request.POST or None, initial=initial_of(adjustment))
    form.fields["office"].disabled = True
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.adjustment_update(
                    actor=request.user,
                    adjustment=adjustment,
                    version=form.cleaned_data.get("version"),
                    feedback_items=form.cleaned_data["feedback_items"],
                    visits=form.cleaned_data["visits"],
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                adjustment.refresh_from_db()
                form = _adjustment_form(request, None, initial=initial_of(adjustment))
                form.fields["office"].disabled = True
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Adjustment updated."))
                return redirect("outreach:adjustment_detail", pk=adjustment.pk)
    context = {"form": form, "adjustment": adjustment}
    return render(request, "outreach/feedback/adjustment_form.html", context, status=status)


# --- the report -------------------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, list[Table]]:
    if not perms.can_view_feedback_report(request.user):
        raise NotAllowed(
            _("Coordinators, the M&E specialist and the communication focal point see the report.")
        )
    form = ReportForm(request.GET or None, offices=selectors.report_office_list(request.user))
    period = selectors.default_period()
    if form.is_valid():
        data = form.cleaned_data
        period.start = data.get("start") or period.start
        period.end = data.get("end") or period.end
        period.office = data.get("office")
    if period.end < period.start or (period.end - period.start).days > 3660:
        period = selectors.default_period()
    return form, selectors.feedback_report(request.user, period)


@login_required
@require_GET
def feedback_report(request: HttpRequest) -> HttpResponse:
    form, tables = _report(request)
    query = request.GET.urlencode()
    return render(
        request, "outreach/feedback/report.html", {"form": form, "tables": tables, "query": query}
    )


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | Decimal) else str(value)


@login_required
@require_GET
def feedback_report_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One table as CSV, or one table (or `all`, a sheet each) as XLSX; cells made safe."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, tables = _report(request)
    if key != "all":
        tables = [t for t in tables if t.key == key]
    if not tables or (key == "all" and fmt == "csv"):
        raise Http404
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
                sheet.append(safe_row([_cell(c) for c in row]))
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook.save(response)
    stamp = date.today().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="reintegra-feedback-{key}-{stamp}.{fmt}"'
    )
    return response
