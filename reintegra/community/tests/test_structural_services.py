"""Services and rules of the structural register: engagement level, agreement status and
alerts, validation, audit rows, version conflicts, SOP versions, follow-up actions."""

import datetime

import pytest

from reintegra.community.choices.structural import (
    AgreementStatus,
    EngagementLevel,
    engagement_level,
)
from reintegra.community.models.structural import Agreement, SopVersion
from reintegra.community.permissions import structural as perms
from reintegra.community.selectors import structural as selectors
from reintegra.community.services import structural as services
from reintegra.community.tests.fixtures_structural import *  # noqa: F403 - fixtures
from reintegra.community.tests.fixtures_structural import TODAY, audited, pdf
from reintegra.core.errors import StaleVersion, ValidationFailed

DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("influence", "interest", "level"),
    [
        ("HIGH", "HIGH", EngagementLevel.MANAGE_CLOSELY),
        ("HIGH", "LOW", EngagementLevel.COMMUNICATE),
        ("LOW", "HIGH", EngagementLevel.COMMUNICATE),
        ("LOW", "LOW", EngagementLevel.INFORM),
    ],
)
def test_influence_and_interest_give_the_engagement_level(influence, interest, level):
    assert engagement_level(influence, interest) == level


# --- stakeholders -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_stakeholder_stores_its_engagement_level_and_is_audited(agency):
    assert agency.engagement == EngagementLevel.MANAGE_CLOSELY
    assert audited("stakeholder.created", agency)


@pytest.mark.django_db
def test_a_stakeholder_needs_a_name_and_known_ratings(users, offices):
    with pytest.raises(ValidationFailed) as err:
        services.stakeholder_create(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            name="  ",
            kind="NGO",
            influence="HIGH",
            interest="LOW",
        )
    assert err.value.field == "name"
    with pytest.raises(ValidationFailed) as err:
        services.stakeholder_create(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            name="X",
            kind="NGO",
            influence="MEDIUM",
            interest="LOW",
        )
    assert err.value.field == "influence"


@pytest.mark.django_db
def test_changing_the_interest_recomputes_the_engagement_level(users, agency):
    updated = services.stakeholder_update(
        actor=users["coord.tamba"], stakeholder=agency, version=agency.version, interest="LOW"
    )
    assert updated.engagement == EngagementLevel.COMMUNICATE
    assert updated.version == agency.version + 1
    assert audited("stakeholder.updated", updated)
    assert (
        selectors.stakeholder_list(
            selectors.StakeholderFilters(engagement=EngagementLevel.COMMUNICATE)
        )
        .filter(pk=agency.pk)
        .exists()
    )


@pytest.mark.django_db
def test_a_stale_stakeholder_edit_is_refused_and_changes_nothing(users, agency):
    services.stakeholder_update(
        actor=users["coord.tamba"], stakeholder=agency, version=agency.version, region="Bakel"
    )
    with pytest.raises(StaleVersion):
        services.stakeholder_update(
            actor=users["coord.national"],
            stakeholder=agency,
            version=agency.version,
            region="Goudiry",
        )
    agency.refresh_from_db()
    assert agency.region == "Bakel"


@pytest.mark.django_db
def test_contacts_and_engagement_history_are_recorded(users, agency):
    contact = services.contact_add(
        actor=users["fp.comms"], stakeholder=agency, name="Mme Sy", position="Director"
    )
    entry = services.engagement_add(
        actor=users["fp.comms"],
        stakeholder=agency,
        occurred_on=TODAY,
        kind="MEETING",
        summary="Presented the programme",
        next_step="Send the MoU draft",
    )
    assert audited("stakeholder_contact.added", contact)
    assert audited("stakeholder_engagement.added", entry)
    assert entry.by == users["fp.comms"]
    assert list(selectors.engagement_history(agency)) == [entry]
    services.contact_remove(actor=users["coord.tamba"], contact=contact)
    assert not agency.contacts.exists()


@pytest.mark.django_db
def test_an_engagement_cannot_be_in_the_future(users, agency):
    with pytest.raises(ValidationFailed) as err:
        services.engagement_add(
            actor=users["fp.comms"],
            stakeholder=agency,
            occurred_on=TODAY + DAY,
            kind="CALL",
            summary="Planned call",
        )
    assert err.value.field == "occurred_on"


# --- agreements ---------------------------------------------------------------------------------


def _agreement(users, offices, agency, **fields):
    values = {"kind": "MOU", "title": "MoU", "signed_on": TODAY - 100 * DAY, **fields}
    return services.agreement_create(
        actor=users["coord.tamba"], stakeholder=agency, office=offices["TAM"], **values
    )


@pytest.mark.django_db
def test_the_status_follows_the_dates(users, offices, agency, settings):
    settings.REINTEGRA_AGREEMENT_ALERT_DAYS = 60
    draft = _agreement(users, offices, agency, signed_on=None)
    in_force = _agreement(users, offices, agency, ends_on=TODAY + 200 * DAY)
    open_ended = _agreement(users, offices, agency)
    expiring = _agreement(users, offices, agency, ends_on=TODAY + 30 * DAY)
    expired = _agreement(users, offices, agency, ends_on=TODAY - DAY)
    terminated = _agreement(users, offices, agency, ends_on=TODAY + 300 * DAY)
    services.agreement_terminate(
        actor=users["coord.tamba"], agreement=terminated, version=None, terminated_on=TODAY
    )
    terminated.refresh_from_db()
    expected = {
        draft: AgreementStatus.DRAFT,
        in_force: AgreementStatus.IN_FORCE,
        open_ended: AgreementStatus.IN_FORCE,
        expiring: AgreementStatus.EXPIRING,
        expired: AgreementStatus.EXPIRED,
        terminated: AgreementStatus.TERMINATED,
    }
    for agreement, status in expected.items():
        assert agreement.status == status, agreement
        # The list filter says the same as the model.
        found = selectors.agreement_list(selectors.AgreementFilters(status=status))
        assert agreement in found
    assert list(selectors.agreement_list(selectors.AgreementFilters(expiring=True))) == [expiring]


@pytest.mark.django_db
def test_the_alert_days_come_from_the_setting(users, offices, agency, settings):
    agreement = _agreement(users, offices, agency, ends_on=TODAY + 30 * DAY)
    settings.REINTEGRA_AGREEMENT_ALERT_DAYS = 10
    assert agreement.status == AgreementStatus.IN_FORCE
    settings.REINTEGRA_AGREEMENT_ALERT_DAYS = 30
    assert agreement.status == AgreementStatus.EXPIRING


@pytest.mark.django_db
def test_an_agreement_cannot_end_before_it_starts(users, offices, agency):
    with pytest.raises(ValidationFailed) as err:
        _agreement(users, offices, agency, starts_on=TODAY, ends_on=TODAY - DAY)
    assert err.value.field == "ends_on"
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_an_agreement_keeps_its_document_outside_the_web_root(users, offices, agency, files):
    agreement = _agreement(users, offices, agency, upload=pdf("mou.pdf"))
    assert agreement.has_document and agreement.original_name == "mou.pdf"
    path = services.document_path(agreement)
    assert path.is_file() and str(path).startswith(str(files))
    assert audited("agreement.created", agreement)


@pytest.mark.django_db
def test_a_document_of_the_wrong_type_is_refused(users, offices, agency, files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("mou.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as err:
        _agreement(users, offices, agency, upload=fake)
    assert err.value.field == "file"


@pytest.mark.django_db
def test_a_stale_agreement_edit_is_refused(users, offices, agency):
    agreement = _agreement(users, offices, agency)
    services.agreement_update(
        actor=users["coord.tamba"], agreement=agreement, version=1, reference="MOU-1"
    )
    with pytest.raises(StaleVersion):
        services.agreement_update(
            actor=users["coord.tamba"], agreement=agreement, version=1, reference="MOU-2"
        )
    agreement.refresh_from_db()
    assert agreement.reference == "MOU-1"
    assert audited("agreement.updated", agreement)


@pytest.mark.django_db
def test_an_agreement_is_terminated_once(users, offices, agency):
    agreement = _agreement(users, offices, agency)
    services.agreement_terminate(
        actor=users["coord.tamba"], agreement=agreement, version=1, terminated_on=TODAY
    )
    assert audited("agreement.terminated", agreement)
    with pytest.raises(ValidationFailed):
        services.agreement_terminate(
            actor=users["coord.tamba"], agreement=agreement, version=None, terminated_on=TODAY
        )


@pytest.mark.django_db
def test_coordinators_see_the_agreements_of_their_scope_expiring(users, offices, agency):
    expiring = _agreement(users, offices, agency, ends_on=TODAY + 20 * DAY)
    assert selectors.expiring_agreements(users["coord.tamba"]) == [expiring]
    assert selectors.expiring_agreements(users["coord.national"]) == [expiring]
    assert selectors.expiring_agreements(users["cm.tamba"]) == []
    home = selectors.home_structural(users["coord.tamba"])
    assert home is not None and home["expiring"] == [expiring]


# --- capacity building --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_capacity_activity_names_its_institution_and_counts_add_up(users, offices, agency):
    base = {"title": "Training", "kind": "TRAINING", "starts_on": TODAY, "participants": 10}
    with pytest.raises(ValidationFailed) as err:
        services.capacity_activity_create(actor=users["me.officer"], office=offices["TAM"], **base)
    assert err.value.field == "stakeholder"
    with pytest.raises(ValidationFailed) as err:
        services.capacity_activity_create(
            actor=users["me.officer"],
            office=offices["TAM"],
            stakeholder=agency,
            participants_female=8,
            participants_male=5,
            **{k: v for k, v in base.items() if k != "participants"},
            participants=10,
        )
    assert err.value.field == "participants"
    activity = services.capacity_activity_create(
        actor=users["me.officer"], office=offices["TAM"], institution_name="Lycée technique", **base
    )
    assert activity.institution == "Lycée technique"
    assert audited("capacity_activity.created", activity)
    updated = services.capacity_activity_update(
        actor=users["coord.tamba"], activity=activity, version=1, results="10 trainers certified"
    )
    assert updated.version == 2 and audited("capacity_activity.updated", updated)


# --- coordination -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_says_who_attended(users, committee, agency):
    with pytest.raises(ValidationFailed) as err:
        services.meeting_add(actor=users["coord.tamba"], mechanism=committee, held_on=TODAY)
    assert err.value.field == "attendees"
    meeting = services.meeting_add(
        actor=users["coord.tamba"], mechanism=committee, held_on=TODAY, stakeholders=[agency]
    )
    assert list(meeting.stakeholders.all()) == [agency]
    assert audited("mechanism_meeting.added", meeting)


@pytest.mark.django_db
def test_an_action_has_an_owner_and_is_done_once(users, meeting):
    with pytest.raises(ValidationFailed) as err:
        services.action_add(actor=users["coord.tamba"], meeting=meeting, description="Call")
    assert err.value.field == "owner"
    action = services.action_add(
        actor=users["coord.tamba"], meeting=meeting, description="Call", owner_name="ARD"
    )
    assert action.owner_label == "ARD" and audited("followup_action.added", action)
    done = services.action_complete(actor=users["coord.tamba"], action=action)
    assert done.done_on == TODAY and done.done_by == users["coord.tamba"]
    assert audited("followup_action.done", done)
    with pytest.raises(ValidationFailed):
        services.action_complete(actor=users["coord.tamba"], action=action)


@pytest.mark.django_db
def test_overdue_actions_show_on_the_coordinators_home(users, overdue_action):
    assert overdue_action.is_overdue
    home = selectors.home_structural(users["coord.tamba"])
    assert home is not None
    assert home["overdue"] == [overdue_action] and home["mine"] == [overdue_action]
    assert list(selectors.action_list(users["coord.tamba"], mine=True)) == [overdue_action]
    assert list(selectors.action_list(users["cm.tamba"], mine=True)) == []
    assert selectors.home_structural(users["cm.kolda"]) is None
    assert selectors.home_structural(users["sysadmin"]) is None


@pytest.mark.django_db
def test_a_new_sop_version_supersedes_the_current_one(users, offices, committee, files):
    first = services.sop_version_add(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        mechanism=committee,
        title="Referral SOP",
        version_label="v1",
        effective_on=TODAY - 100 * DAY,
    )
    second = services.sop_version_add(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        mechanism=committee,
        title="referral sop",
        version_label="v2",
        effective_on=TODAY,
        changes="Adds the health referral pathway",
        upload=pdf("sop.pdf"),
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert audited("sop_version.superseded", first) and audited("sop_version.added", second)
    # A programme-wide SOP of the same title is another document.
    wide = services.sop_version_add(
        actor=users["coord.national"],
        office=offices["DKR"],
        title="Referral SOP",
        version_label="v1",
        effective_on=TODAY,
    )
    assert wide.is_current and SopVersion.objects.filter(is_current=True).count() == 2
    with pytest.raises(ValidationFailed) as err:
        services.sop_version_add(
            actor=users["coord.tamba"],
            office=offices["TAM"],
            mechanism=committee,
            title="Referral SOP",
            version_label="V2",
            effective_on=TODAY,
        )
    assert err.value.field == "version_label"


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_keeps_what(users, agency, kolda_ngo, overdue_action):
    coord, national = users["coord.tamba"], users["coord.national"]
    assert perms.can_edit_stakeholder(coord, agency)
    assert not perms.can_edit_stakeholder(coord, kolda_ngo)
    assert perms.can_edit_stakeholder(national, kolda_ngo)
    # Communication adds stakeholders and engagement entries but does not edit them.
    assert perms.can_add_stakeholder(users["fp.comms"])
    assert perms.can_add_engagement(users["fp.comms"], kolda_ngo)
    assert not perms.can_edit_stakeholder(users["fp.comms"], agency)
    # M&E adds capacity-building activities only.
    assert perms.can_add_capacity(users["me.officer"])
    assert not perms.can_add_stakeholder(users["me.officer"])
    assert not perms.can_add_capacity(users["cm.tamba"])
    # Everyone but the system administrator reads the register.
    assert perms.can_view_structural(users["finance"])
    assert not perms.can_view_structural(users["sysadmin"])
    # Data-sharing terms.
    assert perms.can_read_data_sharing(users["me.officer"])
    assert not perms.can_read_data_sharing(users["cm.tamba"])
    # The owner of an action marks it done; so do the coordinators of its mechanism.
    assert perms.can_complete_action(coord, overdue_action)
    assert perms.can_complete_action(national, overdue_action)
    assert not perms.can_complete_action(users["cm.tamba"], overdue_action)
