"""Reads of community profiles and community-based projects, restricted to the user.

A returnee participant's name and case link are given only to viewers who see that case;
everyone who sees the project sees the totals.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.models import Office, User
from reintegra.cases.selectors import case_visible_to
from reintegra.community.choices.projects import (
    FOCAL_POINT_ROLES,
    ParticipantKind,
    ProjectStatus,
)
from reintegra.community.models.projects import (
    PROFILE_FORM_ID,
    CommunityProfile,
    CommunityProject,
    IndicatorMeasurement,
    ProjectIndicator,
    ProjectParticipant,
)
from reintegra.community.permissions.projects import (
    can_view_projects,
    keeping_offices,
    staff_offices,
)
from reintegra.instruments.models import Instrument
from reintegra.people.choices import AgeBand, Sex
from reintegra.plans.models import BudgetLine
from reintegra.providers.models import Provider


def project_visible_to(user: Any) -> QuerySet[CommunityProject]:
    """Projects of the offices in the user's scope, and those they lead or are assigned to."""
    if not can_view_projects(user):
        return CommunityProject.objects.none()
    q = Q(office_id__in=sorted(staff_offices(user))) | Q(lead_id=user.pk)
    assigned = CommunityProject.focal_points.through.objects.filter(user_id=user.pk).values(
        "communityproject_id"
    )
    return CommunityProject.objects.filter(q | Q(pk__in=assigned))


def profile_visible_to(user: Any) -> QuerySet[CommunityProfile]:
    if not can_view_projects(user):
        return CommunityProfile.objects.none()
    return CommunityProfile.objects.filter(office_id__in=sorted(staff_offices(user)))


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def project_get_for_user(user: Any, pk: Any) -> CommunityProject:
    """The project, or Http404 when it is missing or outside the user's reach."""
    project = (
        project_visible_to(user)
        .select_related("office", "lead", "profile", "partner", "budget_line", "created_by")
        .prefetch_related("focal_points")
        .filter(pk=_pk(pk))
        .first()
    )
    if project is None:
        raise Http404
    return project


def profile_get_for_user(user: Any, pk: Any) -> CommunityProfile:
    profile = (
        profile_visible_to(user)
        .select_related("office", "author", "instrument_version__instrument")
        .filter(pk=_pk(pk))
        .first()
    )
    if profile is None:
        raise Http404
    return profile


@dataclass
class ProjectFilters:
    status: str = ""
    approach: str = ""
    region: str = ""
    mine: bool = False


def project_list_for_user(
    user: Any, filters: ProjectFilters | None = None
) -> QuerySet[CommunityProject]:
    f = filters or ProjectFilters()
    qs = project_visible_to(user).select_related("office", "lead")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.approach:
        qs = qs.filter(approach=f.approach)
    if f.region.strip():
        qs = qs.filter(region__icontains=f.region.strip())
    if f.mine:
        assigned = CommunityProject.focal_points.through.objects.filter(user_id=user.pk).values(
            "communityproject_id"
        )
        qs = qs.filter(Q(lead_id=user.pk) | Q(pk__in=assigned))
    return qs.order_by("-created_at", "-pk")


def profile_list_for_user(user: Any, region: str = "") -> QuerySet[CommunityProfile]:
    qs = profile_visible_to(user).select_related("office", "author")
    if region.strip():
        qs = qs.filter(region__icontains=region.strip())
    return qs.order_by("-profiled_on", "-pk")


def lead_candidates(office_ids: Any = None) -> QuerySet[User]:
    """Active users who may lead a project: case managers and coordinators (at the scope of
    one of `office_ids` when given)."""
    users = User.objects.filter(
        is_active=True,
        assignments__role__in=[Role.CASE_MANAGER, Role.COORDINATOR],
        assignments__is_active=True,
    ).distinct()
    if office_ids is not None:
        wanted = set(office_ids)
        ids = [
            u.pk
            for u in users
            if wanted & principal(u).offices(Role.CASE_MANAGER, Role.COORDINATOR)
        ]
        users = User.objects.filter(pk__in=ids)
    return users.order_by("last_name", "first_name")


def may_lead(user: Any, office_id: int) -> bool:
    return office_id in principal(user).offices(Role.CASE_MANAGER, Role.COORDINATOR)


def focal_point_candidates() -> QuerySet[User]:
    """Active users holding a communication, protection or M&E role."""
    ids = [u.pk for u in User.objects.filter(is_active=True) if is_focal_point(u)]
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


def is_focal_point(user: Any) -> bool:
    return principal(user).has_role(*FOCAL_POINT_ROLES)


def profile_choices(user: Any) -> QuerySet[CommunityProfile]:
    return profile_visible_to(user).order_by("community")


# --- participants, as a viewer may see them --------------------------------------------------


def participants_for_viewer(user: Any, project: CommunityProject) -> dict[str, Any]:
    """Rows and totals. A returnee row carries the name and case only when the viewer sees the
    case; otherwise it says so, and the row still counts in the totals."""
    rows = list(project.participants.select_related("case", "case__person").order_by("pk"))
    case_ids = [r.case_id for r in rows if r.case_id]
    seen = set(case_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    hidden = _("Returnee (case not in your caseload)")
    out: list[dict[str, Any]] = []
    by_sex: Counter[str] = Counter()
    by_age: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    grid: Counter[tuple[str, str]] = Counter()
    for r in rows:
        shown = r.case_id in seen
        out.append(
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "case_id": r.case_id if shown else None,
                "case_number": r.case.number if shown and r.case else "",
                "name": (r.case.person.full_name if shown and r.case else hidden)
                if r.kind == ParticipantKind.RETURNEE
                else r.name,
                "sex": r.sex,
                "sex_label": r.get_sex_display(),
                "age_band": r.age_band,
                "age_band_label": r.get_age_band_display() if r.age_band else "",
                "count": r.count,
                "role": r.role,
            }
        )
        by_sex[r.sex] += r.count
        by_age[r.age_band or ""] += r.count
        by_kind[r.kind] += r.count
        grid[(r.sex, r.age_band or "")] += r.count
    bands = [(code, str(label)) for code, label in AgeBand.choices]
    if by_age.get(""):
        bands.append(("", _("Age not known")))
    table = [
        {
            "sex": str(label),
            "cells": [grid.get((code, band), 0) for band, _l in bands],
            "total": by_sex.get(code, 0),
        }
        for code, label in Sex.choices
    ]
    return {
        "rows": out,
        "bands": [label for _c, label in bands],
        "table": table,
        "by_age": [by_age.get(code, 0) for code, _l in bands],
        "returnees": by_kind.get(ParticipantKind.RETURNEE, 0),
        "community": by_kind.get(ParticipantKind.COMMUNITY, 0),
        "total": sum(by_kind.values()),
    }


def indicators_with_progress(project: CommunityProject) -> list[dict[str, Any]]:
    """Each indicator with its measurements, latest value and progress towards the target."""
    indicators = project.indicators.prefetch_related(
        Prefetch("measurements", queryset=IndicatorMeasurement.objects.order_by("measured_on"))
    )
    out = []
    for ind in indicators:
        measurements = list(ind.measurements.all())
        latest = measurements[-1].value if measurements else None
        out.append(
            {
                "indicator": ind,
                "measurements": measurements,
                "latest": latest,
                "progress": ind.progress(latest),
            }
        )
    return out


def indicator_get(project: CommunityProject, pk: Any) -> ProjectIndicator:
    found = project.indicators.filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def participant_get(project: CommunityProject, pk: Any) -> ProjectParticipant:
    found = project.participants.filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def caseload_for_participants(user: Any, project: CommunityProject) -> QuerySet[Any]:
    """Open cases the user sees at the project's office (or below it), not yet taking part
    (the add form)."""
    taken = project.participants.filter(case__isnull=False).values("case_id")
    return (
        case_visible_to(user)
        .filter(office__path__startswith=project.office.path)
        .exclude(pk__in=taken)
        .filter(closed_on__isnull=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_names")
    )


# --- home ------------------------------------------------------------------------------------


def home_projects(user: Any, limit: int = 5) -> dict[str, Any] | None:
    """The home page's section: the user's own projects (lead or assigned) first, else the
    active ones in scope; None when the user does not use projects."""
    if not can_view_projects(user):
        return None
    mine = list(project_list_for_user(user, ProjectFilters(mine=True))[:limit])
    running = project_visible_to(user).filter(
        status__in=[ProjectStatus.ACTIVE, ProjectStatus.PLANNED]
    )
    counts = running.aggregate(
        active=Count("pk", filter=Q(status=ProjectStatus.ACTIVE)),
        planned=Count("pk", filter=Q(status=ProjectStatus.PLANNED)),
    )
    return {
        "mine": mine,
        "active": counts["active"],
        "planned": counts["planned"],
        "recent": [] if mine else list(running.select_related("office").order_by("-pk")[:limit]),
    }


def budget_line_choices(office_ids: Any) -> QuerySet[BudgetLine]:
    """Active budget lines a project at one of these offices may name (its office's and those
    above it). Shown with their code and what remains; projects never spend them."""
    ids: set[int] = set()
    for office in Office.objects.filter(pk__in=sorted(office_ids)):
        ids |= office.line_ids
    return BudgetLine.objects.filter(is_active=True, office_id__in=sorted(ids)).order_by("code")


def partner_choices() -> QuerySet[Provider]:
    return Provider.objects.filter(is_active=True).order_by("name")


def office_choices(user: Any) -> QuerySet[Office]:
    """Offices where the user may start a profile or a project."""
    return Office.objects.filter(pk__in=sorted(keeping_offices(user)), is_active=True).order_by(
        "path"
    )


def profile_instrument() -> Any:
    """The current version of the programme's community profile instrument (XLSForm form id
    `community_profile`), or None when the programme has none: profiles are then typed in."""
    instrument = (
        Instrument.objects.filter(code=PROFILE_FORM_ID, is_active=True, current__isnull=False)
        .select_related("current", "current__instrument")
        .first()
    )
    return instrument.current if instrument else None
