"""Fixtures for referrals: a Tambacounda case whose returnee consented to referral, a provider
serving Tambacounda with a job-placement and a health service, and one serving Kolda only."""

import pytest
from django.utils import timezone

from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.cases.tests.conftest import register as cases_register
from reintegra.instruments.tests.conftest import shipped  # noqa: F401  (the fixture)
from reintegra.people import services as people
from reintegra.providers import services as providers
from reintegra.providers.models import Provider, Service


def register(actor, office, **fields):
    """The case pages' returnee, with an address (that a referral does not share by default)."""
    return cases_register(actor, office, **{"address": "Quartier Liberté, rue 12", **fields})


def open_case(users, offices, *, consent: bool = True, **fields) -> Case:
    cm = users["cm.tamba"]
    person = register(cm, offices["TAM"], **fields)
    if consent:
        people.consent_record(
            actor=cm,
            person=person,
            purpose="REFERRAL",
            given_on=timezone.localdate(),
            language="Wolof",
        )
    return cases.case_open(actor=cm, person=person, office=offices["TAM"])


@pytest.fixture
def case(users, offices) -> Case:
    """A Tambacounda case (cm.tamba leads) whose returnee consented to referral."""
    return open_case(users, offices)


@pytest.fixture
def no_consent_case(users, offices) -> Case:
    return open_case(users, offices, consent=False, given_names="Awa", sex="F")


@pytest.fixture
def provider(users, offices) -> Provider:
    return providers.provider_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        name="Agence pour l'emploi des jeunes",
        kind="PUBLIC",
        region="Tambacounda",
        catchment_regions=["Tambacounda", "Kédougou"],
        response_days=5,
        phone="+221 33 981 00 00",
    )


@pytest.fixture
def job(users, provider) -> Service:
    return providers.service_add(
        actor=users["coord.tamba"], provider=provider, category="JOB_PLACEMENT", name="Placement"
    )


@pytest.fixture
def clinic(users, provider) -> Service:
    return providers.service_add(
        actor=users["coord.tamba"],
        provider=provider,
        category="HEALTH_PRIMARY",
        name="Consultations",
    )


@pytest.fixture
def kolda_service(users, offices) -> Service:
    kolda = providers.provider_create(
        actor=users["cm.kolda"],
        office=offices["KLD"],
        name="Centre de formation de Kolda",
        kind="NON_PROFIT",
        region="Kolda",
        catchment_regions=["Kolda"],
    )
    return providers.service_add(
        actor=users["cm.kolda"], provider=kolda, category="TVET", name="Couture"
    )
