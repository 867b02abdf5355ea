"""Returnees and their personal data (IDENTITY tier): household, documents, consents."""

import unicodedata

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.people.choices import (
    ConsentPurpose,
    DocumentKind,
    LegalBasis,
    Relationship,
    Sex,
)


def normalise(text: str) -> str:
    """Lower-case, accents removed, single spaces: the form names and phones are searched in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def normalise_phone(phone: str) -> str:
    return "".join(c for c in phone or "" if c.isdigit())


class Returnee(VersionedModel):
    """A person assisted by the programme."""

    given_names = models.CharField(_("given names"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    is_birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    nationality = models.CharField(_("nationality (ISO code)"), max_length=2, default="SN")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_alt = models.CharField(_("other phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    region = models.CharField(_("region of return"), max_length=80, blank=True)
    department = models.CharField(_("department"), max_length=80, blank=True)
    commune = models.CharField(_("commune"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("registering office"),
        on_delete=models.PROTECT,
        related_name="returnees",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Search keys kept by the service: normalised "family given" and the phone digits.
    name_key = models.CharField(max_length=250, db_index=True, editable=False, default="")
    family_key = models.CharField(max_length=120, editable=False, default="")
    phone_key = models.CharField(max_length=32, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("returnee")
        indexes = [
            models.Index(fields=["office", "family_key"]),
            models.Index(fields=["date_of_birth", "nationality"]),
            # Prefix searches (duplicate check) only: a pattern index cannot serve ORDER BY, so
            # name searches filter through the trigram index and sort the few rows they keep
            # instead of walking every returnee in name order.
            models.Index(
                fields=["family_key"],
                name="people_family_key_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name.upper()}"

    def refresh_keys(self) -> None:
        self.family_key = normalise(self.family_name)
        self.name_key = normalise(f"{self.given_names} {self.family_name}")
        self.phone_key = normalise_phone(self.phone)

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class HouseholdMember(TimestampedModel):
    """A member of the returnee's household."""

    person = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    is_dependant = models.BooleanField(_("dependant"), default=False)


class IdentityDocument(TimestampedModel):
    """An identity or travel document held by the returnee."""

    person = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=64)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)


class Consent(TimestampedModel):
    """Consent for one purpose: given on a date, to someone, in a language; may be withdrawn."""

    person = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    partner_name = models.CharField(_("partner"), max_length=200, blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    given_on = models.DateField(_("given on"))
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("obtained by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=40)
    notes = models.TextField(_("notes"), blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)

    class Meta:
        verbose_name = _("consent")
        indexes = [models.Index(fields=["person", "purpose"])]

    def __str__(self) -> str:
        return str(self.get_purpose_display())

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_on is None and self.given_on <= timezone.localdate()
