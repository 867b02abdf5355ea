from typing import Any

from django.http import HttpRequest

from reintegra.finance.permissions import can_view_payments
from reintegra.finance.reports import can_view_reports
from reintegra.instruments.permissions import can_view_instruments
from reintegra.monitoring.permissions import can_view_visits
from reintegra.plans.permissions import can_view_setup
from reintegra.providers.permissions import can_view_providers
from reintegra.referrals.permissions import can_view_referrals


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
        "show_plans": lambda: signed_in() and can_view_setup(user),
        "show_payments": lambda: signed_in() and can_view_payments(user),
        "show_finance_reports": lambda: (
            signed_in() and can_view_reports(user) and not can_view_payments(user)
        ),
    }
