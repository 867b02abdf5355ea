"""Reintegration plans (handbook Annex 3) and the programme set-up they draw on: the assistance
catalogue, budget lines with their commitments, and the feasibility grid (Annex 5)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.cases.models import Case
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.plans.choices import IN_PROGRESS, Decision, DeliveryMode, Dimension, Status
from reintegra.referrals.models import Referral

User = settings.AUTH_USER_MODEL


def default_currency() -> str:
    return str(getattr(settings, "REINTEGRA_CURRENCY", "XOF"))


class AssistanceType(VersionedModel):
    """One entry of the programme's assistance catalogue."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    name = models.CharField(_("name"), max_length=200)
    delivery_mode = models.CharField(_("delivery mode"), max_length=8, choices=DeliveryMode.choices)
    ceiling = models.DecimalField(
        _("default ceiling"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dimension", "name"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(VersionedModel):
    """Money of one donor or programme at an office. Approved plans commit on it, payments
    spend it; it never goes below zero (the database refuses it too)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    donor = models.CharField(_("donor or programme"), max_length=200)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    committed = models.DecimalField(
        _("committed"), default=Decimal(0), max_digits=14, decimal_places=2
    )
    spent = models.DecimalField(_("spent"), default=Decimal(0), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(committed__gte=0)
                & Q(spent__gte=0)
                & Q(amount__gte=F("committed") + F("spent")),
                name="budget_line_never_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed - self.spent


class FeasibleOption(VersionedModel):
    """A row of the feasibility grid: an approach for a dimension, where it is feasible, what it
    is useful for, and the criteria at the three levels."""

    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    approach = models.CharField(_("approach"), max_length=200)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Empty: everywhere.")
    )
    useful_for = models.TextField(_("useful for"), blank=True)
    individual_criteria = models.TextField(_("individual criteria"), blank=True)
    community_criteria = models.TextField(_("community criteria"), blank=True)
    structural_criteria = models.TextField(_("structural criteria"), blank=True)
    is_feasible = models.BooleanField(_("feasible"), default=True)

    class Meta:
        ordering = ["dimension", "approach", "region"]

    def __str__(self) -> str:
        return self.approach


class Plan(VersionedModel):
    """A case's reintegration plan. Revisions are new rows (`revision` + 1, `previous`); the
    approved one in force is the case's plan, the one before it is superseded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    summary_economic = models.TextField(_("economic assistance"), blank=True)
    summary_social = models.TextField(_("social assistance"), blank=True)
    summary_psychosocial = models.TextField(_("psychosocial assistance"), blank=True)
    expected_improvement = models.TextField(_("expected improvement in well-being"), blank=True)
    community_part = models.TextField(_("community-based project part"), blank=True)
    # The composite of the baseline sustainability survey when the plan was submitted (0–1).
    baseline_score = models.FloatField(_("baseline score"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    total = models.DecimalField(_("total"), default=Decimal(0), max_digits=14, decimal_places=2)
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["case", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["case", "revision"], name="plan_revision_once"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=IN_PROGRESS),
                name="plan_one_in_progress_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=Status.APPROVED),
                name="plan_one_approved_per_case",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.case} · {self.revision}"


class Measure(TimestampedModel):
    """An assistance measure of the plan (Annex 3, section 2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    assistance_type = models.ForeignKey(
        AssistanceType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost"), default=Decimal(0), max_digits=14, decimal_places=2
    )
    delivery_mode = models.CharField(_("delivery mode"), max_length=8, choices=DeliveryMode.choices)
    referral_needed = models.BooleanField(_("referral needed"), default=False)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the assistance reached the returnee: the hand-over certificate (in kind), the
    # last instalment paid (cash).
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        label = self.description or self.assistance_type.name
        return f"{label} · {self.estimated_cost}"


class Item(TimestampedModel):
    """Goods, equipment or services bought with the reintegration grant (Annex 3, section 3)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    description = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]

    @property
    def cost(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


class PlanEvent(models.Model):
    """A plan's history: drafted, submitted, returned (with the comment), approved (by whom,
    at which level, for which amount), superseded."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    amount = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Commitment(TimestampedModel):
    """Money an approved plan reserves on a budget line. Payments turn it into spending
    (`spent`); a revision approved later releases what is left and commits its own total
    less what was already spent."""

    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="commitments"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="commitments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_positive"),
            models.CheckConstraint(
                condition=Q(spent__gte=0) & Q(spent__lte=F("amount")),
                name="commitment_spent_within_amount",
            ),
        ]
