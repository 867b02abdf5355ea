"""The system administrator's console: offices, users and role assignments, the access policy.

The console exists only for the system administrator (others get "not found"); the access
policy page is also open to coordinators, who review it. No returnee data appears here.
Every write goes through reintegra.accounts.services, which audits it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.forms import (
    OfficeCreateForm,
    OfficeEditForm,
    RoleAssignForm,
    UserCreateForm,
)
from reintegra.access.policy import Level, Tier, matrix_rows
from reintegra.access.principal import principal
from reintegra.accounts import services
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.accounts.selectors import office_list
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error

View = Callable[..., HttpResponse]


def sysadmin_only(view: View) -> View:
    """Signed-in users only; for anyone but the system administrator the page does not exist."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not principal(request.user).is_sysadmin:
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


# Reads of the console (not user-scoped: the administrator sees every office and account).
def _office_rows() -> list[dict[str, Any]]:
    return [
        {"office": office, "indent": "\u2003" * office.depth}
        for office in office_list().select_related("parent")
    ]


def _user_list() -> QuerySet[User]:
    assignments = RoleAssignment.objects.select_related("office").order_by("-is_active", "role")
    return User.objects.order_by("username").prefetch_related(
        Prefetch("assignments", queryset=assignments)
    )


def _get_user(pk: int) -> User:
    user = _user_list().filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def _get_office(pk: int) -> Office:
    office = office_list().filter(pk=pk).first()
    if office is None:
        raise Http404
    return office


@sysadmin_only
@require_GET
def console_index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/index.html")


@sysadmin_only
@require_http_methods(["GET", "POST"])
def offices(request: HttpRequest) -> HttpResponse:
    form = OfficeCreateForm(request.POST or None, offices=office_list())
    if request.method == "POST" and form.is_valid():
        try:
            office = services.office_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Office %(name)s was created.") % {"name": office.name})
            return redirect("console:offices")
    return render(request, "console/offices.html", {"rows": _office_rows(), "form": form})


@sysadmin_only
@require_http_methods(["GET", "POST"])
def office_edit(request: HttpRequest, pk: int) -> HttpResponse:
    office = _get_office(pk)
    status = 200
    if request.method == "POST":
        form = OfficeEditForm(request.POST)
        if form.is_valid():
            try:
                services.office_update(actor=request.user, office=office, **form.cleaned_data)
            except StaleVersion as error:
                form.add_error(None, error.message)
                status = 409
            except ValidationFailed as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The office was saved."))
                return redirect("console:offices")
    else:
        form = OfficeEditForm(
            initial={"name": office.name, "is_active": office.is_active, "version": office.version}
        )
    return render(
        request, "console/office_edit.html", {"office": office, "form": form}, status=status
    )


@sysadmin_only
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Account %(username)s was created. Now give it a role.")
                % {"username": user.username},
            )
            return redirect("console:user_detail", pk=user.pk)
    page = paginate(_user_list(), request.GET.get("page"))
    return render(request, "console/users.html", {"page": page, "form": form})


def _user_page(
    request: HttpRequest, account: User, form: RoleAssignForm | None = None
) -> HttpResponse:
    offices = office_list().filter(is_active=True)
    return render(
        request,
        "console/user_detail.html",
        {
            "account": account,
            "assignments": list(account.assignments.all()),
            "form": form or RoleAssignForm(offices=offices),
            "is_self": account.pk == request.user.pk,
        },
    )


@sysadmin_only
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_page(request, _get_user(pk))


@sysadmin_only
@require_POST
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    form = RoleAssignForm(request.POST, offices=office_list().filter(is_active=True))
    if form.is_valid():
        try:
            services.role_assign(actor=request.user, user=account, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The role was assigned."))
            return redirect("console:user_detail", pk=account.pk)
    return _user_page(request, account, form)


@sysadmin_only
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    account = _get_user(pk)
    assignment = next((a for a in account.assignments.all() if a.pk == assignment_id), None)
    if assignment is None:
        raise Http404
    if account.pk == request.user.pk and assignment.role == Role.SYSADMIN:
        # Another administrator must do it, so the console is never left without one.
        messages.error(request, _("You cannot revoke your own administrator role."))
    elif not assignment.is_active:
        messages.info(request, _("This role assignment had already ended."))
    else:
        services.role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, _("The role assignment was revoked."))
    return redirect("console:user_detail", pk=account.pk)


@sysadmin_only
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    if account.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    elif not account.is_active:
        messages.info(request, _("This account was already deactivated."))
    else:
        services.user_deactivate(actor=request.user, user=account)
        messages.success(request, _("The account was deactivated and its sessions ended."))
    return redirect("console:user_detail", pk=account.pk)


@login_required
@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """The role × data-tier table, for review by the administrator and the coordinators."""
    p = principal(request.user)
    if not (p.is_sysadmin or p.has_role(Role.COORDINATOR)):
        raise Http404
    legend = [
        (Level.WRITE.symbol, _("read and write")),
        (Level.READ.symbol, _("read")),
        (Level.PARTIAL.symbol, _("partial: a summary or one section only")),
        (Level.FLAG.symbol, _("sees only that a flag exists")),
        (Level.NONE.symbol, _("nothing")),
    ]
    return render(
        request,
        "console/policy.html",
        {
            "tiers": Tier.choices,
            "rows": matrix_rows(),
            "legend": legend,
            "is_sysadmin": p.is_sysadmin,
        },
    )
