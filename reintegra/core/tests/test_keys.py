"""`reintegra keys new|check|rotate`, and what a raw database dump holds.

The rotation tests run on SQLite and on PostgreSQL alike (`DATABASE_URL=postgres://…`)."""

import io
import json
import os
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from reintegra.accounts.services import api_token_issue
from reintegra.cases import services as cases
from reintegra.cases.models import CaseEvent, Note
from reintegra.core import crypto
from reintegra.core.management.commands.keys import encrypted_models
from reintegra.instruments import services as instruments
from reintegra.instruments.models import Response
from reintegra.instruments.tests.conftest import shipped  # noqa: F401  (the fixture)
from reintegra.referrals import services as referrals
from reintegra.referrals.models import Referral
from reintegra.referrals.tests.conftest import clinic, open_case, provider  # noqa: F401

pytestmark = pytest.mark.django_db

CANARY = "Zq7-CANARY-restricted-4411"


def run(*args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `reintegra keys …`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("keys", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def all_raw() -> dict[tuple[str, str, object], str]:
    """Every raw stored value of every encrypted field (what rotation reads)."""
    found = {}
    for model, fields in encrypted_models():
        for f in fields:
            for value in crypto.stored_values(model, f):
                found[(model._meta.label, f.attname, value.pk)] = value.stored
    return found


@pytest.fixture
def restricted(users, offices, shipped, clinic):  # noqa: F811
    """A case with a protection note, a medical referral and a draft protection screening, each
    holding the canary; and a plain satisfaction survey."""
    case = open_case(users, offices)
    cm = users["cm.tamba"]
    cases.case_flag_set(actor=cm, case=case, flag="PROTECTION", value=True)
    note = cases.note_add(
        actor=cm, case=case, body=f"{CANARY} note\nthreats from the family", tier="PROTECTION"
    )
    referral = referrals.referral_create(
        actor=cm, case=case, service=clinic, reason=f"{CANARY} referral: follow-up of a wound"
    )
    screening = instruments.response_start(
        actor=cm, case=case, instrument=shipped["vulnerability_screening"]
    )
    screening = instruments.response_save(
        actor=cm,
        response=screening,
        answers={"case_number": case.number, "hh_violence": f"{CANARY} answer"},
        version=screening.version,
    )
    return {"case": case, "note": note, "referral": referral, "screening": screening}


def test_new_prints_a_fresh_fernet_key():
    status, out, _err = run("new")
    assert status == 0
    Fernet(out.strip().encode())
    assert run("new")[1] != out


def test_every_encrypted_field_is_found_through_the_registry():
    found = {(m._meta.label, f.attname) for m, fields in encrypted_models() for f in fields}
    assert {
        ("cases.Note", "body"),
        ("cases.CaseEvent", "summary"),
        ("referrals.Referral", "reason"),
        ("referrals.Referral", "shared"),
        ("instruments.Response", "answers"),
    } <= found


def test_rotation_moves_every_row_to_the_new_key_and_the_old_key_can_go(settings, restricted):
    old, new = crypto.new_key(), crypto.new_key()
    # Rows written under the derived key first, then under `old`: rotation gathers them all.
    settings.REINTEGRA_FIELD_KEYS = [old, crypto.configured_keys()[0]]
    assert run("rotate")[0] == 0
    settings.REINTEGRA_FIELD_KEYS = [new, old]
    before = all_raw()
    status, out, err = run("rotate")
    assert status == 0, err
    assert "cases.Note: 1 rows, 1 values re-encrypted" in out
    assert "referrals.Referral: 1 rows" in out
    assert "instruments.Response: 1 rows, 1 values re-encrypted" in out
    after = all_raw()
    assert after.keys() == before.keys() and len(after) >= 4
    assert all(after[k] != before[k] for k in after)  # every value rewritten
    # The old key is dropped: every row still opens, with no decrypt failure.
    settings.REINTEGRA_FIELD_KEYS = [new]
    assert all(crypto.decrypt(v) for v in after.values())
    status, out, err = run("check")
    assert status == 0, err
    assert Note.objects.get(pk=restricted["note"].pk).body.startswith(CANARY)
    assert Referral.objects.get(pk=restricted["referral"].pk).reason.startswith(CANARY)
    answers = Response.objects.get(pk=restricted["screening"].pk).answers
    assert answers["hh_violence"] == f"{CANARY} answer"
    assert CaseEvent.objects.get(case=restricted["case"], tier="PROTECTION").summary == (
        f"{CANARY} note"
    )


def test_rotation_encrypts_plaintext_left_from_before(users, shipped, restricted):  # noqa: F811
    note, screening = restricted["note"], restricted["screening"]
    body_field = Note._meta.get_field("body")
    crypto.write_stored(Note, body_field, note.pk, "legacy plain note")
    # `update()` skips the tier decision: the JSON is stored plain, as before this release.
    Response.objects.filter(pk=screening.pk).update(answers={"hh_violence": "legacy"})
    assert Response.objects.get(pk=screening.pk).answers == {"hh_violence": "legacy"}
    # A plain (CASE tier) response stays plain: nothing restricted in it.
    case = restricted["case"]
    survey = instruments.response_start(
        actor=users["cm.tamba"],
        case=case,
        instrument=shipped["satisfaction_survey"],
    )
    plain_before = {k: v for k, v in all_raw().items() if k[2] == survey.pk}
    assert not plain_before  # not listed: nothing to encrypt
    assert Note.objects.get(pk=note.pk).body == "legacy plain note"  # reads as it is
    status, _out, err = run("rotate")
    assert status == 0, err
    stored = all_raw()
    assert crypto.is_encrypted(stored[("cases.Note", "body", note.pk)])
    assert crypto.is_encrypted(stored[("instruments.Response", "answers", screening.pk)])
    assert Note.objects.get(pk=note.pk).body == "legacy plain note"
    assert Response.objects.get(pk=screening.pk).answers == {"hh_violence": "legacy"}
    assert not crypto.is_encrypted(
        Response.objects.filter(pk=survey.pk).values_list("answers", flat=True).get()
    )


def test_a_value_no_key_opens_stops_the_rotation_and_nothing_changes(settings, restricted):
    stranger = Fernet(Fernet.generate_key())
    alien = crypto.PREFIX + stranger.encrypt(b"written elsewhere").decode()
    note = restricted["note"]
    crypto.write_stored(Note, Note._meta.get_field("body"), note.pk, alien)
    before = all_raw()
    status, out, err = run("rotate")
    assert status == 1
    assert f"cases.Note.body row {note.pk}" in err and "Nothing was changed" in err
    assert "written elsewhere" not in err + out
    assert all_raw() == before
    assert run("check")[0] == 1


def dump() -> str:
    """Everything the database holds, as text: SQLite's SQL dump, or on PostgreSQL every column
    of every table read as text (the same connection sees this test's rows)."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    chunks = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608  (names from the schema)
            for row in cursor.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_a_raw_database_dump_holds_no_restricted_plaintext(users, client_for, restricted):
    assert CANARY not in dump()
    # Yet the right personas still read them.
    case, referral = restricted["case"], restricted["referral"]
    page = client_for("fp.protection").get(f"/cases/{case.pk}/notes/")
    assert page.status_code == 200 and CANARY in page.content.decode()
    page = client_for("fp.medical").get(f"/referrals/{referral.pk}/")
    assert page.status_code == 200 and CANARY in page.content.decode()
    token = api_token_issue(actor=users["fp.protection"])
    answer = client_for("fp.protection").get(
        f"/api/responses/{restricted['screening'].pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    assert json.loads(answer.content)["answers"]["hh_violence"] == f"{CANARY} answer"
    # …and a persona without the tier does not.
    page = client_for("cm.tamba").get(f"/referrals/{referral.pk}/")
    assert CANARY not in page.content.decode()


def test_a_trial_installation_moves_from_the_derived_key_to_its_own(settings, restricted):
    settings.REINTEGRA_FIELD_KEYS = []
    status, derived, _err = run("derived")
    assert status == 0 and derived.strip() == crypto.configured_keys()[0]
    own = crypto.new_key()
    settings.REINTEGRA_FIELD_KEYS = [own]
    assert run("check")[0] == 1  # the rows are under the derived key
    settings.REINTEGRA_FIELD_KEYS = [own, derived.strip()]
    assert run("rotate")[0] == 0
    settings.REINTEGRA_FIELD_KEYS = [own]
    assert run("check")[0] == 0
    assert Note.objects.get(pk=restricted["note"].pk).body.startswith(CANARY)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_restricted_plaintext(restricted):
    """The real tool on committed rows (PostgreSQL only)."""
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
    }
    done = subprocess.run(  # noqa: S603
        ["pg_dump", "--data-only", "--no-owner", db["NAME"]],  # noqa: S607
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    text = done.stdout.decode()
    assert "cases_note" in text and "fernet:" in text
    assert CANARY not in text
