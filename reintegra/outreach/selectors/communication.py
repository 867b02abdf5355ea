"""Reads of the communication area, restricted to the user's scope. An object outside it is
missing (Http404), exactly like one that does not exist."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from reintegra.accounts.models import Office
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.outreach.choices.communication import (
    ActivityKind,
    MessageChannel,
    StrategyStatus,
)
from reintegra.outreach.models.communication import (
    Activity,
    ActivityReach,
    Campaign,
    CommunicationStrategy,
    Delivery,
    Message,
)
from reintegra.outreach.permissions.communication import (
    can_view_communication,
    can_view_messages,
    messaging_offices,
    reading_offices,
)
from reintegra.people.choices import AgeBand, ConsentPurpose, Sex
from reintegra.people.models import Consent, Returnee


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


# --- strategy ---------------------------------------------------------------------------------


def strategy_list_for_user(user: Any) -> QuerySet[CommunicationStrategy]:
    """Every strategy of the programme (no personal data: the same for every reader)."""
    if not can_view_communication(user):
        return CommunicationStrategy.objects.none()
    return CommunicationStrategy.objects.select_related("office", "author").order_by(
        "-starts_on", "-pk"
    )


def strategy_in_force(user: Any) -> list[CommunicationStrategy]:
    return list(strategy_list_for_user(user).filter(status=StrategyStatus.IN_FORCE))


def strategy_get_for_user(user: Any, pk: Any) -> CommunicationStrategy:
    found = strategy_list_for_user(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


# --- campaigns and activities -----------------------------------------------------------------


def campaign_list_for_user(user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(office_id__in=reading_offices(user))
        .select_related("office", "strategy")
        .annotate(activity_count=Count("activities"), reached_total=Sum("activities__reached"))
        .order_by("-starts_on", "-pk")
    )


def campaign_get_for_user(user: Any, pk: Any) -> Campaign:
    found = campaign_list_for_user(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


@dataclass
class ActivityFilters:
    kind: str = ""
    campaign: int | None = None
    since: date | None = None
    until: date | None = None
    region: str = ""


def activity_list_for_user(user: Any, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    f = filters or ActivityFilters()
    # Readers see their scope; a case manager sees the activities they logged.
    mine = Q(author_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    qs = Activity.objects.filter(Q(office_id__in=reading_offices(user)) | mine).select_related(
        "office", "campaign", "author"
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.since:
        qs = qs.filter(held_on__gte=f.since)
    if f.until:
        qs = qs.filter(held_on__lte=f.until)
    if f.region.strip():
        qs = qs.filter(region__iexact=f.region.strip())
    return qs.order_by("-held_on", "-pk")


def activity_get_for_user(user: Any, pk: Any) -> Activity:
    found = activity_list_for_user(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def reach_table(activity: Activity) -> list[dict[str, Any]]:
    """The activity's reach as rows of age bands × sexes (zeros included), with totals."""
    counts = {(r.sex, r.age_band): r.count for r in activity.reach.all()}
    rows: list[dict[str, Any]] = []
    grid: list[list[int]] = []
    for band, label in AgeBand.choices:
        cells = [counts.get((sex, band), 0) for sex in Sex.values]
        grid.append(cells)
        rows.append({"band": band, "label": label, "cells": cells, "total": sum(cells)})
    totals = [sum(cells[i] for cells in grid) for i in range(len(Sex.values))]
    return [*rows, {"band": "", "label": "", "cells": totals, "total": sum(totals)}]


def reach_summary(user: Any, filters: ActivityFilters | None = None) -> dict[str, Any]:
    """People reached by the activities the user reads (as filtered): by sex, by age band and
    by type of activity, with the grand total."""
    activities = activity_list_for_user(user, filters)
    cells = ActivityReach.objects.filter(activity__in=activities.values("pk"))
    by_sex = dict(cells.values_list("sex").annotate(n=Sum("count")).order_by())
    by_age = dict(cells.values_list("age_band").annotate(n=Sum("count")).order_by())
    by_kind_rows = (
        activities.order_by().values("kind").annotate(n=Sum("reached"), activities=Count("pk"))
    )
    by_kind = {row["kind"]: (row["activities"], row["n"] or 0) for row in by_kind_rows}
    return {
        "total": sum(by_sex.values()),
        "activities": sum(a for a, _n in by_kind.values()),
        "by_sex": [(label, by_sex.get(code, 0)) for code, label in Sex.choices],
        "by_age": [(label, by_age.get(code, 0)) for code, label in AgeBand.choices],
        "by_kind": [(label, *by_kind.get(code, (0, 0))) for code, label in ActivityKind.choices],
    }


# --- messages ---------------------------------------------------------------------------------


def message_list_for_user(user: Any) -> QuerySet[Message]:
    if not can_view_messages(user):
        return Message.objects.none()
    return (
        Message.objects.filter(office_id__in=messaging_offices(user))
        .select_related("office", "target_office", "author")
        .order_by("-created_at", "-pk")
    )


def message_get_for_user(user: Any, pk: Any) -> Message:
    found = message_list_for_user(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def deliveries_of(message: Message) -> QuerySet[Delivery]:
    """The message's deliveries with the returnee's name (nothing of their case)."""
    return (
        message.deliveries.select_related("person")
        .only(
            "pk",
            "address",
            "status",
            "error",
            "sent_at",
            "delivered_at",
            "message_id",
            "person__given_names",
            "person__family_name",
        )
        .order_by("person__family_name", "person__given_names", "pk")
    )


def _subtree(office: Office) -> QuerySet[Office]:
    return Office.objects.filter(path__startswith=office.path)


def audience_base(
    *,
    user: Any,
    office: Office,
    target_office: Office | None = None,
    region: str = "",
    commune: str = "",
    only_open_cases: bool = False,
) -> QuerySet[Returnee]:
    """Returnees a message of `office` sent by `user` is aimed at, before consent and address
    checks: within the user's messaging scope and the (target) office's subtree."""
    scope = messaging_offices(user)
    within = _subtree(target_office or office).filter(pk__in=scope).values("pk")
    qs = Returnee.objects.filter(office_id__in=within)
    if region.strip():
        qs = qs.filter(region__iexact=region.strip())
    if commune.strip():
        qs = qs.filter(commune__iexact=commune.strip())
    if only_open_cases:
        qs = qs.filter(
            Exists(Case.objects.filter(person=OuterRef("pk")).exclude(stage=Stage.CLOSED))
        )
    return qs


def consenting(qs: QuerySet[Returnee]) -> QuerySet[Returnee]:
    """Those with a valid COMMUNICATION consent (given, not withdrawn)."""
    valid = Consent.objects.filter(
        person=OuterRef("pk"),
        purpose=ConsentPurpose.COMMUNICATION,
        withdrawn_on__isnull=True,
        given_on__lte=timezone.localdate(),
    )
    return qs.filter(Exists(valid))


def address_filter(channel: str) -> Q:
    if channel == MessageChannel.EMAIL:
        return ~Q(email="")
    return ~Q(phone="")


def message_base(user: Any, message: Message) -> QuerySet[Returnee]:
    return audience_base(
        user=user,
        office=message.office,
        target_office=message.target_office,
        region=message.region,
        commune=message.commune,
        only_open_cases=message.only_open_cases,
    )


def message_recipients(user: Any, message: Message) -> QuerySet[Returnee]:
    """The returnees who will receive the message: consenting, with an address."""
    return consenting(message_base(user, message)).filter(address_filter(message.channel))


def message_preview(user: Any, message: Message) -> dict[str, int]:
    """How many will receive it, how many are skipped (no consent, no address). Counts only:
    the people skipped are never listed."""
    base = message_base(user, message)
    total = base.count()
    with_consent = consenting(base)
    agreed = with_consent.count()
    recipients = with_consent.filter(address_filter(message.channel)).count()
    return {
        "recipients": recipients,
        "skipped_consent": total - agreed,
        "skipped_address": agreed - recipients,
        "audience": total,
    }


# --- home -------------------------------------------------------------------------------------


def home_communication(user: Any) -> dict[str, Any] | None:
    """The home page section: the strategy in force, recent activities and messages."""
    if not can_view_communication(user):
        return None
    today = timezone.localdate()
    start = today.replace(day=1)
    month = activity_list_for_user(user, ActivityFilters(since=start)).aggregate(
        count=Count("pk"), reached=Sum("reached")
    )
    return {
        "strategies": strategy_in_force(user),
        "activities": list(activity_list_for_user(user)[:5]),
        "month_activities": month["count"],
        "month_reached": month["reached"] or 0,
        "messages": list(message_list_for_user(user)[:5]),
        "can_message": can_view_messages(user),
    }
