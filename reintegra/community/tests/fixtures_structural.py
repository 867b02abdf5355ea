"""Fixtures of the structural area's tests: a small register kept at Tambacounda."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reintegra.audit.models import AuditEvent
from reintegra.community.services import structural as services

# The fixtures (test modules import them with `*`; helpers by name).
__all__ = ["agency", "committee", "files", "kolda_ngo", "meeting", "overdue_action"]

TODAY = datetime.date.today()


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def audited(action: str, target) -> bool:
    return AuditEvent.objects.filter(
        action=action, target_type=target._meta.model_name, target_id=target.pk
    ).exists()


@pytest.fixture
def files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    return tmp_path


@pytest.fixture
def agency(users, offices):
    """A regional development agency kept by Tambacounda (both ratings high)."""
    return services.stakeholder_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        name="Agence régionale de développement de Tambacounda",
        kind="LOCAL_AUTHORITY",
        region="Tambacounda",
        influence="HIGH",
        interest="HIGH",
    )


@pytest.fixture
def kolda_ngo(users, offices):
    """An NGO kept by Kolda (coord.tamba does not keep it)."""
    return services.stakeholder_create(
        actor=users["coord.national"],
        office=offices["KLD"],
        name="Association Kolda Avenir",
        kind="NGO",
        influence="LOW",
        interest="HIGH",
    )


@pytest.fixture
def committee(users, offices, agency):
    """The regional technical committee, led by the agency, kept by Tambacounda."""
    return services.mechanism_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        name="Comité technique régional",
        kind="TECHNICAL_COMMITTEE",
        lead=agency,
        meeting_frequency="Quarterly",
    )


@pytest.fixture
def meeting(users, committee):
    return services.meeting_add(
        actor=users["coord.tamba"],
        mechanism=committee,
        held_on=TODAY - datetime.timedelta(days=20),
        attendees="ARD, IOM, chamber of trades",
        decisions="Share the list of training places.",
    )


@pytest.fixture
def overdue_action(users, meeting):
    """An action owned by coord.tamba, due ten days ago."""
    return services.action_add(
        actor=users["coord.tamba"],
        meeting=meeting,
        description="Share the list of training places",
        owner=users["coord.tamba"],
        due_on=TODAY - datetime.timedelta(days=10),
    )
