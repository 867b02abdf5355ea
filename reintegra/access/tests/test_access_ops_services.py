"""Time-bound grants and break-glass: services, levels, expiry, review, scope."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from reintegra.access import services
from reintegra.access.models import AccessGrant
from reintegra.access.policy import Level, Tier
from reintegra.access.selectors import break_glass_for_review, home_access_ops
from reintegra.access.tests.fixtures_access_ops import *  # noqa: F403 - the fixtures
from reintegra.accounts.models import User
from reintegra.audit.models import AuditEvent
from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access
from reintegra.cases.selectors import case_visible_to
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed

pytestmark = pytest.mark.django_db


def fresh(user):
    """A new user object: the principal (and its grants) is cached per object, i.e. per request."""
    return User.objects.get(pk=user.pk)


def access_of(user, case):
    return case_access(fresh(user), Case.objects.get(pk=case.pk))


def grant(users, case, username="cm.kolda", **kwargs):
    data = {
        "tier": "PROTECTION",
        "level": 3,
        "reason": "Stand-in while the focal point is away",
        "ends_on": timezone.localdate() + datetime.timedelta(days=3),
    }
    data.update(kwargs)
    return services.grant_create(
        actor=users["coord.tamba"], case=case, user=users[username], **data
    )


def test_a_grant_raises_the_tier_and_makes_the_case_reachable(users, tamba_case):
    kolda = users["cm.kolda"]
    assert not case_visible_to(fresh(kolda)).filter(pk=tamba_case.pk).exists()
    g = grant(users, tamba_case)
    assert case_visible_to(fresh(kolda)).filter(pk=tamba_case.pk).exists()
    access = access_of(kolda, tamba_case)
    assert access.can_read_tier(Tier.PROTECTION)
    assert not access.can_write_tier(Tier.PROTECTION)
    assert access.level(Tier.CASE) == Level.PARTIAL and access.can_view
    assert not access.can_read_tier(Tier.MEDICAL)
    event = AuditEvent.objects.get(action="access.granted")
    assert event.target_id == g.pk and event.case_id == tamba_case.pk
    assert event.changes["user"] == [None, "cm.kolda"]


def test_a_grant_raises_the_level_of_a_user_who_already_reaches_the_case(users, tamba_case):
    assert not access_of(users["cm.tamba"], tamba_case).can_read_tier(Tier.PROTECTION)
    grant(users, tamba_case, "cm.tamba")
    access = access_of(users["cm.tamba"], tamba_case)
    assert access.can_read_tier(Tier.PROTECTION)
    assert access.can_edit  # the case manager's own levels are kept


def test_a_grant_ends_exactly_at_the_end_of_its_last_day(users, tamba_case):
    ends_on = timezone.localdate() + datetime.timedelta(days=2)
    g = grant(users, tamba_case, ends_on=ends_on)
    assert timezone.localtime(g.ends_at).date() == ends_on + datetime.timedelta(days=1)
    kolda = users["cm.kolda"]
    with time_machine.travel(g.ends_at - datetime.timedelta(seconds=1), tick=False):
        assert access_of(kolda, tamba_case).can_read_tier(Tier.PROTECTION)
        assert case_visible_to(fresh(kolda)).filter(pk=tamba_case.pk).exists()
    with time_machine.travel(g.ends_at, tick=False):
        assert not access_of(kolda, tamba_case).can_read_tier(Tier.PROTECTION)
        assert not case_visible_to(fresh(kolda)).filter(pk=tamba_case.pk).exists()


def test_an_expiring_grant_stops_inside_the_request_that_loaded_it(users, tamba_case):
    g = grant(users, tamba_case)
    kolda = fresh(users["cm.kolda"])
    with time_machine.travel(g.ends_at - datetime.timedelta(seconds=1), tick=False):
        assert case_access(kolda, Case.objects.get(pk=tamba_case.pk)).can_read_tier("PROTECTION")
    with time_machine.travel(g.ends_at, tick=False):  # same user object: grants already loaded
        assert not case_access(kolda, Case.objects.get(pk=tamba_case.pk)).can_read_tier(
            "PROTECTION"
        )


def test_a_revoked_grant_stops_at_once(users, tamba_case):
    g = grant(users, tamba_case)
    services.grant_revoke(actor=users["coord.national"], grant=g)
    assert not access_of(users["cm.kolda"], tamba_case).can_read_tier(Tier.PROTECTION)
    assert AuditEvent.objects.filter(action="access.revoked", target_id=g.pk).exists()
    with pytest.raises(Conflict):
        services.grant_revoke(actor=users["coord.tamba"], grant=g)


def test_only_a_coordinator_of_the_case_office_grants(users, tamba_case, kolda_case):
    with pytest.raises(NotAllowed):
        services.grant_create(
            actor=users["cm.tamba"],
            case=tamba_case,
            user=users["cm.psy"],
            tier="PROTECTION",
            level=3,
            reason="Stand-in while away",
            ends_on=timezone.localdate(),
        )
    with pytest.raises(NotAllowed):
        grant(users, kolda_case, "cm.tamba")
    # The national coordinator's scope covers every regional office.
    services.grant_create(
        actor=users["coord.national"],
        case=kolda_case,
        user=users["cm.tamba"],
        tier="MEDICAL",
        level=3,
        reason="Covering the Kolda caseload",
        ends_on=timezone.localdate(),
    )


@pytest.mark.parametrize(
    ("username", "changes", "field"),
    [
        ("coord.tamba", {}, "user"),  # not to oneself
        ("sysadmin", {}, "user"),  # no case-working role
        ("cm.kolda", {"tier": "CASE"}, "tier"),
        ("cm.kolda", {"level": 9}, "level"),
        ("cm.kolda", {"level": 4}, "level"),  # a case manager never writes protection
        ("cm.kolda", {"reason": "  short "}, "reason"),
        ("cm.kolda", {"ends_on": datetime.date(2000, 1, 1)}, "ends_on"),
        ("cm.kolda", {"ends_on": timezone.localdate() + datetime.timedelta(days=91)}, "ends_on"),
    ],
)
def test_a_grant_is_validated(users, tamba_case, username, changes, field):
    with pytest.raises(ValidationFailed) as err:
        grant(users, tamba_case, username, **changes)
    assert err.value.field == field
    assert not AccessGrant.objects.exists()


def test_write_goes_only_to_a_role_that_writes_the_section(users, tamba_case):
    grant(users, tamba_case, "fp.protection", level=4)
    assert access_of(users["fp.protection"], tamba_case).can_write_tier(Tier.PROTECTION)


def test_a_second_current_grant_on_the_same_section_is_refused(users, tamba_case):
    grant(users, tamba_case)
    with pytest.raises(Conflict):
        grant(users, tamba_case)


def test_an_inactive_grantee_gets_nothing(users, tamba_case):
    grant(users, tamba_case)
    User.objects.filter(pk=users["cm.kolda"].pk).update(is_active=False)
    assert not access_of(users["cm.kolda"], tamba_case).can_read_tier(Tier.PROTECTION)


def glass(users, case, who="coord.tamba", text="Returnee reported a threat tonight, urgent"):
    return services.break_glass_open(
        actor=users[who], case=case, tier="PROTECTION", justification=text
    )


def test_break_glass_needs_a_justification(users, tamba_case):
    for text in ("", "   urgent   "):
        with pytest.raises(ValidationFailed) as err:
            glass(users, tamba_case, text=text)
        assert err.value.field == "justification"
    assert not AccessGrant.objects.exists()


def test_break_glass_opens_the_section_for_a_limited_time(users, tamba_case, settings):
    settings.REINTEGRA_BREAK_GLASS_MINUTES = 30
    coord = users["coord.tamba"]
    assert not access_of(coord, tamba_case).can_read_tier(Tier.PROTECTION)
    g = glass(users, tamba_case)
    assert g.ends_at - g.starts_at == datetime.timedelta(minutes=30)
    access = access_of(coord, tamba_case)
    assert access.can_read_tier(Tier.PROTECTION) and not access.can_write_tier(Tier.PROTECTION)
    assert [b.id for b in access.break_glass] == [g.pk]
    assert AuditEvent.objects.filter(action="access.break_glass", case_id=tamba_case.pk).exists()
    with time_machine.travel(g.ends_at, tick=False):
        access = access_of(coord, tamba_case)
        assert not access.can_read_tier(Tier.PROTECTION) and not access.break_glass


def test_only_a_coordinator_in_scope_breaks_the_glass(users, tamba_case, kolda_case):
    with pytest.raises(NotAllowed):
        glass(users, tamba_case, who="cm.tamba")
    with pytest.raises(NotAllowed):
        glass(users, kolda_case)


def test_break_glass_is_listed_and_reviewed_by_another_coordinator(users, tamba_case):
    g = glass(users, tamba_case)
    national, tamba = fresh(users["coord.national"]), fresh(users["coord.tamba"])
    assert list(break_glass_for_review(national, pending=True)) == [g]
    assert list(break_glass_for_review(tamba, pending=True)) == [g]  # their own office's
    assert not break_glass_for_review(fresh(users["cm.tamba"])).exists()
    assert home_access_ops(national)["count"] == 1
    assert home_access_ops(tamba) is None  # nothing by others to review
    with pytest.raises(NotAllowed):
        services.break_glass_review(actor=tamba, grant=g, version=g.version, comment="Fine")
    with pytest.raises(StaleVersion):
        services.break_glass_review(actor=national, grant=g, version=g.version + 1, comment="Ok")
    with pytest.raises(ValidationFailed):
        services.break_glass_review(actor=national, grant=g, version=g.version, comment=" ")
    reviewed = services.break_glass_review(
        actor=national, grant=g, version=g.version, comment="Justified: threat confirmed"
    )
    assert reviewed.reviewed_by == national and reviewed.version == g.version + 1
    assert AuditEvent.objects.filter(action="access.reviewed", target_id=g.pk).exists()
    assert not break_glass_for_review(national, pending=True).exists()
    assert list(break_glass_for_review(national, pending=False)) == [reviewed]
    assert home_access_ops(fresh(national)) is None
    with pytest.raises(Conflict):
        services.break_glass_review(
            actor=national, grant=reviewed, version=reviewed.version, comment="Again"
        )


def test_a_regional_coordinator_does_not_see_other_offices_break_glass(users, kolda_case):
    g = services.break_glass_open(
        actor=users["coord.national"],
        case=kolda_case,
        tier="MEDICAL",
        justification="Medical emergency at the Kolda office tonight",
    )
    assert not break_glass_for_review(fresh(users["coord.tamba"])).exists()
    with pytest.raises(NotAllowed):
        services.break_glass_review(
            actor=users["coord.tamba"], grant=g, version=g.version, comment="Fine"
        )


def test_the_home_section_renders_the_openings_to_review(users, tamba_case):
    from django.template.loader import render_to_string

    glass(users, tamba_case)
    html = render_to_string(
        "access/access_ops/_home.html",
        {"access_ops": home_access_ops(fresh(users["coord.national"]))},
    )
    assert "1 break-glass access waits for review." in html
    assert "Tambacounda" in html and "/cases/break-glass/" in html
