"""Reads of the retention area, scoped to the user: rules (programme-wide), legal holds of the
cases in the user's coordinator scope, and the home-page section."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from reintegra.cases.models import Case
from reintegra.core.views import int_or_none
from reintegra.privacy.models.retention import LegalHold, RetentionRule
from reintegra.privacy.permissions.retention import can_view_retention, hold_offices
from reintegra.privacy.services.retention import rules_ensure


def rule_list_for_user(user: Any) -> list[RetentionRule]:
    """Every retention rule (defaults created on first use); coordinators only."""
    if not can_view_retention(user):
        return []
    return rules_ensure()


def rule_get_for_user(user: Any, pk: Any) -> RetentionRule:
    """A rule, or Http404 (missing, or a user who does not see the rules)."""
    number = int_or_none(pk)
    rule = (
        RetentionRule.objects.filter(pk=number).first()
        if number and can_view_retention(user)
        else None
    )
    if rule is None:
        raise Http404
    return rule


def hold_list_for_user(user: Any, *, active_only: bool = False) -> QuerySet[LegalHold]:
    """Legal holds on the cases of the user's coordinator scope, the newest first."""
    qs = LegalHold.objects.filter(case__office_id__in=hold_offices(user)).select_related(
        "case", "placed_by", "lifted_by"
    )
    if active_only:
        qs = qs.filter(lifted_on__isnull=True)
    return qs.order_by("lifted_on", "-placed_on", "-id")


def hold_get_for_user(user: Any, pk: Any) -> LegalHold:
    number = int_or_none(pk)
    hold = hold_list_for_user(user).filter(pk=number).first() if number else None
    if hold is None:
        raise Http404
    return hold


def holdable_case_for_user(user: Any, *, number: str = "", pk: Any = None) -> Case | None:
    """A case of the user's coordinator scope, by number or id (None when not found)."""
    qs = Case.objects.filter(office_id__in=hold_offices(user))
    if pk is not None:
        value = int_or_none(pk)
        return qs.filter(pk=value).first() if value else None
    return qs.filter(number__iexact=number.strip()).first() if number.strip() else None


def home_retention(user: Any) -> dict[str, Any] | None:
    """The home-page section of coordinators: active legal holds in their scope."""
    if not can_view_retention(user):
        return None
    holds = hold_list_for_user(user, active_only=True)
    return {"held": holds.count(), "recent": list(holds[:5])}
