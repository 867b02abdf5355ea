"""Services of the restricted sections: who writes, validation, versions, flags, audit rows
that never carry the content, and encryption at rest."""

import datetime

import pytest
from django.db import connection

from reintegra.audit.models import AuditEvent
from reintegra.cases.models import Case, CaseEvent
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.safeguarding import services
from reintegra.safeguarding.models import SectionEntry, SectionRecord
from reintegra.safeguarding.tests.fixtures_sections import *  # noqa: F403 - the fixtures
from reintegra.safeguarding.tests.fixtures_sections import open_case

pytestmark = pytest.mark.django_db
SECRET = "Canary-9d1: tuberculosis treatment"


def test_the_medical_focal_point_writes_the_medical_section_and_the_audit_hides_the_content(
    case, users
):
    record = services.section_update(
        actor=users["fp.medical"],
        case=case,
        section="MEDICAL",
        version=0,
        values={"needs": SECRET, "conditions": "Declared: asthma"},
    )
    assert record.version == 1
    assert SectionRecord.objects.get(pk=record.pk).content["needs"] == SECRET
    event = AuditEvent.objects.filter(action="section.created", target_id=record.pk).get()
    assert event.case_id == case.pk
    assert SECRET not in str(event.changes) and "asthma" not in str(event.changes)
    assert event.changes["needs"] == ["•••", "•••"]
    line = CaseEvent.objects.filter(case=case, tier="MEDICAL").latest("id")
    assert SECRET not in line.summary and "asthma" not in line.summary


def test_the_content_is_encrypted_at_rest(case, users):
    record = services.section_update(
        actor=users["fp.medical"], case=case, section="MEDICAL", version=0, values={"needs": SECRET}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM safeguarding_sectionrecord WHERE id = %s", [record.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("fernet:") and "tuberculosis" not in raw


def test_a_stale_version_changes_nothing(case, users):
    fp = users["fp.medical"]
    services.section_update(
        actor=fp, case=case, section="MEDICAL", version=0, values={"needs": "a"}
    )
    with pytest.raises(StaleVersion):
        services.section_update(
            actor=fp, case=case, section="MEDICAL", version=0, values={"needs": "b"}
        )
    assert SectionRecord.objects.get(case=case, section="MEDICAL").content["needs"] == "a"


def test_only_the_tiers_writer_writes(case, users):
    for username, section in [
        ("cm.tamba", "MEDICAL"),
        ("coord.tamba", "PROTECTION"),
        ("fp.protection", "MEDICAL"),
        ("fp.medical", "PROTECTION"),
        ("cm.tamba", "PSYCHOSOCIAL"),
    ]:
        with pytest.raises(NotAllowed):
            services.section_update(
                actor=users[username], case=case, section=section, version=0, values={}
            )


def test_unknown_fields_and_bad_choices_are_refused(case, users):
    fp = users["fp.protection"]
    with pytest.raises(ValidationFailed) as err:
        services.section_update(
            actor=fp, case=case, section="PROTECTION", version=0, values={"needs": "x"}
        )
    assert err.value.field == "needs"
    with pytest.raises(ValidationFailed):
        services.section_update(
            actor=fp,
            case=case,
            section="PROTECTION",
            version=0,
            values={"trafficking_screening": "MAYBE"},
        )
    assert not SectionRecord.objects.exists()


def test_writing_protection_raises_the_protection_flag(offices, users):
    cm, fp = users["cm.tamba"], users["fp.protection"]
    fresh = open_case(cm, offices["TAM"], "Fatou", "Ba")
    from reintegra.cases import services as cases

    # The protection focal point reaches a case through the flag or an assignment (an accepted
    # internal referral assigns them).
    cases.case_assign_recipient(actor=users["coord.tamba"], case=fresh, user=fp, role="SPECIALIST")
    fresh = Case.objects.get(pk=fresh.pk)
    assert not fresh.has_protection_flag
    services.section_update(
        actor=fp, case=fresh, section="PROTECTION", version=0, values={"safety_plan": "Plan"}
    )
    assert Case.objects.get(pk=fresh.pk).has_protection_flag
    assert AuditEvent.objects.filter(action="case.flag_set", case_id=fresh.pk).exists()


def test_a_session_needs_its_type_and_duration(case, users):
    psy = users["cm.psy"]
    with pytest.raises(ValidationFailed) as err:
        services.section_entry_add(
            actor=psy, case=case, section="PSYCHOSOCIAL", kind="SESSION", body="Talked"
        )
    assert err.value.field == "session_type"
    with pytest.raises(ValidationFailed) as err:
        services.section_entry_add(
            actor=psy,
            case=case,
            section="PSYCHOSOCIAL",
            kind="SESSION",
            body="Talked",
            session_type="FAMILY",
            duration_minutes=0,
        )
    assert err.value.field == "duration_minutes"
    entry = services.section_entry_add(
        actor=psy,
        case=case,
        section="PSYCHOSOCIAL",
        kind="SESSION",
        body="Family session about the return",
        next_steps="Meet again in two weeks",
        session_type="FAMILY",
        duration_minutes=60,
    )
    assert SectionEntry.objects.get(pk=entry.pk).next_steps == "Meet again in two weeks"
    event = AuditEvent.objects.get(action="section.entry_added", target_id=entry.pk)
    assert "Family session" not in str(event.changes)
    assert Case.objects.get(pk=case.pk).has_psychosocial_flag


def test_entries_refuse_other_kinds_future_dates_and_empty_text(case, users):
    fp = users["fp.protection"]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for kwargs, field in [
        ({"kind": "SESSION", "body": "x"}, "kind"),
        ({"kind": "PROTECTION_NOTE", "body": "  "}, "body"),
        ({"kind": "PROTECTION_NOTE", "body": "x", "written_on": tomorrow}, "written_on"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            services.section_entry_add(actor=fp, case=case, section="PROTECTION", **kwargs)
        assert err.value.field == field


def test_a_closed_case_takes_no_entry(case, users):
    from reintegra.cases import services as cases

    closed = cases.case_close(actor=users["cm.tamba"], case=case, reason="MOVED_AWAY")
    with pytest.raises((ValidationFailed, NotAllowed)):
        services.section_entry_add(
            actor=users["fp.medical"],
            case=closed,
            section="MEDICAL",
            kind="MEDICAL_FOLLOW_UP",
            body="x",
        )
