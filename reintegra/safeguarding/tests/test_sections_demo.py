"""The demo loader of the sections area runs through the services on Tambacounda cases."""

import pytest

from reintegra.demo.sections import sections_load
from reintegra.safeguarding.models import SectionEntry, SectionRecord, TrainingRecord
from reintegra.safeguarding.tests.fixtures_sections import open_case

pytestmark = pytest.mark.django_db


def test_the_demo_fills_sections_and_training_records(offices, users):
    for given in ("Aliou", "Fatou", "Modou"):
        open_case(users["cm.tamba"], offices["TAM"], given, "Sané")
    sections_load(users)
    assert SectionRecord.objects.filter(section="PROTECTION").count() == 2
    assert SectionRecord.objects.filter(section="MEDICAL").count() == 2
    assert SectionEntry.objects.filter(kind="SESSION", author=users["cm.psy"]).count() == 6
    assert TrainingRecord.objects.count() == 8
