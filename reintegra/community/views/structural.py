"""Pages of the structural register: stakeholders (contacts, engagement history), agreements,
capacity-building activities, coordination mechanisms (meetings, follow-up actions) and SOPs.
Thin: a selector or a service, the predicates of permissions/structural.py, a template."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.accounts.models import Office
from reintegra.audit.services import record_access
from reintegra.community.forms import structural as forms
from reintegra.community.models.structural import agreement_alert_days
from reintegra.community.permissions import structural as perms
from reintegra.community.selectors import structural as selectors
from reintegra.community.services import structural as services
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, int_or_none, run_service, submit_form

FORM = "community/structural/form.html"


def _viewer(request: HttpRequest) -> None:
    if not perms.can_view_structural(request.user):
        raise NotAllowed(_("Your role does not use the stakeholder register."))


def _offices(ids: frozenset[int]) -> Any:
    return Office.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _filters(form: Any) -> dict[str, Any]:
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def _create(
    request: HttpRequest, form: Any, call: Any, success: str, context: dict[str, Any]
) -> HttpResponse | Any:
    """A new record's page: GET shows the form; a valid POST goes to the service and returns
    the record, an invalid one or a refusal shows the form again (422)."""
    if request.method == "POST" and form.is_valid():
        try:
            created = call(form)
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, success)
            return created
    status = 422 if request.method == "POST" else 200
    return render(request, FORM, {"form": form, **context}, status=status)


def _edit(
    request: HttpRequest,
    obj: Any,
    make_form: Any,
    call: Any,
    success: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """An edit page carrying the record's version: a stale one reloads the record (409)."""
    form = make_form(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                call(form)
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                obj.refresh_from_db()
                form = make_form(None, None)
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, success)
                return None
    return render(request, FORM, {"form": form, "obj": obj, **context}, status=status)


def _send(request: HttpRequest, holder: Any) -> FileResponse:
    """A stored document, as an attachment (the read is recorded)."""
    path = services.document_path(holder) if holder.has_document else None
    if path is None or not path.is_file():
        raise Http404
    record_access(actor=request.user, action="structural_document.downloaded", target=holder)
    response = FileResponse(
        path.open("rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=holder.original_name,
        content_type=holder.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _completable(request: HttpRequest, actions: Any) -> list[Any]:
    """Follow-up actions, each saying whether the user may mark it done."""
    rows = list(actions)
    for action in rows:
        action.can_complete = perms.can_complete_action(request.user, action)
    return rows


# --- stakeholders -------------------------------------------------------------------------------


@login_required
@require_GET
def stakeholder_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = forms.StakeholderFilterForm(request.GET or None)
    data = _filters(form)
    filters = selectors.StakeholderFilters(
        query=data.get("q") or "",
        kind=data.get("kind") or "",
        engagement=data.get("engagement") or "",
        region=data.get("region") or "",
        active_only=not data.get("inactive"),
    )
    context = {
        "form": form,
        "page": paginate(selectors.stakeholder_list(filters), request.GET.get("page")),
        "can_add": perms.can_add_stakeholder(request.user),
    }
    return render(request, "community/structural/stakeholder_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_stakeholder(request.user):
        raise NotAllowed(_("Coordinators and the communication focal point add stakeholders."))
    form = forms.StakeholderForm(
        request.POST or None, offices=_offices(perms.stakeholder_offices(request.user))
    )

    def call(f: Any) -> Any:
        return services.stakeholder_create(
            actor=request.user, office=f.cleaned_data["office"], **f.values()
        )

    result = _create(
        request, form, call, _("Stakeholder added."), {"title": _("Add a stakeholder")}
    )
    if isinstance(result, HttpResponse):
        return result
    return redirect("community:stakeholder_detail", pk=result.pk)


@login_required
@require_GET
def stakeholder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = selectors.stakeholder_get_for_user(request.user, pk)
    user = request.user
    engage = perms.can_add_engagement(user, stakeholder)
    context = {
        "stakeholder": stakeholder,
        "editable": perms.can_edit_stakeholder(user, stakeholder),
        "contacts": stakeholder.contacts.all(),
        "history": selectors.engagement_history(stakeholder),
        "agreements": stakeholder.agreements.all(),
        "activities": selectors.capacity_list(
            selectors.CapacityFilters(stakeholder=stakeholder.pk)
        ),
        "contact_form": forms.ContactForm() if engage else None,
        "engagement_form": forms.EngagementForm() if engage else None,
        "can_engage": engage,
    }
    return render(request, "community/structural/stakeholder_detail.html", context)


def _stakeholder_kept(request: HttpRequest, pk: int) -> Any:
    stakeholder = selectors.stakeholder_get_for_user(request.user, pk)
    if not perms.can_edit_stakeholder(request.user, stakeholder):
        raise NotAllowed(_("The coordinators of the office that keeps this stakeholder edit it."))
    return stakeholder


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _stakeholder_kept(request, pk)

    def make(data: Any, files: Any) -> Any:
        return forms.StakeholderForm(
            data, instance=stakeholder, initial={"version": stakeholder.version}
        )

    def call(f: Any) -> Any:
        return services.stakeholder_update(
            actor=request.user,
            stakeholder=stakeholder,
            version=f.cleaned_data.get("version"),
            **f.values(),
        )

    title = _("Edit %(name)s") % {"name": stakeholder.name}
    response = _edit(request, stakeholder, make, call, _("Stakeholder updated."), {"title": title})
    return response or redirect("community:stakeholder_detail", pk=stakeholder.pk)


def _engaging(request: HttpRequest, pk: int) -> Any:
    stakeholder = selectors.stakeholder_get_for_user(request.user, pk)
    if not perms.can_add_engagement(request.user, stakeholder):
        raise NotAllowed(
            _("Coordinators and the communication focal point keep the engagement history.")
        )
    return stakeholder


@login_required
@require_POST
def stakeholder_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _engaging(request, pk)
    submit_form(
        request,
        forms.ContactForm(request.POST),
        services.contact_add,
        _("Contact added."),
        stakeholder=stakeholder,
    )
    return redirect("community:stakeholder_detail", pk=stakeholder.pk)


@login_required
@require_POST
def stakeholder_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _engaging(request, pk)
    contact = stakeholder.contacts.filter(pk=int_or_none(request.POST.get("contact"))).first()
    if contact is None:
        raise Http404
    run_service(request, services.contact_remove, _("Contact removed."), contact=contact)
    return redirect("community:stakeholder_detail", pk=stakeholder.pk)


@login_required
@require_POST
def stakeholder_engagement_add(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _engaging(request, pk)
    submit_form(
        request,
        forms.EngagementForm(request.POST),
        services.engagement_add,
        _("Engagement recorded."),
        stakeholder=stakeholder,
    )
    return redirect("community:stakeholder_detail", pk=stakeholder.pk)


# --- agreements ---------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = forms.AgreementFilterForm(request.GET or None)
    data = _filters(form)
    filters = selectors.AgreementFilters(
        query=data.get("q") or "",
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        expiring=bool(data.get("expiring")),
    )
    context = {
        "form": form,
        "page": paginate(selectors.agreement_list(filters), request.GET.get("page")),
        "can_add": perms.can_add_agreement(request.user),
        "alert_days": agreement_alert_days(),
    }
    return render(request, "community/structural/agreement_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_agreement(request.user):
        raise NotAllowed(_("Coordinators record agreements."))
    initial = {}
    stakeholder_id = int_or_none(request.GET.get("stakeholder"))
    if stakeholder_id:
        initial["stakeholder"] = stakeholder_id
    form = forms.AgreementForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        offices=_offices(perms.coordinating_offices(request.user)),
    )

    def call(f: Any) -> Any:
        return services.agreement_create(
            actor=request.user,
            stakeholder=f.cleaned_data["stakeholder"],
            office=f.cleaned_data["office"],
            upload=f.cleaned_data.get("document"),
            **f.values(),
        )

    result = _create(
        request, form, call, _("Agreement recorded."), {"title": _("Record an agreement")}
    )
    if isinstance(result, HttpResponse):
        return result
    return redirect("community:agreement_detail", pk=result.pk)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(request.user, pk)
    editable = perms.can_edit_agreement(request.user, agreement)
    context = {
        "agreement": agreement,
        "editable": editable,
        "sharing_terms": perms.can_read_data_sharing(request.user),
        "can_download": perms.can_read_agreement_document(request.user, agreement),
        "terminate_form": forms.TerminateForm(initial={"version": agreement.version})
        if editable and agreement.terminated_on is None
        else None,
    }
    return render(request, "community/structural/agreement_detail.html", context)


def _agreement_kept(request: HttpRequest, pk: int) -> Any:
    agreement = selectors.agreement_get_for_user(request.user, pk)
    if not perms.can_edit_agreement(request.user, agreement):
        raise NotAllowed(_("The coordinators of the office that keeps this agreement edit it."))
    return agreement


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_kept(request, pk)

    def make(data: Any, files: Any) -> Any:
        return forms.AgreementForm(
            data,
            files,
            instance=agreement,
            initial={"version": agreement.version},
            editing=True,
        )

    def call(f: Any) -> Any:
        return services.agreement_update(
            actor=request.user,
            agreement=agreement,
            version=f.cleaned_data.get("version"),
            upload=f.cleaned_data.get("document"),
            **f.values(),
        )

    title = _("Edit %(name)s") % {"name": agreement.title}
    response = _edit(request, agreement, make, call, _("Agreement updated."), {"title": title})
    return response or redirect("community:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_kept(request, pk)
    form = forms.TerminateForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.agreement_terminate,
            _("Agreement terminated."),
            agreement=agreement,
            version=form.cleaned_data.get("version"),
            terminated_on=form.cleaned_data["terminated_on"],
        )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("community:agreement_detail", pk=agreement.pk)


@login_required
@require_GET
def agreement_document(request: HttpRequest, pk: int) -> FileResponse:
    agreement = selectors.agreement_get_for_user(request.user, pk)
    if not perms.can_read_agreement_document(request.user, agreement):
        raise NotAllowed(
            _("Coordinators, M&E and communication read data-sharing agreements' documents.")
        )
    return _send(request, agreement)


# --- capacity building --------------------------------------------------------------------------


@login_required
@require_GET
def capacity_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = forms.CapacityFilterForm(request.GET or None)
    data = _filters(form)
    filters = selectors.CapacityFilters(query=data.get("q") or "", kind=data.get("kind") or "")
    context = {
        "form": form,
        "page": paginate(selectors.capacity_list(filters), request.GET.get("page")),
        "can_add": perms.can_add_capacity(request.user),
    }
    return render(request, "community/structural/capacity_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def capacity_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_capacity(request.user):
        raise NotAllowed(
            _("Coordinators, M&E and communication record capacity-building activities.")
        )
    initial = {}
    stakeholder_id = int_or_none(request.GET.get("stakeholder"))
    if stakeholder_id:
        initial["stakeholder"] = stakeholder_id
    form = forms.CapacityForm(
        request.POST or None,
        initial=initial,
        offices=_offices(perms.capacity_offices(request.user)),
    )

    def call(f: Any) -> Any:
        return services.capacity_activity_create(
            actor=request.user, office=f.cleaned_data["office"], **f.values()
        )

    title = _("Record a capacity-building activity")
    result = _create(request, form, call, _("Activity recorded."), {"title": title})
    if isinstance(result, HttpResponse):
        return result
    return redirect("community:capacity_detail", pk=result.pk)


@login_required
@require_GET
def capacity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.capacity_get_for_user(request.user, pk)
    context = {
        "activity": activity,
        "editable": perms.can_edit_capacity(request.user, activity),
    }
    return render(request, "community/structural/capacity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def capacity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.capacity_get_for_user(request.user, pk)
    if not perms.can_edit_capacity(request.user, activity):
        raise NotAllowed(_("The coordinators of the office that keeps this activity edit it."))

    def make(data: Any, files: Any) -> Any:
        return forms.CapacityForm(data, instance=activity, initial={"version": activity.version})

    def call(f: Any) -> Any:
        return services.capacity_activity_update(
            actor=request.user,
            activity=activity,
            version=f.cleaned_data.get("version"),
            **f.values(),
        )

    title = _("Edit %(name)s") % {"name": activity.title}
    response = _edit(request, activity, make, call, _("Activity updated."), {"title": title})
    return response or redirect("community:capacity_detail", pk=activity.pk)


# --- coordination mechanisms --------------------------------------------------------------------


@login_required
@require_GET
def mechanism_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    context = {
        "mechanisms": selectors.mechanism_list(),
        "can_add": perms.can_add_mechanism(request.user),
    }
    return render(request, "community/structural/mechanism_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mechanism_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_mechanism(request.user):
        raise NotAllowed(_("Coordinators record coordination mechanisms."))
    form = forms.MechanismForm(
        request.POST or None, offices=_offices(perms.coordinating_offices(request.user))
    )

    def call(f: Any) -> Any:
        return services.mechanism_create(
            actor=request.user, office=f.cleaned_data["office"], **f.values()
        )

    title = _("Add a coordination mechanism")
    result = _create(request, form, call, _("Mechanism added."), {"title": title})
    if isinstance(result, HttpResponse):
        return result
    return redirect("community:mechanism_detail", pk=result.pk)


@login_required
@require_GET
def mechanism_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mechanism = selectors.mechanism_get_for_user(request.user, pk)
    editable = perms.can_edit_mechanism(request.user, mechanism)
    context = {
        "mechanism": mechanism,
        "editable": editable,
        "meetings": selectors.mechanism_meetings(mechanism),
        "actions": _completable(request, selectors.mechanism_open_actions(mechanism)),
        "sops": selectors.mechanism_sops(mechanism),
        "meeting_form": forms.MeetingForm() if editable else None,
        "sop_form": forms.SopForm() if editable else None,
    }
    return render(request, "community/structural/mechanism_detail.html", context)


def _mechanism_kept(request: HttpRequest, pk: int) -> Any:
    mechanism = selectors.mechanism_get_for_user(request.user, pk)
    if not perms.can_edit_mechanism(request.user, mechanism):
        raise NotAllowed(_("The coordinators of the office that keeps this mechanism edit it."))
    return mechanism


@login_required
@require_http_methods(["GET", "POST"])
def mechanism_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism_kept(request, pk)

    def make(data: Any, files: Any) -> Any:
        return forms.MechanismForm(data, instance=mechanism, initial={"version": mechanism.version})

    def call(f: Any) -> Any:
        return services.mechanism_update(
            actor=request.user,
            mechanism=mechanism,
            version=f.cleaned_data.get("version"),
            **f.values(),
        )

    title = _("Edit %(name)s") % {"name": mechanism.name}
    response = _edit(request, mechanism, make, call, _("Mechanism updated."), {"title": title})
    return response or redirect("community:mechanism_detail", pk=mechanism.pk)


@login_required
@require_POST
def mechanism_meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism_kept(request, pk)
    meeting = submit_form(
        request,
        forms.MeetingForm(request.POST, request.FILES),
        services.meeting_add,
        _("Meeting recorded."),
        mechanism=mechanism,
    )
    if meeting is not None:
        return redirect("community:meeting_detail", pk=meeting.pk)
    return redirect("community:mechanism_detail", pk=mechanism.pk)


@login_required
@require_POST
def mechanism_sop_add(request: HttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism_kept(request, pk)
    submit_form(
        request,
        forms.SopForm(request.POST, request.FILES),
        services.sop_version_add,
        _("SOP version added."),
        mechanism=mechanism,
        office=mechanism.office,
    )
    return redirect("community:mechanism_detail", pk=mechanism.pk)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(request.user, pk)
    editable = perms.can_edit_mechanism(request.user, meeting.mechanism)
    context = {
        "meeting": meeting,
        "mechanism": meeting.mechanism,
        "editable": editable,
        "actions": _completable(request, meeting.actions.all()),
        "action_form": forms.ActionForm() if editable else None,
    }
    return render(request, "community/structural/meeting_detail.html", context)


@login_required
@require_POST
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if not perms.can_edit_mechanism(request.user, meeting.mechanism):
        raise NotAllowed(_("The coordinators of the office that keeps this mechanism edit it."))
    submit_form(
        request,
        forms.ActionForm(request.POST),
        services.action_add,
        _("Action added."),
        meeting=meeting,
    )
    return redirect("community:meeting_detail", pk=meeting.pk)


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> FileResponse:
    return _send(request, selectors.meeting_get_for_user(request.user, pk))


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    mine = request.GET.get("mine") == "1"
    actions = _completable(request, selectors.action_list(request.user, mine=mine))
    context = {"actions": actions, "mine": mine}
    return render(request, "community/structural/action_list.html", context)


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get_for_user(request.user, pk)
    if not perms.can_complete_action(request.user, action):
        raise NotAllowed(_("The owner of the action or a coordinator marks it done."))
    run_service(request, services.action_complete, _("Action marked as done."), action=action)
    back = request.POST.get("next")
    if back == "actions":
        return redirect("community:action_list")
    return redirect("community:meeting_detail", pk=action.meeting_id)


# --- SOPs ---------------------------------------------------------------------------------------


@login_required
@require_GET
def sop_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    offices = perms.coordinating_offices(request.user)
    context = {
        "sops": selectors.sop_list(),
        "sop_form": forms.SopForm(offices=_offices(offices)) if offices else None,
    }
    return render(request, "community/structural/sop_list.html", context)


@login_required
@require_POST
def sop_new(request: HttpRequest) -> HttpResponse:
    """A programme-wide SOP version (a mechanism's are added on its page)."""
    if not perms.can_add_sop(request.user):
        raise NotAllowed(_("Coordinators keep the SOPs."))
    form = forms.SopForm(
        request.POST, request.FILES, offices=_offices(perms.coordinating_offices(request.user))
    )
    submit_form(request, form, services.sop_version_add, _("SOP version added."))
    return redirect("community:sop_list")


@login_required
@require_GET
def sop_document(request: HttpRequest, pk: int) -> FileResponse:
    return _send(request, selectors.sop_get_for_user(request.user, pk))
