"""Writes on returnees, their household, identity documents and consents."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.people.choices import ConsentPurpose, DocumentKind, Relationship, Sex
from reintegra.people.hooks import withdrawal_hooks_run
from reintegra.people.models import Consent, HouseholdMember, IdentityDocument, Returnee

IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "sex",
    "date_of_birth",
    "is_birth_date_estimated",
    "nationality",
    "phone",
    "phone_alt",
    "email",
    "region",
    "department",
    "commune",
    "address",
    "languages",
)


def _clean_identity(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in IDENTITY_FIELDS if k in data}
    for key in (
        "given_names",
        "family_name",
        "phone",
        "phone_alt",
        "email",
        "region",
        "department",
        "commune",
        "address",
        "languages",
        "nationality",
    ):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    if "nationality" in clean:
        clean["nationality"] = clean["nationality"].upper()
        if len(clean["nationality"]) != 2 or not clean["nationality"].isalpha():
            raise ValidationFailed(
                _("Nationality must be a two-letter country code."), field="nationality"
            )
    for key in ("given_names", "family_name"):
        if key in clean and not clean[key]:
            raise ValidationFailed(_("This field is required."), field=key)
    if "sex" in clean and clean["sex"] not in Sex.values:
        raise ValidationFailed(_("Choose a valid sex."), field="sex")
    dob = clean.get("date_of_birth")
    if dob and dob > timezone.localdate():
        raise ValidationFailed(_("The date of birth is in the future."), field="date_of_birth")
    if dob and dob.year < 1900:
        raise ValidationFailed(
            _("The date of birth is too far in the past."), field="date_of_birth"
        )
    return clean


def estimated_birth_date(age: int) -> date:
    """1 July of the year a person of this age was born: the convention for estimated ages."""
    if age < 0 or age > 120:
        raise ValidationFailed(_("Enter an age between 0 and 120."), field="estimated_age")
    return date(timezone.localdate().year - age, 7, 1)


@transaction.atomic
def returnee_register(*, actor: Any, office: Office, **data: Any) -> Returnee:
    """Register a returnee at an office. Audits `person.registered` (values masked).

    Raises ValidationFailed on bad input.
    """
    clean = _clean_identity(data)
    for key in ("given_names", "family_name", "sex"):
        if not clean.get(key):
            raise ValidationFailed(_("This field is required."), field=key)
    person = Returnee(
        office=office, registered_by=actor if actor.is_authenticated else None, **clean
    )
    person.refresh_keys()
    person.save()
    record(
        actor=actor,
        action="person.registered",
        target=person,
        person_id=person.pk,
        changes=diff({}, clean, masked=set(clean)),
    )
    return person


@transaction.atomic
def returnee_update(*, actor: Any, person: Returnee, version: int, **data: Any) -> Returnee:
    """Change a returnee's identity fields. Audits `person.updated` with the changed field names.

    Raises StaleVersion if `version` is not the current one, ValidationFailed on bad input.
    """
    locked = Returnee.objects.select_for_update().get(pk=person.pk)
    if locked.version != version:
        raise StaleVersion(_("This record was changed by someone else. Reload and try again."))
    clean = _clean_identity(data)
    before = {k: getattr(locked, k) for k in clean}
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.refresh_keys()
    locked.version += 1
    locked.save()
    record(
        actor=actor,
        action="person.updated",
        target=locked,
        person_id=locked.pk,
        changes=diff(before, clean, masked=set(clean)),
    )
    return locked


@transaction.atomic
def household_member_add(
    *,
    actor: Any,
    person: Returnee,
    name: str,
    relationship: str,
    sex: str = "",
    date_of_birth: date | None = None,
    is_dependant: bool = False,
) -> HouseholdMember:
    """Add a household member. Audits `person.household_added`."""
    if not name.strip():
        raise ValidationFailed(_("This field is required."), field="name")
    if relationship not in Relationship.values:
        raise ValidationFailed(_("Choose a valid relationship."), field="relationship")
    member = HouseholdMember.objects.create(
        person=person,
        name=name.strip(),
        relationship=relationship,
        sex=sex,
        date_of_birth=date_of_birth,
        is_dependant=is_dependant,
    )
    record(
        actor=actor,
        action="person.household_added",
        target=member,
        person_id=person.pk,
        changes={"relationship": [None, relationship]},
    )
    return member


@transaction.atomic
def identity_document_add(
    *,
    actor: Any,
    person: Returnee,
    kind: str,
    number: str,
    issuing_country: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
) -> IdentityDocument:
    """Record an identity document. Audits `person.document_added` (number masked)."""
    if kind not in DocumentKind.values:
        raise ValidationFailed(_("Choose a valid document type."), field="kind")
    if not number.strip():
        raise ValidationFailed(_("This field is required."), field="number")
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationFailed(_("The expiry date is before the issue date."), field="expires_on")
    document = IdentityDocument.objects.create(
        person=person,
        kind=kind,
        number=number.strip(),
        issuing_country=issuing_country.strip().upper()[:2],
        issued_on=issued_on,
        expires_on=expires_on,
    )
    record(
        actor=actor,
        action="person.document_added",
        target=document,
        person_id=person.pk,
        changes={"kind": [None, kind], "number": ["•••", "•••"]},
    )
    return document


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Returnee,
    purpose: str,
    given_on: date,
    language: str,
    partner_name: str = "",
    notes: str = "",
) -> Consent:
    """Record a consent for one purpose. Audits `consent.recorded`. Raises ValidationFailed."""
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed(_("Choose a valid purpose."), field="purpose")
    if purpose == ConsentPurpose.PARTNER_SHARING and not partner_name.strip():
        raise ValidationFailed(
            _("Name the partner the data may be shared with."), field="partner_name"
        )
    if given_on > timezone.localdate():
        raise ValidationFailed(_("The consent date is in the future."), field="given_on")
    if not language.strip():
        raise ValidationFailed(_("Say in which language consent was given."), field="language")
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        given_on=given_on,
        language=language.strip(),
        partner_name=partner_name.strip(),
        notes=notes.strip(),
        obtained_by=actor if actor.is_authenticated else None,
    )
    record(
        actor=actor,
        action="consent.recorded",
        target=consent,
        person_id=person.pk,
        changes={"purpose": [None, purpose], "given_on": [None, given_on.isoformat()]},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Any, consent: Consent, reason: str = "", withdrawn_on: date | None = None
) -> Consent:
    """Withdraw a consent. Audits `consent.withdrawn`, then runs the withdrawal hooks (people.hooks)
    in the same transaction. Raises ValidationFailed if already done."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_on:
        raise ValidationFailed(_("This consent was already withdrawn."), code="already_withdrawn")
    locked.withdrawn_on = withdrawn_on or timezone.localdate()
    locked.withdrawn_by = actor if actor.is_authenticated else None
    locked.withdrawal_reason = reason.strip()
    locked.save()
    record(
        actor=actor,
        action="consent.withdrawn",
        target=locked,
        person_id=locked.person_id,
        changes={"withdrawn_on": [None, locked.withdrawn_on.isoformat()]},
    )
    withdrawal_hooks_run(actor=actor, consent=locked)
    return locked
