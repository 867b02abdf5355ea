"""API of community profiles and community-based projects. Same selectors, predicates and
services as the pages; a returnee participant's name and case appear only for callers who see
that case."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.cases.selectors import case_visible_to
from reintegra.community.choices.projects import (
    Approach,
    Criterion,
    Dimension,
    ProjectStatus,
    Rating,
)
from reintegra.community.models.projects import CommunityProfile, CommunityProject
from reintegra.community.permissions.projects import (
    can_add_participant,
    can_create_profile,
    can_create_project,
    can_edit_profile,
    can_edit_project,
    can_record_progress,
    can_view_projects,
)
from reintegra.community.selectors.projects import (
    ProjectFilters,
    budget_line_choices,
    office_choices,
    participants_for_viewer,
    partner_choices,
    profile_get_for_user,
    profile_instrument,
    profile_list_for_user,
    profile_visible_to,
    project_get_for_user,
    project_list_for_user,
)
from reintegra.community.services import projects as services
from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.people.choices import AgeBand, Sex

router = Router(tags=["projects"])


# --- schemas ---------------------------------------------------------------------------------


class CriterionOut(Schema):
    code: str
    label: str
    rating: str
    notes: str


class ProjectOut(Schema):
    id: int
    office: int
    title: str
    summary: str
    approach: str
    dimensions: list[str]
    region: str
    department: str
    commune: str
    place: str
    partners: str
    partner_id: int | None
    profile_id: int | None
    checklist: list[CriterionOut]
    budget_amount: Decimal | None
    currency: str
    budget_line_id: int | None
    starts_on: date | None
    ends_on: date | None
    status: str
    status_reason: str
    lead_id: int
    focal_point_ids: list[int]
    version: int


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int


class ProjectQuery(Schema):
    status: Text = Field("", max_length=16)
    approach: Text = Field("", max_length=16)
    region: Text = Field("", max_length=100)
    mine: bool = False
    page: int = 1


class ProjectFields(Schema):
    title: Text | None = Field(None, max_length=200)
    summary: Text | None = Field(None, max_length=10000)
    approach: Text | None = Field(None, max_length=16)
    dimensions: list[Text] | None = Field(None, max_length=3)
    region: Text | None = Field(None, max_length=100)
    department: Text | None = Field(None, max_length=100)
    commune: Text | None = Field(None, max_length=100)
    place: Text | None = Field(None, max_length=200)
    partners: Text | None = Field(None, max_length=5000)
    partner_id: Id | None = None
    profile_id: Id | None = None
    budget_amount: Decimal | None = Field(None, ge=0, le=Decimal("999999999999.99"))
    currency: Text | None = Field(None, max_length=3)
    budget_line_id: Id | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    lead_id: Id | None = None
    focal_point_ids: list[Id] | None = Field(None, max_length=50)


class ProjectIn(ProjectFields):
    office_id: Id
    title: Text = Field(..., max_length=200)  # type: ignore[assignment]
    approach: Text = Field(..., max_length=16)  # type: ignore[assignment]
    region: Text = Field(..., max_length=100)  # type: ignore[assignment]


class ProjectPatch(ProjectFields):
    version: int
    checklist: dict[Text, "CriterionIn"] | None = None


class CriterionIn(Schema):
    rating: Text = Field(Rating.NOT_ASSESSED, max_length=16)
    notes: Text = Field("", max_length=2000)


ProjectPatch.model_rebuild()


class TransitionIn(Schema):
    status: Text = Field(..., max_length=16)
    reason: Text = Field("", max_length=2000)
    version: int | None = None


class ParticipantOut(Schema):
    id: int
    kind: str
    case_id: int | None
    name: str
    sex: str
    age_band: str
    count: int
    role: str


class ParticipantPage(Schema):
    items: list[ParticipantOut]
    count: int
    people: int
    returnees: int
    community_members: int


class ParticipantIn(Schema):
    kind: Literal["RETURNEE", "COMMUNITY"]
    case_id: Id | None = None
    sex: Text = Field("", max_length=1)
    age_band: Text = Field("", max_length=5)
    count: int = Field(1, ge=1, le=10000)
    name: Text = Field("", max_length=200)
    role: Text = Field("", max_length=100)


class ActivityIn(Schema):
    title: Text = Field(..., max_length=200)
    planned_on: date | None = None
    done_on: date | None = None
    output: Text = Field("", max_length=10000)


class ActivityOut(Schema):
    id: int
    title: str
    planned_on: date | None
    done_on: date | None
    output: str


class ReportIn(Schema):
    period_start: date
    period_end: date
    summary: Text = Field(..., max_length=10000)
    challenges: Text = Field("", max_length=10000)
    next_steps: Text = Field("", max_length=10000)


class ReportOut(Schema):
    id: int
    period_start: date
    period_end: date
    summary: str
    challenges: str
    next_steps: str
    reported_on: date


class ProfileOut(Schema):
    id: int
    office: int
    community: str
    region: str
    department: str
    commune: str
    profiled_on: date
    returnees_count: int
    non_migrants_count: int
    participants_notes: str
    needs: str
    resources: str
    impact_of_returns: str
    migration_drivers: str
    reintegration_barriers: str
    resilience_sources: str
    author_id: int
    instrument_version_id: int | None
    answers: dict[str, Any]
    version: int


class ProfilePage(Schema):
    items: list[ProfileOut]
    count: int


class ProfileFields(Schema):
    community: Text | None = Field(None, max_length=200)
    region: Text | None = Field(None, max_length=100)
    department: Text | None = Field(None, max_length=100)
    commune: Text | None = Field(None, max_length=100)
    profiled_on: date | None = None
    returnees_count: int | None = Field(None, ge=0, le=100000)
    non_migrants_count: int | None = Field(None, ge=0, le=100000)
    participants_notes: Text | None = Field(None, max_length=5000)
    needs: Text | None = Field(None, max_length=10000)
    resources: Text | None = Field(None, max_length=10000)
    impact_of_returns: Text | None = Field(None, max_length=10000)
    migration_drivers: Text | None = Field(None, max_length=10000)
    reintegration_barriers: Text | None = Field(None, max_length=10000)
    resilience_sources: Text | None = Field(None, max_length=10000)
    # Answers to the community profile instrument (by question name), which fill the findings.
    answers: dict[Text, Any] | None = None


class ProfileIn(ProfileFields):
    office_id: Id
    community: Text = Field(..., max_length=200)  # type: ignore[assignment]
    region: Text = Field(..., max_length=100)  # type: ignore[assignment]
    profiled_on: date  # type: ignore[assignment]


class ProfilePatch(ProfileFields):
    version: int


# --- conversions -----------------------------------------------------------------------------


def project_out(p: CommunityProject) -> dict[str, Any]:
    return {
        "id": p.pk,
        "office": p.office_id,
        "title": p.title,
        "summary": p.summary,
        "approach": p.approach,
        "dimensions": list(p.dimensions or []),
        "region": p.region,
        "department": p.department,
        "commune": p.commune,
        "place": p.place,
        "partners": p.partners,
        "partner_id": p.partner_id,
        "profile_id": p.profile_id,
        "checklist": [
            {"code": c["code"], "label": c["label"], "rating": c["rating"], "notes": c["notes"]}
            for c in p.criteria
        ],
        "budget_amount": p.budget_amount,
        "currency": p.currency,
        "budget_line_id": p.budget_line_id,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "status": p.status,
        "status_reason": p.status_reason,
        "lead_id": p.lead_id,
        "focal_point_ids": sorted(u.pk for u in p.focal_points.all()),
        "version": p.version,
    }


def profile_out(p: CommunityProfile) -> dict[str, Any]:
    fields = (
        "community",
        "region",
        "department",
        "commune",
        "profiled_on",
        "returnees_count",
        "non_migrants_count",
        "participants_notes",
        "needs",
        "resources",
        "impact_of_returns",
        "migration_drivers",
        "reintegration_barriers",
        "resilience_sources",
        "version",
    )
    return {
        "id": p.pk,
        "office": p.office_id,
        "author_id": p.author_id,
        "instrument_version_id": p.instrument_version_id,
        "answers": p.answers or {},
        **{f: getattr(p, f) for f in fields},
    }


def _project_fields(
    request: HttpRequest, payload: ProjectFields, office_id: int
) -> tuple[dict[str, Any], list[Any] | None]:
    """The project fields the client sent, with ids turned into objects the caller may name."""
    data = payload.dict(exclude_unset=True, exclude={"version", "office_id", "checklist"})
    if "approach" in data and data["approach"] not in Approach.values:
        raise ValidationFailed(_("Choose an approach."), field="approach")
    if data.get("dimensions") and any(d not in Dimension.values for d in data["dimensions"]):
        raise ValidationFailed(_("Choose dimensions from the list."), field="dimensions")
    out: dict[str, Any] = {}
    focal_points = None
    users = get_user_model().objects.filter(is_active=True)
    for name, value in data.items():
        if name == "partner_id":
            out["partner"] = _find(partner_choices(), value, "partner_id")
        elif name == "profile_id":
            out["profile"] = _find(profile_visible_to(request.user), value, "profile_id")
        elif name == "budget_line_id":
            out["budget_line"] = _find(budget_line_choices([office_id]), value, "budget_line_id")
        elif name == "lead_id":
            lead = _find(users, value, "lead_id")
            if lead is None:
                raise ValidationFailed(_("Choose the lead case manager."), field="lead_id")
            out["lead"] = lead
        elif name == "focal_point_ids":
            focal_points = list(users.filter(pk__in=value or []))
            if len(focal_points) != len(set(value or [])):
                raise ValidationFailed(_("Unknown user."), field="focal_point_ids")
        elif name == "dimensions":
            out[name] = list(value or [])
        elif value is None and name in ("budget_amount", "starts_on", "ends_on"):
            out[name] = None
        elif value is None:
            if name in ("title", "approach", "region", "currency"):
                continue
            out[name] = ""
        else:
            out[name] = value
    return out, focal_points


def _find(queryset: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(_("Choose one from the list."), field=field)
    return found


# --- projects --------------------------------------------------------------------------------


@router.get("/community/projects", response={200: ProjectPage, **ERRORS})
def project_index(request: HttpRequest, params: Query[ProjectQuery]) -> dict[str, Any]:
    """Projects in the caller's reach: filters status, approach, region, mine (lead or
    assigned focal point)."""
    if not can_view_projects(request.user):
        raise NotAllowed(_("Your role does not use community projects."))
    if params.status and params.status not in ProjectStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    if params.approach and params.approach not in Approach.values:
        raise ValidationFailed(_("Choose an approach."), field="approach")
    filters = ProjectFilters(
        status=params.status, approach=params.approach, region=params.region, mine=params.mine
    )
    qs = project_list_for_user(request.user, filters).prefetch_related("focal_points")
    result = paginate(qs, params.page)
    return {"items": [project_out(p) for p in result.items], "count": result.count}


@router.post("/community/projects", response={201: ProjectOut, **ERRORS})
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    """Start a project at an office where the caller is a coordinator or case manager; the
    caller leads it unless `lead_id` names someone else."""
    user = request.user
    if not can_create_project(user):
        raise NotAllowed(_("Coordinators and case managers start community projects."))
    office = office_choices(user).filter(pk=payload.office_id).first()
    if office is None:
        raise ValidationFailed(_("Choose an office where you work."), field="office_id")
    fields, focal_points = _project_fields(request, payload, office.pk)
    project = services.project_create(
        actor=user, office=office, focal_points=focal_points or [], **fields
    )
    return Status(201, project_out(project))


@router.get("/community/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def project_detail(request: HttpRequest, project_id: PathId) -> dict[str, Any]:
    return project_out(project_get_for_user(request.user, project_id))


@router.patch("/community/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def project_update(
    request: HttpRequest, project_id: PathId, payload: ProjectPatch
) -> dict[str, Any]:
    """Change a project's details and/or its checklist (`{"RETURNEES": {"rating": "MET",
    "notes": "..."}}`). A stale `version` answers 409 and changes nothing."""
    project = project_get_for_user(request.user, project_id)
    if not can_edit_project(request.user, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead edit it."))
    if payload.version != project.version:
        raise StaleVersion(_("This project was changed by someone else: it is shown as it is now."))
    fields, focal_points = _project_fields(request, payload, project.office_id)
    ratings = {
        code: {"rating": entry.rating, "notes": entry.notes}
        for code, entry in (payload.checklist or {}).items()
    }
    if any(code not in Criterion.values for code in ratings):
        raise ValidationFailed(_("Unknown criterion."), field="checklist")
    version: int | None = payload.version
    if fields or focal_points is not None:
        project = services.project_update(
            actor=request.user,
            project=project,
            version=version,
            focal_points=focal_points,
            **fields,
        )
        version = None
    if ratings:
        project = services.project_checklist_update(
            actor=request.user, project=project, version=version, ratings=ratings
        )
    return project_out(project_get_for_user(request.user, project.pk))


@router.post("/community/projects/{project_id}/transitions", response={200: ProjectOut, **ERRORS})
def project_transition(
    request: HttpRequest, project_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """Change the status (planned → active → completed; suspended or cancelled with a reason)."""
    project = project_get_for_user(request.user, project_id)
    if not can_edit_project(request.user, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead change its status."))
    if payload.status not in ProjectStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    services.project_transition(
        actor=request.user,
        project=project,
        status=payload.status,
        reason=payload.reason,
        version=payload.version,
    )
    return project_out(project_get_for_user(request.user, project.pk))


@router.get(
    "/community/projects/{project_id}/participants", response={200: ParticipantPage, **ERRORS}
)
def participant_index(request: HttpRequest, project_id: PathId) -> dict[str, Any]:
    """Everyone taking part; returnees' names and cases only for callers who see the case."""
    project = project_get_for_user(request.user, project_id)
    seen = participants_for_viewer(request.user, project)
    items = [
        {
            "id": r["id"],
            "kind": r["kind"],
            "case_id": r["case_id"],
            "name": r["name"],
            "sex": r["sex"],
            "age_band": r["age_band"],
            "count": r["count"],
            "role": r["role"],
        }
        for r in seen["rows"]
    ]
    return {
        "items": items,
        "count": len(items),
        "people": seen["total"],
        "returnees": seen["returnees"],
        "community_members": seen["community"],
    }


@router.post(
    "/community/projects/{project_id}/participants", response={201: ParticipantOut, **ERRORS}
)
def participant_add(
    request: HttpRequest, project_id: PathId, payload: ParticipantIn
) -> Status[dict[str, Any]]:
    """Add a returnee (`kind` RETURNEE with a `case_id` the caller sees) or community members
    (`kind` COMMUNITY: `sex`, `age_band`, `count`, optional `name`)."""
    user = request.user
    project = project_get_for_user(user, project_id)
    if not can_add_participant(user, project):
        raise NotAllowed(_("Coordinators and case managers of the office add participants."))
    if payload.kind == "RETURNEE":
        case = case_visible_to(user).filter(pk=payload.case_id or 0).first()
        if case is None:
            raise ValidationFailed(_("Choose a case from your caseload."), field="case_id")
        row = services.participant_add_returnee(
            actor=user, project=project, case=case, role=payload.role
        )
        name = case.person.full_name
    else:
        if payload.sex not in Sex.values:
            raise ValidationFailed(_("Choose the sex."), field="sex")
        if payload.age_band and payload.age_band not in AgeBand.values:
            raise ValidationFailed(_("Choose an age band from the list."), field="age_band")
        row = services.participant_add_members(
            actor=user,
            project=project,
            sex=payload.sex,
            age_band=payload.age_band,
            count=payload.count,
            name=payload.name,
            role=payload.role,
        )
        name = row.name
    return Status(
        201,
        {
            "id": row.pk,
            "kind": row.kind,
            "case_id": row.case_id,
            "name": name,
            "sex": row.sex,
            "age_band": row.age_band,
            "count": row.count,
            "role": row.role,
        },
    )


def _progress(request: HttpRequest, project_id: int) -> CommunityProject:
    project = project_get_for_user(request.user, project_id)
    if not can_record_progress(request.user, project):
        raise NotAllowed(
            _("The lead, the coordinators and the project's focal points record its progress.")
        )
    return project


@router.post("/community/projects/{project_id}/activities", response={201: ActivityOut, **ERRORS})
def activity_add(
    request: HttpRequest, project_id: PathId, payload: ActivityIn
) -> Status[dict[str, Any]]:
    project = _progress(request, project_id)
    a = services.activity_add(actor=request.user, project=project, **payload.dict())
    return Status(
        201,
        {
            "id": a.pk,
            "title": a.title,
            "planned_on": a.planned_on,
            "done_on": a.done_on,
            "output": a.output,
        },
    )


@router.post("/community/projects/{project_id}/reports", response={201: ReportOut, **ERRORS})
def report_add(
    request: HttpRequest, project_id: PathId, payload: ReportIn
) -> Status[dict[str, Any]]:
    project = _progress(request, project_id)
    r = services.report_add(actor=request.user, project=project, **payload.dict())
    return Status(
        201,
        {
            "id": r.pk,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "summary": r.summary,
            "challenges": r.challenges,
            "next_steps": r.next_steps,
            "reported_on": r.reported_on,
        },
    )


# --- community profiles ------------------------------------------------------------------------


class ProfileQuery(Schema):
    region: Text = Field("", max_length=100)
    page: int = 1


@router.get("/community/profiles", response={200: ProfilePage, **ERRORS})
def profile_index(request: HttpRequest, params: Query[ProfileQuery]) -> dict[str, Any]:
    if not can_view_projects(request.user):
        raise NotAllowed(_("Your role does not use community projects."))
    result = paginate(profile_list_for_user(request.user, params.region), params.page)
    return {"items": [profile_out(p) for p in result.items], "count": result.count}


def _profile_fields(payload: ProfileFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True, exclude={"version", "office_id", "answers"})
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value is None and name in ("community", "region", "profiled_on"):
            continue
        if value is None and name not in ("returnees_count", "non_migrants_count"):
            value = ""
        out[name] = value
    return out


@router.post("/community/profiles", response={201: ProfileOut, **ERRORS})
def profile_create(request: HttpRequest, payload: ProfileIn) -> Status[dict[str, Any]]:
    user = request.user
    if not can_create_profile(user):
        raise NotAllowed(_("Coordinators and case managers draw up community profiles."))
    office = office_choices(user).filter(pk=payload.office_id).first()
    if office is None:
        raise ValidationFailed(_("Choose an office where you work."), field="office_id")
    extra: dict[str, Any] = {}
    if payload.answers is not None:
        version = profile_instrument()
        if version is None:
            raise ValidationFailed(
                _("The programme has no community profile instrument."), field="answers"
            )
        extra = {"instrument_version": version, "answers": payload.answers}
    profile = services.profile_create(
        actor=user, office=office, **extra, **_profile_fields(payload)
    )
    return Status(201, profile_out(profile))


@router.get("/community/profiles/{profile_id}", response={200: ProfileOut, **ERRORS})
def profile_detail(request: HttpRequest, profile_id: PathId) -> dict[str, Any]:
    return profile_out(profile_get_for_user(request.user, profile_id))


@router.patch("/community/profiles/{profile_id}", response={200: ProfileOut, **ERRORS})
def profile_update(
    request: HttpRequest, profile_id: PathId, payload: ProfilePatch
) -> dict[str, Any]:
    profile = profile_get_for_user(request.user, profile_id)
    if not can_edit_profile(request.user, profile):
        raise NotAllowed(_("Coordinators and case managers of the office edit profiles."))
    if payload.version != profile.version:
        raise StaleVersion(_("This profile was changed by someone else: it is shown as it is now."))
    updated = services.profile_update(
        actor=request.user,
        profile=profile,
        version=payload.version,
        answers=payload.answers,
        **_profile_fields(payload),
    )
    return profile_out(updated)
