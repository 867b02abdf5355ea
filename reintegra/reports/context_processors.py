from typing import Any

from django.http import HttpRequest

from reintegra.community.permissions.projects import can_view_projects
from reintegra.community.permissions.structural import can_view_structural
from reintegra.finance.permissions import can_view_payments
from reintegra.finance.reports import can_view_reports
from reintegra.instruments.permissions import can_view_instruments
from reintegra.monitoring.permissions import can_view_visits
from reintegra.outreach.permissions.communication import can_view_activities
from reintegra.outreach.permissions.feedback import can_view_feedback
from reintegra.plans.permissions import can_view_setup
from reintegra.privacy.permissions.requests import can_view_requests
from reintegra.providers.permissions import can_view_providers
from reintegra.referrals.permissions import can_view_referrals

# Menu entries that share an app namespace: the url names of each entry's pages, by prefix.
SECTIONS = {
    "community": ("project", "profile"),
    "partners": ("stakeholder", "agreement", "capacity", "mechanism", "meeting", "action", "sop"),
    "feedback": ("feedback", "adjustment"),
    "communication": ("strategy", "campaign", "activit", "reach", "message"),
}


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    return next((s for s, prefixes in SECTIONS.items() if name.startswith(prefixes)), "")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections the main menu offers (evaluated only when a template asks)."""
    user = getattr(request, "user", None)

    def signed_in() -> bool:
        return bool(user is not None and user.is_authenticated)

    return {
        "show_instruments": lambda: signed_in() and can_view_instruments(user),
        "show_monitoring": lambda: signed_in() and can_view_visits(user),
        "show_providers": lambda: signed_in() and can_view_providers(user),
        "show_referrals": lambda: signed_in() and can_view_referrals(user),
        "show_community": lambda: signed_in() and can_view_projects(user),
        "show_partners": lambda: signed_in() and can_view_structural(user),
        "show_communication": lambda: signed_in() and can_view_activities(user),
        "show_feedback": lambda: signed_in() and can_view_feedback(user),
        "show_privacy": lambda: signed_in() and can_view_requests(user),
        "nav_section": lambda: _section(request),
        "show_plans": lambda: signed_in() and can_view_setup(user),
        "show_payments": lambda: signed_in() and can_view_payments(user),
        "show_finance_reports": lambda: (
            signed_in() and can_view_reports(user) and not can_view_payments(user)
        ),
    }
