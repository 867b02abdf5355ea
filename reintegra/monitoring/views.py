"""Pages for monitoring: the visits (due, overdue, done), one visit, and the M&E dashboard."""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reintegra.core.cells import safe_row
from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate
from reintegra.core.views import int_or_none
from reintegra.instruments.models import Instrument
from reintegra.instruments.selectors import instrument_list
from reintegra.monitoring import selectors, services
from reintegra.monitoring.choices import FOLLOW_UP_INSTRUMENT
from reintegra.monitoring.permissions import (
    can_cancel_visit,
    can_record_visit,
    can_view_dashboard,
    can_view_visits,
)

WHEN = ("due", "overdue", "done", "all")


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    if not can_view_visits(request.user):
        raise NotAllowed(_("Your role does not plan monitoring visits."))
    when = request.GET.get("when", "due")
    when = when if when in WHEN else "due"
    page = paginate(selectors.visit_list_for_user(request.user, when=when), request.GET.get("page"))
    context = {
        "page": page,
        "when": when,
        "today": timezone.localdate(),
        "show_dashboard": can_view_dashboard(request.user),
    }
    return render(request, "monitoring/visits.html", context)


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit, access = selectors.visit_get_for_user(request.user, pk)
    context = {
        "visit": visit,
        "case": visit.case,
        "can_record": can_record_visit(access) and visit.status == "PLANNED",
        "can_cancel": can_cancel_visit(access) and visit.status == "PLANNED",
    }
    return render(request, "monitoring/visit.html", context)


@login_required
@require_POST
def visit_start(request: HttpRequest, pk: int) -> HttpResponse:
    visit, access = selectors.visit_get_for_user(request.user, pk)
    if not can_record_visit(access):
        raise NotAllowed(_("You may not record this visit."))
    try:
        visit = services.visit_start(actor=request.user, visit=visit)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("monitoring:visit", pk=visit.pk)
    assert visit.response_id is not None
    return redirect("instruments:response", pk=visit.response_id)


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit, access = selectors.visit_get_for_user(request.user, pk)
    if not can_cancel_visit(access):
        raise NotAllowed(_("You may not cancel this visit."))
    try:
        services.visit_cancel(
            actor=request.user, visit=visit, reason=request.POST.get("reason", "")
        )
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect("monitoring:visit", pk=visit.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponseBase:
    if not can_view_dashboard(request.user):
        raise NotAllowed(_("The dashboard is for M&E specialists and coordinators."))
    scored = [i for i in instrument_list() if i.current and i.current.scored]
    chosen: Instrument | None = None
    wanted = int_or_none(request.GET.get("instrument"))
    for instrument in scored:
        if instrument.pk == wanted or (wanted is None and instrument.code == FOLLOW_UP_INSTRUMENT):
            chosen = instrument
    if chosen is None and scored:
        chosen = scored[0]
    language = (get_language() or "en")[:2]
    figures = selectors.dashboard_cached(request.user, chosen, language)
    export = request.GET.get("export", "")
    figure = next((f for f in figures if f.key == export), None)
    if figure is not None:
        writer = csv.writer(_Echo())
        lines = [figure.columns, *figure.rows]
        response = StreamingHttpResponse(
            (writer.writerow(safe_row(row)) for row in lines),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="reintegra-{figure.key}.csv"'
        return response
    context: dict[str, Any] = {"figures": figures, "instruments": scored, "chosen": chosen}
    return render(request, "monitoring/dashboard.html", context)
