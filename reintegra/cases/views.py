"""Pages of the cases app (templates + htmx).

Every view is thin: load through a selector (out of scope → 404), check the CaseAccess predicate
(forbidden → 403 through `services.ensure`), call the service, then redirect with a message or
re-render the page with the refusal next to the field it concerns.
"""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.policy import Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts import selectors as account_selectors
from reintegra.accounts.choices import OfficeKind, Role
from reintegra.accounts.models import Office, User
from reintegra.audit import selectors as audit_selectors
from reintegra.audit.services import record_access
from reintegra.cases import forms, selectors, services
from reintegra.cases.choices import TRANSITIONS, Flag, HandoverSection, HandoverStatus, Stage
from reintegra.cases.models import Case, Handover
from reintegra.cases.permissions import (
    FLAG_TIER,
    CaseAccess,
    can_decide_handover,
    can_open_case_at,
)
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate, parse_page
from reintegra.core.views import add_service_error, int_or_none, is_htmx
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent, Returnee
from reintegra.people.selectors import returnee_get_for_user

TIMELINE_PAGE = 20
NOTES_PAGE = 10
TASKS_SHOWN = 25
RESTRICTED_TIERS = (Tier.PROTECTION, Tier.MEDICAL, Tier.PSYCHOSOCIAL)
NOTE_TIERS = (Tier.CASE, *RESTRICTED_TIERS)
HANDOVER_PURPOSES = (ConsentPurpose.CASE_MANAGEMENT, ConsentPurpose.PARTNER_SHARING)


# --- small private helpers (reads of objects already reached through a scoped selector) -------


def _case_managers_covering(office: Office) -> QuerySet[User]:
    return account_selectors.staff_at_offices(office.line_ids, Role.CASE_MANAGER)


def _openable_offices(user: Any) -> QuerySet[Office]:
    """Active offices where the user may open a case (case manager / coordinator scope)."""
    ids = principal(user).offices(Role.CASE_MANAGER, Role.COORDINATOR)
    return (
        account_selectors.office_list()
        .filter(pk__in=ids, is_active=True)
        .exclude(kind=OfficeKind.COUNTRY)
    )


def _known_flags(user: Any) -> list[str]:
    """Flags the user may know of on any case (lists and filters show only these)."""
    p = principal(user)
    return [f for f in Flag.values if p.max_level(FLAG_TIER[Flag(f)]) >= Level.FLAG]


def _next_stages(case: Case) -> list[str]:
    stages = list(TRANSITIONS.get(case.stage, ()))
    if case.office.is_host_country:
        # Registration on arrival belongs to the origin office: host offices hand over instead.
        stages = [s for s in stages if s != Stage.REGISTERED]
    return stages


def _writable_note_tiers(access: CaseAccess) -> list[str]:
    tiers: list[str] = [Tier.CASE] if access.can_edit else []
    return tiers + [t for t in RESTRICTED_TIERS if access.can_write_tier(t)]


def _tier_rule(access: CaseAccess) -> tuple[list[str], list[str]]:
    """(tiers whose entries the viewer reads, tiers they only know exist)."""
    readable: list[str] = [t for t in NOTE_TIERS if access.can_read_tier(t)]
    # Only restricted tiers show as bare "Restricted entry" lines; a partial view of the case
    # tier (summary roles) shows no narrative at all.
    known: list[str] = [t for t in RESTRICTED_TIERS if t not in readable and access.knows_tier(t)]
    return readable, known


def _active_assignments(case: Case) -> QuerySet[Any]:
    return (
        case.assignments.filter(ended_at__isnull=True)
        .select_related("user")
        .order_by("role", "created_at")
    )


def _case_assignees(case: Case) -> QuerySet[User]:
    return User.objects.filter(
        case_assignments__case=case, case_assignments__ended_at__isnull=True
    ).distinct()


def _handover_consents(person: Returnee) -> QuerySet[Consent]:
    return person.consents.filter(
        purpose__in=HANDOVER_PURPOSES,
        withdrawn_on__isnull=True,
        given_on__lte=timezone.localdate(),
    ).order_by("-given_on", "-id")


def _receiving_offices() -> QuerySet[Office]:
    return (
        account_selectors.office_list()
        .filter(is_active=True)
        .exclude(kind__in=[OfficeKind.HOST, OfficeKind.COUNTRY])
    )


def _notes_page(case: Case, access: CaseAccess, page: int) -> tuple[list[dict[str, Any]], bool]:
    readable, known = _tier_rule(access)
    if not readable and not known:
        return [], False
    start = (page - 1) * NOTES_PAGE
    notes = list(
        case.notes.filter(tier__in=readable + known)
        .select_related("author")
        .order_by("-written_on", "-id")[start : start + NOTES_PAGE + 1]
    )
    rows = [{"note": n, "readable": n.tier in readable} for n in notes[:NOTES_PAGE]]
    return rows, len(notes) > NOTES_PAGE


def _documents(case: Case, access: CaseAccess) -> list[dict[str, Any]]:
    readable, known = _tier_rule(access)
    if not readable and not known:
        return []
    files = (
        case.files.filter(tier__in=readable + known)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )
    return [{"doc": d, "readable": d.tier in readable} for d in files]


def _timeline_page(access: CaseAccess, page: int) -> tuple[list[dict[str, Any]], bool]:
    end = page * TIMELINE_PAGE
    rows = selectors.timeline_for(access, limit=end + 1)
    return rows[end - TIMELINE_PAGE : end], len(rows) > end


def _flag_rows(case: Case, access: CaseAccess) -> list[dict[str, Any]]:
    """Flags shown on the case: only those whose tier the viewer may know of."""
    rows = []
    for value in Flag.values:
        flag = Flag(value)
        if not access.knows_tier(FLAG_TIER[flag]):
            continue
        rows.append(
            {
                "flag": flag,
                "label": Flag(flag).label,
                "css": flag.lower(),
                "is_set": getattr(case, services.FLAG_FIELDS[flag][0]),
                "can_set": access.can_set_flag(flag),
            }
        )
    return rows


def _action_forms(case: Case, access: CaseAccess) -> dict[str, Any]:
    """Unbound forms for the actions the viewer may take (absent means not offered)."""
    initial = {"version": case.version}
    result: dict[str, Any] = {}
    next_stages = _next_stages(case)
    if access.can_edit and next_stages:
        result["transition_form"] = forms.TransitionForm(
            initial={**initial, "to_stage": next_stages[0]}, next_stages=next_stages
        )
    note_tiers = _writable_note_tiers(access)
    if note_tiers:
        result["note_form"] = forms.NoteForm(tiers=note_tiers)
    if access.can_edit:
        result["task_form"] = forms.TaskForm(assignees=_case_assignees(case))
        result["document_form"] = forms.DocumentForm()
    if access.can_assign:
        result["assign_form"] = forms.AssignForm(candidates=_case_managers_covering(case.office))
    if access.can_close:
        result["close_form"] = forms.CloseForm(initial=initial)
    if access.can_reopen:
        result["reopen_form"] = forms.ReopenForm(initial=initial)
    if access.can_handover:
        result["handover_form"] = forms.HandoverRequestForm(
            offices=_receiving_offices(), consents=_handover_consents(case.person)
        )
    return result


def _render_detail(
    request: HttpRequest,
    case: Case,
    access: CaseAccess,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    log_view: bool = False,
) -> HttpResponse:
    if log_view:
        record_access(
            actor=request.user,
            action="case.viewed",
            target=case,
            case_id=case.pk,
            person_id=case.person_id,
        )
    action_forms = _action_forms(case, access)
    action_forms.update(bound or {})
    readable, known = _tier_rule(access)
    timeline, timeline_more = _timeline_page(access, 1)
    notes, notes_more = _notes_page(case, access, 1)
    flags = _flag_rows(case, access)
    person = case.person
    tasks: list[Any] = []
    task_count = 0
    if access.can_view_notes:
        tasks = list(selectors.open_tasks(case)[: TASKS_SHOWN + 1])
        task_count = len(tasks)
        if task_count > TASKS_SHOWN:
            task_count = selectors.open_tasks(case).count()
    context = {
        "case": case,
        "person": person,
        "place_of_return": ", ".join(
            p for p in (person.commune, person.department, person.region) if p
        ),
        "access": access,
        "flags": flags,
        "flag_actions": [f for f in flags if f["can_set"]],
        "assignments": _active_assignments(case),
        "show_tasks": access.can_view_notes,
        "tasks": tasks[:TASKS_SHOWN],
        "tasks_hidden": max(0, task_count - TASKS_SHOWN),
        "show_notes": bool(readable or known),
        "notes": notes,
        "notes_more": notes_more,
        "documents": _documents(case, access),
        "timeline": timeline,
        "timeline_more": timeline_more,
        "next_page": 2,
        "pending_handover": case.handovers.filter(status=HandoverStatus.PENDING)
        .select_related("to_office")
        .first(),
        "failed": bool(bound),
        **action_forms,
    }
    return render(request, "cases/detail.html", context, status=status)


def _load(request: HttpRequest, pk: int) -> tuple[Case, CaseAccess]:
    return selectors.case_get_for_user(request.user, pk, log_view=False)


def _detail_redirect(case: Case) -> HttpResponse:
    return redirect("cases:detail", pk=case.pk)


def _act(
    request: HttpRequest,
    case: Case,
    access: CaseAccess,
    form_key: str,
    form: django_forms.Form,
    call: Callable[[dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Validate the form, call the service, and answer the way every action answers."""
    if not form.is_valid():
        return _render_detail(request, case, access, {form_key: form}, status=422, log_view=True)
    try:
        call(form.cleaned_data)
    except NotAllowed:
        raise
    except StaleVersion as err:
        # Show the case as it is now (with its new version); the user's change is not applied.
        messages.error(request, err.message)
        fresh, fresh_access = _load(request, case.pk)
        return _render_detail(request, fresh, fresh_access, status=409, log_view=True)
    except ServiceError as err:
        add_service_error(form, err)
        return _render_detail(
            request, case, access, {form_key: form}, status=err.status, log_view=True
        )
    messages.success(request, success)
    return _detail_redirect(case)


# --- list, open, detail -------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = principal(user).offices()
    flags = _known_flags(user)
    form = forms.CaseFilterForm(
        request.GET or None,
        offices=account_selectors.office_list()
        .filter(pk__in=scope)
        .exclude(kind=OfficeKind.COUNTRY),
        managers=account_selectors.staff_at_offices(scope, Role.CASE_MANAGER),
        flags=flags,
    )
    filters = form.filters()
    if filters.flag in Flag.values and filters.flag not in flags:
        filters.flag = ""
    page = paginate(selectors.case_list_for_user(user, filters), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "show_flags": {f: True for f in flags},
    }
    if is_htmx(request):
        return render(request, "cases/_case_table.html", context)
    return render(request, "cases/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    person_id = request.GET.get("person") or request.POST.get("person")
    person = returnee_get_for_user(user, person_id)
    offices = _openable_offices(user)
    services.ensure(offices.exists(), _("You cannot open cases."))
    form = forms.CaseOpenForm(request.POST or None, offices=offices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            office = form.cleaned_data["office"]
            services.ensure(can_open_case_at(user, office))
            try:
                case = services.case_open(
                    actor=user,
                    person=person,
                    office=office,
                    arrived_on=form.cleaned_data["arrived_on"],
                )
            except NotAllowed:
                raise
            except ServiceError as err:
                add_service_error(form, err)
                status = err.status
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return _detail_redirect(case)
        else:
            status = 422
    return render(request, "cases/new.html", {"form": form, "person": person}, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = selectors.case_get_for_user(request.user, pk)
    return _render_detail(request, case, access)


@login_required
@require_GET
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """More of the timeline: an htmx fragment, or a page of its own without JavaScript."""
    case, access = selectors.case_get_for_user(request.user, pk)
    page = parse_page(request.GET.get("page"))
    timeline, more = _timeline_page(access, page)
    context = {
        "case": case,
        "access": access,
        "timeline": timeline,
        "timeline_more": more,
        "page_number": page,
        "next_page": page + 1,
    }
    if is_htmx(request):
        return render(request, "cases/_timeline_items.html", {**context, "oob": True})
    return render(request, "cases/timeline.html", context)


@login_required
@require_GET
def case_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Older notes: an htmx fragment, or a page of its own without JavaScript."""
    case, access = selectors.case_get_for_user(request.user, pk)
    readable, known = _tier_rule(access)
    if not readable and not known:
        raise NotAllowed(_("Your role does not show case notes."))
    page = parse_page(request.GET.get("page"))
    notes, more = _notes_page(case, access, page)
    context = {
        "case": case,
        "notes": notes,
        "notes_more": more,
        "page_number": page,
        "next_page": page + 1,
    }
    if is_htmx(request):
        return render(request, "cases/_note_items.html", {**context, "oob": True})
    return render(request, "cases/notes.html", context)


# --- actions on a case (POST) -------------------------------------------------------------------


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_edit)
    form = forms.TransitionForm(request.POST, next_stages=_next_stages(case))

    def call(d: dict[str, Any]) -> Any:
        return services.case_transition(
            actor=request.user,
            case=case,
            to_stage=d["to_stage"],
            version=d["version"],
            note=d["note"],
        )

    return _act(request, case, access, "transition_form", form, call, _("Stage changed."))


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    tiers = _writable_note_tiers(access)
    services.ensure(bool(tiers))
    form = forms.NoteForm(request.POST, tiers=tiers)

    def call(d: dict[str, Any]) -> Any:
        services.ensure(d["tier"] in tiers, _("You cannot write this type of note."))
        return services.note_add(
            actor=request.user,
            case=case,
            body=d["body"],
            written_on=d["written_on"],
            tier=d["tier"],
        )

    return _act(request, case, access, "note_form", form, call, _("Note added."))


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_edit)
    form = forms.TaskForm(request.POST, assignees=_case_assignees(case))

    def call(d: dict[str, Any]) -> Any:
        return services.task_add(
            actor=request.user,
            case=case,
            title=d["title"],
            due_on=d["due_on"],
            assignee=d["assignee"],
        )

    return _act(request, case, access, "task_form", form, call, _("Task added."))


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    case, access = _load(request, pk)
    task = case.tasks.filter(pk=task_id).first()
    if task is None:
        raise Http404
    services.ensure(access.can_edit)
    try:
        services.task_complete(actor=request.user, task=task)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Task marked as done."))
    return _detail_redirect(case)


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_edit)
    form = forms.DocumentForm(request.POST, request.FILES)

    def call(d: dict[str, Any]) -> Any:
        return services.document_attach(
            actor=request.user,
            case=case,
            upload=d["file"],
            doc_type=d["doc_type"],
            title=d["title"],
        )

    return _act(request, case, access, "document_form", form, call, _("Document added."))


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    case, access = _load(request, pk)
    document = case.files.filter(pk=doc_id).first()
    # A file whose tier the viewer may not read is not listed to them: answer like a missing one.
    if document is None or not access.can_read_tier(document.tier):
        raise Http404
    path = services.document_path(document)
    if not path.is_file():
        raise Http404
    record_access(
        actor=request.user,
        action="document.downloaded",
        target=document,
        case_id=case.pk,
        person_id=case.person_id,
    )
    # FileResponse closes the file once the response is sent.
    response = FileResponse(
        path.open("rb"),  # noqa: SIM115
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_assign)
    form = forms.AssignForm(request.POST, candidates=_case_managers_covering(case.office))

    def call(d: dict[str, Any]) -> Any:
        return services.case_assign(actor=request.user, case=case, user=d["user"], role=d["role"])

    return _act(request, case, access, "assign_form", form, call, _("Case manager assigned."))


@login_required
@require_POST
def case_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_assign)
    assignment_id = int_or_none(request.POST.get("assignment"))
    assignment = (
        case.assignments.filter(pk=assignment_id, ended_at__isnull=True)
        .select_related("user", "case")
        .first()
        if assignment_id
        else None
    )
    if assignment is None:
        raise Http404
    try:
        services.case_unassign(actor=request.user, assignment=assignment)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("%(user)s removed from the case.") % {"user": assignment.user})
    return _detail_redirect(case)


@login_required
@require_POST
def case_flag(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    form = forms.FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a flag to raise or clear."))
        return _detail_redirect(case)
    flag, value = form.cleaned_data["flag"], form.cleaned_data["value"]
    services.ensure(access.can_set_flag(flag) and access.knows_tier(FLAG_TIER[Flag(flag)]))
    try:
        services.case_flag_set(actor=request.user, case=case, flag=flag, value=value)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        label = Flag(flag).label
        if value:
            messages.success(request, _("%(flag)s flag raised.") % {"flag": label})
        else:
            messages.success(request, _("%(flag)s flag cleared.") % {"flag": label})
    return _detail_redirect(case)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_close)
    form = forms.CloseForm(request.POST)

    def call(d: dict[str, Any]) -> Any:
        return services.case_close(
            actor=request.user,
            case=case,
            reason=d["reason"],
            note=d["note"],
            version=d["version"],
        )

    return _act(request, case, access, "close_form", form, call, _("Case closed."))


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_reopen)
    form = forms.ReopenForm(request.POST)

    def call(d: dict[str, Any]) -> Any:
        return services.case_reopen(
            actor=request.user,
            case=case,
            reason=d["reason"],
            to_stage=d["to_stage"],
            version=d["version"],
        )

    return _act(request, case, access, "reopen_form", form, call, _("Case reopened."))


@login_required
@require_POST
def handover_request(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _load(request, pk)
    services.ensure(access.can_handover)
    form = forms.HandoverRequestForm(
        request.POST, offices=_receiving_offices(), consents=_handover_consents(case.person)
    )

    def call(d: dict[str, Any]) -> Any:
        return services.handover_request(
            actor=request.user,
            case=case,
            to_office=d["to_office"],
            consent=d["consent"],
            sections=d["sections"],
            message=d["message"],
        )

    return _act(
        request,
        case,
        access,
        "handover_form",
        form,
        call,
        _("Hand-over requested: the receiving office must accept it."),
    )


# --- history --------------------------------------------------------------------------------------


@login_required
@require_GET
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed and who viewed the case: coordinators only."""
    case, access = _load(request, pk)
    services.ensure(access.can_view_history)
    record_access(
        actor=request.user,
        action="case.history_viewed",
        target=case,
        case_id=case.pk,
        person_id=case.person_id,
    )
    changes = [
        {"event": e, "fields": sorted((e.changes or {}).items())}
        for e in audit_selectors.case_audit_history(case.pk)
    ]
    return render(
        request,
        "cases/history.html",
        {
            "case": case,
            "changes": changes,
            "views": audit_selectors.case_access_history(case.pk),
        },
    )


# --- hand-overs ---------------------------------------------------------------------------------


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    page = paginate(selectors.handovers_incoming(request.user), request.GET.get("page"))
    return render(request, "cases/handovers.html", {"page": page})


def _section_labels(handover: Handover) -> list[str]:
    labels = dict(HandoverSection.choices)
    return [str(labels.get(s, s)) for s in handover.sections]


def _render_handover(
    request: HttpRequest,
    handover: Handover,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    record_access(
        actor=user,
        action="handover.viewed",
        target=handover,
        case_id=handover.case_id,
        person_id=handover.case.person_id,
    )
    context: dict[str, Any] = {
        "handover": handover,
        "case": handover.case,
        "person": handover.case.person,
        "sections": _section_labels(handover),
        "case_visible": selectors.case_visible_to(user).filter(pk=handover.case_id).exists(),
        "can_decide": can_decide_handover(user, handover),
    }
    if context["can_decide"]:
        context["accept_form"] = forms.HandoverAcceptForm(
            candidates=_case_managers_covering(handover.to_office)
        )
        context["refuse_form"] = forms.HandoverRefuseForm()
    context.update(bound or {})
    return render(request, "cases/handover_detail.html", context, status=status)


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    handover = selectors.handover_get_for_user(request.user, pk)
    return _render_handover(request, handover)


def _decide(
    request: HttpRequest,
    handover: Handover,
    form_key: str,
    form: django_forms.Form,
    call: Callable[[dict[str, Any]], Any],
) -> HttpResponse | None:
    """Run a decision; None on success, else the page with the refusal next to the form."""
    if not form.is_valid():
        return _render_handover(request, handover, {form_key: form}, status=422)
    try:
        call(form.cleaned_data)
    except NotAllowed:
        raise
    except ServiceError as err:
        add_service_error(form, err)
        fresh = selectors.handover_get_for_user(request.user, handover.pk)
        return _render_handover(request, fresh, {form_key: form}, status=err.status)
    return None


@login_required
@require_POST
def handover_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    handover = selectors.handover_get_for_user(user, pk)
    services.ensure(can_decide_handover(user, handover))
    form = forms.HandoverAcceptForm(
        request.POST, candidates=_case_managers_covering(handover.to_office)
    )

    def call(d: dict[str, Any]) -> Any:
        return services.handover_accept(
            actor=user, handover=handover, lead=d["lead"], note=d["note"]
        )

    failed = _decide(request, handover, "accept_form", form, call)
    if failed:
        return failed
    messages.success(
        request,
        _("Hand-over accepted: case %(number)s now belongs to %(office)s.")
        % {"number": handover.case.number, "office": handover.to_office},
    )
    if selectors.case_visible_to(user).filter(pk=handover.case_id).exists():
        return redirect("cases:detail", pk=handover.case_id)
    return redirect("cases:handovers")


@login_required
@require_POST
def handover_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    handover = selectors.handover_get_for_user(user, pk)
    services.ensure(can_decide_handover(user, handover))
    form = forms.HandoverRefuseForm(request.POST)

    def call(d: dict[str, Any]) -> Any:
        return services.handover_refuse(actor=user, handover=handover, reason=d["reason"])

    failed = _decide(request, handover, "refuse_form", form, call)
    if failed:
        return failed
    messages.success(
        request,
        _("Hand-over of case %(number)s refused.") % {"number": handover.case.number},
    )
    return redirect("cases:handovers")


# --- fragment for the person page ---------------------------------------------------------------


@login_required
@require_GET
def person_cases(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's cases the user reaches, and "Open a case" when it makes sense (fragment)."""
    user = request.user
    person = returnee_get_for_user(user, person_id)
    cases = (
        selectors.case_visible_to(user)
        .filter(person_id=person.pk)
        .select_related("office", "lead")
        .order_by("-opened_on", "-id")
    )
    can_open = (
        _openable_offices(user).exists() and not person.cases.exclude(stage=Stage.CLOSED).exists()
    )
    return render(
        request,
        "cases/_person_cases.html",
        {"person": person, "cases": cases, "can_open": can_open},
    )
