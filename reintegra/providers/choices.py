from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    PUBLIC = "PUBLIC", _("Public")
    PRIVATE = "PRIVATE", _("Private")
    NON_PROFIT = "NON_PROFIT", _("Non-profit")
    INTERNATIONAL = "INTERNATIONAL", _("International organisation")


class Agreement(models.TextChoices):
    NONE = "NONE", _("None")
    LTA = "LTA", _("Long-term agreement (LTA)")
    MOU = "MOU", _("Memorandum of understanding (MoU)")


class ServedSex(models.TextChoices):
    """A service open to one sex only (codes as the returnee's sex)."""

    FEMALE = "F", _("Women only")
    MALE = "M", _("Men only")


class Category(models.TextChoices):
    """Service types of the handbook's service mapping (Annex 8): economic services, health,
    the seven social areas (Module 2.5), psychosocial and legal support."""

    JOB_PLACEMENT = "JOB_PLACEMENT", _("Job placement")
    TVET = "TVET", _("Technical and vocational training (TVET)")
    BUSINESS = "BUSINESS", _("Business development support")
    FINANCIAL = "FINANCIAL", _("Financial services")
    HEALTH_PRIMARY = "HEALTH_PRIMARY", _("Health — primary care")
    HEALTH_SECONDARY = "HEALTH_SECONDARY", _("Health — secondary care")
    HEALTH_TERTIARY = "HEALTH_TERTIARY", _("Health — tertiary care")
    MENTAL_HEALTH = "MENTAL_HEALTH", _("Mental health")
    PHARMACY = "PHARMACY", _("Pharmacy")
    HOUSING = "HOUSING", _("Housing and accommodation")
    DOCUMENTATION = "DOCUMENTATION", _("Documentation")
    SOCIAL_PROTECTION = "SOCIAL_PROTECTION", _("Social protection schemes")
    EDUCATION = "EDUCATION", _("Education and training")
    WELLBEING = "WELLBEING", _("Health and well-being")
    FOOD_WATER = "FOOD_WATER", _("Food and water")
    JUSTICE = "JUSTICE", _("Justice and rights")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial support")
    LEGAL = "LEGAL", _("Legal assistance")


HEALTH_CATEGORIES = frozenset(
    {
        Category.HEALTH_PRIMARY,
        Category.HEALTH_SECONDARY,
        Category.HEALTH_TERTIARY,
        Category.MENTAL_HEALTH,
        Category.PHARMACY,
    }
)
