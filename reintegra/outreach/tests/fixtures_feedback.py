"""Fixtures of the feedback tests: a Tambacounda returnee with a case and its monitoring visits,
and helpers to record feedback through the service."""

import datetime
from typing import Any

import pytest

from reintegra.cases import services as cases
from reintegra.monitoring import services as monitoring
from reintegra.outreach.services import feedback as services
from reintegra.people import services as people

TODAY = datetime.date.today


def record(actor: Any, office: Any, category: str = "COMPLAINT", **extra: Any) -> Any:
    values: dict[str, Any] = {
        "source": "COMMUNITY",
        "received_on": TODAY(),
        "channel": "HOTLINE",
        "theme": "DELAYS",
        "description": "The toolkit promised in March has not arrived",
    }
    values.update(extra)
    if category == "SENSITIVE":
        values.setdefault("sensitive_kind", "FRAUD")
    return services.feedback_record(actor=actor, office=office, category=category, **values)


@pytest.fixture
def returnee_case(offices, users):
    """A returnee registered at Tambacounda by cm.tamba, with an open case."""
    person = people.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
        date_of_birth=datetime.date(1995, 5, 1),
    )
    return cases.case_open(actor=users["cm.tamba"], person=person, office=offices["TAM"])


@pytest.fixture
def visit(returnee_case, users):
    """The first monitoring visit scheduled for the Tambacounda case."""
    visits = monitoring.visits_schedule(actor=users["coord.tamba"], case=returnee_case)
    return visits[0]


@pytest.fixture
def complaint(offices, users):
    """A complaint recorded at Tambacounda by cm.tamba."""
    return record(users["cm.tamba"], offices["TAM"])


@pytest.fixture
def sensitive(offices, users):
    """A sensitive complaint (fraud) recorded at Tambacounda by cm.tamba."""
    return record(
        users["cm.tamba"],
        offices["TAM"],
        "SENSITIVE",
        description="A staff member asked for money to speed up the kit",
    )
