"""Writes to the service map. Each is audited in its transaction; an edit carries the version
it was made on (a stale one is refused and changes nothing)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.providers.choices import Category
from reintegra.providers.models import Provider, Service
from reintegra.providers.text import key

EDITABLE = (
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


def _keys(provider: Provider) -> None:
    provider.name_key = key(provider.name)
    places = [*(provider.catchment_regions or []), *(provider.catchment_communes or [])]
    provider.catchment_key = "|" + "|".join(key(p) for p in places) + "|" if places else ""


def _check(fields: dict[str, Any]) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise ValidationFailed(_("Give the provider's name."), field="name")
    start, end = fields.get("agreement_start"), fields.get("agreement_end")
    if start and end and end < start:
        raise ValidationFailed(_("The agreement ends before it starts."), field="agreement_end")
    for field in ("latitude", "longitude"):
        value = fields.get(field)
        limit = 90 if field == "latitude" else 180
        if value is not None and not -limit <= float(value) <= limit:
            raise ValidationFailed(_("This coordinate is out of range."), field=field)


@transaction.atomic
def provider_create(*, actor: Any, office: Office, **fields: Any) -> Provider:
    """Add a provider to the map, kept by `office`; verified today by its author."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not provider fields: {sorted(unknown)}")
    _check({"name": fields.get("name", ""), **fields})
    provider = Provider(office=office, **fields)
    provider.name = provider.name.strip()
    _keys(provider)
    provider.last_verified_on = timezone.localdate()
    provider.verified_by = actor
    provider.save()
    record(actor=actor, action="provider.created", target=provider)
    return provider


def _lock(provider: Provider, version: int | None) -> Provider:
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(
            _("This provider was changed by someone else: it is shown as it is now.")
        )
    return locked


@transaction.atomic
def provider_update(
    *, actor: Any, provider: Provider, version: int | None, **fields: Any
) -> Provider:
    """Change a provider's details. Audits `provider.updated` with what changed."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not provider fields: {sorted(unknown)}")
    _check(fields)
    locked = _lock(provider, version)
    before = {f: getattr(locked, f) for f in fields}
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _keys(locked)
    changes = diff(before, {f: getattr(locked, f) for f in fields})
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="provider.updated", target=locked, changes=changes)
    return locked


@transaction.atomic
def provider_verify(*, actor: Any, provider: Provider) -> Provider:
    """Record that the details were checked today (the provider is no longer stale)."""
    locked = _lock(provider, None)
    before = locked.last_verified_on
    locked.last_verified_on = timezone.localdate()
    locked.verified_by = actor
    locked.version += 1
    locked.save()
    record(
        actor=actor,
        action="provider.verified",
        target=locked,
        changes={
            "last_verified_on": [str(before) if before else None, str(locked.last_verified_on)]
        },
    )
    return locked


@transaction.atomic
def service_add(
    *, actor: Any, provider: Provider, category: str, name: str, **fields: Any
) -> Service:
    if category not in Category.values:
        raise ValidationFailed(_("Choose a category."), field="category")
    if not name.strip():
        raise ValidationFailed(_("Name the service."), field="name")
    service = Service.objects.create(
        provider=provider, category=category, name=name.strip(), **fields
    )
    Provider.objects.filter(pk=provider.pk).update(updated_at=timezone.now())
    record(
        actor=actor, action="service.added", target=service, changes={"category": [None, category]}
    )
    return service


@transaction.atomic
def service_withdraw(*, actor: Any, service: Service) -> Service:
    """The provider no longer offers this service (kept for the referrals that used it)."""
    if service.is_active:
        service.is_active = False
        service.version += 1
        service.save()
        record(actor=actor, action="service.withdrawn", target=service)
    return service
