"""The service map: providers and the services they offer (handbook Annex 8)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.core.models import VersionedModel
from reintegra.providers.choices import Agreement, Category, ProviderKind, ServedSex

# The fields of a provider its keepers edit (pages, API, spreadsheets), in display order.
PROVIDER_FIELDS = (
    "name",
    "kind",
    "description",
    "address",
    "region",
    "commune",
    "latitude",
    "longitude",
    "catchment_regions",
    "catchment_communes",
    "phone",
    "email",
    "website",
    "contact_person",
    "opening_hours",
    "languages",
    "agreement",
    "agreement_start",
    "agreement_end",
    "first_contact",
    "response_days",
    "cost_arrangements",
    "capacity_notes",
)


class Provider(VersionedModel):
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Kind"), max_length=16, choices=ProviderKind.choices)
    description = models.TextField(_("Description"), blank=True)
    # The office that keeps this entry up to date (its staff may edit it).
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("Address"), max_length=255, blank=True)
    region = models.CharField(_("Region"), max_length=100, blank=True)
    commune = models.CharField(_("Commune"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("Latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("Longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Where the provider serves people: regions and communes (empty: everywhere).
    catchment_regions = models.JSONField(default=list, blank=True)
    catchment_communes = models.JSONField(default=list, blank=True)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    email = models.EmailField(_("Email"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    contact_person = models.CharField(_("Contact person"), max_length=150, blank=True)
    opening_hours = models.CharField(_("Opening hours"), max_length=200, blank=True)
    languages = models.CharField(_("Languages"), max_length=200, blank=True)
    agreement = models.CharField(
        _("Agreement"), max_length=8, choices=Agreement.choices, default=Agreement.NONE
    )
    agreement_start = models.DateField(_("Agreement from"), null=True, blank=True)
    agreement_end = models.DateField(_("Agreement until"), null=True, blank=True)
    first_contact = models.TextField(
        _("First contact"), blank=True
    )  # how to make the first contact
    response_days = models.PositiveSmallIntegerField(
        _("Expected response (days)"), default=5
    )  # expected response time
    cost_arrangements = models.TextField(_("Cost arrangements"), blank=True)
    capacity_notes = models.TextField(_("Capacity"), blank=True)
    last_verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    # The catchment's places, lower case without accents, "|kolda|sedhiou|" (searching).
    catchment_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "last_verified_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stale(self) -> bool:
        """Not verified within REINTEGRA_PROVIDER_STALE_DAYS (never verified counts as stale)."""
        if self.last_verified_on is None:
            return True
        return self.last_verified_on < stale_before()

    def serves(self, region: str, commune: str = "") -> bool:
        """Whether a place of return lies in the catchment (an empty catchment serves all)."""
        regions = {r.casefold() for r in self.catchment_regions or []}
        communes = {c.casefold() for c in self.catchment_communes or []}
        if not regions and not communes:
            return True
        return region.casefold() in regions or (bool(commune) and commune.casefold() in communes)


def stale_before() -> date:
    days = getattr(settings, "REINTEGRA_PROVIDER_STALE_DAYS", 180)
    return timezone.localdate() - timedelta(days=days)


class Service(VersionedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    category = models.CharField(max_length=24, choices=Category.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    eligibility = models.TextField(blank=True)
    fees = models.CharField(max_length=200, blank=True)
    # Structured eligibility the referral form checks (the text above says the rest).
    for_sex = models.CharField(max_length=1, choices=ServedSex.choices, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["category", "is_active"])]

    def __str__(self) -> str:
        return f"{self.provider} · {self.name}"

    @property
    def open_to(self) -> str:
        """The structured eligibility in words ("Women only, 18–35 years"); empty when open."""
        parts = [str(self.get_for_sex_display())] if self.for_sex else []
        low, high = self.min_age, self.max_age
        if low is not None and high is not None:
            parts.append(_("%(low)s–%(high)s years") % {"low": low, "high": high})
        elif low is not None:
            parts.append(_("%(low)s years and over") % {"low": low})
        elif high is not None:
            parts.append(_("up to %(high)s years") % {"high": high})
        return ", ".join(parts)
