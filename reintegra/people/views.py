"""Pages for returnees: search, registration with a duplicate check, the person page, edits.

Thin views: parse the form, call a selector or a service, render. Reading a person's record
records an AccessEvent; every write goes through reintegra.people.services.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.policy import REGISTERING_ROLES
from reintegra.access.principal import principal
from reintegra.accounts.choices import OfficeKind
from reintegra.accounts.selectors import office_list
from reintegra.audit.services import record_access
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error
from reintegra.people import services
from reintegra.people.forms import (
    SENEGAL_REGIONS,
    ConsentForm,
    ConsentWithdrawForm,
    DuplicateQueryForm,
    EditForm,
    HouseholdMemberForm,
    IdentityDocumentForm,
    RegisterForm,
    SearchForm,
)
from reintegra.people.models import Returnee
from reintegra.people.permissions import (
    can_edit_person,
    can_register_person,
    can_view_people,
    registering_office_ids,
    sees_full_identity,
)
from reintegra.people.selectors import (
    consent_list,
    returnee_get_for_user,
    returnee_list_for_user,
    returnee_possible_duplicates,
)

GET_POST = ["GET", "POST"]


def _writable_person(request: HttpRequest, pk: int) -> Returnee:
    """The person (404 out of scope) when the user may change their record (403 otherwise)."""
    person = returnee_get_for_user(request.user, pk)
    if not can_edit_person(request.user, person):
        raise PermissionDenied
    return person


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    if not can_view_people(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET)
    query = form.query()
    people = returnee_list_for_user(request.user, query=query)
    page = paginate(people, request.GET.get("page"))
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "full_identity": sees_full_identity(request.user),
            "can_register": can_register_person(request.user),
        },
    )


@login_required
@require_http_methods(GET_POST)
def person_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_register_person(user):
        raise PermissionDenied
    offices = (
        office_list()
        .filter(pk__in=registering_office_ids(user), is_active=True)
        .exclude(kind=OfficeKind.COUNTRY)
    )
    home = principal(user).home_offices(*REGISTERING_ROLES)
    default_office = next((o for o in offices if o.pk in home), None)
    form = RegisterForm(
        request.POST or None,
        offices=offices,
        duplicates_url=reverse("people:duplicates"),
        initial={"office": default_office, "nationality": "SN"},
    )
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.identity_data()
        try:
            age = form.cleaned_data.get("estimated_age")
            if age is not None:
                data["date_of_birth"] = services.estimated_birth_date(age)
                data["is_birth_date_estimated"] = True
            duplicates = returnee_possible_duplicates(
                user,
                given_names=data["given_names"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                nationality=data["nationality"],
            )
            # Nothing is saved while possible duplicates wait for the user's judgement.
            if not duplicates or form.cleaned_data.get("confirm_not_duplicate"):
                person = services.returnee_register(
                    actor=user, office=form.cleaned_data["office"], **data
                )
                messages.success(request, _("The person was registered."))
                return redirect("people:detail", pk=person.pk)
        except ValidationFailed as error:
            add_service_error(form, error)
    return render(
        request,
        "people/person_new.html",
        {
            "form": form,
            "duplicates": duplicates,
            "regions": SENEGAL_REGIONS,
        },
    )


@login_required
@require_GET
def person_duplicates(request: HttpRequest) -> HttpResponse:
    """htmx fragment: possible matches for the name and birth date being typed."""
    if not can_register_person(request.user):
        raise PermissionDenied
    query = DuplicateQueryForm(request.GET).query()
    matches = []
    if query["given_names"].strip() or query["family_name"].strip():
        matches = returnee_possible_duplicates(request.user, **query)
    return render(request, "people/_duplicates.html", {"duplicates": matches})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = returnee_get_for_user(user, pk)
    record_access(actor=user, action="person.viewed", target=person, person_id=person.pk)
    full_identity = sees_full_identity(user)
    can_edit = can_edit_person(user, person)
    context: dict[str, Any] = {
        "person": person,
        "full_identity": full_identity,
        "can_edit": can_edit,
        "documents": list(person.documents.order_by("kind", "id")),
    }
    if full_identity:
        context["household"] = list(person.household.order_by("id"))
        context["consents"] = list(consent_list(person))
    if can_edit:
        context["household_form"] = HouseholdMemberForm()
        context["document_form"] = IdentityDocumentForm()
        context["consent_form"] = ConsentForm()
        context["withdraw_form"] = ConsentWithdrawForm()
    return render(request, "people/person_detail.html", context)


@login_required
@require_http_methods(GET_POST)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _writable_person(request, pk)
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.returnee_update(
                    actor=request.user,
                    person=person,
                    version=form.cleaned_data["version"],
                    **form.identity_data(),
                )
            except StaleVersion as error:
                form.add_error(None, error.message)
                status = 409
            except ValidationFailed as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("people:detail", pk=person.pk)
    else:
        record_access(
            actor=request.user, action="person.viewed", target=person, person_id=person.pk
        )
        initial = {name: getattr(person, name) for name in EditForm.base_fields}
        form = EditForm(initial=initial)
    return render(
        request,
        "people/person_edit.html",
        {"form": form, "person": person, "regions": SENEGAL_REGIONS},
        status=status,
    )


def _add_view(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    write: Callable[..., Any],
    title: str,
    done: str,
) -> HttpResponse:
    """GET shows the form alone; POST writes through the service and returns to the person."""
    person = _writable_person(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            write(actor=request.user, person=person, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_add.html",
        {"form": form, "person": person, "title": title, "action": request.path},
    )


@login_required
@require_http_methods(GET_POST)
def household_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(
        request,
        pk,
        HouseholdMemberForm,
        services.household_member_add,
        _("Add a household member"),
        _("The household member was added."),
    )


@login_required
@require_http_methods(GET_POST)
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(
        request,
        pk,
        IdentityDocumentForm,
        services.identity_document_add,
        _("Add an identity document"),
        _("The identity document was recorded."),
    )


@login_required
@require_http_methods(GET_POST)
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(
        request,
        pk,
        ConsentForm,
        services.consent_record,
        _("Record a consent"),
        _("The consent was recorded."),
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    person = _writable_person(request, pk)
    consent = consent_list(person).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    form = ConsentWithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.consent_withdraw(actor=request.user, consent=consent, reason=reason)
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The consent was withdrawn."))
    return redirect("people:detail", pk=person.pk)
