"""Pages for instruments (the library, uploads, versions) and responses (fill in, read).

Thin views: parse, call a selector or a service, render. The web form is rendered from the
stored form definition; as the user answers, htmx posts the fields to `refresh`, which
re-evaluates skip logic, calculations and choice filters and returns the form again. The
server validates everything again on submit.
"""

import io
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.audit.services import record_access
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.protected import prepared_download, protected_download
from reintegra.core.views import add_service_error, int_or_none, is_htmx
from reintegra.instruments import engine, exports, imports, rendering, services
from reintegra.instruments.forms import ImportForm, StartForm, UploadForm
from reintegra.instruments.permissions import (
    can_edit_response,
    can_export,
    can_fill,
    can_manage_instruments,
    can_view_instruments,
    must_pseudonymise,
)
from reintegra.instruments.selectors import (
    baseline_sustainability,
    case_instrument_list,
    case_responses,
    export_rows,
    import_get_for_user,
    instrument_get_for_user,
    instrument_list,
    instrument_version_get,
    response_get_for_user,
)


def _language(spec: Any) -> str:
    language = (get_language() or "en")[:2]
    return language if language in spec.languages else spec.default_language


# --- the library ----------------------------------------------------------------------------


@login_required
@require_GET
def instrument_index(request: HttpRequest) -> HttpResponse:
    if not can_view_instruments(request.user):
        raise NotAllowed(_("Your role does not use the instruments."))
    context = {
        "instruments": instrument_list(active_only=False),
        "upload_form": UploadForm() if can_manage_instruments(request.user) else None,
    }
    return render(request, "instruments/list.html", context)


@login_required
@require_POST
def instrument_upload(request: HttpRequest) -> HttpResponse:
    if not can_manage_instruments(request.user):
        raise NotAllowed(_("Only M&E specialists and coordinators upload instruments."))
    form = UploadForm(request.POST, request.FILES)
    issues: list[dict[str, Any]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.instrument_upload(
                actor=request.user,
                data=upload.read(),
                filename=upload.name or "form.xlsx",
                kind=form.cleaned_data["kind"],
            )
        except ServiceError as err:
            add_service_error(form, err)
            issues = err.errors or []
        else:
            messages.success(
                request,
                _("%(name)s: version %(number)d stored.")
                % {"name": version.instrument.display_name, "number": version.number},
            )
            return redirect("instruments:detail", pk=version.instrument_id)
    context = {
        "instruments": instrument_list(active_only=False),
        "upload_form": form,
        "issues": issues,
    }
    return render(request, "instruments/list.html", context, status=422)


@login_required
@require_GET
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = instrument_get_for_user(request.user, pk)
    spec = instrument.current.form if instrument.current else None
    language = _language(spec) if spec else "en"
    context = {
        "instrument": instrument,
        "name": instrument.display_name,
        "versions": instrument.versions.select_related("uploaded_by"),
        "outline": rendering.outline(spec, language) if spec else [],
        "dimensions": rendering.dimensions(spec, language) if spec else [],
        "upload_form": UploadForm() if can_manage_instruments(request.user) else None,
        "can_export": can_export(request.user),
        "pseudonymised": must_pseudonymise(request.user),
    }
    return render(request, "instruments/detail.html", context)


@login_required
@require_GET
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    instrument = instrument_get_for_user(request.user, pk)
    version = instrument_version_get(instrument, number)
    response = HttpResponse(
        bytes(version.xlsform),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{instrument.code}-v{version.number}.xlsx"'
    )
    return response


# --- on a case --------------------------------------------------------------------------------


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's "Assessments and surveys" card (loaded by htmx)."""
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    startable = [i for i in case_instrument_list() if can_fill(access, i.tier)]
    context = {
        "case": case,
        "rows": case_responses(access),
        "baseline": baseline_sustainability(access),
        "start_form": StartForm(
            instruments=case_instrument_list().filter(pk__in=[i.pk for i in startable])
        )
        if startable
        else None,
    }
    if not is_htmx(request):
        return render(request, "instruments/case_responses.html", context)
    return render(request, "instruments/_case_panel.html", context)


@login_required
@require_POST
def response_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    form = StartForm(request.POST, instruments=case_instrument_list())
    if not form.is_valid():
        messages.error(request, _("Choose an instrument."))
        return redirect("cases:detail", pk=case.pk)
    instrument = form.cleaned_data["instrument"]
    if not can_fill(access, instrument.tier):
        raise NotAllowed(_("You may not fill in this instrument on this case."))
    response = services.response_start(actor=request.user, case=case, instrument=instrument)
    return redirect("instruments:response", pk=response.pk)


# --- a response -------------------------------------------------------------------------------


def _render_response(
    request: HttpRequest,
    response: Any,
    access: Any,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    fragment: bool = False,
) -> HttpResponse:
    spec = response.instrument_version.form
    language = _language(spec)
    editable = can_edit_response(access, response)
    answers = response.answers if answers is None else answers
    context = {
        "response": response,
        "case": response.case,
        "name": response.instrument.display_name,
        "editable": editable,
        "items": rendering.items(spec, answers, language, errors or {}, editable=editable),
        "scores": rendering.scores(spec, response.scores, language)
        if not response.is_draft
        else None,
        "errors": errors or {},
        "language": language,
    }
    template = "instruments/_response_form.html" if fragment else "instruments/response.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response, access = response_get_for_user(request.user, pk, log_view=request.method == "GET")
    if request.method == "GET":
        return _render_response(request, response, access)
    if not can_edit_response(access, response):
        raise NotAllowed(_("This response cannot be changed."))
    spec = response.instrument_version.form
    answers, errors = engine.coerce(spec, request.POST, _language(spec))
    version = int_or_none(request.POST.get("version")) or 0
    submit = request.POST.get("action") == "submit"
    try:
        if submit and not errors:
            services.response_submit(
                actor=request.user, response=response, answers=answers, version=version
            )
            messages.success(request, _("Submitted."))
            return redirect("cases:detail", pk=response.case_id)
        services.response_save(
            actor=request.user, response=response, answers=answers, version=version
        )
    except StaleVersion as err:
        messages.error(request, err.message)
        fresh, fresh_access = response_get_for_user(request.user, pk, log_view=False)
        return _render_response(request, fresh, fresh_access, status=409)
    except ServiceError as err:
        found = {str(e["loc"][-1]): str(e["msg"]) for e in (err.errors or []) if e.get("loc")}
        if not found:
            messages.error(request, err.message)
        return _render_response(
            request, response, access, answers, {**errors, **found}, status=err.status
        )
    if submit:
        # Type errors: the draft keeps what could be read, the page shows what could not.
        return _render_response(request, response, access, answers, errors, status=422)
    messages.success(request, _("Draft saved."))
    return redirect("instruments:response", pk=response.pk)


@login_required
@require_POST
def response_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """The form again for the answers typed so far (not saved): skip logic, calculations and
    choice filters follow the answers."""
    response, access = response_get_for_user(request.user, pk, log_view=False)
    if not can_edit_response(access, response):
        raise NotAllowed(_("This response cannot be changed."))
    spec = response.instrument_version.form
    answers, errors = engine.coerce(spec, request.POST, _language(spec))
    answers = rendering.apply_repeat_action(spec, answers, request.POST.get("repeat_action", ""))
    return _render_response(request, response, access, answers, errors, fragment=is_htmx(request))


@login_required
@require_POST
def response_discard(request: HttpRequest, pk: int) -> HttpResponse:
    response, access = response_get_for_user(request.user, pk, log_view=False)
    if not can_edit_response(access, response):
        raise NotAllowed(_("This response cannot be changed."))
    version = int_or_none(request.POST.get("version")) or 0
    try:
        services.response_discard(actor=request.user, response=response, version=version)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("instruments:response", pk=response.pk)
    messages.success(request, _("Draft discarded."))
    return redirect("cases:detail", pk=response.case_id)


# --- exports ----------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def instrument_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """Responses and scores as CSV, HXL-tagged CSV or XLSX, streamed. Pseudonymised for the
    M&E specialist (and for a coordinator who asks)."""
    if not can_export(request.user):
        raise NotAllowed(_("Only M&E specialists and coordinators export responses."))
    instrument = instrument_get_for_user(request.user, pk)
    if instrument.current is None or fmt not in ("csv", "hxl", "xlsx"):
        raise Http404
    spec = instrument.current.form
    pseudonymise = must_pseudonymise(request.user) or request.GET.get("pseudonymise") == "1"
    secret = settings.PSEUDONYM_SECRET
    name = f"{instrument.code}-{timezone.localdate().isoformat()}"
    suffix = "-hxl" if fmt == "hxl" else ""
    filename = f"{name}.xlsx" if fmt == "xlsx" else f"{name}{suffix}.csv"
    if not pseudonymise:
        # With names: the file leaves as a password-protected ZIP (its link comes back here).
        ready = prepared_download(request, filename)
        if ready is not None:
            return ready
    rows = export_rows(request.user, instrument)
    # An export is a read of many records: the access trail says who took which, and how.
    action = "responses.exported_pseudonymised" if pseudonymise else "responses.exported"
    record_access(actor=request.user, action=action, target=instrument)
    if not pseudonymise:
        return protected_download(
            request,
            filename,
            _export_bytes(spec, rows, fmt, secret),
            title=_("Export the responses"),
        )
    if fmt == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        exports.write_xlsx(
            spec, rows, path_or_file=handle, pseudonymise=pseudonymise, secret=secret
        )
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE
        )
    chunks = exports.write_csv(
        spec, rows, hxl=fmt == "hxl", pseudonymise=pseudonymise, secret=secret
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_bytes(spec: Any, rows: Any, fmt: str, secret: str) -> bytes:
    """The export with names, whole (it goes into a password-protected ZIP)."""
    if fmt == "xlsx":
        buffer = io.BytesIO()
        exports.write_xlsx(spec, rows, path_or_file=buffer, pseudonymise=False, secret=secret)
        return buffer.getvalue()
    chunks = exports.write_csv(spec, rows, hxl=fmt == "hxl", pseudonymise=False, secret=secret)
    return "".join(chunks).encode()


# --- imports ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def instrument_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a KoBo / ODK export of this instrument's responses."""
    if not can_manage_instruments(request.user):
        raise NotAllowed(_("Only M&E specialists and coordinators import data."))
    instrument = instrument_get_for_user(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_start(
                    actor=request.user,
                    instrument=instrument,
                    data=upload.read(),
                    filename=upload.name or "export.csv",
                    valid_only=form.cleaned_data["valid_only"],
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                return redirect("instruments:import_job", pk=job.pk)
    context = {"instrument": instrument, "form": form}
    return render(request, "instruments/import.html", context, status=status)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress (the page polls while it runs) and its report."""
    job = import_get_for_user(request.user, pk)
    template = "instruments/_import_job.html" if is_htmx(request) else "instruments/import_job.html"
    return render(request, template, {"job": job, "instrument": job.instrument})


@login_required
@require_POST
def import_valid_rows(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_get_for_user(request.user, pk)
    try:
        again = imports.import_valid_rows(actor=request.user, job=job)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("instruments:import_job", pk=job.pk)
    return redirect("instruments:import_job", pk=again.pk)
