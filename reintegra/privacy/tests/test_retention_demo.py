"""The demo's retention data: default rules, an active hold at Tambacounda, a lifted one at
Kolda; the coordinators' home section shows the active one."""

import pytest

from reintegra.demo.programme import programme_load
from reintegra.demo.retention import retention_load
from reintegra.privacy.models.retention import LegalHold, RetentionRule
from reintegra.privacy.selectors.retention import home_retention

pytestmark = pytest.mark.django_db


def test_the_demo_has_rules_and_holds_for_the_coordinators_home(users):
    programme_load()
    retention_load(users)
    retention_load(users)  # idempotent
    assert RetentionRule.objects.count() == 3
    assert LegalHold.objects.count() == 2
    active = LegalHold.objects.get(lifted_on__isnull=True)
    assert active.case.office.code == "TAM"
    assert home_retention(users["coord.tamba"])["held"] == 1
    assert home_retention(users["coord.national"])["held"] == 1
    assert home_retention(users["cm.tamba"]) is None
