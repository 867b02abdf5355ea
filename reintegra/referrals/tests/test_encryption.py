"""A referral's free text is encrypted at rest; what a restricted referral shared too; the
data migration encrypts the rows written before (docs/encryption.md)."""

import importlib

import pytest
from django.apps import apps

from reintegra.core import crypto
from reintegra.referrals import services
from reintegra.referrals.models import Referral

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reintegra.referrals.migrations.0002_encrypt_restricted")


def stored(name, pk):
    field = Referral._meta.get_field(name)
    return {v.pk: v.stored for v in crypto.stored_values(Referral, field)}.get(pk)


def test_free_text_is_encrypted_and_restricted_shared_fields_too(users, case, job, clinic):
    cm = users["cm.tamba"]
    work = services.referral_create(
        actor=cm, case=case, service=job, reason="Carpentry job", shared_fields=["NAME"]
    )
    health = services.referral_create(
        actor=cm, case=case, service=clinic, reason="Wound care", shared_fields=["NAME"]
    )
    assert health.tier == "MEDICAL" and work.tier == "CASE"
    for referral in (work, health):
        assert crypto.is_encrypted(stored("reason", referral.pk))
    assert stored("shared", work.pk) is None  # a CASE referral's shared fields stay plain
    assert crypto.is_encrypted(stored("shared", health.pk))
    again = Referral.objects.get(pk=health.pk)
    assert again.reason == "Wound care" and again.shared == {"NAME": "Moussa DIALLO"}
    assert Referral.objects.filter(shared__NAME="Moussa DIALLO").get() == work


def test_the_data_migration_encrypts_old_rows(users, case, clinic):
    referral = services.referral_create(
        actor=users["cm.tamba"], case=case, service=clinic, reason="Wound care"
    )
    crypto.write_stored(Referral, Referral._meta.get_field("reason"), referral.pk, "Old reason")
    Referral.objects.filter(pk=referral.pk).update(shared={"NAME": "Old"})
    migration.encrypt_existing(apps, None)
    assert crypto.is_encrypted(stored("reason", referral.pk))
    assert crypto.is_encrypted(stored("shared", referral.pk))
    again = Referral.objects.get(pk=referral.pk)
    assert again.reason == "Old reason" and again.shared == {"NAME": "Old"}
    migration.decrypt_existing(apps, None)
    assert stored("reason", referral.pk) == "Old reason"
    assert Referral.objects.get(pk=referral.pk).shared == {"NAME": "Old"}
