"""Pages of the restricted sections of a case and of staff training records.

A case out of scope answers 404; a section whose tier the user does not know of answers 403;
at FLAG level the section page answers 200 with only the fact that the section exists.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, int_or_none
from reintegra.safeguarding import permissions, selectors, services
from reintegra.safeguarding.choices import SLUGS, Section
from reintegra.safeguarding.forms import EntryForm, SectionForm, TrainingFilterForm, TrainingForm
from reintegra.safeguarding.selectors import SectionView


def _forms(
    view: SectionView, data: Any = None, *, which: str = ""
) -> tuple[SectionForm | None, EntryForm | None]:
    if not view.can_write:
        return None, None
    section_form = SectionForm(
        data if which == "section" else None,
        section=view.section,
        screenings=view.screenings_qs if view.section == Section.PROTECTION else None,
        with_best_interest=view.has_minors or bool(view.content.get("best_interest")),
        initial={
            **view.content,
            "version": view.version,
            "screening_response": view.record.screening_response_id if view.record else None,
        },
    )
    entry_form = EntryForm(
        data if which == "entry" else None,
        section=view.section,
        referrals=view.referrals_qs if view.section == Section.MEDICAL else None,
    )
    return section_form, entry_form


def _render(
    request: HttpRequest,
    view: SectionView,
    section_form: SectionForm | None,
    entry_form: EntryForm | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "view": view,
        "case": view.case,
        "access": view.access,
        "slug": SLUGS[view.section],
        "section_label": Section(view.section).label,
        "section_form": section_form,
        "entry_form": entry_form,
    }
    return render(request, "safeguarding/section.html", context, status=status)


@login_required
@require_GET
def section_page(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    view = selectors.section_get_for_user(request.user, pk, section)
    section_form, entry_form = _forms(view)
    return _render(request, view, section_form, entry_form)


def _writable(request: HttpRequest, pk: int, section: str) -> SectionView:
    view = selectors.section_get_for_user(request.user, pk, section)
    if not view.can_write:
        raise NotAllowed(_("Your role does not write this section of the case."))
    return view


@login_required
@require_POST
def section_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    view = _writable(request, pk, section)
    section_form, entry_form = _forms(view, request.POST, which="section")
    assert section_form is not None
    status = 422
    if section_form.is_valid():
        try:
            services.section_update(
                actor=request.user,
                case=view.case,
                section=section,
                version=section_form.cleaned_data["version"],
                values=section_form.values(),
                screening_response=section_form.cleaned_data.get("screening_response"),
            )
        except StaleVersion as err:
            messages.error(request, err.message)
            status = 409
        except ServiceError as err:
            add_service_error(section_form, err)
        else:
            messages.success(request, _("Section saved."))
            return redirect(f"safeguarding:{SLUGS[section]}", pk=view.case.pk)
    return _render(request, view, section_form, entry_form, status=status)


@login_required
@require_POST
def entry_add(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    view = _writable(request, pk, section)
    section_form, entry_form = _forms(view, request.POST, which="entry")
    assert entry_form is not None
    if entry_form.is_valid():
        data = entry_form.cleaned_data
        try:
            services.section_entry_add(
                actor=request.user,
                case=view.case,
                section=section,
                kind=data["kind"],
                body=data["body"],
                written_on=data["written_on"],
                next_steps=data.get("next_steps") or "",
                session_type=data.get("session_type") or "",
                duration_minutes=data.get("duration_minutes"),
                referral=data.get("referral"),
            )
        except ServiceError as err:
            add_service_error(entry_form, err)
        else:
            messages.success(request, _("Entry added."))
            return redirect(f"safeguarding:{SLUGS[section]}", pk=view.case.pk)
    return _render(request, view, section_form, entry_form, status=422)


# --- training records ---------------------------------------------------------------------------


def _scope_offices(request: HttpRequest) -> Any:
    ids = principal(request.user).offices(Role.COORDINATOR)
    return Office.objects.filter(pk__in=sorted(ids)).order_by("path")


@login_required
@require_GET
def training_index(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_sections(request.user):
        raise NotAllowed(_("Your role has no training records."))
    form = TrainingFilterForm(request.GET or None, offices=_scope_offices(request))
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    office = data.get("office")
    filters = selectors.TrainingFilters(
        training=data.get("training") or "",
        office=office.pk if office else None,
        person=int_or_none(request.GET.get("person")),
        query=data.get("q") or "",
    )
    records = selectors.training_list_for_user(request.user, filters)
    page = paginate(records, request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_record": permissions.can_record_training(request.user),
    }
    return render(request, "safeguarding/training_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_record_training(request.user):
        raise NotAllowed(_("Coordinators record training."))
    people = selectors.trainable_people(request.user)
    form = TrainingForm(request.POST or None, request.FILES or None, people=people)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.training_record_add(
                    actor=request.user,
                    person=data["person"],
                    training=data["training"],
                    title=data.get("title") or "",
                    completed_on=data["completed_on"],
                    trainer=data["trainer"],
                    certificate=data.get("certificate"),
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Training recorded."))
                return redirect("safeguarding:training")
    return render(request, "safeguarding/training_form.html", {"form": form}, status=status)


@login_required
@require_GET
def training_certificate(request: HttpRequest, pk: int) -> FileResponse:
    training = selectors.training_get_for_user(request.user, pk)
    path = services.certificate_path(training)
    if not training.has_certificate or not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),  # noqa: SIM115
        as_attachment=True,
        filename=training.certificate_original_name,
        content_type=training.certificate_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
