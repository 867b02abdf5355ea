"""Permission-matrix rows of the projects area (see matrix_base for what each name means).

In scope: a Tambacounda profile and project (led by cm.tamba; fp.comms, fp.protection and
me.officer assigned) with a community-member row, an activity and an indicator. Out of scope:
the same at Kolda (led by cm.kolda, no focal point), which the Dakar staff still reach."""

import datetime
from decimal import Decimal
from typing import Any

from reintegra.community.permissions import projects as perms
from reintegra.community.selectors.projects import profile_get_for_user, project_get_for_user
from reintegra.community.services import projects as services
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World, always

TODAY = datetime.date.today()


def _project(users: dict[str, Any], office: Any, lead: str, focal: list[str], profile: Any):
    project = services.project_create(
        actor=users[lead],
        office=office,
        title=f"Projet {office.code}",
        approach="COLLECTIVE",
        dimensions=["ECONOMIC"],
        region=office.name,
        profile=profile,
        lead=users[lead],
        focal_points=[users[u] for u in focal],
    )
    services.participant_add_members(actor=users[lead], project=project, sex="F", count=3)
    services.activity_add(actor=users[lead], project=project, title="Formation")
    services.indicator_add(actor=users[lead], project=project, name="Revenus", target=Decimal(100))
    return project


def _profile(users: dict[str, Any], office: Any, author: str):
    return services.profile_create(
        actor=users[author],
        office=office,
        community=f"Communauté {office.code}",
        region=office.name,
        profiled_on=TODAY,
    )


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    profile = _profile(users, offices["TAM"], "cm.tamba")
    world.objects["community_profile"] = profile
    world.objects["community_project"] = _project(
        users, offices["TAM"], "cm.tamba", ["fp.comms", "fp.protection", "me.officer"], profile
    )
    kolda_profile = _profile(users, offices["KLD"], "cm.kolda")
    world.objects["out_community_profiles"] = [kolda_profile]
    world.objects["out_community_projects"] = [
        _project(users, offices["KLD"], "cm.kolda", [], kolda_profile)
    ]


KINDS: dict[str, Kind] = {
    "community_project": Kind(
        in_scope=lambda world: world["community_project"],
        find=project_get_for_user,
        out=lambda world: world["out_community_projects"],
    ),
    "community_profile": Kind(
        in_scope=lambda world: world["community_profile"],
        find=profile_get_for_user,
        out=lambda world: world["out_community_profiles"],
    ),
}


def _edits(ctx: Ctx) -> bool:
    return perms.can_edit_project(ctx.user, ctx.obj)


def _adds(ctx: Ctx) -> bool:
    return perms.can_add_participant(ctx.user, ctx.obj)


def _progress(ctx: Ctx) -> bool:
    return perms.can_record_progress(ctx.user, ctx.obj)


def _viewer(ctx: Ctx) -> bool:
    return perms.can_view_projects(ctx.user)


def _creates(ctx: Ctx) -> bool:
    return perms.can_create_project(ctx.user)


def _edits_profile(ctx: Ctx) -> bool:
    return perms.can_edit_profile(ctx.user, ctx.obj)


def _checklist(ctx: Ctx) -> dict[str, Any]:
    data: dict[str, Any] = {"version": ctx.obj.version}
    for code in ("RETURNEES", "SKILLS", "INTEREST", "INFRASTRUCTURE", "SERVICES"):
        data[f"rating_{code}"] = "MET"
    data["rating_STABILITY"] = data["rating_CIVIL_SOCIETY"] = "PARTLY"
    return data


P = "community_project"
F = "community_profile"

PAGES: list[Route] = [
    Route("community:projects", "GET", "none", _viewer),
    Route("community:project_new", "GET", "none", _creates),
    Route("community:project", "GET", P, always),
    Route("community:project_edit", "GET", P, _edits),
    Route("community:project_status", "POST", P, _edits, lambda ctx: {"status": "ACTIVE"}),
    Route("community:project_checklist", "POST", P, _edits, _checklist),
    Route(
        "community:project_returnee_add",
        "POST",
        P,
        _adds,
        lambda ctx: {"case": ctx.world["case"].pk},
    ),
    Route(
        "community:project_members_add",
        "POST",
        P,
        _adds,
        lambda ctx: {"sex": "M", "age_band": "18-24", "count": "2"},
    ),
    Route(
        "community:project_participant_remove",
        "POST",
        P,
        _adds,
        lambda ctx: {"participant": ctx.obj.participants.first().pk},
    ),
    Route(
        "community:project_activity_add",
        "POST",
        P,
        _progress,
        lambda ctx: {"title": "Réunion", "planned_on": TODAY.isoformat()},
    ),
    Route(
        "community:project_activity_done",
        "POST",
        P,
        _progress,
        lambda ctx: {"activity": ctx.obj.activities.first().pk, "done_on": TODAY.isoformat()},
    ),
    Route(
        "community:project_report_add",
        "POST",
        P,
        _progress,
        lambda ctx: {
            "period_start": TODAY.isoformat(),
            "period_end": TODAY.isoformat(),
            "summary": "Bien",
        },
    ),
    Route(
        "community:project_indicator_add",
        "POST",
        P,
        _edits,
        lambda ctx: {"name": "Poules", "target": "50"},
    ),
    Route(
        "community:project_measurement_add",
        "POST",
        P,
        _progress,
        lambda ctx: {
            "indicator": ctx.obj.indicators.first().pk,
            "measured_on": TODAY.isoformat(),
            "value": "10",
        },
    ),
    Route("community:profiles", "GET", "none", _viewer),
    Route("community:profile_new", "GET", "none", _creates),
    Route("community:profile", "GET", F, always),
    Route("community:profile_edit", "GET", F, _edits_profile),
]


def _office_of_user(ctx: Ctx) -> int:
    """An office where the persona may start a project (Tambacounda when they have none)."""
    ids = sorted(perms.keeping_offices(ctx.user))
    return ids[0] if ids else ctx.world["case"].office_id


API: dict[tuple[str, str], Route] = {
    ("GET", "/api/community/projects"): Route("projects", "GET", "none", _viewer),
    ("POST", "/api/community/projects"): Route(
        "projects.create",
        "POST",
        "none",
        _creates,
        lambda ctx: {
            "office_id": _office_of_user(ctx),
            "title": "Atelier de couture",
            "approach": "NEW_COMMUNITY",
            "region": "Tambacounda",
        },
    ),
    ("GET", "/api/community/projects/{project_id}"): Route("project", "GET", P, always),
    ("PATCH", "/api/community/projects/{project_id}"): Route(
        "project.update",
        "PATCH",
        P,
        _edits,
        lambda ctx: {"version": ctx.obj.version, "place": "Keur Ali"},
    ),
    ("POST", "/api/community/projects/{project_id}/transitions"): Route(
        "project.transition", "POST", P, _edits, lambda ctx: {"status": "ACTIVE"}
    ),
    ("GET", "/api/community/projects/{project_id}/participants"): Route(
        "project.participants", "GET", P, always
    ),
    ("POST", "/api/community/projects/{project_id}/participants"): Route(
        "project.participant_add",
        "POST",
        P,
        _adds,
        lambda ctx: {"kind": "COMMUNITY", "sex": "F", "age_band": "25-59", "count": 2},
    ),
    ("POST", "/api/community/projects/{project_id}/activities"): Route(
        "project.activity_add", "POST", P, _progress, lambda ctx: {"title": "Visite"}
    ),
    ("POST", "/api/community/projects/{project_id}/reports"): Route(
        "project.report_add",
        "POST",
        P,
        _progress,
        lambda ctx: {
            "period_start": TODAY.isoformat(),
            "period_end": TODAY.isoformat(),
            "summary": "Bien",
        },
    ),
    ("GET", "/api/community/profiles"): Route("profiles", "GET", "none", _viewer),
    ("POST", "/api/community/profiles"): Route(
        "profiles.create",
        "POST",
        "none",
        _creates,
        lambda ctx: {
            "office_id": _office_of_user(ctx),
            "community": "Bala",
            "region": "Tambacounda",
            "profiled_on": TODAY.isoformat(),
        },
    ),
    ("GET", "/api/community/profiles/{profile_id}"): Route("profile", "GET", F, always),
    ("PATCH", "/api/community/profiles/{profile_id}"): Route(
        "profile.update",
        "PATCH",
        F,
        _edits_profile,
        lambda ctx: {"version": ctx.obj.version, "needs": "Eau"},
    ),
}
API_IDS: tuple[str, ...] = ("project_id", "profile_id")
