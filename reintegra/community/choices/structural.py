"""Choices of the structural area (DOMAIN.md §4) and the engagement rule."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StakeholderKind(models.TextChoices):
    NATIONAL_AUTHORITY = "NATIONAL_AUTHORITY", _("National authority")
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY", _("Local authority")
    SERVICE_PROVIDER = "SERVICE_PROVIDER", _("Service provider")
    NGO = "NGO", _("Non-governmental organisation")
    PRIVATE_SECTOR = "PRIVATE_SECTOR", _("Private sector")
    DIASPORA = "DIASPORA", _("Diaspora")
    HOST_PARTNER = "HOST_PARTNER", _("Host-country partner")


class Rating(models.TextChoices):
    """Influence or interest of a stakeholder."""

    HIGH = "HIGH", _("High")
    LOW = "LOW", _("Low")


class EngagementLevel(models.TextChoices):
    """How the programme engages a stakeholder (handbook Module 4)."""

    MANAGE_CLOSELY = "MANAGE_CLOSELY", _("Manage closely")
    COMMUNICATE = "COMMUNICATE", _("Communicate")
    INFORM = "INFORM", _("Inform")


def engagement_level(influence: str, interest: str) -> str:
    """Both high → manage closely; one high → communicate; both low → inform."""
    highs = [influence, interest].count(Rating.HIGH)
    if highs == 2:
        return EngagementLevel.MANAGE_CLOSELY
    if highs == 1:
        return EngagementLevel.COMMUNICATE
    return EngagementLevel.INFORM


class EngagementKind(models.TextChoices):
    MEETING = "MEETING", _("Meeting")
    CALL = "CALL", _("Call")
    EMAIL = "EMAIL", _("Email")
    VISIT = "VISIT", _("Visit")
    EVENT = "EVENT", _("Event")
    JOINT_ACTIVITY = "JOINT_ACTIVITY", _("Joint activity")


class AgreementKind(models.TextChoices):
    MOU = "MOU", _("Memorandum of understanding (MoU)")
    LTA = "LTA", _("Long-term agreement (LTA)")
    DATA_SHARING = "DATA_SHARING", _("Data-sharing agreement")
    OTHER = "OTHER", _("Other agreement")


class AgreementStatus(models.TextChoices):
    """Derived from the dates (never stored): see Agreement.status."""

    DRAFT = "DRAFT", _("Draft")
    IN_FORCE = "IN_FORCE", _("In force")
    EXPIRING = "EXPIRING", _("Expiring soon")
    EXPIRED = "EXPIRED", _("Expired")
    TERMINATED = "TERMINATED", _("Terminated")


class CapacityKind(models.TextChoices):
    TRAINING = "TRAINING", _("Training")
    MENTORING = "MENTORING", _("Mentoring")
    EQUIPMENT = "EQUIPMENT", _("Equipment")
    FUNDS = "FUNDS", _("Funds or in-kind support")
    STAFF = "STAFF", _("Staff support")
    STRUCTURES = "STRUCTURES", _("Structures and processes")
    REFERRAL = "REFERRAL", _("Referral mechanisms")
    INDICATORS = "INDICATORS", _("National indicators")


class MechanismKind(models.TextChoices):
    WORKING_GROUP = "WORKING_GROUP", _("Government-led working group")
    TECHNICAL_COMMITTEE = "TECHNICAL_COMMITTEE", _("Technical committee")
    CASE_MANAGEMENT = "CASE_MANAGEMENT", _("Case management committee")
    STEERING_COMMITTEE = "STEERING_COMMITTEE", _("Steering committee")
    OTHER = "OTHER", _("Other mechanism")
