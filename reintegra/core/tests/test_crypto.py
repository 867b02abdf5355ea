"""Field encryption (reintegra/core/crypto.py): tokens, keys, the four field types on real models,
and the deploy check."""

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.fields.json import KT

from reintegra.cases import services as cases
from reintegra.cases.models import CaseEvent, Note
from reintegra.cases.tests.factories import case as make_case
from reintegra.core import crypto
from reintegra.core.checks import field_keys_check
from reintegra.instruments.models import Response
from reintegra.instruments.tests.conftest import shipped  # noqa: F401  (the fixture)


def raw(table: str, column: str, pk: int) -> str | None:
    """The value as stored, read with SQL (no field conversion)."""
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        sql = f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s"  # noqa: S608
        cursor.execute(sql, [pk])
        value = cursor.fetchone()[0]
    return value if value is None or isinstance(value, str) else str(value)


# Tokens and keys -------------------------------------------------------------------------------


def test_a_value_round_trips_and_is_stored_as_a_prefixed_token():
    token = crypto.encrypt("Médical: suivi à Kolda")
    assert token.startswith("fernet:") and "Kolda" not in token
    assert crypto.decrypt(token) == "Médical: suivi à Kolda"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # a fresh token each time


def test_plaintext_written_before_encryption_reads_as_it_is_and_reencrypts():
    assert crypto.decrypt("old plain text") == "old plain text"
    again = crypto.reencrypt("old plain text")
    assert crypto.is_encrypted(again) and crypto.decrypt(again) == "old plain text"


def test_every_configured_key_decrypts_and_the_first_encrypts(settings):
    old, new = crypto.new_key(), crypto.new_key()
    settings.REINTEGRA_FIELD_KEYS = [old]
    under_old = crypto.encrypt("secret")
    settings.REINTEGRA_FIELD_KEYS = [new, old]
    assert crypto.decrypt(under_old) == "secret"
    rotated = crypto.reencrypt(under_old)
    settings.REINTEGRA_FIELD_KEYS = [new]
    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(under_old)


def test_keys_may_be_given_as_a_comma_separated_string(settings):
    a, b = crypto.new_key(), crypto.new_key()
    settings.REINTEGRA_FIELD_KEYS = f" {a}, {b} ,"
    assert crypto.configured_keys() == (a, b) and crypto.keys_are_configured()


def test_without_keys_one_is_derived_from_the_secret_key(settings):
    settings.REINTEGRA_FIELD_KEYS = []
    assert not crypto.keys_are_configured()
    (key,) = crypto.configured_keys()
    Fernet(key.encode())  # a valid key
    assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.REINTEGRA_FIELD_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


# The fields on real models -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_note_body_is_stored_encrypted_whatever_its_tier(users, offices):
    case = make_case(users["cm.tamba"], offices["TAM"])
    for tier in ("CASE", "PROTECTION"):
        note = cases.note_add(
            actor=users["cm.tamba"], case=case, body=f"Canary-{tier} body", tier=tier
        )
        stored = raw("cases_note", "body", note.pk)
        assert stored.startswith("fernet:") and "Canary" not in stored
        assert Note.objects.get(pk=note.pk).body == f"Canary-{tier} body"
        assert Note.objects.filter(pk=note.pk).values_list("body", flat=True).get() == (
            f"Canary-{tier} body"
        )


@pytest.mark.django_db
def test_a_note_typed_like_a_token_is_still_encrypted_and_reads_back(users, offices):
    case = make_case(users["cm.tamba"], offices["TAM"])
    note = cases.note_add(actor=users["cm.tamba"], case=case, body="fernet:not-a-token")
    assert raw("cases_note", "body", note.pk) != "fernet:not-a-token"
    assert Note.objects.get(pk=note.pk).body == "fernet:not-a-token"


@pytest.mark.django_db
def test_a_timeline_line_is_encrypted_only_in_a_restricted_tier(users, offices):
    cm = users["cm.tamba"]
    case = make_case(cm, offices["TAM"])
    cases.note_add(actor=cm, case=case, body="Plain line\nmore", tier="CASE")
    cases.note_add(actor=cm, case=case, body="Protection line\nmore", tier="PROTECTION")
    plain = CaseEvent.objects.get(case=case, tier="CASE", kind="NOTE_ADDED")
    sealed = CaseEvent.objects.get(case=case, tier="PROTECTION")
    assert raw("cases_caseevent", "summary", plain.pk) == "Plain line"
    assert raw("cases_caseevent", "summary", sealed.pk).startswith("fernet:")
    assert sealed.summary == "Protection line"
    # Plain lines can still be searched in SQL.
    assert CaseEvent.objects.filter(summary__startswith="Plain").get() == plain


@pytest.mark.django_db
def test_restricted_answers_are_encrypted_and_plain_ones_stay_queryable(shipped, users, offices):  # noqa: F811
    from reintegra.instruments import services as instruments

    cm = users["cm.tamba"]
    case = make_case(cm, offices["TAM"])
    screening = instruments.response_start(
        actor=cm, case=case, instrument=shipped["vulnerability_screening"]
    )
    screening = instruments.response_save(
        actor=cm, response=screening, answers={"hh_violence": "Canary-answer"}, version=1
    )
    survey = instruments.response_start(
        actor=cm, case=case, instrument=shipped["satisfaction_survey"]
    )
    instruments.response_save(
        actor=cm, response=survey, answers={"sat_overall": "satisfied"}, version=1
    )
    stored = raw("instruments_response", "answers", screening.pk)
    assert "Canary" not in stored and "fernet:" in stored
    assert Response.objects.get(pk=screening.pk).answers == {"hh_violence": "Canary-answer"}
    assert "satisfied" in raw("instruments_response", "answers", survey.pk)
    found = Response.objects.filter(pk=survey.pk).values_list(KT("answers__sat_overall"), flat=True)
    assert list(found) == ["satisfied"]


# The deploy check --------------------------------------------------------------------------


def test_the_deploy_check_warns_without_keys(settings):
    settings.REINTEGRA_FIELD_KEYS = []
    assert [m.id for m in field_keys_check()] == ["reintegra.crypto.W001"]
    settings.REINTEGRA_FIELD_KEYS = [crypto.new_key()]
    assert field_keys_check() == []
    settings.REINTEGRA_FIELD_KEYS = ["nonsense"]
    assert [m.id for m in field_keys_check()] == ["reintegra.crypto.E001"]


def test_the_deploy_check_is_registered_for_deploy_only(settings):
    settings.REINTEGRA_FIELD_KEYS = []
    deploy = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "reintegra.crypto.W001" in [m.id for m in deploy]
    plain = checks.run_checks(tags=[checks.Tags.security])
    assert "reintegra.crypto.W001" not in [m.id for m in plain]
