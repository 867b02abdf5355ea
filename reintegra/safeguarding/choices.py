"""Choices of the restricted sections and of staff training records."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """The three restricted sections of a case; the value is the data tier that guards it."""

    PROTECTION = "PROTECTION", _("Protection")
    MEDICAL = "MEDICAL", _("Medical")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")


# The URL slug of each section (pages and API).
SLUGS: dict[str, str] = {
    Section.PROTECTION: "protection",
    Section.MEDICAL: "medical",
    Section.PSYCHOSOCIAL: "psychosocial",
}
BY_SLUG: dict[str, str] = {slug: section for section, slug in SLUGS.items()}


class EntryKind(models.TextChoices):
    """A dated entry of a section."""

    PROTECTION_NOTE = "PROTECTION_NOTE", _("Protection note")
    MEDICAL_FOLLOW_UP = "MEDICAL_FOLLOW_UP", _("Treatment follow-up")
    SESSION = "SESSION", _("Counselling session")
    PROGRESS_NOTE = "PROGRESS_NOTE", _("Progress note")


# The kinds of entry each section takes.
SECTION_KINDS: dict[str, tuple[str, ...]] = {
    Section.PROTECTION: (EntryKind.PROTECTION_NOTE,),
    Section.MEDICAL: (EntryKind.MEDICAL_FOLLOW_UP,),
    Section.PSYCHOSOCIAL: (EntryKind.SESSION, EntryKind.PROGRESS_NOTE),
}


class SessionType(models.TextChoices):
    INDIVIDUAL = "INDIVIDUAL", _("Individual")
    FAMILY = "FAMILY", _("Family")
    GROUP = "GROUP", _("Group")


class TraffickingScreening(models.TextChoices):
    """Outcome of the trafficking screening interview (stored encrypted)."""

    NOT_SCREENED = "NOT_SCREENED", _("Not screened")
    NO_INDICATORS = "NO_INDICATORS", _("No indicators of trafficking")
    INDICATORS = "INDICATORS", _("Indicators of trafficking")
    IDENTIFIED = "IDENTIFIED", _("Identified as a victim of trafficking")


class Training(models.TextChoices):
    PFA = "PFA", _("Psychological first aid")
    PROTECTION = "PROTECTION", _("Protection")
    DATA_PROTECTION = "DATA_PROTECTION", _("Data protection")
    OTHER = "OTHER", _("Other")


# The text fields of each section's record (besides links), in the order of the pages.
PROTECTION_FIELDS = (
    "screening_follow_up",
    "individual_risks",
    "individual_protective",
    "household_risks",
    "household_protective",
    "community_risks",
    "community_protective",
    "structural_risks",
    "structural_protective",
    "trafficking_screening",
    "trafficking_assistance",
    "safety_plan",
    "best_interest",
)
MEDICAL_FIELDS = ("conditions", "needs", "fitness_to_travel")
PSYCHOSOCIAL_FIELDS = ("plan", "clinical_referral")
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    Section.PROTECTION: PROTECTION_FIELDS,
    Section.MEDICAL: MEDICAL_FIELDS,
    Section.PSYCHOSOCIAL: PSYCHOSOCIAL_FIELDS,
}

FIELD_LABELS: dict[str, Any] = {
    "screening_follow_up": _("Screening follow-up"),
    "individual_risks": _("Individual level: risk factors"),
    "individual_protective": _("Individual level: protective factors"),
    "household_risks": _("Household and family level: risk factors"),
    "household_protective": _("Household and family level: protective factors"),
    "community_risks": _("Community level: risk factors"),
    "community_protective": _("Community level: protective factors"),
    "structural_risks": _("Structural level: risk factors"),
    "structural_protective": _("Structural level: protective factors"),
    "trafficking_screening": _("Trafficking screening outcome"),
    "trafficking_assistance": _("Trafficking assistance outcome"),
    "safety_plan": _("Safety plan"),
    "best_interest": _("Best-interest considerations (children)"),
    "conditions": _("Declared conditions"),
    "needs": _("Medical needs"),
    "fitness_to_travel": _("Fitness to travel (before departure)"),
    "plan": _("Psychosocial plan"),
    "clinical_referral": _("Clinical referral"),
}
