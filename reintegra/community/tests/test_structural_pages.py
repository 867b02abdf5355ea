"""Pages of the structural register: who sees and keeps what, forms with bad input (never a
500), stale edits, documents served only through the checked view."""

import datetime

import pytest
from django.urls import reverse

from reintegra.community.models.structural import (
    Agreement,
    CapacityActivity,
    CoordinationMechanism,
    FollowUpAction,
    MechanismMeeting,
    SopVersion,
    Stakeholder,
)
from reintegra.community.services import structural as services
from reintegra.community.tests.fixtures_structural import *  # noqa: F403 - fixtures
from reintegra.community.tests.fixtures_structural import TODAY, audited, pdf

DAY = datetime.timedelta(days=1)


def _agreement(users, offices, agency, **fields):
    values = {"kind": "MOU", "title": "MoU ARD", "signed_on": TODAY - 100 * DAY, **fields}
    return services.agreement_create(
        actor=users["coord.tamba"], stakeholder=agency, office=offices["TAM"], **values
    )


# --- stakeholders -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_staff_role_lists_the_stakeholders_but_the_system_administrator(client_for, agency):
    url = reverse("community:stakeholder_list")
    response = client_for("finance").get(url)
    assert response.status_code == 200
    assert agency.name in response.content.decode()
    assert client_for("sysadmin").get(url).status_code == 403


@pytest.mark.django_db
def test_the_list_filters_by_engagement_level(client_for, agency, kolda_ngo):
    url = reverse("community:stakeholder_list")
    body = client_for("cm.tamba").get(url, {"engagement": "COMMUNICATE"}).content.decode()
    assert kolda_ngo.name in body and agency.name not in body
    # An unknown value is ignored, not an error.
    assert client_for("cm.tamba").get(url, {"engagement": "<x>", "page": "zz"}).status_code == 200


@pytest.mark.django_db
def test_a_coordinator_adds_a_stakeholder_with_high_influence_and_low_interest(client_for, offices):
    response = client_for("coord.tamba").post(
        reverse("community:stakeholder_new"),
        {
            "office": offices["TAM"].pk,
            "name": "Chambre de métiers de Tambacounda",
            "kind": "PRIVATE_SECTOR",
            "influence": "HIGH",
            "interest": "LOW",
            "is_active": "on",
        },
    )
    stakeholder = Stakeholder.objects.get(name="Chambre de métiers de Tambacounda")
    assert response.status_code == 302
    assert response["Location"] == reverse("community:stakeholder_detail", args=[stakeholder.pk])
    assert stakeholder.engagement == "COMMUNICATE"
    assert audited("stakeholder.created", stakeholder)


@pytest.mark.django_db
def test_bad_stakeholder_input_shows_the_form_again(client_for, offices):
    response = client_for("coord.tamba").post(
        reverse("community:stakeholder_new"),
        {"office": offices["KLD"].pk, "name": "", "kind": "NGO", "influence": "X"},
    )
    assert response.status_code == 422
    assert not Stakeholder.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_keep_for_an_office_outside_their_scope(client_for, offices):
    response = client_for("coord.tamba").post(
        reverse("community:stakeholder_new"),
        {
            "office": offices["KLD"].pk,
            "name": "Outside",
            "kind": "NGO",
            "influence": "LOW",
            "interest": "LOW",
        },
    )
    assert response.status_code == 422
    assert not Stakeholder.objects.exists()


@pytest.mark.django_db
def test_only_the_coordinators_in_scope_edit_a_stakeholder(client_for, agency, kolda_ngo):
    assert (
        client_for("coord.tamba")
        .get(reverse("community:stakeholder_edit", args=[agency.pk]))
        .status_code
        == 200
    )
    assert (
        client_for("coord.tamba")
        .get(reverse("community:stakeholder_edit", args=[kolda_ngo.pk]))
        .status_code
        == 403
    )
    assert (
        client_for("fp.comms")
        .get(reverse("community:stakeholder_edit", args=[agency.pk]))
        .status_code
        == 403
    )
    assert (
        client_for("coord.tamba")
        .get(reverse("community:stakeholder_detail", args=[999999]))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_a_stale_stakeholder_edit_answers_409_and_keeps_the_other_change(client_for, users, agency):
    services.stakeholder_update(
        actor=users["coord.national"], stakeholder=agency, version=1, region="Bakel"
    )
    response = client_for("coord.tamba").post(
        reverse("community:stakeholder_edit", args=[agency.pk]),
        {
            "version": 1,
            "name": agency.name,
            "kind": agency.kind,
            "region": "Goudiry",
            "influence": "HIGH",
            "interest": "HIGH",
            "is_active": "on",
        },
    )
    assert response.status_code == 409
    agency.refresh_from_db()
    assert agency.region == "Bakel"


@pytest.mark.django_db
def test_communication_records_contacts_and_engagements(client_for, agency):
    client = client_for("fp.comms")
    client.post(
        reverse("community:stakeholder_contact_add", args=[agency.pk]),
        {"name": "Mme Sy", "position": "Director", "email": "not an email"},
    )
    assert not agency.contacts.exists()  # the bad email is refused
    client.post(
        reverse("community:stakeholder_contact_add", args=[agency.pk]),
        {"name": "Mme Sy", "position": "Director"},
    )
    response = client.post(
        reverse("community:stakeholder_engagement_add", args=[agency.pk]),
        {"occurred_on": TODAY.isoformat(), "kind": "VISIT", "summary": "Visited the agency"},
    )
    assert response.status_code == 302
    body = client.get(reverse("community:stakeholder_detail", args=[agency.pk])).content.decode()
    assert "Mme Sy" in body and "Visited the agency" in body
    # A case manager reads the history but does not write it.
    denied = client_for("cm.tamba").post(
        reverse("community:stakeholder_engagement_add", args=[agency.pk]),
        {"occurred_on": TODAY.isoformat(), "kind": "VISIT", "summary": "No"},
    )
    assert denied.status_code == 403


# --- agreements ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_records_an_agreement_with_its_document(client_for, offices, agency, files):
    response = client_for("coord.tamba").post(
        reverse("community:agreement_new"),
        {
            "office": offices["TAM"].pk,
            "stakeholder": agency.pk,
            "kind": "MOU",
            "title": "MoU with the ARD",
            "signed_on": TODAY.isoformat(),
            "ends_on": (TODAY + 20 * DAY).isoformat(),
            "document": pdf("mou.pdf"),
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert agreement.has_document and agreement.status == "EXPIRING"
    listed = client_for("coord.tamba").get(reverse("community:agreement_list"), {"expiring": "on"})
    assert "MoU with the ARD" in listed.content.decode()
    download = client_for("finance").get(
        reverse("community:agreement_document", args=[agreement.pk])
    )
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_an_agreement_that_ends_before_it_starts_is_refused_on_the_page(
    client_for, offices, agency
):
    response = client_for("coord.tamba").post(
        reverse("community:agreement_new"),
        {
            "office": offices["TAM"].pk,
            "stakeholder": agency.pk,
            "kind": "LTA",
            "title": "LTA",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - DAY).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "ends before it starts" in response.content.decode()
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_data_sharing_terms_and_documents_are_for_coordinators_me_and_communication(
    client_for, users, offices, agency, files
):
    sharing = _agreement(
        users,
        offices,
        agency,
        kind="DATA_SHARING",
        title="Data sharing with the ARD",
        safeguards="Encrypted transfer only",
        upload=pdf("dsa.pdf"),
    )
    detail = reverse("community:agreement_detail", args=[sharing.pk])
    document = reverse("community:agreement_document", args=[sharing.pk])
    for username in ("coord.tamba", "me.officer", "fp.comms"):
        assert "Encrypted transfer only" in client_for(username).get(detail).content.decode()
        assert client_for(username).get(document).status_code == 200
    for username in ("cm.tamba", "finance"):
        body = client_for(username).get(detail).content.decode()
        assert "Data sharing with the ARD" in body and "Encrypted transfer only" not in body
        assert client_for(username).get(document).status_code == 403


@pytest.mark.django_db
def test_a_coordinator_terminates_an_agreement(client_for, users, offices, agency):
    agreement = _agreement(users, offices, agency)
    client_for("coord.tamba").post(
        reverse("community:agreement_terminate", args=[agreement.pk]),
        {"terminated_on": TODAY.isoformat(), "version": agreement.version},
    )
    agreement.refresh_from_db()
    assert agreement.status == "TERMINATED"
    denied = client_for("me.officer").post(
        reverse("community:agreement_terminate", args=[agreement.pk]),
        {"terminated_on": TODAY.isoformat()},
    )
    assert denied.status_code == 403


# --- capacity building --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_me_specialist_records_a_capacity_building_activity(client_for, offices, agency):
    response = client_for("me.officer").post(
        reverse("community:capacity_new"),
        {
            "office": offices["TAM"].pk,
            "title": "Training of trainers",
            "kind": "TRAINING",
            "stakeholder": agency.pk,
            "starts_on": TODAY.isoformat(),
            "participants": 12,
            "participants_female": 5,
            "participants_male": 7,
        },
    )
    activity = CapacityActivity.objects.get()
    assert response.status_code == 302
    body = (
        client_for("cm.kolda")
        .get(reverse("community:capacity_detail", args=[activity.pk]))
        .content.decode()
    )
    assert "Training of trainers" in body
    # M&E records activities; the coordinators keep them.
    assert (
        client_for("me.officer")
        .get(reverse("community:capacity_edit", args=[activity.pk]))
        .status_code
        == 403
    )
    assert client_for("cm.tamba").get(reverse("community:capacity_new")).status_code == 403


@pytest.mark.django_db
def test_a_capacity_activity_without_an_institution_is_refused_on_the_page(client_for, offices):
    response = client_for("coord.tamba").post(
        reverse("community:capacity_new"),
        {
            "office": offices["TAM"].pk,
            "title": "Mentoring",
            "kind": "MENTORING",
            "starts_on": TODAY.isoformat(),
            "participants": 3,
        },
    )
    assert response.status_code == 422
    assert not CapacityActivity.objects.exists()


# --- coordination -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_records_a_meeting_with_minutes_and_an_action(
    client_for, users, committee, agency, files
):
    client = client_for("coord.tamba")
    response = client.post(
        reverse("community:mechanism_meeting_add", args=[committee.pk]),
        {
            "held_on": TODAY.isoformat(),
            "place": "Gouvernance, Tambacounda",
            "stakeholders": [agency.pk],
            "decisions": "Map the training places",
            "upload": pdf("minutes.pdf"),
        },
    )
    meeting = MechanismMeeting.objects.get()
    assert response["Location"] == reverse("community:meeting_detail", args=[meeting.pk])
    assert meeting.has_document
    client.post(
        reverse("community:meeting_action_add", args=[meeting.pk]),
        {
            "description": "Send the map",
            "owner": users["cm.tamba"].pk,
            "due_on": (TODAY + 7 * DAY).isoformat(),
        },
    )
    action = FollowUpAction.objects.get()
    assert action.owner == users["cm.tamba"]
    detail = client.get(reverse("community:mechanism_detail", args=[committee.pk]))
    assert "Send the map" in detail.content.decode()
    assert reverse("community:action_done", args=[action.pk]) in detail.content.decode()
    # A reader sees the open action without the button.
    read = client_for("fp.medical").get(reverse("community:mechanism_detail", args=[committee.pk]))
    assert "Send the map" in read.content.decode()
    assert reverse("community:action_done", args=[action.pk]) not in read.content.decode()
    minutes = client_for("fp.medical").get(reverse("community:meeting_minutes", args=[meeting.pk]))
    assert minutes.status_code == 200
    # The owner marks the action done; another case manager may not.
    assert (
        client_for("cm.psy").post(reverse("community:action_done", args=[action.pk])).status_code
        == 403
    )
    client_for("cm.tamba").post(
        reverse("community:action_done", args=[action.pk]), {"next": "actions"}
    )
    action.refresh_from_db()
    assert action.done_on == TODAY


@pytest.mark.django_db
def test_a_meeting_without_attendees_is_refused_with_a_message(client_for, committee):
    response = client_for("coord.tamba").post(
        reverse("community:mechanism_meeting_add", args=[committee.pk]),
        {"held_on": "not a date"},
        follow=True,
    )
    assert response.status_code == 200
    assert not MechanismMeeting.objects.exists()


@pytest.mark.django_db
def test_others_read_mechanisms_but_only_coordinators_in_scope_keep_them(
    client_for, committee, offices
):
    assert (
        client_for("fp.protection")
        .get(reverse("community:mechanism_detail", args=[committee.pk]))
        .status_code
        == 200
    )
    for username in ("fp.comms", "cm.tamba"):
        assert (
            client_for(username)
            .post(
                reverse("community:mechanism_meeting_add", args=[committee.pk]),
                {"held_on": TODAY.isoformat(), "attendees": "All"},
            )
            .status_code
            == 403
        )
    response = client_for("coord.national").post(
        reverse("community:mechanism_new"),
        {
            "office": offices["DKR"].pk,
            "name": "Comité national de pilotage",
            "kind": "STEERING_COMMITTEE",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert CoordinationMechanism.objects.filter(name="Comité national de pilotage").exists()


@pytest.mark.django_db
def test_the_open_actions_page_lists_overdue_ones(client_for, overdue_action):
    body = (
        client_for("coord.tamba")
        .get(reverse("community:action_list"), {"mine": "1"})
        .content.decode()
    )
    assert overdue_action.description in body
    assert "overdue" in body
    mine = client_for("cm.tamba").get(reverse("community:action_list"), {"mine": "1"})
    assert overdue_action.description not in mine.content.decode()


@pytest.mark.django_db
def test_sop_versions_on_the_mechanism_and_programme_wide(client_for, committee, offices, files):
    client = client_for("coord.tamba")
    for label in ("v1", "v2"):
        client.post(
            reverse("community:mechanism_sop_add", args=[committee.pk]),
            {
                "title": "Referral SOP",
                "version_label": label,
                "effective_on": TODAY.isoformat(),
                "upload": pdf("sop.pdf"),
            },
        )
    assert list(
        SopVersion.objects.filter(is_current=True).values_list("version_label", flat=True)
    ) == ["v2"]
    client_for("coord.national").post(
        reverse("community:sop_new"),
        {
            "title": "Programme SOP",
            "version_label": "1.0",
            "effective_on": TODAY.isoformat(),
            "office": offices["DKR"].pk,
        },
    )
    body = client_for("cm.kolda").get(reverse("community:sop_list")).content.decode()
    assert "Programme SOP" in body and "Referral SOP" in body
    sop = SopVersion.objects.get(version_label="v2")
    assert (
        client_for("cm.kolda").get(reverse("community:sop_document", args=[sop.pk])).status_code
        == 200
    )
    assert (
        client_for("me.officer")
        .post(
            reverse("community:sop_new"),
            {"title": "X", "version_label": "1", "effective_on": TODAY.isoformat()},
        )
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_the_home_section_renders_for_a_coordinator(rf, users, overdue_action, offices, agency):
    from django.template.loader import render_to_string

    from reintegra.community.selectors.structural import home_structural

    _agreement(users, offices, agency, title="Expiring MoU", ends_on=TODAY + 10 * DAY)
    request = rf.get("/")
    request.user = users["coord.tamba"]
    html = render_to_string(
        "community/structural/_home.html",
        {"structural": home_structural(users["coord.tamba"])},
        request=request,
    )
    assert "Expiring MoU" in html and overdue_action.description in html


@pytest.mark.django_db
def test_the_search_finds_a_stakeholder_by_a_contact_name_once(client_for, users, agency):
    for name in ("Mme Sy", "M. Sy"):
        services.contact_add(actor=users["coord.tamba"], stakeholder=agency, name=name)
    response = client_for("cm.kolda").get(reverse("community:stakeholder_list"), {"q": "Sy"})
    assert response.status_code == 200
    assert len(response.context["page"].items) == 1
    assert response.context["page"].count == 1


@pytest.mark.django_db
def test_the_pages_cost_a_bounded_number_of_queries(
    client_for, users, offices, agency, overdue_action, django_assert_max_num_queries
):
    for n in range(6):
        other = services.stakeholder_create(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            name=f"Stakeholder {n}",
            kind="NGO",
            influence="LOW",
            interest="LOW",
        )
        _agreement(users, offices, other, title=f"MoU {n}")
        services.contact_add(actor=users["coord.tamba"], stakeholder=agency, name=f"Contact {n}")
        services.engagement_add(
            actor=users["coord.tamba"],
            stakeholder=agency,
            occurred_on=TODAY,
            kind="CALL",
            summary=f"Call {n}",
        )
        _agreement(users, offices, agency, title=f"Agency MoU {n}")
    client = client_for("coord.tamba")
    for url in (
        reverse("community:stakeholder_list"),
        reverse("community:agreement_list"),
        reverse("community:stakeholder_detail", args=[agency.pk]),
        reverse("community:mechanism_list"),
        reverse("community:mechanism_detail", args=[overdue_action.meeting.mechanism_id]),
        reverse("community:meeting_detail", args=[overdue_action.meeting_id]),
        reverse("community:action_list"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
