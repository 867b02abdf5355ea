"""Who may grant, break glass and review: coordinators, for the cases of their scope.

Pure predicates over the principal; `case` and `grant` are read by field names only
(`office_id`, `user_id`), so access imports no domain app.
"""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role


def coordinates(user: Any, office_id: int | None) -> bool:
    """The user is a coordinator whose scope holds this office."""
    return office_id is not None and any(
        g.role == Role.COORDINATOR and office_id in g.office_ids for g in principal(user).grants
    )


def can_grant(user: Any, case: Any) -> bool:
    """A coordinator grants access to a section of a case of their scope."""
    return coordinates(user, case.office_id)


def can_break_glass(user: Any, case: Any) -> bool:
    """A coordinator may open a restricted section of a case of their scope in an emergency."""
    return coordinates(user, case.office_id)


def can_revoke_grant(user: Any, grant: Any) -> bool:
    return grant.revoked_at is None and coordinates(user, grant.office_id)


def can_review_break_glass(user: Any, grant: Any) -> bool:
    """Another coordinator of the scope reviews a break-glass opening, once; never one's own."""
    return (
        grant.kind == "BREAK_GLASS"
        and grant.reviewed_at is None
        and grant.user_id != getattr(user, "pk", None)
        and coordinates(user, grant.office_id)
    )


def can_view_access_ops(user: Any) -> bool:
    """The break-glass review list (and the main-menu entry): coordinators."""
    return principal(user).has_role(Role.COORDINATOR)
