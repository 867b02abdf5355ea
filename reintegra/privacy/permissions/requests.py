"""Who handles subject-access requests: the coordinators, for the people of the offices they
coordinate (their scope). Other staff never see the requests (DESIGN §4: the export holds every
tier, so only the role accountable for the programme's data answers it)."""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role


def coordinating_offices(user: Any) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return principal(user).offices(Role.COORDINATOR)


def can_view_requests(user: Any) -> bool:
    """The menu entry and the list: any coordinator."""
    return bool(coordinating_offices(user))


def can_record_request(user: Any) -> bool:
    return bool(coordinating_offices(user))


def can_manage_request(user: Any, request: Any) -> bool:
    """Move, export and download: a coordinator of the request's office."""
    return request.office_id in coordinating_offices(user)
