"""The system administrator's console: offices, users and role assignments, the access policy.

Personas (DESIGN.md §9): sysadmin runs the console; for everyone else it does not exist (404),
except the access-policy page, which coordinators review too. Anonymous visitors sign in first.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.accounts.models import Office, RoleAssignment, User
from reintegra.audit.models import AuditEvent
from reintegra.people import services as people

SYSADMIN_PAGES = ["console:index", "console:offices", "console:users"]
OTHERS = [
    "coord.national",
    "coord.tamba",
    "cm.tamba",
    "cm.kolda",
    "cm.psy",
    "cm.rabat",
    "fp.protection",
    "fp.medical",
    "fp.comms",
    "me.officer",
    "finance",
]


@pytest.fixture
def admin(client_for):
    return client_for("sysadmin")


def audited(action: str, **filters: object) -> bool:
    return AuditEvent.objects.filter(action=action, **filters).exists()


# Who reaches the console


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*SYSADMIN_PAGES, "console:policy"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, programme, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", SYSADMIN_PAGES)
def test_the_system_administrator_opens_the_console(admin, name):
    assert admin.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_the_console_does_not_exist_for_anyone_else(client_for, users, offices, persona):
    client = client_for(persona)
    for name in SYSADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 404
    target = users["cm.tamba"]
    assignment = target.assignments.get()
    posts = [
        (reverse("console:offices"), {"name": "X", "code": "X", "kind": "LOCAL"}),
        (reverse("console:office_edit", args=[offices["TAM"].pk]), {"name": "X", "version": 1}),
        (reverse("console:users"), {"username": "intruder"}),
        (reverse("console:user_detail", args=[target.pk]), {}),
        (reverse("console:role_assign", args=[target.pk]), {"role": "SYSADMIN"}),
        (reverse("console:role_revoke", args=[target.pk, assignment.pk]), {}),
        (reverse("console:user_deactivate", args=[target.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (404, 405)
    assert client.get(reverse("console:user_detail", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assignment.refresh_from_db()
    assert target.is_active and assignment.is_active
    assert not User.objects.filter(username="intruder").exists()
    assert not audited("role.assigned", actor=users[persona])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["sysadmin", "coord.national", "coord.tamba"])
def test_the_access_policy_is_shown_to_the_administrator_and_coordinators(client_for, persona):
    response = client_for(persona).get(reverse("console:policy"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Protection focal point" in content
    assert "Psychosocial" in content
    assert "read and write" in content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm.tamba", "fp.comms", "me.officer", "finance"])
def test_the_access_policy_does_not_exist_for_other_roles(client_for, persona):
    assert client_for(persona).get(reverse("console:policy")).status_code == 404


@pytest.mark.django_db
def test_the_policy_table_is_the_one_the_system_applies(admin):
    rows = dict(admin.get(reverse("console:policy")).context["rows"])
    assert rows["System administrator"] == ["–"] * 7
    assert rows["Case manager"][0] == "W"
    assert rows["Communication focal point"][0] == "P"


# Offices


@pytest.mark.django_db
def test_the_office_tree_lists_every_office(admin, offices):
    content = admin.get(reverse("console:offices")).content.decode()
    for office in offices.values():
        assert office.name in content


@pytest.mark.django_db
def test_creating_an_office_is_audited(admin, offices, users):
    response = admin.post(
        reverse("console:offices"),
        {
            "name": "Goudiry",
            "code": "gdr",
            "kind": "LOCAL",
            "parent": offices["TAM"].pk,
            "country_code": "sn",
        },
    )
    assert response.status_code == 302
    office = Office.objects.get(code="GDR")
    assert office.parent == offices["TAM"]
    assert office.country_code == "SN"
    assert office.path.startswith(offices["TAM"].path)
    assert audited("office.created", actor=users["sysadmin"], target_id=office.pk)


@pytest.mark.django_db
def test_an_office_under_the_wrong_parent_is_refused_next_to_the_field(admin, offices, users):
    response = admin.post(
        reverse("console:offices"),
        {"name": "Bad", "code": "BAD", "kind": "NATIONAL", "parent": "", "country_code": "SN"},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Office.objects.filter(code="BAD").exists()
    assert not audited("office.created", actor=users["sysadmin"])


@pytest.mark.django_db
def test_a_taken_office_code_is_refused(admin, offices):
    response = admin.post(
        reverse("console:offices"),
        {
            "name": "Again",
            "code": "tam",
            "kind": "LOCAL",
            "parent": offices["TAM"].pk,
            "country_code": "SN",
        },
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


@pytest.mark.django_db
def test_renaming_and_deactivating_an_office_is_audited(admin, offices):
    office = offices["KLD"]
    url = reverse("console:office_edit", args=[office.pk])
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"name": "Kolda region", "version": office.version})
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Kolda region"
    assert not office.is_active
    assert audited("office.updated", target_id=office.pk)


@pytest.mark.django_db
def test_a_stale_office_version_changes_nothing(admin, offices):
    office = offices["KLD"]
    url = reverse("console:office_edit", args=[office.pk])
    admin.post(url, {"name": "First", "is_active": "on", "version": office.version})
    response = admin.post(url, {"name": "Second", "is_active": "on", "version": office.version})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    office.refresh_from_db()
    assert office.name == "First"


@pytest.mark.django_db
def test_a_missing_office_is_not_found(admin, programme):
    assert admin.get(reverse("console:office_edit", args=[99999])).status_code == 404


# Users and roles


@pytest.mark.django_db
def test_the_user_list_shows_accounts_and_their_roles(admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin.get(reverse("console:users"))
    content = response.content.decode()
    assert "cm.tamba" in content
    assert "Case manager" in content


@pytest.mark.django_db
def test_creating_an_account_is_audited(admin, users):
    response = admin.post(
        reverse("console:users"),
        {
            "username": "CM.Goudiry",
            "first_name": "Seynabou",
            "last_name": "Diouf",
            "email": "s.diouf@example.org",
            "password": "a-long-initial-passphrase",
        },
    )
    user = User.objects.get(username="cm.goudiry")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:user_detail", args=[user.pk])
    assert user.check_password("a-long-initial-passphrase")
    assert audited("user.created", actor=users["sysadmin"], target_id=user.pk)


@pytest.mark.django_db
def test_a_weak_password_or_a_taken_username_is_refused(admin, users):
    weak = admin.post(
        reverse("console:users"),
        {"username": "newbie", "first_name": "N", "last_name": "B", "password": "short"},
    )
    assert weak.status_code == 200
    assert "password" in weak.context["form"].errors
    taken = admin.post(
        reverse("console:users"),
        {
            "username": "cm.tamba",
            "first_name": "N",
            "last_name": "B",
            "password": "a-long-initial-passphrase",
        },
    )
    assert taken.status_code == 200
    assert "username" in taken.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_giving_a_role_is_audited(admin, users, offices):
    target = users["fp.comms"]
    expires = timezone.localdate() + datetime.timedelta(days=90)
    response = admin.post(
        reverse("console:role_assign", args=[target.pk]),
        {"role": "ME_SPECIALIST", "office": offices["TAM"].pk, "expires_on": expires.isoformat()},
    )
    assert response.status_code == 302
    assignment = target.assignments.get(role="ME_SPECIALIST")
    assert assignment.office == offices["TAM"]
    assert assignment.expires_on == expires
    assert audited("role.assigned", target_id=assignment.pk)


@pytest.mark.django_db
def test_a_role_without_an_office_is_refused_next_to_the_field(admin, users):
    target = users["fp.comms"]
    response = admin.post(
        reverse("console:role_assign", args=[target.pk]), {"role": "CASE_MANAGER"}
    )
    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert target.assignments.count() == 1


@pytest.mark.django_db
def test_revoking_a_role_is_audited_and_ends_it(admin, users):
    target = users["cm.kolda"]
    assignment = target.assignments.get()
    page = admin.get(reverse("console:user_detail", args=[target.pk])).content.decode()
    url = reverse("console:role_revoke", args=[target.pk, assignment.pk])
    assert url in page
    assert "data-confirm=" in page
    response = admin.post(url)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert audited("role.revoked", target_id=assignment.pk)


@pytest.mark.django_db
def test_an_assignment_of_another_user_is_not_found(admin, users):
    other = users["cm.tamba"].assignments.get()
    url = reverse("console:role_revoke", args=[users["cm.kolda"].pk, other.pk])
    assert admin.post(url).status_code == 404
    other.refresh_from_db()
    assert other.is_active


@pytest.mark.django_db
def test_deactivating_an_account_is_audited(admin, users):
    target = users["finance"]
    response = admin.post(reverse("console:user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert audited("user.deactivated", target_id=target.pk)


@pytest.mark.django_db
def test_the_administrator_cannot_lock_themselves_out(admin, users):
    me = users["sysadmin"]
    assignment = me.assignments.get()
    admin.post(reverse("console:role_revoke", args=[me.pk, assignment.pk]))
    admin.post(reverse("console:user_deactivate", args=[me.pk]))
    me.refresh_from_db()
    assignment.refresh_from_db()
    assert me.is_active
    assert assignment.is_active
    assert not audited("role.revoked") and not audited("user.deactivated")


@pytest.mark.django_db
def test_console_actions_answer_only_to_post(admin, users):
    target = users["finance"]
    assert admin.get(reverse("console:user_deactivate", args=[target.pk])).status_code == 405
    assert admin.get(reverse("console:role_assign", args=[target.pk])).status_code == 405


@pytest.mark.django_db
def test_the_console_shows_no_returnee_data(admin, users, offices):
    people.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
    )
    for url in [
        reverse("console:index"),
        reverse("console:offices"),
        reverse("console:users"),
        reverse("console:user_detail", args=[users["cm.tamba"].pk]),
        reverse("console:policy"),
    ]:
        assert "DIALLO" not in admin.get(url).content.decode()


@pytest.mark.django_db
def test_an_expired_assignment_is_shown_as_expired(admin, users):
    assignment = RoleAssignment.objects.get(user=users["me.officer"])
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = admin.get(reverse("console:user_detail", args=[users["me.officer"].pk]))
    assert "expired" in page.content.decode()
