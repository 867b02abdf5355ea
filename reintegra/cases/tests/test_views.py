"""The case pages: list, opening a case, the case page, its timeline and notes, the history and
the fragment for the person page. Each test names the persona who may or may not use the page.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services
from reintegra.cases.models import Case
from reintegra.cases.tests.conftest import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_setup")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


# --- list ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, tamba_case):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_lead_case_manager_finds_the_case_in_the_list(client_for, tamba_case):
    response = client_for("cm.tamba").get(reverse("cases:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert tamba_case.number in html
    assert "Moussa DIALLO" in html
    assert detail_url(tamba_case) in html


def test_a_case_manager_of_another_office_does_not_see_the_case_in_the_list(client_for, tamba_case):
    response = client_for("cm.kolda").get(reverse("cases:list"))
    assert response.status_code == 200
    assert tamba_case.number not in response.content.decode()


@pytest.mark.parametrize(
    "query", ["moussa", "DIALLO", "77 123 45 67", "TAM-"], ids=["given", "family", "phone", "no"]
)
def test_the_list_searches_by_name_phone_and_case_number(client_for, tamba_case, query):
    response = client_for("coord.tamba").get(reverse("cases:list"), {"q": query})
    assert tamba_case.number in response.content.decode()


def test_a_search_that_matches_nothing_says_so(client_for, tamba_case):
    response = client_for("coord.tamba").get(reverse("cases:list"), {"q": "Zzyzx"})
    html = response.content.decode()
    assert tamba_case.number not in html
    assert "No case matches." in html


def test_the_list_filters_by_stage_office_lead_and_flag(client_for, offices, users, tamba_case):
    other = services.case_open(
        actor=users["cm.kolda"],
        person=register(users["cm.kolda"], offices["KLD"], given_names="Ibou"),
        office=offices["KLD"],
    )
    services.case_flag_set(actor=users["cm.tamba"], case=tamba_case, flag="MEDICAL", value=True)
    client = client_for("coord.national")

    def numbers(**params: object) -> set[str]:
        html = client.get(reverse("cases:list"), params).content.decode()
        return {c.number for c in (tamba_case, other) if c.number in html}

    assert numbers() == {tamba_case.number, other.number}
    assert numbers(office=offices["KLD"].pk) == {other.number}
    assert numbers(manager=users["cm.tamba"].pk) == {tamba_case.number}
    assert numbers(flag="MEDICAL") == {tamba_case.number}
    assert numbers(stage="OPEN") == {tamba_case.number, other.number}
    assert numbers(stage="CLOSED") == set()
    assert numbers(sort="name", stage="REGISTERED") == {tamba_case.number, other.number}


def test_bad_filter_values_are_ignored_instead_of_failing(client_for, tamba_case):
    response = client_for("coord.tamba").get(
        reverse("cases:list"),
        {
            "office": "abc",
            "manager": "x",
            "stage": "NOPE",
            "flag": "?",
            "sort": "evil",
            "page": "z",
        },
    )
    assert response.status_code == 200
    assert tamba_case.number in response.content.decode()


def test_an_htmx_request_gets_only_the_results_table(client_for, tamba_case):
    response = client_for("cm.tamba").get(reverse("cases:list"), {"q": "Diallo"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<table>" in html
    assert tamba_case.number in html


def test_the_filter_form_works_with_and_without_javascript(client_for):
    html = client_for("cm.tamba").get(reverse("cases:list")).content.decode()
    assert 'method="get" action="/cases/"' in html
    assert 'hx-get="/cases/"' in html
    assert 'hx-target="#case-results"' in html
    assert 'hx-push-url="true"' in html
    assert '<label for="id_q">' in html


def test_flag_badges_show_only_to_roles_that_may_know_the_flag(client_for, users, tamba_case):
    services.case_flag_set(actor=users["cm.tamba"], case=tamba_case, flag="PROTECTION", value=True)
    coordinator = client_for("coord.tamba").get(reverse("cases:list")).content.decode()
    assert "flag-protection" in coordinator
    me_officer = client_for("me.officer").get(reverse("cases:list")).content.decode()
    assert tamba_case.number in me_officer
    assert "flag-protection" not in me_officer
    # Nor may they filter on it: the filter is ignored.
    assert 'value="PROTECTION"' not in me_officer


def test_the_number_of_queries_of_the_list_does_not_grow_with_the_page(
    client_for, offices, users, django_assert_max_num_queries
):
    cm = users["cm.tamba"]

    def open_cases(n: int, start: int) -> None:
        for i in range(start, start + n):
            person = register(cm, offices["TAM"], given_names=f"Person{i}", phone="")
            case = services.case_open(actor=cm, person=person, office=offices["TAM"])
            services.case_flag_set(actor=cm, case=case, flag="MEDICAL", value=bool(i % 2))

    client = client_for("coord.tamba")
    open_cases(5, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:list")).status_code == 200
    open_cases(55, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:list"))
    assert response.content.decode().count("/cases/") >= 50


# --- opening a case -----------------------------------------------------------------------------


def test_a_case_manager_opens_a_case_for_a_registered_person(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    client = client_for("cm.tamba")
    url = reverse("cases:new") + f"?person={person.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'for="id_office"' in page.content.decode()
    response = client.post(
        url, {"person": person.pk, "office": offices["TAM"].pk, "arrived_on": "2025-01-10"}
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == detail_url(case)
    assert case.arrived_on == datetime.date(2025, 1, 10)
    assert case.lead == users["cm.tamba"]
    assert AuditEvent.objects.filter(action="case.opened", case_id=case.pk).exists()


def test_a_person_out_of_scope_cannot_get_a_case_here(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    url = reverse("cases:new") + f"?person={person.pk}"
    assert client_for("cm.kolda").get(url).status_code == 404
    assert client_for("cm.kolda").post(url, {"office": offices["KLD"].pk}).status_code == 404
    assert not Case.objects.filter(person=person).exists()


def test_roles_that_do_not_open_cases_are_refused(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    url = reverse("cases:new") + f"?person={person.pk}"
    # The M&E specialist sees the person (scope) but opens no case.
    assert client_for("me.officer").get(url).status_code == 403
    assert client_for("me.officer").post(url, {"office": offices["TAM"].pk}).status_code == 403


def test_an_office_outside_the_users_scope_is_not_offered(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    response = client_for("cm.tamba").post(
        reverse("cases:new") + f"?person={person.pk}", {"office": offices["KLD"].pk}
    )
    assert response.status_code == 422
    assert not Case.objects.filter(person=person).exists()


def test_a_second_open_case_is_refused_with_a_message(client_for, tamba_case, offices):
    response = client_for("cm.tamba").post(
        reverse("cases:new") + f"?person={tamba_case.person_id}", {"office": offices["TAM"].pk}
    )
    assert response.status_code == 422
    assert "already has an open case" in response.content.decode()
    assert Case.objects.filter(person_id=tamba_case.person_id).count() == 1


def test_a_future_arrival_date_is_shown_next_to_its_field(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    future = datetime.date.today() + datetime.timedelta(days=30)
    response = client_for("cm.tamba").post(
        reverse("cases:new") + f"?person={person.pk}",
        {"office": offices["TAM"].pk, "arrived_on": future.isoformat()},
    )
    html = response.content.decode()
    assert response.status_code == 422
    field = html[html.index('id="id_arrived_on"') :]
    assert "The arrival date is in the future." in field[: field.index("</div>")]


def test_a_missing_person_parameter_is_not_found(client_for):
    assert client_for("cm.tamba").get(reverse("cases:new")).status_code == 404
    assert client_for("cm.tamba").get(reverse("cases:new") + "?person=abc").status_code == 404


# --- the case page ------------------------------------------------------------------------------


def test_the_lead_sees_the_whole_case_and_the_view_is_recorded(client_for, tamba_case):
    response = client_for("cm.tamba").get(detail_url(tamba_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert tamba_case.number in html
    assert "+221 77 123 45 67" in html
    for action in ("note_add", "task_add", "document_add", "transition", "close", "assign"):
        assert reverse(f"cases:{action}", args=[tamba_case.pk]) in html
    # The lead is no coordinator: no history, no reopening.
    assert reverse("cases:history", args=[tamba_case.pk]) not in html
    assert AccessEvent.objects.filter(
        action="case.viewed", case_id=tamba_case.pk, actor__username="cm.tamba"
    ).exists()


def test_a_case_manager_of_another_office_gets_not_found_and_the_denial_is_recorded(
    client_for, tamba_case
):
    assert client_for("cm.kolda").get(detail_url(tamba_case)).status_code == 404
    assert AccessEvent.objects.filter(
        action="case.denied", case_id=tamba_case.pk, actor__username="cm.kolda"
    ).exists()


def test_a_missing_case_is_not_found(client_for):
    response = client_for("coord.national").get(reverse("cases:detail", args=[999999]))
    assert response.status_code == 404


def test_finance_sees_only_the_name_and_the_case_number(client_for, tamba_case):
    services.note_add(actor=tamba_case.lead, case=tamba_case, body="Counselling: family debts")
    response = client_for("finance").get(detail_url(tamba_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert tamba_case.number in html
    assert "Moussa DIALLO" in html
    assert "+221 77 123 45 67" not in html
    assert "family debts" not in html
    assert 'id="notes"' not in html
    assert '<form method="post"' not in html.split('id="main"')[1]


def test_a_coordinator_reads_the_case_but_only_gets_the_coordinator_actions(client_for, tamba_case):
    services.note_add(actor=tamba_case.lead, case=tamba_case, body="Counselling: family debts")
    html = client_for("coord.tamba").get(detail_url(tamba_case)).content.decode()
    assert "family debts" in html
    assert reverse("cases:history", args=[tamba_case.pk]) in html
    assert reverse("cases:assign", args=[tamba_case.pk]) in html
    assert reverse("cases:note_add", args=[tamba_case.pk]) not in html
    assert reverse("cases:transition", args=[tamba_case.pk]) not in html
    assert reverse("cases:close", args=[tamba_case.pk]) not in html


def test_restricted_notes_show_only_to_those_who_may_read_them(client_for, users, tamba_case):
    services.case_assign(
        actor=users["coord.tamba"], case=tamba_case, user=users["cm.psy"], role="SPECIALIST"
    )
    services.note_add(
        actor=users["cm.psy"], case=tamba_case, body="Session: sleep trouble", tier="PSYCHOSOCIAL"
    )
    psy = client_for("cm.psy").get(detail_url(tamba_case)).content.decode()
    assert "sleep trouble" in psy
    assert "Psychosocial session note (restricted)" in psy
    for username in ("coord.tamba", "cm.tamba"):
        html = client_for(username).get(detail_url(tamba_case)).content.decode()
        assert "sleep trouble" not in html, username
        assert "Restricted entry" in html, username
        assert "Psychosocial session note" not in html, username
    me_officer = client_for("me.officer").get(detail_url(tamba_case)).content.decode()
    assert "sleep trouble" not in me_officer
    assert "Restricted entry" not in me_officer


def test_flags_show_only_to_roles_that_may_know_them(client_for, users, tamba_case):
    services.case_flag_set(actor=users["cm.tamba"], case=tamba_case, flag="PROTECTION", value=True)
    coordinator = client_for("coord.tamba").get(detail_url(tamba_case)).content.decode()
    me_officer = client_for("me.officer").get(detail_url(tamba_case)).content.decode()
    assert "flag-protection" in coordinator
    assert "flag-protection" not in me_officer


def test_the_case_page_stays_light_with_a_long_timeline(client_for, users, tamba_case):
    cm = users["cm.tamba"]
    for i in range(150):
        services.task_add(
            actor=cm,
            case=tamba_case,
            title=f"Call the returnee back, attempt {i}",
            due_on=datetime.date(2030, 1, 1),
        )
        services.note_add(actor=cm, case=tamba_case, body=f"Follow-up call {i}. " + "x" * 400)
    client = client_for("cm.tamba")
    response = client.get(detail_url(tamba_case))
    assert response.status_code == 200
    assert len(response.content) < 100 * 1024
    html = response.content.decode()
    assert "Show earlier events" in html
    assert "Show older notes" in html

    more = client.get(reverse("cases:timeline", args=[tamba_case.pk]), {"page": 2}, **HTMX)
    fragment = more.content.decode()
    assert more.status_code == 200
    assert "<html" not in fragment
    assert fragment.count("<li>") == 20
    assert 'hx-swap-oob="true"' in fragment
    assert "page=3" in fragment

    notes = client.get(reverse("cases:notes", args=[tamba_case.pk]), {"page": 2}, **HTMX)
    assert notes.status_code == 200
    assert "Follow-up call 139." in notes.content.decode()


def test_without_javascript_the_earlier_events_are_a_page_of_their_own(client_for, tamba_case):
    response = client_for("cm.tamba").get(
        reverse("cases:timeline", args=[tamba_case.pk]), {"page": 1}
    )
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "Case opened" in response.content.decode()


def test_the_timeline_and_notes_of_an_out_of_scope_case_are_not_found(client_for, tamba_case):
    client = client_for("cm.kolda")
    assert client.get(reverse("cases:timeline", args=[tamba_case.pk])).status_code == 404
    assert client.get(reverse("cases:notes", args=[tamba_case.pk])).status_code == 404


def test_roles_without_notes_cannot_page_through_them(client_for, tamba_case):
    assert (
        client_for("me.officer").get(reverse("cases:notes", args=[tamba_case.pk])).status_code
        == 403
    )


# --- history ------------------------------------------------------------------------------------


def test_a_coordinator_sees_who_changed_and_who_viewed_the_case(client_for, users, tamba_case):
    client_for("cm.tamba").get(detail_url(tamba_case))
    response = client_for("coord.tamba").get(reverse("cases:history", args=[tamba_case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "case.opened" in html
    assert "case.assigned" in html
    assert "case.viewed" in html
    assert "Fatou Sow" in html
    assert AccessEvent.objects.filter(
        action="case.history_viewed", case_id=tamba_case.pk, actor=users["coord.tamba"]
    ).exists()


def test_the_history_is_refused_to_case_managers_and_hidden_out_of_scope(client_for, tamba_case):
    url = reverse("cases:history", args=[tamba_case.pk])
    assert client_for("cm.tamba").get(url).status_code == 403
    assert client_for("cm.kolda").get(url).status_code == 404


# --- the person page fragment -------------------------------------------------------------------


def test_the_person_fragment_lists_the_cases_without_an_open_button_when_one_is_open(
    client_for, tamba_case
):
    response = client_for("cm.tamba").get(
        reverse("cases:person_cases", args=[tamba_case.person_id])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert tamba_case.number in html
    assert "Open a case" not in html


def test_the_person_fragment_offers_to_open_a_case_when_the_user_may(client_for, offices, users):
    person = register(users["cm.tamba"], offices["TAM"])
    url = reverse("cases:person_cases", args=[person.pk])
    html = client_for("cm.tamba").get(url).content.decode()
    assert "Open a case" in html
    assert f"{reverse('cases:new')}?person={person.pk}" in html
    # The M&E specialist sees the person but opens no case.
    assert "Open a case" not in client_for("me.officer").get(url).content.decode()


def test_the_person_fragment_of_a_person_out_of_scope_is_not_found(client_for, tamba_case):
    url = reverse("cases:person_cases", args=[tamba_case.person_id])
    assert client_for("cm.kolda").get(url).status_code == 404
    assert client_for("sysadmin").get(url).status_code == 404
