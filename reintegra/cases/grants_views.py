"""Pages of the access operations on a case: time-bound grants, break-glass, and the review
list of break-glass openings. Thin: `access.services` writes, `access.selectors` reads."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reintegra.access import grant_forms as forms
from reintegra.access import selectors as access_selectors
from reintegra.access import services
from reintegra.access.models import AccessGrant, GrantKind, GrantTier
from reintegra.access.permissions import (
    can_break_glass,
    can_grant,
    can_review_break_glass,
    can_revoke_grant,
    can_view_access_ops,
)
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate, parse_page
from reintegra.core.views import add_service_error, form_errors, is_htmx, run_service

PANEL_ROWS = 20
REVIEW_FILTERS = ("pending", "reviewed", "all")


def _panel_context(request: HttpRequest, case: Case, access: CaseAccess, **bound: Any) -> dict:
    user = request.user
    context: dict[str, Any] = {"case": case, "access": access, "now": timezone.now()}
    context["mine"] = [
        {"kind": g.kind, "label": GrantTier(g.tier).label, "ends_at": g.ends_at}
        for g in access.grants
    ]
    if can_grant(user, case):
        context["grants"] = list(access_selectors.grants_of_case(case.pk)[:PANEL_ROWS])
        context["grant_form"] = bound.get("grant_form") or forms.GrantForm(actor=user)
    if can_break_glass(user, case):
        context["glass_form"] = bound.get("glass_form") or forms.BreakGlassForm()
    return context


@login_required
@require_GET
def access_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's access card (loaded by htmx): the break-glass banner, the user's own
    grants, and for coordinators the grants of the case and the two forms."""
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    context = _panel_context(request, case, access)
    template = "cases/grants/_panel.html" if is_htmx(request) else "cases/grants/panel_page.html"
    return render(request, template, context)


def _refused(request: HttpRequest, case: Case, access: CaseAccess, **bound: Any) -> HttpResponse:
    """An invalid form: the access page again, with the errors next to the fields."""
    context = _panel_context(request, case, access, **bound)
    context["failed"] = True
    return render(request, "cases/grants/panel_page.html", context, status=400)


def _call(request: HttpRequest, form: Any, fn: Any, success: str, **kwargs: Any) -> Any:
    """A valid form's data to the service; a refusal goes next to the field it names."""
    try:
        result = fn(actor=request.user, **kwargs, **form.cleaned_data)
    except NotAllowed:
        raise
    except ServiceError as err:
        add_service_error(form, err)
        return None
    messages.success(request, success)
    return result


@login_required
@require_POST
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = case_get_for_user(request.user, pk, log_view=False)
    if not can_grant(request.user, case):
        raise NotAllowed(_("Only a coordinator of this case's office may grant access."))
    form = forms.GrantForm(request.POST, actor=request.user)
    if not form.is_valid():
        return _refused(request, case, access, grant_form=form)
    if not _call(request, form, services.grant_create, _("Access granted."), case=case):
        return _refused(request, case, access, grant_form=form)
    return redirect("cases:detail", case.pk)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access_selectors.grant_get_for_user(request.user, pk)
    if not can_revoke_grant(request.user, grant):
        raise NotAllowed(_("This access has already ended."))
    run_service(request, services.grant_revoke, _("Access revoked."), grant=grant)
    return redirect("cases:detail", grant.case_id)


@login_required
@require_POST
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = case_get_for_user(request.user, pk, log_view=False)
    if not can_break_glass(request.user, case):
        raise NotAllowed(_("Only a coordinator of this case's office may break the glass."))
    form = forms.BreakGlassForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, access, glass_form=form)
    opened = _call(
        request,
        form,
        services.break_glass_open,
        _("Break-glass access opened. It is recorded and will be reviewed."),
        case=case,
    )
    if not opened:
        return _refused(request, case, access, glass_form=form)
    return redirect("cases:detail", case.pk)


def _with_case_numbers(rows: list[AccessGrant]) -> list[AccessGrant]:
    numbers = dict(
        Case.objects.filter(pk__in={r.case_id for r in rows}).values_list("pk", "number")
    )
    for row in rows:
        row.case_number = numbers.get(row.case_id, "—")  # type: ignore[attr-defined]
    return rows


@login_required
@require_GET
def break_glass_list(request: HttpRequest) -> HttpResponse:
    """Break-glass accesses of the coordinator's scope, to review."""
    user = request.user
    if not can_view_access_ops(user):
        raise NotAllowed(_("Coordinators review break-glass accesses."))
    status = request.GET.get("status", "pending")
    if status not in REVIEW_FILTERS:
        status = "pending"
    pending = {"pending": True, "reviewed": False}.get(status)
    page = paginate(
        access_selectors.break_glass_for_review(user, pending=pending),
        parse_page(request.GET.get("page")),
    )
    rows = _with_case_numbers(page.items)
    for row in rows:
        if can_review_break_glass(user, row):
            row.review_form = forms.ReviewForm(  # type: ignore[attr-defined]
                initial={"version": row.version}, auto_id=f"review{row.pk}_%s"
            )
    context = {"page": page, "rows": rows, "status": status, "now": timezone.now()}
    return render(request, "cases/grants/break_glass_list.html", context)


@login_required
@require_POST
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access_selectors.grant_get_for_user(request.user, pk)
    if grant.kind != GrantKind.BREAK_GLASS:
        raise Http404
    if not can_review_break_glass(request.user, grant):
        raise NotAllowed(
            _("Another coordinator of this office reviews a break-glass access, not its user.")
        )
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.break_glass_review,
            _("Break-glass access reviewed."),
            grant=grant,
            **form.cleaned_data,
        )
    else:
        messages.error(request, form_errors(form))
    return redirect("cases:break_glass_list")


urlpatterns = [
    path("<int:case_id>/access/", access_panel, name="access_panel"),
    path("<int:pk>/grants/add/", grant_add, name="grant_add"),
    path("grants/<int:pk>/revoke/", grant_revoke, name="grant_revoke"),
    path("<int:pk>/break-glass/", break_glass, name="break_glass"),
    path("break-glass/", break_glass_list, name="break_glass_list"),
    path("break-glass/<int:pk>/review/", break_glass_review, name="break_glass_review"),
]
