"""Models of retention rules, anonymisation, legal holds, consent-withdrawal cascades."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.cases.models import Case
from reintegra.core.models import VersionedModel
from reintegra.privacy.choices.retention import PeriodUnit, RecordType

__all__: list[str] = ["AnonymisedRecord", "LegalHold", "RetentionRule"]


class RetentionRule(VersionedModel):
    """How long one type of record keeps its personal data before it is anonymised."""

    record_type = models.CharField(
        _("record type"), max_length=16, choices=RecordType.choices, unique=True
    )
    period = models.PositiveSmallIntegerField(_("retention period"))
    unit = models.CharField(_("unit"), max_length=8, choices=PeriodUnit.choices)
    is_active = models.BooleanField(_("applied"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("retention rule")
        ordering = ["record_type"]

    def __str__(self) -> str:
        return str(self.get_record_type_display())


class LegalHold(VersionedModel):
    """A case that must not be anonymised (litigation, investigation), until the hold is lifted."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField(_("reason"))
    placed_on = models.DateField(_("placed on"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        ordering = ["-placed_on", "-id"]
        indexes = [models.Index(fields=["case", "lifted_on"])]

    def __str__(self) -> str:
        return str(self.case)

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None


class AnonymisedRecord(models.Model):
    """A record the retention run anonymised: the run never touches it twice."""

    record_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    anonymised_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "object_id"], name="anonymised_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.object_id}"
