"""Writes to the service map. Each is audited in its transaction; an edit carries the version
it was made on (a stale one is refused and changes nothing)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.providers import directory
from reintegra.providers.choices import Category, ServedSex
from reintegra.providers.models import PROVIDER_FIELDS, Provider, Service
from reintegra.providers.text import key


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
    unknown = set(fields) - set(PROVIDER_FIELDS)
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
    unknown = set(fields) - set(PROVIDER_FIELDS)
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


def _service_eligibility(row: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The spreadsheet's open_to (F, M or empty), min_age and max_age of a service."""
    sex = row.get("open_to", "").strip().upper()
    if sex not in ("", *ServedSex.values):
        problems.append(_("open_to “%(value)s” is not F, M or empty") % {"value": sex})
    ages: dict[str, int | None] = {}
    for column in ("min_age", "max_age"):
        text = row.get(column, "").strip()
        if text and not (text.isdigit() and int(text) <= 120):
            problems.append(
                _("%(column)s “%(value)s” is not an age") % {"column": column, "value": text}
            )
        ages[column] = int(text) if text.isdigit() else None
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        problems.append(_("max_age is below min_age"))
    return {"for_sex": sex, **ages}


def _cell_value(name: str, text: str, problems: list[str]) -> Any:
    """One spreadsheet cell as the value of the provider field `name`, by the field's type."""
    field = Provider._meta.get_field(name)
    assert isinstance(field, models.Field)  # provider fields are plain columns
    if isinstance(field, models.JSONField):  # a list of places, separated by ";"
        return [part.strip() for part in text.split(";") if part.strip()]
    if field.choices:
        value = (text or (str(field.default) if field.has_default() else "")).upper()
        allowed = [str(choice) for choice, _label in field.choices]
        if value not in allowed:
            problems.append(
                _("%(column)s “%(value)s” is not one of %(allowed)s")
                % {"column": name, "value": value, "allowed": ", ".join(allowed)}
            )
        return value
    if not text:
        return (
            None if field.null or not isinstance(field, models.CharField | models.TextField) else ""
        )
    try:
        if isinstance(field, models.DateField):
            return date.fromisoformat(text)
        if isinstance(field, models.DecimalField):
            return Decimal(text)
        if isinstance(field, models.PositiveSmallIntegerField):
            days = int(text)
            if not 0 <= days <= MAX_RESPONSE_DAYS:
                raise ValueError
            return days
    except (ValueError, InvalidOperation):
        problems.append(
            _("%(column)s “%(value)s” is not a valid value") % {"column": name, "value": text}
        )
        return None
    return text


def _row_fields(row: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The provider fields of one spreadsheet row; what cannot be read goes to `problems`."""
    fields: dict[str, Any] = {"name": row.get("provider", "").strip()}
    if not fields["name"]:
        problems.append(_("no provider name"))
    for name in PROVIDER_FIELDS[1:]:
        fields[name] = _cell_value(name, row.get(name, "").strip(), problems)
    return fields


MAX_RESPONSE_DAYS = 365


def directory_import(
    *, actor: Any, data: bytes, filename: str, offices: dict[str, Office]
) -> dict[str, int]:
    """Load a directory spreadsheet (CSV or XLSX, the export's columns): providers are found
    by office and name and updated, or created; services not listed yet are added. Every row
    is checked first; if any is bad, nothing changes and each bad row is named. `offices` are
    the offices (by code) where the actor keeps the map."""
    try:
        rows = directory.read(data, filename)
    except directory.DirectoryError as err:
        raise ValidationFailed(
            _("The file cannot be read as a directory (%(reason)s).") % {"reason": err},
            field="file",
        ) from err
    errors: list[dict[str, Any]] = []
    plan: dict[tuple[int, str], dict[str, Any]] = {}
    for number, row in rows:
        problems: list[str] = []
        fields = _row_fields(row, problems)
        office = offices.get(row.get("office", "").strip().upper())
        if office is None:
            problems.append(
                _("office “%(code)s” is not one where you keep the service map")
                % {"code": row.get("office", "")}
            )
        category = row.get("service_category", "").strip().upper()
        service = row.get("service", "").strip()
        if (category or service) and category not in Category.values:
            problems.append(_("service category “%(value)s” is unknown") % {"value": category})
        if category and not service:
            problems.append(_("the service has no name"))
        eligible = _service_eligibility(row, problems)
        if problems:
            errors.append(
                {
                    "loc": ["file", number],
                    "msg": _("row %(row)s: %(problems)s")
                    % {"row": number, "problems": "; ".join(problems)},
                }
            )
            continue
        assert office is not None
        entry = plan.setdefault(
            (office.pk, key(fields["name"])), {"office": office, "fields": fields, "services": []}
        )
        if service:
            entry["services"].append(
                {
                    "category": category,
                    "name": service,
                    "eligibility": row.get("eligibility", ""),
                    "fees": row.get("fees", ""),
                    **eligible,
                }
            )
    if errors:
        raise ValidationFailed(
            _("%(count)d row(s) cannot be loaded; nothing was changed.") % {"count": len(errors)},
            field="file",
            code="invalid_rows",
            errors=errors,
        )
    counts = {"created": 0, "updated": 0, "services": 0}
    with transaction.atomic():
        for (office_id, name_key), entry in plan.items():
            fields = {
                k: v
                for k, v in entry["fields"].items()
                if v is not None
                or k in ("latitude", "longitude", "agreement_start", "agreement_end")
            }
            existing = Provider.objects.filter(office_id=office_id, name_key=name_key).first()
            if existing is None:
                provider = provider_create(actor=actor, office=entry["office"], **fields)
                counts["created"] += 1
            else:
                provider = provider_update(actor=actor, provider=existing, version=None, **fields)
                counts["updated"] += 1
            listed = {
                (s.category, s.name.casefold()) for s in provider.services.filter(is_active=True)
            }
            for offered in entry["services"]:
                marker = (offered["category"], offered["name"].casefold())
                if marker in listed:
                    continue
                service_add(actor=actor, provider=provider, **offered)
                listed.add(marker)
                counts["services"] += 1
    return counts
