"""The plans API: the catalogue, budget lines, plans, their measures and their moves.

Personas (DESIGN §9): cm.tamba drafts and submits the plans of her Tambacounda cases; cm.kolda
must not find them (404); coord.tamba returns and approves them up to the national threshold,
coord.national above it; finance keeps the budget lines and reads plans' lines only, like
me.officer; the focal points for communication and medical matters see no plan at all.
"""

import json
from decimal import Decimal

import pytest
from django.test import Client

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.plans import services
from reintegra.plans.models import BudgetLine, Commitment, Plan
from reintegra.plans.tests.conftest import draft, line, open_case, submitted


def call(client: Client, method: str, path: str, data=None, raw: str | None = None):
    body = raw if raw is not None else (json.dumps(data) if data is not None else None)
    kwargs: dict = {"secure": True}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def kolda_plan(users, kolda_case, catalogue) -> Plan:
    return draft(users["cm.kolda"], kolda_case, catalogue, "1000")


@pytest.fixture
def draft_plan(users, tamba_case, catalogue) -> Plan:
    """cm.tamba's draft with one measure of 300,000 and its summaries."""
    plan = draft(users["cm.tamba"], tamba_case, catalogue, "300000")
    return services.plan_update(
        actor=users["cm.tamba"],
        plan=plan,
        summary_economic="A tailoring workshop",
        expected_improvement="An income for the household",
    )


def move(client: Client, plan: Plan, to: str, **fields):
    return call(client, "post", f"/api/plans/{plan.pk}/transitions", {"to": to, **fields})


# --- the schema -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_lists_the_plans_operations():
    schema = call(Client(), "get", "/api/openapi.json").json()
    for path in (
        "/api/assistance-types",
        "/api/budget-lines",
        "/api/budget-lines/{line_id}",
        "/api/plans",
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/measures",
        "/api/plans/{plan_id}/transitions",
    ):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/plans/{plan_id}"]) == {"get", "patch"}


@pytest.mark.django_db
def test_without_credentials_every_operation_answers_401(programme):
    for method, path in [
        ("get", "/api/assistance-types"),
        ("get", "/api/budget-lines"),
        ("get", "/api/plans"),
        ("post", "/api/plans"),
        ("get", "/api/plans/1"),
    ]:
        response = call(Client(), method, path, {} if method == "post" else None)
        assert response.status_code == 401, path


# --- the catalogue ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "coord.national", "finance", "me.officer"])
def test_staff_who_plan_approve_or_pay_read_the_catalogue(client_for, catalogue, username):
    response = call(client_for(username), "get", "/api/assistance-types")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 23 and len(data["items"]) == 23
    iga = next(t for t in data["items"] if t["code"] == "IGA")
    assert iga == {
        "id": catalogue["IGA"].pk,
        "code": "IGA",
        "dimension": "ECONOMIC",
        "name": "Income-generating activity (creation or strengthening)",
        "delivery_mode": "IN_KIND",
        "ceiling": None,
        "currency": "XOF",
        "is_active": True,
        "version": catalogue["IGA"].version,
    }


@pytest.mark.django_db
def test_the_catalogue_shows_ceilings_and_leaves_out_inactive_types(client_for, users, catalogue):
    services.assistance_type_save(
        actor=users["coord.national"], assistance_type=catalogue["CASH"], ceiling="150000"
    )
    services.assistance_type_save(
        actor=users["coord.national"], assistance_type=catalogue["SECURITY"], is_active=False
    )
    data = call(client_for("cm.tamba"), "get", "/api/assistance-types").json()
    assert data["count"] == 22
    assert {t["code"]: t["ceiling"] for t in data["items"]}["CASH"] == "150000.00"
    assert "SECURITY" not in {t["code"] for t in data["items"]}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["fp.medical", "fp.comms", "fp.protection", "sysadmin"])
def test_other_roles_are_refused_the_catalogue(client_for, catalogue, username):
    response = call(client_for(username), "get", "/api/assistance-types")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- budget lines -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("finance", ["BL-KLD", "BL-TAM"]),
        ("coord.national", ["BL-KLD", "BL-TAM"]),
        ("me.officer", ["BL-KLD", "BL-TAM"]),
        ("coord.tamba", ["BL-TAM"]),
        ("cm.tamba", []),
    ],
)
def test_budget_lines_are_listed_within_the_users_scope(
    client_for, tamba_line, kolda_line, username, codes
):
    response = call(client_for(username), "get", "/api/budget-lines")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(codes)
    assert [item["code"] for item in data["items"]] == codes


@pytest.mark.django_db
def test_a_budget_line_shows_what_is_committed_and_available(
    client_for, users, offices, submitted_plan, tamba_line
):
    services.plan_approve(actor=users["coord.tamba"], plan=submitted_plan, budget_line=tamba_line)
    (item,) = call(client_for("coord.tamba"), "get", "/api/budget-lines").json()["items"]
    assert item == {
        "id": tamba_line.pk,
        "code": "BL-TAM",
        "name": "Reintegration grants TAM",
        "donor": "EU Trust Fund",
        "office": {"id": offices["TAM"].pk, "name": "Tambacounda"},
        "currency": "XOF",
        "amount": "1000000.00",
        "committed": "300000.00",
        "spent": "0.00",
        "available": "700000.00",
        "starts_on": None,
        "ends_on": None,
        "is_active": True,
        "version": fresh(tamba_line).version,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["fp.comms", "fp.medical", "sysadmin"])
def test_roles_without_finance_are_refused_budget_lines(client_for, tamba_line, username):
    assert call(client_for(username), "get", "/api/budget-lines").status_code == 403


def line_body(office, **fields) -> dict:
    return {
        "office_id": office.pk,
        "code": "eutf-2026",
        "name": "EU Trust Fund 2026",
        "donor": "European Union",
        "amount": "2500000",
        **fields,
    }


@pytest.mark.django_db
def test_finance_creates_a_budget_line_at_an_office_of_its_scope(client_for, offices):
    response = call(
        client_for("finance"),
        "post",
        "/api/budget-lines",
        line_body(offices["TAM"], amount=2500000.5, starts_on="2026-01-01", ends_on="2026-12-31"),
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["code"], data["amount"], data["available"]) == (
        "EUTF-2026",
        "2500000.50",
        "2500000.50",
    )
    assert data["office"]["id"] == offices["TAM"].pk
    assert (data["starts_on"], data["ends_on"], data["currency"]) == (
        "2026-01-01",
        "2026-12-31",
        "XOF",
    )
    saved = BudgetLine.objects.get(code="EUTF-2026")
    assert saved.amount == Decimal("2500000.50")
    assert AuditEvent.objects.filter(action="budget_line.created", target_id=saved.pk).exists()
    again = call(client_for("finance"), "post", "/api/budget-lines", line_body(offices["TAM"]))
    assert again.status_code == 409 and again.json()["code"] == "conflict"


@pytest.mark.django_db
def test_a_regional_coordinator_creates_lines_only_in_the_region(client_for, offices):
    client = client_for("coord.tamba")
    for office in (offices["KLD"], offices["DKR"]):
        response = call(client, "post", "/api/budget-lines", line_body(office))
        assert response.status_code == 422
        assert response.json()["field"] == "office_id"
    body = line_body(offices["TAM"], office_id=987654)
    assert call(client, "post", "/api/budget-lines", body).json()["field"] == "office_id"
    assert not BudgetLine.objects.exists()
    assert call(client, "post", "/api/budget-lines", line_body(offices["TAM"])).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["me.officer", "cm.tamba", "fp.comms"])
def test_those_who_keep_no_budget_create_no_line(client_for, offices, username):
    response = call(client_for(username), "post", "/api/budget-lines", line_body(offices["TAM"]))
    assert response.status_code == 403
    assert not BudgetLine.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"amount": "-1"},
        {"amount": -1},
        {"amount": "lots"},
        {"amount": "NaN"},
        {"amount": 10**40},
        {"amount": "1e12"},
        {"amount": True},
        {"amount": None},
        {"amount": "9" * 41},
        {"code": ""},
        {"code": "   "},
        {"code": "X" * 33},
        {"name": "a\x00b"},
        {"donor": ""},
        {"currency": "euro"},
        {"starts_on": "2026-02-30"},
        {"office_id": 0},
        {"office_id": 10**30},
        {"committed": "5"},
    ],
)
def test_a_bad_budget_line_answers_422(client_for, offices, fields):
    response = call(
        client_for("finance"), "post", "/api/budget-lines", line_body(offices["TAM"], **fields)
    )
    assert response.status_code == 422, response.content
    assert set(response.json()) >= {"detail", "code"}
    assert not BudgetLine.objects.exists()


@pytest.mark.django_db
def test_a_json_infinity_amount_answers_422(client_for, offices):
    raw = json.dumps(line_body(offices["TAM"])).replace('"2500000"', "1e400")
    response = call(client_for("finance"), "post", "/api/budget-lines", raw=raw)
    assert response.status_code == 422
    assert response.json()["field"] == "amount"


@pytest.mark.django_db
def test_finance_changes_a_line_with_its_version(client_for, tamba_line):
    client = client_for("finance")
    path = f"/api/budget-lines/{tamba_line.pk}"
    response = call(
        client, "patch", path, {"version": tamba_line.version, "amount": 1200000, "name": None}
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["amount"], data["name"], data["version"]) == (
        "1200000.00",
        "Reintegration grants TAM",
        tamba_line.version + 1,
    )
    stale = call(client, "patch", path, {"version": tamba_line.version, "amount": "1"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert fresh(tamba_line).amount == Decimal("1200000.00")
    closed = call(client, "patch", path, {"version": data["version"], "is_active": False})
    assert closed.json()["is_active"] is False


@pytest.mark.django_db
def test_a_line_is_not_lowered_below_its_commitments(client_for, users, submitted_plan, tamba_line):
    services.plan_approve(actor=users["coord.tamba"], plan=submitted_plan, budget_line=tamba_line)
    budget = fresh(tamba_line)
    response = call(
        client_for("finance"),
        "patch",
        f"/api/budget-lines/{budget.pk}",
        {"version": budget.version, "amount": "299999.99"},
    )
    assert response.status_code == 422 and response.json()["field"] == "amount"
    assert fresh(budget).amount == Decimal("1000000.00")


@pytest.mark.django_db
def test_a_line_out_of_scope_answers_404_and_one_not_kept_403(client_for, tamba_line, kolda_line):
    body = {"version": kolda_line.version, "amount": "1"}
    response = call(client_for("coord.tamba"), "patch", f"/api/budget-lines/{kolda_line.pk}", body)
    assert response.status_code == 404
    assert call(client_for("finance"), "patch", "/api/budget-lines/987654", body).status_code == 404
    # The M&E specialist sees the lines but does not keep them.
    response = call(client_for("me.officer"), "patch", f"/api/budget-lines/{kolda_line.pk}", body)
    assert response.status_code == 403
    assert fresh(kolda_line).amount == Decimal("1000000.00")


# --- plans: start, list, read -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_manager_starts_a_plan(client_for, users, tamba_case):
    response = call(client_for("cm.tamba"), "post", "/api/plans", {"case": tamba_case.pk})
    assert response.status_code == 201
    data = response.json()
    plan = Plan.objects.get(case=tamba_case)
    assert data["id"] == plan.pk
    assert (data["case"], data["case_number"], data["revision"], data["status"]) == (
        tamba_case.pk,
        tamba_case.number,
        1,
        "DRAFT",
    )
    assert (data["total"], data["readable"], data["measures"], data["items"]) == (
        "0.00",
        True,
        [],
        [],
    )
    assert data["created_by"] == {"id": users["cm.tamba"].pk, "name": "Fatou Sow"}
    assert [e["decision"] for e in data["events"]] == ["DRAFTED"]
    again = call(client_for("cm.tamba"), "post", "/api/plans", {"case": tamba_case.pk})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_starting_a_plan_out_of_scope_or_without_the_right_answers_404_or_403(
    client_for, tamba_case, kolda_case
):
    assert (
        call(client_for("cm.tamba"), "post", "/api/plans", {"case": kolda_case.pk}).status_code
        == 404
    )
    assert call(client_for("cm.tamba"), "post", "/api/plans", {"case": 987654}).status_code == 404
    for username in ("coord.tamba", "finance", "me.officer"):
        response = call(client_for(username), "post", "/api/plans", {"case": tamba_case.pk})
        assert response.status_code == 403, username
    for body in ({"case": 0}, {"case": "x"}, {}, {"case": tamba_case.pk, "status": "APPROVED"}):
        assert call(client_for("cm.tamba"), "post", "/api/plans", body).status_code == 422
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_the_plan_list_counts_and_filters(client_for, users, offices, catalogue, kolda_plan):
    cm = users["cm.tamba"]
    cases = [open_case(users, offices) for _ in range(3)]
    first = submitted(cm, cases[0], catalogue, "1000")
    second = draft(cm, cases[1], catalogue, "2000")
    draft(cm, cases[2], catalogue, "3000")
    client = client_for("cm.tamba")

    def listed(query: str = "") -> tuple[int, set[int]]:
        response = call(client, "get", f"/api/plans{query}")
        assert response.status_code == 200
        data = response.json()
        return data["count"], {item["id"] for item in data["items"]}

    assert listed()[0] == 3
    assert listed("?status=SUBMITTED") == (1, {first.pk})
    assert listed("?status=DRAFT")[0] == 2
    assert listed(f"?case={cases[1].pk}") == (1, {second.pk})
    assert listed(f"?case={kolda_plan.case_id}") == (0, set())
    assert listed("?page=2") == (3, set())
    item = call(client, "get", f"/api/plans?case={cases[0].pk}").json()["items"][0]
    assert (item["total"], item["status"], item["case_number"]) == (
        "1000.00",
        "SUBMITTED",
        cases[0].number,
    )
    assert call(client_for("cm.kolda"), "get", "/api/plans").json()["count"] == 1
    assert call(client_for("coord.national"), "get", "/api/plans").json()["count"] == 4
    assert call(client_for("finance"), "get", "/api/plans").json()["count"] == 4
    assert call(client_for("fp.comms"), "get", "/api/plans").json() == {"items": [], "count": 0}
    waiting = call(client_for("coord.tamba"), "get", "/api/plans?waiting=true").json()
    assert (waiting["count"], waiting["items"][0]["id"]) == (1, first.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?status=WHATEVER", "?case=abc", "?page=abc", "?case=0"])
def test_a_bad_list_filter_answers_422(client_for, query):
    assert call(client_for("cm.tamba"), "get", f"/api/plans{query}").status_code == 422


@pytest.mark.django_db
def test_the_case_manager_reads_the_whole_plan(client_for, users, draft_plan):
    response = call(client_for("cm.tamba"), "get", f"/api/plans/{draft_plan.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["readable"] is True
    assert data["summary_economic"] == "A tailoring workshop"
    assert data["expected_improvement"] == "An income for the household"
    assert data["summary_social"] == "" and data["community_part"] == ""
    (measure,) = data["measures"]
    assert measure["assistance_type"]["code"] == "IGA"
    assert (measure["estimated_cost"], measure["delivery_mode"]) == ("300000.00", "IN_KIND")
    assert data["total"] == "300000.00" and data["version"] == fresh(draft_plan).version
    assert AccessEvent.objects.filter(action="plan.viewed", target_id=draft_plan.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["finance", "me.officer"])
def test_finance_and_me_read_the_lines_only(client_for, users, draft_plan, username):
    services.plan_submit(actor=users["cm.tamba"], plan=draft_plan)
    services.plan_return(actor=users["coord.tamba"], plan=draft_plan, comment="Quote the machine")
    response = call(client_for(username), "get", f"/api/plans/{draft_plan.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["readable"] is False
    for name in (
        "summary_economic",
        "summary_social",
        "summary_psychosocial",
        "expected_improvement",
        "community_part",
        "baseline_score",
    ):
        assert data[name] is None, name
    assert [m["estimated_cost"] for m in data["measures"]] == ["300000.00"]
    assert data["total"] == "300000.00"
    assert {e["comment"] for e in data["events"]} == {None}
    whole = call(client_for("coord.tamba"), "get", f"/api/plans/{draft_plan.pk}").json()
    assert "Quote the machine" in {e["comment"] for e in whole["events"]}


@pytest.mark.django_db
def test_a_plan_out_of_scope_answers_404_like_a_missing_one(
    client_for, users, kolda_plan, draft_plan
):
    for path in (f"/api/plans/{kolda_plan.pk}", "/api/plans/987654"):
        response = call(client_for("cm.tamba"), "get", path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    for username in ("cm.kolda", "cm.psy", "fp.comms", "sysadmin"):
        assert call(client_for(username), "get", f"/api/plans/{draft_plan.pk}").status_code == 404
    for path in ("/api/plans/abc", "/api/plans/0", "/api/plans/99999999999999999999999"):
        assert call(client_for("cm.tamba"), "get", path).status_code == 422


@pytest.mark.django_db
def test_a_revision_is_started_from_the_approved_plan(
    client_for, users, submitted_plan, tamba_line
):
    services.plan_approve(actor=users["coord.tamba"], plan=submitted_plan, budget_line=tamba_line)
    response = call(client_for("cm.tamba"), "post", "/api/plans", {"case": submitted_plan.case_id})
    assert response.status_code == 201
    data = response.json()
    assert (data["revision"], data["previous"], data["status"]) == (2, submitted_plan.pk, "DRAFT")
    assert data["total"] == "300000.00" and len(data["measures"]) == 1


# --- plans: changing --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_summaries_change_with_the_version_and_a_stale_one_answers_409(client_for, draft_plan):
    client = client_for("cm.tamba")
    path = f"/api/plans/{draft_plan.pk}"
    version = fresh(draft_plan).version
    response = call(
        client, "patch", path, {"version": version, "summary_social": "Family mediation"}
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["summary_social"], data["version"]) == ("Family mediation", version + 1)
    assert data["summary_economic"] == "A tailoring workshop"
    stale = call(client, "patch", path, {"version": version, "summary_social": "Overwritten"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    plan = fresh(draft_plan)
    assert (plan.summary_social, plan.version) == ("Family mediation", version + 1)


@pytest.mark.django_db
def test_only_the_case_manager_changes_a_plan_being_written(
    client_for, users, draft_plan, kolda_plan
):
    path = f"/api/plans/{draft_plan.pk}"
    body = {"version": fresh(draft_plan).version, "summary_social": "x"}
    for username in ("coord.tamba", "finance", "me.officer"):
        assert call(client_for(username), "patch", path, body).status_code == 403, username
    assert call(client_for("cm.kolda"), "patch", path, body).status_code == 404
    kolda = {"version": kolda_plan.version, "summary_social": "x"}
    assert (
        call(client_for("cm.tamba"), "patch", f"/api/plans/{kolda_plan.pk}", kolda).status_code
        == 404
    )
    plan = services.plan_submit(actor=users["cm.tamba"], plan=draft_plan)
    body = {"version": plan.version, "summary_social": "x"}
    assert call(client_for("cm.tamba"), "patch", path, body).status_code == 403
    assert fresh(draft_plan).summary_social == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"summary_social": "x"},
        {"version": -1, "summary_social": "x"},
        {"version": 1, "summary_social": "a\x00b"},
        {"version": 1, "summary_social": 5},
        {"version": 1, "status": "APPROVED"},
        {"version": 1, "summary_social": "x" * 10_001},
    ],
)
def test_a_bad_plan_update_answers_422(client_for, draft_plan, body):
    response = call(client_for("cm.tamba"), "patch", f"/api/plans/{draft_plan.pk}", body)
    assert response.status_code == 422
    assert fresh(draft_plan).summary_social == ""


@pytest.mark.django_db
def test_a_measure_is_added_and_the_total_recomputed(client_for, users, draft_plan, catalogue):
    response = call(
        client_for("cm.tamba"),
        "post",
        f"/api/plans/{draft_plan.pk}/measures",
        {
            "assistance_type": catalogue["VOCATIONAL_TRAINING"].pk,
            "estimated_cost": 45000.5,
            "description": "Welding course",
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["total"] == "345000.50"
    added = data["measures"][-1]
    assert (added["assistance_type"]["code"], added["estimated_cost"]) == (
        "VOCATIONAL_TRAINING",
        "45000.50",
    )
    assert (added["delivery_mode"], added["referral_needed"], added["description"]) == (
        "SERVICE",
        True,
        "Welding course",
    )
    assert fresh(draft_plan).total == Decimal("345000.50")


@pytest.mark.django_db
def test_a_measure_above_the_ceiling_answers_422_above_ceiling(
    client_for, users, draft_plan, catalogue
):
    services.assistance_type_save(
        actor=users["coord.national"], assistance_type=catalogue["CASH"], ceiling="100000"
    )
    response = call(
        client_for("cm.tamba"),
        "post",
        f"/api/plans/{draft_plan.pk}/measures",
        {"assistance_type": catalogue["CASH"].pk, "estimated_cost": "100000.01"},
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "above_ceiling",
        "estimated_cost",
    )
    assert draft_plan.measures.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"estimated_cost": -5},
        {"estimated_cost": "-0.01"},
        {"estimated_cost": "abc"},
        {"estimated_cost": "NaN"},
        {"estimated_cost": "Infinity"},
        {"estimated_cost": 10**40},
        {"estimated_cost": 1e300},
        {"estimated_cost": "999999999999.99"},
        {"estimated_cost": True},
        {"estimated_cost": None},
        {"estimated_cost": ["1"]},
        {"estimated_cost": "12,5"},
        {"estimated_cost": "1\x00"},
        {"description": "a\x00b"},
        {"delivery_mode": "DRONE"},
        {"assistance_type": 987654},
        {"assistance_type": 10**30},
        {"referral_needed": "maybe"},
        {"unknown": 1},
    ],
)
def test_a_bad_measure_answers_422_never_500(client_for, draft_plan, catalogue, fields):
    body = {"assistance_type": catalogue["IGA"].pk, "estimated_cost": "1000", **fields}
    response = call(client_for("cm.tamba"), "post", f"/api/plans/{draft_plan.pk}/measures", body)
    assert response.status_code == 422, response.content
    assert set(response.json()) >= {"detail", "code"}
    assert draft_plan.measures.count() == 1
    assert fresh(draft_plan).total == Decimal("300000.00")


@pytest.mark.django_db
def test_a_measure_needs_the_right_to_edit_the_plan(
    client_for, users, draft_plan, kolda_plan, catalogue
):
    body = {"assistance_type": catalogue["IGA"].pk, "estimated_cost": "1000"}
    path = f"/api/plans/{draft_plan.pk}/measures"
    assert call(client_for("coord.tamba"), "post", path, body).status_code == 403
    assert call(client_for("finance"), "post", path, body).status_code == 403
    assert (
        call(
            client_for("cm.tamba"), "post", f"/api/plans/{kolda_plan.pk}/measures", body
        ).status_code
        == 404
    )
    stale = call(client_for("cm.tamba"), "post", path, {**body, "version": 0})
    assert stale.status_code == 409
    services.plan_submit(actor=users["cm.tamba"], plan=draft_plan)
    assert call(client_for("cm.tamba"), "post", path, body).status_code == 403
    assert draft_plan.measures.count() == 1


# --- plans: moves -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["DRAFT", "SUPERSEDED", "approved", "", "X" * 17, "A\x00"])
def test_an_unknown_move_answers_422(client_for, draft_plan, to):
    response = move(client_for("cm.tamba"), draft_plan, to)
    assert response.status_code == 422
    assert response.json()["field"] == "to"
    assert fresh(draft_plan).status == "DRAFT"


@pytest.mark.django_db
def test_the_case_manager_submits_and_an_empty_plan_is_refused(client_for, users, tamba_case):
    client = client_for("cm.tamba")
    plan = services.plan_start(actor=users["cm.tamba"], case=tamba_case)
    empty = move(client, plan, "SUBMITTED", version=plan.version)
    assert empty.status_code == 422 and empty.json()["code"] == "empty_plan"
    assert fresh(plan).status == "DRAFT"
    stale = move(client, plan, "SUBMITTED", version=plan.version + 5)
    assert stale.status_code == 409


@pytest.mark.django_db
def test_submit_return_and_resubmit(client_for, users, draft_plan):
    cm, coord = client_for("cm.tamba"), client_for("coord.tamba")
    response = move(cm, draft_plan, "SUBMITTED", version=fresh(draft_plan).version)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "SUBMITTED"
    assert data["submitted_by"] == {"id": users["cm.tamba"].pk, "name": "Fatou Sow"}
    # The case manager neither returns nor approves; a second submission is refused.
    assert move(cm, draft_plan, "RETURNED", comment="x").status_code == 403
    assert move(cm, draft_plan, "SUBMITTED").status_code == 403
    assert move(client_for("finance"), draft_plan, "RETURNED", comment="x").status_code == 403

    no_comment = move(coord, draft_plan, "RETURNED", version=data["version"], comment="  ")
    assert no_comment.status_code == 422 and no_comment.json()["field"] == "comment"
    returned = move(coord, draft_plan, "RETURNED", version=data["version"], comment="Add costs")
    assert returned.status_code == 200
    assert returned.json()["status"] == "RETURNED"
    assert returned.json()["events"][-1]["comment"] == "Add costs"
    again = move(cm, draft_plan, "SUBMITTED", version=returned.json()["version"])
    assert again.status_code == 200 and again.json()["status"] == "SUBMITTED"


@pytest.mark.django_db
def test_the_case_manager_drops_a_draft(client_for, draft_plan):
    response = move(client_for("cm.tamba"), draft_plan, "CANCELLED", comment="Left the region")
    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert fresh(draft_plan).status == "CANCELLED"
    assert move(client_for("cm.tamba"), draft_plan, "CANCELLED").status_code == 403


@pytest.mark.django_db
def test_a_coordinator_approves_and_the_money_is_committed(
    client_for, users, submitted_plan, tamba_line
):
    coord = client_for("coord.tamba")
    response = move(
        coord,
        submitted_plan,
        "APPROVED",
        version=submitted_plan.version,
        budget_line=tamba_line.pk,
        comment="Go ahead",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["budget_line"]) == ("APPROVED", tamba_line.pk)
    assert data["approved_by"] == {"id": users["coord.tamba"].pk, "name": "Ousmane Ba"}
    assert data["approved_at"] is not None
    assert fresh(tamba_line).committed == Decimal("300000.00")
    assert Commitment.objects.get().plan_id == submitted_plan.pk
    assert fresh(submitted_plan.case).has_plan is True
    # The second click carries the old version: 409, nothing committed twice.
    twice = move(
        client_for("coord.national"),
        submitted_plan,
        "APPROVED",
        version=submitted_plan.version,
        budget_line=tamba_line.pk,
    )
    assert twice.status_code == 409
    assert fresh(tamba_line).committed == Decimal("300000.00")
    # Without a version, an approved plan is not decided again.
    assert move(coord, submitted_plan, "APPROVED", budget_line=tamba_line.pk).status_code == 403


@pytest.mark.django_db
def test_approval_needs_a_budget_line_of_the_cases_office(
    client_for, users, offices, submitted_plan, kolda_line
):
    coord = client_for("coord.tamba")
    for fields in ({}, {"budget_line": kolda_line.pk}, {"budget_line": 987654}):
        response = move(coord, submitted_plan, "APPROVED", **fields)
        assert response.status_code == 422
        assert response.json()["field"] == "budget_line"
    assert move(coord, submitted_plan, "APPROVED", budget_line=0).status_code == 422
    assert fresh(submitted_plan).status == "SUBMITTED"
    assert fresh(kolda_line).committed == 0


@pytest.mark.django_db
def test_an_insufficient_line_answers_422_and_commits_nothing(
    client_for, users, offices, submitted_plan
):
    small = line(users, offices, amount="1000")
    response = move(client_for("coord.tamba"), submitted_plan, "APPROVED", budget_line=small.pk)
    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_budget"
    assert fresh(small).committed == 0 and fresh(submitted_plan).status == "SUBMITTED"


@pytest.mark.django_db
def test_above_the_threshold_the_api_sends_it_to_the_national_coordinator(
    client_for, settings, submitted_plan, tamba_line
):
    settings.REINTEGRA_PLAN_NATIONAL_ABOVE = Decimal("100000")
    regional = move(
        client_for("coord.tamba"), submitted_plan, "APPROVED", budget_line=tamba_line.pk
    )
    assert regional.status_code == 422
    assert regional.json()["code"] == "needs_national"
    assert fresh(submitted_plan).status == "SUBMITTED"
    national = move(
        client_for("coord.national"), submitted_plan, "APPROVED", budget_line=tamba_line.pk
    )
    assert national.status_code == 200 and national.json()["status"] == "APPROVED"


@pytest.mark.django_db
def test_maker_checker_through_the_api(client_for, users, tamba_case, catalogue, tamba_line):
    # A coordinator who drafted the plan (through the services) may not decide on it.
    plan = draft(users["coord.tamba"], tamba_case, catalogue, "1000")
    services.plan_submit(actor=users["cm.tamba"], plan=plan)
    for to, fields in (
        ("APPROVED", {"budget_line": tamba_line.pk}),
        ("RETURNED", {"comment": "x"}),
    ):
        assert move(client_for("coord.tamba"), plan, to, **fields).status_code == 403
    assert (
        move(client_for("cm.tamba"), plan, "APPROVED", budget_line=tamba_line.pk).status_code == 403
    )
    assert fresh(plan).status == "SUBMITTED"
    done = move(client_for("coord.national"), plan, "APPROVED", budget_line=tamba_line.pk)
    assert done.status_code == 200


@pytest.mark.django_db
def test_moves_on_a_plan_out_of_scope_answer_404(client_for, users, kolda_plan, kolda_line):
    services.plan_submit(actor=users["cm.kolda"], plan=kolda_plan)
    assert move(client_for("cm.tamba"), kolda_plan, "CANCELLED").status_code == 404
    response = move(client_for("coord.tamba"), kolda_plan, "APPROVED", budget_line=kolda_line.pk)
    assert response.status_code == 404
    assert fresh(kolda_plan).status == "SUBMITTED"
