"""Pages of subject-access requests: the list, recording one, its detail, moves and exports."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, form_errors, run_service
from reintegra.people.selectors import returnee_list_for_user
from reintegra.privacy.forms.requests import FilterForm, MoveForm, RequestForm
from reintegra.privacy.permissions.requests import (
    can_manage_request,
    can_record_request,
    can_view_requests,
)
from reintegra.privacy.selectors.requests import (
    RequestFilters,
    request_get_for_user,
    request_list_for_user,
    request_person_for_user,
)
from reintegra.privacy.services import requests as services


def _require_coordinator(user: Any) -> None:
    if not can_view_requests(user):
        raise NotAllowed(_("Only coordinators handle subject-access requests."))


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request.user)
    form = FilterForm(request.GET or None)
    filters = RequestFilters()
    if form.is_valid():
        filters = RequestFilters(
            status=form.cleaned_data["status"], overdue=form.cleaned_data["overdue"]
        )
    page = paginate(request_list_for_user(request.user, filters), request.GET.get("page"))
    return render(request, "privacy/requests/list.html", {"page": page, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Find the person (a search among those the coordinator sees), then record the request."""
    if not can_record_request(request.user):
        raise NotAllowed(_("Only coordinators handle subject-access requests."))
    person_id = request.POST.get("person") or request.GET.get("person")
    query = request.GET.get("q", "")[:100]
    person = request_person_for_user(request.user, person_id) if person_id else None
    form = RequestForm(request.POST or None)
    if person is not None and request.method == "POST" and form.is_valid():
        try:
            sar = services.request_record(actor=request.user, person=person, **form.cleaned_data)
        except NotAllowed:
            raise
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("The request is recorded."))
            return redirect("privacy:request_detail", sar.pk)
    if request.method == "POST" and form.errors:
        messages.error(request, form_errors(form))
    matches = (
        list(returnee_list_for_user(request.user, query=query)[:20])
        if query.strip() and person is None
        else []
    )
    context = {"form": form, "person": person, "query": query, "matches": matches}
    status = 422 if request.method == "POST" else 200
    return render(request, "privacy/requests/new.html", context, status=status)


def _detail_context(user: Any, sar: Any) -> dict[str, Any]:
    return {
        "sar": sar,
        "manageable": can_manage_request(user, sar),
        "move_form": MoveForm(initial={"version": sar.version}),
    }


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sar = request_get_for_user(request.user, pk)
    if not can_manage_request(request.user, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    return render(request, "privacy/requests/detail.html", _detail_context(request.user, sar))


@login_required
@require_POST
def request_move(request: HttpRequest, pk: int) -> HttpResponse:
    sar = request_get_for_user(request.user, pk)
    if not can_manage_request(request.user, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    form = MoveForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.request_move,
            _("The request is updated."),
            sar=sar,
            action=form.cleaned_data["action"],
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, form_errors(form))
    return redirect("privacy:request_detail", sar.pk)


@login_required
@require_POST
def request_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the export and show its password, once (the page is not kept in any history)."""
    sar = request_get_for_user(request.user, pk)
    if not can_manage_request(request.user, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    try:
        sar, password = services.request_export(actor=request.user, sar=sar)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("privacy:request_detail", sar.pk)
    context = {**_detail_context(request.user, sar), "password": password}
    response = render(request, "privacy/requests/detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def request_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    sar = request_get_for_user(request.user, pk)
    if not can_manage_request(request.user, sar):
        raise NotAllowed(_("Only a coordinator of the person's office handles their requests."))
    try:
        path = services.request_export_file(actor=request.user, sar=sar)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("privacy:request_detail", sar.pk)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"subject-access-{sar.pk}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
