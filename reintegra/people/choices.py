from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class AgeBand(models.TextChoices):
    """Age groups for counts of people reached or taking part (no birth dates needed)."""

    CHILD = "0-17", _("under 18")
    YOUTH = "18-24", _("18 to 24")
    ADULT = "25-59", _("25 to 59")
    SENIOR = "60+", _("60 and over")


class DocumentKind(models.TextChoices):
    PASSPORT = "PASSPORT", _("Passport")
    NATIONAL_ID = "NATIONAL_ID", _("National identity card")
    LAISSEZ_PASSER = "LAISSEZ_PASSER", _("Laissez-passer")
    BIRTH_CERTIFICATE = "BIRTH_CERTIFICATE", _("Birth certificate")
    CONSULAR_CARD = "CONSULAR_CARD", _("Consular card")
    OTHER = "OTHER", _("Other")


class Relationship(models.TextChoices):
    SPOUSE = "SPOUSE", _("Spouse")
    CHILD = "CHILD", _("Child")
    PARENT = "PARENT", _("Parent")
    SIBLING = "SIBLING", _("Sibling")
    OTHER = "OTHER", _("Other relative")


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "CASE_MANAGEMENT", _("Case management")
    REFERRAL = "REFERRAL", _("Referral to services")
    COMMUNICATION = "COMMUNICATION", _("Communication")
    MONITORING = "MONITORING", _("Monitoring surveys")
    PARTNER_SHARING = "PARTNER_SHARING", _("Sharing with a named partner")


class LegalBasis(models.TextChoices):
    CONSENT = "CONSENT", _("Consent")
    VITAL_INTEREST = "VITAL_INTEREST", _("Vital interest")
    PUBLIC_INTEREST = "PUBLIC_INTEREST", _("Public interest / mandate")
