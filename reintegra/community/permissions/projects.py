"""Who may see and keep community profiles and community-based projects (pure predicates).

Profiles and projects are programme records scoped by office: every staff role (not the system
administrator) whose scope holds the record's office sees it; a project's lead and its assigned
focal points see it wherever they sit. Coordinators and case managers in scope create them;
coordinators in scope and the lead edit a project, its checklist and its status. Coordinators
and case managers in scope add participants (a returnee only from a case they see). The lead,
coordinators in scope and the assigned focal points record activities, reports and measurements.
"""

from typing import Any

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role

STAFF_ROLES = tuple(r for r in Role.values if r != Role.SYSADMIN)


def staff_offices(user: Any) -> frozenset[int]:
    """Offices whose profiles and projects the user sees through their roles' scopes."""
    return principal(user).offices(*STAFF_ROLES)


def keeping_offices(user: Any) -> frozenset[int]:
    """Offices where the user may create profiles and projects."""
    return principal(user).offices(Role.COORDINATOR, Role.CASE_MANAGER)


def _is_member(user: Any, project: Any) -> bool:
    """The lead or an assigned focal point."""
    if not getattr(user, "is_authenticated", False):
        return False
    if project.lead_id == user.pk:
        return True
    return any(u.pk == user.pk for u in project.focal_points.all())


def can_view_projects(user: Any) -> bool:
    """The projects and profiles pages (menu entry)."""
    return principal(user).is_staff_member


def can_view_project(user: Any, project: Any) -> bool:
    return project.office_id in staff_offices(user) or _is_member(user, project)


def can_view_profile(user: Any, profile: Any) -> bool:
    return profile.office_id in staff_offices(user)


def can_create_project(user: Any) -> bool:
    return bool(keeping_offices(user))


can_create_profile = can_create_project


def can_edit_profile(user: Any, profile: Any) -> bool:
    return profile.office_id in keeping_offices(user)


def _coordinates(user: Any, project: Any) -> bool:
    return project.office_id in principal(user).offices(Role.COORDINATOR)


def can_edit_project(user: Any, project: Any) -> bool:
    """Details, checklist, status and indicators: coordinators in scope and the lead."""
    return _coordinates(user, project) or (
        project.lead_id == getattr(user, "pk", None) and project.office_id in keeping_offices(user)
    )


def can_add_participant(user: Any, project: Any) -> bool:
    return project.office_id in keeping_offices(user)


def can_record_progress(user: Any, project: Any) -> bool:
    """Activities, progress reports and indicator measurements."""
    return _coordinates(user, project) or _is_member(user, project)
