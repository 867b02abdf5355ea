"""Reads of grants and break-glass openings, scoped to the coordinator's offices."""

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from reintegra.access.models import AccessGrant, GrantKind
from reintegra.access.permissions import can_view_access_ops
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role

HOME_ROWS = 5


def _in_scope(user: Any) -> QuerySet[AccessGrant]:
    offices = principal(user).offices(Role.COORDINATOR)
    if not offices:
        return AccessGrant.objects.none()
    return AccessGrant.objects.filter(office_id__in=sorted(offices))


def grants_of_case(case_id: int) -> QuerySet[AccessGrant]:
    """A case's grants and break-glass openings, newest first (the case panel shows them to
    the coordinators of its scope)."""
    return AccessGrant.objects.filter(case_id=case_id).select_related(
        "user", "granted_by", "revoked_by", "reviewed_by"
    )


def grant_get_for_user(user: Any, grant_id: Any) -> AccessGrant:
    """A grant of the coordinator's scope; Http404 when missing or out of scope."""
    try:
        pk = int(grant_id)
    except (TypeError, ValueError):
        raise Http404 from None
    grant = _in_scope(user).select_related("user", "granted_by").filter(pk=pk).first()
    if grant is None:
        raise Http404
    return grant


def break_glass_for_review(user: Any, *, pending: bool | None = None) -> QuerySet[AccessGrant]:
    """Break-glass openings of the coordinator's scope (the national coordinator's covers the
    country; a regional one's their office), those waiting for review first."""
    qs = _in_scope(user).filter(kind=GrantKind.BREAK_GLASS)
    if pending is True:
        qs = qs.filter(reviewed_at__isnull=True)
    elif pending is False:
        qs = qs.filter(reviewed_at__isnull=False)
    return qs.select_related("user", "office", "reviewed_by").order_by(
        F("reviewed_at").desc(nulls_first=True), "-starts_at", "-id"
    )


def home_access_ops(user: Any) -> dict[str, Any] | None:
    """The home section "Break-glass accesses to review": openings by others in scope that no
    one has reviewed yet, for `access/access_ops/_home.html` (context name `access_ops`).
    None when the user has none to review."""
    if not can_view_access_ops(user):
        return None
    qs = break_glass_for_review(user, pending=True).exclude(user_id=user.pk)
    rows = list(qs[: HOME_ROWS + 1])
    if not rows:
        return None
    return {"rows": rows[:HOME_ROWS], "count": qs.count() if len(rows) > HOME_ROWS else len(rows)}
