"""Pages of the service map: the directory, a provider, adding and keeping providers."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.accounts.models import Office
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, int_or_none
from reintegra.providers import directory, services
from reintegra.providers.forms import DirectoryImportForm, FilterForm, ProviderForm, ServiceForm
from reintegra.providers.permissions import (
    can_add_provider,
    can_edit_provider,
    can_view_providers,
    keeping_offices,
)
from reintegra.providers.selectors import ProviderFilters, provider_get_for_user, provider_list


def _filters(request: HttpRequest, form: FilterForm | None = None) -> ProviderFilters:
    form = form or FilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return ProviderFilters(
        query=data.get("q") or "",
        category=data.get("category") or "",
        region=data.get("region") or "",
        language=data.get("language") or "",
        stale=bool(data.get("stale")),
    )


@login_required
@require_GET
def provider_index(request: HttpRequest) -> HttpResponse:
    if not can_view_providers(request.user):
        raise NotAllowed(_("Your role does not use the service map."))
    form = FilterForm(request.GET or None)
    page = paginate(provider_list(_filters(request, form)), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_add": can_add_provider(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "providers/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    if not can_add_provider(request.user):
        raise NotAllowed(_("Social-work case managers and coordinators keep the service map."))
    offices = Office.objects.filter(
        pk__in=keeping_offices(request.user, health=True), is_active=True
    ).order_by("path")
    form = ProviderForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(
                actor=request.user, office=form.cleaned_data["office"], **form.values()
            )
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Provider added."))
            return redirect("providers:detail", pk=provider.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "providers/form.html", {"form": form}, status=status)


@login_required
@require_GET
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = provider_get_for_user(request.user, pk)
    editable = can_edit_provider(request.user, provider)
    context = {
        "provider": provider,
        "services": provider.services.filter(is_active=True),
        "editable": editable,
        "service_form": ServiceForm() if editable else None,
    }
    return render(request, "providers/detail.html", context)


def _editable(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    provider = provider_get_for_user(request.user, pk)
    if not can_edit_provider(request.user, provider):
        raise NotAllowed(_("The office that keeps this provider edits it."))
    return provider


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _editable(request, pk)
    form = ProviderForm(
        request.POST or None, instance=provider, initial={"version": provider.version}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.provider_update(
                    actor=request.user,
                    provider=provider,
                    version=form.cleaned_data.get("version"),
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                provider.refresh_from_db()
                form = ProviderForm(instance=provider, initial={"version": provider.version})
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Provider updated."))
                return redirect("providers:detail", pk=provider.pk)
    context = {"form": form, "provider": provider}
    return render(request, "providers/form.html", context, status=status)


@login_required
@require_POST
def provider_verify(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _editable(request, pk)
    services.provider_verify(actor=request.user, provider=provider)
    messages.success(request, _("Marked as verified today."))
    return redirect("providers:detail", pk=provider.pk)


@login_required
@require_POST
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _editable(request, pk)
    form = ServiceForm(request.POST)
    if form.is_valid():
        try:
            services.service_add(actor=request.user, provider=provider, **form.cleaned_data)
        except ServiceError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Service added."))
    else:
        messages.error(
            request, " ".join(str(error) for errors in form.errors.values() for error in errors)
        )
    return redirect("providers:detail", pk=provider.pk)


@login_required
@require_POST
def service_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _editable(request, pk)
    service = provider.services.filter(pk=int_or_none(request.POST.get("service"))).first()
    if service is None:
        raise Http404
    services.service_withdraw(actor=request.user, service=service)
    messages.success(request, _("Service withdrawn."))
    return redirect("providers:detail", pk=provider.pk)


# --- the directory as a spreadsheet -----------------------------------------------------------


@login_required
@require_GET
def directory_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The directory (as filtered) as CSV or XLSX: the columns the import reads back."""
    if not can_view_providers(request.user):
        raise NotAllowed(_("Your role does not use the service map."))
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = directory.rows_of(provider_list(_filters(request)).select_related("office"))
    name = f"reintegra-service-map-{timezone.localdate().isoformat()}"
    if fmt == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        directory.write_xlsx(rows, handle)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx")
    response = StreamingHttpResponse(
        directory.write_csv(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def directory_import(request: HttpRequest) -> HttpResponse:
    """Load a directory spreadsheet: every row checked, nothing changed while one is bad."""
    if not can_add_provider(request.user):
        raise NotAllowed(_("Social-work case managers and coordinators keep the service map."))
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            offices = {
                o.code: o
                for o in Office.objects.filter(pk__in=keeping_offices(request.user, health=True))
            }
            try:
                counts = services.directory_import(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name or "directory.csv",
                    offices=offices,
                )
            except ServiceError as err:
                add_service_error(form, err)
                problems = [str(e["msg"]) for e in (err.errors or [])]
            else:
                messages.success(
                    request,
                    _(
                        "%(created)d provider(s) added, %(updated)d updated, "
                        "%(services)d service(s) added."
                    )
                    % counts,
                )
                return redirect("providers:list")
    context = {"form": form, "problems": problems}
    return render(request, "providers/import.html", context, status=status)


@login_required
@require_GET
def provider_map(request: HttpRequest) -> HttpResponse:
    """The directory (as filtered) on a map; providers without coordinates are counted."""
    if not can_view_providers(request.user):
        raise NotAllowed(_("Your role does not use the service map."))
    providers = list(provider_list(_filters(request)))
    located = [p for p in providers if p.latitude is not None and p.longitude is not None]
    markers = [
        {
            "name": p.name,
            "url": reverse("providers:detail", args=[p.pk]),
            "lat": float(p.latitude or 0),
            "lng": float(p.longitude or 0),
            "categories": ", ".join(
                str(s.get_category_display()) for s in getattr(p, "offered", [])
            ),
        }
        for p in located
    ]
    context = {
        "located": located,
        "unlocated": len(providers) - len(located),
        "markers": markers,
        "tiles": settings.REINTEGRA_MAP_TILES,
        "attribution": settings.REINTEGRA_MAP_ATTRIBUTION,
    }
    return render(request, "providers/map.html", context)
