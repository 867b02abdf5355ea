"""Models of the restricted sections of a case (protection, medical, psychosocial) and of staff
training records.

The content of a section is encrypted at rest (`EncryptedJSONField` / `EncryptedTextField`):
nothing of it can be searched, and nothing of it is copied to the timeline or the audit trail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.cases.models import Case
from reintegra.core.crypto import EncryptedJSONField, EncryptedTextField
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.instruments.models import Response
from reintegra.referrals.models import Referral
from reintegra.safeguarding.choices import EntryKind, Section, SessionType, Training

__all__ = ["SectionEntry", "SectionRecord", "TrainingRecord"]


class SectionRecord(VersionedModel):
    """One restricted section of one case: its text fields (`SECTION_FIELDS`), encrypted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sections")
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    content = EncryptedJSONField(_("content"))
    # Protection: the vulnerability screening this follow-up answers (a response of the case).
    screening_response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("restricted section")
        constraints = [
            models.UniqueConstraint(fields=["case", "section"], name="one_section_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.section}"


class SectionEntry(TimestampedModel):
    """A dated entry of a section: a protection note, a treatment follow-up, a counselling
    session or a progress note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="section_entries")
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    written_on = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(_("summary"))
    next_steps = EncryptedTextField(_("next steps"), blank=True)
    session_type = models.CharField(
        _("session type"), max_length=12, choices=SessionType.choices, blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True)
    # Medical: the medical referral this follow-up is about (read from the referrals app).
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("section entry")
        verbose_name_plural = _("section entries")
        indexes = [models.Index(fields=["case", "section", "-written_on"])]


class TrainingRecord(VersionedModel):
    """A training a staff member took (psychological first aid, protection, data protection…)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="training_records",
    )
    # The office the person works at when recorded: coordinators see their scope's records.
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    training = models.CharField(_("training"), max_length=16, choices=Training.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    completed_on = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=200)
    certificate_name = models.CharField(max_length=255, blank=True)
    certificate_original_name = models.CharField(max_length=255, blank=True)
    certificate_content_type = models.CharField(max_length=100, blank=True)
    certificate_size = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("training record")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["office", "training"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_training_display()}"

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_name)
