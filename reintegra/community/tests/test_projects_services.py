"""Services of community profiles and projects: validation, audit rows, versions, the case
timeline, who may write."""

import datetime
from decimal import Decimal

import pytest

from reintegra.audit.models import AuditEvent
from reintegra.cases.models import CaseEvent
from reintegra.community.models.projects import ProjectParticipant
from reintegra.community.services import projects as services
from reintegra.community.tests.fixtures_projects import *  # noqa: F403 - the fixtures
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def audited(action: str, target) -> AuditEvent:
    return AuditEvent.objects.get(action=action, target_id=str(target.pk))


def test_a_profile_is_recorded_and_audited(profile, users):
    assert profile.author == users["cm.tamba"] and profile.version == 1
    assert audited("community_profile.created", profile)


def test_a_profile_needs_a_community_a_region_and_a_past_date(users, offices):
    base = {"community": "Goudiry", "region": "Tambacounda", "profiled_on": TODAY}
    for field, value in (
        ("community", " "),
        ("region", ""),
        ("profiled_on", TODAY + datetime.timedelta(days=1)),
    ):
        with pytest.raises(ValidationFailed) as err:
            services.profile_create(
                actor=users["cm.tamba"], office=offices["TAM"], **{**base, field: value}
            )
        assert err.value.field == field


def test_only_coordinators_and_case_managers_of_the_office_draw_up_profiles(users, offices):
    fields = {"community": "Goudiry", "region": "Tambacounda", "profiled_on": TODAY}
    for username in ("fp.comms", "me.officer", "cm.kolda"):
        with pytest.raises(NotAllowed):
            services.profile_create(actor=users[username], office=offices["TAM"], **fields)
    services.profile_create(actor=users["coord.national"], office=offices["TAM"], **fields)


def test_a_profile_edit_on_a_stale_version_changes_nothing(profile, users):
    services.profile_update(
        actor=users["coord.tamba"], profile=profile, version=1, resources="Cooperative"
    )
    with pytest.raises(StaleVersion):
        services.profile_update(actor=users["cm.tamba"], profile=profile, version=1, needs="x")
    profile.refresh_from_db()
    assert profile.version == 2 and profile.needs == "Water for market gardens"
    assert audited("community_profile.updated", profile).changes == {
        "resources": ["", "Cooperative"]
    }


def test_a_project_starts_planned_with_its_focal_points(project, users):
    assert project.status == "PLANNED"
    assert {u.username for u in project.focal_points.all()} == {
        "fp.comms",
        "fp.protection",
        "me.officer",
    }
    assert audited("community_project.created", project)


def test_a_project_lead_must_manage_cases_at_its_office(users, offices):
    with pytest.raises(ValidationFailed) as err:
        services.project_create(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            title="Boutique",
            approach="NEW_COMMUNITY",
            region="Tambacounda",
            lead=users["cm.kolda"],
        )
    assert err.value.field == "lead"


def test_focal_points_must_hold_a_focal_point_role(users, offices):
    with pytest.raises(ValidationFailed) as err:
        services.project_create(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            title="Boutique",
            approach="NEW_COMMUNITY",
            region="Tambacounda",
            focal_points=[users["finance"]],
        )
    assert err.value.field == "focal_points"


def test_a_project_cannot_end_before_it_starts(project, users):
    with pytest.raises(ValidationFailed) as err:
        services.project_update(
            actor=users["cm.tamba"],
            project=project,
            version=project.version,
            starts_on=TODAY,
            ends_on=TODAY - datetime.timedelta(days=1),
        )
    assert err.value.field == "ends_on"


def test_a_budget_line_must_belong_to_the_project_office(project, users, offices):
    from reintegra.plans.models import BudgetLine

    kolda_line = BudgetLine.objects.create(
        code="KLD-01", name="Kolda", donor="EU", office=offices["KLD"], amount=Decimal(1000)
    )
    with pytest.raises(ValidationFailed) as err:
        services.project_update(
            actor=users["cm.tamba"], project=project, version=1, budget_line=kolda_line
        )
    assert err.value.field == "budget_line"


def test_a_project_edit_on_a_stale_version_changes_nothing(project, users):
    services.project_update(actor=users["cm.tamba"], project=project, version=1, place="Keur")
    with pytest.raises(StaleVersion):
        services.project_update(actor=users["coord.tamba"], project=project, version=1, place="X")
    project.refresh_from_db()
    assert project.place == "Keur" and project.version == 2


def test_only_coordinators_in_scope_and_the_lead_edit_a_project(project, users):
    for username in ("cm.psy", "fp.comms", "me.officer", "cm.kolda"):
        with pytest.raises(NotAllowed):
            services.project_update(actor=users[username], project=project, version=None, place="")
    services.project_update(actor=users["coord.national"], project=project, version=None, place="K")


def test_status_moves_along_the_allowed_transitions_with_reasons(project, users):
    cm = users["cm.tamba"]
    with pytest.raises(ValidationFailed):
        services.project_transition(actor=cm, project=project, status="COMPLETED")
    services.project_transition(actor=cm, project=project, status="ACTIVE")
    with pytest.raises(ValidationFailed) as err:
        services.project_transition(actor=cm, project=project, status="SUSPENDED")
    assert err.value.field == "reason"
    project = services.project_transition(
        actor=cm, project=project, status="SUSPENDED", reason="Rainy season"
    )
    assert project.status_reason == "Rainy season"
    project = services.project_transition(actor=cm, project=project, status="ACTIVE")
    assert project.status_reason == ""
    services.project_transition(actor=cm, project=project, status="COMPLETED")
    events = AuditEvent.objects.filter(
        action="community_project.status_changed", target_id=str(project.pk)
    )
    assert [e.changes["status"] for e in events.order_by("pk")] == [
        ["PLANNED", "ACTIVE"],
        ["ACTIVE", "SUSPENDED"],
        ["SUSPENDED", "ACTIVE"],
        ["ACTIVE", "COMPLETED"],
    ]


def test_a_stale_status_change_is_refused(project, users):
    services.project_transition(actor=users["cm.tamba"], project=project, status="ACTIVE")
    with pytest.raises(StaleVersion):
        services.project_transition(
            actor=users["coord.tamba"], project=project, status="CANCELLED", reason="x", version=1
        )


def test_the_checklist_records_ratings_and_notes(project, users):
    project = services.project_checklist_update(
        actor=users["cm.tamba"],
        project=project,
        version=1,
        ratings={
            "RETURNEES": {"rating": "MET", "notes": "15 returnees in 2025"},
            "INFRASTRUCTURE": {"rating": "PARTLY", "notes": "No electricity"},
        },
    )
    ratings = {c["code"]: c["rating"] for c in project.criteria}
    assert ratings["RETURNEES"] == "MET" and ratings["SKILLS"] == "NOT_ASSESSED"
    assert len(project.criteria) == 7
    assert audited("community_project.checklist_updated", project).changes == {
        "RETURNEES": ["NOT_ASSESSED", "MET"],
        "RETURNEES_notes": ["", "15 returnees in 2025"],
        "INFRASTRUCTURE": ["NOT_ASSESSED", "PARTLY"],
        "INFRASTRUCTURE_notes": ["", "No electricity"],
    }
    with pytest.raises(ValidationFailed):
        services.project_checklist_update(
            actor=users["cm.tamba"],
            project=project,
            version=project.version,
            ratings={"SKILLS": {"rating": "GREAT"}},
        )


def test_a_returnee_joins_once_and_the_case_timeline_says_so(project, tamba_case, users):
    participant = services.participant_add_returnee(
        actor=users["cm.tamba"], project=project, case=tamba_case, role="Trainer"
    )
    assert participant.sex == "M" and participant.age_band == "25-59"
    event = CaseEvent.objects.get(case=tamba_case, kind="COMMUNITY")
    assert event.summary == f"Joined community project: {project.title}"
    added = audited("community_participant.added", participant)
    assert added.case_id == tamba_case.pk
    with pytest.raises(ValidationFailed):
        services.participant_add_returnee(actor=users["cm.tamba"], project=project, case=tamba_case)
    pk = participant.pk
    services.participant_remove(actor=users["cm.tamba"], participant=participant)
    assert not ProjectParticipant.objects.filter(pk=pk).exists()
    assert CaseEvent.objects.filter(
        case=tamba_case, kind="COMMUNITY", summary__startswith="Left community project"
    ).exists()
    assert AuditEvent.objects.filter(action="community_participant.removed", target_id=pk).exists()


def test_a_returnee_must_be_in_the_actor_caseload(project, kolda_case, users):
    with pytest.raises(ValidationFailed) as err:
        services.participant_add_returnee(actor=users["cm.tamba"], project=project, case=kolda_case)
    assert err.value.field == "case"


def test_focal_points_do_not_add_participants(project, tamba_case, users):
    with pytest.raises(NotAllowed):
        services.participant_add_members(actor=users["fp.comms"], project=project, sex="F")


def test_community_members_are_counted_by_sex_and_age(project, users):
    row = services.participant_add_members(
        actor=users["cm.psy"], project=project, sex="F", age_band="18-24", count=8
    )
    assert row.count == 8 and row.kind == "COMMUNITY"
    assert audited("community_participant.added", row).changes["count"] == [None, 8]
    for bad in ({"sex": "Q"}, {"sex": "F", "age_band": "30-40"}, {"sex": "F", "count": 0}):
        with pytest.raises(ValidationFailed):
            services.participant_add_members(actor=users["cm.tamba"], project=project, **bad)
    with pytest.raises(ValidationFailed) as err:
        services.participant_add_members(
            actor=users["cm.tamba"], project=project, sex="M", count=3, name="Samba Diallo"
        )
    assert err.value.field == "count"


def test_progress_is_recorded_by_the_lead_the_coordinators_and_the_focal_points(project, users):
    activity = services.activity_add(
        actor=users["fp.comms"], project=project, title="Community dialogue", planned_on=TODAY
    )
    assert audited("community_activity.added", activity)
    services.activity_complete(
        actor=users["me.officer"], activity=activity, done_on=TODAY, output="40 people"
    )
    activity.refresh_from_db()
    assert activity.done_on == TODAY and activity.output == "40 people"
    report = services.report_add(
        actor=users["cm.tamba"],
        project=project,
        period_start=TODAY - datetime.timedelta(days=30),
        period_end=TODAY,
        summary="Hen house built",
    )
    assert audited("community_report.added", report)
    with pytest.raises(NotAllowed):
        services.activity_add(actor=users["cm.psy"], project=project, title="x")
    with pytest.raises(NotAllowed):
        services.activity_add(actor=users["finance"], project=project, title="x")
    with pytest.raises(ValidationFailed):
        services.report_add(
            actor=users["cm.tamba"],
            project=project,
            period_start=TODAY,
            period_end=TODAY - datetime.timedelta(days=1),
            summary="x",
        )


def test_indicators_show_progress_towards_their_target(project, users):
    from reintegra.community.selectors.projects import indicators_with_progress

    indicator = services.indicator_add(
        actor=users["cm.tamba"],
        project=project,
        name="Eggs sold per week",
        unit="trays",
        baseline=Decimal(0),
        target=Decimal(200),
    )
    with pytest.raises(NotAllowed):
        services.indicator_add(actor=users["fp.comms"], project=project, name="x", target=1)
    services.measurement_add(
        actor=users["me.officer"],
        indicator=indicator,
        measured_on=TODAY - datetime.timedelta(days=7),
        value=Decimal(50),
    )
    services.measurement_add(
        actor=users["me.officer"], indicator=indicator, measured_on=TODAY, value=Decimal(120)
    )
    with pytest.raises(ValidationFailed):
        services.measurement_add(
            actor=users["me.officer"],
            indicator=indicator,
            measured_on=TODAY + datetime.timedelta(days=1),
            value=Decimal(1),
        )
    (item,) = indicators_with_progress(project)
    assert item["latest"] == Decimal(120) and item["progress"] == 60
