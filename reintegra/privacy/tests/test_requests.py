"""Subject-access requests: recording, moves, overdue, scope, and the password-protected export
(everything about the person, nothing about anyone else)."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.http import Http404
from django.utils import timezone

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.privacy.choices.requests import RequestStatus
from reintegra.privacy.selectors.requests import (
    RequestFilters,
    home_requests,
    request_get_for_user,
    request_list_for_user,
)
from reintegra.privacy.services import requests as services
from reintegra.privacy.tests.fixtures_requests import *  # noqa: F403 - the fixtures
from reintegra.privacy.tests.fixtures_requests import (
    NOTES,
    OTHER_NOTE,
    export_json,
    make_request,
    open_zip,
)

pytestmark = pytest.mark.django_db


def test_a_request_is_due_after_the_configured_days_and_audited(users, subject, settings):
    settings.REINTEGRA_SUBJECT_ACCESS_DAYS = 30
    received = timezone.localdate() - datetime.timedelta(days=2)
    sar = make_request(users, subject, received_on=received)
    assert sar.due_on == received + datetime.timedelta(days=30)
    assert sar.status == RequestStatus.RECEIVED
    assert sar.office_id == subject.office_id
    event = AuditEvent.objects.get(action="subject_access.recorded", target_id=sar.pk)
    assert event.person_id == subject.pk


def test_the_due_date_follows_the_setting(users, subject, settings):
    settings.REINTEGRA_SUBJECT_ACCESS_DAYS = 10
    sar = make_request(users, subject)
    assert sar.due_on == timezone.localdate() + datetime.timedelta(days=10)


def test_a_request_received_in_the_future_is_refused(users, subject):
    with pytest.raises(ValidationFailed) as err:
        make_request(users, subject, received_on=timezone.localdate() + datetime.timedelta(1))
    assert err.value.field == "received_on"


def test_another_identity_check_needs_a_description(users, subject):
    with pytest.raises(ValidationFailed) as err:
        make_request(users, subject, identity_check="OTHER")
    assert err.value.field == "identity_note"
    assert make_request(users, subject, identity_check="OTHER", identity_note="Village chief")


def test_an_unknown_identity_check_or_language_is_refused(users, subject):
    with pytest.raises(ValidationFailed):
        make_request(users, subject, identity_check="PALM_READING")
    with pytest.raises(ValidationFailed):
        make_request(users, subject, language="de")


def test_only_a_coordinator_of_the_persons_office_records_a_request(users, subject):
    with pytest.raises(NotAllowed):
        services.request_record(
            actor=users["cm.tamba"],
            person=subject,
            received_on=timezone.localdate(),
            identity_check="ID_DOCUMENT",
        )


def test_the_national_coordinator_records_for_a_regional_office(users, subject):
    sar = services.request_record(
        actor=users["coord.national"],
        person=subject,
        received_on=timezone.localdate(),
        identity_check="IN_PERSON",
    )
    assert sar.pk


def test_an_old_open_request_is_overdue_until_answered(users, subject):
    sar = make_request(users, subject, received_on=timezone.localdate() - datetime.timedelta(40))
    assert sar.is_overdue
    overdue = request_list_for_user(users["coord.tamba"], RequestFilters(overdue=True))
    assert list(overdue) == [sar]
    assert home_requests(users["coord.tamba"])["overdue_count"] == 1
    sar = services.request_move(
        actor=users["coord.tamba"], sar=sar, action="answer", version=sar.version
    )
    assert sar.status == RequestStatus.ANSWERED and not sar.is_overdue
    assert sar.closed_on == timezone.localdate()
    assert not request_list_for_user(users["coord.tamba"], RequestFilters(overdue=True)).exists()
    assert AuditEvent.objects.filter(action="subject_access.answered", target_id=sar.pk).exists()


def test_a_refusal_needs_a_reason(users, subject):
    sar = make_request(users, subject)
    with pytest.raises(ValidationFailed) as err:
        services.request_move(
            actor=users["coord.tamba"], sar=sar, action="refuse", version=sar.version
        )
    assert err.value.field == "reason"
    sar = services.request_move(
        actor=users["coord.tamba"],
        sar=sar,
        action="refuse",
        version=sar.version,
        reason="Identity could not be confirmed",
    )
    assert sar.status == RequestStatus.REFUSED
    assert sar.refusal_reason == "Identity could not be confirmed"
    event = AuditEvent.objects.get(action="subject_access.refused", target_id=sar.pk)
    assert event.changes["status"] == ["RECEIVED", "REFUSED"]


def test_a_closed_request_cannot_move_again(users, subject):
    sar = make_request(users, subject)
    sar = services.request_move(
        actor=users["coord.tamba"], sar=sar, action="answer", version=sar.version
    )
    with pytest.raises(ValidationFailed):
        services.request_move(
            actor=users["coord.tamba"], sar=sar, action="start", version=sar.version
        )


def test_a_stale_version_changes_nothing(users, subject):
    sar = make_request(users, subject)
    with pytest.raises(StaleVersion):
        services.request_move(
            actor=users["coord.tamba"], sar=sar, action="start", version=sar.version + 1
        )
    sar.refresh_from_db()
    assert sar.status == RequestStatus.RECEIVED


def test_a_case_manager_cannot_move_a_request(users, subject):
    sar = make_request(users, subject)
    with pytest.raises(NotAllowed):
        services.request_move(actor=users["cm.tamba"], sar=sar, action="start", version=sar.version)


def test_a_request_outside_the_scope_is_not_found(users, kolda_person, subject):
    sar = services.request_record(
        actor=users["coord.national"],
        person=kolda_person,
        received_on=timezone.localdate(),
        identity_check="ID_DOCUMENT",
    )
    with pytest.raises(Http404):
        request_get_for_user(users["coord.tamba"], sar.pk)
    with pytest.raises(Http404):
        request_get_for_user(users["coord.tamba"], "nonsense")
    assert request_get_for_user(users["coord.national"], sar.pk) == sar
    assert sar not in request_list_for_user(users["coord.tamba"])


# The export -----------------------------------------------------------------------------------


def test_the_export_opens_with_its_password_and_not_without(users, subject):
    sar = make_request(users, subject)
    sar, password = services.request_export(actor=users["coord.tamba"], sar=sar)
    data = services.export_path(sar).read_bytes()
    files = open_zip(data, password)
    assert {"data.json", "summary.html"} <= set(files)
    import io

    import pyzipper

    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(RuntimeError):
            archive.read("data.json")
        archive.setpassword(b"wrong-password")
        with pytest.raises(RuntimeError):
            archive.read("data.json")
    # The data is not readable in the stored file without the password.
    assert b"Soumar" not in data
    assert password not in sar.export_password_hash
    assert check_password(password, sar.export_password_hash)


def test_the_export_holds_every_tier_the_files_and_the_access_log(users, subject):
    sar = make_request(users, subject)
    sar, password = services.request_export(actor=users["coord.tamba"], sar=sar)
    files = open_zip(services.export_path(sar).read_bytes(), password)
    data = export_json(files)
    assert data["people"]["returnee"]["family_name"] == "Soumaré"
    bodies = {n["body"] for n in data["cases"]["notes"]}
    assert bodies == set(NOTES.values())
    assert {n["tier"] for n in data["cases"]["notes"]} == set(NOTES)
    assert len(data["people"]["consents"]) == 1
    assert data["outreach"]["feedback"][0]["description"] == "The sewing machine has not arrived"
    document = data["cases"]["documents"][0]
    assert files[document["file"]] == b"%PDF-1.4 Moussa's ID card"
    access = data["audit"]["access_log"]
    assert any(e["action"] == "person.viewed" and e["by"] for e in access)
    for key in ("instruments", "referrals", "plans", "finance", "monitoring", "community"):
        assert key in data
    summary = files["summary.html"].decode()
    assert "Moussa" in summary and NOTES["MEDICAL"] in summary
    # The summary speaks the request's language (French here).
    assert 'lang="fr"' in summary


def test_the_summary_is_in_english_when_asked(users, subject):
    sar = make_request(users, subject, language="en")
    sar, password = services.request_export(actor=users["coord.tamba"], sar=sar)
    summary = open_zip(services.export_path(sar).read_bytes(), password)["summary.html"]
    assert b"Who looked at your record" in summary


def test_the_export_holds_nothing_of_another_person(users, subject, other):
    sar = make_request(users, subject)
    sar, password = services.request_export(actor=users["coord.tamba"], sar=sar)
    files = open_zip(services.export_path(sar).read_bytes(), password)
    everything = b"".join(files.values()).decode("utf-8", "replace")
    assert "Aissatou" not in everything
    assert "Kanté" not in everything and "Kant\\u00e9" not in everything
    assert OTHER_NOTE not in everything
    assert "Moussa" in everything


def test_the_export_is_audited_with_counts_only(users, subject):
    sar = make_request(users, subject)
    sar, password = services.request_export(actor=users["coord.tamba"], sar=sar)
    event = AuditEvent.objects.get(action="subject_access.exported", target_id=sar.pk)
    counts = event.changes["counts"][1]
    assert counts["cases.notes"] == 4
    assert counts["files"] == 1
    text = str(event.changes)
    assert "Soumar" not in text and NOTES["PROTECTION"] not in text and password not in text
    # Exporting moves a received request in progress.
    assert sar.status == RequestStatus.IN_PROGRESS
    assert sar.export_count == 1


def test_a_new_export_has_a_new_password(users, subject):
    sar = make_request(users, subject)
    sar, first = services.request_export(actor=users["coord.tamba"], sar=sar)
    sar, second = services.request_export(actor=users["coord.tamba"], sar=sar)
    assert first != second
    files = open_zip(services.export_path(sar).read_bytes(), second)
    assert "data.json" in files


def test_a_refused_request_is_not_exported(users, subject):
    sar = make_request(users, subject)
    sar = services.request_move(
        actor=users["coord.tamba"], sar=sar, action="refuse", version=sar.version, reason="x"
    )
    with pytest.raises(ValidationFailed):
        services.request_export(actor=users["coord.tamba"], sar=sar)


def test_only_a_coordinator_of_the_office_exports(users, subject):
    sar = make_request(users, subject)
    with pytest.raises(NotAllowed):
        services.request_export(actor=users["me.officer"], sar=sar)


def test_downloading_the_export_is_logged_as_an_access(users, subject):
    sar = make_request(users, subject)
    with pytest.raises(ValidationFailed):
        services.request_export_file(actor=users["coord.tamba"], sar=sar)
    sar, _password = services.request_export(actor=users["coord.tamba"], sar=sar)
    path = services.request_export_file(actor=users["coord.tamba"], sar=sar)
    assert path.is_file()
    assert AccessEvent.objects.filter(
        action="subject_access.downloaded", person_id=subject.pk
    ).exists()


def test_the_demo_records_requests_in_every_state(users, subject, other, kolda_person):
    from reintegra.demo.privacy import privacy_load
    from reintegra.privacy.models.requests import SubjectAccessRequest

    privacy_load(users)
    statuses = sorted(SubjectAccessRequest.objects.values_list("status", flat=True))
    # Two Tambacounda returnees (overdue received, in progress), one at Kolda (received).
    assert statuses == ["IN_PROGRESS", "RECEIVED", "RECEIVED"]
    assert home_requests(users["coord.tamba"])["overdue_count"] == 1
