"""The home page shows one section per role; roles without case access see counts only.

Personas (DESIGN.md §9): case managers get their caseload; coordinators the office × stage table
and hand-overs; focal points their flagged cases; communication, M&E and finance figures only;
the system administrator the system's health, never a returnee's name.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.cases import services as cases
from reintegra.people import services as people

PERSONAS = [
    "coord.national",
    "coord.tamba",
    "cm.tamba",
    "cm.kolda",
    "cm.psy",
    "cm.rabat",
    "fp.protection",
    "fp.medical",
    "fp.comms",
    "me.officer",
    "finance",
    "sysadmin",
]
# The section (by its id) each persona's home page must show.
SECTION = {
    "coord.national": 'id="programme"',
    "coord.tamba": 'id="handovers"',
    "cm.tamba": 'id="caseload"',
    "cm.kolda": 'id="caseload"',
    "cm.psy": 'id="caseload"',
    "cm.rabat": 'id="caseload"',
    "fp.protection": 'id="protection"',
    "fp.medical": 'id="medical"',
    "fp.comms": 'id="figures"',
    "me.officer": 'id="stage-counts"',
    "finance": 'id="figures"',
    "sysadmin": 'id="system-health"',
}
WITHOUT_NAMES = ["fp.comms", "me.officer", "finance", "sysadmin"]


@pytest.fixture
def flagged_case(offices, users):
    """Moussa Diallo's case at Tambacounda: arrived two months ago, no plan, both flags raised,
    a task overdue since last week."""
    cm = users["cm.tamba"]
    person = people.returnee_register(
        actor=cm,
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
        date_of_birth=datetime.date(1995, 3, 2),
    )
    today = timezone.localdate()
    case = cases.case_open(
        actor=cm, person=person, office=offices["TAM"], arrived_on=today - datetime.timedelta(60)
    )
    case = cases.case_flag_set(actor=cm, case=case, flag="PROTECTION", value=True)
    case = cases.case_flag_set(actor=cm, case=case, flag="MEDICAL", value=True)
    cases.task_add(
        actor=cm, case=case, title="Call about the job fair", due_on=today - datetime.timedelta(7)
    )
    return case


@pytest.fixture
def pending_handover(offices, users):
    """Awa Keita's pre-departure case at Rabat, handed over to Tambacounda, not yet accepted."""
    cm = users["cm.rabat"]
    person = people.returnee_register(
        actor=cm, office=offices["RBT"], given_names="Awa", family_name="Keita", sex="F"
    )
    consent = people.consent_record(
        actor=cm,
        person=person,
        purpose="CASE_MANAGEMENT",
        given_on=timezone.localdate(),
        language="Wolof",
    )
    case = cases.case_open(actor=cm, person=person, office=offices["RBT"])
    return cases.handover_request(
        actor=cm, case=case, to_office=offices["TAM"], consent=consent, sections=["IDENTITY"]
    )


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client, programme):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_home_page_is_also_named_in_the_reports_namespace(programme):
    assert reverse("reports:home") == reverse("home") == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_a_home_page_with_their_section(
    client_for, flagged_case, pending_handover, persona
):
    response = client_for(persona).get(reverse("home"))
    assert response.status_code == 200
    assert SECTION[persona] in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", WITHOUT_NAMES)
def test_roles_without_case_access_see_no_returnee_names(
    client_for, flagged_case, pending_handover, persona
):
    content = client_for(persona).get(reverse("home")).content.decode()
    for text in ("Moussa", "DIALLO", "Awa", "KEITA", flagged_case.number):
        assert text not in content
    assert 'id="caseload"' not in content


@pytest.mark.django_db
def test_the_system_administrator_sees_system_health_only(client_for, flagged_case):
    content = client_for("sysadmin").get(reverse("home")).content.decode()
    assert reverse("console:users") in content
    assert 'id="figures"' not in content
    assert 'id="programme"' not in content


@pytest.mark.django_db
def test_only_the_me_specialist_gets_the_table_by_stage(client_for, flagged_case):
    assert 'id="stage-counts"' not in client_for("finance").get("/").content.decode()
    assert 'id="stage-counts"' not in client_for("fp.comms").get("/").content.decode()
    assert 'id="stage-counts"' in client_for("me.officer").get("/").content.decode()


@pytest.mark.django_db
def test_aggregate_figures_count_the_cases_in_scope(client_for, flagged_case):
    figures = client_for("finance").get("/").context["aggregate"]
    assert figures.total == 1
    assert figures.open == 1


@pytest.mark.django_db
def test_the_case_manager_sees_caseload_overdue_tasks_and_missing_plans(client_for, flagged_case):
    response = client_for("cm.tamba").get(reverse("home"))
    home = response.context["case_manager"]
    assert [c.pk for c in home.caseload] == [flagged_case.pk]
    assert home.caseload[0].next_task_title == "Call about the job fair"
    assert [t.case_id for t in home.overdue] == [flagged_case.pk]
    assert [c.pk for c in home.without_plan] == [flagged_case.pk]
    content = response.content.decode()
    assert "Moussa DIALLO" in content
    assert reverse("cases:detail", args=[flagged_case.pk]) in content


@pytest.mark.django_db
def test_another_case_manager_does_not_see_that_caseload(client_for, flagged_case):
    response = client_for("cm.kolda").get(reverse("home"))
    assert response.context["case_manager"].caseload == []
    assert "DIALLO" not in response.content.decode()


@pytest.mark.django_db
def test_the_coordinator_sees_counts_by_office_and_stage_with_links(client_for, flagged_case):
    response = client_for("coord.national").get(reverse("home"))
    table = response.context["stage_table"]
    assert [row["name"] for row in table.rows] == ["Tambacounda"]
    assert dict(table.rows[0]["cells"])["REGISTERED"] == 1
    assert table.total == 1
    content = response.content.decode()
    tam = flagged_case.office_id
    assert f"{reverse('cases:list')}?office={tam}&amp;stage=REGISTERED" in content


@pytest.mark.django_db
def test_the_receiving_coordinator_sees_the_waiting_hand_over(client_for, pending_handover):
    response = client_for("coord.tamba").get(reverse("home"))
    assert [h.pk for h in response.context["handovers"]] == [pending_handover.pk]
    assert reverse("cases:handover_detail", args=[pending_handover.pk]) in (
        response.content.decode()
    )
    other = client_for("coord.national").get(reverse("home"))
    assert [h.pk for h in other.context["handovers"]] == [pending_handover.pk]


@pytest.mark.django_db
def test_focal_points_see_their_flagged_cases(client_for, flagged_case):
    protection = client_for("fp.protection").get(reverse("home"))
    assert [c.pk for c in protection.context["protection_cases"]] == [flagged_case.pk]
    assert "medical_cases" not in protection.context
    medical = client_for("fp.medical").get(reverse("home"))
    assert [c.pk for c in medical.context["medical_cases"]] == [flagged_case.pk]


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_so(client, django_user_model, programme):
    user = django_user_model.objects.create_user("newcomer", password="x" * 12)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no current role" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm.tamba", "coord.national", "fp.protection", "sysadmin"])
def test_the_home_page_query_count_does_not_grow_with_the_caseload(
    client_for, offices, users, persona, django_assert_max_num_queries
):
    cm = users["cm.tamba"]
    today = timezone.localdate()
    for i in range(40):
        person = people.returnee_register(
            actor=cm, office=offices["TAM"], given_names=f"P{i}", family_name="Sample", sex="M"
        )
        case = cases.case_open(
            actor=cm,
            person=person,
            office=offices["TAM"],
            arrived_on=today - datetime.timedelta(45),
        )
        cases.case_flag_set(actor=cm, case=case, flag="PROTECTION", value=True)
        cases.task_add(actor=cm, case=case, title="Visit", due_on=today - datetime.timedelta(1))
    client = client_for(persona)
    # A fixed number per home section (one to four each), whatever the caseload.
    with django_assert_max_num_queries(38):
        response = client.get(reverse("home"))
    assert response.status_code == 200
