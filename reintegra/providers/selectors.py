"""Reads of the service map (no personal data: the directory is the same for every viewer)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from reintegra.providers.models import Provider, Service, stale_before
from reintegra.providers.permissions import can_view_providers, keeping_offices
from reintegra.providers.text import key


@dataclass
class ProviderFilters:
    query: str = ""
    category: str = ""
    region: str = ""
    language: str = ""
    stale: bool = False


def provider_list(filters: ProviderFilters | None = None) -> QuerySet[Provider]:
    f = filters or ProviderFilters()
    services = Service.objects.filter(is_active=True)
    qs = Provider.objects.filter(is_active=True).select_related("office")
    if f.query.strip():
        text = key(f.query)
        qs = qs.filter(
            Q(name_key__contains=text)
            | Q(services__name__icontains=f.query.strip(), services__is_active=True)
        )
    if f.category:
        qs = qs.filter(services__category=f.category, services__is_active=True)
        services = services.filter(category=f.category)
    if f.region.strip():
        # Serves the region: it is in the catchment, or the catchment is open (empty).
        place = key(f.region)
        qs = qs.filter(Q(catchment_key__contains=f"|{place}|") | Q(catchment_key=""))
    if f.language.strip():
        qs = qs.filter(languages__icontains=f.language.strip())
    if f.stale:
        qs = qs.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=stale_before()))
    return (
        qs.distinct()
        .prefetch_related(Prefetch("services", queryset=services, to_attr="offered"))
        .order_by("name", "pk")
    )


def provider_get_for_user(user: Any, pk: Any) -> Provider:
    if not can_view_providers(user):
        raise Http404
    try:
        provider_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    provider = Provider.objects.select_related("office", "verified_by").filter(pk=provider_id)
    found = provider.first()
    if found is None:
        raise Http404
    return found


def stale_providers(user: Any, limit: int = 10) -> list[Provider]:
    """Stale providers the user keeps (their home page lists them)."""
    offices = keeping_offices(user)
    if not offices:
        return []
    stale = Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=stale_before())
    return list(
        Provider.objects.filter(stale, is_active=True, office_id__in=offices).order_by(
            "last_verified_on", "name"
        )[:limit]
    )
