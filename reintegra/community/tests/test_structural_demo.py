"""The demo's structural register gives the coordinators' home pages something to show."""

import pytest

from reintegra.community.models.structural import Agreement, SopVersion, Stakeholder
from reintegra.community.selectors.structural import home_structural
from reintegra.demo.structural import structural_load


@pytest.mark.django_db
def test_the_demo_register_shows_an_expiring_agreement_and_an_overdue_action(users):
    structural_load(users)
    assert 10 <= Stakeholder.objects.count() <= 15
    assert {a.status for a in Agreement.objects.all()} >= {"IN_FORCE", "EXPIRING", "EXPIRED"}
    national = home_structural(users["coord.national"])
    assert national is not None
    assert [a.kind for a in national["expiring"]] == ["DATA_SHARING"]
    tamba = home_structural(users["coord.tamba"])
    assert tamba is not None
    assert any(a.owner == users["coord.tamba"] for a in tamba["overdue"])
    assert SopVersion.objects.filter(is_current=False).count() == 1
