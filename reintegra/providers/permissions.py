"""Who may see and keep the service map. Providers hold no personal data: every staff member
with a role sees the directory; keeping it is the social-work case managers' job (with the
coordinators), within their office scope; the medical focal point keeps health providers."""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role, Specialisation
from reintegra.providers.choices import HEALTH_CATEGORIES


def can_view_providers(user: Any) -> bool:
    return principal(user).is_staff_member


def _keepers(user: Any) -> set[int]:
    """Offices whose providers the user keeps (coordinators, social-work case managers)."""
    ids: set[int] = set()
    for g in principal(user).grants:
        if g.role == Role.COORDINATOR or (
            g.role == Role.CASE_MANAGER and g.specialisation == Specialisation.SOCIAL
        ):
            ids |= g.office_ids
    return ids


def _health_keepers(user: Any) -> set[int]:
    return set(principal(user).offices(Role.MEDICAL_FP))


def keeping_offices(user: Any, health: bool = False) -> set[int]:
    """Offices at which the user may add providers (health ones too for the medical FP)."""
    return _keepers(user) | (_health_keepers(user) if health else set())


def can_add_provider(user: Any) -> bool:
    return bool(_keepers(user) or _health_keepers(user))


def can_edit_provider(user: Any, provider: Any) -> bool:
    if provider.office_id in _keepers(user):
        return True
    if provider.office_id in _health_keepers(user):
        categories = {s.category for s in provider.services.all()}
        return not categories or categories <= HEALTH_CATEGORIES
    return False
