"""Pure predicates of the restricted sections and training records.

Section access is the case policy (`cases.permissions.case_access`) on the section's tier: a
user at FLAG level knows the section exists and sees nothing of it; READ reads it; WRITE edits
it. Time-bound grants and break-glass, when they exist, come through `case_access` too.
"""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.cases.permissions import CaseAccess


def can_know_section(access: CaseAccess, section: str) -> bool:
    return access.knows_tier(section)


def can_read_section(access: CaseAccess, section: str) -> bool:
    return access.can_read_tier(section)


def can_write_section(access: CaseAccess, section: str) -> bool:
    return access.can_write_tier(section)


def can_record_training(user: Any) -> bool:
    """Coordinators record the training of the staff of their office scope."""
    return principal(user).has_role(Role.COORDINATOR)


def can_view_sections(user: Any) -> bool:
    """The menu entry (training records): every staff member sees at least their own."""
    return principal(user).is_staff_member
