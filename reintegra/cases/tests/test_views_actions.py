"""The actions on a case page (POST): who may take them, their effect and audit event, and how a
refusal is shown (next to the field, nothing changed)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services
from reintegra.cases.models import Assignment, Case, CaseDocument, Note, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_setup")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name: str, case: Case, *args: object) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def audited(action: str, case: Case) -> bool:
    return AuditEvent.objects.filter(action=action, case_id=case.pk).exists()


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- stage --------------------------------------------------------------------------------------


def test_the_lead_moves_the_case_to_the_next_stage(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("transition", tamba_case),
        {"to_stage": "ASSESSMENT", "version": tamba_case.version, "note": "Ready"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", tamba_case)
    assert fresh(tamba_case).stage == "ASSESSMENT"
    assert audited("case.stage_changed", tamba_case)


def test_an_invalid_transition_is_refused_with_a_clear_message_and_nothing_changes(
    client_for, tamba_case
):
    response = client_for("cm.tamba").post(
        url("transition", tamba_case), {"to_stage": "MONITORING", "version": tamba_case.version}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "cannot move to Monitoring" in html
    assert "Allowed next stages: Assessment" in html
    assert fresh(tamba_case).stage == "REGISTERED"
    assert not audited("case.stage_changed", tamba_case)


def test_a_stale_version_says_someone_else_changed_the_case_and_changes_nothing(
    client_for, users, tamba_case
):
    old_version = tamba_case.version
    services.case_transition(
        actor=users["cm.tamba"], case=tamba_case, to_stage="ASSESSMENT", version=old_version
    )
    response = client_for("cm.tamba").post(
        url("transition", tamba_case), {"to_stage": "PLANNING", "version": old_version}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in html
    case = fresh(tamba_case)
    assert case.stage == "ASSESSMENT"
    # The page shows the case as it is now, with its current version for the next try.
    assert f'name="version" value="{case.version}"' in html
    assert AuditEvent.objects.filter(action="case.stage_changed", case_id=case.pk).count() == 1


def test_a_missing_version_is_refused(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("transition", tamba_case), {"to_stage": "ASSESSMENT"}
    )
    assert response.status_code == 422
    assert fresh(tamba_case).stage == "REGISTERED"


def test_a_coordinator_cannot_change_the_stage(client_for, tamba_case):
    response = client_for("coord.tamba").post(
        url("transition", tamba_case), {"to_stage": "ASSESSMENT", "version": tamba_case.version}
    )
    assert response.status_code == 403
    assert fresh(tamba_case).stage == "REGISTERED"


def test_a_case_out_of_scope_cannot_be_moved(client_for, tamba_case):
    response = client_for("cm.kolda").post(
        url("transition", tamba_case), {"to_stage": "ASSESSMENT", "version": tamba_case.version}
    )
    assert response.status_code == 404
    assert fresh(tamba_case).stage == "REGISTERED"


def test_actions_answer_only_to_post(client_for, tamba_case):
    assert client_for("cm.tamba").get(url("transition", tamba_case)).status_code == 405


# --- notes --------------------------------------------------------------------------------------


def test_the_lead_adds_a_note(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("note_add", tamba_case),
        {"written_on": "2025-02-01", "body": "First counselling session", "tier": "CASE"},
    )
    assert response.status_code == 302
    note = Note.objects.get(case=tamba_case)
    assert note.body == "First counselling session"
    assert note.written_on == datetime.date(2025, 2, 1)
    assert note.tier == "CASE"
    assert audited("note.added", tamba_case)


def test_the_me_officer_cannot_add_a_note(client_for, tamba_case):
    response = client_for("me.officer").post(
        url("note_add", tamba_case), {"written_on": "2025-02-01", "body": "x", "tier": "CASE"}
    )
    assert response.status_code == 403
    assert not Note.objects.filter(case=tamba_case).exists()


def test_a_case_manager_of_another_office_cannot_add_a_note(client_for, tamba_case):
    response = client_for("cm.kolda").post(
        url("note_add", tamba_case), {"written_on": "2025-02-01", "body": "x", "tier": "CASE"}
    )
    assert response.status_code == 404
    assert not Note.objects.filter(case=tamba_case).exists()


def test_only_a_psychosocial_case_manager_writes_psychosocial_session_notes(
    client_for, users, tamba_case
):
    data = {"written_on": "2025-02-01", "body": "Session one", "tier": "PSYCHOSOCIAL"}
    lead_page = client_for("cm.tamba").get(url("detail", tamba_case)).content.decode()
    assert "Psychosocial session note" not in lead_page
    assert client_for("cm.tamba").post(url("note_add", tamba_case), data).status_code == 403
    assert not Note.objects.filter(case=tamba_case).exists()

    services.case_assign(
        actor=users["coord.tamba"], case=tamba_case, user=users["cm.psy"], role="SPECIALIST"
    )
    psy_page = client_for("cm.psy").get(url("detail", tamba_case)).content.decode()
    assert "Psychosocial session note (restricted)" in psy_page
    assert client_for("cm.psy").post(url("note_add", tamba_case), data).status_code == 302
    assert Note.objects.get(case=tamba_case).tier == "PSYCHOSOCIAL"


def test_the_protection_focal_point_writes_protection_notes_only(client_for, users, tamba_case):
    services.case_flag_set(actor=users["cm.tamba"], case=tamba_case, flag="PROTECTION", value=True)
    client = client_for("fp.protection")
    page = client.get(url("detail", tamba_case)).content.decode()
    assert "Protection note (restricted)" in page
    assert '<option value="CASE"' not in page
    data = {"written_on": "2025-02-01", "body": "Screening follow-up", "tier": "CASE"}
    assert client.post(url("note_add", tamba_case), data).status_code == 403
    data["tier"] = "PROTECTION"
    assert client.post(url("note_add", tamba_case), data).status_code == 302
    assert Note.objects.get(case=tamba_case).tier == "PROTECTION"
    # Coordinators know a protection entry exists, without its content.
    coordinator = client_for("coord.tamba").get(url("detail", tamba_case)).content.decode()
    assert "Screening follow-up" not in coordinator
    assert "Restricted entry" in coordinator


def test_an_empty_note_is_refused_next_to_its_field(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("note_add", tamba_case), {"written_on": "2025-02-01", "body": "   ", "tier": "CASE"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    body_field = html[html.index('id="id_note_body"') :]
    assert "errorlist" in body_field[: body_field.index("</div>")]
    assert "<details open>" in html
    assert not Note.objects.filter(case=tamba_case).exists()


def test_a_note_dated_in_the_future_is_refused(client_for, tamba_case):
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client_for("cm.tamba").post(
        url("note_add", tamba_case), {"written_on": future, "body": "Later", "tier": "CASE"}
    )
    assert response.status_code == 422
    assert "The note&#x27;s date is in the future." in response.content.decode()


# --- tasks --------------------------------------------------------------------------------------


def test_the_lead_adds_a_task_and_marks_it_done(client_for, users, tamba_case):
    client = client_for("cm.tamba")
    response = client.post(
        url("task_add", tamba_case), {"title": "Visit the family", "due_on": "2030-05-01"}
    )
    assert response.status_code == 302
    task = Task.objects.get(case=tamba_case)
    assert task.assignee == users["cm.tamba"]
    assert audited("task.added", tamba_case)
    assert "Visit the family" in client.get(url("detail", tamba_case)).content.decode()

    assert client.post(url("task_done", tamba_case, task.pk)).status_code == 302
    task.refresh_from_db()
    assert task.completed_at is not None
    assert audited("task.completed", tamba_case)


def test_a_task_already_done_gives_a_message(client_for, users, tamba_case):
    task = services.task_add(
        actor=users["cm.tamba"], case=tamba_case, title="Call", due_on=datetime.date(2030, 1, 1)
    )
    services.task_complete(actor=users["cm.tamba"], task=task)
    client = client_for("cm.tamba")
    response = client.post(url("task_done", tamba_case, task.pk), follow=True)
    assert "already done" in response.content.decode()


def test_a_task_is_assigned_only_to_someone_on_the_case(client_for, users, tamba_case):
    response = client_for("cm.tamba").post(
        url("task_add", tamba_case),
        {"title": "Visit", "due_on": "2030-05-01", "assignee": users["cm.kolda"].pk},
    )
    assert response.status_code == 422
    assert not Task.objects.filter(case=tamba_case).exists()


def test_a_coordinator_cannot_add_or_complete_tasks(client_for, users, tamba_case):
    client = client_for("coord.tamba")
    data = {"title": "Visit", "due_on": "2030-05-01"}
    assert client.post(url("task_add", tamba_case), data).status_code == 403
    task = services.task_add(
        actor=users["cm.tamba"], case=tamba_case, title="Call", due_on=datetime.date(2030, 1, 1)
    )
    assert client.post(url("task_done", tamba_case, task.pk)).status_code == 403
    task.refresh_from_db()
    assert task.completed_at is None


def test_a_task_of_another_case_is_not_found(client_for, offices, users, tamba_case):
    from reintegra.cases.tests.conftest import register

    other = services.case_open(
        actor=users["cm.tamba"],
        person=register(users["cm.tamba"], offices["TAM"], given_names="Other"),
        office=offices["TAM"],
    )
    task = services.task_add(
        actor=users["cm.tamba"], case=other, title="Call", due_on=datetime.date(2030, 1, 1)
    )
    response = client_for("cm.tamba").post(url("task_done", tamba_case, task.pk))
    assert response.status_code == 404


# --- documents ----------------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_lead_uploads_a_document_and_downloads_it(client_for, tamba_case):
    client = client_for("cm.tamba")
    response = client.post(
        url("document_add", tamba_case),
        {"doc_type": "CONSENT_FORM", "title": "Signed consent", "file": upload("c.pdf", PDF)},
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=tamba_case)
    assert document.title == "Signed consent"
    assert audited("document.added", tamba_case)
    page = client.get(url("detail", tamba_case)).content.decode()
    assert url("document_download", tamba_case, document.pk) in page

    download = client.get(url("document_download", tamba_case, document.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert AccessEvent.objects.filter(
        action="document.downloaded", case_id=tamba_case.pk, target_id=document.pk
    ).exists()


def test_a_file_of_a_wrong_type_is_refused_with_a_message(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("document_add", tamba_case),
        {"doc_type": "OTHER", "file": upload("run.exe", b"MZ\x90\x00binary")},
    )
    assert response.status_code == 422
    assert "This type of file is not accepted." in response.content.decode()
    assert not CaseDocument.objects.filter(case=tamba_case).exists()


def test_a_file_whose_content_does_not_match_its_name_is_refused(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("document_add", tamba_case),
        {"doc_type": "OTHER", "file": upload("fake.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 422
    assert "does not match its type" in response.content.decode()
    assert not CaseDocument.objects.filter(case=tamba_case).exists()


def test_a_file_too_large_is_refused_with_a_message(client_for, settings, tamba_case):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    response = client_for("cm.tamba").post(
        url("document_add", tamba_case),
        {"doc_type": "OTHER", "file": upload("big.pdf", PDF + b"0" * (1024 * 1024))},
    )
    assert response.status_code == 422
    assert "The file is too large (maximum 1 MB)." in response.content.decode()
    assert not CaseDocument.objects.filter(case=tamba_case).exists()


def test_a_document_is_not_found_for_those_who_may_not_read_it(client_for, users, tamba_case):
    document = services.document_attach(
        actor=users["cm.tamba"],
        case=tamba_case,
        upload=upload("c.pdf", PDF),
        doc_type="OTHER",
    )
    download = url("document_download", tamba_case, document.pk)
    # Out of scope, and in scope with only a summary view of the case.
    assert client_for("cm.kolda").get(download).status_code == 404
    assert client_for("me.officer").get(download).status_code == 404
    assert not AccessEvent.objects.filter(action="document.downloaded").exists()
    assert client_for("coord.tamba").get(download).status_code == 200


def test_a_coordinator_cannot_upload(client_for, tamba_case):
    response = client_for("coord.tamba").post(
        url("document_add", tamba_case), {"doc_type": "OTHER", "file": upload("c.pdf", PDF)}
    )
    assert response.status_code == 403


# --- assignments --------------------------------------------------------------------------------


def test_a_coordinator_assigns_and_removes_a_specialist(client_for, users, tamba_case):
    client = client_for("coord.tamba")
    response = client.post(
        url("assign", tamba_case), {"user": users["cm.psy"].pk, "role": "SPECIALIST"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(case=tamba_case, user=users["cm.psy"])
    assert assignment.ended_at is None
    assert audited("case.assigned", tamba_case)

    response = client.post(url("unassign", tamba_case), {"assignment": assignment.pk})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert audited("case.unassigned", tamba_case)


def test_a_new_lead_replaces_the_previous_one(client_for, users, tamba_case):
    client_for("coord.tamba").post(
        url("assign", tamba_case), {"user": users["cm.psy"].pk, "role": "LEAD"}
    )
    assert fresh(tamba_case).lead == users["cm.psy"]


def test_only_case_managers_of_the_office_are_offered(client_for, users, tamba_case):
    response = client_for("coord.tamba").post(
        url("assign", tamba_case), {"user": users["cm.kolda"].pk, "role": "LEAD"}
    )
    assert response.status_code == 422
    assert fresh(tamba_case).lead == users["cm.tamba"]


def test_assigning_someone_already_on_the_case_says_so(client_for, users, tamba_case):
    response = client_for("coord.tamba").post(
        url("assign", tamba_case), {"user": users["cm.tamba"].pk, "role": "LEAD"}
    )
    assert response.status_code == 409
    assert "already assigned" in response.content.decode()


def test_the_me_officer_cannot_assign(client_for, users, tamba_case):
    response = client_for("me.officer").post(
        url("assign", tamba_case), {"user": users["cm.psy"].pk, "role": "LEAD"}
    )
    assert response.status_code == 403
    assert not Assignment.objects.filter(user=users["cm.psy"]).exists()


def test_removing_an_assignment_of_another_case_is_not_found(client_for, tamba_case):
    response = client_for("coord.tamba").post(url("unassign", tamba_case), {"assignment": 999999})
    assert response.status_code == 404


# --- flags --------------------------------------------------------------------------------------


def test_the_lead_raises_and_clears_the_protection_flag(client_for, users, tamba_case):
    client = client_for("cm.tamba")
    response = client.post(url("flag", tamba_case), {"flag": "PROTECTION", "value": "1"})
    assert response.status_code == 302
    assert fresh(tamba_case).has_protection_flag
    assert audited("case.flag_set", tamba_case)
    # The protection focal point now reaches the case.
    assert client_for("fp.protection").get(url("detail", tamba_case)).status_code == 200

    client.post(url("flag", tamba_case), {"flag": "PROTECTION", "value": "0"})
    assert not fresh(tamba_case).has_protection_flag
    assert audited("case.flag_cleared", tamba_case)


def test_the_me_officer_cannot_set_flags(client_for, tamba_case):
    response = client_for("me.officer").post(
        url("flag", tamba_case), {"flag": "MEDICAL", "value": "1"}
    )
    assert response.status_code == 403
    assert not fresh(tamba_case).has_medical_flag


def test_an_unknown_flag_gives_a_message(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("flag", tamba_case), {"flag": "NOPE", "value": "1"}, follow=True
    )
    assert "Choose a flag" in response.content.decode()


# --- closing and reopening ----------------------------------------------------------------------


def test_the_lead_closes_the_case_with_a_reason(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("close", tamba_case),
        {"reason": "SUPPORT_ENDED", "note": "", "version": tamba_case.version},
    )
    assert response.status_code == 302
    case = fresh(tamba_case)
    assert case.stage == "CLOSED"
    assert case.closure_reason == "SUPPORT_ENDED"
    assert audited("case.closed", tamba_case)


def test_the_close_form_asks_for_confirmation(client_for, tamba_case):
    html = client_for("cm.tamba").get(url("detail", tamba_case)).content.decode()
    form = html[html.index(f'action="{url("close", tamba_case)}"') :]
    assert "data-confirm=" in form[: form.index(">")]


def test_closing_for_another_reason_needs_an_explanation_next_to_the_note(client_for, tamba_case):
    response = client_for("cm.tamba").post(
        url("close", tamba_case), {"reason": "OTHER", "version": tamba_case.version}
    )
    html = response.content.decode()
    assert response.status_code == 422
    note_field = html[html.index('id="id_close_note"') :]
    assert "Explain the reason" in note_field[: note_field.index("</div>")]
    assert fresh(tamba_case).stage == "REGISTERED"


def test_closing_with_a_stale_version_changes_nothing(client_for, users, tamba_case):
    services.case_flag_set(actor=users["cm.tamba"], case=tamba_case, flag="MEDICAL", value=True)
    response = client_for("cm.tamba").post(
        url("close", tamba_case), {"reason": "SUPPORT_ENDED", "version": tamba_case.version}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert fresh(tamba_case).stage == "REGISTERED"
    assert not audited("case.closed", tamba_case)


def test_a_coordinator_reopens_a_closed_case_and_a_case_manager_cannot(
    client_for, users, tamba_case
):
    closed = services.case_close(
        actor=users["cm.tamba"], case=tamba_case, reason="UNREACHABLE", version=tamba_case.version
    )
    data = {"reason": "Reached again", "to_stage": "ASSESSMENT", "version": closed.version}
    assert client_for("cm.tamba").post(url("reopen", tamba_case), data).status_code == 403
    assert fresh(tamba_case).stage == "CLOSED"

    coordinator = client_for("coord.tamba")
    assert url("reopen", tamba_case) in coordinator.get(url("detail", tamba_case)).content.decode()
    response = coordinator.post(url("reopen", tamba_case), data)
    assert response.status_code == 302
    assert fresh(tamba_case).stage == "ASSESSMENT"
    assert audited("case.reopened", tamba_case)


def test_reopening_without_a_reason_is_refused(client_for, users, tamba_case):
    closed = services.case_close(
        actor=users["cm.tamba"], case=tamba_case, reason="UNREACHABLE", version=tamba_case.version
    )
    response = client_for("coord.tamba").post(
        url("reopen", tamba_case),
        {"reason": "", "to_stage": "ASSESSMENT", "version": closed.version},
    )
    assert response.status_code == 422
    assert fresh(tamba_case).stage == "CLOSED"


def test_a_closed_case_offers_no_editing(client_for, users, tamba_case):
    services.case_close(
        actor=users["cm.tamba"], case=tamba_case, reason="UNREACHABLE", version=tamba_case.version
    )
    html = client_for("cm.tamba").get(url("detail", tamba_case)).content.decode()
    for action in ("note_add", "task_add", "document_add", "transition", "close", "assign"):
        assert url(action, tamba_case) not in html, action
    response = client_for("cm.tamba").post(
        url("note_add", tamba_case), {"written_on": "2025-02-01", "body": "x", "tier": "CASE"}
    )
    assert response.status_code == 403
