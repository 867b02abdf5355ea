"""Registering returnees, their household, documents and consents — and finding duplicates."""

import datetime

import pytest
from django.http import Http404

from reintegra.audit.models import AuditEvent
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.people import selectors, services

pytestmark = pytest.mark.django_db
DOB = datetime.date(1996, 5, 14)


def register(actor, office, **fields):
    data = {
        "given_names": "Mamadou",
        "family_name": "Baldé",
        "sex": "M",
        "date_of_birth": DOB,
        "nationality": "sn",
        "phone": "+221 77 555 12 34",
    }
    data.update(fields)
    return services.returnee_register(actor=actor, office=office, **data)


def test_registering_keeps_search_keys_and_audits_without_personal_values(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    assert person.nationality == "SN"
    assert person.name_key == "mamadou balde"
    assert person.phone_key == "221775551234"
    event = AuditEvent.objects.get(action="person.registered", person_id=person.pk)
    assert "Baldé" not in str(event.changes)


def test_bad_identity_input_is_refused_field_by_field(offices, users):
    with pytest.raises(ValidationFailed) as error:
        register(users["cm.kolda"], offices["KLD"], family_name=" ")
    assert error.value.field == "family_name"
    with pytest.raises(ValidationFailed) as error:
        register(users["cm.kolda"], offices["KLD"], nationality="Senegal")
    assert error.value.field == "nationality"
    with pytest.raises(ValidationFailed):
        register(
            users["cm.kolda"],
            offices["KLD"],
            date_of_birth=datetime.date.today() + datetime.timedelta(days=1),
        )


def test_an_estimated_age_gives_the_first_of_july(offices, users):
    born = services.estimated_birth_date(30)
    assert (born.month, born.day) == (7, 1)
    with pytest.raises(ValidationFailed):
        services.estimated_birth_date(200)


def test_updates_carry_the_version_and_a_stale_one_changes_nothing(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    updated = services.returnee_update(
        actor=users["cm.kolda"], person=person, version=person.version, commune="Vélingara"
    )
    assert updated.version == person.version + 1
    with pytest.raises(StaleVersion):
        services.returnee_update(
            actor=users["cm.kolda"], person=person, version=person.version, commune="Kolda"
        )
    person.refresh_from_db()
    assert person.commune == "Vélingara"
    assert AuditEvent.objects.get(action="person.updated").changes["commune"] == ["•••", "•••"]


def test_consent_is_recorded_per_purpose_and_withdrawal_is_kept(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    consent = services.consent_record(
        actor=users["cm.kolda"],
        person=person,
        purpose="REFERRAL",
        given_on=datetime.date.today(),
        language="Pulaar",
    )
    assert selectors.consent_valid_for(person, "REFERRAL") == consent
    with pytest.raises(ValidationFailed):
        services.consent_record(
            actor=users["cm.kolda"],
            person=person,
            purpose="PARTNER_SHARING",
            given_on=datetime.date.today(),
            language="Pulaar",
        )
    services.consent_withdraw(actor=users["cm.kolda"], consent=consent, reason="Changed mind")
    assert selectors.consent_valid_for(person, "REFERRAL") is None
    with pytest.raises(ValidationFailed):
        services.consent_withdraw(actor=users["cm.kolda"], consent=consent)
    actions = set(AuditEvent.objects.filter(person_id=person.pk).values_list("action", flat=True))
    assert {"consent.recorded", "consent.withdrawn"} <= actions


def test_household_and_documents_are_audited(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    services.household_member_add(
        actor=users["cm.kolda"], person=person, name="Coumba Baldé", relationship="SPOUSE"
    )
    services.identity_document_add(
        actor=users["cm.kolda"],
        person=person,
        kind="PASSPORT",
        number="A1234567",
        issuing_country="sn",
    )
    assert person.household.count() == 1 and person.documents.get().issuing_country == "SN"
    event = AuditEvent.objects.get(action="person.document_added")
    assert "A1234567" not in str(event.changes)


def test_near_duplicates_are_found_within_scope_only(offices, users):
    register(users["cm.kolda"], offices["KLD"])
    matches = selectors.returnee_possible_duplicates(
        users["cm.kolda"],
        given_names="Mamadou",
        family_name="Balde",
        date_of_birth=DOB,
        nationality="SN",
    )
    assert len(matches) == 1
    assert {"date_of_birth"} <= set(matches[0].reasons)
    similar = selectors.returnee_possible_duplicates(
        users["cm.kolda"], given_names="Mamadu", family_name="Baldé"
    )
    assert similar and "similar_name" in similar[0].reasons
    # A Tambacounda case manager does not see Kolda's registrations.
    assert (
        selectors.returnee_possible_duplicates(
            users["cm.tamba"], given_names="Mamadou", family_name="Baldé", date_of_birth=DOB
        )
        == []
    )
    assert (
        selectors.returnee_possible_duplicates(
            users["cm.kolda"], given_names="Fatou", family_name="Sow"
        )
        == []
    )


def test_a_person_out_of_scope_is_not_found(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    assert selectors.returnee_get_for_user(users["coord.national"], person.pk) == person
    for username in ("cm.tamba", "coord.tamba", "sysadmin", "cm.rabat"):
        with pytest.raises(Http404):
            selectors.returnee_get_for_user(users[username], person.pk)


def test_people_search_ignores_accents_and_matches_phone_digits(offices, users):
    person = register(users["cm.kolda"], offices["KLD"])
    coordinator = users["coord.national"]
    assert list(selectors.returnee_list_for_user(coordinator, query="BALDE")) == [person]
    assert list(selectors.returnee_list_for_user(coordinator, query="555 12 34")) == [person]
    assert list(selectors.returnee_list_for_user(coordinator, query="Ndiaye")) == []
