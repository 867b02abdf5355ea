"""Plan pages: a case's plans, one plan (write, submit, approve or return), the approvals
waiting, and the programme set-up (catalogue, budget lines, feasibility grid)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reintegra.accounts.models import Office
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.errors import NotAllowed
from reintegra.core.views import form_errors, int_or_none, is_htmx, run_service, submit_form
from reintegra.plans import permissions, selectors, services
from reintegra.plans.choices import Status
from reintegra.plans.forms import (
    AssistanceTypeForm,
    BudgetAmountForm,
    BudgetLineForm,
    CeilingForm,
    DecisionForm,
    ItemForm,
    MeasureForm,
    OptionForm,
    SummaryForm,
)
from reintegra.plans.models import AssistanceType
from reintegra.referrals.selectors import case_referrals

# --- a case's plans -------------------------------------------------------------------------


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's "Reintegration plan" card (loaded by htmx), or the case's plans page."""
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    if not permissions.can_read_lines(access):
        if is_htmx(request):  # the case page's card: nothing to show this role
            return HttpResponse("")
        raise NotAllowed(_("Your role does not see reintegration plans."))
    plans = selectors.case_plans(case)
    context = {
        "case": case,
        "plans": plans,
        "current": selectors.current_plan(case),
        "can_start": permissions.can_draft(access)
        and not case.is_closed
        and not any(p.status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED) for p in plans),
        "has_approved": any(p.status == Status.APPROVED for p in plans),
    }
    template = "plans/_case_panel.html" if is_htmx(request) else "plans/case_plans.html"
    return render(request, template, context)


@login_required
@require_POST
def plan_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    if not permissions.can_draft(access):
        raise NotAllowed(_("Only the case's case managers write its plan."))
    plan = run_service(request, services.plan_start, _("Plan drafted."), case=case)
    if plan is None:
        return redirect("plans:case", case_id=case.pk)
    return redirect("plans:detail", pk=plan.pk)


# --- one plan -------------------------------------------------------------------------------


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan, access, full = selectors.plan_get_for_user(request.user, pk)
    editable = permissions.can_edit_plan(access, plan)
    measures = list(plan.measures.select_related("assistance_type", "referral"))
    readable_referrals = (
        [row.referral for row in case_referrals(request.user, access) if row.readable]
        if access.can_edit and any(m.referral_needed for m in measures)
        else []
    )
    items = list(plan.items.all())
    context: dict[str, Any] = {
        "plan": plan,
        "case": plan.case,
        "full": full,
        "measures": measures,
        "items": items,
        "items_total": sum((i.cost for i in items), start=0),
        "events": plan.events.select_related("actor"),
        "editable": editable,
        "can_decide": permissions.can_decide(access, plan),
        "can_approve": permissions.can_approve(access, plan),
        "needs_national": permissions.needs_national(plan),
        "can_revise": permissions.can_revise(access, plan)
        and not plan.case.plans.filter(
            status__in=(Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
        ).exists(),
        "is_late": _is_late(plan),
        "case_referrals": readable_referrals,
        "can_link_referrals": access.can_edit
        and plan.status not in (Status.SUPERSEDED, Status.CANCELLED),
    }
    if editable:
        context["summary_form"] = SummaryForm(
            initial={
                "version": plan.version,
                **{f: getattr(plan, f) for f in services.SUMMARY_FIELDS},
            }
        )
        context["measure_form"] = MeasureForm(types=selectors.assistance_types())
        context["item_form"] = ItemForm()
        context["options"] = selectors.feasible_options(plan.case.person.region)
    if context["can_decide"]:
        context["budget_lines"] = selectors.budget_lines_for_case(plan.case)
    return render(request, "plans/detail.html", context)


def _is_late(plan: Any) -> bool:
    """A first plan not approved within REINTEGRA_PLAN_DUE_DAYS of arrival: flagged, not blocked."""
    arrived = plan.case.arrived_on
    if arrived is None:
        return False
    due = arrived + timedelta(days=int(settings.PLAN_DUE_DAYS))
    decided = plan.approved_at.date() if plan.approved_at else timezone.localdate()
    return plan.revision == 1 and decided > due


def _editable_plan(request: HttpRequest, pk: int) -> Any:
    plan, access, _full = selectors.plan_get_for_user(request.user, pk)
    if not permissions.can_edit_plan(access, plan):
        raise NotAllowed(_("You may not change this plan."))
    return plan


@login_required
@require_POST
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    submit_form(
        request, SummaryForm(request.POST), services.plan_update, _("Plan saved."), plan=plan
    )
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = MeasureForm(request.POST, types=selectors.assistance_types())
    submit_form(request, form, services.measure_add, _("Measure added."), plan=plan)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def measure_remove(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    measure = get_object_or_404(plan.measures, pk=measure_id)
    run_service(request, services.measure_remove, _("Measure removed."), measure=measure)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def measure_referral(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    """Link the referral that delivers a measure (from the case's referrals the user reads)."""
    plan, access, _full = selectors.plan_get_for_user(request.user, pk)
    if not access.can_edit:
        raise NotAllowed(_("The case's case managers link referrals to the plan."))
    measure = get_object_or_404(plan.measures, pk=measure_id)
    readable = {
        row.referral.pk: row.referral
        for row in case_referrals(request.user, access)
        if row.readable
    }
    referral = readable.get(int_or_none(request.POST.get("referral")) or 0)
    if referral is None:
        messages.error(request, _("Choose a referral of this case."))
    else:
        run_service(
            request,
            services.measure_link_referral,
            _("Referral linked to the measure."),
            measure=measure,
            referral=referral,
        )
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    submit_form(request, ItemForm(request.POST), services.item_add, _("Item added."), plan=plan)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    item = get_object_or_404(plan.items, pk=item_id)
    run_service(request, services.item_remove, _("Item removed."), item=item)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit, cancel (the case manager), approve or return (a coordinator)."""
    plan, access, _full = selectors.plan_get_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("plans:detail", pk=plan.pk)
    data = form.cleaned_data
    to, version, comment = data["to"], data["version"], data["comment"]
    if to in (Status.SUBMITTED, Status.CANCELLED):
        if not permissions.can_edit_plan(access, plan):
            raise NotAllowed(_("You may not change this plan."))
        if to == Status.SUBMITTED:
            run_service(
                request,
                services.plan_submit,
                _("Plan submitted for approval."),
                plan=plan,
                version=version,
            )
        else:
            run_service(
                request,
                services.plan_cancel,
                _("Plan draft dropped."),
                plan=plan,
                version=version,
                comment=comment,
            )
    elif to in (Status.APPROVED, Status.RETURNED):
        if not permissions.can_decide(access, plan):
            raise NotAllowed(
                _("A coordinator of the case's office who did not write the plan decides.")
            )
        if to == Status.RETURNED:
            run_service(
                request,
                services.plan_return,
                _("Plan returned."),
                plan=plan,
                version=version,
                comment=comment,
            )
        elif data["budget_line"] is None:
            messages.error(request, _("Choose the budget line the plan draws on."))
        else:
            run_service(
                request,
                services.plan_approve,
                _("Plan approved."),
                plan=plan,
                version=version,
                budget_line=data["budget_line"],
                comment=comment,
            )
    else:
        messages.error(request, _("Unknown change."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Plans waiting for the coordinator's decision, and plans returned to the user."""
    if not permissions.can_view_setup(request.user):
        raise NotAllowed(_("Your role does not use reintegration plans."))
    context = {
        "waiting": selectors.approvals_waiting(request.user),
        "returned": selectors.returned_plans(request.user),
    }
    return render(request, "plans/approvals.html", context)


# --- programme set-up -----------------------------------------------------------------------


def _setup_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    offices = Office.objects.filter(pk__in=sorted(permissions.budget_offices(user)))
    return {
        "types": selectors.assistance_types(active_only=False),
        "lines": selectors.budget_lines_for(user),
        "options": selectors.feasible_options(),
        "can_edit_catalogue": permissions.can_edit_catalogue(user),
        "type_form": AssistanceTypeForm(),
        "line_form": BudgetLineForm(offices=offices) if offices.exists() else None,
        "option_form": OptionForm(),
        "keeps_budget": set(permissions.budget_offices(user)),
    }


@login_required
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_setup(request.user):
        raise NotAllowed(_("Your role does not use the programme set-up."))
    return render(request, "plans/setup.html", _setup_context(request))


def _catalogue_keeper(request: HttpRequest) -> None:
    if not permissions.can_edit_catalogue(request.user):
        raise NotAllowed(_("National coordinators keep the catalogue and the feasibility grid."))


@login_required
@require_POST
def catalogue_load(request: HttpRequest) -> HttpResponse:
    _catalogue_keeper(request)
    run_service(
        request, services.catalogue_load, _("The handbook's types of assistance were added.")
    )
    return redirect("plans:setup")


@login_required
@require_POST
def type_add(request: HttpRequest) -> HttpResponse:
    _catalogue_keeper(request)
    form = AssistanceTypeForm(request.POST)
    submit_form(request, form, services.assistance_type_save, _("Type of assistance added."))
    return redirect("plans:setup")


@login_required
@require_POST
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _catalogue_keeper(request)
    assistance_type = get_object_or_404(AssistanceType, pk=pk)
    submit_form(
        request,
        CeilingForm(request.POST),
        services.assistance_type_save,
        _("Type of assistance saved."),
        assistance_type=assistance_type,
    )
    return redirect("plans:setup")


@login_required
@require_POST
def option_add(request: HttpRequest) -> HttpResponse:
    _catalogue_keeper(request)
    form = OptionForm(request.POST)
    submit_form(request, form, services.option_save, _("Option added to the feasibility grid."))
    return redirect("plans:setup")


@login_required
@require_POST
def line_add(request: HttpRequest) -> HttpResponse:
    offices = Office.objects.filter(pk__in=sorted(permissions.budget_offices(request.user)))
    if not offices.exists():
        raise NotAllowed(_("Coordinators and finance staff keep the budget lines."))
    form = BudgetLineForm(request.POST, offices=offices)
    submit_form(request, form, services.budget_line_create, _("Budget line added."))
    return redirect("plans:setup")


@login_required
@require_POST
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(selectors.budget_lines_for(request.user), pk=pk)
    if not permissions.can_edit_budget_line(request.user, line):
        raise NotAllowed(_("Coordinators and finance staff keep the budget lines."))
    form = BudgetAmountForm(request.POST)
    submit_form(request, form, services.budget_line_update, _("Budget line saved."), line=line)
    return redirect("plans:setup")
