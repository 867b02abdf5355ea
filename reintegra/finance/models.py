"""Cash assistance: the instalments of a plan's cash measures, each paid through a payment
instruction prepared by one finance user and approved by another."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reintegra.cases.models import CaseDocument
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.finance.choices import InstalmentStatus, PaymentMethod, PurchaseStatus
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


class Supplier(VersionedModel):
    """The supplier register. Bank details are for the finance staff only."""

    name = models.CharField(_("name"), max_length=200)
    goods = models.CharField(_("goods and services"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    bank_name = models.CharField(_("bank"), max_length=150, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True)
    mobile_money = models.CharField(_("mobile money number"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PurchaseRequest(VersionedModel):
    """The purchase of an approved plan's in-kind measure: quotations, the supplier chosen with
    a justification, the order, the goods received, the hand-over to the returnee."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="purchases")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="purchases")
    status = models.CharField(
        _("status"), max_length=12, choices=PurchaseStatus.choices, default=PurchaseStatus.QUOTING
    )
    estimated_total = models.DecimalField(_("estimated total"), max_digits=14, decimal_places=2)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    chosen = models.ForeignKey(
        "Quotation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    justification = models.TextField(_("why this supplier"), blank=True)
    order_number = models.CharField(_("purchase order number"), max_length=50, blank=True)
    ordered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ordered_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(
        _("amount ordered"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    received_on = models.DateField(_("goods received on"), null=True, blank=True)
    received_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_note = models.TextField(_("note on the goods received"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=~Q(status=PurchaseStatus.CANCELLED),
                name="purchase_one_per_measure",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class PurchaseLine(models.Model):
    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost = models.DecimalField(_("estimated unit cost"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]

    @property
    def cost(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


class Quotation(TimestampedModel):
    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="quotations"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="quotations")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["amount", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="quotation_positive")]


class HandoverCertificate(TimestampedModel):
    """What the returnee received (items, quantities, value, date), acknowledged by a signature
    captured on a tablet or a signed scan."""

    request = models.OneToOneField(
        PurchaseRequest, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    handed_over_on = models.DateField(_("handed over on"))
    items = models.JSONField(default=list)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    signed_by = models.CharField(_("signed by"), max_length=200)
    signature = models.TextField(blank=True)  # a PNG as a data URL, from the signature pad
    scan = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
