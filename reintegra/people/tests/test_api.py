"""The people API: search, registration, the identity record, edits and consents.

Personas (DESIGN §9): cm.tamba registers and edits at Tambacounda; cm.kolda works at Kolda and
must not find Tambacounda's people; coord.tamba reads identity but does not edit it once a case
exists; finance sees partial identity; fp.medical may not register anyone.
"""

import datetime
import json

import pytest
from django.test import Client

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services as cases
from reintegra.people import services
from reintegra.people.models import Consent, Returnee


def call(client: Client, method: str, path: str, data=None, raw: str | None = None):
    body = raw if raw is not None else (json.dumps(data) if data is not None else None)
    kwargs: dict = {"secure": True}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def register(actor, office, **fields) -> Returnee:
    data = {
        "given_names": "Moussa",
        "family_name": "Diallo",
        "sex": "M",
        "date_of_birth": datetime.date(1995, 3, 2),
        "phone": "+221 77 123 45 67",
        "region": "Tambacounda",
    }
    data.update(fields)
    return services.returnee_register(actor=actor, office=office, **data)


@pytest.fixture
def moussa(users, offices) -> Returnee:
    """A returnee registered at Tambacounda by cm.tamba, with a case she leads."""
    person = register(users["cm.tamba"], offices["TAM"])
    cases.case_open(actor=users["cm.tamba"], person=person, office=offices["TAM"])
    return person


def new_body(office, **fields) -> dict:
    body = {
        "office_id": office.pk,
        "given_names": "Aïssatou",
        "family_name": "Camara",
        "sex": "F",
        "date_of_birth": "1998-05-04",
        "phone": "+221 76 555 44 33",
        "region": "Tambacounda",
    }
    body.update(fields)
    return body


# --- list -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_manager_finds_her_offices_people(client_for, moussa, offices):
    response = call(client_for("cm.tamba"), "get", "/api/people")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item == {
        "id": moussa.pk,
        "given_names": "Moussa",
        "family_name": "Diallo",
        "sex": "M",
        "date_of_birth": "1995-03-02",
        "nationality": "SN",
        "phone": "+221 77 123 45 67",
        "region": "Tambacounda",
        "department": "",
        "commune": "",
        "office": {"id": offices["TAM"].pk, "name": "Tambacounda"},
        "version": moussa.version,
    }


@pytest.mark.django_db
def test_the_search_filters_by_name_phone_and_office(client_for, moussa, users, offices):
    register(users["cm.tamba"], offices["TAM"], given_names="Binta", family_name="Sow", phone="")
    client = client_for("coord.national")
    assert call(client, "get", "/api/people?q=diallo").json()["count"] == 1
    assert call(client, "get", "/api/people?q=771234567").json()["count"] == 1
    assert call(client, "get", "/api/people?q=nobody").json()["count"] == 0
    assert call(client, "get", f"/api/people?office={offices['TAM'].pk}").json()["count"] == 2
    assert call(client, "get", f"/api/people?office={offices['KLD'].pk}").json()["count"] == 0


@pytest.mark.django_db
def test_a_case_manager_of_another_region_finds_nobody(client_for, moussa):
    assert call(client_for("cm.kolda"), "get", "/api/people").json() == {"items": [], "count": 0}


@pytest.mark.django_db
def test_a_partial_identity_role_sees_name_and_phone_only(client_for, moussa):
    item = call(client_for("finance"), "get", "/api/people").json()["items"][0]
    assert item["family_name"] == "Diallo"
    assert item["phone"] == "+221 77 123 45 67"
    assert item["date_of_birth"] is None
    assert item["region"] is None


@pytest.mark.django_db
def test_the_people_list_costs_the_same_queries_whatever_its_length(
    client_for, users, offices, django_assert_max_num_queries
):
    client = client_for("coord.national")
    register(users["cm.tamba"], offices["TAM"])
    with django_assert_max_num_queries(12) as small:
        assert call(client, "get", "/api/people").json()["count"] == 1
    for n in range(30):
        register(users["cm.tamba"], offices["TAM"], family_name=f"Diallo{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = call(client, "get", "/api/people").json()
    assert data["count"] == 31
    assert len(data["items"]) == 31


@pytest.mark.django_db
def test_without_credentials_the_people_list_answers_401(moussa):
    assert call(Client(), "get", "/api/people").status_code == 401


# --- registration ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_manager_registers_a_returnee_at_her_office(client_for, users, offices):
    response = call(client_for("cm.tamba"), "post", "/api/people", new_body(offices["TAM"]))
    assert response.status_code == 201
    data = response.json()
    person = Returnee.objects.get(pk=data["id"])
    assert person.family_name == "Camara"
    assert person.office == offices["TAM"]
    assert data["can_edit"] is True
    event = AuditEvent.objects.get(action="person.registered", person_id=person.pk)
    assert event.actor == users["cm.tamba"]


@pytest.mark.django_db
def test_an_estimated_age_gives_an_estimated_birth_date(client_for, offices):
    body = new_body(offices["TAM"], date_of_birth=None, estimated_age=30)
    data = call(client_for("cm.tamba"), "post", "/api/people", body).json()
    assert data["is_birth_date_estimated"] is True
    assert data["date_of_birth"].endswith("-07-01")


@pytest.mark.django_db
def test_registering_at_an_office_out_of_scope_answers_422(client_for, offices):
    response = call(client_for("cm.tamba"), "post", "/api/people", new_body(offices["KLD"]))
    assert response.status_code == 422
    assert response.json()["code"] == "office_not_allowed"
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_a_medical_focal_point_may_not_register(client_for, offices):
    response = call(client_for("fp.medical"), "post", "/api/people", new_body(offices["DKR"]))
    assert response.status_code == 422
    assert response.json()["code"] == "office_not_allowed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"is_admin": True},
        {"sex": "Q"},
        {"given_names": ""},
        {"given_names": "x" * 121},
        {"nationality": "SEN"},
        {"date_of_birth": "2999-01-01"},
        {"date_of_birth": "1850-01-01"},
        {"date_of_birth": "not a date"},
        {"email": "not-an-email"},
        {"office_id": "TAM"},
        {"office_id": 10**30},
        {"estimated_age": 30},
        {"is_birth_date_estimated": None},
    ],
)
def test_invalid_registrations_answer_422_and_register_nobody(client_for, offices, change):
    body = new_body(offices["TAM"], **change)
    response = call(client_for("cm.tamba"), "post", "/api/people", body)
    assert response.status_code == 422, response.content
    assert set(response.json()) >= {"detail", "code"}
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_a_malformed_registration_body_answers_422(client_for):
    response = call(client_for("cm.tamba"), "post", "/api/people", raw='{"given_names": "A",')
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"


# --- the record -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reading_a_record_is_recorded_as_an_access_event(client_for, moussa, users):
    response = call(client_for("cm.tamba"), "get", f"/api/people/{moussa.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == moussa.pk
    assert data["can_edit"] is True
    assert data["phone_alt"] == ""
    assert AccessEvent.objects.filter(
        action="person.viewed", person_id=moussa.pk, actor=users["cm.tamba"]
    ).exists()


@pytest.mark.django_db
def test_a_record_out_of_scope_answers_404_and_is_not_served(client_for, moussa):
    response = call(client_for("cm.kolda"), "get", f"/api/people/{moussa.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AccessEvent.objects.filter(action="person.viewed").exists()


@pytest.mark.django_db
def test_the_system_administrator_sees_no_returnee(client_for, moussa):
    assert call(client_for("sysadmin"), "get", f"/api/people/{moussa.pk}").status_code == 404


# --- edits ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_case_manager_corrects_a_name(client_for, moussa, users):
    body = {"version": moussa.version, "given_names": "Mouhamed", "commune": "Goudiry"}
    response = call(client_for("cm.tamba"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 200
    data = response.json()
    assert data["given_names"] == "Mouhamed"
    assert data["commune"] == "Goudiry"
    assert data["family_name"] == "Diallo"
    assert data["version"] == moussa.version + 1
    event = AuditEvent.objects.get(action="person.updated", person_id=moussa.pk)
    assert event.actor == users["cm.tamba"]
    assert set(event.changes) == {"given_names", "commune"}


@pytest.mark.django_db
def test_a_stale_version_answers_409_and_changes_nothing(client_for, moussa):
    body = {"version": moussa.version - 1, "given_names": "Mouhamed"}
    response = call(client_for("cm.tamba"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    moussa.refresh_from_db()
    assert moussa.given_names == "Moussa"
    assert not AuditEvent.objects.filter(action="person.updated").exists()


@pytest.mark.django_db
def test_an_edit_without_version_answers_422(client_for, moussa):
    body = {"given_names": "Mouhamed"}
    response = call(client_for("cm.tamba"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 422
    assert response.json()["field"] == "version"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"office_id": 1}, {"given_names": None}, {"sex": None}, {"version": "x"}]
)
def test_an_edit_with_bad_fields_answers_422(client_for, moussa, change):
    body = {"version": moussa.version, **change}
    response = call(client_for("cm.tamba"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 422
    assert Returnee.objects.get(pk=moussa.pk).version == moussa.version
    assert not AuditEvent.objects.filter(action="person.updated").exists()


@pytest.mark.django_db
def test_a_coordinator_who_reads_identity_may_not_edit_it(client_for, moussa):
    body = {"version": moussa.version, "given_names": "Mouhamed"}
    response = call(client_for("coord.tamba"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_editing_a_record_out_of_scope_answers_404(client_for, moussa):
    body = {"version": moussa.version, "given_names": "Mouhamed"}
    response = call(client_for("cm.kolda"), "patch", f"/api/people/{moussa.pk}", body)
    assert response.status_code == 404


# --- consents -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_case_manager_records_and_lists_consents(client_for, moussa, users):
    client = client_for("cm.tamba")
    body = {"purpose": "REFERRAL", "given_on": "2024-01-10", "language": "Pulaar"}
    response = call(client, "post", f"/api/people/{moussa.pk}/consents", body)
    assert response.status_code == 201
    data = response.json()
    assert data["purpose"] == "REFERRAL"
    assert data["is_valid"] is True
    assert data["obtained_by"] == {"id": users["cm.tamba"].pk, "name": "Fatou Sow"}
    assert AuditEvent.objects.filter(action="consent.recorded", person_id=moussa.pk).exists()
    listing = call(client, "get", f"/api/people/{moussa.pk}/consents")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert AccessEvent.objects.filter(action="person.viewed", person_id=moussa.pk).exists()


@pytest.mark.django_db
def test_a_partner_sharing_consent_needs_the_partner(client_for, moussa):
    body = {"purpose": "PARTNER_SHARING", "given_on": "2024-01-10", "language": "Wolof"}
    response = call(client_for("cm.tamba"), "post", f"/api/people/{moussa.pk}/consents", body)
    assert response.status_code == 422
    assert response.json()["field"] == "partner_name"


@pytest.mark.django_db
def test_consents_out_of_scope_answer_404(client_for, moussa):
    client = client_for("cm.kolda")
    assert call(client, "get", f"/api/people/{moussa.pk}/consents").status_code == 404
    body = {"purpose": "REFERRAL", "given_on": "2024-01-10", "language": "Pulaar"}
    assert call(client, "post", f"/api/people/{moussa.pk}/consents", body).status_code == 404


@pytest.mark.django_db
def test_a_consent_is_withdrawn_once(client_for, moussa, users):
    consent = services.consent_record(
        actor=users["cm.tamba"],
        person=moussa,
        purpose="COMMUNICATION",
        given_on=datetime.date(2024, 1, 10),
        language="Wolof",
    )
    client = client_for("cm.tamba")
    path = f"/api/consents/{consent.pk}/withdraw"
    response = call(client, "post", path, {"reason": "Changed her mind"})
    assert response.status_code == 200
    assert response.json()["is_valid"] is False
    assert AuditEvent.objects.filter(action="consent.withdrawn", target_id=consent.pk).exists()
    again = call(client, "post", path, {})
    assert again.status_code == 422
    assert again.json()["code"] == "already_withdrawn"


@pytest.mark.django_db
def test_withdrawing_a_consent_out_of_scope_answers_404(client_for, moussa, users):
    consent = services.consent_record(
        actor=users["cm.tamba"],
        person=moussa,
        purpose="COMMUNICATION",
        given_on=datetime.date(2024, 1, 10),
        language="Wolof",
    )
    response = call(client_for("cm.kolda"), "post", f"/api/consents/{consent.pk}/withdraw", {})
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None


@pytest.mark.django_db
def test_a_reader_may_not_withdraw_a_consent(client_for, moussa, users):
    consent = services.consent_record(
        actor=users["cm.tamba"],
        person=moussa,
        purpose="COMMUNICATION",
        given_on=datetime.date(2024, 1, 10),
        language="Wolof",
    )
    response = call(client_for("me.officer"), "post", f"/api/consents/{consent.pk}/withdraw", {})
    assert response.status_code == 403
