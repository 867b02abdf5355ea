"""The cases API: list, open, read, flags, stage changes, notes and hand-overs.

Personas (DESIGN §9): cm.tamba leads Tambacounda cases; cm.kolda must not find them; cm.psy
writes psychosocial notes on cases she is assigned to; coord.tamba supervises Tambacounda
(reads, reopens, accepts hand-overs); me.officer reads summaries only; cm.rabat prepares
pre-departure cases in Rabat and hands them over.
"""

import datetime
import json

import pytest
from django.test import Client

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services
from reintegra.cases.models import Case, Handover, Note
from reintegra.people import services as people

_count = {"n": 0}


def call(client: Client, method: str, path: str, data=None, raw: str | None = None, **headers):
    body = raw if raw is not None else (json.dumps(data) if data is not None else None)
    kwargs: dict = {"secure": True, "headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def person(actor, office, **fields):
    _count["n"] += 1
    data = {
        "given_names": "Moussa",
        "family_name": f"Diallo{_count['n']}",
        "sex": "M",
        "date_of_birth": datetime.date(1995, 3, 2),
        "phone": f"+221 77 000 {_count['n']:04d}",
    }
    data.update(fields)
    return people.returnee_register(actor=actor, office=office, **data)


def open_case(actor, office, **fields) -> Case:
    return services.case_open(actor=actor, person=person(actor, office, **fields), office=office)


@pytest.fixture
def tamba_case(users, offices) -> Case:
    """A REGISTERED case at Tambacounda led by cm.tamba."""
    return open_case(users["cm.tamba"], offices["TAM"])


@pytest.fixture
def rabat_case(users, offices) -> Case:
    """A PRE_DEPARTURE case at Rabat led by cm.rabat, with consent for case management."""
    case = open_case(users["cm.rabat"], offices["RBT"])
    people.consent_record(
        actor=users["cm.rabat"],
        person=case.person,
        purpose="CASE_MANAGEMENT",
        given_on=datetime.date.today(),
        language="Wolof",
    )
    return case


def handover_body(case: Case, office) -> dict:
    return {
        "to_office_id": office.pk,
        "consent_id": case.person.consents.get().pk,
        "sections": ["IDENTITY", "NOTES"],
        "message": "Arrives on Tuesday",
    }


# --- list -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_case_manager_lists_her_case(client_for, tamba_case, users, offices):
    response = call(client_for("cm.tamba"), "get", "/api/cases")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == tamba_case.pk
    assert item["number"] == tamba_case.number
    assert item["person"] == {"id": tamba_case.person_id, "name": tamba_case.person.full_name}
    assert item["office"] == {"id": offices["TAM"].pk, "name": "Tambacounda"}
    assert item["stage"] == "REGISTERED"
    assert item["lead"] == {"id": users["cm.tamba"].pk, "name": "Fatou Sow"}
    assert item["flags"] == {"protection": False, "medical": False, "psychosocial": False}
    assert item["version"] == tamba_case.version
    assert item["arrived_on"] == tamba_case.arrived_on.isoformat()


@pytest.mark.django_db
def test_a_case_manager_of_another_region_lists_nothing(client_for, tamba_case):
    assert call(client_for("cm.kolda"), "get", "/api/cases").json() == {"items": [], "count": 0}


@pytest.mark.django_db
def test_a_role_that_may_not_know_a_flag_sees_null(client_for, tamba_case):
    item = call(client_for("finance"), "get", "/api/cases").json()["items"][0]
    assert item["flags"] == {"protection": None, "medical": None, "psychosocial": None}


@pytest.mark.django_db
def test_the_list_filters_by_stage_office_flag_manager_and_text(
    client_for, tamba_case, users, offices
):
    kolda = open_case(users["cm.kolda"], offices["KLD"], family_name="Baldé")
    services.case_flag_set(actor=users["cm.kolda"], case=kolda, flag="MEDICAL", value=True)
    client = client_for("coord.national")

    def count(query: str) -> int:
        response = call(client, "get", f"/api/cases?{query}")
        assert response.status_code == 200
        return response.json()["count"]

    assert count("") == 2
    assert count(f"office={offices['KLD'].pk}") == 1
    assert count("stage=REGISTERED") == 2
    assert count("stage=CLOSED") == 0
    assert count("flag=MEDICAL") == 1
    assert count(f"manager={users['cm.tamba'].pk}") == 1
    assert count("q=balde") == 1
    assert count(f"q={tamba_case.number}") == 1
    assert count("sort=name&stage=nonsense&flag=nonsense") == 2


@pytest.mark.django_db
def test_the_case_list_costs_the_same_queries_whatever_its_length(
    client_for, users, offices, django_assert_max_num_queries
):
    client = client_for("cm.tamba")
    open_case(users["cm.tamba"], offices["TAM"])
    with django_assert_max_num_queries(12) as small:
        assert call(client, "get", "/api/cases").json()["count"] == 1
    for _ in range(25):
        open_case(users["cm.tamba"], offices["TAM"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = call(client, "get", "/api/cases").json()
    assert data["count"] == 26
    assert len(data["items"]) == 26


@pytest.mark.django_db
def test_the_case_list_needs_credentials(tamba_case):
    assert call(Client(), "get", "/api/cases").status_code == 401


@pytest.mark.django_db
def test_a_bearer_token_lists_the_same_cases_as_the_session(users, tamba_case):
    token = api_token_issue(actor=users["cm.tamba"])
    response = call(Client(), "get", "/api/cases", Authorization=f"Bearer {token}")
    assert response.json()["count"] == 1


# --- open -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_manager_opens_a_case_and_leads_it(client_for, users, offices):
    returnee = person(users["cm.tamba"], offices["TAM"])
    body = {"person_id": returnee.pk, "office_id": offices["TAM"].pk, "arrived_on": "2024-02-01"}
    response = call(client_for("cm.tamba"), "post", "/api/cases", body)
    assert response.status_code == 201
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.stage == "REGISTERED"
    assert data["lead"]["id"] == users["cm.tamba"].pk
    assert data["arrived_on"] == "2024-02-01"
    assert data["permissions"]["can_edit"] is True
    assert [a["user"]["id"] for a in data["assignments"]] == [users["cm.tamba"].pk]
    assert AuditEvent.objects.filter(action="case.opened", case_id=case.pk).exists()


@pytest.mark.django_db
def test_opening_a_case_for_a_person_out_of_scope_answers_404(client_for, users, offices):
    returnee = person(users["cm.kolda"], offices["KLD"])
    body = {"person_id": returnee.pk, "office_id": offices["TAM"].pk}
    response = call(client_for("cm.tamba"), "post", "/api/cases", body)
    assert response.status_code == 404
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_opening_a_case_at_an_office_out_of_scope_answers_422(client_for, users, offices):
    returnee = person(users["cm.tamba"], offices["TAM"])
    for office_id in (offices["KLD"].pk, 987654):
        body = {"person_id": returnee.pk, "office_id": office_id}
        response = call(client_for("cm.tamba"), "post", "/api/cases", body)
        assert response.status_code == 422
        assert response.json()["code"] == "office_not_allowed"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_second_open_case_for_the_same_person_answers_422(client_for, tamba_case, offices):
    body = {"person_id": tamba_case.person_id, "office_id": offices["TAM"].pk}
    response = call(client_for("cm.tamba"), "post", "/api/cases", body)
    assert response.status_code == 422
    assert response.json()["code"] == "case_exists"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{", '{"person_id": 1,}', "[1, 2]", '{"person_id": "x"}', ""])
def test_a_malformed_case_body_answers_422_not_500(client_for, raw):
    response = call(client_for("cm.tamba"), "post", "/api/cases", raw=raw)
    assert response.status_code == 422
    assert set(response.json()) >= {"detail", "code"}


# --- read -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reading_a_case_records_the_view(client_for, tamba_case, users):
    response = call(client_for("cm.tamba"), "get", f"/api/cases/{tamba_case.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == tamba_case.number
    assert data["notes_count"] == 0
    assert data["permissions"]["can_set_flags"] == ["PROTECTION", "MEDICAL", "PSYCHOSOCIAL"]
    assert AccessEvent.objects.filter(
        action="case.viewed", case_id=tamba_case.pk, actor=users["cm.tamba"]
    ).exists()


@pytest.mark.django_db
def test_a_case_of_another_region_answers_404_and_the_attempt_is_recorded(
    client_for, tamba_case, users
):
    response = call(client_for("cm.kolda"), "get", f"/api/cases/{tamba_case.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert AccessEvent.objects.filter(
        action="case.denied", case_id=tamba_case.pk, actor=users["cm.kolda"]
    ).exists()
    assert not AccessEvent.objects.filter(action="case.viewed").exists()


@pytest.mark.django_db
def test_a_summary_role_reads_the_case_without_note_counts(client_for, tamba_case):
    data = call(client_for("me.officer"), "get", f"/api/cases/{tamba_case.pk}").json()
    assert data["notes_count"] is None
    assert data["permissions"]["can_edit"] is False


# --- flags ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_raises_the_protection_flag(client_for, tamba_case, users):
    body = {"version": tamba_case.version, "flags": {"protection": True}}
    response = call(client_for("cm.tamba"), "patch", f"/api/cases/{tamba_case.pk}", body)
    assert response.status_code == 200
    data = response.json()
    assert data["flags"]["protection"] is True
    assert data["version"] == tamba_case.version + 1
    event = AuditEvent.objects.get(action="case.flag_set", case_id=tamba_case.pk)
    assert event.actor == users["cm.tamba"]


@pytest.mark.django_db
def test_a_stale_flag_change_answers_409_and_changes_nothing(client_for, tamba_case):
    body = {"version": tamba_case.version - 1, "flags": {"protection": True, "medical": True}}
    response = call(client_for("cm.tamba"), "patch", f"/api/cases/{tamba_case.pk}", body)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    case = Case.objects.get(pk=tamba_case.pk)
    assert (case.has_protection_flag, case.has_medical_flag) == (False, False)
    assert case.version == tamba_case.version
    assert not AuditEvent.objects.filter(action="case.flag_set").exists()


@pytest.mark.django_db
def test_a_summary_role_may_not_set_flags(client_for, tamba_case):
    body = {"version": tamba_case.version, "flags": {"medical": True}}
    response = call(client_for("me.officer"), "patch", f"/api/cases/{tamba_case.pk}", body)
    assert response.status_code == 403
    assert not Case.objects.get(pk=tamba_case.pk).has_medical_flag


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"flags": {"protection": True}},
        {"version": 1, "flags": {"unknown": True}},
        {"version": 1, "flags": {"protection": "maybe"}},
        {"version": 1, "stage": "CLOSED"},
    ],
)
def test_a_case_patch_with_bad_fields_answers_422(client_for, tamba_case, body):
    response = call(client_for("cm.tamba"), "patch", f"/api/cases/{tamba_case.pk}", body)
    assert response.status_code == 422


@pytest.mark.django_db
def test_patching_a_case_of_another_region_answers_404(client_for, tamba_case):
    body = {"version": tamba_case.version, "flags": {"protection": True}}
    response = call(client_for("cm.kolda"), "patch", f"/api/cases/{tamba_case.pk}", body)
    assert response.status_code == 404


# --- stage changes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_moves_the_case_to_assessment(client_for, tamba_case, users):
    body = {"to_stage": "ASSESSMENT", "version": tamba_case.version, "note": "First interview"}
    path = f"/api/cases/{tamba_case.pk}/transitions"
    response = call(client_for("cm.tamba"), "post", path, body)
    assert response.status_code == 200
    assert response.json()["stage"] == "ASSESSMENT"
    event = AuditEvent.objects.get(action="case.stage_changed", case_id=tamba_case.pk)
    assert event.changes == {"stage": ["REGISTERED", "ASSESSMENT"]}


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["MONITORING", "PRE_DEPARTURE", "REGISTERED", "NONSENSE"])
def test_an_invalid_transition_answers_422_with_the_services_message(client_for, tamba_case, stage):
    body = {"to_stage": stage, "version": tamba_case.version}
    path = f"/api/cases/{tamba_case.pk}/transitions"
    response = call(client_for("cm.tamba"), "post", path, body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]
    assert Case.objects.get(pk=tamba_case.pk).stage == "REGISTERED"


@pytest.mark.django_db
def test_a_stale_transition_answers_409_and_changes_nothing(client_for, tamba_case):
    body = {"to_stage": "ASSESSMENT", "version": tamba_case.version + 5}
    path = f"/api/cases/{tamba_case.pk}/transitions"
    response = call(client_for("cm.tamba"), "post", path, body)
    assert response.status_code == 409
    assert Case.objects.get(pk=tamba_case.pk).stage == "REGISTERED"
    assert not AuditEvent.objects.filter(action="case.stage_changed").exists()


@pytest.mark.django_db
def test_a_reader_may_not_move_a_case(client_for, tamba_case):
    body = {"to_stage": "ASSESSMENT", "version": tamba_case.version}
    path = f"/api/cases/{tamba_case.pk}/transitions"
    response = call(client_for("coord.tamba"), "post", path, body)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_closing_needs_a_reason_and_a_coordinator_reopens(client_for, tamba_case):
    path = f"/api/cases/{tamba_case.pk}/transitions"
    cm = client_for("cm.tamba")
    no_reason = call(cm, "post", path, {"to_stage": "CLOSED", "version": tamba_case.version})
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    body = {"to_stage": "CLOSED", "version": tamba_case.version, "reason": "MOVED_AWAY"}
    closed = call(cm, "post", path, body)
    assert closed.status_code == 200
    assert closed.json()["stage"] == "CLOSED"
    assert AuditEvent.objects.filter(action="case.closed", case_id=tamba_case.pk).exists()
    version = closed.json()["version"]
    # The case manager may not reopen; the coordinator may.
    reopen = {"to_stage": "ASSESSMENT", "version": version, "reason": "Came back"}
    assert call(cm, "post", path, reopen).status_code == 403
    reopened = call(client_for("coord.tamba"), "post", path, reopen)
    assert reopened.status_code == 200
    assert reopened.json()["stage"] == "ASSESSMENT"
    assert AuditEvent.objects.filter(action="case.reopened", case_id=tamba_case.pk).exists()


# --- notes ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_writes_and_reads_a_note(client_for, tamba_case, users):
    client = client_for("cm.tamba")
    path = f"/api/cases/{tamba_case.pk}/notes"
    response = call(
        client, "post", path, {"body": "Met at the airport", "written_on": "2024-03-01"}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["tier"] == "CASE"
    assert data["author"]["id"] == users["cm.tamba"].pk
    assert AuditEvent.objects.filter(action="note.added", case_id=tamba_case.pk).exists()
    listing = call(client, "get", path)
    assert listing.status_code == 200
    assert [n["body"] for n in listing.json()["items"]] == ["Met at the airport"]
    assert AccessEvent.objects.filter(action="case.viewed", case_id=tamba_case.pk).exists()


@pytest.mark.django_db
def test_psychosocial_notes_are_hidden_from_the_economic_case_manager(
    client_for, tamba_case, users
):
    services.case_assign(
        actor=users["coord.tamba"], case=tamba_case, user=users["cm.psy"], role="SPECIALIST"
    )
    path = f"/api/cases/{tamba_case.pk}/notes"
    body = {"body": "Session 1", "tier": "PSYCHOSOCIAL"}
    response = call(client_for("cm.psy"), "post", path, body)
    assert response.status_code == 201
    assert Note.objects.get().tier == "PSYCHOSOCIAL"
    assert call(client_for("cm.tamba"), "get", path).json()["count"] == 0
    assert call(client_for("cm.psy"), "get", path).json()["count"] == 1
    # The economic case manager may not write one either.
    assert call(client_for("cm.tamba"), "post", path, body).status_code == 403


@pytest.mark.django_db
def test_a_summary_role_may_not_read_notes(client_for, tamba_case):
    response = call(client_for("me.officer"), "get", f"/api/cases/{tamba_case.pk}/notes")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_reader_may_not_write_a_note(client_for, tamba_case):
    path = f"/api/cases/{tamba_case.pk}/notes"
    response = call(client_for("coord.tamba"), "post", path, {"body": "Hello"})
    assert response.status_code == 403
    assert not Note.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"body": "   "},
        {"body": "x", "written_on": "2999-01-01"},
        {"body": "x", "tier": "FINANCE"},
        {"body": "x", "extra": 1},
        {},
    ],
)
def test_an_invalid_note_answers_422(client_for, tamba_case, body):
    path = f"/api/cases/{tamba_case.pk}/notes"
    response = call(client_for("cm.tamba"), "post", path, body)
    assert response.status_code == 422
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_notes_of_another_regions_case_answer_404(client_for, tamba_case):
    path = f"/api/cases/{tamba_case.pk}/notes"
    assert call(client_for("cm.kolda"), "get", path).status_code == 404
    assert call(client_for("cm.kolda"), "post", path, {"body": "x"}).status_code == 404


# --- hand-overs -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_host_case_manager_hands_a_case_over_and_the_coordinator_accepts(
    client_for, rabat_case, users, offices
):
    response = call(
        client_for("cm.rabat"),
        "post",
        f"/api/cases/{rabat_case.pk}/handovers",
        handover_body(rabat_case, offices["TAM"]),
    )
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "PENDING"
    assert data["sections"] == ["IDENTITY", "NOTES"]
    assert data["to_office"] == {"id": offices["TAM"].pk, "name": "Tambacounda"}
    assert AuditEvent.objects.filter(action="handover.requested", case_id=rabat_case.pk).exists()

    accept = f"/api/handovers/{data['id']}/accept"
    body = {"lead_id": users["cm.tamba"].pk, "note": "Welcome"}
    accepted = call(client_for("coord.tamba"), "post", accept, body)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "ACCEPTED"
    case = Case.objects.get(pk=rabat_case.pk)
    assert (case.office, case.stage, case.lead) == (offices["TAM"], "REGISTERED", users["cm.tamba"])
    assert AuditEvent.objects.filter(action="handover.accepted", case_id=case.pk).exists()

    again = call(client_for("coord.tamba"), "post", accept, {})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


@pytest.mark.django_db
def test_a_hand_over_is_refused_with_a_reason(client_for, rabat_case, users, offices):
    handover = services.handover_request(
        actor=users["cm.rabat"],
        case=rabat_case,
        to_office=offices["TAM"],
        consent=rabat_case.person.consents.get(),
        sections=["IDENTITY"],
    )
    path = f"/api/handovers/{handover.pk}/refuse"
    client = client_for("coord.tamba")
    assert call(client, "post", path, {"reason": "  "}).status_code == 422
    assert call(client, "post", path, {}).status_code == 422
    response = call(client, "post", path, {"reason": "Not our region"})
    assert response.status_code == 200
    assert response.json()["status"] == "REFUSED"
    assert AuditEvent.objects.filter(action="handover.refused", case_id=rabat_case.pk).exists()
    assert Case.objects.get(pk=rabat_case.pk).office == offices["RBT"]


@pytest.mark.django_db
def test_only_the_receiving_office_decides_a_hand_over(client_for, rabat_case, users, offices):
    handover = services.handover_request(
        actor=users["cm.rabat"],
        case=rabat_case,
        to_office=offices["TAM"],
        consent=rabat_case.person.consents.get(),
        sections=["IDENTITY"],
    )
    path = f"/api/handovers/{handover.pk}/accept"
    # The sender sees it (its case) but may not decide; Kolda does not even see it.
    assert call(client_for("cm.rabat"), "post", path, {}).status_code == 403
    assert call(client_for("cm.kolda"), "post", path, {}).status_code == 404
    assert Handover.objects.get(pk=handover.pk).status == "PENDING"


@pytest.mark.django_db
def test_the_lead_of_an_accepted_hand_over_must_work_at_the_receiving_office(
    client_for, rabat_case, users, offices
):
    handover = services.handover_request(
        actor=users["cm.rabat"],
        case=rabat_case,
        to_office=offices["TAM"],
        consent=rabat_case.person.consents.get(),
        sections=["IDENTITY"],
    )
    path = f"/api/handovers/{handover.pk}/accept"
    response = call(client_for("coord.tamba"), "post", path, {"lead_id": users["cm.kolda"].pk})
    assert response.status_code == 422
    assert response.json()["field"] == "lead_id"
    assert Handover.objects.get(pk=handover.pk).status == "PENDING"


@pytest.mark.django_db
def test_an_origin_case_is_not_handed_over(client_for, tamba_case, offices):
    people.consent_record(
        actor=tamba_case.lead,
        person=tamba_case.person,
        purpose="CASE_MANAGEMENT",
        given_on=datetime.date.today(),
        language="Wolof",
    )
    path = f"/api/cases/{tamba_case.pk}/handovers"
    response = call(client_for("cm.tamba"), "post", path, handover_body(tamba_case, offices["KLD"]))
    assert response.status_code == 403
    assert not Handover.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"sections": ["NOTES"]},
        {"sections": ["SECRETS"]},
        {"to_office_id": 987654},
        {"consent_id": 987654},
        {"sections": "IDENTITY"},
    ],
)
def test_an_invalid_hand_over_answers_422(client_for, rabat_case, offices, change):
    body = {**handover_body(rabat_case, offices["TAM"]), **change}
    path = f"/api/cases/{rabat_case.pk}/handovers"
    response = call(client_for("cm.rabat"), "post", path, body)
    assert response.status_code == 422
    assert not Handover.objects.exists()


@pytest.mark.django_db
def test_handing_over_to_a_host_office_answers_422(client_for, rabat_case, offices):
    body = handover_body(rabat_case, offices["RBT"])
    response = call(client_for("cm.rabat"), "post", f"/api/cases/{rabat_case.pk}/handovers", body)
    assert response.status_code == 422
    assert response.json()["field"] == "to_office"


@pytest.mark.django_db
def test_deciding_a_missing_hand_over_answers_404(client_for, programme):
    response = call(
        client_for("coord.tamba"), "post", "/api/handovers/987654/refuse", {"reason": "x"}
    )
    assert response.status_code == 404
