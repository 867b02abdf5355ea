"""User-scoped reads of subject-access requests. A request about a person the user may not see
is "not found"; a request about a person they see, when they do not coordinate its office, is
"forbidden" (the page answers 403)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from reintegra.people.selectors import returnee_visible_to
from reintegra.privacy.choices.requests import OPEN_STATUSES, RequestStatus
from reintegra.privacy.models.requests import SubjectAccessRequest
from reintegra.privacy.permissions.requests import coordinating_offices


@dataclass
class RequestFilters:
    status: str = ""
    overdue: bool = False


def request_list_for_user(
    user: Any, filters: RequestFilters | None = None
) -> QuerySet[SubjectAccessRequest]:
    """The requests of the offices the user coordinates, the most urgent first."""
    f = filters or RequestFilters()
    offices = coordinating_offices(user)
    qs = SubjectAccessRequest.objects.filter(office_id__in=sorted(offices)).select_related(
        "person", "office"
    )
    if f.status in RequestStatus.values:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    return qs.order_by("due_on", "pk")


def request_get_for_user(user: Any, pk: Any) -> SubjectAccessRequest:
    """The request, or Http404 when missing or about a person outside the user's scope."""
    try:
        request_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        SubjectAccessRequest.objects.select_related("person", "office", "recorded_by")
        .filter(pk=request_id, person__in=returnee_visible_to(user))
        .first()
    )
    if found is None:
        raise Http404
    return found


def request_person_for_user(user: Any, pk: Any) -> Any:
    """A returnee the user may record a request for (404 otherwise)."""
    try:
        person_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    person = returnee_visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def home_requests(user: Any) -> dict[str, Any] | None:
    """The coordinator's home section: open requests, overdue ones first (None for others)."""
    offices = coordinating_offices(user)
    if not offices:
        return None
    today = timezone.localdate()
    open_requests = SubjectAccessRequest.objects.filter(
        office_id__in=sorted(offices), status__in=OPEN_STATUSES
    )
    return {
        "open_count": open_requests.count(),
        "overdue_count": open_requests.filter(due_on__lt=today).count(),
        "requests": list(open_requests.select_related("person").order_by("due_on", "pk")[:5]),
    }
