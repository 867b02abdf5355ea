from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeKind(models.TextChoices):
    COUNTRY = "COUNTRY", _("Country")
    NATIONAL = "NATIONAL", _("National office")
    REGIONAL = "REGIONAL", _("Regional office")
    LOCAL = "LOCAL", _("Local office")
    HOST = "HOST", _("Host-country office")


class Role(models.TextChoices):
    COORDINATOR = "COORDINATOR", _("Coordinator")
    CASE_MANAGER = "CASE_MANAGER", _("Case manager")
    PROTECTION_FP = "PROTECTION_FP", _("Protection focal point")
    MEDICAL_FP = "MEDICAL_FP", _("Medical focal point")
    COMMS_FP = "COMMS_FP", _("Communication focal point")
    ME_SPECIALIST = "ME_SPECIALIST", _("M&E specialist")
    FINANCE = "FINANCE", _("Administration / procurement / finance")
    SYSADMIN = "SYSADMIN", _("System administrator")


class Specialisation(models.TextChoices):
    ECONOMIC = "ECONOMIC", _("Economic")
    SOCIAL = "SOCIAL", _("Social work & service mapping")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")
    HOST = "HOST", _("Host country")
