"""Cash assistance: the instalments of a plan's cash measures, each paid through a payment
instruction prepared by one finance user and approved by another."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reintegra.core.models import VersionedModel
from reintegra.finance.choices import InstalmentStatus, PaymentMethod
from reintegra.plans.models import Measure, Plan

User = settings.AUTH_USER_MODEL


class Instalment(VersionedModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="instalments")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="instalments")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    milestone = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InstalmentStatus.choices,
        default=InstalmentStatus.PLANNED,
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    # The payment instruction.
    method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    payee = models.CharField(_("paid to"), max_length=200, blank=True)
    account = models.CharField(_("phone or account"), max_length=64, blank=True)
    prepared_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_positive"),
            # A payment carries its reference, and one reference pays once per method.
            models.CheckConstraint(
                condition=~Q(status=InstalmentStatus.PAID) | ~Q(reference=""),
                name="instalment_paid_has_reference",
            ),
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=Q(status=InstalmentStatus.PAID),
                name="instalment_reference_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.milestone}"
