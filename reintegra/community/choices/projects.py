"""Choices of community profiles and community-based projects (DOMAIN.md §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Approach(models.TextChoices):
    COLLECTIVE = "COLLECTIVE", _("Collective returnee project")
    NEW_COMMUNITY = "NEW_COMMUNITY", _("New community-based project")
    INCLUSION = "INCLUSION", _("Inclusion of returnees in an existing community project")


class Dimension(models.TextChoices):
    ECONOMIC = "ECONOMIC", _("Economic")
    SOCIAL = "SOCIAL", _("Social")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")


class ProjectStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    ACTIVE = "ACTIVE", _("Active")
    COMPLETED = "COMPLETED", _("Completed")
    SUSPENDED = "SUSPENDED", _("Suspended")
    CANCELLED = "CANCELLED", _("Cancelled")


# The statuses a project may move to from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNED: (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED),
    ProjectStatus.ACTIVE: (
        ProjectStatus.COMPLETED,
        ProjectStatus.SUSPENDED,
        ProjectStatus.CANCELLED,
    ),
    ProjectStatus.SUSPENDED: (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED),
    ProjectStatus.COMPLETED: (),
    ProjectStatus.CANCELLED: (),
}

# Moving to these statuses needs a reason.
NEEDS_REASON = (ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED)


class Criterion(models.TextChoices):
    """The seven criteria of a favourable environment for a community-based project
    (Altai Consulting for IOM Morocco, 2016; DOMAIN.md §3)."""

    RETURNEES = "RETURNEES", _("Enough returnees to the same community within a short time")
    SKILLS = "SKILLS", _("Returnee skills matched to the project")
    INTEREST = "INTEREST", _("Local interest and motivated migrants")
    INFRASTRUCTURE = "INFRASTRUCTURE", _("Basic infrastructure")
    SERVICES = "SERVICES", _("Services (health, education, housing…)")
    STABILITY = "STABILITY", _("Stability, security and economic opportunity")
    CIVIL_SOCIETY = "CIVIL_SOCIETY", _("Civil-society activism")


class Rating(models.TextChoices):
    MET = "MET", _("Met")
    PARTLY = "PARTLY", _("Partly met")
    NOT_MET = "NOT_MET", _("Not met")
    NOT_ASSESSED = "NOT_ASSESSED", _("Not assessed")


class ParticipantKind(models.TextChoices):
    RETURNEE = "RETURNEE", _("Returnee")
    COMMUNITY = "COMMUNITY", _("Community member")


# The focal-point roles that may be assigned to a project.
FOCAL_POINT_ROLES = ("COMMS_FP", "PROTECTION_FP", "ME_SPECIALIST")
