"""Answers of a restricted instrument are encrypted at rest, others stay plain JSON (the
monitoring dashboards query them in SQL); the data migration encrypts the rows written before."""

import importlib

import pytest
from django.apps import apps

from reintegra.core import crypto
from reintegra.instruments import services
from reintegra.instruments.models import Response
from reintegra.instruments.tests.conftest import satisfaction, screening

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reintegra.instruments.migrations.0007_encrypt_restricted")


def stored(pk):
    field = Response._meta.get_field("answers")
    return {v.pk: v.stored for v in crypto.stored_values(Response, field)}.get(pk)


def record(users, shipped, case, code, answers):
    return services.response_record(
        actor=users["cm.tamba"],
        case=case,
        version=shipped[code].current,
        answers=answers,
        source="API",
    )[0]


def test_submitted_screening_answers_are_encrypted_survey_answers_are_not(
    shipped, users, tamba_case
):
    protected = record(users, shipped, tamba_case, "vulnerability_screening", screening(tamba_case))
    survey = record(users, shipped, tamba_case, "satisfaction_survey", satisfaction(tamba_case))
    assert protected.tier == "PROTECTION" and crypto.is_encrypted(stored(protected.pk))
    assert stored(survey.pk) is None
    assert Response.objects.get(pk=protected.pk).answers["intervention_rating"] == "low"
    assert Response.objects.filter(answers__sat_overall="satisfied").get() == survey
    # A key lookup never reaches into encrypted answers.
    assert not Response.objects.filter(answers__intervention_rating="low").exists()


def test_the_data_migration_encrypts_old_restricted_rows(shipped, users, tamba_case):
    protected = record(users, shipped, tamba_case, "vulnerability_screening", screening(tamba_case))
    Response.objects.filter(pk=protected.pk).update(answers={"hh_violence": "old"})
    assert not crypto.is_encrypted(stored(protected.pk))
    migration.encrypt_existing(apps, None)
    assert crypto.is_encrypted(stored(protected.pk))
    assert Response.objects.get(pk=protected.pk).answers == {"hh_violence": "old"}
    migration.decrypt_existing(apps, None)
    assert Response.objects.filter(answers__hh_violence="old").get() == protected
