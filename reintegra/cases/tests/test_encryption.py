"""Notes and restricted timeline lines are encrypted at rest; the data migration encrypts the
rows written before (docs/encryption.md)."""

import importlib

import pytest
from django.apps import apps

from reintegra.cases import services
from reintegra.cases.models import CaseEvent, Note
from reintegra.cases.tests.factories import case as make_case
from reintegra.core import crypto

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reintegra.cases.migrations.0007_encrypt_restricted")


def stored(model, name, pk):
    field = model._meta.get_field(name)
    return {v.pk: v.stored for v in crypto.stored_values(model, field)}.get(pk)


def test_the_data_migration_encrypts_old_rows_and_reverses(users, offices):
    cm = users["cm.tamba"]
    case = make_case(cm, offices["TAM"])
    note = services.note_add(actor=cm, case=case, body="Old note\nsecond line", tier="MEDICAL")
    plain = services.note_add(actor=cm, case=case, body="Plain note", tier="CASE")
    sealed_event = CaseEvent.objects.get(case=case, tier="MEDICAL")
    plain_event = CaseEvent.objects.get(case=case, kind="NOTE_ADDED", tier="CASE")
    # As the tables were before this release: plaintext.
    for n in (note, plain):
        crypto.write_stored(Note, Note._meta.get_field("body"), n.pk, f"plain {n.pk}")
    summary = CaseEvent._meta.get_field("summary")
    crypto.write_stored(CaseEvent, summary, sealed_event.pk, "Old note")

    migration.encrypt_existing(apps, None)

    assert crypto.is_encrypted(stored(Note, "body", note.pk))
    assert crypto.is_encrypted(stored(Note, "body", plain.pk))
    assert crypto.is_encrypted(stored(CaseEvent, "summary", sealed_event.pk))
    assert stored(CaseEvent, "summary", plain_event.pk) is None  # plain tier: left plain
    assert Note.objects.get(pk=note.pk).body == f"plain {note.pk}"
    assert CaseEvent.objects.get(pk=sealed_event.pk).summary == "Old note"
    assert CaseEvent.objects.filter(summary="Plain note").get() == plain_event

    migration.decrypt_existing(apps, None)
    assert stored(Note, "body", note.pk) == f"plain {note.pk}"
    assert stored(CaseEvent, "summary", sealed_event.pk) == "Old note"


def test_the_notes_page_shows_the_decrypted_note(users, offices, client_for):
    cm = users["cm.tamba"]
    case = make_case(cm, offices["TAM"])
    note = services.note_add(actor=cm, case=case, body="Visited the family — all well")
    assert crypto.is_encrypted(stored(Note, "body", note.pk))
    page = client_for("cm.tamba").get(f"/cases/{case.pk}/notes/")
    assert "Visited the family — all well" in page.content.decode()
