"""Fixtures for the case pages (test_views*.py): a few ready-made cases, and the setup the pages
need. The page tests opt in with `pytestmark = pytest.mark.usefixtures("page_setup")`, so the
API, service and selector tests of this folder are left as they are.
"""

import datetime

import pytest
from django.utils import timezone

from reintegra.cases import services
from reintegra.cases.models import Case
from reintegra.people import services as people


@pytest.fixture
def page_setup(settings, tmp_path):
    """Uploaded case documents go to a temporary folder."""
    settings.PRIVATE_FILES_DIR = tmp_path / "files"


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
    """A REGISTERED case at Tambacounda, cm.tamba as lead."""
    cm = users["cm.tamba"]
    person = register(cm, offices["TAM"])
    return services.case_open(actor=cm, person=person, office=offices["TAM"])


@pytest.fixture
def rabat_case(offices, users) -> Case:
    """A PRE_DEPARTURE case at Rabat (host country), cm.rabat as lead, with a valid consent."""
    cm = users["cm.rabat"]
    person = register(cm, offices["RBT"], given_names="Awa", family_name="Keita", sex="F")
    people.consent_record(
        actor=cm,
        person=person,
        purpose="CASE_MANAGEMENT",
        given_on=timezone.localdate(),
        language="Wolof",
    )
    return services.case_open(actor=cm, person=person, office=offices["RBT"])
