"""Referral pages: refer from a case, the list, one referral with its loop and provider links,
the printable form, the consent-override review, statistics, and the case page's card."""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.accounts.models import User
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.cells import safe_row
from reintegra.core.errors import NotAllowed, ServiceError
from reintegra.core.pagination import paginate
from reintegra.core.views import is_htmx
from reintegra.people.choices import ConsentPurpose
from reintegra.people.selectors import consent_valid_for
from reintegra.referrals import permissions, selectors, services, sharing
from reintegra.referrals.choices import OPEN_STATES, TRANSITIONS, Kind, Recipient, State
from reintegra.referrals.forms import (
    ReferralForm,
    ReviewForm,
    ServiceSearchForm,
    StatisticsForm,
    TransitionForm,
)
from reintegra.referrals.models import Satisfaction

WHEN = ("", "open", "overdue", "mine", "to_me")


def _recipients(tiers: set[str]) -> list[str]:
    return [r for r in Recipient.values if services.RECIPIENT_TIER[r] in tiers]


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    tiers = permissions.creatable_tiers(access)
    if not tiers:
        raise NotAllowed(_("You may not refer this returnee."))
    search = ServiceSearchForm(request.GET)
    search.is_valid()
    found = selectors.fitting_services(
        case, search.cleaned_data.get("category", ""), search.cleaned_data.get("q", "")
    )
    offered = [s for s in found if services.tier_for(kind=Kind.EXTERNAL, service=s) in tiers]
    for s in offered:
        s.choice_value = f"s{s.pk}"  # type: ignore[attr-defined]
    people = selectors.recipient_people(case)
    form = ReferralForm(
        request.POST or None,
        services=offered,
        recipients=_recipients(tiers),
        people=people,
        initial={"to": request.GET.get("to", "")},
    )
    consent = consent_valid_for(case.person, ConsentPurpose.REFERRAL)
    if request.method == "POST" and form.is_valid():
        target = form.target()
        user_id = form.cleaned_data["recipient_user"] if "recipient" in target else ""
        try:
            referral = services.referral_create(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                recipient_user=User.objects.get(pk=user_id) if user_id else None,
                shared_fields=form.cleaned_data["shared_fields"],
                urgent=form.cleaned_data["urgent"],
                override_ground=form.cleaned_data["override_ground"],
                override_reason=form.cleaned_data["override_reason"],
                send="draft" not in request.POST,
                **target,
            )
        except ServiceError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            if referral.state == State.DRAFT:
                messages.success(request, _("Referral saved as a draft."))
            else:
                messages.success(request, _("Referral %(ref)s sent.") % {"ref": referral})
            return redirect("referrals:detail", pk=referral.pk)
    chosen = (
        request.POST.getlist("shared_fields")
        if form.is_bound
        else form.fields["shared_fields"].initial
    )
    context = {
        "case": case,
        "form": form,
        "search": search,
        "services": offered,
        "recipients": _recipients(tiers),
        "consent": consent,
        "preview": sharing.preview(case.person, chosen),
    }
    return render(request, "referrals/new.html", context)


@login_required
@require_GET
def referral_index(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_referrals(request.user):
        raise NotAllowed(_("Your role does not follow referrals."))
    when = request.GET.get("when", "")
    filters = selectors.ReferralFilters(
        state=request.GET.get("state", ""), when=when if when in WHEN else ""
    )
    page = paginate(selectors.referral_list(request.user, filters), request.GET.get("page"))
    page.items = selectors.rows_for(request.user, page.items)
    context = {
        "page": page,
        "filters": filters,
        "states": State.choices,
        "can_view_statistics": permissions.can_view_statistics(request.user),
    }
    return render(request, "referrals/list.html", context)


def _actions(user: Any, access: Any, referral: Any) -> list[dict[str, Any]]:
    """The moves the user may make now, for the buttons."""
    labels: dict[str, str] = {
        State.SENT: _("Send"),
        State.ACCEPTED: _("Accept"),
        State.DECLINED: _("Decline"),
        State.DELIVERED: _("Service delivered"),
        State.NOT_DELIVERED: _("Service not delivered"),
        State.CLOSED: _("Close with the outcome"),
        State.CANCELLED: _("Cancel the referral"),
    }
    notes: dict[str, tuple[str, bool]] = {
        State.ACCEPTED: (_("Note (optional)"), False),
        State.DECLINED: (_("Why it is declined"), True),
        State.DELIVERED: (_("Service outcome (optional)"), False),
        State.NOT_DELIVERED: (_("Why the service was not delivered"), True),
        State.CLOSED: (_("Outcome for the returnee"), True),
        State.CANCELLED: (_("Why it is cancelled"), True),
    }
    actions = []
    for to in TRANSITIONS.get(referral.state, ()):
        if permissions.can_transition(user, access, referral, to):
            label, required = notes.get(to, ("", False))
            actions.append(
                {
                    "to": to,
                    "label": labels[to],
                    "note": label,
                    "required": required,
                    "closing": to == State.CLOSED,
                }
            )
    return actions


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral, access, readable = selectors.referral_get_for_user(request.user, pk)
    context: dict[str, Any] = {"referral": referral, "readable": readable, "access": access}
    if readable:
        context.update(
            {
                "shared": sharing.labelled(referral.shared)
                if referral.sent_at
                else sharing.labelled(
                    sharing.snapshot(referral.case.person, referral.shared_fields)
                )
                if access is not None and access.can_view_identity
                else [],
                "actions": _actions(request.user, access, referral),
                "can_acknowledge": permissions.can_acknowledge(request.user, access, referral),
                "can_issue_link": permissions.can_issue_link(access, referral),
                "links": selectors.links_of(referral)
                if access and permissions.can_manage(access, referral)
                else [],
                "can_review": access is not None
                and permissions.can_review_override(access, referral),
                "review_form": ReviewForm(),
                "satisfaction": Satisfaction.choices,
                "case_visible": access is not None,
            }
        )
    return render(request, "referrals/detail.html", context)


@login_required
@require_POST
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral, access, readable = selectors.referral_get_for_user(request.user, pk)
    if not readable:
        raise NotAllowed(_("You may not change this referral."))
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The change could not be read. Try again."))
        return redirect("referrals:detail", pk=referral.pk)
    data = form.cleaned_data
    extra = {}
    if data["to"] != services.ACKNOWLEDGED:
        extra = {
            "version": data["version"],
            "note": data["note"],
            "feedback": data["feedback"],
            "satisfaction": data["satisfaction"],
        }
    try:
        referral = services.referral_move(
            actor=request.user, referral=referral, access=access, to=data["to"], **extra
        )
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("Referral %(ref)s: %(state)s.")
            % {"ref": referral, "state": referral.get_state_display()},
        )
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def referral_review(request: HttpRequest, pk: int) -> HttpResponse:
    referral, access, _readable = selectors.referral_get_for_user(request.user, pk)
    if access is None or not permissions.can_review_override(access, referral):
        raise NotAllowed(_("Coordinators review referrals made without consent."))
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.referral_override_review(
            actor=request.user, referral=referral, note=form.cleaned_data["note"]
        )
        messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Write what you concluded."))
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def link_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a provider link and show it once, with the printable referral form."""
    referral, access, _readable = selectors.referral_get_for_user(request.user, pk)
    if not permissions.can_issue_link(access, referral):
        raise NotAllowed(_("You may not issue a link for this referral."))
    try:
        link, token = services.link_issue(actor=request.user, referral=referral)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("referrals:detail", pk=referral.pk)
    url = request.build_absolute_uri(reverse("referral_link:respond", args=[token]))
    response = _printable(request, referral, link=link, url=url)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def link_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    referral, access, _readable = selectors.referral_get_for_user(request.user, pk)
    if access is None or not permissions.can_manage(access, referral):
        raise NotAllowed(_("You may not revoke this link."))
    link = get_object_or_404(referral.links, pk=link_id)
    services.link_revoke(actor=request.user, link=link)
    messages.success(request, _("The link was revoked: it no longer opens."))
    return redirect("referrals:detail", pk=referral.pk)


def _printable(request: HttpRequest, referral: Any, **extra: Any) -> HttpResponse:
    context = {"referral": referral, "shared": sharing.labelled(referral.shared), **extra}
    return render(request, "referrals/print.html", context)


@login_required
@require_GET
def referral_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral form to print or hand over (the link is printed only when issued)."""
    referral, access, readable = selectors.referral_get_for_user(request.user, pk)
    if not readable or referral.sent_at is None:
        raise NotAllowed(_("Only a sent referral you may read is printed."))
    return _printable(request, referral)


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's "Referrals" card (loaded by htmx)."""
    case, access = case_get_for_user(request.user, case_id, log_view=False)
    rows = selectors.case_referrals(request.user, access)
    context = {
        "case": case,
        "rows": rows,
        "can_refer": permissions.can_refer(access),
        "shortcuts": _flag_shortcuts(access, rows),
    }
    template = "referrals/_case_panel.html" if is_htmx(request) else "referrals/case_referrals.html"
    return render(request, template, context)


def _flag_shortcuts(access: Any, rows: list[selectors.Row]) -> list[tuple[str, str]]:
    """A flagged case without an open referral to its focal point offers one: (to, label)."""
    tiers = permissions.creatable_tiers(access)
    waiting = {row.referral.recipient for row in rows if row.referral.state in OPEN_STATES}
    flagged = {
        Recipient.PROTECTION_FP: access.case.has_protection_flag,
        Recipient.MEDICAL_FP: access.case.has_medical_flag,
    }
    return [
        (
            f"r{recipient}",
            _("Refer to the %(recipient)s") % {"recipient": Recipient(recipient).label.lower()},
        )
        for recipient, is_flagged in flagged.items()
        if is_flagged and recipient not in waiting and services.RECIPIENT_TIER[recipient] in tiers
    ]


@login_required
@require_GET
def referral_statistics(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_statistics(request.user):
        raise NotAllowed(_("Coordinators and social-work case managers see referral statistics."))
    form = StatisticsForm(request.GET)
    form.is_valid()
    since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    by_provider, by_category = selectors.referral_statistics(request.user, since=since, until=until)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="referral-statistics.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                _("By"),
                _("Name"),
                _("Sent"),
                _("Accepted"),
                _("Declined"),
                _("Delivered"),
                _("Not delivered"),
                _("Overdue"),
                _("Median days to acknowledge"),
                _("Median days to deliver"),
            ]
        )
        for by, rows in ((_("Provider"), by_provider), (_("Category"), by_category)):
            for row in rows:
                writer.writerow(
                    safe_row(
                        [
                            by,
                            row.label,
                            row.sent,
                            row.accepted,
                            row.declined,
                            row.delivered,
                            row.not_delivered,
                            row.overdue,
                            row.median_acknowledge,
                            row.median_deliver,
                        ]
                    )
                )
        return response
    tables = [
        (_("By provider"), by_provider, "by-provider"),
        (_("By category"), by_category, "by-category"),
    ]
    context = {"form": form, "tables": tables}
    return render(request, "referrals/statistics.html", context)
