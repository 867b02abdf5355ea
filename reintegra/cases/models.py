"""Cases and everything attached to them: assignments, notes, tasks, files, hand-overs, timeline."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.policy import Tier
from reintegra.accounts.choices import Specialisation
from reintegra.accounts.models import Office
from reintegra.cases.choices import (
    AssignmentRole,
    ClosureReason,
    DocumentType,
    EventKind,
    HandoverStatus,
    Stage,
)
from reintegra.core.crypto import EncryptedTextField, SealedTextField
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.people.models import Consent, Returnee

User = settings.AUTH_USER_MODEL

# The tiers whose content is encrypted at rest (docs/encryption.md).
RESTRICTED_TIERS = (Tier.PROTECTION, Tier.MEDICAL, Tier.PSYCHOSOCIAL)


class Case(VersionedModel):
    """A returnee's reintegration case at one office, from pre-departure to closure."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    person = models.ForeignKey(
        Returnee, verbose_name=_("returnee"), on_delete=models.PROTECT, related_name="cases"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="cases"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    arrived_on = models.DateField(_("arrival date"), null=True, blank=True)
    # The lead case manager, kept by the assignment services for fast lists and sorting.
    lead = models.ForeignKey(
        User,
        verbose_name=_("lead case manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    has_protection_flag = models.BooleanField(_("protection flag"), default=False)
    has_medical_flag = models.BooleanField(_("medical flag"), default=False)
    has_psychosocial_flag = models.BooleanField(_("psychosocial flag"), default=False)
    has_plan = models.BooleanField(_("has a plan"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    # Denormalised sort key (the returnee's normalised family + given names).
    sort_name = models.CharField(max_length=250, editable=False, default="")

    class Meta:
        verbose_name = _("case")
        indexes = [
            models.Index(fields=["office", "stage", "-updated_at"]),
            models.Index(fields=["office", "-updated_at"]),
            models.Index(fields=["office", "sort_name"]),
            models.Index(fields=["lead", "stage"]),
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["sort_name"]),
            models.Index(fields=["stage", "arrived_on"]),
            models.Index(fields=["stage", "sort_name"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED


class Assignment(TimestampedModel):
    """A staff member working on a case: the lead case manager or a specialist."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="case_assignments")
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    specialisation = models.CharField(
        _("specialisation"), max_length=16, choices=Specialisation.choices, blank=True
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "ended_at", "case"]),
            models.Index(fields=["case", "ended_at"]),
        ]


class Note(TimestampedModel):
    """A dated counselling note. Psychosocial session notes carry the PSYCHOSOCIAL tier."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    written_on = models.DateField(_("date"), default=timezone.localdate)
    body = EncryptedTextField(_("note"))  # every note body is encrypted at rest
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)

    class Meta:
        indexes = [models.Index(fields=["case", "-written_on"])]


class Task(TimestampedModel):
    """A follow-up task with a due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        User,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "completed_at", "due_on"]),
            models.Index(fields=["case", "completed_at"]),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.completed_at is None and self.due_on < timezone.localdate()


class CaseDocument(TimestampedModel):
    """A file attached to a case, stored outside the web root."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    doc_type = models.CharField(_("type"), max_length=16, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    storage_name = models.CharField(max_length=255, editable=False)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)


class Handover(TimestampedModel):
    """A case handed from a host-country office to an origin-country office, with consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    from_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    to_office = models.ForeignKey(
        Office,
        verbose_name=_("receiving office"),
        on_delete=models.PROTECT,
        related_name="incoming_handovers",
    )
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent relied on"), on_delete=models.PROTECT, related_name="+"
    )
    sections = models.JSONField(_("sections that travel"), default=list)
    message = models.TextField(_("message to the receiving office"), blank=True)
    status = models.CharField(
        max_length=12, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["to_office", "status"])]


class CaseEvent(models.Model):
    """One entry of a case's timeline. `tier` decides who sees it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    office = models.ForeignKey(Office, null=True, on_delete=models.SET_NULL, related_name="+")
    # Encrypted at rest when the entry is in a restricted tier (a note's first line…).
    summary = SealedTextField(blank=True, tiers=RESTRICTED_TIERS)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-at"])]
        ordering = ["-at", "-id"]
