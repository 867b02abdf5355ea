"""Fixtures of the subject-access request tests: two Tambacounda returnees with a full record
each (notes of every tier, a document file, feedback, an access by a coordinator) and a Kolda
returnee, out of coord.tamba's scope."""

import datetime
import io
import json

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reintegra.audit.services import record_access
from reintegra.cases import services as cases
from reintegra.outreach.services import feedback
from reintegra.people import services as people
from reintegra.privacy.services import requests as services

NOTES = {
    "CASE": "Counselling: Moussa wants to open a tailoring workshop",
    "PROTECTION": "Protection: threats from the transit smuggler network",
    "MEDICAL": "Medical: follow-up for a knee injury at Tambacounda hospital",
    "PSYCHOSOCIAL": "Psychosocial: sleep problems since the return",
}
OTHER_NOTE = "Counselling: Aissatou plans a small shop in Koussanar"


@pytest.fixture
def sar_setup(settings, tmp_path):
    """Exports and documents go to a temporary folder."""
    settings.PRIVATE_FILES_DIR = tmp_path / "files"


def _person(actor, office, given, family, phone):
    return people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex="M" if given == "Moussa" else "F",
        date_of_birth=datetime.date(1995, 3, 2),
        phone=phone,
        region="Tambacounda",
    )


@pytest.fixture
def subject(sar_setup, offices, users):
    """Moussa SOUMARE at Tambacounda: a case with notes of every tier, a document, a consent,
    a complaint and a read of his record by coord.tamba."""
    cm = users["cm.tamba"]
    person = _person(cm, offices["TAM"], "Moussa", "Soumaré", "+221 77 111 22 33")
    people.consent_record(
        actor=cm,
        person=person,
        purpose="CASE_MANAGEMENT",
        given_on=timezone.localdate(),
        language="Pulaar",
    )
    case = cases.case_open(actor=cm, person=person, office=offices["TAM"])
    for tier, body in NOTES.items():
        cases.note_add(actor=cm, case=case, body=body, tier=tier)
    upload = SimpleUploadedFile(
        "carte-identite.pdf", b"%PDF-1.4 Moussa's ID card", "application/pdf"
    )
    cases.document_attach(actor=cm, case=case, upload=upload, doc_type="IDENTITY")
    feedback.feedback_record(
        actor=cm,
        office=offices["TAM"],
        source="RETURNEE",
        received_on=timezone.localdate(),
        channel="HOTLINE",
        category="COMPLAINT",
        theme="DELAYS",
        description="The sewing machine has not arrived",
        returnee=person,
    )
    record_access(
        actor=users["coord.tamba"], action="person.viewed", target=person, person_id=person.pk
    )
    return person


@pytest.fixture
def other(sar_setup, offices, users):
    """Aissatou KANTE, another Tambacounda returnee with her own case and note."""
    cm = users["cm.tamba"]
    person = _person(cm, offices["TAM"], "Aissatou", "Kanté", "+221 77 444 55 66")
    case = cases.case_open(actor=cm, person=person, office=offices["TAM"])
    cases.note_add(actor=cm, case=case, body=OTHER_NOTE)
    return person


@pytest.fixture
def kolda_person(sar_setup, offices, users):
    """A Kolda returnee: outside coord.tamba's scope."""
    return _person(users["cm.kolda"], offices["KLD"], "Ibrahima", "Baldé", "+221 77 777 88 99")


def make_request(users, person, **extra):
    data = {
        "received_on": timezone.localdate(),
        "identity_check": "ID_DOCUMENT",
        "language": "fr",
    }
    data.update(extra)
    return services.request_record(actor=users["coord.tamba"], person=person, **data)


def open_zip(data: bytes, password: str) -> dict[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def export_json(files: dict[str, bytes]) -> dict:
    return json.loads(files["data.json"])
