"""Choices of feedback and complaints and of the programme adjustment log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackSource(models.TextChoices):
    RETURNEE = "RETURNEE", _("Returnee")
    COMMUNITY = "COMMUNITY", _("Community member")
    STAKEHOLDER = "STAKEHOLDER", _("Stakeholder")


class FeedbackChannel(models.TextChoices):
    HOTLINE = "HOTLINE", _("Hotline / phone")
    IN_PERSON = "IN_PERSON", _("In person")
    SMS = "SMS", _("SMS")
    WHATSAPP = "WHATSAPP", _("WhatsApp")
    EMAIL = "EMAIL", _("Email")
    SUGGESTION_BOX = "SUGGESTION_BOX", _("Suggestion box")
    COMMUNITY_MEETING = "COMMUNITY_MEETING", _("Community meeting")
    MONITORING_VISIT = "MONITORING_VISIT", _("Monitoring visit")
    SOCIAL_MEDIA = "SOCIAL_MEDIA", _("Social media")
    OTHER = "OTHER", _("Other")


class FeedbackCategory(models.TextChoices):
    INFORMATION = "INFORMATION", _("Information request")
    SUGGESTION = "SUGGESTION", _("Suggestion")
    COMPLAINT = "COMPLAINT", _("Complaint")
    SENSITIVE = "SENSITIVE", _("Sensitive complaint")


class SensitiveKind(models.TextChoices):
    MISCONDUCT = "MISCONDUCT", _("Misconduct")
    FRAUD = "FRAUD", _("Fraud")
    ABUSE = "ABUSE", _("Abuse")
    SEA = "SEA", _("Sexual exploitation and abuse")
    OTHER = "OTHER", _("Other")


class FeedbackTheme(models.TextChoices):
    DELAYS = "DELAYS", _("Assistance delays")
    QUALITY = "QUALITY", _("Quality of assistance")
    INFORMATION = "INFORMATION", _("Information")
    STAFF_CONDUCT = "STAFF_CONDUCT", _("Staff conduct")
    PROVIDERS = "PROVIDERS", _("Service providers")
    ELIGIBILITY = "ELIGIBILITY", _("Eligibility")
    PAYMENTS = "PAYMENTS", _("Payments")
    OTHER = "OTHER", _("Other")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    ASSIGNED = "ASSIGNED", _("Assigned")
    RESOLVED = "RESOLVED", _("Resolved")
    CLOSED = "CLOSED", _("Closed")


# Still waiting for a resolution (the resolution due date applies).
OPEN_STATUSES = (
    FeedbackStatus.RECEIVED,
    FeedbackStatus.ACKNOWLEDGED,
    FeedbackStatus.ASSIGNED,
)


class FeedbackAction(models.TextChoices):
    """The workflow's transitions (pages, API, the item's history)."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ASSIGN = "assign", _("Assign")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Re-open")


class AdjustmentArea(models.TextChoices):
    ASSISTANCE = "ASSISTANCE", _("Assistance")
    PROCESS = "PROCESS", _("Process")
    COMMUNICATION = "COMMUNICATION", _("Communication")
    PARTNERS = "PARTNERS", _("Partners")
    STAFFING = "STAFFING", _("Staffing")
    OTHER = "OTHER", _("Other")


class AdjustmentStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    IMPLEMENTED = "IMPLEMENTED", _("Implemented")
