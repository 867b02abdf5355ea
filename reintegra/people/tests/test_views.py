"""The people pages: search, registration with the duplicate check, the person page, edits.

Personas (DESIGN.md §9): cm.tamba registers at Tambacounda; cm.kolda works at Kolda (another
scope); cm.psy is a Tambacounda case manager not assigned to the case; coord.national covers
Dakar and its regions; me.officer reads identity; finance sees only name, phone and ID numbers;
fp.protection reaches flagged cases only; sysadmin sees no personal data at all.
"""

import datetime

import pytest
from django.urls import reverse

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services as cases
from reintegra.people import services
from reintegra.people.models import Consent, Returnee

DOB = datetime.date(1995, 3, 2)


@pytest.fixture(autouse=True)
def _web(settings):
    """These tests are about the pages, not MFA enrolment (tested in test_sign_in)."""
    settings.MFA_REQUIRED_ROLES = []


@pytest.fixture
def moussa(offices, users) -> Returnee:
    """A returnee registered at Tambacounda by cm.tamba, with no case yet."""
    return services.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
        date_of_birth=DOB,
        phone="+221 77 123 45 67",
        region="Tambacounda",
        commune="Goudiry",
        address="Quartier Liberté",
    )


@pytest.fixture
def open_case(users, offices):
    """Open a case (cm.tamba at Tambacounda by default), optionally raising flags."""

    def make(person: Returnee, actor: str = "cm.tamba", office: str = "TAM", **flags: bool):
        case = cases.case_open(actor=users[actor], person=person, office=offices[office])
        for flag, value in flags.items():
            case = cases.case_flag_set(actor=users[actor], case=case, flag=flag, value=value)
        return case

    return make


def registration(**overrides: object) -> dict[str, object]:
    data = {
        "given_names": "Awa",
        "family_name": "Cissé",
        "sex": "F",
        "date_of_birth": "1990-05-04",
        "nationality": "SN",
        "phone": "",
        "region": "Kolda",
    }
    data.update(overrides)
    return data


# Anonymous visitors


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["people:list", "people:new", "people:duplicates"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, programme, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_anonymous_visitors_cannot_open_a_person_page(client, moussa):
    response = client.get(reverse("people:detail", args=[moussa.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# The list


@pytest.mark.django_db
def test_a_case_manager_finds_the_people_registered_at_their_office(client_for, moussa):
    response = client_for("cm.tamba").get(reverse("people:list"))
    assert response.status_code == 200
    assert "Moussa DIALLO" in response.content.decode()
    assert "Goudiry" in response.content.decode()


@pytest.mark.django_db
def test_a_case_manager_of_another_office_does_not_see_them(client_for, moussa):
    response = client_for("cm.kolda").get(reverse("people:list"))
    assert response.status_code == 200
    assert "DIALLO" not in response.content.decode()


@pytest.mark.django_db
def test_the_search_ignores_accents_and_finds_phone_numbers(client_for, moussa, users, offices):
    services.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Aïssatou",
        family_name="Ndiaye",
        sex="F",
        phone="77 999 88 77",
    )
    client = client_for("cm.tamba")
    by_name = client.get(reverse("people:list"), {"q": "aissatou"}).content.decode()
    assert "Aïssatou NDIAYE" in by_name
    assert "DIALLO" not in by_name
    by_phone = client.get(reverse("people:list"), {"q": "771234567"}).content.decode()
    assert "Moussa DIALLO" in by_phone
    assert "NDIAYE" not in by_phone


@pytest.mark.django_db
def test_finance_sees_names_and_phones_but_not_the_place_of_return(client_for, moussa):
    content = client_for("finance").get(reverse("people:list")).content.decode()
    assert "Moussa DIALLO" in content
    assert "+221 77 123 45 67" in content
    assert "Goudiry" not in content


@pytest.mark.django_db
def test_the_communication_focal_point_opens_the_list_but_reaches_nobody_here(client_for, moussa):
    response = client_for("fp.comms").get(reverse("people:list"))
    assert response.status_code == 200
    assert "DIALLO" not in response.content.decode()


@pytest.mark.django_db
def test_the_system_administrator_has_no_people_list(client_for, moussa):
    assert client_for("sysadmin").get(reverse("people:list")).status_code == 403


@pytest.mark.django_db
def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    client_for, users, offices, django_assert_max_num_queries
):
    for i in range(60):
        services.returnee_register(
            actor=users["cm.tamba"],
            office=offices["TAM"],
            given_names=f"Person {i}",
            family_name="Sample",
            sex="M",
        )
    client = client_for("cm.tamba")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:list"))
    assert response.status_code == 200
    assert response.content.decode().count("SAMPLE</a>") == 50
    second = client.get(reverse("people:list"), {"page": 2}).content.decode()
    assert second.count("SAMPLE</a>") == 10


# Registration


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm.tamba", "cm.rabat", "coord.tamba", "coord.national"])
def test_case_managers_and_coordinators_may_register(client_for, persona):
    response = client_for(persona).get(reverse("people:new"))
    assert response.status_code == 200
    assert 'list="senegal-regions"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["fp.protection", "fp.medical", "fp.comms", "me.officer", "finance", "sysadmin"]
)
def test_other_roles_may_not_register(client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("people:new")).status_code == 403
    assert client.post(reverse("people:new"), registration()).status_code == 403
    assert client.get(reverse("people:duplicates"), {"family_name": "x"}).status_code == 403
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_the_registering_office_defaults_to_the_users_own_office(client_for, offices):
    form = client_for("coord.tamba").get(reverse("people:new")).context["form"]
    assert form["office"].value() == offices["TAM"].pk


@pytest.mark.django_db
def test_registering_saves_the_person_and_audits_it(client_for, offices, users):
    response = client_for("cm.tamba").post(
        reverse("people:new"), registration(office=offices["TAM"].pk)
    )
    person = Returnee.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.office == offices["TAM"]
    assert person.registered_by == users["cm.tamba"]
    assert AuditEvent.objects.filter(action="person.registered", person_id=person.pk).exists()


@pytest.mark.django_db
def test_an_estimated_age_gives_an_estimated_birth_date(client_for, offices):
    client_for("cm.tamba").post(
        reverse("people:new"),
        registration(date_of_birth="", estimated_age="30", office=offices["TAM"].pk),
    )
    person = Returnee.objects.get()
    assert person.is_birth_date_estimated
    assert person.date_of_birth == services.estimated_birth_date(30)


@pytest.mark.django_db
def test_the_birth_date_or_an_age_is_required(client_for, offices):
    response = client_for("cm.tamba").post(
        reverse("people:new"), registration(date_of_birth="", office=offices["TAM"].pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"]
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_a_bad_nationality_is_shown_next_to_the_field(client_for, offices):
    response = client_for("cm.tamba").post(
        reverse("people:new"), registration(nationality="S1", office=offices["TAM"].pk)
    )
    assert response.status_code == 200
    assert "nationality" in response.context["form"].errors
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_a_case_manager_cannot_register_at_an_office_outside_their_scope(client_for, offices):
    response = client_for("cm.tamba").post(
        reverse("people:new"), registration(office=offices["KLD"].pk)
    )
    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert not Returnee.objects.exists()


@pytest.mark.django_db
def test_a_near_duplicate_is_shown_and_nothing_is_saved_until_confirmed(
    client_for, moussa, offices
):
    client = client_for("cm.tamba")
    data = registration(
        given_names="Mousa",
        family_name="Diallo",
        sex="M",
        date_of_birth=DOB.isoformat(),
        office=offices["TAM"].pk,
    )
    response = client.post(reverse("people:new"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Possible duplicate(s) found" in content
    assert reverse("people:detail", args=[moussa.pk]) in content
    assert Returnee.objects.count() == 1
    assert (
        not AuditEvent.objects.filter(action="person.registered")
        .exclude(person_id=moussa.pk)
        .exists()
    )

    response = client.post(reverse("people:new"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    new = Returnee.objects.exclude(pk=moussa.pk).get()
    assert new.given_names == "Mousa"
    assert AuditEvent.objects.filter(action="person.registered", person_id=new.pk).exists()


@pytest.mark.django_db
def test_the_duplicate_check_lists_matches_in_the_users_scope(client_for, moussa):
    query = {"given_names": "Moussa", "family_name": "Dialo", "date_of_birth": DOB.isoformat()}
    response = client_for("cm.tamba").get(reverse("people:duplicates"), query)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Moussa DIALLO" in content
    assert "Tambacounda" in content
    assert 'name="confirm_not_duplicate"' in content
    # Kolda's case manager does not know of a person registered at Tambacounda.
    elsewhere = client_for("cm.kolda").get(reverse("people:duplicates"), query)
    assert "DIALLO" not in elsewhere.content.decode()


@pytest.mark.django_db
def test_the_duplicate_check_ignores_bad_dates_and_empty_names(client_for, moussa):
    client = client_for("cm.tamba")
    empty = client.get(reverse("people:duplicates"), {"date_of_birth": "not-a-date"})
    assert empty.status_code == 200
    assert "DIALLO" not in empty.content.decode()
    bad = client.get(
        reverse("people:duplicates"), {"family_name": "Diallo", "date_of_birth": "1995-13-45"}
    )
    assert bad.status_code == 200


@pytest.mark.django_db
def test_the_registration_form_asks_for_the_duplicate_check_as_names_are_typed(client_for):
    content = client_for("cm.tamba").get(reverse("people:new")).content.decode()
    assert f'hx-get="{reverse("people:duplicates")}"' in content
    assert 'id="duplicates"' in content


# The person page


@pytest.mark.django_db
def test_the_person_page_shows_identity_and_records_the_view(client_for, moussa, users):
    response = client_for("cm.tamba").get(reverse("people:detail", args=[moussa.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Quartier Liberté" in content
    assert reverse("people:edit", args=[moussa.pk]) in content
    assert AccessEvent.objects.filter(
        action="person.viewed", person_id=moussa.pk, actor=users["cm.tamba"]
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm.kolda", "cm.rabat", "fp.protection", "sysadmin"])
def test_people_outside_the_users_scope_are_not_found(client_for, moussa, persona):
    response = client_for(persona).get(reverse("people:detail", args=[moussa.pk]))
    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action="person.viewed").exists()


@pytest.mark.django_db
def test_a_missing_person_is_not_found(client_for, programme):
    assert client_for("cm.tamba").get(reverse("people:detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_finance_sees_only_name_phone_and_identity_numbers(client_for, moussa, users):
    services.identity_document_add(
        actor=users["cm.tamba"], person=moussa, kind="PASSPORT", number="A1234567"
    )
    response = client_for("finance").get(reverse("people:detail", args=[moussa.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Moussa DIALLO" in content
    assert "+221 77 123 45 67" in content
    assert "A1234567" in content
    assert "Quartier Liberté" not in content
    assert "Goudiry" not in content
    assert "Consents" not in content
    assert reverse("people:edit", args=[moussa.pk]) not in content


@pytest.mark.django_db
def test_readers_see_the_full_record_without_the_edit_forms(client_for, moussa):
    content = client_for("me.officer").get(reverse("people:detail", args=[moussa.pk]))
    assert content.status_code == 200
    assert "Quartier Liberté" in content.content.decode()
    assert reverse("people:edit", args=[moussa.pk]) not in content.content.decode()


# Editing


@pytest.mark.django_db
def test_the_registering_case_manager_edits_a_person_without_a_case(client_for, moussa):
    client = client_for("cm.tamba")
    form = client.get(reverse("people:edit", args=[moussa.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="+221 70 000 00 00", is_birth_date_estimated="")
    response = client.post(reverse("people:edit", args=[moussa.pk]), data)
    assert response.status_code == 302
    moussa.refresh_from_db()
    assert moussa.phone == "+221 70 000 00 00"
    assert moussa.version == 2
    assert AuditEvent.objects.filter(action="person.updated", person_id=moussa.pk).exists()


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(client_for, moussa, users):
    client = client_for("cm.tamba")
    form = client.get(reverse("people:edit", args=[moussa.pk])).context["form"]
    services.returnee_update(actor=users["cm.tamba"], person=moussa, version=1, languages="Wolof")
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="+221 70 000 00 00")
    response = client.post(reverse("people:edit", args=[moussa.pk]), data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    moussa.refresh_from_db()
    assert moussa.phone == "+221 77 123 45 67"
    assert moussa.version == 2


@pytest.mark.django_db
def test_a_reader_may_not_edit(client_for, moussa):
    client = client_for("me.officer")
    assert client.get(reverse("people:edit", args=[moussa.pk])).status_code == 403
    response = client.post(
        reverse("people:edit", args=[moussa.pk]), registration(version=moussa.version)
    )
    assert response.status_code == 403
    moussa.refresh_from_db()
    assert moussa.version == 1


@pytest.mark.django_db
def test_once_a_case_is_open_only_those_reaching_it_edit(client_for, moussa, open_case):
    open_case(moussa)
    assert client_for("cm.tamba").get(reverse("people:edit", args=[moussa.pk])).status_code == 200
    # cm.psy sees people registered at Tambacounda but is not assigned to the case.
    assert client_for("cm.psy").get(reverse("people:detail", args=[moussa.pk])).status_code == 200
    assert client_for("cm.psy").get(reverse("people:edit", args=[moussa.pk])).status_code == 403
    assert (
        client_for("coord.national").get(reverse("people:edit", args=[moussa.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_protection_focal_point_edits_a_person_with_a_flagged_case(
    client_for, moussa, open_case
):
    client = client_for("fp.protection")
    assert client.get(reverse("people:edit", args=[moussa.pk])).status_code == 404
    open_case(moussa, PROTECTION=True)
    assert client.get(reverse("people:edit", args=[moussa.pk])).status_code == 200


@pytest.mark.django_db
def test_the_person_page_loads_the_cases_section_with_htmx(client_for, moussa):
    content = client_for("cm.tamba").get(reverse("people:detail", args=[moussa.pk])).content
    url = reverse("cases:person_cases", args=[moussa.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in content.decode()


# Household, documents, consents


@pytest.mark.django_db
def test_adding_a_household_member_is_audited(client_for, moussa):
    response = client_for("cm.tamba").post(
        reverse("people:household_add", args=[moussa.pk]),
        {"name": "Binta Diallo", "relationship": "SPOUSE", "sex": "F", "is_dependant": "on"},
    )
    assert response.status_code == 302
    member = moussa.household.get()
    assert member.is_dependant
    assert AuditEvent.objects.filter(action="person.household_added", person_id=moussa.pk).exists()


@pytest.mark.django_db
def test_a_document_that_expires_before_issue_is_refused_next_to_the_field(client_for, moussa):
    response = client_for("cm.tamba").post(
        reverse("people:document_add", args=[moussa.pk]),
        {
            "kind": "PASSPORT",
            "number": "A1",
            "issued_on": "2020-01-01",
            "expires_on": "2019-01-01",
        },
    )
    assert response.status_code == 200
    assert "expires_on" in response.context["form"].errors
    assert not moussa.documents.exists()


@pytest.mark.django_db
def test_adding_an_identity_document_is_audited(client_for, moussa):
    response = client_for("cm.tamba").post(
        reverse("people:document_add", args=[moussa.pk]),
        {"kind": "NATIONAL_ID", "number": "1 234 1995 00123", "issuing_country": "sn"},
    )
    assert response.status_code == 302
    assert moussa.documents.get().issuing_country == "SN"
    assert AuditEvent.objects.filter(action="person.document_added", person_id=moussa.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["people:household_add", "people:document_add", "people:consent_add"]
)
def test_readers_may_not_add_to_the_record(client_for, moussa, name):
    response = client_for("me.officer").post(reverse(name, args=[moussa.pk]), {})
    assert response.status_code == 403


@pytest.mark.django_db
def test_partner_sharing_needs_the_partners_name(client_for, moussa):
    response = client_for("cm.tamba").post(
        reverse("people:consent_add", args=[moussa.pk]),
        {"purpose": "PARTNER_SHARING", "given_on": "2024-01-10", "language": "Wolof"},
    )
    assert response.status_code == 200
    assert "partner_name" in response.context["form"].errors
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_recording_and_withdrawing_a_consent_is_audited(client_for, moussa, users):
    client = client_for("cm.tamba")
    response = client.post(
        reverse("people:consent_add", args=[moussa.pk]),
        {
            "purpose": "PARTNER_SHARING",
            "partner_name": "Caritas Tambacounda",
            "given_on": "2024-01-10",
            "language": "Pulaar",
            "notes": "",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.obtained_by == users["cm.tamba"]
    assert AuditEvent.objects.filter(action="consent.recorded", person_id=moussa.pk).exists()

    page = client.get(reverse("people:detail", args=[moussa.pk])).content.decode()
    withdraw_url = reverse("people:consent_withdraw", args=[moussa.pk, consent.pk])
    assert withdraw_url in page
    assert "Caritas Tambacounda" in page
    assert "data-confirm=" in page

    response = client.post(withdraw_url, {"reason": "Asked by phone"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    assert consent.withdrawal_reason == "Asked by phone"
    assert AuditEvent.objects.filter(action="consent.withdrawn", person_id=moussa.pk).count() == 1

    again = client.post(withdraw_url, {"reason": "twice"}, follow=True)
    assert "already withdrawn" in again.content.decode()
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


@pytest.mark.django_db
def test_a_consent_is_withdrawn_only_by_post_and_by_a_writer(client_for, moussa, users):
    consent = services.consent_record(
        actor=users["cm.tamba"],
        person=moussa,
        purpose="COMMUNICATION",
        given_on=datetime.date(2024, 1, 10),
        language="Wolof",
    )
    url = reverse("people:consent_withdraw", args=[moussa.pk, consent.pk])
    assert client_for("cm.tamba").get(url).status_code == 405
    assert client_for("me.officer").post(url).status_code == 403
    assert client_for("cm.kolda").post(url).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.django_db
def test_a_consent_of_another_person_is_not_found(client_for, moussa, users, offices):
    other = services.returnee_register(
        actor=users["cm.tamba"], office=offices["TAM"], given_names="A", family_name="B", sex="F"
    )
    consent = services.consent_record(
        actor=users["cm.tamba"],
        person=other,
        purpose="COMMUNICATION",
        given_on=datetime.date(2024, 1, 10),
        language="Wolof",
    )
    url = reverse("people:consent_withdraw", args=[moussa.pk, consent.pk])
    assert client_for("cm.tamba").post(url).status_code == 404
