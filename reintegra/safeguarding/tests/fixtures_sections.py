"""Fixtures of the sections tests: a Tambacounda case of cm.tamba with cm.psy assigned and the
protection and medical flags raised (so the focal points reach it), and a Kolda case."""

__all__ = ["case", "files", "kolda_case", "open_case"]

import datetime

import pytest

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.people import services as people


def open_case(actor, office, given="Aliou", family="Sané", born=datetime.date(1994, 1, 1)) -> Case:
    person = people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex="M",
        date_of_birth=born,
    )
    return cases.case_open(actor=actor, person=person, office=office)


@pytest.fixture
def case(offices, users) -> Case:
    cm = users["cm.tamba"]
    found = open_case(cm, offices["TAM"])
    cases.case_assign(
        actor=users["coord.tamba"], case=found, user=users["cm.psy"], role="SPECIALIST"
    )
    for flag in ("PROTECTION", "MEDICAL"):
        cases.case_flag_set(actor=cm, case=found, flag=flag, value=True)
    return Case.objects.get(pk=found.pk)


@pytest.fixture
def kolda_case(offices, users) -> Case:
    found = open_case(users["cm.kolda"], offices["KLD"], "Binta", "Kandé")
    for flag in ("PROTECTION", "MEDICAL"):
        cases.case_flag_set(actor=users["cm.kolda"], case=found, flag=flag, value=True)
    return Case.objects.get(pk=found.pk)


@pytest.fixture
def files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    return settings.PRIVATE_FILES_DIR
