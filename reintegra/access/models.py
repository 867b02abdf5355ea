"""Access operations: time-bound grants, break-glass openings, and who holds which session.

`access` imports no domain app: a grant names its case by id (`case_id`) and keeps the office
the case belonged to when it was given (for scoping the review list), not a key to the case.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.core.models import TimestampedModel, VersionedModel

__all__ = ["AccessGrant", "GrantKind", "GrantLevel", "GrantTier", "UserSession"]


class GrantKind(models.TextChoices):
    GRANT = "GRANT", _("Time-bound grant")
    BREAK_GLASS = "BREAK_GLASS", _("Break-glass")


class GrantTier(models.TextChoices):
    """The restricted sections a grant or a break-glass opens (Tier values)."""

    PROTECTION = "PROTECTION", _("Protection")
    MEDICAL = "MEDICAL", _("Medical")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")


class GrantLevel(models.IntegerChoices):
    """Level values (policy.Level): READ = 3, WRITE = 4."""

    READ = 3, _("Read")
    WRITE = 4, _("Read and write")


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def current(self, at=None) -> "AccessGrantQuerySet":  # type: ignore[no-untyped-def]
        """Not revoked, started and not yet ended (the end instant itself is outside)."""
        now = at or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


class AccessGrant(VersionedModel):
    """A user's raised level on one restricted tier of one case, until `ends_at`."""

    kind = models.CharField(_("Kind"), max_length=12, choices=GrantKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("Person"),
    )
    case_id = models.PositiveBigIntegerField(_("Case"), db_index=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("Section"), max_length=12, choices=GrantTier.choices)
    level = models.PositiveSmallIntegerField(_("Level"), choices=GrantLevel.choices)
    reason = models.TextField(_("Reason"))
    starts_at = models.DateTimeField(_("From"))
    ends_at = models.DateTimeField(_("Until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Break-glass only: the review after the fact.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    review_comment = models.TextField(_("Review comment"), blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ("-starts_at", "-id")
        indexes = [
            models.Index(fields=["user", "ends_at"], name="access_grant_user_ends"),
            models.Index(fields=["kind", "reviewed_at"], name="access_grant_review"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id} {self.tier}"

    def is_current(self, at=None) -> bool:  # type: ignore[no-untyped-def]
        now = at or timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.ends_at

    @property
    def is_break_glass(self) -> bool:
        return self.kind == GrantKind.BREAK_GLASS


class UserSession(TimestampedModel):
    """A session key recorded at sign-in, so ending a user's sessions deletes exactly theirs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return f"session of {self.user_id}"
