"""Consent-withdrawal cascades: withdrawing monitoring consent cancels the planned visits and
keeps the person out of later schedules; withdrawing communication consent cancels the queued
messages, and later sends skip the person. Personas: cm.tamba keeps the case and records the
withdrawal; fp.comms (Dakar) writes to consenting returnees."""

import datetime

import pytest

from reintegra.audit.models import AuditEvent
from reintegra.cases import services as cases
from reintegra.monitoring import services as monitoring
from reintegra.monitoring.models import Visit
from reintegra.outreach.models.communication import Delivery
from reintegra.outreach.services import communication as outreach
from reintegra.outreach.tests.fixtures_communication import message_file_fixture, sms
from reintegra.people import services as people

pytestmark = pytest.mark.django_db

__all__ = ["message_file_fixture"]


def person_with(cm, office, *purposes, given="Awa", phone="+221 70 111 22 33"):
    person = people.returnee_register(
        actor=cm,
        office=office,
        given_names=given,
        family_name="Keita",
        sex="F",
        date_of_birth=datetime.date(1994, 4, 4),
        phone=phone,
        region="Tambacounda",
    )
    consents = {
        purpose: people.consent_record(
            actor=cm,
            person=person,
            purpose=purpose,
            given_on=datetime.date.today(),
            language="Pulaar",
        )
        for purpose in purposes
    }
    return person, consents


def to_monitoring(cm, case):
    for stage in ("ASSESSMENT", "PLANNING", "ASSISTANCE", "MONITORING"):
        case = cases.case_transition(actor=cm, case=case, to_stage=stage)
    return case


def test_withdrawing_monitoring_consent_cancels_the_planned_visits(users, offices):
    cm = users["cm.tamba"]
    person, consents = person_with(cm, offices["TAM"], "MONITORING")
    case = to_monitoring(cm, cases.case_open(actor=cm, person=person, office=offices["TAM"]))
    planned = list(Visit.objects.filter(case=case, status="PLANNED"))
    assert len(planned) == 3
    people.consent_withdraw(actor=cm, consent=consents["MONITORING"], reason="No more visits")
    assert set(Visit.objects.filter(case=case).values_list("status", flat=True)) == {"CANCELLED"}
    assert AuditEvent.objects.filter(action="visit.cancelled", case_id=case.pk).count() == 3
    assert AuditEvent.objects.filter(action="consent.withdrawn", person_id=person.pk).exists()


def test_a_person_who_withdrew_is_not_scheduled_again(users, offices):
    cm = users["cm.tamba"]
    person, consents = person_with(cm, offices["TAM"], "MONITORING")
    people.consent_withdraw(actor=cm, consent=consents["MONITORING"])
    case = to_monitoring(cm, cases.case_open(actor=cm, person=person, office=offices["TAM"]))
    assert case.stage == "MONITORING"
    assert not Visit.objects.filter(case=case).exists()


def test_a_person_who_never_gave_monitoring_consent_is_still_scheduled(users, offices):
    cm = users["cm.tamba"]
    person, _consents = person_with(cm, offices["TAM"])
    case = to_monitoring(cm, cases.case_open(actor=cm, person=person, office=offices["TAM"]))
    assert Visit.objects.filter(case=case, status="PLANNED").count() == 3


def test_withdrawing_another_consent_leaves_the_visits_planned(users, offices):
    cm = users["cm.tamba"]
    person, consents = person_with(cm, offices["TAM"], "MONITORING", "REFERRAL")
    case = cases.case_open(actor=cm, person=person, office=offices["TAM"])
    monitoring.visits_schedule(actor=cm, case=case)
    people.consent_withdraw(actor=cm, consent=consents["REFERRAL"])
    assert Visit.objects.filter(case=case, status="PLANNED").count() == 3


def test_withdrawing_communication_consent_cancels_queued_messages_and_later_sends_skip(
    users, offices, message_file, django_capture_on_commit_callbacks
):
    cm, fp = users["cm.tamba"], users["fp.comms"]
    awa, awa_consents = person_with(cm, offices["TAM"], "COMMUNICATION")
    fanta, _ = person_with(
        cm, offices["TAM"], "COMMUNICATION", given="Fanta", phone="+221 77 555 66 77"
    )
    message = sms(fp, offices["DKR"])
    # The send starts but the worker has not run yet: both deliveries are queued.
    with django_capture_on_commit_callbacks(execute=False):
        outreach.message_send(actor=fp, message=message, version=message.version)
    assert Delivery.objects.filter(message=message, status="QUEUED").count() == 2
    people.consent_withdraw(actor=cm, consent=awa_consents["COMMUNICATION"], reason="Stop SMS")
    cancelled = Delivery.objects.get(message=message, person=awa)
    assert (cancelled.status, cancelled.error) == ("FAILED", "consent withdrawn")
    assert AuditEvent.objects.filter(action="message.delivery_cancelled", person_id=awa.pk).exists()
    # The worker then sends only what is still queued.
    outreach.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.sent, message.failed) == ("SENT", 1, 1)
    assert Delivery.objects.get(message=message, person=fanta).status == "SENT"
    # A later message skips her.
    later = sms(fp, offices["DKR"], body="Second information session.")
    with django_capture_on_commit_callbacks(execute=True):
        outreach.message_send(actor=fp, message=later, version=later.version)
    assert set(Delivery.objects.filter(message=later).values_list("person_id", flat=True)) == {
        fanta.pk
    }
