"""Cases for the access-operations tests (kept here, not in a shared conftest)."""

__all__ = ["SECRET", "kolda_case", "register", "tamba_case"]

import datetime

import pytest

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.people import services as people

SECRET = "Protection-canary-91c2: the safety plan names the aunt in Kolda"


def register(actor, office, **fields):
    data = {
        "given_names": "Moussa",
        "family_name": "Diallo",
        "sex": "M",
        "date_of_birth": datetime.date(1995, 3, 2),
        "phone": "+221 77 123 45 67",
        "region": "Tambacounda",
    }
    data.update(fields)
    return people.returnee_register(actor=actor, office=office, **data)


@pytest.fixture
def tamba_case(offices, users) -> Case:
    """A Tambacounda case with a protection flag and a PROTECTION-tier note."""
    cm = users["cm.tamba"]
    case = cases.case_open(actor=cm, person=register(cm, offices["TAM"]), office=offices["TAM"])
    case = cases.case_flag_set(actor=cm, case=case, flag="PROTECTION", value=True)
    cases.note_add(actor=users["fp.protection"], case=case, body=SECRET, tier="PROTECTION")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def kolda_case(offices, users) -> Case:
    """A case out of coord.tamba's scope (Kolda)."""
    cm = users["cm.kolda"]
    person = register(cm, offices["KLD"], given_names="Awa", family_name="Sané", region="Kolda")
    return cases.case_open(actor=cm, person=person, office=offices["KLD"])
