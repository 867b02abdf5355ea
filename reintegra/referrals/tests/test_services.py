"""Referral services: the consent gate, the loop's transitions, tiers and flags, internal
recipients, overdue and escalation (time-machine), provider links, and statistics."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases.choices import AssignmentRole, EventKind
from reintegra.cases.models import CaseEvent
from reintegra.cases.permissions import case_access
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.instruments import services as instruments
from reintegra.instruments.tests.test_services import screening
from reintegra.people import services as people
from reintegra.providers import services as providers
from reintegra.referrals import selectors, services
from reintegra.referrals.choices import Recipient, State
from reintegra.referrals.models import Referral, ReferralLink
from reintegra.referrals.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def refer(users, case, service, **kw):
    return services.referral_create(
        actor=users["cm.tamba"], case=case, service=service, reason="Looking for work", **kw
    )


def actions(referral):
    return list(
        AuditEvent.objects.filter(target_type="referral", target_id=str(referral.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_consenting_returnee_is_referred_with_only_the_chosen_fields(users, case, job):
    referral = refer(users, case, job, shared_fields=["NAME", "PHONE"])
    assert referral.state == State.SENT and referral.consent is not None
    assert referral.shared == {"NAME": "Moussa DIALLO", "PHONE": "+221 77 123 45 67"}
    assert referral.acknowledge_by == timezone.localdate() + datetime.timedelta(days=5)
    assert actions(referral) == ["referral.created", "referral.sent"]
    event = CaseEvent.objects.filter(case=case, kind=EventKind.REFERRAL).latest("id")
    assert referral.reference in event.summary and event.tier == "CASE"


def test_no_referral_to_a_provider_without_consent(users, no_consent_case, job):
    with pytest.raises(ValidationFailed) as err:
        refer(users, no_consent_case, job)
    assert err.value.code == "no_consent" and "consent" in err.value.message
    assert not Referral.objects.exists()


def test_a_withdrawn_consent_no_longer_counts(users, case, job):
    consent = case.person.consents.get(purpose="REFERRAL")
    people.consent_withdraw(actor=users["cm.tamba"], consent=consent, reason="Changed mind")
    with pytest.raises(ValidationFailed):
        refer(users, case, job)


def test_an_override_needs_a_ground_and_a_reason_and_a_coordinator_reviews_it(
    users, no_consent_case, job
):
    with pytest.raises(ValidationFailed):
        refer(users, no_consent_case, job, override_ground="LIFE_AT_RISK", override_reason="")
    referral = refer(
        users,
        no_consent_case,
        job,
        override_ground="LIFE_AT_RISK",
        override_reason="Unconscious after an accident; family asked for help.",
    )
    assert referral.consent is None and referral.needs_override_review
    assert [r.referral for r in selectors.overrides_to_review(users["coord.tamba"])] == [referral]
    services.referral_override_review(
        actor=users["coord.tamba"], referral=referral, note="Justified: emergency."
    )
    referral.refresh_from_db()
    assert not referral.needs_override_review
    assert referral.override_reviewed_by == users["coord.tamba"]
    assert selectors.overrides_to_review(users["coord.tamba"]) == []
    assert "referral.override_reviewed" in actions(referral)


def test_the_loop_runs_to_closure_and_remembers_answer_and_result(users, case, job):
    referral = refer(users, case, job)
    cm = users["cm.tamba"]
    referral = services.referral_transition(actor=cm, referral=referral, to=State.ACCEPTED)
    assert referral.acknowledged_at is not None and referral.answer == State.ACCEPTED
    referral = services.referral_transition(
        actor=cm, referral=referral, to=State.DELIVERED, note="Placed as an apprentice"
    )
    with pytest.raises(ValidationFailed):  # closing needs the outcome
        services.referral_transition(actor=cm, referral=referral, to=State.CLOSED)
    referral = services.referral_transition(
        actor=cm,
        referral=referral,
        to=State.CLOSED,
        note="Working since March",
        feedback="Happy with the placement",
        satisfaction="SATISFIED",
    )
    assert referral.state == State.CLOSED and referral.result == State.DELIVERED
    assert actions(referral)[-3:] == ["referral.accepted", "referral.delivered", "referral.closed"]


def test_invalid_and_stale_transitions_are_refused(users, case, job):
    referral = refer(users, case, job)
    with pytest.raises(ValidationFailed) as err:
        services.referral_transition(actor=users["cm.tamba"], referral=referral, to=State.DELIVERED)
    assert err.value.code == "invalid_transition"
    with pytest.raises(ValidationFailed):  # declining needs a reason
        services.referral_transition(actor=users["cm.tamba"], referral=referral, to=State.DECLINED)
    with pytest.raises(StaleVersion):
        services.referral_transition(
            actor=users["cm.tamba"], referral=referral, to=State.ACCEPTED, version=1
        )
    referral.refresh_from_db()
    assert referral.state == State.SENT


def test_services_that_do_not_fit_are_not_offered_nor_accepted(users, case, job, kolda_service):
    assert kolda_service not in selectors.fitting_services(case)
    assert job in selectors.fitting_services(case)
    women = providers.service_add(
        actor=users["coord.tamba"],
        provider=job.provider,
        category="BUSINESS",
        name="Women's cooperative",
        for_sex="F",
    )
    youth = providers.service_add(
        actor=users["coord.tamba"],
        provider=job.provider,
        category="TVET",
        name="Youth training",
        max_age=25,
    )
    offered = selectors.fitting_services(case)
    assert women not in offered and youth not in offered
    for service in (kolda_service, women, youth):
        with pytest.raises(ValidationFailed) as err:
            refer(users, case, service)
        assert err.value.code == "does_not_fit"


def test_a_medical_referral_is_medical_tier_and_raises_the_medical_flag(users, case, clinic):
    referral = refer(users, case, clinic)
    case.refresh_from_db()
    assert referral.tier == "MEDICAL" and case.has_medical_flag
    cm, medical, finance = users["cm.tamba"], users["fp.medical"], users["finance"]
    _r, _a, readable = selectors.referral_get_for_user(cm, referral.pk)
    assert readable is False  # the case manager knows it exists, no more
    _r, _a, readable = selectors.referral_get_for_user(medical, referral.pk)
    assert readable is True
    with pytest.raises(Exception) as err:
        selectors.referral_get_for_user(finance, referral.pk)
    assert err.typename == "Http404"
    rows = selectors.case_referrals(cm, case_access(cm, case))
    assert [(r.referral, r.readable) for r in rows] == [(referral, False)]
    # The timeline shows the case manager a bare restricted entry.
    event = CaseEvent.objects.filter(case=case, kind=EventKind.REFERRAL).latest("id")
    assert event.tier == "MEDICAL"


def test_the_case_manager_cannot_move_a_medical_referral_once_sent(users, case, clinic):
    referral = refer(users, case, clinic)
    cm = users["cm.tamba"]
    r, access, _readable = selectors.referral_get_for_user(cm, referral.pk)
    with pytest.raises(NotAllowed):
        services.referral_move(actor=cm, referral=r, access=access, to=State.CANCELLED, note="x")
    medical = users["fp.medical"]
    r, access, _readable = selectors.referral_get_for_user(medical, referral.pk)
    r = services.referral_move(actor=medical, referral=r, access=access, to=State.ACCEPTED)
    assert r.state == State.ACCEPTED


def test_an_internal_protection_referral_reaches_the_focal_point_who_is_assigned_on_accepting(
    users, case
):
    referral = services.referral_create(
        actor=users["cm.tamba"],
        case=case,
        recipient=Recipient.PROTECTION_FP,
        reason="Signs of trafficking during the interview",
    )
    assert referral.tier == "PROTECTION" and referral.consent is None
    fp = users["fp.protection"]
    assert [r.referral for r in selectors.referred_to(fp)] == [referral]
    assert selectors.referred_to(users["fp.medical"]) == []
    r, access, readable = selectors.referral_get_for_user(fp, referral.pk)
    assert readable
    r = services.referral_move(actor=fp, referral=r, access=access, to=State.ACCEPTED)
    assert r.recipient_user == fp
    assert case.assignments.filter(
        user=fp, role=AssignmentRole.FOCAL_POINT, ended_at__isnull=True
    ).exists()


def test_a_named_recipient_must_hold_the_role_for_the_office(users, case):
    with pytest.raises(ValidationFailed):
        services.referral_create(
            actor=users["cm.tamba"],
            case=case,
            recipient=Recipient.PSYCHOSOCIAL,
            recipient_user=users["cm.kolda"],
            reason="Counselling",
        )
    referral = services.referral_create(
        actor=users["cm.tamba"],
        case=case,
        recipient=Recipient.PSYCHOSOCIAL,
        recipient_user=users["cm.psy"],
        reason="Counselling",
    )
    assert [r.referral for r in selectors.referred_to(users["cm.psy"])] == [referral]


def test_overdue_shows_to_the_sender_then_escalates_to_the_regional_coordinator(users, case, job):
    referral = refer(users, case, job)  # acknowledgement due in 5 days
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    assert selectors.overdue_sent_by(cm) == []
    today = timezone.localdate()
    with time_machine.travel(today + datetime.timedelta(days=6), tick=False):
        assert selectors.overdue_sent_by(cm) == [referral]
        assert selectors.escalated_for(coord) == []
    with time_machine.travel(today + datetime.timedelta(days=9), tick=False):
        assert [r.referral for r in selectors.escalated_for(coord)] == [referral]
        assert [r.referral for r in selectors.escalated_for(users["coord.national"])] == [referral]
        assert selectors.escalated_for(cm) == []
        services.referral_acknowledge(actor=cm, referral=referral)
        assert selectors.overdue_sent_by(cm) == [] and selectors.escalated_for(coord) == []


def test_a_provider_link_expires_and_can_be_revoked(users, case, job, settings):
    settings.REINTEGRA_REFERRAL_LINK_DAYS = 10
    referral = refer(users, case, job)
    link, token = services.link_issue(actor=users["cm.tamba"], referral=referral)
    assert token not in link.token_hash and selectors.link_resolve(token) == link
    later = timezone.now() + datetime.timedelta(days=11)
    with time_machine.travel(later, tick=False), pytest.raises(selectors.LinkGone):
        selectors.link_resolve(token)
    second, token2 = services.link_issue(actor=users["cm.tamba"], referral=referral)
    with pytest.raises(selectors.LinkGone):  # a new link revokes the old one
        selectors.link_resolve(token)
    services.link_revoke(actor=users["cm.tamba"], link=second)
    with pytest.raises(selectors.LinkGone):
        selectors.link_resolve(token2)
    assert ReferralLink.objects.filter(revoked_at__isnull=False).count() == 2
    assert (
        AuditEvent.objects.filter(action="referral.link_revoked").count() == 2
        and AuditEvent.objects.filter(action="referral.link_issued").count() == 2
    )


def test_answers_through_a_link_are_audited_as_the_providers(users, case, job):
    referral = refer(users, case, job)
    link, _token = services.link_issue(actor=users["cm.tamba"], referral=referral)
    services.link_use(link=link)
    services.referral_acknowledge(actor=None, referral=referral, via_link=link)
    services.referral_transition(actor=None, referral=referral, to=State.ACCEPTED, via_link=link)
    accepted = AuditEvent.objects.get(action="referral.accepted", target_id=str(referral.pk))
    assert accepted.actor_id is None and accepted.changes["via_link"] == [None, link.pk]
    assert AccessEvent.objects.filter(action="referral.link_opened", case_id=case.pk).count() == 1
    link.refresh_from_db()
    assert link.uses == 1 and link.last_used_at is not None


def test_statistics_count_and_time_the_loop(users, offices, case, job, clinic):
    cm = users["cm.tamba"]
    start = timezone.now()
    first = refer(users, case, job)
    with time_machine.travel(start + datetime.timedelta(days=2), tick=False):
        services.referral_transition(actor=cm, referral=first, to=State.ACCEPTED)
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        services.referral_transition(actor=cm, referral=first, to=State.DELIVERED)
        services.referral_transition(actor=cm, referral=first, to=State.CLOSED, note="Done")
    other = open_case(users, offices, given_names="Ibrahima")
    second = refer(users, other, job)
    with time_machine.travel(start + datetime.timedelta(days=4), tick=False):
        services.referral_transition(actor=cm, referral=second, to=State.DECLINED, note="Full")
    refer(users, other, clinic)
    by_provider, by_category = selectors.referral_statistics(users["coord.tamba"])
    (row,) = by_provider
    assert (row.sent, row.accepted, row.declined, row.delivered) == (3, 1, 1, 1)
    assert row.median_acknowledge == 3.0 and row.median_deliver == 6.0
    jobs = next(r for r in by_category if r.key == "JOB_PLACEMENT")
    assert (jobs.sent, jobs.accepted, jobs.delivered) == (2, 1, 1)
    assert selectors.referral_statistics(users["finance"]) == ([], [])
    assert selectors.referral_statistics(users["coord.national"])[0][0].sent == 3


def test_a_screening_that_raises_the_protection_flag_refers_to_the_focal_point_once(
    shipped, users, case
):
    version = shipped["vulnerability_screening"].current
    for _i in range(2):
        instruments.response_record(
            actor=users["cm.tamba"],
            case=case,
            version=version,
            answers=screening(case, "high", ("none",)),
            source="API",
        )
    (referral,) = Referral.objects.filter(case=case)
    assert referral.recipient == Recipient.PROTECTION_FP and referral.state == State.SENT
    assert "protection" in referral.reason
    assert [r.referral for r in selectors.referred_to(users["fp.protection"])] == [referral]
