"""API: returnees and their consents. Same selectors, services and predicates as the pages."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_validator

from reintegra.accounts.api import office_ref, user_ref
from reintegra.accounts.selectors import office_list
from reintegra.audit.services import record_access
from reintegra.core.api import ERRORS, MAX_ID, Id, PathId, Ref, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.people import services
from reintegra.people.choices import ConsentPurpose, Sex
from reintegra.people.models import Consent, Returnee
from reintegra.people.permissions import (
    can_edit_person,
    registering_office_ids,
    sees_full_identity,
)
from reintegra.people.selectors import (
    consent_get_for_user,
    consent_list,
    returnee_get_for_user,
    returnee_list_for_user,
)

router = Router(tags=["people"])

# Fields a partial-identity role (finance, communication) does not see.
FULL_IDENTITY_ONLY = (
    "date_of_birth",
    "is_birth_date_estimated",
    "nationality",
    "region",
    "department",
    "commune",
    "email",
    "address",
    "languages",
)


class PersonOut(Schema):
    id: int
    given_names: str
    family_name: str
    sex: str
    date_of_birth: date | None
    nationality: str | None
    phone: str
    region: str | None
    department: str | None
    commune: str | None
    office: Ref
    version: int


class PersonDetailOut(PersonOut):
    is_birth_date_estimated: bool | None
    phone_alt: str
    email: str | None
    address: str | None
    languages: str | None
    can_edit: bool


class PersonQuery(Schema):
    q: Text = Field("", max_length=200)
    office: Id | None = None
    page: int = 1


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


class IdentityFields(Schema):
    """Identity fields a client may send; lengths are the database's."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    given_names: Text = Field(max_length=120)
    family_name: Text = Field(max_length=120)
    sex: Sex
    date_of_birth: date | None = None
    is_birth_date_estimated: bool = False
    nationality: Text = Field("SN", max_length=2)
    phone: Text = Field("", max_length=32)
    phone_alt: Text = Field("", max_length=32)
    email: Text = Field("", max_length=254)
    region: Text = Field("", max_length=80)
    department: Text = Field("", max_length=80)
    commune: Text = Field("", max_length=80)
    address: Text = Field("", max_length=200)
    languages: Text = Field("", max_length=120)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("Enter a valid email address.") from None
        return value


class PersonIn(IdentityFields):
    office_id: Id
    estimated_age: int | None = Field(None, ge=0, le=120)


class PersonPatch(IdentityFields):
    """Only the fields sent are changed; `version` is the one the client read."""

    version: int = Field(ge=0, le=MAX_ID)
    given_names: Text = Field("", max_length=120)
    family_name: Text = Field("", max_length=120)
    sex: Sex = Sex.OTHER


class ConsentOut(Schema):
    id: int
    purpose: str
    partner_name: str
    legal_basis: str
    given_on: date
    language: str
    notes: str
    obtained_by: Ref | None
    withdrawn_on: date | None
    withdrawal_reason: str
    is_valid: bool


class ConsentPage(Schema):
    items: list[ConsentOut]
    count: int


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    purpose: ConsentPurpose
    given_on: date
    language: Text = Field(max_length=40)
    partner_name: Text = Field("", max_length=200)
    notes: Text = Field("", max_length=5000)


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=5000)


def person_out(person: Returnee, *, full: bool, detail: bool = False, user: Any = None) -> dict:
    data: dict[str, Any] = {
        "id": person.pk,
        "given_names": person.given_names,
        "family_name": person.family_name,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "nationality": person.nationality,
        "phone": person.phone,
        "region": person.region,
        "department": person.department,
        "commune": person.commune,
        "office": office_ref(person.office),
        "version": person.version,
    }
    if detail:
        data.update(
            is_birth_date_estimated=person.is_birth_date_estimated,
            phone_alt=person.phone_alt,
            email=person.email,
            address=person.address,
            languages=person.languages,
            can_edit=can_edit_person(user, person),
        )
    if not full:
        data.update({key: None for key in FULL_IDENTITY_ONLY if key in data})
    return data


def consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "purpose": consent.purpose,
        "partner_name": consent.partner_name,
        "legal_basis": consent.legal_basis,
        "given_on": consent.given_on,
        "language": consent.language,
        "notes": consent.notes,
        "obtained_by": user_ref(consent.obtained_by),
        "withdrawn_on": consent.withdrawn_on,
        "withdrawal_reason": consent.withdrawal_reason,
        "is_valid": consent.is_valid,
    }


def _editable_person(user: Any, person_id: int) -> Returnee:
    person = returnee_get_for_user(user, person_id)
    if not can_edit_person(user, person):
        raise NotAllowed(_("You may not change this person's record."))
    return person


@router.get("/people", response={200: PersonPage, **ERRORS})
def person_list(request: HttpRequest, params: Query[PersonQuery]) -> dict[str, Any]:
    """Search the returnees in the user's scope by name or phone."""
    people = returnee_list_for_user(request.user, query=params.q, office=params.office)
    result = paginate(people, params.page)
    full = sees_full_identity(request.user)
    return {"items": [person_out(p, full=full) for p in result.items], "count": result.count}


@router.post("/people", response={201: PersonDetailOut, **ERRORS})
def person_register(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    """Register a returnee at an office where the user may register people."""
    user = request.user
    office = None
    if payload.office_id in registering_office_ids(user):
        office = office_list().filter(pk=payload.office_id, is_active=True).first()
    if office is None:
        raise ValidationFailed(
            _("You may not register people at this office."),
            field="office_id",
            code="office_not_allowed",
        )
    fields = payload.model_dump(exclude={"office_id", "estimated_age"})
    if payload.estimated_age is not None:
        if payload.date_of_birth is not None:
            raise ValidationFailed(
                _("Give a date of birth or an estimated age, not both."), field="estimated_age"
            )
        fields["date_of_birth"] = services.estimated_birth_date(payload.estimated_age)
        fields["is_birth_date_estimated"] = True
    person = services.returnee_register(actor=user, office=office, **fields)
    return Status(201, person_out(person, full=True, detail=True, user=user))


@router.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def person_detail(request: HttpRequest, person_id: PathId) -> dict[str, Any]:
    """A returnee's identity record. The view is recorded (`person.viewed`)."""
    person = returnee_get_for_user(request.user, person_id)
    record_access(actor=request.user, action="person.viewed", target=person, person_id=person.pk)
    return person_out(person, full=sees_full_identity(request.user), detail=True, user=request.user)


@router.patch("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def person_update(request: HttpRequest, person_id: PathId, payload: PersonPatch) -> dict[str, Any]:
    """Change identity fields. A stale `version` answers 409 and changes nothing."""
    person = _editable_person(request.user, person_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"version"})
    person = services.returnee_update(
        actor=request.user, person=person, version=payload.version, **fields
    )
    return person_out(person, full=True, detail=True, user=request.user)


@router.get("/people/{person_id}/consents", response={200: ConsentPage, **ERRORS})
def consent_index(request: HttpRequest, person_id: PathId, page: int = 1) -> dict[str, Any]:
    """The person's consents, newest first (a view of the person's record)."""
    person = returnee_get_for_user(request.user, person_id)
    record_access(actor=request.user, action="person.viewed", target=person, person_id=person.pk)
    result = paginate(consent_list(person), page)
    return {"items": [consent_out(c) for c in result.items], "count": result.count}


@router.post("/people/{person_id}/consents", response={201: ConsentOut, **ERRORS})
def consent_create(
    request: HttpRequest, person_id: PathId, payload: ConsentIn
) -> Status[dict[str, Any]]:
    """Record a consent for one purpose."""
    person = _editable_person(request.user, person_id)
    consent = services.consent_record(actor=request.user, person=person, **payload.model_dump())
    return Status(201, consent_out(consent))


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, **ERRORS})
def consent_withdraw(
    request: HttpRequest, consent_id: PathId, payload: WithdrawIn
) -> dict[str, Any]:
    """Withdraw a consent of a person the user may edit."""
    consent = consent_get_for_user(request.user, consent_id)
    if not can_edit_person(request.user, consent.person):
        raise NotAllowed(_("You may not change this person's record."))
    consent = services.consent_withdraw(actor=request.user, consent=consent, reason=payload.reason)
    return consent_out(consent)
