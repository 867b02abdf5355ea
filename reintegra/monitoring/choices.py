from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.instruments.choices import SUSTAINABILITY_INSTRUMENT


class VisitStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    DONE = "DONE", _("Done")
    CANCELLED = "CANCELLED", _("Cancelled")


# The instruments a monitoring visit fills in (codes of the shipped instruments).
VISIT_INSTRUMENT = "monitoring_visit"
FOLLOW_UP_INSTRUMENT = SUSTAINABILITY_INSTRUMENT
