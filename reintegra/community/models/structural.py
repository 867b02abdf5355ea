"""Models of stakeholders, agreements, capacity building, coordination mechanisms and SOPs.

The register holds no returnee data: every staff role reads it programme-wide; each record is
kept by an office, whose coordinators edit it (DOMAIN.md §4, docs/structural.md)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.community.choices.structural import (
    AgreementKind,
    AgreementStatus,
    CapacityKind,
    EngagementKind,
    EngagementLevel,
    MechanismKind,
    Rating,
    StakeholderKind,
)
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.providers.models import Provider

__all__ = [
    "Agreement",
    "CapacityActivity",
    "ContactPoint",
    "CoordinationMechanism",
    "EngagementEntry",
    "FollowUpAction",
    "MechanismMeeting",
    "SopVersion",
    "Stakeholder",
]

User = settings.AUTH_USER_MODEL


def agreement_alert_days() -> int:
    """How many days before its end an agreement shows as expiring (setting, default 60)."""
    return int(getattr(settings, "REINTEGRA_AGREEMENT_ALERT_DAYS", 60))


class StoredDocument(models.Model):
    """A file kept outside the web root (like case documents), served by a checked view."""

    storage_name = models.CharField(max_length=255, blank=True, editable=False)
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def has_document(self) -> bool:
        return bool(self.storage_name)


class Stakeholder(VersionedModel):
    """An institution the programme engages at the structural level."""

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Type"), max_length=24, choices=StakeholderKind.choices)
    # The office that keeps this entry (its coordinators edit it).
    office = models.ForeignKey(
        Office, verbose_name=_("Kept by the office"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(_("Region"), max_length=100, blank=True)
    influence = models.CharField(_("Influence"), max_length=4, choices=Rating.choices)
    interest = models.CharField(_("Interest"), max_length=4, choices=Rating.choices)
    # Derived from influence and interest by engagement_level(); stored to filter on it.
    engagement = models.CharField(
        _("Engagement level"), max_length=16, choices=EngagementLevel.choices, editable=False
    )
    concerns = models.TextField(_("Concerns"), blank=True)
    expectations = models.TextField(_("Expectations"), blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("Service provider on the service map"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [models.Index(fields=["kind", "engagement"])]

    def __str__(self) -> str:
        return self.name


class ContactPoint(TimestampedModel):
    """A person to contact at a stakeholder."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("Name"), max_length=150)
    position = models.CharField(_("Position"), max_length=150, blank=True)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    email = models.EmailField(_("Email"), blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class EngagementEntry(TimestampedModel):
    """One dated contact with a stakeholder (the engagement history)."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="engagements"
    )
    occurred_on = models.DateField(_("Date"))
    kind = models.CharField(_("Type"), max_length=16, choices=EngagementKind.choices)
    summary = models.TextField(_("Summary"))
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    next_step = models.CharField(_("Next step"), max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]


class Agreement(VersionedModel, StoredDocument):
    """An MoU, LTA, data-sharing or other agreement with a stakeholder."""

    kind = models.CharField(_("Kind"), max_length=16, choices=AgreementKind.choices)
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("Stakeholder"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("Kept by the office"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("Title"), max_length=200)
    reference = models.CharField(_("Reference"), max_length=100, blank=True)
    signed_on = models.DateField(_("Signed on"), null=True, blank=True)
    starts_on = models.DateField(_("Starts on"), null=True, blank=True)
    ends_on = models.DateField(_("Ends on"), null=True, blank=True)
    terminated_on = models.DateField(_("Terminated on"), null=True, blank=True)
    # Data-sharing agreements only (readable by coordinators, M&E and communication).
    data_ownership = models.TextField(_("Data ownership"), blank=True)
    data_categories = models.TextField(_("Data categories shared"), blank=True)
    safeguards = models.TextField(_("Safeguards"), blank=True)
    data_access = models.TextField(_("Who may enter and view which data"), blank=True)

    class Meta:
        ordering = ["ends_on", "title", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title

    @property
    def is_data_sharing(self) -> bool:
        return self.kind == AgreementKind.DATA_SHARING

    def status_on(self, today: date, alert_days: int) -> str:
        """Terminated; draft until signed; expired after its end; expiring within the alert
        days before it; otherwise in force."""
        if self.terminated_on is not None:
            return AgreementStatus.TERMINATED
        if self.signed_on is None:
            return AgreementStatus.DRAFT
        if self.ends_on is not None:
            if self.ends_on < today:
                return AgreementStatus.EXPIRED
            if self.ends_on <= today + timedelta(days=alert_days):
                return AgreementStatus.EXPIRING
        return AgreementStatus.IN_FORCE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate(), agreement_alert_days())

    def get_status_display(self) -> str:
        return str(AgreementStatus(self.status).label)

    @property
    def days_left(self) -> int | None:
        if self.ends_on is None:
            return None
        return (self.ends_on - timezone.localdate()).days


class CapacityActivity(VersionedModel):
    """A capacity-building activity for an institution (DOMAIN.md §4)."""

    title = models.CharField(_("Title"), max_length=200)
    kind = models.CharField(_("Type"), max_length=16, choices=CapacityKind.choices)
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("Target institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capacity_activities",
    )
    # When the institution is not in the register.
    institution_name = models.CharField(
        _("Institution (not in the register)"), max_length=200, blank=True
    )
    office = models.ForeignKey(
        Office, verbose_name=_("Kept by the office"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("Date"))
    ends_on = models.DateField(_("Until"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("Participants"), default=0)
    participants_female = models.PositiveIntegerField(_("Women"), null=True, blank=True)
    participants_male = models.PositiveIntegerField(_("Men"), null=True, blank=True)
    results = models.TextField(_("Outputs and results"), blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("capacity-building activity")
        verbose_name_plural = _("capacity-building activities")

    def __str__(self) -> str:
        return self.title

    @property
    def institution(self) -> str:
        return self.stakeholder.name if self.stakeholder is not None else self.institution_name


class CoordinationMechanism(VersionedModel):
    """A working group, committee or other coordination mechanism the programme takes part in."""

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Type"), max_length=24, choices=MechanismKind.choices)
    lead = models.ForeignKey(
        Stakeholder,
        verbose_name=_("Lead institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("Kept by the office"), on_delete=models.PROTECT, related_name="+"
    )
    terms_of_reference = models.TextField(_("Terms of reference"), blank=True)
    meeting_frequency = models.CharField(_("Meeting frequency"), max_length=100, blank=True)
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("coordination mechanism")
        verbose_name_plural = _("coordination mechanisms")

    def __str__(self) -> str:
        return self.name


class MechanismMeeting(TimestampedModel, StoredDocument):
    """A meeting of a coordination mechanism; the document is its minutes."""

    mechanism = models.ForeignKey(
        CoordinationMechanism, on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("Date"))
    place = models.CharField(_("Place"), max_length=200, blank=True)
    attendees = models.TextField(_("Attendees"), blank=True)
    stakeholders = models.ManyToManyField(
        Stakeholder, verbose_name=_("Institutions present"), blank=True, related_name="+"
    )
    agenda = models.TextField(_("Agenda"), blank=True)
    decisions = models.TextField(_("Decisions"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.mechanism} · {self.held_on.isoformat()}"


class FollowUpAction(VersionedModel):
    """An action decided at a meeting: a user or an external person owns it until done."""

    meeting = models.ForeignKey(MechanismMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("Action"), max_length=300)
    owner = models.ForeignKey(
        User,
        verbose_name=_("Owner (a user)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_name = models.CharField(_("Owner (someone else)"), max_length=150, blank=True)
    due_on = models.DateField(_("Due on"), null=True, blank=True)
    done_on = models.DateField(_("Done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["done_on", "due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_on"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return (
            self.done_on is None and self.due_on is not None and self.due_on < timezone.localdate()
        )

    @property
    def owner_label(self) -> str:
        if self.owner_id and self.owner is not None:
            return self.owner.get_full_name() or self.owner.get_username()
        return self.owner_name


class SopVersion(TimestampedModel, StoredDocument):
    """A version of standard operating procedures, of a mechanism or programme-wide (no
    mechanism). The newest added with a title supersedes the current one of that title."""

    mechanism = models.ForeignKey(
        CoordinationMechanism,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sops",
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("Title"), max_length=200)
    version_label = models.CharField(_("Version"), max_length=30)
    effective_on = models.DateField(_("Effective from"))
    changes = models.TextField(_("Summary of changes"), blank=True)
    is_current = models.BooleanField(_("Current"), default=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title", "-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.version_label}"
