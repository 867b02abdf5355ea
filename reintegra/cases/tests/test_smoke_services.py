import datetime

import pytest

from reintegra.audit.models import AuditEvent
from reintegra.cases import services
from reintegra.cases.selectors import case_list_for_user, case_visible_to
from reintegra.people import services as people


@pytest.mark.django_db
def test_a_case_manager_registers_opens_and_moves_a_case(offices, users):
    cm = users["cm.tamba"]
    person = people.returnee_register(actor=cm, office=offices["TAM"], given_names="Moussa",
                                      family_name="Diallo", sex="M",
                                      date_of_birth=datetime.date(1995, 3, 2))
    case = services.case_open(actor=cm, person=person, office=offices["TAM"])
    assert case.lead == cm
    assert case.stage == "REGISTERED"
    case = services.case_transition(actor=cm, case=case, to_stage="ASSESSMENT", version=case.version)
    assert case.stage == "ASSESSMENT"
    assert list(case_visible_to(cm)) == [case]
    assert list(case_visible_to(users["cm.kolda"])) == []
    assert list(case_list_for_user(users["coord.national"])) == [case]
    assert AuditEvent.objects.filter(action="case.stage_changed", case_id=case.pk).exists()
