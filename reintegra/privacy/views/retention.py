"""Pages of the retention area: the retention rules (national coordinators edit them) and the
legal holds of the coordinator's scope (place one by case number, lift one with a reason)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, form_errors, run_service
from reintegra.privacy.forms.retention import HoldForm, LiftForm, RuleForm
from reintegra.privacy.models.retention import RetentionRule
from reintegra.privacy.permissions.retention import can_edit_rules, can_view_retention
from reintegra.privacy.selectors.retention import (
    hold_get_for_user,
    hold_list_for_user,
    holdable_case_for_user,
    rule_get_for_user,
    rule_list_for_user,
)
from reintegra.privacy.services import retention as services


def _check_view(request: HttpRequest) -> None:
    if not can_view_retention(request.user):
        raise NotAllowed(_("Coordinators keep the retention rules and legal holds."))


@login_required
@require_GET
def retention_rules(request: HttpRequest) -> HttpResponse:
    _check_view(request)
    context = {
        "rules": rule_list_for_user(request.user),
        "can_edit": can_edit_rules(request.user),
    }
    return render(request, "privacy/retention/rules.html", context)


def _initial(rule: RetentionRule) -> dict[str, Any]:
    return {
        "period": rule.period,
        "unit": rule.unit,
        "is_active": rule.is_active,
        "version": rule.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def retention_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = rule_get_for_user(request.user, pk)
    if not can_edit_rules(request.user):
        raise NotAllowed(_("Only a national coordinator changes the retention rules."))
    form = RuleForm(request.POST or None, initial=_initial(rule))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.retention_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                rule.refresh_from_db()
                form = RuleForm(initial=_initial(rule))
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Retention rule saved."))
                return redirect("privacy:retention_rules")
    return render(
        request, "privacy/retention/rule_form.html", {"form": form, "rule": rule}, status=status
    )


@login_required
@require_GET
def legal_hold_list(request: HttpRequest) -> HttpResponse:
    _check_view(request)
    page = paginate(hold_list_for_user(request.user), request.GET.get("page"))
    context = {"page": page, "form": HoldForm(), "lift_form": LiftForm()}
    return render(request, "privacy/retention/holds.html", context)


@login_required
@require_POST
def legal_hold_place(request: HttpRequest) -> HttpResponse:
    _check_view(request)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("privacy:legal_hold_list")
    case = holdable_case_for_user(request.user, number=form.cleaned_data["case_number"])
    if case is None:
        messages.error(request, _("No case with this number in your scope."))
        return redirect("privacy:legal_hold_list")
    run_service(
        request,
        services.legal_hold_place,
        _("Legal hold placed on %(number)s.") % {"number": case.number},
        case=case,
        reason=form.cleaned_data["reason"],
    )
    return redirect("privacy:legal_hold_list")


@login_required
@require_POST
def legal_hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = hold_get_for_user(request.user, pk)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("privacy:legal_hold_list")
    run_service(
        request,
        services.legal_hold_lift,
        _("Legal hold lifted."),
        hold=hold,
        reason=form.cleaned_data["reason"],
        version=form.cleaned_data.get("version"),
    )
    return redirect("privacy:legal_hold_list")
