"""Case services: lifecycle, assignments, notes, tasks, files, flags, hand-overs — with audit."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reintegra.audit.models import AuditEvent
from reintegra.cases import services
from reintegra.cases.choices import EventKind, HandoverStatus, Stage
from reintegra.cases.models import CaseEvent
from reintegra.cases.tests import factories
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed

pytestmark = pytest.mark.django_db


def audited(action: str, case) -> bool:
    return AuditEvent.objects.filter(action=action, case_id=case.pk).exists()


def test_opening_a_case_at_an_origin_office_registers_it_and_makes_the_case_manager_lead(
    offices, users
):
    case = factories.case(users["cm.tamba"], offices["TAM"])
    assert case.stage == Stage.REGISTERED
    assert case.lead == users["cm.tamba"]
    assert case.number.startswith("TAM-")
    assert audited("case.opened", case) and audited("case.assigned", case)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OPENED).exists()


def test_a_case_opened_at_a_host_country_office_starts_before_departure(offices, users):
    case = factories.case(users["cm.rabat"], offices["RBT"])
    assert case.stage == Stage.PRE_DEPARTURE
    assert case.arrived_on is None


def test_a_person_cannot_have_two_open_cases(offices, users):
    case = factories.case(users["cm.tamba"], offices["TAM"])
    with pytest.raises(ValidationFailed):
        services.case_open(actor=users["cm.tamba"], person=case.person, office=offices["TAM"])


def test_the_lifecycle_moves_forward_one_stage_at_a_time(offices, users):
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    for stage in (Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING):
        case = services.case_transition(actor=cm, case=case, to_stage=stage, version=case.version)
        assert case.stage == stage
    assert AuditEvent.objects.filter(action="case.stage_changed", case_id=case.pk).count() == 4


def test_an_invalid_transition_is_refused_with_a_clear_message_and_changes_nothing(offices, users):
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    with pytest.raises(ValidationFailed) as error:
        services.case_transition(
            actor=cm, case=case, to_stage=Stage.MONITORING, version=case.version
        )
    assert error.value.code == "invalid_transition"
    assert "Assessment" in error.value.message
    case.refresh_from_db()
    assert case.stage == Stage.REGISTERED
    assert not audited("case.stage_changed", case)


def test_a_stale_version_is_refused_and_changes_nothing(offices, users):
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    services.case_transition(actor=cm, case=case, to_stage=Stage.ASSESSMENT, version=case.version)
    with pytest.raises(StaleVersion):
        services.case_close(actor=cm, case=case, reason="MOVED_AWAY", version=case.version)
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def test_a_pre_departure_case_is_not_registered_at_the_host_office(offices, users):
    case = factories.case(users["cm.rabat"], offices["RBT"])
    with pytest.raises(ValidationFailed):
        services.case_transition(actor=users["cm.rabat"], case=case, to_stage=Stage.REGISTERED)


def test_closing_needs_a_handbook_reason_and_a_coordinator_can_reopen(offices, users):
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    services.task_add(actor=cm, case=case, title="Call back", due_on=datetime.date.today())
    with pytest.raises(ValidationFailed):
        services.case_close(actor=cm, case=case, reason="BORED")
    with pytest.raises(ValidationFailed):
        services.case_close(actor=cm, case=case, reason="OTHER", note="")
    case = services.case_close(actor=cm, case=case, reason="REMIGRATED", note="Left for Spain")
    assert case.stage == Stage.CLOSED and case.closed_on
    assert not case.tasks.filter(completed_at__isnull=True).exists()
    assert audited("case.closed", case)
    with pytest.raises(ValidationFailed):
        services.note_add(actor=cm, case=case, body="after closure")
    case = services.case_reopen(
        actor=users["coord.tamba"], case=case, reason="Came back", to_stage=Stage.ASSESSMENT
    )
    assert case.stage == Stage.ASSESSMENT and case.closure_reason == ""
    assert audited("case.reopened", case)


def test_notes_and_tasks_are_dated_audited_and_in_the_timeline(offices, users):
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    note = services.note_add(
        actor=cm,
        case=case,
        body="Wants to open a tailoring workshop",
        written_on=datetime.date.today() - datetime.timedelta(days=2),
    )
    task = services.task_add(
        actor=cm,
        case=case,
        title="Visit the workshop site",
        due_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    services.task_complete(actor=cm, task=task)
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {EventKind.NOTE_ADDED, EventKind.TASK_ADDED, EventKind.TASK_COMPLETED} <= kinds
    assert audited("note.added", case) and audited("task.completed", case)
    # The audit row names the note, not its text.
    assert "tailoring" not in str(AuditEvent.objects.get(action="note.added").changes)
    assert note.written_on < datetime.date.today()
    with pytest.raises(ValidationFailed):
        services.note_add(actor=cm, case=case, body="   ")
    with pytest.raises(ValidationFailed):
        services.task_complete(actor=cm, task=task)


def test_a_new_lead_replaces_the_previous_one(offices, users):
    case = factories.case(users["cm.tamba"], offices["TAM"])
    services.case_assign(actor=users["coord.tamba"], case=case, user=users["cm.psy"])
    case.refresh_from_db()
    assert case.lead == users["cm.psy"]
    active = case.assignments.filter(ended_at__isnull=True)
    assert list(active.values_list("user__username", flat=True)) == ["cm.psy"]


def test_only_a_case_manager_of_the_office_can_be_assigned(offices, users):
    case = factories.case(users["cm.tamba"], offices["TAM"])
    with pytest.raises(ValidationFailed):
        services.case_assign(actor=users["coord.tamba"], case=case, user=users["cm.kolda"])
    with pytest.raises(ValidationFailed):
        services.case_assign(actor=users["coord.tamba"], case=case, user=users["finance"])
    services.case_assign(
        actor=users["coord.tamba"], case=case, user=users["cm.psy"], role="SPECIALIST"
    )
    with pytest.raises(Conflict):
        services.case_assign(
            actor=users["coord.tamba"], case=case, user=users["cm.psy"], role="SPECIALIST"
        )


def test_flags_are_raised_and_cleared_without_restricted_details_in_the_timeline(offices, users):
    case = factories.case(users["cm.tamba"], offices["TAM"])
    case = services.case_flag_set(
        actor=users["cm.tamba"],
        case=case,
        flag="PROTECTION",
        value=True,
        note="Disclosed abuse in transit",
    )
    assert case.has_protection_flag
    event = CaseEvent.objects.get(case=case, kind=EventKind.FLAG_SET)
    assert "abuse" not in event.summary
    assert audited("case.flag_set", case)
    case = services.case_flag_set(
        actor=users["fp.protection"], case=case, flag="PROTECTION", value=False
    )
    assert not case.has_protection_flag


def test_documents_are_type_and_size_checked_and_stored_outside_the_web_root(
    offices, users, settings, tmp_path
):
    settings.PRIVATE_FILES_DIR = tmp_path
    cm = users["cm.tamba"]
    case = factories.case(cm, offices["TAM"])
    pdf = SimpleUploadedFile("passport.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    document = services.document_attach(actor=cm, case=case, upload=pdf, doc_type="IDENTITY")
    assert services.document_path(document).read_bytes() == b"%PDF-1.4 fake"
    assert str(tmp_path) in str(services.document_path(document))
    assert audited("document.added", case)
    with pytest.raises(ValidationFailed) as error:
        services.document_attach(
            actor=cm, case=case, doc_type="OTHER", upload=SimpleUploadedFile("run.exe", b"MZ....")
        )
    assert error.value.code == "file_type"
    with pytest.raises(ValidationFailed):
        services.document_attach(
            actor=cm, case=case, doc_type="OTHER", upload=SimpleUploadedFile("fake.pdf", b"<html>")
        )
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as error:
        services.document_attach(
            actor=cm, case=case, doc_type="OTHER", upload=SimpleUploadedFile("big.txt", b"x" * 11)
        )
    assert error.value.code == "file_size"


def _pending_handover(offices, users):
    rabat = users["cm.rabat"]
    case = factories.case(rabat, offices["RBT"])
    consent = factories.consent(rabat, case.person)
    handover = services.handover_request(
        actor=rabat,
        case=case,
        to_office=offices["TAM"],
        consent=consent,
        sections=["IDENTITY", "NOTES"],
        message="Arrives Tuesday",
    )
    return case, handover


def test_a_hand_over_waits_for_acceptance_and_then_moves_the_case(offices, users):
    case, handover = _pending_handover(offices, users)
    assert handover.status == HandoverStatus.PENDING
    case.refresh_from_db()
    assert case.office == offices["RBT"]
    services.handover_accept(actor=users["coord.tamba"], handover=handover, lead=users["cm.tamba"])
    case.refresh_from_db()
    assert case.office == offices["TAM"]
    assert case.stage == Stage.REGISTERED
    assert case.lead == users["cm.tamba"]
    assert not case.assignments.filter(user=users["cm.rabat"], ended_at__isnull=True).exists()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.HANDED_OVER).exists()
    assert audited("handover.accepted", case)
    with pytest.raises(Conflict):
        services.handover_refuse(actor=users["coord.tamba"], handover=handover, reason="late")


def test_a_refused_hand_over_keeps_the_case_where_it_was(offices, users):
    case, handover = _pending_handover(offices, users)
    with pytest.raises(ValidationFailed):
        services.handover_refuse(actor=users["coord.tamba"], handover=handover, reason=" ")
    services.handover_refuse(
        actor=users["coord.tamba"], handover=handover, reason="Returnee goes to Kolda"
    )
    case.refresh_from_db()
    assert case.office == offices["RBT"] and case.stage == Stage.PRE_DEPARTURE
    assert audited("handover.refused", case)


def test_a_hand_over_needs_a_valid_consent_and_identity_among_the_sections(offices, users):
    rabat = users["cm.rabat"]
    case = factories.case(rabat, offices["RBT"])
    consent = factories.consent(rabat, case.person, purpose="MONITORING")
    with pytest.raises(ValidationFailed):
        services.handover_request(
            actor=rabat, case=case, to_office=offices["TAM"], consent=consent, sections=["IDENTITY"]
        )
    consent = factories.consent(rabat, case.person)
    with pytest.raises(ValidationFailed):
        services.handover_request(
            actor=rabat, case=case, to_office=offices["TAM"], consent=consent, sections=["NOTES"]
        )
    with pytest.raises(ValidationFailed):
        services.handover_request(
            actor=rabat, case=case, to_office=offices["RBT"], consent=consent, sections=["IDENTITY"]
        )
    services.handover_request(
        actor=rabat, case=case, to_office=offices["TAM"], consent=consent, sections=["IDENTITY"]
    )
    with pytest.raises(Conflict):
        services.handover_request(
            actor=rabat, case=case, to_office=offices["KLD"], consent=consent, sections=["IDENTITY"]
        )
