"""Pages of communication strategy, activities and campaigns, messages to consenting returnees.

Pages show returnees by name and masked contact only: nothing of their cases.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.accounts.models import Office
from reintegra.core.errors import NotAllowed, ServiceError, StaleVersion
from reintegra.core.pagination import paginate
from reintegra.core.views import add_service_error, run_service
from reintegra.outreach.choices.communication import (
    SMS_MAX_LENGTH,
    Audience,
    Channel,
    MessageStatus,
    StrategyStatus,
)
from reintegra.outreach.forms.communication import (
    ActivityFilterForm,
    ActivityForm,
    CampaignForm,
    MessageForm,
    StrategyForm,
)
from reintegra.outreach.permissions.communication import (
    can_compose_message,
    can_edit_activity,
    can_edit_campaign,
    can_edit_communication,
    can_edit_strategy,
    can_log_activity,
    can_send_message,
    can_view_activities,
    can_view_communication,
    can_view_messages,
    logging_offices,
    messaging_offices,
    writing_offices,
)
from reintegra.outreach.selectors.communication import (
    ActivityFilters,
    activity_get_for_user,
    activity_list_for_user,
    campaign_get_for_user,
    campaign_list_for_user,
    deliveries_of,
    message_get_for_user,
    message_list_for_user,
    message_preview,
    reach_summary,
    reach_table,
    strategy_get_for_user,
    strategy_list_for_user,
)
from reintegra.outreach.services import communication as services
from reintegra.people.choices import Sex


def _reader(request: HttpRequest) -> None:
    if not can_view_communication(request.user):
        raise NotAllowed(_("Your role does not use the communication pages."))


def _activities_reader(request: HttpRequest) -> None:
    if not can_view_activities(request.user):
        raise NotAllowed(_("Your role does not use the communication pages."))


def _writer(request: HttpRequest) -> None:
    if not can_edit_communication(request.user):
        raise NotAllowed(_("The communication focal point keeps these records."))


def _offices(ids: frozenset[int]) -> Any:
    return Office.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _status(request: HttpRequest, ok: bool) -> int:
    return 200 if request.method == "GET" or ok else 422


# --- strategy ---------------------------------------------------------------------------------


@login_required
@require_GET
def strategy(request: HttpRequest) -> HttpResponse:
    """The strategies in force and the history of the others."""
    _reader(request)
    strategies = list(strategy_list_for_user(request.user))
    context = {
        "current": [s for s in strategies if s.status == StrategyStatus.IN_FORCE],
        "history": [s for s in strategies if s.status != StrategyStatus.IN_FORCE],
        "can_edit": can_edit_communication(request.user),
        "perms_messages": can_view_messages(request.user),
    }
    return render(request, "outreach/communication/strategy_list.html", context)


def _strategy_form_page(
    request: HttpRequest, form: StrategyForm, item: Any, status: int
) -> HttpResponse:
    context = {"form": form, "strategy": item}
    return render(request, "outreach/communication/strategy_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_new(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = StrategyForm(request.POST or None, offices=_offices(writing_offices(request.user)))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.strategy_create(
                actor=request.user, office=form.cleaned_data["office"], **form.values()
            )
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Strategy saved."))
            return redirect("outreach:strategy_detail", pk=created.pk)
    return _strategy_form_page(request, form, None, _status(request, False))


@login_required
@require_GET
def strategy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = strategy_get_for_user(request.user, pk)
    audiences, channels = dict(Audience.choices), dict(Channel.choices)
    context = {
        "strategy": item,
        "can_edit": can_edit_strategy(request.user, item),
        "audiences": [audiences.get(code, code) for code in item.audiences or []],
        "channels": [channels.get(code, code) for code in item.channels or []],
        "key_messages": [
            (m.get("text", ""), audiences.get(m.get("audience", ""), ""))
            for m in item.key_messages or []
        ],
    }
    return render(request, "outreach/communication/strategy_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = strategy_get_for_user(request.user, pk)
    if not can_edit_strategy(request.user, item):
        raise NotAllowed(_("The communication focal point keeps the strategy."))
    form = StrategyForm(request.POST or None, strategy=item)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.strategy_update(
                    actor=request.user,
                    strategy=item,
                    version=form.cleaned_data.get("version"),
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                item.refresh_from_db()
                form = StrategyForm(strategy=item)
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Strategy saved."))
                return redirect("outreach:strategy_detail", pk=item.pk)
    return _strategy_form_page(request, form, item, status)


# --- campaigns --------------------------------------------------------------------------------


@login_required
@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    _reader(request)
    page = paginate(campaign_list_for_user(request.user), request.GET.get("page"))
    context = {
        "page": page,
        "can_edit": can_edit_communication(request.user),
        "perms_messages": can_view_messages(request.user),
    }
    return render(request, "outreach/communication/campaign_list.html", context)


def _campaign_form(request: HttpRequest, instance: Any = None) -> CampaignForm:
    strategies = strategy_list_for_user(request.user).exclude(status=StrategyStatus.ARCHIVED)
    if instance is None:
        return CampaignForm(
            request.POST or None,
            offices=_offices(writing_offices(request.user)),
            strategies=strategies,
        )
    return CampaignForm(
        request.POST or None,
        instance=instance,
        initial={"version": instance.version},
        strategies=strategy_list_for_user(request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = _campaign_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.campaign_create(
                actor=request.user, office=form.cleaned_data["office"], **form.values()
            )
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("outreach:campaign_detail", pk=created.pk)
    context = {"form": form, "campaign": None}
    return render(
        request,
        "outreach/communication/campaign_form.html",
        context,
        status=_status(request, False),
    )


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = campaign_get_for_user(request.user, pk)
    activities = activity_list_for_user(request.user, ActivityFilters(campaign=item.pk))
    context = {
        "campaign": item,
        "activities": activities,
        "summary": reach_summary(request.user, ActivityFilters(campaign=item.pk)),
        "can_edit": can_edit_campaign(request.user, item),
        "can_log": can_edit_communication(request.user),
    }
    return render(request, "outreach/communication/campaign_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = campaign_get_for_user(request.user, pk)
    if not can_edit_campaign(request.user, item):
        raise NotAllowed(_("The communication focal point keeps the campaigns."))
    form = _campaign_form(request, item)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.campaign_update(
                    actor=request.user,
                    campaign=item,
                    version=form.cleaned_data.get("version"),
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                item.refresh_from_db()
                form = CampaignForm(instance=item, initial={"version": item.version})
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("outreach:campaign_detail", pk=item.pk)
    context = {"form": form, "campaign": item}
    return render(request, "outreach/communication/campaign_form.html", context, status=status)


# --- activities -------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[ActivityFilterForm, ActivityFilters]:
    form = ActivityFilterForm(request.GET or None, campaigns=campaign_list_for_user(request.user))
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    campaign = data.get("campaign")
    filters = ActivityFilters(
        kind=data.get("kind") or "",
        campaign=campaign.pk if campaign else None,
        since=data.get("since"),
        until=data.get("until"),
        region=data.get("region") or "",
    )
    return form, filters


@login_required
@require_GET
def activities(request: HttpRequest) -> HttpResponse:
    _activities_reader(request)
    form, filters = _filters(request)
    page = paginate(activity_list_for_user(request.user, filters), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "summary": reach_summary(request.user, filters),
        "can_edit": can_log_activity(request.user),
        "perms_messages": can_view_messages(request.user),
        "only_activities": not can_view_communication(request.user),
    }
    return render(request, "outreach/communication/activity_list.html", context)


def _activity_form(request: HttpRequest, instance: Any = None) -> ActivityForm:
    campaigns = campaign_list_for_user(request.user)
    if instance is None:
        initial = {}
        campaign = request.GET.get("campaign")
        if campaign and campaign.isdigit():
            initial["campaign"] = campaign
        return ActivityForm(
            request.POST or None,
            offices=_offices(logging_offices(request.user)),
            campaigns=campaigns,
            initial=initial,
        )
    return ActivityForm(
        request.POST or None,
        instance=instance,
        initial={"version": instance.version},
        campaigns=campaigns,
    )


def _activity_form_page(request: HttpRequest, form: ActivityForm, item: Any, status: int):
    context = {"form": form, "activity": item, "sexes": Sex.choices}
    return render(request, "outreach/communication/activity_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    if not can_log_activity(request.user):
        raise NotAllowed(_("The communication focal point and case managers log activities."))
    form = _activity_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.activity_create(
                actor=request.user,
                office=form.cleaned_data["office"],
                reach=form.reach(),
                **form.values(),
            )
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Activity logged."))
            return redirect("outreach:activity_detail", pk=created.pk)
    return _activity_form_page(request, form, None, _status(request, False))


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _activities_reader(request)
    item = activity_get_for_user(request.user, pk)
    context = {
        "activity": item,
        "table": reach_table(item),
        "sexes": Sex.choices,
        "can_edit": can_edit_activity(request.user, item),
    }
    return render(request, "outreach/communication/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _activities_reader(request)
    item = activity_get_for_user(request.user, pk)
    if not can_edit_activity(request.user, item):
        raise NotAllowed(_("The communication focal point keeps the activities."))
    form = _activity_form(request, item)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.activity_update(
                    actor=request.user,
                    activity=item,
                    version=form.cleaned_data.get("version"),
                    reach=form.reach(),
                    **form.values(),
                )
            except StaleVersion as err:
                messages.error(request, err.message)
                status = 409
                item.refresh_from_db()
                form = ActivityForm(
                    instance=item,
                    initial={"version": item.version},
                    campaigns=campaign_list_for_user(request.user),
                )
            except ServiceError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Activity saved."))
                return redirect("outreach:activity_detail", pk=item.pk)
    return _activity_form_page(request, form, item, status)


@login_required
@require_GET
def reach(request: HttpRequest) -> HttpResponse:
    """People reached in the user's scope: by sex, by age band, by type of activity."""
    _reader(request)
    form, filters = _filters(request)
    context = {
        "form": form,
        "summary": reach_summary(request.user, filters),
        "perms_messages": can_view_messages(request.user),
    }
    return render(request, "outreach/communication/reach.html", context)


# --- messages ---------------------------------------------------------------------------------


def _messenger(request: HttpRequest) -> None:
    if not can_view_messages(request.user):
        raise NotAllowed(_("The communication focal point and coordinators send messages."))


@login_required
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    _messenger(request)
    page = paginate(message_list_for_user(request.user), request.GET.get("page"))
    context = {"page": page, "can_compose": can_compose_message(request.user)}
    return render(request, "outreach/communication/message_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def message_new(request: HttpRequest) -> HttpResponse:
    """Compose a message; saving it shows the preview of who will receive it."""
    _messenger(request)
    offices = _offices(messaging_offices(request.user))
    initial = {"office": offices.first()}
    form = MessageForm(request.POST or None, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.message_create(actor=request.user, **form.cleaned_data)
        except ServiceError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Message saved as a draft: check the preview, then send."))
            return redirect("outreach:message_detail", pk=created.pk)
    context = {"form": form, "sms_max": SMS_MAX_LENGTH}
    return render(
        request,
        "outreach/communication/message_form.html",
        context,
        status=_status(request, False),
    )


def _message_context(request: HttpRequest, item: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"message": item}
    if item.status == MessageStatus.DRAFT:
        context["preview"] = message_preview(request.user, item)
    return context


@login_required
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _messenger(request)
    item = message_get_for_user(request.user, pk)
    context = _message_context(request, item)
    context["can_send"] = can_send_message(request.user, item) and (
        item.status != MessageStatus.SENT
    )
    context["deliveries"] = paginate(deliveries_of(item), request.GET.get("page"))
    return render(request, "outreach/communication/message_detail.html", context)


@login_required
@require_GET
def message_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the message page polls while it is sending."""
    _messenger(request)
    item = message_get_for_user(request.user, pk)
    return render(request, "outreach/communication/_message_progress.html", {"message": item})


@login_required
@require_POST
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    _messenger(request)
    item = message_get_for_user(request.user, pk)
    if not can_send_message(request.user, item):
        raise NotAllowed(_("You may not send messages for this office."))
    version = request.POST.get("version")
    run_service(
        request,
        services.message_send,
        _("Sending started."),
        message=item,
        version=int(version) if version and version.isdigit() else None,
    )
    return redirect("outreach:message_detail", pk=item.pk)
