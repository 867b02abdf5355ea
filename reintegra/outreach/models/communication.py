"""Models of communication strategy, activities and campaigns, messages to consenting returnees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.outreach.choices.communication import (
    ActivityKind,
    Audience,
    DeliveryStatus,
    MessageChannel,
    MessageStatus,
    StrategyStatus,
)
from reintegra.people.choices import AgeBand, Sex
from reintegra.people.models import Returnee

__all__ = [
    "Activity",
    "ActivityReach",
    "Campaign",
    "CommunicationStrategy",
    "Delivery",
    "Message",
]


class CommunicationStrategy(VersionedModel):
    """The programme's communication strategy, kept by an office (optionally for one region).
    One strategy is in force per office; the others are drafts or archived versions."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(_("region"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    objectives = models.TextField(_("objectives"))
    # Audience codes (choices.Audience).
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    # [{"text": ..., "audience": <Audience code>}]
    key_messages = models.JSONField(_("key messages"), default=list, blank=True)
    # Channel codes (choices.Channel).
    channels = models.JSONField(_("channels"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("communication strategy")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self) -> str:
        return self.title


class Campaign(VersionedModel):
    """A campaign groups communication activities around one objective and period."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    objective = models.TextField(_("objective"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    strategy = models.ForeignKey(
        CommunicationStrategy,
        verbose_name=_("strategy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Activity(VersionedModel):
    """A communication activity: an information session, a dialogue, a radio programme…"""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    region = models.CharField(_("region"), max_length=80, blank=True)
    commune = models.CharField(_("commune"), max_length=80, blank=True)
    venue = models.CharField(_("venue or media outlet"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    materials = models.TextField(_("materials used"), blank=True)
    feedback = models.TextField(_("feedback gathered"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The sum of the reach rows, kept by the services (lists and totals).
    reached = models.PositiveIntegerField(_("people reached"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("communication activity")
        verbose_name_plural = _("communication activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["office", "-held_on"])]

    def __str__(self) -> str:
        return self.title


class ActivityReach(models.Model):
    """How many people of one sex and age band an activity reached."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reach")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("people"), default=0)

    class Meta:
        verbose_name = _("people reached")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "sex", "age_band"], name="outreach_reach_unique_cell"
            )
        ]


class Message(VersionedModel):
    """A message to returnees of an office's scope who consented to communication."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    # The audience: returnees of these offices (the message's office and below when empty),
    # region and commune of return, and optionally only those with an open case.
    target_office = models.ForeignKey(
        Office,
        verbose_name=_("returnees of the office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.CharField(_("region of return"), max_length=80, blank=True)
    commune = models.CharField(_("commune of return"), max_length=80, blank=True)
    only_open_cases = models.BooleanField(_("only returnees with an open case"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.DRAFT
    )
    # Counters, set when the send starts (total, skipped) and while it runs (sent, failed).
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped_consent = models.PositiveIntegerField(default=0)
    skipped_address = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message to returnees")
        verbose_name_plural = _("messages to returnees")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["office", "-created_at"])]

    def __str__(self) -> str:
        return self.subject or self.body[:40]

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def is_sending(self) -> bool:
        return self.status == MessageStatus.SENDING


class Delivery(TimestampedModel):
    """The message to one returnee: the address it went to and what became of it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Returnee, on_delete=models.PROTECT, related_name="+")
    # The phone number or email the message went to (shown masked on pages).
    address = models.CharField(max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    error = models.CharField(_("error"), max_length=200, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "person"], name="outreach_delivery_once")
        ]
        indexes = [models.Index(fields=["message", "status"])]

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)


def mask_address(address: str) -> str:
    """A phone number or email as pages show it: "+221 77 *** ** 12", "a***@example.org"."""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = sum(c.isdigit() for c in address)
    head, tail = max(0, digits - 7), 2
    out, seen = [], 0
    for char in address:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= head or seen > digits - tail else "*")
        else:
            out.append(char)
    return "".join(out)
