"""The retention run: dry run vs run, what is cleared and what is kept, files, legal holds,
rules. Personas (DESIGN §9): cm.tamba registers and closes the Tambacounda cases; coord.tamba
places legal holds on them; coord.national keeps the retention rules."""

import datetime
import io
import json
from collections import Counter

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from reintegra.audit.models import AuditEvent
from reintegra.cases import services as cases
from reintegra.cases.models import Case, CaseDocument, Note
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.outreach.models.feedback import FeedbackItem
from reintegra.outreach.services import feedback as feedback_services
from reintegra.people import services as people
from reintegra.people.models import IdentityDocument, Returnee
from reintegra.privacy.models.retention import LegalHold, RetentionRule
from reintegra.privacy.services import retention as services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 fake but typed\n"
LATER = datetime.date.today() + datetime.timedelta(days=365 * 8)


def register(actor, office, given="Moussa", family="Diallo", sex="M", phone="+221 77 123 45 67"):
    return people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex=sex,
        date_of_birth=datetime.date(1995, 3, 2),
        phone=phone,
        email="moussa@example.org",
        address="Quartier Liberté, rue 12",
        region="Tambacounda",
        commune="Goudiry",
    )


def closed_case(cm, office, **person):
    """A closed case with a note, a document on disk and an identity document number."""
    person = register(cm, office, **person)
    IdentityDocument.objects.create(person=person, kind="PASSPORT", number="A1234567")
    case = cases.case_open(actor=cm, person=person, office=office)
    cases.note_add(actor=cm, case=case, body=f"{person.given_names} lives with his uncle")
    upload = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    cases.document_attach(actor=cm, case=case, upload=upload, doc_type="IDENTITY")
    return cases.case_close(actor=cm, case=case, reason="OTHER", note="Moved to Dakar with Awa")


@pytest.fixture
def files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    return settings.PRIVATE_FILES_DIR


@pytest.fixture
def world(users, offices, files):
    cm = users["cm.tamba"]
    old = closed_case(cm, offices["TAM"])
    other = closed_case(cm, offices["TAM"], given="Awa", family="Keita", sex="F", phone="+221 70 1")
    open_person = register(cm, offices["TAM"], given="Fatou", family="Ba", sex="F")
    still_open = cases.case_open(actor=cm, person=open_person, office=offices["TAM"])
    return {"old": old, "other": other, "open": still_open}


def run(*args):
    out = io.StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue()


def counts():
    """The aggregates the anonymisation must keep."""
    rows = Case.objects.values_list("person__sex", "office_id", "stage", "person__region")
    return Counter(rows), Counter(
        Returnee.objects.exclude(date_of_birth=None).values_list("date_of_birth__year", flat=True)
    )


def test_nothing_is_due_before_the_period_is_over(world):
    assert "Nothing to anonymise." in run("--dry-run")
    assert "Nothing to anonymise." in run()
    assert Returnee.objects.filter(family_name="Diallo").exists()


def test_the_dry_run_lists_case_numbers_and_changes_nothing(world):
    before = AuditEvent.objects.count()
    with time_machine.travel(LATER, tick=False):
        out = run("--dry-run")
    assert f"CASE: 2 would be anonymised: {world['old'].number}, {world['other'].number}" in out
    assert "PERSON: 2 would be anonymised" in out
    assert "Diallo" not in out and "Moussa" not in out
    assert world["open"].number not in out
    assert AuditEvent.objects.count() == before
    assert Returnee.objects.filter(family_name="Diallo").exists()


def test_the_run_anonymises_exactly_what_the_dry_run_listed_and_keeps_aggregates(
    world, files, django_capture_on_commit_callbacks
):
    before_counts = counts()
    stored = [files / d.storage_name for d in CaseDocument.objects.all()]
    assert all(path.exists() for path in stored)
    with time_machine.travel(LATER, tick=False):
        listed = services.retention_plan()
        with django_capture_on_commit_callbacks(execute=True):
            out = run()
    assert f"CASE: 2 anonymised: {world['old'].number}, {world['other'].number}" in out
    done = services.retention_plan(LATER)
    assert done.is_empty
    assert sorted(listed.persons) == sorted([world["old"].person_id, world["other"].person_id])
    person = Returnee.objects.get(pk=world["old"].person_id)
    assert (person.given_names, person.family_name, person.phone, person.email) == ("", "", "", "")
    assert (person.address, person.name_key, person.phone_key) == ("", "", "")
    assert person.date_of_birth == datetime.date(1995, 1, 1)
    assert (person.sex, person.region, person.office_id) == (
        "M",
        "Tambacounda",
        world["old"].office_id,
    )
    assert not IdentityDocument.objects.exclude(number="").filter(person=person).exists()
    assert set(Note.objects.filter(case=world["old"]).values_list("body", flat=True)) == {""}
    case = Case.objects.get(pk=world["old"].pk)
    assert (case.closure_note, case.sort_name, case.stage) == ("", "", "CLOSED")
    assert case.closed_on == world["old"].closed_on and case.closure_reason == "OTHER"
    # Files are deleted from storage, their names forgotten.
    assert not any(path.exists() for path in stored)
    assert set(CaseDocument.objects.values_list("original_name", flat=True)) == {""}
    # The open case and its person are untouched.
    assert Returnee.objects.get(pk=world["open"].person_id).family_name == "Ba"
    # Aggregates: counts by sex, office, stage, region and year of birth are unchanged.
    assert counts() == before_counts
    # Each record is audited, with no personal data in the row.
    rows = AuditEvent.objects.filter(action="retention.anonymised")
    assert rows.filter(target_type="case").count() == 2
    assert rows.filter(target_type="returnee").count() == 2
    trail = json.dumps(list(rows.values_list("changes", flat=True)))
    assert "Diallo" not in trail and "Moussa" not in trail and "A1234567" not in trail


def test_a_second_run_does_nothing(world):
    with time_machine.travel(LATER, tick=False):
        run()
        audited = AuditEvent.objects.filter(action="retention.anonymised").count()
        assert "Nothing to anonymise." in run()
    assert AuditEvent.objects.filter(action="retention.anonymised").count() == audited


def test_a_person_with_another_open_case_keeps_their_identity(users, offices, files):
    cm = users["cm.tamba"]
    case = closed_case(cm, offices["TAM"])
    cases.case_open(actor=cm, person=case.person, office=offices["TAM"])
    with time_machine.travel(LATER, tick=False):
        plan = services.retention_run()
    assert [number for _pk, number in plan.cases] == [case.number]
    assert plan.persons == []
    assert Returnee.objects.get(pk=case.person_id).family_name == "Diallo"


def test_a_legal_hold_stops_the_anonymisation_until_it_is_lifted(world, users):
    coord = users["coord.tamba"]
    hold = services.legal_hold_place(actor=coord, case=world["old"], reason="Court inquiry")
    assert AuditEvent.objects.filter(action="legal_hold.placed", case_id=world["old"].pk).exists()
    with time_machine.travel(LATER, tick=False):
        out = run("--dry-run")
        assert f"HELD: 1 case(s) under a legal hold kept: {world['old'].number}" in out
        run()
    assert Returnee.objects.get(pk=world["old"].person_id).family_name == "Diallo"
    assert Case.objects.get(pk=world["old"].pk).closure_note
    assert Returnee.objects.get(pk=world["other"].person_id).family_name == ""
    services.legal_hold_lift(actor=coord, hold=hold, reason="Inquiry closed", version=hold.version)
    assert AuditEvent.objects.filter(action="legal_hold.lifted").exists()
    with time_machine.travel(LATER, tick=False):
        run()
    assert Returnee.objects.get(pk=world["old"].person_id).family_name == ""


def test_only_a_coordinator_of_the_scope_places_a_hold_and_only_once(world, users):
    with pytest.raises(NotAllowed):
        services.legal_hold_place(actor=users["cm.tamba"], case=world["old"], reason="x")
    with pytest.raises(NotAllowed):
        services.legal_hold_place(actor=users["cm.kolda"], case=world["old"], reason="x")
    with pytest.raises(ValidationFailed):
        services.legal_hold_place(actor=users["coord.tamba"], case=world["old"], reason="  ")
    hold = services.legal_hold_place(actor=users["coord.national"], case=world["old"], reason="x")
    with pytest.raises(Conflict):
        services.legal_hold_place(actor=users["coord.tamba"], case=world["old"], reason="y")
    with pytest.raises(StaleVersion):
        services.legal_hold_lift(actor=users["coord.tamba"], hold=hold, reason="done", version=9)
    assert LegalHold.objects.get(pk=hold.pk).is_active


def test_closed_feedback_items_lose_names_contacts_and_text_after_their_period(users, offices):
    item = feedback_services.feedback_record(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        source="COMMUNITY",
        received_on=datetime.date.today(),
        channel="HOTLINE",
        category="COMPLAINT",
        theme="DELAYS",
        description="Ibrahima Sow waited three months",
        person_name="Ibrahima Sow",
        contact="+221 77 000 00 00",
    )
    FeedbackItem.objects.filter(pk=item.pk).update(status="CLOSED", closed_on=datetime.date.today())
    with time_machine.travel(LATER, tick=False):
        out = run("--dry-run")
        assert f"FEEDBACK: 1 would be anonymised: {item.reference}" in out
        run()
    item.refresh_from_db()
    assert (item.person_name, item.contact, item.description) == ("", "", "")
    assert (item.category, item.theme, item.office_id) == ("COMPLAINT", "DELAYS", offices["TAM"].pk)


def test_the_rules_start_as_programme_defaults(db):
    rules = {r.record_type: (r.period, r.unit) for r in services.rules_ensure()}
    assert rules == {"CASE": (7, "YEARS"), "FEEDBACK": (3, "YEARS"), "DELIVERY": (12, "MONTHS")}
    assert AuditEvent.objects.filter(action="retention_rule.created").count() == 3
    services.rules_ensure()
    assert RetentionRule.objects.count() == 3


def test_only_the_national_coordinator_edits_a_rule_and_it_is_audited(users, world):
    rule = {r.record_type: r for r in services.rules_ensure()}["CASE"]
    for name in ("coord.tamba", "cm.tamba", "me.officer"):
        with pytest.raises(NotAllowed):
            services.retention_rule_update(
                actor=users[name], rule=rule, version=rule.version, period=1, unit="YEARS"
            )
    with pytest.raises(ValidationFailed):
        services.retention_rule_update(
            actor=users["coord.national"], rule=rule, version=rule.version, period=0, unit="YEARS"
        )
    updated = services.retention_rule_update(
        actor=users["coord.national"], rule=rule, version=rule.version, period=20, unit="YEARS"
    )
    event = AuditEvent.objects.get(action="retention_rule.updated")
    assert event.changes["period"] == [7, 20]
    with pytest.raises(StaleVersion):
        services.retention_rule_update(
            actor=users["coord.national"], rule=updated, version=1, period=2, unit="YEARS"
        )
    # Twenty years: nothing is due eight years on.
    with time_machine.travel(LATER, tick=False):
        assert services.retention_plan().cases == []


def test_an_inactive_rule_is_not_applied(users, world):
    rule = {r.record_type: r for r in services.rules_ensure()}["CASE"]
    services.retention_rule_update(
        actor=users["coord.national"],
        rule=rule,
        version=rule.version,
        period=7,
        unit="YEARS",
        is_active=False,
    )
    with time_machine.travel(LATER, tick=False):
        assert services.retention_plan().cases == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_run_on_postgresql_anonymises_and_is_idempotent(world):
    with time_machine.travel(LATER, tick=False):
        first = services.retention_run()
        second = services.retention_run()
    assert len(first.cases) == 2 and second.is_empty
    assert not Returnee.objects.filter(family_name__in=["Diallo", "Keita"]).exists()


def test_the_run_clears_the_restricted_sections_of_an_anonymised_case(users, offices, files):
    from reintegra.safeguarding import services as sections
    from reintegra.safeguarding.models import SectionEntry, SectionRecord

    cm, fp = users["cm.tamba"], users["fp.protection"]
    person = register(cm, offices["TAM"])
    case = cases.case_open(actor=cm, person=person, office=offices["TAM"])
    cases.case_flag_set(actor=cm, case=case, flag="PROTECTION", value=True)
    case = Case.objects.get(pk=case.pk)
    sections.section_update(
        actor=fp, case=case, section="PROTECTION", version=0,
        values={"safety_plan": "Stays with the aunt in Goudiry"},
    )  # fmt: skip
    sections.section_entry_add(
        actor=fp, case=case, section="PROTECTION", kind="PROTECTION_NOTE",
        body="Threats from the recruiter", next_steps="Call on Monday",
    )  # fmt: skip
    case = Case.objects.get(pk=case.pk)
    cases.case_close(actor=cm, case=case, reason="OTHER", note="Moved")
    with time_machine.travel(LATER, tick=False):
        run()
    record = SectionRecord.objects.get(case=case)
    entry = SectionEntry.objects.get(case=case)
    assert record.content == {}
    assert (entry.body, entry.next_steps) == ("", "")
