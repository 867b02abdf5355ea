"""The finance API: listing instalments by payment step, planning an instalment on an approved
plan, reading one, and moving it through preparation, approval, payment or cancellation.

Personas (DESIGN §9): cm.tamba plans the instalments of her Tambacounda plan; `finance` and
`finance.checker` (a second finance user at Dakar) prepare, approve and pay; coord.tamba
follows payments in Tambacounda; me.officer reads plans' lines; cm.kolda and coord.tamba must
not find Kolda instalments (404); the medical focal point sees no plan at all.
"""

from decimal import Decimal

import pytest
from django.test import Client

from reintegra.audit.models import AuditEvent
from reintegra.finance.choices import InstalmentStatus
from reintegra.finance.models import Instalment
from reintegra.finance.tests.conftest import approved, cash_measure, planned, prepared, to_pay
from reintegra.plans.models import Commitment, Plan
from reintegra.plans.tests.conftest import submitted
from reintegra.plans.tests.test_api import call, fresh


def move(client: Client, instalment: Instalment, to: str, **fields):
    return call(
        client, "post", f"/api/instalments/{instalment.pk}/transitions", {"to": to, **fields}
    )


def add(client: Client, plan: Plan, **fields):
    body = {"measure": cash_measure(plan).pk, "amount": "50000", "milestone": "Arrival"}
    body.update(fields)
    return call(client, "post", f"/api/plans/{plan.pk}/instalments", body)


@pytest.fixture
def checker_client(checker) -> Client:
    client = Client()
    client.force_login(checker)
    return client


# --- the schema and authentication ------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_lists_the_finance_operations():
    schema = call(Client(), "get", "/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/instalments"]) == {"get"}
    assert set(paths["/api/plans/{plan_id}/instalments"]) == {"post"}
    assert set(paths["/api/instalments/{instalment_id}"]) == {"get"}
    assert set(paths["/api/instalments/{instalment_id}/transitions"]) == {"post"}


@pytest.mark.django_db
def test_without_credentials_every_operation_answers_401(programme):
    for method, path in [
        ("get", "/api/instalments"),
        ("post", "/api/plans/1/instalments"),
        ("get", "/api/instalments/1"),
        ("post", "/api/instalments/1/transitions"),
    ]:
        response = call(Client(), method, path, {} if method == "post" else None)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


# --- listing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_payment_desk_lists_instalments_by_step(client_for, users, checker, plan, kolda_plan):
    a = planned(users, plan, "10000", milestone="A")
    b = prepared(users, planned(users, plan, "20000", milestone="B"))
    c = approved(users, checker, planned(users, plan, "30000", milestone="C"))
    k = planned(users, kolda_plan, "40000", milestone="K")
    finance = client_for("finance")

    def ids(query: str = "", client: Client = finance) -> list[int]:
        response = call(client, "get", f"/api/instalments{query}")
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert sorted(ids()) == sorted([a.pk, b.pk, c.pk, k.pk])
    assert sorted(ids("?step=to_prepare")) == sorted([a.pk, k.pk])
    assert ids("?step=to_approve") == [b.pk]
    assert ids("?step=to_pay") == [c.pk]
    assert ids("?step=paid") == []
    assert ids(f"?plan={kolda_plan.pk}") == [k.pk]
    assert ids(f"?step=to_prepare&plan={plan.pk}") == [a.pk]
    page2 = call(finance, "get", "/api/instalments?page=2").json()
    assert page2 == {"items": [], "count": 4}
    # A Tambacounda coordinator follows Tambacounda payments only.
    assert sorted(ids(client=client_for("coord.tamba"))) == sorted([a.pk, b.pk, c.pk])
    assert sorted(ids(client=client_for("coord.national"))) == sorted([a.pk, b.pk, c.pk, k.pk])

    item = next(i for i in call(finance, "get", "/api/instalments?step=to_approve").json()["items"])
    assert item == {
        "id": b.pk,
        "plan": plan.pk,
        "case": plan.case_id,
        "case_number": plan.case.number,
        "measure": cash_measure(plan).pk,
        "assistance_type": {
            "id": cash_measure(plan).assistance_type_id,
            "code": "CASH",
            "name": "Cash",
        },
        "amount": "20000.00",
        "currency": "XOF",
        "milestone": "B",
        "due_on": None,
        "status": "PREPARED",
        "method": "MOBILE_MONEY",
        "payee": "Moussa Diallo",
        "account": "+221 77 100 0001",
        "reference": "",
        "cancel_reason": "",
        "created_by": {"id": users["cm.tamba"].pk, "name": str(users["cm.tamba"])},
        "prepared_by": {"id": users["finance"].pk, "name": str(users["finance"])},
        "prepared_at": item["prepared_at"],
        "approved_by": None,
        "approved_at": None,
        "paid_by": None,
        "paid_at": None,
        "version": 2,
    }
    assert item["prepared_at"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?step=bogus", "?plan=0", "?plan=abc", f"?plan={2**64}"])
def test_a_bad_query_answers_422(client_for, plan, query):
    response = call(client_for("finance"), "get", f"/api/instalments{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "me.officer", "fp.medical", "sysadmin"])
def test_the_payment_desk_is_for_finance_and_coordinators(client_for, plan, username):
    response = call(client_for(username), "get", "/api/instalments")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_those_who_read_a_plans_lines_list_its_instalments(client_for, users, plan):
    instalment = prepared(users, planned(users, plan))
    response = call(client_for("cm.tamba"), "get", f"/api/instalments?plan={plan.pk}")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == instalment.pk and item["payee"] == "Moussa Diallo"

    # M&E reads the plan's lines: the amounts, not the payment instruction.
    response = call(client_for("me.officer"), "get", f"/api/instalments?plan={plan.pk}")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["amount"] == "50000.00"
    assert item["payee"] is None and item["account"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.kolda", "fp.medical"])
def test_a_plan_out_of_reach_answers_404_in_the_list(client_for, users, plan, username):
    planned(users, plan)
    response = call(client_for(username), "get", f"/api/instalments?plan={plan.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_kolda_plan_is_out_of_scope_for_tambacounda(client_for, users, kolda_plan):
    planned(users, kolda_plan)
    response = call(client_for("coord.tamba"), "get", f"/api/instalments?plan={kolda_plan.pk}")
    assert response.status_code == 404


# --- planning an instalment -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_manager_plans_an_instalment(client_for, users, plan):
    response = add(
        client_for("cm.tamba"),
        plan,
        amount=75000.5,
        milestone="Business registered",
        due_on="2026-03-01",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    instalment = Instalment.objects.get()
    assert data["id"] == instalment.pk and data["plan"] == plan.pk
    assert (data["amount"], data["status"], data["version"]) == ("75000.50", "PLANNED", 1)
    assert (data["milestone"], data["due_on"]) == ("Business registered", "2026-03-01")
    assert data["created_by"]["id"] == users["cm.tamba"].pk
    assert AuditEvent.objects.filter(action="instalment.planned", target_id=instalment.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["finance", "coord.tamba", "coord.national", "me.officer"])
def test_only_the_case_manager_plans_instalments(client_for, plan, username):
    response = add(client_for(username), plan)
    assert response.status_code == 403
    assert not Instalment.objects.exists()


@pytest.mark.django_db
def test_instalments_are_planned_on_an_approved_plan_only(client_for, users, offices, catalogue):
    from reintegra.plans.tests.conftest import open_case

    plan = submitted(users["cm.tamba"], open_case(users, offices), catalogue, "1000", code="CASH")
    response = add(client_for("cm.tamba"), plan)
    assert response.status_code == 403
    assert not Instalment.objects.exists()


@pytest.mark.django_db
def test_a_plan_out_of_scope_answers_404(client_for, users, plan, kolda_plan):
    assert add(client_for("cm.tamba"), kolda_plan).status_code == 404
    assert add(client_for("cm.kolda"), plan).status_code == 404
    assert add(client_for("fp.medical"), plan).status_code == 404
    response = call(
        client_for("cm.tamba"),
        "post",
        "/api/plans/999999/instalments",
        {"measure": 1, "amount": "1", "milestone": "x"},
    )
    assert response.status_code == 404
    assert not Instalment.objects.exists()


@pytest.mark.django_db
def test_the_measures_cost_caps_its_instalments(client_for, plan):
    cm = client_for("cm.tamba")
    assert add(cm, plan, amount="150000").status_code == 201
    response = add(cm, plan, amount="50000.01")
    assert response.status_code == 422
    assert response.json()["code"] == "above_measure"
    assert response.json()["field"] == "amount"
    assert add(cm, plan, amount="50000").status_code == 201


@pytest.mark.django_db
def test_an_instalment_is_on_a_cash_measure_of_this_plan(client_for, plan, kolda_plan):
    cm = client_for("cm.tamba")
    in_kind = plan.measures.get(delivery_mode="IN_KIND")
    for measure in (in_kind.pk, cash_measure(kolda_plan).pk, 999999):
        response = add(cm, plan, measure=measure)
        assert response.status_code == 422
        assert response.json()["field"] == "measure"
    assert not Instalment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"amount": "abc"},
        {"amount": "NaN"},
        {"amount": "-1"},
        {"amount": 0},
        {"amount": None},
        {"amount": True},
        {"amount": "1" * 41},
        {"milestone": ""},
        {"milestone": "x" * 201},
        {"milestone": "nul\x00"},
        {"due_on": "not a date"},
        {"measure": 0},
        {"measure": "abc"},
        {"measure": 2**64},
        {"unknown": 1},
    ],
)
def test_bad_input_answers_422(client_for, plan, fields):
    response = add(client_for("cm.tamba"), plan, **fields)
    assert response.status_code == 422, response.content
    assert not Instalment.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_answers_422(client_for, plan):
    response = call(client_for("cm.tamba"), "post", f"/api/plans/{plan.pk}/instalments", raw="{")
    assert response.status_code == 422
    response = call(client_for("cm.tamba"), "post", f"/api/plans/{plan.pk}/instalments", raw="[]")
    assert response.status_code == 422


# --- reading one ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_instalment_is_read_in_scope_only(client_for, users, plan, kolda_plan):
    instalment = prepared(users, planned(users, plan))
    kolda = planned(users, kolda_plan)
    for username in ("finance", "coord.tamba", "cm.tamba"):
        response = call(client_for(username), "get", f"/api/instalments/{instalment.pk}")
        assert response.status_code == 200, username
        assert response.json()["payee"] == "Moussa Diallo"
    data = call(client_for("me.officer"), "get", f"/api/instalments/{instalment.pk}").json()
    assert data["amount"] == "50000.00" and data["payee"] is None and data["account"] is None

    for username in ("cm.kolda", "fp.medical", "fp.comms", "sysadmin"):
        response = call(client_for(username), "get", f"/api/instalments/{instalment.pk}")
        assert response.status_code == 404, username
    assert call(client_for("coord.tamba"), "get", f"/api/instalments/{kolda.pk}").status_code == 404
    assert call(client_for("finance"), "get", "/api/instalments/999999").status_code == 404
    for bad in ("0", "abc", str(2**64)):
        assert call(client_for("finance"), "get", f"/api/instalments/{bad}").status_code == 422


# --- moving an instalment ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_instalment_goes_from_planned_to_paid(
    client_for, users, checker_client, plan, tamba_line
):
    instalment = planned(users, plan, "50000")
    finance = client_for("finance")

    response = move(
        finance,
        instalment,
        "PREPARED",
        version=1,
        method="MOBILE_MONEY",
        payee="Moussa Diallo",
        account="+221 77 100 0001",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("PREPARED", 2)

    response = move(checker_client, instalment, "APPROVED", version=2)
    assert response.status_code == 200, response.content
    assert response.json()["approved_by"]["name"] == "Moussa Kane"

    response = move(finance, instalment, "PAID", version=3, reference="OM-12345")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["reference"], data["version"]) == ("PAID", "OM-12345", 4)
    assert data["paid_by"]["id"] == users["finance"].pk and data["paid_at"]

    tamba_line = fresh(tamba_line)
    assert (tamba_line.committed, tamba_line.spent) == (Decimal("250000.00"), Decimal("50000.00"))
    assert Commitment.objects.get(plan=plan).spent == Decimal("50000.00")
    line = call(finance, "get", "/api/budget-lines").json()["items"]
    assert {"code": "BL-TAM", "committed": "250000.00", "spent": "50000.00"}.items() <= next(
        x for x in line if x["code"] == "BL-TAM"
    ).items()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cm.tamba", "coord.tamba", "coord.national", "me.officer"])
def test_only_finance_prepares_the_payment(client_for, users, plan, username):
    instalment = planned(users, plan)
    response = move(
        client_for(username), instalment, "PREPARED", method="CASH", payee="Moussa Diallo"
    )
    assert response.status_code == 403
    assert fresh(instalment).status == InstalmentStatus.PLANNED


@pytest.mark.django_db
def test_the_preparer_does_not_approve(client_for, users, plan):
    instalment = prepared(users, planned(users, plan))
    response = move(client_for("finance"), instalment, "APPROVED")
    assert response.status_code == 403
    assert response.json()["code"] == "maker_checker"
    assert fresh(instalment).status == InstalmentStatus.PREPARED
    assert move(client_for("coord.tamba"), instalment, "APPROVED").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"payee": "Moussa Diallo", "account": "77"}, "method"),
        ({"method": "CHEQUE", "payee": "Moussa Diallo", "account": "77"}, "method"),
        ({"method": "BANK", "account": "77"}, "payee"),
        ({"method": "BANK", "payee": "Moussa Diallo"}, "account"),
        ({"method": "BANK", "payee": "Moussa Diallo", "account": "7" * 65}, "account"),
    ],
)
def test_the_instruction_is_checked(client_for, users, plan, fields, field):
    instalment = planned(users, plan)
    response = move(client_for("finance"), instalment, "PREPARED", **fields)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert fresh(instalment).status == InstalmentStatus.PLANNED


@pytest.mark.django_db
def test_paying_needs_a_reference_and_pays_once(client_for, users, checker, plan, tamba_line):
    instalment = to_pay(users, checker, plan)
    finance = client_for("finance")
    for reference in ("", "   ", "x" * 101):
        response = move(finance, instalment, "PAID", reference=reference)
        assert response.status_code == 422
        assert response.json()["field"] == "reference"
    assert move(finance, instalment, "PAID", reference="OM-1").status_code == 200

    for to, fields in [
        ("PAID", {"reference": "OM-2"}),
        ("PAID", {"reference": "OM-2", "version": 4}),
        ("PAID", {"reference": "OM-2", "version": 1}),
        ("CANCELLED", {"reason": "Mistake"}),
        ("PREPARED", {"method": "CASH", "payee": "x"}),
    ]:
        response = move(finance, instalment, to, **fields)
        assert response.status_code == 409, to
        assert response.json()["code"] == "conflict"
        assert "already paid" in response.json()["detail"]
    assert fresh(tamba_line).spent == Decimal("50000.00")
    assert fresh(instalment).reference == "OM-1"


@pytest.mark.django_db
def test_a_reference_pays_one_instalment(client_for, users, checker, plan):
    first = to_pay(users, checker, plan, "10000")
    second = to_pay(users, checker, plan, "20000")
    finance = client_for("finance")
    assert move(finance, first, "PAID", reference="OM-7").status_code == 200
    response = move(finance, second, "PAID", reference="OM-7")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert fresh(second).status == InstalmentStatus.APPROVED


@pytest.mark.django_db
def test_a_stale_version_answers_409_and_changes_nothing(client_for, users, plan):
    instalment = planned(users, plan)
    response = move(
        client_for("finance"),
        instalment,
        "PREPARED",
        version=7,
        method="CASH",
        payee="Moussa Diallo",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    instalment = fresh(instalment)
    assert (instalment.status, instalment.version, instalment.payee) == ("PLANNED", 1, "")
    assert not AuditEvent.objects.filter(action="instalment.prepared").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("to", "fields"),
    [
        ("APPROVED", {}),
        ("PAID", {"reference": "OM-1"}),
    ],
)
def test_a_move_that_does_not_apply_answers_422(
    client_for, users, checker_client, plan, to, fields
):
    instalment = planned(users, plan)
    response = move(checker_client, instalment, to, **fields)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"
    assert fresh(instalment).status == InstalmentStatus.PLANNED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"to": "PLANNED"},
        {"to": "BOGUS"},
        {"to": ""},
        {},
        {"to": "PREPARED", "version": -1},
        {"to": "PREPARED", "version": "abc"},
        {"to": "PAID", "reference": "x" * 101},
        {"to": "CANCELLED", "reason": "nul\x00"},
        {"to": "CANCELLED", "reason": "ok", "extra": 1},
    ],
)
def test_a_bad_move_answers_422(client_for, users, plan, body):
    instalment = planned(users, plan)
    response = call(
        client_for("finance"), "post", f"/api/instalments/{instalment.pk}/transitions", body
    )
    assert response.status_code == 422, response.content
    assert fresh(instalment).status == InstalmentStatus.PLANNED


@pytest.mark.django_db
def test_cancelling(client_for, users, plan):
    cm = client_for("cm.tamba")
    instalment = planned(users, plan)
    response = move(cm, instalment, "CANCELLED", reason="")
    assert response.status_code == 422 and response.json()["field"] == "reason"
    response = move(cm, instalment, "CANCELLED", reason="Not needed", version=1)
    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "Not needed"
    assert response.json()["status"] == "CANCELLED"
    # Cancelled stays cancelled.
    response = move(client_for("finance"), instalment, "CANCELLED", reason="Again")
    assert response.status_code == 422 and response.json()["code"] == "invalid_transition"

    # Once finance prepared it, the case manager no longer cancels it; finance does.
    other = prepared(users, planned(users, plan))
    assert move(cm, other, "CANCELLED", reason="Not needed").status_code == 403
    assert move(client_for("coord.tamba"), other, "CANCELLED", reason="x").status_code == 403
    response = move(client_for("finance"), other, "CANCELLED", reason="Wrong payee")
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"


@pytest.mark.django_db
def test_an_instalment_out_of_scope_answers_404(client_for, users, plan, kolda_plan):
    instalment = planned(users, plan)
    kolda = planned(users, kolda_plan)
    for username in ("cm.kolda", "fp.medical", "sysadmin"):
        response = move(client_for(username), instalment, "CANCELLED", reason="x")
        assert response.status_code == 404, username
    response = move(client_for("cm.tamba"), kolda, "CANCELLED", reason="x")
    assert response.status_code == 404
    response = call(
        client_for("finance"), "post", "/api/instalments/999999/transitions", {"to": "APPROVED"}
    )
    assert response.status_code == 404
    assert Instalment.objects.filter(status=InstalmentStatus.PLANNED).count() == 2


@pytest.mark.django_db
def test_a_payment_the_commitment_does_not_cover_answers_422(
    client_for, users, checker, plan, tamba_line
):
    """A plan revised since: its instalments are no longer paid (`plan_not_in_force`)."""
    from reintegra.plans import services as plans

    instalment = to_pay(users, checker, plan)
    cm = users["cm.tamba"]
    revision = plans.plan_submit(actor=cm, plan=plans.plan_start(actor=cm, case=plan.case))
    plans.plan_approve(actor=users["coord.tamba"], plan=revision, budget_line=tamba_line)
    response = move(client_for("finance"), instalment, "PAID", reference="OM-1")
    assert response.status_code == 422
    assert response.json()["code"] == "plan_not_in_force"
