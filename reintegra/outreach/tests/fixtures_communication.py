"""Fixtures of the communication tests: returnees of Tambacounda and Kolda, some with a
communication consent, and a message file in the test's temporary directory.

Personas (DESIGN §9): fp.comms (Dakar, national scope) keeps the strategy, campaigns and
activities and writes to returnees; coord.tamba reads Tambacounda's records and may send;
me.officer reads activities and reach; case managers and the others do not use these pages.
"""

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from reintegra.cases import services as cases
from reintegra.outreach.services import communication as services
from reintegra.people import services as people


def register(actor, office, given, family, *, phone="", email="", region="Tambacounda"):
    return people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex="F",
        date_of_birth=datetime.date(1995, 5, 5),
        phone=phone,
        email=email,
        region=region,
        commune="Goudiry" if region == "Tambacounda" else "Vélingara",
    )


def consent(actor, person, purpose="COMMUNICATION"):
    return people.consent_record(
        actor=actor,
        person=person,
        purpose=purpose,
        given_on=datetime.date.today(),
        language="Pulaar",
    )


@pytest.fixture(name="message_file")
def message_file_fixture(settings, tmp_path) -> Path:
    path = tmp_path / "messages.jsonl"
    settings.REINTEGRA_MESSAGE_FILE = str(path)
    settings.REINTEGRA_MESSAGE_BACKENDS = {}
    return path


def sent_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(name="returnees")
def returnees_fixture(users, offices) -> dict[str, Any]:
    """At Tambacounda: Awa and Binta consented (Binta has no phone), Coumba did not, Dieynaba
    withdrew; at Kolda: Fanta consented. Awa has an open case with a counselling note."""
    cm, kolda = users["cm.tamba"], users["cm.kolda"]
    tam = offices["TAM"]
    awa = register(cm, tam, "Awa", "Diallo", phone="+221 77 123 45 12")
    binta = register(cm, tam, "Binta", "Sow")
    coumba = register(cm, tam, "Coumba", "Ndiaye", phone="+221 77 999 88 77")
    dieynaba = register(cm, tam, "Dieynaba", "Ba", phone="+221 76 555 44 33")
    fanta = register(
        kolda, offices["KLD"], "Fanta", "Baldé", phone="+221 70 111 22 33", region="Kolda"
    )
    for person in (awa, binta, dieynaba):
        consent(cm, person)
    consent(kolda, fanta)
    consent(cm, coumba, "CASE_MANAGEMENT")
    withdrawn = dieynaba.consents.get(purpose="COMMUNICATION")
    people.consent_withdraw(
        actor=cm, consent=withdrawn, withdrawn_on=datetime.date.today(), reason="Asked to stop"
    )
    consent(cm, awa, "CASE_MANAGEMENT")
    case = cases.case_open(actor=cm, person=awa, office=tam)
    cases.note_add(actor=cm, case=case, body="Secret counselling narrative about debts")
    return {
        "awa": awa,
        "binta": binta,
        "coumba": coumba,
        "dieynaba": dieynaba,
        "fanta": fanta,
        "case": case,
    }


def sms(user, office, **kwargs):
    defaults = {
        "channel": "SMS",
        "body": "Information session on Friday at the Tambacounda office.",
        "region": "Tambacounda",
    }
    return services.message_create(actor=user, office=office, **{**defaults, **kwargs})


def activity(user, office, **kwargs):
    defaults = {
        "kind": "INFO_SESSION",
        "title": "Information session in Goudiry",
        "held_on": datetime.date.today(),
        "region": "Tambacounda",
        "commune": "Goudiry",
        "venue": "Maison des jeunes",
        "audience": "RETURNEES",
        "reach": {("F", "18-24"): 12, ("M", "25-59"): 8},
    }
    return services.activity_create(actor=user, office=office, **{**defaults, **kwargs})
