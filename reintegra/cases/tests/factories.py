"""Small builders for case tests, going through the services like a user would."""

import datetime
from typing import Any

from reintegra.cases import services
from reintegra.cases.models import Case
from reintegra.people import services as people
from reintegra.people.models import Returnee

_counter = {"n": 0}


def returnee(actor: Any, office: Any, **fields: Any) -> Returnee:
    _counter["n"] += 1
    data = {
        "given_names": "Moussa",
        "family_name": f"Diallo{_counter['n']}",
        "sex": "M",
        "date_of_birth": datetime.date(1995, 3, 2),
        "phone": f"+221 77 000 {_counter['n']:04d}",
        "region": "Tambacounda",
    }
    data.update(fields)
    return people.returnee_register(actor=actor, office=office, **data)


def case(actor: Any, office: Any, **fields: Any) -> Case:
    return services.case_open(actor=actor, person=returnee(actor, office, **fields), office=office)


def consent(actor: Any, person: Returnee, purpose: str = "CASE_MANAGEMENT") -> Any:
    return people.consent_record(
        actor=actor,
        person=person,
        purpose=purpose,
        given_on=datetime.date.today(),
        language="Wolof",
    )
