"""Pages of community projects and profiles: who sees what (404 out of reach, 403 not
allowed), forms and bad input, and what the communication focal point never sees."""

import datetime

import pytest
from django.urls import reverse

from reintegra.cases import services as cases
from reintegra.cases.models import CaseEvent
from reintegra.community.models.projects import CommunityProject
from reintegra.community.services import projects as services
from reintegra.community.tests.fixtures_projects import *  # noqa: F403 - the fixtures
from reintegra.community.tests.fixtures_projects import open_case

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def url(name: str, obj=None) -> str:
    return reverse(f"community:{name}", args=[obj.pk] if obj is not None else None)


def test_staff_in_scope_see_the_project_and_others_get_404(project, client_for):
    # fp.comms and me.officer sit in Dakar (their scope covers Tambacounda).
    for username in ("coord.tamba", "cm.psy", "fp.comms", "me.officer", "finance", "fp.medical"):
        assert client_for(username).get(url("project", project)).status_code == 200, username
    # cm.rabat (Rabat), cm.kolda (Kolda) and the system administrator do not reach it.
    for username in ("cm.rabat", "cm.kolda", "sysadmin"):
        assert client_for(username).get(url("project", project)).status_code == 404, username


def test_the_lead_sees_the_project_wherever_they_sit(users, offices, client_for):
    project = services.project_create(
        actor=users["coord.national"],
        office=offices["KLD"],
        title="Vergers de Kolda",
        approach="NEW_COMMUNITY",
        region="Kolda",
        lead=users["coord.national"],
    )
    assert client_for("coord.tamba").get(url("project", project)).status_code == 404
    assert client_for("coord.national").get(url("project", project)).status_code == 200


def test_the_projects_list_filters_and_lists_only_what_is_in_reach(
    project, kolda_project, client_for
):
    body = client_for("cm.tamba").get(url("projects")).content.decode()
    assert project.title in body and kolda_project.title not in body
    national = client_for("coord.national")
    body = national.get(url("projects") + "?status=ACTIVE").content.decode()
    assert project.title not in body
    body = national.get(url("projects") + "?approach=INCLUSION&region=kolda").content.decode()
    assert kolda_project.title in body and project.title not in body
    body = client_for("fp.comms").get(url("projects") + "?mine=on").content.decode()
    assert project.title in body and kolda_project.title not in body
    assert national.get(url("projects") + "?status=NOPE&page=x").status_code == 200
    assert client_for("sysadmin").get(url("projects")).status_code == 403


def test_a_case_manager_creates_a_project_and_bad_input_is_shown(users, offices, client_for):
    client = client_for("cm.tamba")
    assert client.get(url("project_new")).status_code == 200
    bad = client.post(url("project_new"), {"office": offices["TAM"].pk, "title": ""})
    assert bad.status_code == 422
    response = client.post(
        url("project_new"),
        {
            "office": offices["TAM"].pk,
            "title": "Boutique communautaire",
            "approach": "NEW_COMMUNITY",
            "dimensions": ["ECONOMIC", "PSYCHOSOCIAL"],
            "region": "Tambacounda",
            "lead": users["cm.tamba"].pk,
            "currency": "XOF",
            "starts_on": "2026-01-10",
            "ends_on": "2025-01-10",
        },
    )
    assert response.status_code == 422
    assert "The project ends before it starts." in response.content.decode()
    assert client_for("fp.comms").get(url("project_new")).status_code == 403


def test_an_edit_on_a_stale_version_says_so(project, client_for):
    client = client_for("cm.tamba")
    services.project_update(
        actor=project.lead, project=project, version=project.version, place="Keur"
    )
    response = client.post(
        url("project_edit", project),
        {
            "title": "Renamed",
            "approach": "COLLECTIVE",
            "region": "Tambacounda",
            "lead": project.lead_id,
            "currency": "XOF",
            "version": 1,
        },
    )
    assert response.status_code == 409
    project.refresh_from_db()
    assert project.title != "Renamed"
    assert client_for("cm.psy").get(url("project_edit", project)).status_code == 403


def test_the_checklist_and_the_status_are_changed_from_the_page(project, client_for):
    client = client_for("coord.tamba")
    data = {"version": project.version}
    for code in ("RETURNEES", "SKILLS", "INTEREST", "INFRASTRUCTURE"):
        data[f"rating_{code}"] = "MET"
    for code in ("SERVICES", "STABILITY", "CIVIL_SOCIETY"):
        data[f"rating_{code}"] = "PARTLY"
    data["notes_SERVICES"] = "Health post 12 km away"
    assert client.post(url("project_checklist", project), data).status_code == 302
    project.refresh_from_db()
    assert project.rating_of("SERVICES") == "PARTLY"
    bad = client.post(url("project_checklist", project), {"rating_SKILLS": "GREAT"})
    assert bad.status_code == 302
    client.post(url("project_status", project), {"status": "ACTIVE", "version": project.version})
    project.refresh_from_db()
    assert project.status == "ACTIVE"
    response = client.post(url("project_status", project), {"status": "SUSPENDED"}, follow=True)
    assert "Give the reason." in response.content.decode()
    assert client_for("fp.comms").post(url("project_status", project), {}).status_code == 403


def test_participants_are_added_from_the_page_and_the_case_timeline_shows_it(
    project, tamba_case, kolda_case, client_for
):
    client = client_for("cm.tamba")
    page = client.get(url("project", project)).content.decode()
    assert tamba_case.number in page  # offered in the caseload picker
    client.post(url("project_returnee_add", project), {"case": tamba_case.pk, "role": "Member"})
    assert CaseEvent.objects.filter(case=tamba_case, kind="COMMUNITY").exists()
    timeline = client.get(reverse("cases:timeline", args=[tamba_case.pk])).content.decode()
    assert project.title in timeline
    # A case outside the caseload is not a valid choice.
    client.post(url("project_returnee_add", project), {"case": kolda_case.pk})
    assert not project.participants.filter(case=kolda_case).exists()
    client.post(
        url("project_members_add", project), {"sex": "F", "age_band": "18-24", "count": "6"}
    )
    client.post(url("project_members_add", project), {"sex": "F", "count": "-3"})
    page = client.get(url("project", project)).content.decode()
    assert "7 people: 1 returnees and 6 community members." in page
    assert client_for("fp.comms").post(url("project_members_add", project), {}).status_code == 403


def test_returnee_names_are_shown_only_to_those_who_see_the_case(
    project, tamba_case, users, client_for
):
    services.participant_add_returnee(actor=users["cm.tamba"], project=project, case=tamba_case)
    name = tamba_case.person.full_name
    assert name in client_for("cm.tamba").get(url("project", project)).content.decode()
    other = client_for("fp.medical").get(url("project", project)).content.decode()
    assert name not in other and "Returnee (case not in your caseload)" in other


def test_the_communication_focal_point_never_sees_a_case_narrative(
    project, tamba_case, profile, users, client_for
):
    secret = "Narrative: he fears his creditors in Koussanar"
    cases.note_add(actor=users["cm.tamba"], case=tamba_case, body=secret)
    services.participant_add_returnee(actor=users["cm.tamba"], project=project, case=tamba_case)
    services.report_add(
        actor=users["cm.tamba"],
        project=project,
        period_start=TODAY - datetime.timedelta(days=7),
        period_end=TODAY,
        summary="Training done",
    )
    client = client_for("fp.comms")
    pages = [
        url("projects"),
        url("project", project),
        url("profiles"),
        url("profile", profile),
        "/api/community/projects",
        f"/api/community/projects/{project.pk}",
        f"/api/community/projects/{project.pk}/participants",
        "/api/community/profiles",
        f"/api/community/profiles/{profile.pk}",
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode()
        assert secret not in body and "creditors" not in body, address
        assert tamba_case.person.family_name.upper() not in body, address
    # The totals are there.
    assert "1 returnees" in client.get(url("project", project)).content.decode()


def test_progress_is_recorded_from_the_page_by_focal_points(project, users, client_for):
    client = client_for("me.officer")
    client.post(url("project_activity_add", project), {"title": "Radio show", "planned_on": ""})
    activity = project.activities.get()
    client.post(
        url("project_activity_done", project),
        {"activity": activity.pk, "done_on": TODAY.isoformat()},
    )
    activity.refresh_from_db()
    assert activity.done_on == TODAY
    client.post(
        url("project_report_add", project),
        {"period_start": "2026-01-01", "period_end": "2026-02-01", "summary": "Going well"},
    )
    assert project.reports.count() == 1
    assert client.post(url("project_indicator_add", project), {}).status_code == 403
    services.indicator_add(actor=users["cm.tamba"], project=project, name="Hens", target=500)
    indicator = project.indicators.get()
    client.post(
        url("project_measurement_add", project),
        {"indicator": indicator.pk, "measured_on": TODAY.isoformat(), "value": "250"},
    )
    page = client.get(url("project", project)).content.decode()
    assert "50%" in page
    bad = client.post(url("project_measurement_add", project), {"indicator": "x"})
    assert bad.status_code == 302
    assert client_for("cm.psy").post(url("project_report_add", project), {}).status_code == 403


def test_profiles_pages(profile, users, offices, client_for):
    client = client_for("cm.tamba")
    assert "Koussanar" in client.get(url("profiles")).content.decode()
    assert client.get(url("profile", profile)).status_code == 200
    assert client_for("cm.kolda").get(url("profile", profile)).status_code == 404
    assert client_for("fp.comms").get(url("profile_edit", profile)).status_code == 403
    response = client.post(
        url("profile_new"),
        {
            "office": offices["TAM"].pk,
            "community": "Goudiry",
            "region": "Tambacounda",
            "profiled_on": TODAY.isoformat(),
            "returnees_count": "4",
            "non_migrants_count": "9",
        },
    )
    assert response.status_code == 302
    assert client.post(url("profile_new"), {"community": ""}).status_code == 422
    response = client.post(
        url("profile_edit", profile),
        {
            "community": "Koussanar",
            "region": "Tambacounda",
            "profiled_on": TODAY.isoformat(),
            "returnees_count": "12",
            "non_migrants_count": "20",
            "resources": "A cooperative",
            "version": profile.version,
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.resources == "A cooperative" and profile.version == 2


def test_a_missing_project_is_404_like_an_out_of_reach_one(client_for):
    client = client_for("coord.national")
    assert client.get(reverse("community:project", args=[999999])).status_code == 404
    assert CommunityProject.objects.count() == 0


def test_a_kolda_case_manager_adds_a_returnee_of_kolda(kolda_project, users, offices, client_for):
    case = open_case(users["cm.kolda"], offices["KLD"], "Ousmane", "Baldé")
    client_for("cm.kolda").post(url("project_returnee_add", kolda_project), {"case": case.pk})
    assert kolda_project.participants.filter(case=case).exists()


def test_the_home_section_lists_the_user_projects(project, users):
    from django.template.loader import render_to_string

    from reintegra.community.selectors.projects import home_projects

    html = render_to_string(
        "community/projects/_home.html", {"home_projects": home_projects(users["fp.comms"])}
    )
    assert project.title in html and "Projects you lead or follow" in html
    html = render_to_string(
        "community/projects/_home.html", {"home_projects": home_projects(users["coord.national"])}
    )
    assert project.title in html and "1 active" not in html
