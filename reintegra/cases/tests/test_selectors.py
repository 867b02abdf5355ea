"""Who reaches which case: the need-to-know policy applied to querysets and predicates."""

import pytest
from django.http import Http404

from reintegra.access.policy import Level, Tier
from reintegra.audit.models import AccessEvent
from reintegra.cases import services
from reintegra.cases.permissions import case_access
from reintegra.cases.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    case_visible_to,
    timeline_for,
)
from reintegra.cases.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(offices, users):
    tamba = factories.case(
        users["cm.tamba"],
        offices["TAM"],
        given_names="Aliou",
        family_name="Sané",
        phone="+221 77 123 45 67",
    )
    kolda = factories.case(
        users["cm.kolda"], offices["KLD"], given_names="Binta", family_name="Kandé"
    )
    rabat = factories.case(
        users["cm.rabat"], offices["RBT"], given_names="Samba", family_name="Touré"
    )
    flagged = factories.case(
        users["cm.tamba"], offices["TAM"], given_names="Awa", family_name="Sylla"
    )
    services.case_flag_set(actor=users["cm.tamba"], case=flagged, flag="PROTECTION", value=True)
    services.case_flag_set(actor=users["cm.tamba"], case=flagged, flag="MEDICAL", value=True)
    return {"tamba": tamba, "kolda": kolda, "rabat": rabat, "flagged": flagged}


def visible(user) -> set[str]:
    return set(case_visible_to(user).values_list("person__given_names", flat=True))


# persona -> the cases of the fixture they reach
EXPECTED = {
    "coord.national": {"Aliou", "Binta", "Awa"},  # the country; not the host-country office
    "coord.tamba": {"Aliou", "Awa"},  # the region only
    "cm.tamba": {"Aliou", "Awa"},  # assigned cases
    "cm.kolda": {"Binta"},
    "cm.psy": set(),  # not assigned to any
    "cm.rabat": {"Samba"},
    "fp.protection": {"Awa"},  # flagged cases in scope
    "fp.medical": {"Awa"},
    "fp.comms": set(),
    "me.officer": {"Aliou", "Binta", "Awa"},
    "finance": {"Aliou", "Binta", "Awa"},
    "sysadmin": set(),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_persona_reaches_exactly_the_cases_the_policy_gives_them(cases, users, username):
    assert visible(users[username]) == EXPECTED[username]


def test_an_out_of_scope_case_is_not_found_and_the_denial_is_recorded(cases, users):
    with pytest.raises(Http404):
        case_get_for_user(users["cm.kolda"], cases["tamba"].pk)
    assert AccessEvent.objects.filter(action="case.denied", case_id=cases["tamba"].pk).exists()
    with pytest.raises(Http404):
        case_get_for_user(users["cm.kolda"], "not-a-number")


def test_viewing_a_case_records_an_access_event(cases, users):
    case, access = case_get_for_user(users["cm.tamba"], cases["tamba"].pk)
    assert access.can_edit
    assert AccessEvent.objects.filter(
        action="case.viewed", case_id=case.pk, actor=users["cm.tamba"]
    ).exists()


def test_restricted_tiers_show_only_a_flag_to_those_who_may_know_they_exist(cases, users):
    case = cases["flagged"]
    services.note_add(actor=users["cm.psy"], case=case, body="not assigned yet", tier="CASE")
    services.case_assign(
        actor=users["coord.tamba"], case=case, user=users["cm.psy"], role="SPECIALIST"
    )
    services.note_add(
        actor=users["cm.psy"], case=case, body="Session 1: sleeping badly", tier=Tier.PSYCHOSOCIAL
    )
    coordinator = case_access(users["coord.tamba"], case)
    psy = case_access(users["cm.psy"], case)
    assert coordinator.level(Tier.PSYCHOSOCIAL) == Level.FLAG
    assert psy.level(Tier.PSYCHOSOCIAL) == Level.WRITE
    coordinator_rows = [r for r in timeline_for(coordinator) if r["event"].tier == "PSYCHOSOCIAL"]
    assert coordinator_rows and all(r["restricted"] and not r["summary"] for r in coordinator_rows)
    psy_rows = [r for r in timeline_for(psy) if r["event"].tier == "PSYCHOSOCIAL"]
    assert psy_rows[0]["summary"].startswith("Session 1")


def test_summary_roles_see_milestones_but_not_notes(cases, users):
    case = cases["tamba"]
    services.note_add(actor=users["cm.tamba"], case=case, body="Private counselling content")
    access = case_access(users["finance"], case)
    assert not access.can_view_notes
    assert all(r["event"].kind != "NOTE_ADDED" for r in timeline_for(access))


def test_the_case_list_searches_by_name_number_and_phone(cases, users):
    coordinator = users["coord.national"]

    def found(query: str) -> set[str]:
        items = case_list_for_user(coordinator, CaseFilters(query=query))
        return {c.person.given_names for c in items}

    assert found("sane") == {"Aliou"}  # accents ignored
    assert found(cases["kolda"].number) == {"Binta"}
    assert found("77 123 45") == {"Aliou"}
    assert found("Touré") == set()  # the host-country case is out of scope


def test_the_case_list_filters_by_stage_office_and_flag(cases, users, offices):
    coordinator = users["coord.national"]
    by_office = case_list_for_user(coordinator, CaseFilters(office=offices["KLD"].pk))
    assert {c.person.given_names for c in by_office} == {"Binta"}
    flagged = case_list_for_user(coordinator, CaseFilters(flag="PROTECTION"))
    assert {c.person.given_names for c in flagged} == {"Awa"}
    services.case_transition(actor=users["cm.kolda"], case=cases["kolda"], to_stage="ASSESSMENT")
    staged = case_list_for_user(coordinator, CaseFilters(stage="ASSESSMENT"))
    assert {c.person.given_names for c in staged} == {"Binta"}
    by_name = [
        c.person.given_names for c in case_list_for_user(coordinator, CaseFilters(sort="name"))
    ]
    assert by_name == ["Binta", "Aliou", "Awa"]  # Kandé, Sané, Sylla


def test_a_user_with_two_roles_sees_each_case_once(cases, users, offices):
    from reintegra.accounts import services as accounts

    accounts.role_assign(
        actor=None, user=users["cm.tamba"], role="PROTECTION_FP", office=offices["TAM"]
    )
    fresh = type(users["cm.tamba"]).objects.get(pk=users["cm.tamba"].pk)
    ids = list(case_visible_to(fresh).values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == 2
