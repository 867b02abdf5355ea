"""Who may see and handle feedback, and keep the programme adjustment log (pure predicates).

- Feedback that is not sensitive: coordinators, the communication focal point and the M&E
  specialist see every item of their office scope; everyone else on the team sees the items they
  recorded or are assigned to.
- Sensitive complaints: only coordinators whose scope holds the item's office (not even the
  person who recorded it, once saved).
- Handling (acknowledge, assign, resolve, close, re-open): coordinators and the communication
  focal point on the items they see, and the assignee on their item.
- Adjustments: coordinators record them; the M&E specialist and the communication focal point
  read them (in their scope). The report: the same three roles.
"""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role

# Roles that see every item (not sensitive) of their office scope.
SCOPE_ROLES = (Role.COORDINATOR, Role.COMMS_FP, Role.ME_SPECIALIST)
HANDLER_ROLES = (Role.COORDINATOR, Role.COMMS_FP)
ADJUSTMENT_READERS = (Role.COORDINATOR, Role.ME_SPECIALIST, Role.COMMS_FP)
REPORT_ROLES = ADJUSTMENT_READERS


def can_view_feedback(user: Any) -> bool:
    """Anyone on the team (every staff role but the system administrator) records feedback."""
    p = principal(user)
    return bool(p.roles - {Role.SYSADMIN})


can_record_feedback = can_view_feedback


def recording_offices(user: Any) -> frozenset[int]:
    """The offices at which the user may record feedback: their scope in every staff role."""
    p = principal(user)
    roles = [r for r in p.roles if r != Role.SYSADMIN]
    return p.offices(*roles) if roles else frozenset()


def can_see_feedback(user: Any, item: Any) -> bool:
    """The rule the selectors apply, for one item."""
    p = principal(user)
    if item.is_sensitive:
        return item.office_id in p.offices(Role.COORDINATOR)
    if item.office_id in p.offices(*SCOPE_ROLES):
        return True
    uid = getattr(user, "pk", None)
    return uid is not None and uid in (item.recorded_by_id, item.assigned_to_id)


def can_handle_feedback(user: Any, item: Any) -> bool:
    """Acknowledge, assign, resolve, close, re-open (on an item the user sees)."""
    if not can_see_feedback(user, item):
        return False
    if item.office_id in principal(user).offices(*HANDLER_ROLES):
        return True
    return item.assigned_to_id is not None and item.assigned_to_id == getattr(user, "pk", None)


def can_see_restricted_queue(user: Any) -> bool:
    return principal(user).has_role(Role.COORDINATOR)


def can_view_adjustments(user: Any) -> bool:
    return principal(user).has_role(*ADJUSTMENT_READERS)


def can_record_adjustment(user: Any) -> bool:
    return principal(user).has_role(Role.COORDINATOR)


def can_edit_adjustment(user: Any, adjustment: Any) -> bool:
    return adjustment.office_id in principal(user).offices(Role.COORDINATOR)


def adjustment_offices(user: Any) -> frozenset[int]:
    """Offices whose adjustments the user reads."""
    return principal(user).offices(*ADJUSTMENT_READERS)


def can_view_feedback_report(user: Any) -> bool:
    return principal(user).has_role(*REPORT_ROLES)


def report_offices(user: Any) -> frozenset[int]:
    return principal(user).offices(*REPORT_ROLES)
