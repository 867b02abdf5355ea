"""Reads of the structural register. It holds no returnee data: every staff role but the system
administrator reads all of it (no record is out of scope): the getters answer 404 for a missing
record and refuse (403) the roles without the register."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.community.choices.structural import AgreementStatus
from reintegra.community.models.structural import (
    Agreement,
    CapacityActivity,
    ContactPoint,
    CoordinationMechanism,
    FollowUpAction,
    MechanismMeeting,
    SopVersion,
    Stakeholder,
    agreement_alert_days,
)
from reintegra.community.permissions.structural import can_view_structural, coordinating_offices
from reintegra.core.api import MAX_ID
from reintegra.core.errors import NotAllowed


def _pk(pk: Any) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= value <= MAX_ID:
        raise Http404
    return value


def _get[T: Model](user: Any, queryset: QuerySet[T], pk: Any) -> T:
    # Roles without the register (the system administrator) are refused before any lookup,
    # so the answer says nothing about which records exist.
    if not can_view_structural(user):
        raise NotAllowed(_("Your role does not use the stakeholder register."))
    found = queryset.filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


# --- stakeholders -------------------------------------------------------------------------------


@dataclass
class StakeholderFilters:
    query: str = ""
    kind: str = ""
    engagement: str = ""
    region: str = ""
    active_only: bool = True


def stakeholder_list(filters: StakeholderFilters | None = None) -> QuerySet[Stakeholder]:
    f = filters or StakeholderFilters()
    qs = Stakeholder.objects.select_related("office")
    if f.active_only:
        qs = qs.filter(is_active=True)
    if f.query.strip():
        text = f.query.strip()
        # A subquery rather than a join, so a stakeholder with two matching contacts is
        # listed (and counted) once.
        contacts = ContactPoint.objects.filter(name__icontains=text).values("stakeholder_id")
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(pk__in=contacts)
            | Q(concerns__icontains=text)
            | Q(expectations__icontains=text)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.engagement:
        qs = qs.filter(engagement=f.engagement)
    if f.region.strip():
        qs = qs.filter(region__icontains=f.region.strip())
    return qs.order_by("name", "pk")


def stakeholder_get_for_user(user: Any, pk: Any) -> Stakeholder:
    return _get(
        user,
        Stakeholder.objects.select_related("office", "provider").prefetch_related(
            "contacts", "agreements"
        ),
        pk,
    )


def stakeholder_choices() -> QuerySet[Stakeholder]:
    """The active stakeholders, for choosing one in a form."""
    return Stakeholder.objects.filter(is_active=True).order_by("name", "pk")


def engagement_history(stakeholder: Stakeholder) -> QuerySet[Any]:
    return stakeholder.engagements.select_related("by").order_by("-occurred_on", "-pk")


# --- agreements ---------------------------------------------------------------------------------


def status_q(status: str) -> Q:
    """The agreements with this derived status today (as Agreement.status_on says)."""
    today = timezone.localdate()
    alert_end = today + timedelta(days=agreement_alert_days())
    live = Q(terminated_on__isnull=True, signed_on__isnull=False)
    by_status: dict[str, Q] = {
        AgreementStatus.TERMINATED: Q(terminated_on__isnull=False),
        AgreementStatus.DRAFT: Q(terminated_on__isnull=True, signed_on__isnull=True),
        AgreementStatus.EXPIRED: live & Q(ends_on__lt=today),
        AgreementStatus.EXPIRING: live & Q(ends_on__gte=today, ends_on__lte=alert_end),
        AgreementStatus.IN_FORCE: live & (Q(ends_on__isnull=True) | Q(ends_on__gt=alert_end)),
    }
    return by_status.get(status, Q())


@dataclass
class AgreementFilters:
    query: str = ""
    kind: str = ""
    status: str = ""
    expiring: bool = False
    stakeholder: int | None = None


def agreement_list(filters: AgreementFilters | None = None) -> QuerySet[Agreement]:
    f = filters or AgreementFilters()
    qs = Agreement.objects.select_related("stakeholder", "office")
    if f.query.strip():
        text = f.query.strip()
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(reference__icontains=text)
            | Q(stakeholder__name__icontains=text)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status_q(f.status))
    if f.expiring:
        qs = qs.filter(status_q(AgreementStatus.EXPIRING))
    if f.stakeholder:
        qs = qs.filter(stakeholder_id=f.stakeholder)
    # The soonest end first; open-ended agreements last.
    return qs.order_by(F("ends_on").asc(nulls_last=True), "title", "pk")


def agreement_get_for_user(user: Any, pk: Any) -> Agreement:
    return _get(user, Agreement.objects.select_related("stakeholder", "office"), pk)


def expiring_agreements(user: Any, limit: int = 10) -> list[Agreement]:
    """Agreements kept in the coordinator's scope that end within the alert days."""
    offices = coordinating_offices(user)
    if not offices:
        return []
    return list(
        Agreement.objects.filter(status_q(AgreementStatus.EXPIRING), office_id__in=offices)
        .select_related("stakeholder")
        .order_by("ends_on", "pk")[:limit]
    )


# --- capacity building --------------------------------------------------------------------------


@dataclass
class CapacityFilters:
    query: str = ""
    kind: str = ""
    stakeholder: int | None = None


def capacity_list(filters: CapacityFilters | None = None) -> QuerySet[CapacityActivity]:
    f = filters or CapacityFilters()
    qs = CapacityActivity.objects.select_related("stakeholder", "office")
    if f.query.strip():
        text = f.query.strip()
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(institution_name__icontains=text)
            | Q(stakeholder__name__icontains=text)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.stakeholder:
        qs = qs.filter(stakeholder_id=f.stakeholder)
    return qs.order_by("-starts_on", "-pk")


def capacity_get_for_user(user: Any, pk: Any) -> CapacityActivity:
    return _get(user, CapacityActivity.objects.select_related("stakeholder", "office"), pk)


# --- coordination -------------------------------------------------------------------------------


def _open_actions() -> QuerySet[FollowUpAction]:
    return FollowUpAction.objects.filter(done_on__isnull=True)


def mechanism_list(active_only: bool = False) -> QuerySet[CoordinationMechanism]:
    # A correlated subquery, not a join: the list (and its paginated count) keeps one row
    # per mechanism.
    open_actions = (
        _open_actions()
        .filter(meeting__mechanism=OuterRef("pk"))
        .order_by()
        .values("meeting__mechanism")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = CoordinationMechanism.objects.select_related("lead", "office").annotate(
        open_actions=Coalesce(Subquery(open_actions, output_field=IntegerField()), 0)
    )
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "pk")


def mechanism_get_for_user(user: Any, pk: Any) -> CoordinationMechanism:
    return _get(user, CoordinationMechanism.objects.select_related("lead", "office"), pk)


def mechanism_meetings(mechanism: CoordinationMechanism) -> QuerySet[MechanismMeeting]:
    return mechanism.meetings.prefetch_related("stakeholders").order_by("-held_on", "-pk")


def mechanism_open_actions(mechanism: CoordinationMechanism) -> QuerySet[FollowUpAction]:
    return (
        _open_actions()
        .filter(meeting__mechanism=mechanism)
        .select_related("owner", "meeting__mechanism")
        .order_by("due_on", "pk")
    )


def mechanism_sops(mechanism: CoordinationMechanism | None) -> QuerySet[SopVersion]:
    """A mechanism's SOP versions (programme-wide ones when None), current first."""
    return SopVersion.objects.filter(mechanism=mechanism).order_by(
        "title", "-is_current", "-effective_on", "-pk"
    )


def meeting_get_for_user(user: Any, pk: Any) -> MechanismMeeting:
    return _get(
        user,
        MechanismMeeting.objects.select_related("mechanism", "mechanism__office").prefetch_related(
            "stakeholders",
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner", "done_by")),
        ),
        pk,
    )


def action_get_for_user(user: Any, pk: Any) -> FollowUpAction:
    return _get(
        user,
        FollowUpAction.objects.select_related("meeting", "meeting__mechanism", "owner"),
        pk,
    )


def action_list(user: Any, mine: bool = False) -> QuerySet[FollowUpAction]:
    """Open follow-up actions, the earliest due first (the user's own with `mine`)."""
    qs = _open_actions().select_related("owner", "meeting", "meeting__mechanism")
    if mine:
        qs = qs.filter(owner_id=user.pk)
    return qs.order_by("due_on", "pk")


def sop_get_for_user(user: Any, pk: Any) -> SopVersion:
    return _get(user, SopVersion.objects.select_related("mechanism", "office"), pk)


def sop_list() -> QuerySet[SopVersion]:
    """Every SOP version, programme-wide ones first, then by mechanism and title."""
    return SopVersion.objects.select_related("mechanism").order_by(
        "mechanism__name", "title", "-is_current", "-effective_on", "-pk"
    )


# --- home page ----------------------------------------------------------------------------------


def home_structural(user: Any) -> dict[str, Any] | None:
    """The home section: agreements about to expire and overdue follow-up actions in a
    coordinator's scope, and the user's own open actions. None when there is nothing to show."""
    if not can_view_structural(user):
        return None
    today = timezone.localdate()
    offices = coordinating_offices(user)
    # One query for both lists: the user's own open actions and, for a coordinator, the
    # overdue ones of their offices' mechanisms.
    wanted = Q(owner_id=user.pk)
    if offices:
        wanted |= Q(due_on__lt=today, meeting__mechanism__office_id__in=sorted(offices))
    actions = list(
        _open_actions()
        .filter(wanted)
        .select_related("owner", "meeting__mechanism")
        .order_by("due_on", "pk")[:40]
    )
    overdue = [
        a
        for a in actions
        if offices and a.due_on and a.due_on < today and a.meeting.mechanism.office_id in offices
    ][:10]
    mine = [a for a in actions if a.owner_id == user.pk][:10]
    expiring = expiring_agreements(user)
    if not (expiring or overdue or mine):
        return None
    return {
        "expiring": expiring,
        "overdue": overdue,
        "mine": mine,
        "alert_days": agreement_alert_days(),
    }
