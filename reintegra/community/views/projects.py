"""Pages of community profiles and community-based projects. Thin: a selector finds the
record (404 out of reach), a predicate says what the page offers, a service makes each write
(NotAllowed answers 403)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.community.choices.projects import TRANSITIONS
from reintegra.community.forms.projects import (
    ActivityDoneForm,
    ActivityForm,
    ChecklistForm,
    IndicatorForm,
    MeasurementForm,
    MembersForm,
    ProfileForm,
    ProfileHeaderForm,
    ProjectFilterForm,
    ProjectForm,
    ReportForm,
    ReturneeParticipantForm,
    TransitionForm,
)
from reintegra.community.models.projects import CommunityProject
from reintegra.community.permissions.projects import (
    can_add_participant,
    can_create_profile,
    can_create_project,
    can_edit_profile,
    can_edit_project,
    can_record_progress,
    can_view_projects,
    keeping_offices,
)
from reintegra.community.selectors.projects import (
    ProjectFilters,
    budget_line_choices,
    caseload_for_participants,
    focal_point_candidates,
    indicator_get,
    indicators_with_progress,
    lead_candidates,
    office_choices,
    participant_get,
    participants_for_viewer,
    partner_choices,
    profile_choices,
    profile_get_for_user,
    profile_instrument,
    profile_list_for_user,
    project_get_for_user,
    project_list_for_user,
)
from reintegra.community.services import projects as services
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, int_or_none, run_service, submit_form
from reintegra.instruments import engine, rendering


def _viewer(request: HttpRequest) -> None:
    if not can_view_projects(request.user):
        raise NotAllowed(_("Your role does not use community projects."))


# --- projects --------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = ProjectFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    filters = ProjectFilters(
        status=data.get("status") or "",
        approach=data.get("approach") or "",
        region=data.get("region") or "",
        mine=bool(data.get("mine")),
    )
    page = paginate(project_list_for_user(request.user, filters), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": can_create_project(request.user),
    }
    return render(request, "community/projects/project_list.html", context)


def _project_form(
    request: HttpRequest, project: CommunityProject | None, data: Any = None
) -> ProjectForm:
    user = request.user
    office_ids = [project.office_id] if project else sorted(keeping_offices(user))
    kwargs: dict[str, Any] = {
        "leads": lead_candidates(office_ids),
        "focal_points": focal_point_candidates(),
        "profiles": profile_choices(user),
        "partners": partner_choices(),
        "lines": budget_line_choices(office_ids),
    }
    if project is None:
        kwargs["offices"] = office_choices(user)
        kwargs["initial"] = {"lead": user.pk, "currency": "XOF"}
    else:
        kwargs["instance"] = project
        kwargs["initial"] = {"version": project.version}
    return ProjectForm(data, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    if not can_create_project(request.user):
        raise NotAllowed(_("Coordinators and case managers start community projects."))
    form = _project_form(request, None, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=request.user,
                    office=form.cleaned_data["office"],
                    focal_points=form.cleaned_data["focal_points"],
                    **form.values(),
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Project created."))
                return redirect("community:project", pk=project.pk)
    return render(request, "community/projects/project_form.html", {"form": form}, status=status)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_user(request.user, pk)
    user = request.user
    editable = can_edit_project(user, project)
    adds = can_add_participant(user, project)
    progress = can_record_progress(user, project)
    allowed = TRANSITIONS.get(project.status, ())
    context: dict[str, Any] = {
        "project": project,
        "focal_points": list(project.focal_points.all()),
        "editable": editable,
        "can_add": adds,
        "can_progress": progress,
        "participants": participants_for_viewer(user, project),
        "activities": list(project.activities.all()),
        "reports": list(project.reports.select_related("author")),
        "indicators": indicators_with_progress(project),
        "checklist_form": ChecklistForm(project=project) if editable else None,
        "transition_form": (
            TransitionForm(allowed=allowed, initial={"version": project.version})
            if editable and allowed
            else None
        ),
        "returnee_form": (
            ReturneeParticipantForm(cases=caseload_for_participants(user, project))
            if adds
            else None
        ),
        "members_form": MembersForm() if adds else None,
        "activity_form": ActivityForm() if progress else None,
        "report_form": ReportForm() if progress else None,
        "indicator_form": IndicatorForm() if editable else None,
        "line": project.budget_line,
    }
    return render(request, "community/projects/project_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_user(request.user, pk)
    if not can_edit_project(request.user, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead edit it."))
    form = _project_form(request, project, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.project_update(
                    actor=request.user,
                    project=project,
                    version=form.cleaned_data.get("version"),
                    focal_points=form.cleaned_data["focal_points"],
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                project = project_get_for_user(request.user, pk)
                form = _project_form(request, project)
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Project updated."))
                return redirect("community:project", pk=project.pk)
    context = {"form": form, "project": project}
    return render(request, "community/projects/project_form.html", context, status=status)


def _editable(request: HttpRequest, pk: int) -> CommunityProject:
    project = project_get_for_user(request.user, pk)
    if not can_edit_project(request.user, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead edit it."))
    return project


def _back(project: CommunityProject, anchor: str = "") -> HttpResponse:
    response = redirect("community:project", pk=project.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable(request, pk)
    submit_form(
        request,
        TransitionForm(request.POST),
        services.project_transition,
        _("Status changed."),
        project=project,
    )
    return _back(project)


@login_required
@require_POST
def project_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable(request, pk)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.project_checklist_update,
            _("Checklist saved."),
            project=project,
            version=form.cleaned_data.get("version"),
            ratings=form.ratings(),
        )
    else:
        messages.error(request, _("Choose a rating for each criterion."))
    return _back(project, "checklist")


def _adder(request: HttpRequest, pk: int) -> CommunityProject:
    project = project_get_for_user(request.user, pk)
    if not can_add_participant(request.user, project):
        raise NotAllowed(_("Coordinators and case managers of the office add participants."))
    return project


@login_required
@require_POST
def project_returnee_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _adder(request, pk)
    form = ReturneeParticipantForm(
        request.POST, cases=caseload_for_participants(request.user, project)
    )
    submit_form(
        request,
        form,
        services.participant_add_returnee,
        _("Returnee added to the project."),
        project=project,
    )
    return _back(project, "participants")


@login_required
@require_POST
def project_members_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _adder(request, pk)
    submit_form(
        request,
        MembersForm(request.POST),
        services.participant_add_members,
        _("Community members added."),
        project=project,
    )
    return _back(project, "participants")


@login_required
@require_POST
def project_participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    project = _adder(request, pk)
    participant = participant_get(project, request.POST.get("participant"))
    run_service(
        request,
        services.participant_remove,
        _("Participant removed."),
        participant=participant,
    )
    return _back(project, "participants")


def _progress(request: HttpRequest, pk: int) -> CommunityProject:
    project = project_get_for_user(request.user, pk)
    if not can_record_progress(request.user, project):
        raise NotAllowed(
            _("The lead, the coordinators and the project's focal points record its progress.")
        )
    return project


@login_required
@require_POST
def project_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _progress(request, pk)
    submit_form(
        request,
        ActivityForm(request.POST),
        services.activity_add,
        _("Activity added."),
        project=project,
    )
    return _back(project, "activities")


@login_required
@require_POST
def project_activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    project = _progress(request, pk)
    activity = project.activities.filter(pk=int_or_none(request.POST.get("activity")) or 0).first()
    if activity is None:
        messages.error(request, _("Choose an activity of this project."))
        return _back(project, "activities")
    submit_form(
        request,
        ActivityDoneForm(request.POST),
        services.activity_complete,
        _("Activity marked as done."),
        activity=activity,
    )
    return _back(project, "activities")


@login_required
@require_POST
def project_report_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _progress(request, pk)
    submit_form(
        request,
        ReportForm(request.POST),
        services.report_add,
        _("Progress report filed."),
        project=project,
    )
    return _back(project, "reports")


@login_required
@require_POST
def project_indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable(request, pk)
    submit_form(
        request,
        IndicatorForm(request.POST),
        services.indicator_add,
        _("Indicator added."),
        project=project,
    )
    return _back(project, "indicators")


@login_required
@require_POST
def project_measurement_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _progress(request, pk)
    found = project.indicators.filter(pk=int_or_none(request.POST.get("indicator")) or 0).first()
    if found is None:
        messages.error(request, _("Choose an indicator of this project."))
        return _back(project, "indicators")
    submit_form(
        request,
        MeasurementForm(request.POST),
        services.measurement_add,
        _("Measurement recorded."),
        indicator=indicator_get(project, found.pk),
    )
    return _back(project, "indicators")


# --- community profiles ------------------------------------------------------------------------


@login_required
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    region = (request.GET.get("region") or "")[:100]
    page = paginate(profile_list_for_user(request.user, region), request.GET.get("page"))
    context = {
        "page": page,
        "region": region,
        "can_create": can_create_profile(request.user),
    }
    return render(request, "community/projects/profile_list.html", context)


def _language(spec: Any) -> str:
    language = (get_language() or "en")[:2]
    return language if language in spec.languages else spec.default_language


def _instrument_page(
    request: HttpRequest,
    form: ProfileHeaderForm,
    version: Any,
    answers: dict[str, Any],
    errors: dict[str, str],
    profile: Any = None,
    status: int = 200,
) -> HttpResponse:
    spec = version.form
    context = {
        "form": form,
        "profile": profile,
        "instrument": version,
        "items": rendering.items(spec, answers, _language(spec), errors, editable=True),
        "errors": errors,
        "editable": True,
    }
    return render(request, "community/projects/profile_instrument.html", context, status=status)


def _answers_errors(err: ServiceError) -> dict[str, str]:
    """A service's refusal of the answers, by question path (as the questions show them)."""
    return {str(e["loc"][-1]): str(e["msg"]) for e in err.errors or [] if e.get("loc")}


def _uses_instrument(request: HttpRequest) -> bool:
    if request.method == "POST":
        return request.POST.get("mode") == "instrument"
    return request.GET.get("form") != "structured"


@login_required
@require_http_methods(["GET", "POST"])
def profile_new(request: HttpRequest) -> HttpResponse:
    """A new profile: through the community profile instrument when the programme has one
    (`?form=structured` types it in), else the structured form."""
    if not can_create_profile(request.user):
        raise NotAllowed(_("Coordinators and case managers draw up community profiles."))
    version = profile_instrument()
    if version is not None and _uses_instrument(request):
        return _profile_new_by_instrument(request, version)
    form = ProfileForm(request.POST or None, offices=office_choices(request.user))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                profile = services.profile_create(
                    actor=request.user, office=form.cleaned_data["office"], **form.values()
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Community profile saved."))
                return redirect("community:profile", pk=profile.pk)
    context = {"form": form, "instrument": version}
    return render(request, "community/projects/profile_form.html", context, status=status)


def _profile_new_by_instrument(request: HttpRequest, version: Any) -> HttpResponse:
    offices = office_choices(request.user)
    form = ProfileHeaderForm(request.POST or None, offices=offices)
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method != "POST":
        return _instrument_page(request, form, version, answers, errors)
    answers, errors = engine.coerce(version.form, request.POST, _language(version.form))
    if form.is_valid() and not errors:
        try:
            profile = services.profile_create(
                actor=request.user,
                office=form.cleaned_data["office"],
                instrument_version=version,
                answers=answers,
                **form.values(),
            )
        except ServiceError as err:
            add_service_error(form, err)
            errors = _answers_errors(err)
        else:
            messages.success(request, _("Community profile saved."))
            return redirect("community:profile", pk=profile.pk)
    return _instrument_page(request, form, version, answers, errors, status=422)


@login_required
@require_GET
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profile_get_for_user(request.user, pk)
    projects = [
        p for p in profile.projects.select_related("office") if p.office_id == profile.office_id
    ]
    answers = None
    if profile.instrument_version is not None:
        spec = profile.instrument_version.form
        answers = rendering.items(spec, profile.answers, _language(spec), {}, editable=False)
    context = {
        "profile": profile,
        "editable": can_edit_profile(request.user, profile),
        "projects": projects,
        "items": answers,
    }
    return render(request, "community/projects/profile_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profile_get_for_user(request.user, pk)
    if not can_edit_profile(request.user, profile):
        raise NotAllowed(_("Coordinators and case managers of the office edit profiles."))
    if profile.instrument_version_id:
        return _profile_edit_by_instrument(request, profile)
    form = ProfileForm(request.POST or None, instance=profile, initial={"version": profile.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.profile_update(
                    actor=request.user,
                    profile=profile,
                    version=form.cleaned_data.get("version"),
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                profile = profile_get_for_user(request.user, pk)
                form = ProfileForm(instance=profile, initial={"version": profile.version})
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Community profile updated."))
                return redirect("community:profile", pk=profile.pk)
    context = {"form": form, "profile": profile}
    return render(request, "community/projects/profile_form.html", context, status=status)


def _profile_edit_by_instrument(request: HttpRequest, profile: Any) -> HttpResponse:
    version = profile.instrument_version
    initial = {"version": profile.version}
    if request.method != "POST":
        form = ProfileHeaderForm(instance=profile, initial=initial)
        return _instrument_page(request, form, version, profile.answers, {}, profile)
    form = ProfileHeaderForm(request.POST, instance=profile, initial=initial)
    answers, errors = engine.coerce(version.form, request.POST, _language(version.form))
    status = 422
    if form.is_valid() and not errors:
        try:
            services.profile_update(
                actor=request.user,
                profile=profile,
                version=form.cleaned_data.get("version"),
                answers=answers,
                **form.values(),
            )
        except StaleVersion as err:
            messages.error(request, err.message)
            profile = profile_get_for_user(request.user, profile.pk)
            form = ProfileHeaderForm(instance=profile, initial={"version": profile.version})
            answers, errors, status = profile.answers, {}, 409
        except ServiceError as err:
            add_service_error(form, err)
            errors = _answers_errors(err)
        else:
            messages.success(request, _("Community profile updated."))
            return redirect("community:profile", pk=profile.pk)
    return _instrument_page(request, form, version, answers, errors, profile, status)
