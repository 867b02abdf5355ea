"""Models of feedback and complaints, the programme adjustment log and its report.

Accountability to affected people: every item of feedback (an information request, a
suggestion, a complaint or a sensitive complaint) is acknowledged, assigned and resolved with a
response to the person, within due dates; the coordinators record the adjustments the programme
made and the feedback and monitoring findings behind each.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.outreach.choices.feedback import (
    OPEN_STATUSES,
    AdjustmentArea,
    AdjustmentStatus,
    FeedbackAction,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackSource,
    FeedbackStatus,
    FeedbackTheme,
    SensitiveKind,
)

__all__ = ["FeedbackEvent", "FeedbackItem", "ProgrammeAdjustment"]

# Programme defaults, not official figures: a programme sets its own in the settings.
DEFAULT_ACK_DAYS = 3
DEFAULT_DUE_DAYS = {
    FeedbackCategory.INFORMATION: 7,
    FeedbackCategory.SUGGESTION: 30,
    FeedbackCategory.COMPLAINT: 14,
    FeedbackCategory.SENSITIVE: 7,
}


def ack_days() -> int:
    """Days within which feedback is acknowledged (REINTEGRA_FEEDBACK_ACK_DAYS)."""
    return int(getattr(settings, "REINTEGRA_FEEDBACK_ACK_DAYS", DEFAULT_ACK_DAYS))


def due_days(category: str) -> int:
    """Days within which feedback of a category is resolved (REINTEGRA_FEEDBACK_DUE_DAYS)."""
    configured = getattr(settings, "REINTEGRA_FEEDBACK_DUE_DAYS", None) or {}
    if category in configured:
        return int(configured[category])
    return DEFAULT_DUE_DAYS.get(category, 14)  # type: ignore[call-overload, no-any-return]


class FeedbackItem(VersionedModel):
    """Feedback from a returnee, a community member or a stakeholder, and its handling."""

    reference = models.CharField(_("Reference"), max_length=20, unique=True)
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("Office"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("From"), max_length=16, choices=FeedbackSource.choices)
    # A returnee the recorder could see when recording (optional).
    returnee = models.ForeignKey(
        "people.Returnee",
        verbose_name=_("Returnee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person_name = models.CharField(_("Name"), max_length=150, blank=True)
    is_anonymous = models.BooleanField(_("Anonymous"), default=False)
    contact = models.CharField(_("How to reach them for the response"), max_length=255, blank=True)
    received_on = models.DateField(_("Received on"))
    channel = models.CharField(_("Channel"), max_length=20, choices=FeedbackChannel.choices)
    category = models.CharField(_("Category"), max_length=16, choices=FeedbackCategory.choices)
    sensitive_kind = models.CharField(
        _("Kind of sensitive complaint"), max_length=16, choices=SensitiveKind.choices, blank=True
    )
    theme = models.CharField(_("Theme"), max_length=16, choices=FeedbackTheme.choices)
    description = models.TextField(_("Description"))
    status = models.CharField(
        _("Status"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Due dates are fixed when the item is recorded (and the resolution's again on re-opening).
    ack_due_on = models.DateField(_("Acknowledgement due on"))
    due_on = models.DateField(_("Resolution due on"))
    acknowledged_on = models.DateField(_("Acknowledged on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_on = models.DateField(_("Assigned on"), null=True, blank=True)
    response = models.TextField(_("Response to the person"), blank=True)
    responded_on = models.DateField(_("Responded on"), null=True, blank=True)
    response_channel = models.CharField(
        _("Response communicated by"), max_length=20, choices=FeedbackChannel.choices, blank=True
    )
    resolved_on = models.DateField(_("Resolved on"), null=True, blank=True)
    closed_on = models.DateField(_("Closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        indexes = [
            models.Index(fields=["office", "category", "status"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["received_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_sensitive(self) -> bool:
        return self.category == FeedbackCategory.SENSITIVE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def ack_overdue(self) -> bool:
        """Not acknowledged and past its acknowledgement due date."""
        return self.status == FeedbackStatus.RECEIVED and self.ack_due_on < timezone.localdate()

    @property
    def resolution_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_overdue(self) -> bool:
        return self.ack_overdue or self.resolution_overdue

    @staticmethod
    def due_dates(category: str, received_on: date) -> tuple[date, date]:
        """(acknowledgement due, resolution due) of an item received on a day."""
        return (
            received_on + timedelta(days=ack_days()),
            received_on + timedelta(days=due_days(category)),
        )


class FeedbackEvent(TimestampedModel):
    """A line of an item's history: a transition, who made it, and its note (a re-opening's
    reason). Shown only to those who see the item."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=FeedbackAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.action}"


class ProgrammeAdjustment(VersionedModel):
    """A change the programme made, with the feedback and monitoring findings behind it."""

    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("Office"), on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("Decided on"))
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    area = models.CharField(_("Area"), max_length=16, choices=AdjustmentArea.choices)
    status = models.CharField(
        _("Status"),
        max_length=16,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PLANNED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    feedback_items = models.ManyToManyField(
        FeedbackItem, blank=True, related_name="adjustments", verbose_name=_("Feedback behind it")
    )
    visits = models.ManyToManyField(
        "monitoring.Visit",
        blank=True,
        related_name="+",
        verbose_name=_("Monitoring findings behind it"),
    )

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("programme adjustment")
        verbose_name_plural = _("programme adjustments")

    def __str__(self) -> str:
        return self.title
