"""The reintegration plan's vocabulary: the handbook's Annex 3 types of assistance, delivery
modes, plan states and their moves."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The groups of Annex 3, section 2."""

    IMMEDIATE = "IMMEDIATE", _("Immediate assistance")
    LONGER_TERM = "LONGER_TERM", _("Longer-term assistance")
    ECONOMIC = "ECONOMIC", _("Economic")
    SOCIAL = "SOCIAL", _("Social")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")


class DeliveryMode(models.TextChoices):
    CASH = "CASH", _("Cash")
    IN_KIND = "IN_KIND", _("In kind")
    SERVICE = "SERVICE", _("Service through a referral")


# The types of assistance of Annex 3 (code, dimension, name, usual delivery mode). Ceilings are
# not published: each programme sets its own in the catalogue.
ANNEX3_TYPES: tuple[tuple[str, str, Any, str], ...] = (
    ("CASH", "IMMEDIATE", _("Cash"), "CASH"),
    ("BASIC_NEEDS", "IMMEDIATE", _("Basic needs (food, clothing…)"), "IN_KIND"),
    ("ACCOMMODATION", "IMMEDIATE", _("Accommodation"), "CASH"),
    ("MEDICAL_NEEDS", "IMMEDIATE", _("Medical needs"), "SERVICE"),
    ("IMMEDIATE_OTHER", "IMMEDIATE", _("Other immediate assistance"), "CASH"),
    ("CASH_FOR_WORK", "LONGER_TERM", _("Cash for work"), "CASH"),
    ("IGA", "ECONOMIC", _("Income-generating activity (creation or strengthening)"), "IN_KIND"),
    ("MICRO_BUSINESS", "ECONOMIC", _("Individual micro-business"), "IN_KIND"),
    ("COLLECTIVE_PROJECT", "ECONOMIC", _("Collective project"), "IN_KIND"),
    ("COMMUNITY_PROJECT", "ECONOMIC", _("Community project"), "IN_KIND"),
    ("JOB_PLACEMENT", "ECONOMIC", _("Job placement / employment"), "SERVICE"),
    ("VOCATIONAL_TRAINING", "ECONOMIC", _("Vocational training"), "SERVICE"),
    ("HOUSING", "SOCIAL", _("Housing"), "CASH"),
    ("MEDICAL_SUPPORT", "SOCIAL", _("Medical support (returnee / family)"), "SERVICE"),
    ("EDUCATION", "SOCIAL", _("Education"), "SERVICE"),
    ("SKILLS", "SOCIAL", _("Skills development"), "SERVICE"),
    ("LEGAL", "SOCIAL", _("Legal services"), "SERVICE"),
    ("SOCIAL_PROTECTION", "SOCIAL", _("Social protection schemes"), "SERVICE"),
    ("CHILDCARE", "SOCIAL", _("Childcare"), "SERVICE"),
    ("SECURITY", "SOCIAL", _("Special security measures"), "SERVICE"),
    ("PSY_INDIVIDUAL", "PSYCHOSOCIAL", _("Individual and family activities"), "SERVICE"),
    ("PSY_COMMUNITY", "PSYCHOSOCIAL", _("Community activities"), "SERVICE"),
    ("PSY_OTHER", "PSYCHOSOCIAL", _("Other psychosocial assistance"), "SERVICE"),
)


class Status(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", _("Waiting for approval")
    RETURNED = "RETURNED", _("Returned for changes")
    APPROVED = "APPROVED", _("Approved")
    SUPERSEDED = "SUPERSEDED", _("Superseded by a revision")
    CANCELLED = "CANCELLED", _("Cancelled")


# A plan being written (at most one per case at a time) and the approved one in force.
IN_PROGRESS = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
EDITABLE = (Status.DRAFT, Status.RETURNED)


class Decision(models.TextChoices):
    """The history of a plan: who did what, when, with which comment."""

    DRAFTED = "DRAFTED", _("Drafted")
    SUBMITTED = "SUBMITTED", _("Submitted")
    RETURNED = "RETURNED", _("Returned")
    APPROVED = "APPROVED", _("Approved")
    SUPERSEDED = "SUPERSEDED", _("Superseded")
    CANCELLED = "CANCELLED", _("Cancelled")
