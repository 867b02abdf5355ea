"""API: the service map. Same selectors, services and predicates as the pages."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.accounts.selectors import office_list
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.providers import services
from reintegra.providers.choices import Agreement, Category, ProviderKind
from reintegra.providers.models import Provider
from reintegra.providers.permissions import (
    can_add_provider,
    can_edit_provider,
    can_view_providers,
    keeping_offices,
)
from reintegra.providers.selectors import ProviderFilters, provider_get_for_user, provider_list

router = Router(tags=["providers"])


class ServiceOut(Schema):
    id: int
    category: str
    name: str
    eligibility: str
    for_sex: str
    min_age: int | None
    max_age: int | None
    fees: str


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    office: int
    region: str
    commune: str
    catchment_regions: list[str]
    catchment_communes: list[str]
    languages: str
    phone: str
    email: str
    contact_person: str
    opening_hours: str
    agreement: str
    response_days: int
    last_verified_on: date | None
    stale: bool
    services: list[ServiceOut]
    version: int


class ProviderPage(Schema):
    items: list[ProviderOut]
    count: int


class ProviderQuery(Schema):
    q: Text = Field("", max_length=100)
    category: Text = Field("", max_length=32)
    region: Text = Field("", max_length=100)
    language: Text = Field("", max_length=50)
    stale: bool = False
    page: int = 1


class ProviderFields(Schema):
    name: Text | None = Field(None, max_length=200)
    kind: Text | None = Field(None, max_length=16)
    description: Text | None = Field(None, max_length=5000)
    address: Text | None = Field(None, max_length=255)
    region: Text | None = Field(None, max_length=100)
    commune: Text | None = Field(None, max_length=100)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    catchment_regions: list[Text] | None = None
    catchment_communes: list[Text] | None = None
    phone: Text | None = Field(None, max_length=40)
    email: Text | None = Field(None, max_length=254)
    contact_person: Text | None = Field(None, max_length=150)
    opening_hours: Text | None = Field(None, max_length=200)
    languages: Text | None = Field(None, max_length=200)
    agreement: Text | None = Field(None, max_length=8)
    first_contact: Text | None = Field(None, max_length=5000)
    response_days: int | None = Field(None, ge=0, le=365)


class ProviderIn(ProviderFields):
    name: Text = Field(..., max_length=200)  # type: ignore[assignment]
    kind: Text = Field(..., max_length=16)  # type: ignore[assignment]
    office_id: Id


class ProviderPatch(ProviderFields):
    version: int


def provider_out(p: Provider) -> dict[str, Any]:
    offered = getattr(p, "offered", None)
    if offered is None:
        offered = list(p.services.filter(is_active=True))
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "office": p.office_id,
        "region": p.region,
        "commune": p.commune,
        "catchment_regions": list(p.catchment_regions or []),
        "catchment_communes": list(p.catchment_communes or []),
        "languages": p.languages,
        "phone": p.phone,
        "email": p.email,
        "contact_person": p.contact_person,
        "opening_hours": p.opening_hours,
        "agreement": p.agreement,
        "response_days": p.response_days,
        "last_verified_on": p.last_verified_on,
        "stale": p.is_stale,
        "services": [
            {
                "id": s.pk,
                "category": s.category,
                "name": s.name,
                "eligibility": s.eligibility,
                "for_sex": s.for_sex,
                "min_age": s.min_age,
                "max_age": s.max_age,
                "fees": s.fees,
            }
            for s in offered
        ],
        "version": p.version,
    }


NULLABLE = ("latitude", "longitude")


def _fields(payload: ProviderFields) -> dict[str, Any]:
    """The fields the client sent (a text sent as null is cleared; lists and numbers sent as
    null are left as they are)."""
    data = payload.dict(exclude_unset=True, exclude={"version", "office_id"})
    if "kind" in data and data["kind"] not in ProviderKind.values:
        raise ValidationFailed(_("Unknown kind of provider."), field="kind")
    if "agreement" in data and data["agreement"] not in Agreement.values:
        raise ValidationFailed(_("Unknown agreement."), field="agreement")
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value is None and name not in NULLABLE:
            if name in (
                "catchment_regions",
                "catchment_communes",
                "response_days",
            ):
                continue
            value = ""
        out[name] = value
    return out


@router.get("/providers", response={200: ProviderPage, **ERRORS})
def provider_index(request: HttpRequest, params: Query[ProviderQuery]) -> dict[str, Any]:
    """The service map: search (name, service), category, region served, language, stale."""
    if not can_view_providers(request.user):
        raise NotAllowed(_("Your role does not use the service map."))
    if params.category and params.category not in Category.values:
        raise ValidationFailed(_("Unknown category."), field="category")
    filters = ProviderFilters(
        query=params.q,
        category=params.category,
        region=params.region,
        language=params.language,
        stale=params.stale,
    )
    result = paginate(provider_list(filters), params.page)
    return {"items": [provider_out(p) for p in result.items], "count": result.count}


@router.post("/providers", response={201: ProviderOut, **ERRORS})
def provider_create(request: HttpRequest, payload: ProviderIn) -> Status[dict[str, Any]]:
    """Add a provider, kept by an office where the user keeps the service map."""
    user = request.user
    if not can_add_provider(user):
        raise NotAllowed(_("Social-work case managers and coordinators keep the service map."))
    office = office_list().filter(pk=payload.office_id).first()
    if office is None or office.pk not in keeping_offices(user, health=True):
        raise ValidationFailed(
            _("Choose an office where you keep the service map."), field="office_id"
        )
    provider = services.provider_create(actor=user, office=office, **_fields(payload))
    return Status(201, provider_out(provider))


@router.get("/providers/{provider_id}", response={200: ProviderOut, **ERRORS})
def provider_detail(request: HttpRequest, provider_id: PathId) -> dict[str, Any]:
    return provider_out(provider_get_for_user(request.user, provider_id))


@router.patch("/providers/{provider_id}", response={200: ProviderOut, **ERRORS})
def provider_update(
    request: HttpRequest, provider_id: PathId, payload: ProviderPatch
) -> dict[str, Any]:
    """Change a provider's details. A stale `version` answers 409 and changes nothing."""
    provider = provider_get_for_user(request.user, provider_id)
    if not can_edit_provider(request.user, provider):
        raise NotAllowed(_("The office that keeps this provider edits it."))
    if payload.version != provider.version:
        raise StaleVersion(
            _("This provider was changed by someone else: it is shown as it is now.")
        )
    updated = services.provider_update(
        actor=request.user, provider=provider, version=payload.version, **_fields(payload)
    )
    return provider_out(updated)
