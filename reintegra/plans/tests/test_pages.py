"""Plan pages: set-up, drafting, submitting, approving with maker–checker, finance's view."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reintegra.cases import services as cases
from reintegra.cases.tests.conftest import register
from reintegra.plans import services
from reintegra.plans.models import AssistanceType, BudgetLine, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup_done(users, offices):
    services.catalogue_load(actor=users["coord.national"])
    return services.budget_line_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        code="EU-TAM",
        name="Reintegration grants",
        donor="EU",
        amount="2000000",
    )


@pytest.fixture
def case(users, offices):
    cm = users["cm.tamba"]
    person = register(cm, offices["TAM"])
    return cases.case_open(
        actor=cm, person=person, office=offices["TAM"], arrived_on=datetime.date.today()
    )


def test_the_national_coordinator_sets_up_the_catalogue_and_a_budget_line(client_for, offices):
    client = client_for("coord.national")
    assert client.get(reverse("plans:setup")).status_code == 200
    client.post(reverse("plans:catalogue_load"))
    assert AssistanceType.objects.filter(code="MICRO_BUSINESS").exists()
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    client.post(
        reverse("plans:type_edit", args=[kit.pk]),
        {"version": kit.version, "ceiling": "750000", "is_active": "on"},
    )
    kit.refresh_from_db()
    assert kit.ceiling == Decimal("750000.00")
    client.post(
        reverse("plans:line_add"),
        {
            "office": offices["TAM"].pk,
            "code": "eu-1",
            "name": "Grants",
            "donor": "EU",
            "amount": "100",
        },
    )
    assert BudgetLine.objects.get(code="EU-1").amount == Decimal("100.00")
    assert client_for("cm.tamba").post(reverse("plans:catalogue_load")).status_code == 403


def test_a_plan_is_drafted_submitted_and_approved_through_the_pages(
    client_for, case, setup_done, users
):
    cm = client_for("cm.tamba")
    cm.post(reverse("plans:start", args=[case.pk]))
    plan = Plan.objects.get(case=case)
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    cm.post(
        reverse("plans:measure_add", args=[plan.pk]),
        {"assistance_type": kit.pk, "estimated_cost": "450000", "description": "Tailoring kit"},
    )
    cm.post(
        reverse("plans:item_add", args=[plan.pk]),
        {"description": "Sewing machine", "quantity": "1", "unit_cost": "300000"},
    )
    plan.refresh_from_db()
    cm.post(
        reverse("plans:update", args=[plan.pk]),
        {"version": plan.version, "summary_economic": "Tailoring workshop in Tambacounda"},
    )
    plan.refresh_from_db()
    cm.post(
        reverse("plans:transition", args=[plan.pk]), {"to": "SUBMITTED", "version": plan.version}
    )
    plan.refresh_from_db()
    assert plan.status == "SUBMITTED" and plan.total == Decimal("450000.00")
    # The case manager does not decide; the coordinator does.
    assert (
        cm.post(reverse("plans:transition", args=[plan.pk]), {"to": "APPROVED"}).status_code == 403
    )
    page = client_for("coord.tamba").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'id="approve-form"' in page and "EU-TAM" in page
    assert "plans-waiting" in client_for("coord.tamba").get("/").content.decode()
    client_for("coord.tamba").post(
        reverse("plans:transition", args=[plan.pk]),
        {"to": "APPROVED", "version": plan.version, "budget_line": setup_done.pk},
    )
    plan.refresh_from_db()
    setup_done.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == "APPROVED" and setup_done.committed == Decimal("450000.00")
    assert case.has_plan


def test_finance_sees_the_lines_not_the_narrative(client_for, case, setup_done, users):
    plan = services.plan_start(actor=users["cm.tamba"], case=case)
    services.plan_update(actor=users["cm.tamba"], plan=plan, summary_social="Family tensions")
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    services.measure_add(actor=users["cm.tamba"], plan=plan, assistance_type=kit, estimated_cost=10)
    page = client_for("finance").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Individual micro-business" in page and "Family tensions" not in page
    full = client_for("coord.tamba").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Family tensions" in full
    assert client_for("cm.kolda").get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert client_for("fp.medical").get(reverse("plans:case", args=[case.pk])).status_code in (
        403,
        404,
    )


def test_a_returned_plan_shows_on_the_case_managers_home(client_for, case, setup_done, users):
    plan = services.plan_start(actor=users["cm.tamba"], case=case)
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    services.measure_add(actor=users["cm.tamba"], plan=plan, assistance_type=kit, estimated_cost=10)
    plan = services.plan_submit(actor=users["cm.tamba"], plan=plan)
    client_for("coord.tamba").post(
        reverse("plans:transition", args=[plan.pk]),
        {"to": "RETURNED", "version": plan.version, "comment": "Add a market study"},
    )
    home = client_for("cm.tamba").get("/").content.decode()
    assert 'id="plans-returned"' in home
    panel = client_for("cm.tamba").get(reverse("plans:case", args=[case.pk])).content.decode()
    assert "Returned for changes" in panel


def test_an_approved_revision_records_what_changed(client_for, case, setup_done, users):
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    housing = AssistanceType.objects.get(code="HOUSING")
    plan = services.plan_start(actor=cm, case=case)
    services.measure_add(actor=cm, plan=plan, assistance_type=kit, estimated_cost=100)
    plan = services.plan_submit(actor=cm, plan=services.plan_update(actor=cm, plan=plan))
    services.plan_approve(actor=coord, plan=plan, budget_line=setup_done)
    revision = services.plan_start(actor=cm, case=case)
    services.measure_add(actor=cm, plan=revision, assistance_type=housing, estimated_cost=50)
    revision = services.plan_submit(actor=cm, plan=revision)
    services.plan_approve(actor=coord, plan=revision, budget_line=setup_done)
    approved = revision.events.get(decision="APPROVED")
    assert approved.changes["total"] == ["100.00", "150.00"]
    assert approved.changes["measures_added"] == ["Housing · 50.00"]
    page = client_for("coord.tamba").get(reverse("plans:detail", args=[revision.pk]))
    assert "+ Housing · 50.00" in page.content.decode()


def test_a_measure_is_linked_to_the_referral_that_delivers_it(client_for, case, setup_done, users):
    from reintegra.people import services as people
    from reintegra.providers import services as providers
    from reintegra.referrals import services as referrals

    cm = users["cm.tamba"]
    people.consent_record(
        actor=cm, person=case.person, purpose="REFERRAL", given_on=datetime.date.today(),
        language="Wolof",
    )  # fmt: skip
    centre = providers.provider_create(
        actor=users["coord.tamba"], office=case.office, name="CFP", kind="PUBLIC"
    )
    training = providers.service_add(
        actor=users["coord.tamba"], provider=centre, category="TVET", name="Couture"
    )
    referral = referrals.referral_create(actor=cm, case=case, service=training, reason="Training")
    plan = services.plan_start(actor=cm, case=case)
    course = AssistanceType.objects.get(code="VOCATIONAL_TRAINING")
    measure = services.measure_add(actor=cm, plan=plan, assistance_type=course, estimated_cost=10)
    assert measure.referral_needed  # a service through a referral
    page = client_for("cm.tamba").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert referral.reference in page
    client_for("cm.tamba").post(
        reverse("plans:measure_referral", args=[plan.pk, measure.pk]), {"referral": referral.pk}
    )
    measure.refresh_from_db()
    assert measure.referral == referral
    assert (
        client_for("coord.tamba")
        .post(
            reverse("plans:measure_referral", args=[plan.pk, measure.pk]), {"referral": referral.pk}
        )
        .status_code
        == 403
    )
