"""The policy table is complete, matches DESIGN.md §4, and scopes follow the office tree."""

import datetime

import pytest

from reintegra.access.policy import POLICY, Level, Tier, level_for, matrix_rows
from reintegra.access.principal import principal
from reintegra.accounts import services as accounts
from reintegra.accounts.choices import Role, Specialisation


def test_every_role_has_a_level_for_every_tier():
    for role in Role.values:
        assert set(POLICY[role]) == set(Tier.values), role


def test_the_system_administrator_sees_no_personal_data():
    assert all(level == Level.NONE for level in POLICY[Role.SYSADMIN].values())


def test_only_a_psychosocial_case_manager_writes_psychosocial_notes():
    assert (
        level_for(Role.CASE_MANAGER, Tier.PSYCHOSOCIAL, Specialisation.PSYCHOSOCIAL) == Level.WRITE
    )
    assert level_for(Role.CASE_MANAGER, Tier.PSYCHOSOCIAL, Specialisation.ECONOMIC) == Level.FLAG


def test_coordinators_only_know_that_restricted_tiers_exist():
    for tier in (Tier.PROTECTION, Tier.MEDICAL, Tier.PSYCHOSOCIAL):
        assert POLICY[Role.COORDINATOR][tier] == Level.FLAG


def test_the_review_table_has_a_row_per_role():
    rows = matrix_rows()
    assert len(rows) == len(Role.values)
    assert all(len(symbols) == len(Tier.values) for _, symbols in rows)


@pytest.mark.django_db
def test_a_national_office_covers_the_country_but_not_the_host_country_office(offices, users):
    scope = principal(users["coord.national"]).offices()
    assert {offices["DKR"].pk, offices["TAM"].pk, offices["KLD"].pk} <= scope
    assert offices["RBT"].pk not in scope


@pytest.mark.django_db
def test_a_regional_scope_stops_at_its_region(offices, users):
    scope = principal(users["coord.tamba"]).offices()
    assert offices["TAM"].pk in scope
    assert offices["KLD"].pk not in scope


@pytest.mark.django_db
def test_an_expired_role_assignment_gives_nothing(offices, users):
    user = accounts.user_create(actor=None, username="temp.cm", first_name="T", last_name="C")
    assignment = accounts.role_assign(
        actor=None, user=user, role=Role.CASE_MANAGER, office=offices["KLD"]
    )
    assert principal(user).has_role(Role.CASE_MANAGER)
    assignment.expires_on = datetime.date(2000, 1, 1)
    assignment.save()
    fresh = type(user).objects.get(pk=user.pk)
    assert not principal(fresh).has_role(Role.CASE_MANAGER)
