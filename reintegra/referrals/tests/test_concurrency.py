"""Concurrent answers to one referral (PostgreSQL row locks): exactly one wins, the other is
refused with a clear error, and the audit trail holds one answer."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from reintegra.audit.models import AuditEvent
from reintegra.core.errors import ValidationFailed
from reintegra.referrals import services
from reintegra.referrals.choices import State
from reintegra.referrals.models import Referral


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_provider_and_the_staff_answering_at_once_do_not_overwrite_each_other(users, case, job):
    referral = services.referral_create(
        actor=users["cm.tamba"], case=case, service=job, reason="Work"
    )
    link, _token = services.link_issue(actor=users["cm.tamba"], referral=referral)
    moves = [
        {"actor": None, "to": State.ACCEPTED, "via_link": link},
        {"actor": users["cm.tamba"], "to": State.DECLINED, "note": "No places left"},
    ] * 3

    def answer(move: dict) -> str:
        try:
            services.referral_transition(referral=Referral.objects.get(pk=referral.pk), **move)
        except ValidationFailed as err:
            return err.code
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(answer, moves))
    assert results.count("ok") == 1 and results.count("invalid_transition") == 5
    referral.refresh_from_db()
    answers = AuditEvent.objects.filter(
        target_type="referral",
        target_id=str(referral.pk),
        action__in=["referral.accepted", "referral.declined"],
    )
    assert answers.count() == 1 and referral.state in (State.ACCEPTED, State.DECLINED)
    assert answers.get().action == f"referral.{referral.state.lower()}"
