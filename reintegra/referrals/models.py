"""Referrals: a returnee referred to a provider's service or within the programme, followed
to an outcome; and the expiring links through which providers without accounts answer."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.policy import Tier
from reintegra.cases.models import RESTRICTED_TIERS, Case
from reintegra.core.crypto import EncryptedTextField, SealedJSONField
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.people.models import Consent
from reintegra.providers.models import Provider, Service
from reintegra.referrals.choices import Kind, OverrideGround, Recipient, State

User = settings.AUTH_USER_MODEL


class Satisfaction(models.TextChoices):
    SATISFIED = "SATISFIED", _("Satisfied")
    PARTLY = "PARTLY", _("Partly satisfied")
    NOT_SATISFIED = "NOT_SATISFIED", _("Not satisfied")
    NOT_ASKED = "NOT_ASKED", _("Could not be asked")


class Referral(VersionedModel):
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # External: the service (and its provider, kept for statistics and the link page).
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # Internal: the role referred to, and optionally a named person holding it.
    recipient = models.CharField(
        _("referred to"), max_length=16, choices=Recipient.choices, blank=True
    )
    recipient_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The service category, or the recipient role of an internal referral (statistics).
    category = models.CharField(_("category"), max_length=24)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)
    # Free text is encrypted at rest on every referral; what was shared, on restricted ones.
    reason = EncryptedTextField(_("reason for the referral"))
    urgent = models.BooleanField(_("urgent"), default=False)
    # The fields the sender chose to share, and their values as sent (what the provider sees).
    shared_fields = models.JSONField(default=list, blank=True)
    shared = SealedJSONField(default=dict, blank=True, tiers=RESTRICTED_TIERS)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_ground = models.CharField(
        _("ground for referring without consent"),
        max_length=16,
        choices=OverrideGround.choices,
        blank=True,
    )
    override_reason = EncryptedTextField(_("why consent could not be obtained"), blank=True)
    override_reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reviewed_at = models.DateTimeField(null=True, blank=True)
    override_review_note = EncryptedTextField(_("review"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledge_by = models.DateField(_("acknowledgement due"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The recipient's answer (ACCEPTED / DECLINED) and the service's result (DELIVERED /
    # NOT_DELIVERED), kept once the referral is closed.
    answer = models.CharField(max_length=16, choices=State.choices, blank=True)
    answer_note = EncryptedTextField(_("provider's answer"), blank=True)
    result = models.CharField(max_length=16, choices=State.choices, blank=True)
    delivered_at = models.DateTimeField(_("service outcome recorded"), null=True, blank=True)
    outcome = EncryptedTextField(_("service outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = EncryptedTextField(_("outcome for the returnee"), blank=True)
    feedback = EncryptedTextField(_("returnee's feedback"), blank=True)
    satisfaction = models.CharField(
        _("returnee's satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = EncryptedTextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("referral")
        indexes = [
            models.Index(fields=["case", "-created_at"]),
            models.Index(fields=["state", "acknowledge_by"]),
            models.Index(fields=["provider", "state"]),
            models.Index(fields=["recipient", "state"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_overdue(self) -> bool:
        """Sent, not acknowledged, and past its acknowledgement date."""
        return (
            self.state == State.SENT
            and self.acknowledged_at is None
            and self.acknowledge_by is not None
            and self.acknowledge_by < timezone.localdate()
        )

    @property
    def is_escalated(self) -> bool:
        """Overdue for longer than REINTEGRA_REFERRAL_ESCALATION_DAYS: the regional coordinator
        is told."""
        return (
            self.is_overdue
            and self.acknowledge_by is not None
            and (self.acknowledge_by < escalate_before())
        )

    @property
    def needs_override_review(self) -> bool:
        return bool(self.override_ground) and self.override_reviewed_at is None

    @property
    def to_label(self) -> str:
        if self.kind == Kind.INTERNAL:
            label = Recipient(self.recipient).label if self.recipient else ""
            return f"{label} · {self.recipient_user}" if self.recipient_user_id else str(label)
        return f"{self.provider} · {self.service.name}" if self.service else str(self.provider)


def escalate_before() -> date:
    days = getattr(settings, "REINTEGRA_REFERRAL_ESCALATION_DAYS", 3)
    return timezone.localdate() - timedelta(days=days)


class ReferralLink(TimestampedModel):
    """A secret link a provider without an account uses to answer one referral. Only the
    token's hash is stored; the link is shown once, when it is issued."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
