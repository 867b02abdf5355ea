"""Monitoring visits: scheduled at offsets after a case reaches monitoring, recorded with the
monitoring-visit form and the sustainability follow-up."""

from django.conf import settings
from django.db import models

from reintegra.cases.models import Case
from reintegra.core.models import VersionedModel
from reintegra.instruments.models import Response
from reintegra.monitoring.choices import VisitStatus


class Visit(VersionedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    # Denormalised from the case so scopes and the schedule filter on one indexed table.
    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    months = models.PositiveSmallIntegerField()  # months after the start of monitoring
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["office", "status", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="visit_once_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.months}m"
