"""Reads of offices and users (no personal data of returnees)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from reintegra.accounts.models import Office, RoleAssignment, User


def office_list() -> QuerySet[Office]:
    return Office.objects.order_by("path")


def assignment_list() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.select_related("user", "office").order_by(
        "user__username", "role"
    )


def staff_at_offices(office_ids: frozenset[int] | set[int], role: str) -> QuerySet[User]:
    """Active users holding a role at one of these offices (for assignment pickers)."""
    return (
        User.objects.filter(
            Q(assignments__expires_on__isnull=True)
            | Q(assignments__expires_on__gte=timezone.localdate()),
            is_active=True,
            assignments__is_active=True,
            assignments__role=role,
            assignments__office_id__in=office_ids,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )
