"""The home page: one section per role the user holds (a user may hold several)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reintegra.access.principal import principal
from reintegra.access.selectors import home_access_ops
from reintegra.accounts.choices import Role
from reintegra.cases.choices import Flag
from reintegra.community.selectors.projects import home_projects
from reintegra.community.selectors.structural import home_structural
from reintegra.finance.selectors import payment_counts
from reintegra.monitoring.permissions import can_view_dashboard, can_view_visits
from reintegra.outreach.selectors.communication import home_communication
from reintegra.outreach.selectors.feedback import home_feedback
from reintegra.plans import selectors as plan_selectors
from reintegra.privacy.selectors.requests import home_requests
from reintegra.privacy.selectors.retention import home_retention
from reintegra.providers.selectors import stale_providers
from reintegra.referrals import selectors as referral_selectors
from reintegra.referrals.permissions import can_view_referrals
from reintegra.reports import selectors
from reintegra.safeguarding.selectors import home_sections


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    p = principal(user)
    context: dict[str, Any] = {"roles": sorted(p.roles), "has_role": bool(p.roles)}
    if p.has_role(Role.CASE_MANAGER):
        context["case_manager"] = selectors.case_manager_home(user)
    if p.has_role(Role.COORDINATOR):
        context["stage_table"] = selectors.stage_office_table(user)
        context["handovers"] = selectors.coordinator_handovers(user)
        context["plans_waiting"] = plan_selectors.approvals_waiting(user)
    if p.has_role(Role.CASE_MANAGER):
        context["plans_returned"] = plan_selectors.returned_plans(user)
    if p.has_role(Role.FINANCE):
        context["payments"] = payment_counts(user)
    if p.has_role(Role.PROTECTION_FP):
        context["protection_cases"] = selectors.flagged_cases(user, Flag.PROTECTION)
    if p.has_role(Role.MEDICAL_FP):
        context["medical_cases"] = selectors.flagged_cases(user, Flag.MEDICAL)
    if p.has_role(*selectors.AGGREGATE_ROLES):
        context["aggregate"] = selectors.aggregate_figures(user)
        context["show_stage_counts"] = p.has_role(Role.ME_SPECIALIST)
    if can_view_visits(user):
        context["visits"] = selectors.visits_home(user)
        context["show_dashboard"] = can_view_dashboard(user)
    context["stale_providers"] = stale_providers(user)
    if can_view_referrals(user):
        context["referrals"] = referral_selectors.home_referrals(user)
    context["home_projects"] = home_projects(user)
    context["structural"] = home_structural(user)
    context["feedback_home"] = home_feedback(user)
    context["communication"] = home_communication(user)
    context["sections_home"] = home_sections(user)
    context["retention"] = home_retention(user)
    context["home_requests"] = home_requests(user)
    context["access_ops"] = home_access_ops(user)
    if p.is_sysadmin:
        context["health"] = selectors.system_health()
    return render(request, "reports/home.html", context)
