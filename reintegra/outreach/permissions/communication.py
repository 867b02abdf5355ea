"""Who may do what in the communication area (pure predicates over the principal).

- The communication focal point (COMMS_FP) writes the strategy, campaigns, activities and
  messages within their office scope.
- Coordinators read everything in their scope and may compose and send messages.
- The M&E specialist reads the strategy, activities and reach figures (aggregate).
- A case manager may log an activity they ran (at an office of their scope), and sees and
  edits the activities they logged.
- Nobody else uses these pages. Messages hold contacts: only the focal point and coordinators.
"""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role

READERS = (Role.COMMS_FP, Role.COORDINATOR, Role.ME_SPECIALIST)
MESSENGERS = (Role.COMMS_FP, Role.COORDINATOR)


def reading_offices(user: Any) -> frozenset[int]:
    """Offices whose strategy, campaigns and activities the user reads."""
    return principal(user).offices(*READERS)


def writing_offices(user: Any) -> frozenset[int]:
    """Offices where the user keeps the strategy, campaigns and activities."""
    return principal(user).offices(Role.COMMS_FP)


def messaging_offices(user: Any) -> frozenset[int]:
    """Offices whose returnees the user may write to (and whose messages they see)."""
    return principal(user).offices(*MESSENGERS)


def logging_offices(user: Any) -> frozenset[int]:
    """Offices where the user may log an activity (the focal point's, a case manager's)."""
    return principal(user).offices(Role.COMMS_FP, Role.CASE_MANAGER)


def can_log_activity(user: Any) -> bool:
    return principal(user).has_role(Role.COMMS_FP, Role.CASE_MANAGER)


def can_view_activities(user: Any) -> bool:
    """The activity list and pages: readers, and case managers (their own activities)."""
    return principal(user).has_role(*READERS, Role.CASE_MANAGER)


def can_view_communication(user: Any) -> bool:
    """The main menu entry: strategy, campaigns, activities and reach."""
    return principal(user).has_role(*READERS)


def can_edit_communication(user: Any) -> bool:
    return principal(user).has_role(Role.COMMS_FP)


def can_edit_strategy(user: Any, strategy: Any) -> bool:
    return strategy.office_id in writing_offices(user)


def can_edit_campaign(user: Any, campaign: Any) -> bool:
    return campaign.office_id in writing_offices(user)


def can_edit_activity(user: Any, activity: Any) -> bool:
    if activity.office_id in writing_offices(user):
        return True
    own = activity.author_id is not None and activity.author_id == getattr(user, "pk", None)
    return own and activity.office_id in principal(user).offices(Role.CASE_MANAGER)


def can_view_messages(user: Any) -> bool:
    return principal(user).has_role(*MESSENGERS)


def can_compose_message(user: Any) -> bool:
    return can_view_messages(user)


def can_send_message(user: Any, message: Any) -> bool:
    return message.office_id in messaging_offices(user)
