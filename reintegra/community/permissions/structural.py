"""Who may read and keep the structural register (stakeholders, agreements, capacity building,
coordination). The register holds no returnee data: every staff role but the system
administrator reads it programme-wide. Coordinators keep the records of the offices in their
scope; the communication focal point adds stakeholders, engagement entries and capacity-building
activities (outreach is their job); the M&E specialist adds capacity-building activities; the
owner of a follow-up action marks it done. Data-sharing terms and agreement documents of
data-sharing agreements are read by coordinators, the M&E specialist and communication only."""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role


def can_view_structural(user: Any) -> bool:
    return principal(user).is_staff_member


def coordinating_offices(user: Any) -> frozenset[int]:
    """Offices whose records the user keeps (a coordinator's scope)."""
    return principal(user).offices(Role.COORDINATOR)


def stakeholder_offices(user: Any) -> frozenset[int]:
    """Offices for which the user may add stakeholders and engagement entries."""
    return principal(user).offices(Role.COORDINATOR, Role.COMMS_FP)


def capacity_offices(user: Any) -> frozenset[int]:
    """Offices for which the user may record capacity-building activities."""
    return principal(user).offices(Role.COORDINATOR, Role.COMMS_FP, Role.ME_SPECIALIST)


def can_add_stakeholder(user: Any) -> bool:
    return bool(stakeholder_offices(user))


def can_edit_stakeholder(user: Any, stakeholder: Any) -> bool:
    return stakeholder.office_id in coordinating_offices(user)


def can_add_engagement(user: Any, stakeholder: Any) -> bool:
    return stakeholder.office_id in stakeholder_offices(user)


def can_add_agreement(user: Any) -> bool:
    return bool(coordinating_offices(user))


def can_edit_agreement(user: Any, agreement: Any) -> bool:
    return agreement.office_id in coordinating_offices(user)


def can_read_data_sharing(user: Any) -> bool:
    """Data-sharing terms and documents (others see the agreement, its dates and status)."""
    return principal(user).has_role(Role.COORDINATOR, Role.ME_SPECIALIST, Role.COMMS_FP)


def can_read_agreement_document(user: Any, agreement: Any) -> bool:
    return not agreement.is_data_sharing or can_read_data_sharing(user)


def can_add_capacity(user: Any) -> bool:
    return bool(capacity_offices(user))


def can_edit_capacity(user: Any, activity: Any) -> bool:
    return activity.office_id in coordinating_offices(user)


def can_add_mechanism(user: Any) -> bool:
    return bool(coordinating_offices(user))


def can_edit_mechanism(user: Any, mechanism: Any) -> bool:
    """Edit it, record its meetings, actions and SOP versions."""
    return mechanism.office_id in coordinating_offices(user)


def can_add_sop(user: Any) -> bool:
    """A programme-wide SOP version (a mechanism's go through can_edit_mechanism)."""
    return bool(coordinating_offices(user))


def can_complete_action(user: Any, action: Any) -> bool:
    if action.owner_id is not None and action.owner_id == getattr(user, "pk", None):
        return True
    return action.meeting.mechanism.office_id in coordinating_offices(user)
