"""Choices of the retention area: record types under a retention rule, period units."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    """A kind of record that is anonymised once its retention period is over."""

    CASE = "CASE", _("Closed cases (and their returnee)")
    FEEDBACK = "FEEDBACK", _("Closed feedback items")
    DELIVERY = "DELIVERY", _("Message deliveries")


class PeriodUnit(models.TextChoices):
    YEARS = "YEARS", _("years")
    MONTHS = "MONTHS", _("months")


# Programme defaults (not official figures): record type -> (period, unit).
DEFAULT_RULES: dict[str, tuple[int, str]] = {
    RecordType.CASE: (7, PeriodUnit.YEARS),
    RecordType.FEEDBACK: (3, PeriodUnit.YEARS),
    RecordType.DELIVERY: (12, PeriodUnit.MONTHS),
}

# Anonymised records are remembered under these kinds (a returnee follows their cases).
ANONYMISED_KINDS = [*RecordType.values, "PERSON"]

# The error a delivery cancelled by a consent withdrawal carries.
CONSENT_WITHDRAWN = "consent withdrawn"
