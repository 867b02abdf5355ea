"""Users, the office tree and role assignments."""

import hashlib
import secrets
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.choices import OfficeKind, Role, Specialisation
from reintegra.core.models import TimestampedModel, VersionedModel


class User(AbstractUser):
    """A person who signs in to Reintegra."""

    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Office(VersionedModel):
    """An office in the tree: country → national → regional → local, plus host-country offices.

    `path` is a materialised path ("/1/4/9/") so a scope is one indexed prefix query.
    """

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OfficeKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    country_code = models.CharField(_("country (ISO code)"), max_length=2)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name

    @property
    def is_host_country(self) -> bool:
        return self.kind == OfficeKind.HOST

    @property
    def depth(self) -> int:
        return max(0, self.path.count("/") - 2)

    @property
    def line_ids(self) -> set[int]:
        """This office and the offices above it: staff assigned at any of them cover it."""
        return {int(part) for part in self.path.strip("/").split("/") if part.isdigit()}


class RoleAssignment(TimestampedModel):
    """Binds a user to a role at an office (its scope is the office and its sub-offices)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    specialisation = models.CharField(
        _("specialisation"), max_length=16, choices=Specialisation.choices, blank=True
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role assignment")
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.office or '—'}"

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_active and (self.expires_on is None or self.expires_on >= today)


class ApiToken(TimestampedModel):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(32)
