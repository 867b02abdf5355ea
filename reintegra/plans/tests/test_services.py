"""The plans services through the real database: the catalogue, drafting and revising,
measures and their ceilings, submission, maker–checker approval with the national threshold,
commitments on budget lines, returns and the plan's history.

Personas (DESIGN §9): cm.tamba drafts and submits; coord.tamba approves up to the threshold,
coord.national above it; finance keeps the budget lines.
"""

from decimal import Decimal

import pytest
from django.http import Http404

from reintegra.audit.models import AuditEvent
from reintegra.cases import services as cases
from reintegra.cases.choices import EventKind
from reintegra.cases.models import CaseEvent
from reintegra.cases.permissions import case_access
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.plans import permissions, selectors, services
from reintegra.plans.choices import ANNEX3_TYPES, Decision, Status
from reintegra.plans.models import AssistanceType, BudgetLine, Commitment, Item, Plan, PlanEvent
from reintegra.plans.tests.conftest import draft, line, submitted


def audit(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def fresh(obj):
    obj.refresh_from_db()
    return obj


def approve(users, plan: Plan, budget_line: BudgetLine, who: str = "coord.tamba") -> Plan:
    return services.plan_approve(actor=users[who], plan=plan, budget_line=budget_line)


# --- the catalogue ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_the_catalogue_adds_the_annex3_types_once(users):
    assert services.catalogue_load(actor=users["coord.national"]) == len(ANNEX3_TYPES) == 23
    codes = set(AssistanceType.objects.values_list("code", flat=True))
    assert codes == {code for code, *_rest in ANNEX3_TYPES}
    iga = AssistanceType.objects.get(code="IGA")
    assert (iga.dimension, iga.delivery_mode, iga.ceiling) == ("ECONOMIC", "IN_KIND", None)

    assert services.catalogue_load(actor=users["coord.national"]) == 0
    assert AssistanceType.objects.count() == 23
    events = audit("catalogue.loaded")
    assert len(events) == 1 and events[0].changes == {"added": [None, 23]}


@pytest.mark.django_db
def test_loading_the_catalogue_keeps_a_type_the_programme_set_up(users):
    services.assistance_type_save(
        actor=users["coord.national"],
        code="cash",
        name="Cash on arrival",
        dimension="IMMEDIATE",
        delivery_mode="CASH",
        ceiling="150000",
    )
    assert services.catalogue_load(actor=users["coord.national"]) == 22
    cash = AssistanceType.objects.get(code="CASH")
    assert (cash.name, cash.ceiling) == ("Cash on arrival", Decimal("150000.00"))


# --- drafting and revising --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_plan_is_revision_one_and_its_drafting_is_recorded(users, tamba_case):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    assert (plan.revision, plan.status, plan.previous_id) == (1, Status.DRAFT, None)
    assert plan.created_by == cm and plan.total == 0 and plan.currency == "XOF"
    event = PlanEvent.objects.get(plan=plan)
    assert (event.decision, event.actor) == (Decision.DRAFTED, cm)
    timeline = CaseEvent.objects.get(case=tamba_case, kind=EventKind.PLAN)
    assert timeline.data == {"plan_id": plan.pk, "decision": "DRAFTED"}
    assert timeline.summary == "Reintegration plan drafted"
    drafted = audit("plan.drafted")
    assert len(drafted) == 1 and drafted[0].case_id == tamba_case.pk
    assert drafted[0].target_id == plan.pk


@pytest.mark.django_db
def test_only_one_plan_is_written_at_a_time_per_case(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    plan = draft(cm, tamba_case, catalogue, "1000")
    with pytest.raises(Conflict):
        services.plan_start(actor=cm, case=tamba_case)
    services.plan_submit(actor=cm, plan=plan)
    with pytest.raises(Conflict):
        services.plan_start(actor=cm, case=tamba_case)
    assert tamba_case.plans.count() == 1


@pytest.mark.django_db
def test_a_revision_copies_the_approved_plan_and_numbers_itself(
    users, tamba_case, catalogue, tamba_line
):
    cm = users["cm.tamba"]
    plan = draft(cm, tamba_case, catalogue, "300000")
    plan = services.plan_update(
        actor=cm, plan=plan, summary_economic="A tailoring workshop", community_part="None"
    )
    measure = plan.measures.get()
    services.item_add(
        actor=cm,
        plan=plan,
        measure=measure,
        description="Sewing machine",
        quantity="2",
        unit_cost="75000",
    )
    services.item_add(actor=cm, plan=plan, description="Fabric", quantity="10", unit_cost="2500")
    plan = services.plan_submit(actor=cm, plan=plan)
    plan = approve(users, plan, tamba_line)

    revision = services.plan_start(actor=cm, case=tamba_case)

    assert (revision.revision, revision.previous_id, revision.status) == (2, plan.pk, "DRAFT")
    assert revision.summary_economic == "A tailoring workshop"
    assert revision.community_part == "None"
    assert fresh(revision).total == Decimal("300000.00")
    copied = revision.measures.get()
    assert copied.pk != measure.pk
    assert (copied.assistance_type.code, copied.estimated_cost) == ("IGA", Decimal("300000.00"))
    assert [(i.description, i.measure_id, i.cost) for i in revision.items.order_by("id")] == [
        ("Sewing machine", copied.pk, Decimal("150000.0000")),
        ("Fabric", None, Decimal("25000.0000")),
    ]
    # The approved plan keeps its own lines.
    assert plan.measures.get().pk == measure.pk and plan.items.count() == 2
    assert Item.objects.count() == 4
    assert fresh(plan).status == Status.APPROVED
    timeline = CaseEvent.objects.filter(case=tamba_case, kind=EventKind.PLAN).first()
    assert timeline.summary == "Revision 2 of the plan drafted"
    # A third revision is numbered after it once it is dropped.
    services.plan_cancel(actor=cm, plan=revision)
    assert services.plan_start(actor=cm, case=tamba_case).revision == 3


@pytest.mark.django_db
def test_a_closed_case_gets_no_plan(users, tamba_case):
    # Closing goes through its own service (tested in cases); only the stage matters here.
    tamba_case.stage = "CLOSED"
    tamba_case.save(update_fields=["stage"])
    with pytest.raises(ValidationFailed) as err:
        services.plan_start(actor=users["cm.tamba"], case=tamba_case)
    assert err.value.code == "case_closed"
    assert tamba_case.plans.count() == 0


# --- measures ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_measures_recomputes_the_total(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    start = plan.version
    first = services.measure_add(
        actor=cm, plan=plan, assistance_type=catalogue["IGA"], estimated_cost="250000"
    )
    services.measure_add(
        actor=cm,
        plan=plan,
        assistance_type=catalogue["VOCATIONAL_TRAINING"],
        estimated_cost=49999.5,
        description="  Welding course  ",
    )
    plan.refresh_from_db()
    assert plan.total == Decimal("299999.50")
    assert plan.version == start + 2
    training = plan.measures.get(assistance_type__code="VOCATIONAL_TRAINING")
    assert training.description == "Welding course"
    # A service is delivered through a referral.
    assert (training.delivery_mode, training.referral_needed) == ("SERVICE", True)
    assert (first.delivery_mode, first.referral_needed) == ("IN_KIND", False)
    services.measure_remove(actor=cm, measure=first)
    assert fresh(plan).total == Decimal("49999.50")
    assert [e.changes["estimated_cost"][1] for e in audit("plan.measure_added")] == [
        "250000.00",
        "49999.50",
    ]


@pytest.mark.django_db
def test_a_measure_above_its_types_ceiling_is_refused(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    services.assistance_type_save(
        actor=users["coord.national"], assistance_type=catalogue["CASH"], ceiling="200000"
    )
    cash = AssistanceType.objects.get(code="CASH")
    plan = services.plan_start(actor=cm, case=tamba_case)
    with pytest.raises(ValidationFailed) as err:
        services.measure_add(actor=cm, plan=plan, assistance_type=cash, estimated_cost="200000.01")
    assert (err.value.code, err.value.field) == ("above_ceiling", "estimated_cost")
    assert "200000.00" in err.value.message
    assert plan.measures.count() == 0 and fresh(plan).total == 0
    services.measure_add(actor=cm, plan=plan, assistance_type=cash, estimated_cost="200000")
    assert fresh(plan).total == Decimal("200000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount",
    [
        "-1",
        -0.01,
        "abc",
        "",
        None,
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "1e30",
        "1e12",
        10**40,
        [],
        {"a": 1},
        "12,50",
        "\x00",
    ],
)
def test_amounts_that_are_not_money_are_refused_clearly(users, tamba_case, catalogue, amount):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    with pytest.raises(ValidationFailed) as err:
        services.measure_add(
            actor=cm, plan=plan, assistance_type=catalogue["IGA"], estimated_cost=amount
        )
    assert err.value.field == "estimated_cost" and err.value.status == 422
    assert err.value.message
    assert plan.measures.count() == 0 and fresh(plan).total == 0


@pytest.mark.django_db
def test_a_plan_total_beyond_what_the_database_holds_is_refused(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    services.measure_add(
        actor=cm, plan=plan, assistance_type=catalogue["IGA"], estimated_cost="999999999999.99"
    )
    with pytest.raises(ValidationFailed) as err:
        services.measure_add(
            actor=cm, plan=plan, assistance_type=catalogue["IGA"], estimated_cost="0.01"
        )
    assert err.value.field == "estimated_cost"
    assert fresh(plan).total == Decimal("999999999999.99")


@pytest.mark.django_db
def test_an_item_quantity_beyond_what_the_database_holds_is_refused(users, tamba_case):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    with pytest.raises(ValidationFailed) as err:
        services.item_add(
            actor=cm, plan=plan, description="Bags of rice", quantity="100000000", unit_cost="1"
        )
    assert err.value.field == "quantity"
    assert plan.items.count() == 0


@pytest.mark.django_db
def test_an_inactive_type_and_a_submitted_plan_take_no_measure(users, submitted_plan, catalogue):
    cm = users["cm.tamba"]
    with pytest.raises(ValidationFailed) as err:
        services.measure_add(
            actor=cm, plan=submitted_plan, assistance_type=catalogue["CASH"], estimated_cost="1"
        )
    assert err.value.code == "not_editable"
    assert submitted_plan.measures.count() == 1

    services.plan_return(actor=users["coord.tamba"], plan=submitted_plan, comment="Add training")
    services.assistance_type_save(
        actor=users["coord.national"], assistance_type=catalogue["CASH"], is_active=False
    )
    with pytest.raises(ValidationFailed) as err:
        services.measure_add(
            actor=cm,
            plan=submitted_plan,
            assistance_type=AssistanceType.objects.get(code="CASH"),
            estimated_cost="1",
        )
    assert err.value.field == "assistance_type"
    assert submitted_plan.measures.count() == 1


# --- updating ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(users, tamba_case):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    version = plan.version
    updated = services.plan_update(
        actor=cm, plan=plan, version=version, summary_social="  Family mediation "
    )
    assert updated.summary_social == "Family mediation"
    assert updated.version == version + 1
    with pytest.raises(StaleVersion):
        services.plan_update(actor=cm, plan=plan, version=version, summary_social="Overwritten")
    plan.refresh_from_db()
    assert (plan.summary_social, plan.version) == ("Family mediation", version + 1)
    assert len(audit("plan.updated")) == 1
    # Only the plan's summaries are fields of an update.
    with pytest.raises(ValidationFailed):
        services.plan_update(actor=cm, plan=plan, status="APPROVED")
    assert fresh(plan).status == Status.DRAFT


# --- submitting -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_without_measures_is_not_submitted(users, tamba_case):
    cm = users["cm.tamba"]
    plan = services.plan_start(actor=cm, case=tamba_case)
    with pytest.raises(ValidationFailed) as err:
        services.plan_submit(actor=cm, plan=plan)
    assert err.value.code == "empty_plan"
    plan.refresh_from_db()
    assert (plan.status, plan.submitted_at, plan.submitted_by) == (Status.DRAFT, None, None)


@pytest.mark.django_db
def test_submitting_records_who_when_and_the_amount(users, submitted_plan, tamba_case):
    plan = fresh(submitted_plan)
    assert plan.status == Status.SUBMITTED
    assert plan.submitted_by == users["cm.tamba"] and plan.submitted_at is not None
    event = plan.events.get(decision=Decision.SUBMITTED)
    assert event.amount == Decimal("300000.00")
    summaries = list(
        CaseEvent.objects.filter(case=tamba_case, kind=EventKind.PLAN).values_list(
            "summary", flat=True
        )
    )
    assert "Plan submitted for regional approval (300000.00 XOF)" in summaries
    with pytest.raises(ValidationFailed) as err:
        services.plan_submit(actor=users["cm.tamba"], plan=plan)
    assert err.value.code == "not_editable"


# --- approving: maker–checker and the threshold -----------------------------------------------


@pytest.mark.django_db
def test_the_case_manager_who_submitted_cannot_approve(users, submitted_plan, tamba_line):
    with pytest.raises(ValidationFailed) as err:
        approve(users, submitted_plan, tamba_line, who="cm.tamba")
    assert err.value.code == "maker_checker"
    assert fresh(submitted_plan).status == Status.SUBMITTED
    assert fresh(tamba_line).committed == 0 and Commitment.objects.count() == 0


@pytest.mark.django_db
def test_a_coordinator_who_drafted_cannot_approve(users, tamba_case, catalogue, tamba_line):
    coord = users["coord.tamba"]
    plan = draft(coord, tamba_case, catalogue, "100000")
    plan = services.plan_submit(actor=users["cm.tamba"], plan=plan)
    access = case_access(coord, tamba_case)
    assert not permissions.can_decide(access, plan)
    with pytest.raises(ValidationFailed) as err:
        approve(users, plan, tamba_line, who="coord.tamba")
    assert err.value.code == "maker_checker"
    assert fresh(plan).status == Status.SUBMITTED
    # Another coordinator reaching the case approves.
    approved = approve(users, plan, tamba_line, who="coord.national")
    assert approved.status == Status.APPROVED and approved.approved_by == users["coord.national"]


@pytest.mark.django_db
def test_above_the_threshold_only_a_national_coordinator_approves(
    users, submitted_plan, tamba_line, settings
):
    settings.REINTEGRA_PLAN_NATIONAL_ABOVE = Decimal("250000")
    regional = case_access(users["coord.tamba"], submitted_plan.case)
    assert permissions.can_decide(regional, submitted_plan)
    assert not permissions.can_approve(regional, submitted_plan)
    with pytest.raises(ValidationFailed) as err:
        approve(users, submitted_plan, tamba_line, who="coord.tamba")
    assert err.value.code == "needs_national"
    assert "250000" in err.value.message
    assert fresh(submitted_plan).status == Status.SUBMITTED
    assert fresh(tamba_line).committed == 0

    plan = approve(users, submitted_plan, tamba_line, who="coord.national")
    assert plan.status == Status.APPROVED
    assert plan.events.get(decision=Decision.APPROVED).amount == Decimal("300000.00")
    assert CaseEvent.objects.filter(
        case=plan.case, kind=EventKind.PLAN, summary__startswith="Plan approved (national level)"
    ).exists()


@pytest.mark.django_db
def test_at_the_threshold_the_regional_coordinator_approves(
    users, submitted_plan, tamba_line, settings
):
    settings.REINTEGRA_PLAN_NATIONAL_ABOVE = Decimal("300000")
    plan = approve(users, submitted_plan, tamba_line, who="coord.tamba")
    assert plan.status == Status.APPROVED and plan.approved_by == users["coord.tamba"]


@pytest.mark.django_db
def test_only_a_submitted_plan_is_approved(users, tamba_case, catalogue, tamba_line):
    plan = draft(users["cm.tamba"], tamba_case, catalogue, "1000")
    with pytest.raises(ValidationFailed) as err:
        approve(users, plan, tamba_line)
    assert err.value.code == "invalid_transition"
    assert fresh(plan).status == Status.DRAFT


@pytest.mark.django_db
def test_approving_with_a_stale_version_changes_nothing(users, submitted_plan, tamba_line):
    with pytest.raises(StaleVersion):
        services.plan_approve(
            actor=users["coord.tamba"],
            plan=submitted_plan,
            budget_line=tamba_line,
            version=submitted_plan.version - 1,
        )
    assert fresh(submitted_plan).status == Status.SUBMITTED


# --- approving: the money ---------------------------------------------------------------------


@pytest.mark.django_db
def test_approval_commits_the_total_on_the_budget_line(users, submitted_plan, tamba_line):
    coord = users["coord.tamba"]
    version = tamba_line.version
    plan = services.plan_approve(
        actor=coord, plan=submitted_plan, budget_line=tamba_line, comment=" Good plan "
    )
    assert plan.status == Status.APPROVED
    assert (plan.approved_by, plan.budget_line) == (coord, tamba_line)
    assert plan.approved_at is not None

    budget = fresh(tamba_line)
    assert budget.committed == Decimal("300000.00")
    assert budget.available == Decimal("700000.00")
    assert budget.version == version + 1
    commitment = Commitment.objects.get()
    assert (commitment.plan, commitment.budget_line, commitment.amount) == (
        plan,
        tamba_line,
        Decimal("300000.00"),
    )
    assert commitment.released_at is None

    (approved,) = audit("plan.approved")
    assert approved.target_id == plan.pk and approved.actor_id == coord.pk
    (committed,) = audit("budget_line.committed")
    assert (committed.target_type, committed.target_id) == ("budgetline", tamba_line.pk)
    assert committed.changes == {"committed": ["0.00", "300000.00"]}

    case = fresh(plan.case)
    assert case.has_plan is True
    assert len(audit("case.plan_set", case_id=case.pk)) == 1
    event = plan.events.get(decision=Decision.APPROVED)
    assert (event.actor, event.comment, event.amount) == (coord, "Good plan", Decimal("300000.00"))
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.PLAN, data={"plan_id": plan.pk, "decision": "APPROVED"}
    ).exists()


@pytest.mark.django_db
def test_an_insufficient_budget_line_is_refused_and_nothing_changes(users, offices, submitted_plan):
    small = line(users, offices, amount="299999.99")
    version = small.version
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        approve(users, submitted_plan, small)
    assert (err.value.code, err.value.field) == ("insufficient_budget", "budget_line")
    assert "299999.99" in err.value.message
    assert fresh(small).committed == 0 and small.version == version
    assert Commitment.objects.count() == 0
    plan = fresh(submitted_plan)
    assert (plan.status, plan.budget_line, plan.approved_by) == (Status.SUBMITTED, None, None)
    assert fresh(plan.case).has_plan is False
    assert AuditEvent.objects.count() == before
    assert not plan.events.filter(decision=Decision.APPROVED).exists()


@pytest.mark.django_db
def test_a_revision_approved_supersedes_and_releases_the_previous_commitment(
    users, tamba_case, catalogue, tamba_line
):
    cm = users["cm.tamba"]
    first = approve(users, submitted(cm, tamba_case, catalogue, "300000"), tamba_line)
    assert fresh(tamba_line).committed == Decimal("300000.00")

    revision = services.plan_start(actor=cm, case=tamba_case)
    services.measure_add(
        actor=cm, plan=revision, assistance_type=catalogue["HOUSING"], estimated_cost="100000"
    )
    revision = services.plan_submit(actor=cm, plan=revision)
    assert revision.total == Decimal("400000.00")
    revision = approve(users, revision, tamba_line, who="coord.national")

    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert revision.status == Status.APPROVED
    budget = fresh(tamba_line)
    assert budget.committed == Decimal("400000.00")
    old, new = Commitment.objects.order_by("id")
    assert (old.plan, old.released_at is not None) == (first, True)
    assert (new.plan, new.amount, new.released_at) == (revision, Decimal("400000.00"), None)
    assert first.events.filter(decision=Decision.SUPERSEDED).count() == 1
    (released,) = audit("budget_line.released")
    assert released.changes == {"committed": ["300000.00", "0"]}
    assert fresh(tamba_case).has_plan is True
    assert list(selectors.case_plans(tamba_case)) == [revision, first]
    assert selectors.current_plan(tamba_case) == revision


@pytest.mark.django_db
def test_a_refused_revision_leaves_the_approved_plan_in_force(
    users, offices, tamba_case, catalogue
):
    cm = users["cm.tamba"]
    budget = line(users, offices, amount="500000")
    first = approve(users, submitted(cm, tamba_case, catalogue, "300000"), budget)
    revision = services.plan_start(actor=cm, case=tamba_case)
    services.measure_add(
        actor=cm, plan=revision, assistance_type=catalogue["HOUSING"], estimated_cost="300000"
    )
    revision = services.plan_submit(actor=cm, plan=revision)
    # 600,000 needed, 500,000 once the first plan's commitment is released: refused.
    with pytest.raises(ValidationFailed) as err:
        approve(users, revision, budget, who="coord.national")
    assert err.value.code == "insufficient_budget"
    assert fresh(first).status == Status.APPROVED
    assert fresh(revision).status == Status.SUBMITTED
    assert fresh(budget).committed == Decimal("300000.00")
    assert Commitment.objects.get().released_at is None
    assert not audit("budget_line.released")


@pytest.mark.django_db
def test_a_budget_line_of_another_office_is_refused(
    users, offices, submitted_plan, tamba_line, kolda_line
):
    with pytest.raises(ValidationFailed) as err:
        approve(users, submitted_plan, kolda_line)
    assert err.value.field == "budget_line"
    assert fresh(kolda_line).committed == 0 and Commitment.objects.count() == 0
    assert fresh(submitted_plan).status == Status.SUBMITTED
    assert kolda_line not in selectors.budget_lines_for_case(submitted_plan.case)
    # A national line covers the regions below it.
    national = line(users, offices, office="DKR")
    assert national in selectors.budget_lines_for_case(submitted_plan.case)
    plan = approve(users, submitted_plan, national)
    assert plan.budget_line == national
    assert fresh(national).committed == Decimal("300000.00")


@pytest.mark.django_db
def test_an_inactive_budget_line_is_refused(users, submitted_plan, tamba_line):
    services.budget_line_update(
        actor=users["finance"], line=tamba_line, version=tamba_line.version, is_active=False
    )
    with pytest.raises(ValidationFailed) as err:
        approve(users, submitted_plan, tamba_line)
    assert err.value.field == "budget_line"
    assert fresh(tamba_line).committed == 0


# --- budget lines -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_budget_line_is_created_with_a_clean_code_and_audited(users, offices):
    created = services.budget_line_create(
        actor=users["finance"],
        office=offices["TAM"],
        code=" bl-2026 ",
        name=" Grants ",
        donor="EUTF",
        amount="5000.5",
    )
    assert (created.code, created.name, created.amount) == ("BL-2026", "Grants", Decimal("5000.50"))
    assert audit("budget_line.created")[0].changes == {"amount": [None, "5000.50"]}
    with pytest.raises(Conflict):
        services.budget_line_create(
            actor=users["finance"],
            office=offices["TAM"],
            code="BL-2026",
            name="x",
            donor="y",
            amount="1",
        )
    with pytest.raises(ValidationFailed) as err:
        services.budget_line_create(
            actor=users["finance"],
            office=offices["TAM"],
            code="BL-2",
            name="x",
            donor="y",
            amount="-5",
        )
    assert err.value.field == "amount"
    assert BudgetLine.objects.count() == 1


@pytest.mark.django_db
def test_a_budget_line_cannot_go_below_what_is_committed(users, submitted_plan, tamba_line):
    approve(users, submitted_plan, tamba_line)
    budget = fresh(tamba_line)
    with pytest.raises(ValidationFailed) as err:
        services.budget_line_update(
            actor=users["finance"], line=budget, version=budget.version, amount="299999.99"
        )
    assert err.value.field == "amount" and "300000.00" in err.value.message
    assert fresh(tamba_line).amount == Decimal("1000000.00")

    lowered = services.budget_line_update(
        actor=users["finance"], line=budget, version=budget.version, amount="300000"
    )
    assert (lowered.amount, lowered.available) == (Decimal("300000.00"), Decimal("0.00"))
    assert audit("budget_line.updated")[-1].changes == {"amount": ["1000000.00", "300000.00"]}
    with pytest.raises(StaleVersion):
        services.budget_line_update(
            actor=users["finance"], line=budget, version=budget.version, amount="900000"
        )
    assert fresh(tamba_line).amount == Decimal("300000.00")


# --- returning, cancelling, the history -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("comment", ["", "   ", None])
def test_returning_a_plan_needs_a_comment(users, submitted_plan, comment):
    with pytest.raises(ValidationFailed) as err:
        services.plan_return(actor=users["coord.tamba"], plan=submitted_plan, comment=comment)
    assert err.value.field == "comment"
    assert fresh(submitted_plan).status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_returned_plan_is_editable_again_and_resubmitted(users, submitted_plan, catalogue):
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    plan = services.plan_return(
        actor=coord, plan=submitted_plan, comment="  Add vocational training  "
    )
    assert plan.status == Status.RETURNED
    event = plan.events.get(decision=Decision.RETURNED)
    assert (event.actor, event.comment) == (coord, "Add vocational training")
    access = case_access(cm, plan.case)
    assert permissions.can_edit_plan(access, plan)
    assert [p.pk for p in selectors.returned_plans(cm)] == [plan.pk]

    services.measure_add(
        actor=cm, plan=plan, assistance_type=catalogue["VOCATIONAL_TRAINING"], estimated_cost="5000"
    )
    services.plan_update(actor=cm, plan=plan, summary_economic="Workshop and training")
    plan = services.plan_submit(actor=cm, plan=plan)
    assert (plan.status, plan.total) == (Status.SUBMITTED, Decimal("305000.00"))
    with pytest.raises(ValidationFailed) as err:
        services.plan_cancel(actor=cm, plan=plan)
    assert err.value.code == "not_editable"


@pytest.mark.django_db
def test_only_a_submitted_plan_is_returned(users, tamba_case):
    plan = services.plan_start(actor=users["cm.tamba"], case=tamba_case)
    with pytest.raises(ValidationFailed) as err:
        services.plan_return(actor=users["coord.tamba"], plan=plan, comment="Why?")
    assert err.value.code == "invalid_transition"
    assert fresh(plan).status == Status.DRAFT


@pytest.mark.django_db
def test_a_dropped_draft_makes_room_for_a_new_one(users, tamba_case, catalogue):
    cm = users["cm.tamba"]
    plan = draft(cm, tamba_case, catalogue, "1000")
    dropped = services.plan_cancel(actor=cm, plan=plan, comment="Returnee moved")
    assert dropped.status == Status.CANCELLED
    assert dropped.events.get(decision=Decision.CANCELLED).comment == "Returnee moved"
    assert len(audit("plan.cancelled")) == 1
    again = services.plan_start(actor=cm, case=tamba_case)
    assert (again.revision, again.previous_id) == (2, None)
    assert selectors.current_plan(tamba_case) == again


@pytest.mark.django_db
def test_the_history_and_the_case_timeline_follow_the_plan(
    users, tamba_case, catalogue, tamba_line
):
    cm, coord = users["cm.tamba"], users["coord.tamba"]
    plan = submitted(cm, tamba_case, catalogue, "120000")
    plan = services.plan_return(actor=coord, plan=plan, comment="Cost the equipment")
    plan = services.plan_submit(actor=cm, plan=plan)
    plan = approve(users, plan, tamba_line)

    history = list(plan.events.values_list("decision", "actor__username"))
    assert history == [
        ("DRAFTED", "cm.tamba"),
        ("SUBMITTED", "cm.tamba"),
        ("RETURNED", "coord.tamba"),
        ("SUBMITTED", "cm.tamba"),
        ("APPROVED", "coord.tamba"),
    ]
    timeline = CaseEvent.objects.filter(case=tamba_case, kind=EventKind.PLAN).order_by("at", "id")
    assert [e.data["decision"] for e in timeline] == [d for d, _who in history]
    assert {e.data["plan_id"] for e in timeline} == {plan.pk}
    assert [
        e.action
        for e in AuditEvent.objects.filter(
            target_type="plan",
            target_id=plan.pk,
            action__in=["plan.drafted", "plan.submitted", "plan.returned", "plan.approved"],
        ).order_by("id")
    ] == ["plan.drafted", "plan.submitted", "plan.returned", "plan.submitted", "plan.approved"]


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_reads_a_plan_whole_or_its_lines_only(users, submitted_plan):
    plan, _access, whole = selectors.plan_get_for_user(users["cm.tamba"], submitted_plan.pk)
    assert plan == submitted_plan and whole is True
    assert selectors.plan_get_for_user(users["coord.tamba"], plan.pk)[2] is True
    assert selectors.plan_get_for_user(users["finance"], plan.pk)[2] is False
    assert selectors.plan_get_for_user(users["me.officer"], plan.pk)[2] is False
    for outsider in ("cm.kolda", "cm.psy", "fp.comms", "sysadmin"):
        with pytest.raises(Http404):
            selectors.plan_get_for_user(users[outsider], plan.pk)
        assert not selectors.plan_list(users[outsider]).exists()


@pytest.mark.django_db
def test_a_role_that_reads_neither_plans_nor_amounts_does_not_list_them(users, submitted_plan):
    # The medical focal point reaches a case with a medical flag, but not its plan (no case
    # narrative, no finance tier): the plan is neither listed nor readable.
    cases.case_flag_set(
        actor=users["cm.tamba"], case=submitted_plan.case, flag="MEDICAL", value=True
    )
    medical = users["fp.medical"]
    with pytest.raises(Http404):
        selectors.plan_get_for_user(medical, submitted_plan.pk)
    assert list(selectors.plan_list(medical)) == []
    assert list(selectors.plan_list(users["finance"])) == [submitted_plan]


@pytest.mark.django_db
def test_approvals_waiting_apply_maker_checker_and_the_threshold(
    users, tamba_case, submitted_plan, settings
):
    assert selectors.approvals_waiting(users["coord.tamba"]) == [submitted_plan]
    assert selectors.approvals_waiting(users["cm.tamba"]) == []
    settings.REINTEGRA_PLAN_NATIONAL_ABOVE = Decimal("1000")
    assert selectors.approvals_waiting(users["coord.tamba"]) == []
    assert selectors.approvals_waiting(users["coord.national"]) == [submitted_plan]
