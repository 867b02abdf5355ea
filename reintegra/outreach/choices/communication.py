"""Choices of the communication area: strategy, activities and campaigns, messages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    POTENTIAL_RETURNEES = "POTENTIAL_RETURNEES", _("Potential returnees")
    RETURNEES = "RETURNEES", _("Returnees")
    COMMUNITIES = "COMMUNITIES", _("Communities")
    AUTHORITIES = "AUTHORITIES", _("Authorities")
    HOST_PARTNERS = "HOST_PARTNERS", _("Host-country partners")


class Channel(models.TextChoices):
    """Channels a strategy plans to use."""

    INFO_SESSIONS = "INFO_SESSIONS", _("Information sessions")
    COMMUNITY_DIALOGUES = "COMMUNITY_DIALOGUES", _("Community dialogues")
    RADIO = "RADIO", _("Radio")
    SOCIAL_MEDIA = "SOCIAL_MEDIA", _("Social media")
    PRINTED = "PRINTED", _("Printed material")
    SMS = "SMS", _("SMS")
    WHATSAPP = "WHATSAPP", _("WhatsApp")
    EMAIL = "EMAIL", _("Email")
    OTHER = "OTHER", _("Other")


class StrategyStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    IN_FORCE = "IN_FORCE", _("In force")
    ARCHIVED = "ARCHIVED", _("Archived")


class ActivityKind(models.TextChoices):
    INFO_SESSION = "INFO_SESSION", _("Information session")
    COMMUNITY_DIALOGUE = "COMMUNITY_DIALOGUE", _("Community dialogue")
    RADIO = "RADIO", _("Radio")
    SOCIAL_MEDIA = "SOCIAL_MEDIA", _("Social media")
    PRINTED = "PRINTED", _("Printed material")
    OTHER = "OTHER", _("Other")


class MessageChannel(models.TextChoices):
    """Channels a message to returnees goes through."""

    SMS = "SMS", _("SMS")
    WHATSAPP = "WHATSAPP", _("WhatsApp")
    EMAIL = "EMAIL", _("Email")


class MessageStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SENDING = "SENDING", _("Sending")
    SENT = "SENT", _("Sent")


class DeliveryStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed")
    DELIVERED = "DELIVERED", _("Delivered (confirmed)")


# An SMS longer than this is refused (three concatenated 160-character segments).
SMS_SEGMENT = 160
SMS_MAX_LENGTH = 3 * SMS_SEGMENT
MESSAGE_MAX_LENGTH = 5000
