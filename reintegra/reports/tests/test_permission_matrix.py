"""The generated permission matrix: every persona × every page and API operation × an in-scope
and an out-of-scope object.

The expected answer is not written by hand per persona: it is computed from the policy's own
predicates (`CaseAccess`, `people.permissions`, `principal`). What this test proves is that every
view and API operation applies them — out of scope answers 404, visible-but-not-allowed answers
403 — and that no page or operation exists without a row here.
"""

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.accounts.services import api_token_issue
from reintegra.cases import services
from reintegra.cases.choices import TRANSITIONS
from reintegra.cases.models import Case
from reintegra.cases.permissions import can_decide_handover
from reintegra.cases.selectors import case_visible_to, handover_get_for_user
from reintegra.demo.personas import PERSONAS
from reintegra.finance import permissions as finance_permissions
from reintegra.finance import reports as finance_reports
from reintegra.finance import services as finance
from reintegra.finance.selectors import instalment_get_for_user, purchase_get_for_user
from reintegra.finance.tests.test_purchase_pages import png_data_url
from reintegra.instruments import imports as instrument_imports
from reintegra.instruments import services as instruments
from reintegra.instruments.permissions import (
    can_edit_response,
    can_export,
    can_fill,
    can_manage_instruments,
    can_view_instruments,
)
from reintegra.instruments.selectors import import_get_for_user, response_get_for_user
from reintegra.instruments.xlsform import build_xlsform
from reintegra.monitoring import services as monitoring
from reintegra.monitoring.permissions import (
    can_cancel_visit,
    can_record_visit,
    can_view_dashboard,
    can_view_visits,
)
from reintegra.monitoring.selectors import visit_get_for_user
from reintegra.people import services as people
from reintegra.people.permissions import can_edit_person, can_register_person, can_view_people
from reintegra.people.selectors import returnee_visible_to
from reintegra.plans import permissions as plan_permissions
from reintegra.plans import services as plans
from reintegra.plans.models import AssistanceType
from reintegra.plans.selectors import budget_lines_for, plan_get_for_user
from reintegra.providers import services as providers
from reintegra.providers.permissions import (
    can_add_provider,
    can_edit_provider,
    can_view_providers,
    keeping_offices,
)
from reintegra.referrals import permissions as referral_permissions
from reintegra.referrals import services as referrals
from reintegra.referrals.selectors import referral_get_for_user
from reintegra.reports.api_root import api
from reintegra.reports.tests import (
    matrix_access_ops,
    matrix_communication,
    matrix_feedback,
    matrix_privacy,
    matrix_projects,
    matrix_retention,
    matrix_sections,
    matrix_structural,
)
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World, always

USERNAMES = [p.username for p in PERSONAS]
# The later areas keep their rows in their own modules (see matrix_base).
AREAS = (
    matrix_projects,
    matrix_structural,
    matrix_communication,
    matrix_feedback,
    matrix_sections,
    matrix_access_ops,
    matrix_privacy,
    matrix_retention,
)
KINDS: dict[str, Kind] = {kind: k for area in AREAS for kind, k in area.KINDS.items()}
RESTRICTED = ("PROTECTION", "MEDICAL", "PSYCHOSOCIAL")


# --- the world ----------------------------------------------------------------------------------


def _person(actor, office, given, family):
    return people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name=family,
        sex="M",
        date_of_birth=datetime.date(1994, 1, 1),
    )


def _case(actor, office, given, family) -> Case:
    return services.case_open(
        actor=actor, person=_person(actor, office, given, family), office=office
    )


def _consent(actor, person):
    return people.consent_record(
        actor=actor,
        person=person,
        purpose="CASE_MANAGEMENT",
        given_on=datetime.date.today(),
        language="Wolof",
    )


@pytest.fixture
def world(offices, users, settings, tmp_path) -> World:
    settings.PRIVATE_FILES_DIR = tmp_path
    cm, rabat, coord = users["cm.tamba"], users["cm.rabat"], users["coord.tamba"]
    case = _case(cm, offices["TAM"], "Aliou", "Sané")
    services.case_assign(actor=coord, case=case, user=users["cm.psy"], role="SPECIALIST")
    for flag in ("PROTECTION", "MEDICAL"):
        services.case_flag_set(actor=cm, case=case, flag=flag, value=True)
    services.note_add(actor=cm, case=case, body="Counselling session")
    services.note_add(actor=users["cm.psy"], case=case, body="Session", tier="PSYCHOSOCIAL")
    task = services.task_add(actor=cm, case=case, title="Call", due_on=datetime.date.today())
    document = services.document_attach(
        actor=cm,
        case=case,
        doc_type="OTHER",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    consent = _consent(cm, case.person)
    closed = _case(cm, offices["TAM"], "Samba", "Camara")
    closed = services.case_close(actor=cm, case=closed, reason="MOVED_AWAY")
    pre = _case(rabat, offices["RBT"], "Lamine", "Touré")
    handover = services.handover_request(
        actor=rabat,
        case=pre,
        to_office=offices["TAM"],
        consent=_consent(rabat, pre.person),
        sections=["IDENTITY"],
    )
    handover_kolda_case = _case(rabat, offices["RBT"], "Modou", "Faye")
    handover_kolda = services.handover_request(
        actor=rabat,
        case=handover_kolda_case,
        to_office=offices["KLD"],
        consent=_consent(rabat, handover_kolda_case.person),
        sections=["IDENTITY"],
    )
    kolda = _case(users["cm.kolda"], offices["KLD"], "Binta", "Kandé")
    _consent(users["cm.kolda"], kolda.person)
    rabat_other = _case(rabat, offices["RBT"], "Cheikh", "Sylla")
    _consent(rabat, rabat_other.person)
    version = instruments.instrument_upload(
        actor=users["me.officer"], data=small_form("matrix"), filename="matrix.xlsx"
    )
    response, _ = instruments.response_record(
        actor=cm, case=case, version=version, answers=form_answers(case), source="API"
    )
    draft = instruments.response_start(actor=cm, case=case, instrument=version.instrument)
    kolda_response, _ = instruments.response_record(
        actor=users["cm.kolda"],
        case=kolda,
        version=version,
        answers=form_answers(kolda),
        source="API",
    )
    bad_rows = b"case_number;q;_uuid\nTAM-1999-000009;a;u-1\n"
    job = instrument_imports.import_start(
        actor=users["me.officer"], instrument=version.instrument, data=bad_rows, filename="e.csv"
    )
    other_job = instrument_imports.import_start(
        actor=users["coord.national"], instrument=version.instrument, data=bad_rows, filename="f"
    )
    provider = providers.provider_create(
        actor=users["cm.kolda"], office=offices["KLD"], name="Clinique", kind="PUBLIC"
    )
    providers.service_add(
        actor=users["cm.kolda"], provider=provider, category="HEALTH_PRIMARY", name="Soins"
    )
    jobs = providers.provider_create(
        actor=coord, office=offices["TAM"], name="Agence emploi", kind="PUBLIC"
    )
    job = providers.service_add(actor=coord, provider=jobs, category="JOB_PLACEMENT", name="Jobs")
    override = referrals.referral_create(
        actor=cm,
        case=case,
        service=job,
        reason="Emergency",
        override_ground="LIFE_AT_RISK",
        override_reason="Unconscious, no relative reachable",
    )
    people.consent_record(
        actor=cm,
        person=case.person,
        purpose="REFERRAL",
        given_on=datetime.date.today(),
        language="Wolof",
    )
    referral = referrals.referral_create(actor=cm, case=case, service=job, reason="Work")
    medical = referrals.referral_create(
        actor=cm, case=case, service=provider.services.get(), reason="Check-up"
    )
    link, _token = referrals.link_issue(actor=cm, referral=referral)
    people.consent_record(
        actor=users["cm.kolda"],
        person=kolda.person,
        purpose="REFERRAL",
        given_on=datetime.date.today(),
        language="Pulaar",
    )
    kolda_referral = referrals.referral_create(
        actor=users["cm.kolda"], case=kolda, service=job, reason="Work"
    )
    plans.catalogue_load(actor=users["coord.national"])
    kit = AssistanceType.objects.get(code="MICRO_BUSINESS")
    draft_plan = plans.plan_start(actor=cm, case=case)
    measure = plans.measure_add(actor=cm, plan=draft_plan, assistance_type=kit, estimated_cost=5)
    item = plans.item_add(actor=cm, plan=draft_plan, description="Kit", quantity=1, unit_cost=5)
    second = _case(cm, offices["TAM"], "Ousmane", "Diatta")
    submitted_plan = plans.plan_start(actor=cm, case=second)
    plans.measure_add(actor=cm, plan=submitted_plan, assistance_type=kit, estimated_cost=5)
    submitted_plan = plans.plan_submit(actor=cm, plan=submitted_plan)
    kolda_plan = plans.plan_start(actor=users["cm.kolda"], case=kolda)
    tam_line = plans.budget_line_create(
        actor=coord, office=offices["TAM"], code="TAM-1", name="Grants", donor="EU", amount=100
    )
    kolda_line = plans.budget_line_create(
        actor=users["coord.national"],
        office=offices["KLD"],
        code="KLD-1",
        name="Grants",
        donor="EU",
        amount=100,
    )
    cash = AssistanceType.objects.get(code="CASH")

    def approved(actor, approver, office, line, given, family):
        plan = plans.plan_start(actor=actor, case=_case(actor, office, given, family))
        measure = plans.measure_add(actor=actor, plan=plan, assistance_type=cash, estimated_cost=5)
        in_kind = plans.measure_add(actor=actor, plan=plan, assistance_type=kit, estimated_cost=5)
        plan = plans.plan_submit(actor=actor, plan=plan)
        plan = plans.plan_approve(actor=approver, plan=plan, budget_line=line)
        instalment = finance.instalment_add(
            actor=actor, plan=plan, measure=measure, amount=5, milestone="On arrival"
        )
        purchase = finance.purchase_start(actor=users["finance"], plan=plan, measure=in_kind)
        return plan, instalment, purchase

    approved_plan, instalment, purchase = approved(cm, coord, offices["TAM"], tam_line, "Awa", "Sy")
    _kolda_plan, kolda_instalment, kolda_purchase = approved(
        users["cm.kolda"], users["coord.national"], offices["KLD"], kolda_line, "Saly", "Diop"
    )
    supplier = finance.supplier_save(actor=users["finance"], name="Quincaillerie")
    quotation = finance.quotation_add(
        actor=users["finance"],
        request=purchase,
        supplier=supplier,
        amount=5,
        received_on=datetime.date.today(),
    )
    purchase = finance.purchase_order(
        actor=users["finance"],
        request=purchase,
        quotation=quotation,
        justification="Cheapest",
        order_number="PO-1",
    )
    purchase = finance.goods_receive(
        actor=users["finance"], request=purchase, received_on=datetime.date.today()
    )
    finance.certificate_issue(
        actor=users["finance"],
        request=purchase,
        handed_over_on=datetime.date.today(),
        signed_by="Awa Sy",
        signature=png_data_url(),
    )
    [visit, *_later] = monitoring.visits_schedule(actor=coord, case=case)
    [kolda_visit, *_rest] = monitoring.visits_schedule(actor=users["coord.national"], case=kolda)
    case.refresh_from_db()
    world = World(
        {
            "case": case,
            "task": task,
            "document": document,
            "consent": consent,
            "closed": closed,
            "pre": pre,
            "handover": handover,
            "handover_kolda": handover_kolda,
            "out_cases": [rabat_other, kolda],
            "out_handovers": [handover_kolda, handover],
            "instrument": version.instrument,
            "response": response,
            "draft": draft,
            "out_responses": [kolda_response],
            "visit": visit,
            "out_visits": [kolda_visit],
            "import": job,
            "out_imports": [other_job],
            "provider": provider,
            "service": job,
            "referral": referral,
            "medical_referral": medical,
            "override_referral": override,
            "link": link,
            "out_referrals": [kolda_referral],
            "plan": draft_plan,
            "measure": measure,
            "item": item,
            "submitted_plan": submitted_plan,
            "out_plans": [kolda_plan],
            "kit": kit,
            "budget_line": tam_line,
            "out_budget_lines": [kolda_line],
            "approved_plan": approved_plan,
            "instalment": instalment,
            "out_instalments": [kolda_instalment],
            "purchase": purchase,
            "out_purchases": [kolda_purchase],
            "supplier": supplier,
        }
    )
    for area in AREAS:
        area.build(world, offices, users)
    for value in world.objects.values():  # the areas may have written on the cases (timeline)
        if isinstance(value, Case):
            value.refresh_from_db()
    return world


def small_form(form_id: str) -> bytes:
    return build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "required", "dimension"],
                ["text", "case_number", "Case number", "yes", ""],
                ["select_one ab", "q", "Q", "yes", "d"],
            ],
            "choices": [
                ["list_name", "name", "label", "score"],
                ["ab", "a", "A", 1],
                ["ab", "b", "B", 0],
            ],
            "settings": [["form_id", "case_field"], [form_id, "case_number"]],
        }
    )


def form_answers(case: Case) -> dict[str, Any]:
    return {"case_number": case.number, "q": "a"}


# --- the routes ---------------------------------------------------------------------------------


def sysadmin(ctx: Ctx) -> bool:
    return principal(ctx.user).is_sysadmin


def opens_cases(ctx: Ctx) -> bool:
    return principal(ctx.user).has_role(Role.CASE_MANAGER, Role.COORDINATOR)


def next_stage(ctx: Ctx) -> dict[str, Any]:
    return {
        "to_stage": TRANSITIONS[ctx.obj.stage][0] if TRANSITIONS[ctx.obj.stage] else "",
        "version": ctx.obj.version,
    }


def reads_notes(ctx: Ctx) -> bool:
    a = ctx.access
    return any(a.can_read_tier(t) for t in ("CASE", *RESTRICTED)) or any(
        a.knows_tier(t) for t in RESTRICTED
    )


def writable_tier(ctx: Ctx) -> str:
    if ctx.access.can_edit:
        return "CASE"
    return next((t for t in RESTRICTED if ctx.access.can_write_tier(t)), "CASE")


def writes_notes(ctx: Ctx) -> bool:
    return ctx.access.can_edit or any(ctx.access.can_write_tier(t) for t in RESTRICTED)


PAGES = [
    Route("home", "GET", "none", always),
    Route("cases:list", "GET", "none", always),
    Route("cases:handovers", "GET", "none", always),
    Route(
        "cases:new",
        "GET",
        "person",
        opens_cases,
        kwargs=lambda ctx: {"query": {"person": ctx.obj.pk}},
        takes_pk=False,
    ),
    Route("cases:detail", "GET", "case", always),
    Route("cases:timeline", "GET", "case", always),
    Route("cases:notes", "GET", "case", reads_notes),
    Route("cases:history", "GET", "case", lambda ctx: ctx.access.can_view_history),
    Route("cases:transition", "POST", "case", lambda ctx: ctx.access.can_edit, next_stage),
    Route(
        "cases:note_add",
        "POST",
        "case",
        writes_notes,
        lambda ctx: {
            "body": "Follow-up",
            "tier": writable_tier(ctx),
            "written_on": datetime.date.today().isoformat(),
        },
    ),
    Route(
        "cases:task_add",
        "POST",
        "case",
        lambda ctx: ctx.access.can_edit,
        lambda ctx: {"title": "Visit", "due_on": datetime.date.today().isoformat()},
    ),
    Route(
        "cases:task_done",
        "POST",
        "case",
        lambda ctx: ctx.access.can_edit,
        kwargs=lambda ctx: {"task_id": ctx.world["task"].pk},
    ),
    Route(
        "cases:document_add",
        "POST",
        "case",
        lambda ctx: ctx.access.can_edit,
        lambda ctx: {
            "doc_type": "OTHER",
            "title": "Scan",
            "file": SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"),
        },
    ),
    Route(
        "cases:document_download",
        "GET",
        "case",
        lambda ctx: ctx.access.can_read_tier(ctx.world["document"].tier),
        denied=404,
        kwargs=lambda ctx: {"doc_id": ctx.world["document"].pk},
    ),
    Route(
        "cases:assign",
        "POST",
        "case",
        lambda ctx: ctx.access.can_assign,
        lambda ctx: {"user": ctx.world.objects.get("assignee", ""), "role": "SPECIALIST"},
    ),
    Route(
        "cases:unassign",
        "POST",
        "case",
        lambda ctx: ctx.access.can_assign,
        lambda ctx: {
            "assignment": ctx.obj.assignments.filter(ended_at__isnull=True)
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
            or ""
        },
    ),
    Route(
        "cases:flag",
        "POST",
        "case",
        lambda ctx: ctx.access.can_set_flag("PROTECTION"),
        lambda ctx: {"flag": "PROTECTION", "value": "0"},
    ),
    Route(
        "cases:close",
        "POST",
        "case",
        lambda ctx: ctx.access.can_close,
        lambda ctx: {"reason": "MOVED_AWAY", "version": ctx.obj.version},
    ),
    Route(
        "cases:reopen",
        "POST",
        "closed",
        lambda ctx: ctx.access.can_reopen,
        lambda ctx: {"reason": "Back", "to_stage": "ASSESSMENT", "version": ctx.obj.version},
    ),
    Route(
        "cases:handover",
        "POST",
        "pre",
        lambda ctx: ctx.access.can_handover,
        lambda ctx: {"sections": ["IDENTITY"]},
    ),
    Route("cases:handover_detail", "GET", "handover", always),
    Route(
        "cases:handover_accept",
        "POST",
        "handover",
        lambda ctx: can_decide_handover(ctx.user, ctx.obj),
    ),
    Route(
        "cases:handover_refuse",
        "POST",
        "handover",
        lambda ctx: can_decide_handover(ctx.user, ctx.obj),
        lambda ctx: {"reason": "No"},
    ),
    Route(
        "cases:person_cases",
        "GET",
        "person",
        always,
        kwargs=lambda ctx: {"person_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("people:list", "GET", "none", lambda ctx: can_view_people(ctx.user)),
    Route("people:new", "GET", "none", lambda ctx: can_register_person(ctx.user)),
    Route("people:duplicates", "GET", "none", lambda ctx: can_register_person(ctx.user)),
    Route("people:detail", "GET", "person", always),
    Route("people:edit", "GET", "person", lambda ctx: can_edit_person(ctx.user, ctx.obj)),
    Route(
        "people:household_add",
        "POST",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {"name": "Awa", "relationship": "SPOUSE"},
    ),
    Route(
        "people:document_add",
        "POST",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {"kind": "PASSPORT", "number": "A123"},
    ),
    Route(
        "people:consent_add",
        "POST",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {
            "purpose": "MONITORING",
            "language": "Wolof",
            "given_on": datetime.date.today().isoformat(),
        },
    ),
    Route(
        "people:consent_withdraw",
        "POST",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {"reason": "Asked"},
        kwargs=lambda ctx: {"consent_id": ctx.world["consent"].pk},
    ),
    Route("instruments:list", "GET", "none", lambda ctx: can_view_instruments(ctx.user)),
    Route(
        "instruments:upload",
        "POST",
        "none",
        lambda ctx: can_manage_instruments(ctx.user),
        lambda ctx: {"file": SimpleUploadedFile("page.xlsx", small_form("page_upload"))},
    ),
    Route(
        "instruments:detail",
        "GET",
        "instrument",
        lambda ctx: can_view_instruments(ctx.user),
        denied=404,
    ),
    Route(
        "instruments:download",
        "GET",
        "instrument",
        lambda ctx: can_view_instruments(ctx.user),
        denied=404,
        kwargs=lambda ctx: {"number": 1},
    ),
    Route(
        "instruments:export",
        "GET",
        "instrument",
        lambda ctx: can_export(ctx.user),
        kwargs=lambda ctx: {"fmt": "csv"},
    ),
    Route(
        "instruments:import",
        "GET",
        "instrument",
        lambda ctx: can_manage_instruments(ctx.user),
    ),
    Route("instruments:import_job", "GET", "import", always),
    Route("instruments:import_valid", "POST", "import", always),
    Route(
        "instruments:case_panel",
        "GET",
        "case",
        always,
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route(
        "instruments:start",
        "POST",
        "case",
        lambda ctx: can_fill(ctx.access, "CASE"),
        lambda ctx: {"instrument": ctx.world["instrument"].pk},
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("instruments:response", "GET", "response", always),
    Route(
        "instruments:refresh",
        "POST",
        "draft",
        lambda ctx: can_edit_response(ctx.access, ctx.obj),
        lambda ctx: {"q": "b"},
    ),
    Route(
        "instruments:discard",
        "POST",
        "draft",
        lambda ctx: can_edit_response(ctx.access, ctx.obj),
        lambda ctx: {"version": ctx.obj.version},
    ),
    Route("monitoring:visits", "GET", "none", lambda ctx: can_view_visits(ctx.user)),
    Route("monitoring:visit", "GET", "visit", always),
    Route("monitoring:visit_start", "POST", "visit", lambda ctx: can_record_visit(ctx.access)),
    Route(
        "monitoring:visit_cancel",
        "POST",
        "visit",
        lambda ctx: can_cancel_visit(ctx.access),
        lambda ctx: {"reason": "Moved away"},
    ),
    Route("monitoring:dashboard", "GET", "none", lambda ctx: can_view_dashboard(ctx.user)),
    Route(
        "referrals:list",
        "GET",
        "none",
        lambda ctx: referral_permissions.can_view_referrals(ctx.user),
    ),
    Route(
        "referrals:statistics",
        "GET",
        "none",
        lambda ctx: referral_permissions.can_view_statistics(ctx.user),
    ),
    Route(
        "referrals:case_panel",
        "GET",
        "case",
        always,
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route(
        "referrals:new",
        "GET",
        "case",
        lambda ctx: referral_permissions.can_refer(ctx.access),
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("referrals:detail", "GET", "referral", always),
    Route("referrals:detail", "GET", "medical_referral", always),
    Route(
        "referrals:transition",
        "POST",
        "referral",
        lambda ctx: referral_permissions.can_transition(ctx.user, ctx.access, ctx.obj, "ACCEPTED"),
        lambda ctx: {"to": "ACCEPTED", "version": ctx.obj.version},
    ),
    Route(
        "referrals:transition",
        "POST",
        "medical_referral",
        lambda ctx: referral_permissions.can_transition(ctx.user, ctx.access, ctx.obj, "ACCEPTED"),
        lambda ctx: {"to": "ACCEPTED", "version": ctx.obj.version},
    ),
    Route(
        "referrals:review",
        "POST",
        "override_referral",
        lambda ctx: referral_permissions.can_review_override(ctx.access, ctx.obj),
        lambda ctx: {"note": "Justified"},
    ),
    Route(
        "referrals:print",
        "GET",
        "referral",
        lambda ctx: referral_permissions.can_read(ctx.access, ctx.obj),
    ),
    Route(
        "referrals:link_issue",
        "POST",
        "referral",
        lambda ctx: referral_permissions.can_issue_link(ctx.access, ctx.obj),
    ),
    Route(
        "referrals:link_revoke",
        "POST",
        "referral",
        lambda ctx: referral_permissions.can_manage(ctx.access, ctx.obj),
        kwargs=lambda ctx: {"link_id": ctx.world["link"].pk},
    ),
    Route(
        "finance:payments",
        "GET",
        "none",
        lambda ctx: finance_permissions.can_view_payments(ctx.user),
    ),
    Route("finance:reports", "GET", "none", lambda ctx: finance_reports.can_view_reports(ctx.user)),
    Route(
        "finance:purchases",
        "GET",
        "none",
        lambda ctx: finance_permissions.can_view_payments(ctx.user),
    ),
    Route(
        "finance:purchase_start",
        "POST",
        "approved_plan",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {"measure": getattr(ctx.obj.measures.last(), "pk", 0)},
        kwargs=lambda ctx: {"plan_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("finance:purchase", "GET", "purchase", always),
    Route("finance:certificate", "GET", "purchase", always),
    Route(
        "finance:quotation_add",
        "POST",
        "purchase",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {
            "supplier": ctx.world["supplier"].pk,
            "amount": "4",
            "received_on": "2026-11-20",
        },
    ),
    Route(
        "finance:purchase_move",
        "POST",
        "purchase",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {"to": "CANCELLED", "reason": "No longer needed", "version": ctx.obj.version},
    ),
    Route(
        "finance:suppliers",
        "GET",
        "none",
        lambda ctx: finance_permissions.can_view_suppliers(ctx.user),
    ),
    Route(
        "finance:supplier_add",
        "POST",
        "none",
        lambda ctx: finance_permissions.can_manage_suppliers(ctx.user),
        lambda ctx: {"name": "Atelier"},
    ),
    Route(
        "finance:report_export",
        "GET",
        "none",
        lambda ctx: finance_reports.can_view_reports(ctx.user),
        kwargs=lambda ctx: {"key": "lines", "fmt": "xlsx"},
    ),
    Route(
        "finance:plan_panel",
        "GET",
        "approved_plan",
        always,
        kwargs=lambda ctx: {"plan_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route(
        "finance:instalment_add",
        "POST",
        "approved_plan",
        lambda ctx: finance_permissions.can_plan_instalments(ctx.access, ctx.obj),
        lambda ctx: {
            "measure": getattr(ctx.obj.measures.first(), "pk", 0),
            "amount": "1",
            "milestone": "Later",
        },
        kwargs=lambda ctx: {"plan_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route(
        "finance:instalment_move",
        "POST",
        "instalment",
        lambda ctx: finance_permissions.can_move(ctx.user, ctx.access, ctx.obj, "PREPARED"),
        lambda ctx: {"to": "PREPARED", "method": "CASH", "payee": "A", "version": ctx.obj.version},
    ),
    Route("plans:approvals", "GET", "none", lambda ctx: plan_permissions.can_view_setup(ctx.user)),
    Route("plans:setup", "GET", "none", lambda ctx: plan_permissions.can_view_setup(ctx.user)),
    Route(
        "plans:catalogue_load",
        "POST",
        "none",
        lambda ctx: plan_permissions.can_edit_catalogue(ctx.user),
    ),
    Route(
        "plans:type_add",
        "POST",
        "none",
        lambda ctx: plan_permissions.can_edit_catalogue(ctx.user),
        lambda ctx: {"code": "X1", "name": "X", "dimension": "SOCIAL", "delivery_mode": "CASH"},
    ),
    Route(
        "plans:type_edit",
        "POST",
        "none",
        lambda ctx: plan_permissions.can_edit_catalogue(ctx.user),
        lambda ctx: {"ceiling": "10", "is_active": "on"},
        kwargs=lambda ctx: {"pk": ctx.world["kit"].pk},
    ),
    Route(
        "plans:option_add",
        "POST",
        "none",
        lambda ctx: plan_permissions.can_edit_catalogue(ctx.user),
        lambda ctx: {"dimension": "ECONOMIC", "approach": "Cash"},
    ),
    Route(
        "plans:line_add",
        "POST",
        "none",
        lambda ctx: bool(plan_permissions.budget_offices(ctx.user)),
        lambda ctx: {
            "office": min(plan_permissions.budget_offices(ctx.user) or {1}),
            "code": "L2",
            "name": "L",
            "donor": "D",
            "amount": "5",
        },
    ),
    Route(
        "plans:line_edit",
        "POST",
        "budget_line",
        lambda ctx: plan_permissions.can_edit_budget_line(ctx.user, ctx.obj),
        lambda ctx: {"amount": "200", "version": ctx.obj.version},
    ),
    Route(
        "plans:case",
        "GET",
        "case",
        lambda ctx: plan_permissions.can_read_lines(ctx.access),
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route(
        "plans:start",
        "POST",
        "case",
        lambda ctx: plan_permissions.can_draft(ctx.access),
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("plans:detail", "GET", "plan", always),
    Route(
        "plans:update",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"version": ctx.obj.version, "summary_social": "Housing"},
    ),
    Route(
        "plans:measure_add",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"assistance_type": ctx.world["kit"].pk, "estimated_cost": "5"},
    ),
    Route(
        "plans:measure_remove",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        kwargs=lambda ctx: {"measure_id": ctx.world["measure"].pk},
    ),
    Route(
        "plans:measure_referral",
        "POST",
        "plan",
        lambda ctx: ctx.access.can_edit,
        lambda ctx: {"referral": ctx.world["referral"].pk},
        kwargs=lambda ctx: {"measure_id": ctx.world["measure"].pk},
    ),
    Route(
        "plans:item_add",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"description": "Tools", "quantity": "1", "unit_cost": "5"},
    ),
    Route(
        "plans:item_remove",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        kwargs=lambda ctx: {"item_id": ctx.world["item"].pk},
    ),
    Route(
        "plans:transition",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"to": "SUBMITTED", "version": ctx.obj.version},
    ),
    Route(
        "plans:transition",
        "POST",
        "submitted_plan",
        lambda ctx: plan_permissions.can_decide(ctx.access, ctx.obj),
        lambda ctx: {"to": "RETURNED", "version": ctx.obj.version, "comment": "More detail"},
    ),
    Route("providers:list", "GET", "none", lambda ctx: can_view_providers(ctx.user)),
    Route("providers:new", "GET", "none", lambda ctx: can_add_provider(ctx.user)),
    Route("providers:import", "GET", "none", lambda ctx: can_add_provider(ctx.user)),
    Route("providers:map", "GET", "none", lambda ctx: can_view_providers(ctx.user)),
    Route(
        "providers:export",
        "GET",
        "none",
        lambda ctx: can_view_providers(ctx.user),
        kwargs=lambda ctx: {"fmt": "csv"},
    ),
    Route("providers:detail", "GET", "provider", always),
    Route("providers:edit", "GET", "provider", lambda ctx: can_edit_provider(ctx.user, ctx.obj)),
    Route("providers:verify", "POST", "provider", lambda ctx: can_edit_provider(ctx.user, ctx.obj)),
    Route(
        "providers:service_add",
        "POST",
        "provider",
        lambda ctx: can_edit_provider(ctx.user, ctx.obj),
        lambda ctx: {"category": "LEGAL", "name": "Conseil"},
    ),
    Route(
        "providers:service_withdraw",
        "POST",
        "provider",
        lambda ctx: can_edit_provider(ctx.user, ctx.obj),
        lambda ctx: {"service": ctx.obj.services.first().pk},
    ),
    Route("console:index", "GET", "none", sysadmin, denied=404),
    Route("console:offices", "GET", "none", sysadmin, denied=404),
    Route("console:office_edit", "GET", "office", sysadmin, denied=404),
    Route("console:users", "GET", "none", sysadmin, denied=404),
    Route("console:user_detail", "GET", "console", sysadmin, denied=404),
    Route(
        "console:role_assign",
        "POST",
        "console",
        sysadmin,
        denied=404,
        data=lambda ctx: {"role": "FINANCE"},
    ),
    Route(
        "console:role_revoke",
        "POST",
        "console",
        sysadmin,
        denied=404,
        kwargs=lambda ctx: {"assignment_id": ctx.obj.assignments.get().pk},
    ),
    Route("console:user_deactivate", "POST", "console", sysadmin, denied=404),
    Route(
        "console:policy",
        "GET",
        "none",
        lambda ctx: principal(ctx.user).has_role(Role.SYSADMIN, Role.COORDINATOR),
        denied=404,
    ),
]

# Operations of the API: (method, path template) -> route.
API = {
    ("GET", "/api/me"): Route("me", "GET", "none", always),
    ("GET", "/api/offices"): Route("offices", "GET", "none", always),
    ("GET", "/api/people"): Route("people", "GET", "none", always),
    ("POST", "/api/people"): Route(
        "people.create",
        "POST",
        "none",
        lambda ctx: can_register_person(ctx.user),
        lambda ctx: {
            "given_names": "A",
            "family_name": "B",
            "sex": "M",
            "office_id": ctx.world["case"].office_id,
        },
        denied=422,
    ),
    ("GET", "/api/people/{person_id}"): Route("person", "GET", "person", always),
    ("PATCH", "/api/people/{person_id}"): Route(
        "person.update",
        "PATCH",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {"version": ctx.obj.version, "commune": "Kidira"},
    ),
    ("GET", "/api/people/{person_id}/consents"): Route("consents", "GET", "person", always),
    ("POST", "/api/people/{person_id}/consents"): Route(
        "consents.create",
        "POST",
        "person",
        lambda ctx: can_edit_person(ctx.user, ctx.obj),
        lambda ctx: {
            "purpose": "MONITORING",
            "language": "Wolof",
            "given_on": datetime.date.today().isoformat(),
        },
    ),
    ("POST", "/api/consents/{consent_id}/withdraw"): Route(
        "consent.withdraw",
        "POST",
        "consent",
        lambda ctx: can_edit_person(ctx.user, ctx.obj.person),
        lambda ctx: {"reason": "Asked"},
    ),
    ("GET", "/api/cases"): Route("cases", "GET", "none", always),
    ("POST", "/api/cases"): Route(
        "cases.create",
        "POST",
        "person",
        opens_cases,
        lambda ctx: {"person_id": ctx.obj.pk, "office_id": ctx.obj.office_id},
        denied=422,
    ),
    ("GET", "/api/cases/{case_id}"): Route("case", "GET", "case", always),
    ("PATCH", "/api/cases/{case_id}"): Route(
        "case.update",
        "PATCH",
        "case",
        lambda ctx: ctx.access.can_set_flag("MEDICAL"),
        lambda ctx: {"version": ctx.obj.version, "flags": {"medical": False}},
    ),
    ("POST", "/api/cases/{case_id}/transitions"): Route(
        "case.transition", "POST", "case", lambda ctx: ctx.access.can_edit, next_stage
    ),
    ("GET", "/api/cases/{case_id}/notes"): Route(
        "notes",
        "GET",
        "case",
        lambda ctx: any(ctx.access.can_read_tier(t) for t in ("CASE", *RESTRICTED)),
    ),
    ("POST", "/api/cases/{case_id}/notes"): Route(
        "notes.create",
        "POST",
        "case",
        lambda ctx: ctx.access.can_edit,
        lambda ctx: {"body": "Follow-up"},
    ),
    ("POST", "/api/cases/{case_id}/handovers"): Route(
        "handover.create",
        "POST",
        "pre",
        lambda ctx: ctx.access.can_handover,
        lambda ctx: {
            "to_office_id": ctx.world["case"].office_id,
            "consent_id": ctx.world["pre"].person.consents.get().pk,
            "sections": ["IDENTITY"],
        },
    ),
    ("POST", "/api/handovers/{handover_id}/accept"): Route(
        "handover.accept", "POST", "handover", lambda ctx: can_decide_handover(ctx.user, ctx.obj)
    ),
    ("POST", "/api/handovers/{handover_id}/refuse"): Route(
        "handover.refuse",
        "POST",
        "handover",
        lambda ctx: can_decide_handover(ctx.user, ctx.obj),
        lambda ctx: {"reason": "No"},
    ),
    ("GET", "/api/instruments"): Route(
        "instruments", "GET", "none", lambda ctx: can_view_instruments(ctx.user)
    ),
    ("POST", "/api/instruments"): Route(
        "instruments.create",
        "POST",
        "none",
        lambda ctx: can_manage_instruments(ctx.user),
        lambda ctx: {"file": SimpleUploadedFile("api.xlsx", small_form("api_upload"))},
    ),
    ("GET", "/api/instruments/{instrument_id}"): Route(
        "instrument", "GET", "instrument", lambda ctx: can_view_instruments(ctx.user), denied=404
    ),
    ("GET", "/api/responses"): Route("responses", "GET", "none", always),
    ("POST", "/api/responses"): Route(
        "responses.create",
        "POST",
        "case",
        lambda ctx: can_fill(ctx.access, "CASE"),
        lambda ctx: {
            "instrument": ctx.world["instrument"].pk,
            "case": ctx.obj.pk,
            "answers": form_answers(ctx.obj),
        },
    ),
    ("GET", "/api/responses/{response_id}"): Route("response", "GET", "response", always),
    ("POST", "/api/instruments/{instrument_id}/imports"): Route(
        "imports.create",
        "POST",
        "instrument",
        lambda ctx: can_manage_instruments(ctx.user),
        lambda ctx: {"file": SimpleUploadedFile("e.csv", b"case_number;q;_uuid\n")},
    ),
    ("GET", "/api/imports/{import_id}"): Route("import", "GET", "import", always),
    ("GET", "/api/providers"): Route(
        "providers", "GET", "none", lambda ctx: can_view_providers(ctx.user)
    ),
    ("POST", "/api/providers"): Route(
        "providers.create",
        "POST",
        "none",
        lambda ctx: can_add_provider(ctx.user),
        lambda ctx: {
            "name": "Atelier",
            "kind": "PRIVATE",
            "office_id": min(
                keeping_offices(ctx.user, health=True) or {ctx.world["case"].office_id}
            ),
        },
    ),
    ("GET", "/api/providers/{provider_id}"): Route("provider", "GET", "provider", always),
    ("PATCH", "/api/providers/{provider_id}"): Route(
        "provider.update",
        "PATCH",
        "provider",
        lambda ctx: can_edit_provider(ctx.user, ctx.obj),
        lambda ctx: {"version": ctx.obj.version, "phone": "33"},
    ),
    ("GET", "/api/referrals"): Route(
        "referrals", "GET", "none", lambda ctx: referral_permissions.can_view_referrals(ctx.user)
    ),
    ("POST", "/api/referrals"): Route(
        "referrals.create",
        "POST",
        "case",
        lambda ctx: "CASE" in referral_permissions.creatable_tiers(ctx.access),
        lambda ctx: {"case": ctx.obj.pk, "service": ctx.world["service"].pk, "reason": "Work"},
    ),
    ("GET", "/api/referrals/{referral_id}"): Route("referral", "GET", "referral", always),
    ("POST", "/api/referrals/{referral_id}/transitions"): Route(
        "referral.transition",
        "POST",
        "referral",
        lambda ctx: referral_permissions.can_transition(ctx.user, ctx.access, ctx.obj, "ACCEPTED"),
        lambda ctx: {"to": "ACCEPTED", "version": ctx.obj.version},
    ),
    ("GET", "/api/assistance-types"): Route(
        "assistance_types", "GET", "none", lambda ctx: plan_permissions.can_view_setup(ctx.user)
    ),
    ("GET", "/api/budget-lines"): Route(
        "budget_lines", "GET", "none", lambda ctx: plan_permissions.can_view_setup(ctx.user)
    ),
    ("POST", "/api/budget-lines"): Route(
        "budget_lines.create",
        "POST",
        "none",
        lambda ctx: bool(plan_permissions.budget_offices(ctx.user)),
        lambda ctx: {
            "office_id": min(plan_permissions.budget_offices(ctx.user) or {1}),
            "code": "API-1",
            "name": "Line",
            "donor": "EU",
            "amount": "10",
        },
    ),
    ("PATCH", "/api/budget-lines/{line_id}"): Route(
        "budget_line.update",
        "PATCH",
        "budget_line",
        lambda ctx: plan_permissions.can_edit_budget_line(ctx.user, ctx.obj),
        lambda ctx: {"version": ctx.obj.version, "amount": "300"},
    ),
    ("GET", "/api/plans"): Route("plans", "GET", "none", always),
    ("POST", "/api/plans"): Route(
        "plans.create",
        "POST",
        "case",
        lambda ctx: plan_permissions.can_draft(ctx.access),
        lambda ctx: {"case": ctx.obj.pk},
    ),
    ("GET", "/api/plans/{plan_id}"): Route("plan", "GET", "plan", always),
    ("PATCH", "/api/plans/{plan_id}"): Route(
        "plan.update",
        "PATCH",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"version": ctx.obj.version, "summary_social": "Housing"},
    ),
    ("POST", "/api/plans/{plan_id}/measures"): Route(
        "plan.measures",
        "POST",
        "plan",
        lambda ctx: plan_permissions.can_edit_plan(ctx.access, ctx.obj),
        lambda ctx: {"assistance_type": ctx.world["kit"].pk, "estimated_cost": "5"},
    ),
    ("POST", "/api/plans/{plan_id}/transitions"): Route(
        "plan.transition",
        "POST",
        "submitted_plan",
        lambda ctx: plan_permissions.can_decide(ctx.access, ctx.obj),
        lambda ctx: {"to": "RETURNED", "version": ctx.obj.version, "comment": "More"},
    ),
    ("GET", "/api/instalments"): Route(
        "instalments", "GET", "none", lambda ctx: finance_permissions.can_view_payments(ctx.user)
    ),
    ("POST", "/api/plans/{plan_id}/instalments"): Route(
        "plan.instalments",
        "POST",
        "approved_plan",
        lambda ctx: finance_permissions.can_plan_instalments(ctx.access, ctx.obj),
        lambda ctx: {
            "measure": getattr(ctx.obj.measures.first(), "pk", 1),
            "amount": "1",
            "milestone": "Later",
        },
    ),
    ("GET", "/api/instalments/{instalment_id}"): Route("instalment", "GET", "instalment", always),
    ("POST", "/api/instalments/{instalment_id}/transitions"): Route(
        "instalment.transition",
        "POST",
        "instalment",
        lambda ctx: finance_permissions.can_move(ctx.user, ctx.access, ctx.obj, "PREPARED"),
        lambda ctx: {"to": "PREPARED", "method": "CASH", "payee": "A", "version": ctx.obj.version},
    ),
    ("GET", "/api/suppliers"): Route(
        "suppliers", "GET", "none", lambda ctx: finance_permissions.can_view_suppliers(ctx.user)
    ),
    ("POST", "/api/suppliers"): Route(
        "suppliers.create",
        "POST",
        "none",
        lambda ctx: finance_permissions.can_manage_suppliers(ctx.user),
        lambda ctx: {"name": "Atelier"},
    ),
    ("PATCH", "/api/suppliers/{supplier_id}"): Route(
        "supplier.update",
        "PATCH",
        "supplier",
        lambda ctx: finance_permissions.can_manage_suppliers(ctx.user),
        lambda ctx: {"version": ctx.obj.version, "phone": "33"},
    ),
    ("GET", "/api/purchases"): Route(
        "purchases", "GET", "none", lambda ctx: finance_permissions.can_view_payments(ctx.user)
    ),
    ("POST", "/api/plans/{plan_id}/purchases"): Route(
        "plan.purchases",
        "POST",
        "approved_plan",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {"measure": getattr(ctx.obj.measures.last(), "pk", 1)},
    ),
    ("GET", "/api/purchases/{purchase_id}"): Route("purchase", "GET", "purchase", always),
    ("POST", "/api/purchases/{purchase_id}/quotations"): Route(
        "purchase.quotations",
        "POST",
        "purchase",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {
            "supplier": ctx.world["supplier"].pk,
            "amount": "4",
            "received_on": "2026-11-20",
        },
    ),
    ("POST", "/api/purchases/{purchase_id}/transitions"): Route(
        "purchase.transition",
        "POST",
        "purchase",
        lambda ctx: finance_permissions.can_purchase(ctx.access),
        lambda ctx: {"to": "CANCELLED", "reason": "No longer needed", "version": ctx.obj.version},
    ),
    ("GET", "/api/monitoring/visits"): Route(
        "visits", "GET", "none", lambda ctx: can_view_visits(ctx.user)
    ),
}
PAGES += [route for area in AREAS for route in area.PAGES]
for area in AREAS:
    API.update(area.API)
UNAUTHENTICATED_API = {("POST", "/api/token")}


# --- visibility of objects ----------------------------------------------------------------------


def in_scope_object(kind: str, world: World, users: dict) -> Any:
    if kind in KINDS:
        return KINDS[kind].in_scope(world)
    return {
        "case": world["case"],
        "closed": world["closed"],
        "pre": world["pre"],
        "person": world["case"].person,
        "handover": world["handover"],
        "consent": world["consent"],
        "console": users["cm.tamba"],
        "office": world["case"].office,
        "instrument": world["instrument"],
        "response": world["response"],
        "draft": world["draft"],
        "visit": world["visit"],
        "import": world["import"],
        "provider": world["provider"],
        "referral": world["referral"],
        "medical_referral": world["medical_referral"],
        "override_referral": world["override_referral"],
        "plan": world["plan"],
        "submitted_plan": world["submitted_plan"],
        "budget_line": world["budget_line"],
        "approved_plan": world["approved_plan"],
        "instalment": world["instalment"],
        "purchase": world["purchase"],
        "supplier": world["supplier"],
    }.get(kind)


def visible(user: Any, kind: str, obj: Any) -> bool:
    if obj is None or kind in ("console", "office", "instrument"):
        return True
    if kind in KINDS:
        find = KINDS[kind].find
        if find is None:
            return True
        try:
            find(user, obj.pk)
        except Http404:
            return False
        return True
    if kind == "provider":
        return can_view_providers(user)
    finders = {
        "response": lambda pk: response_get_for_user(user, pk, log_view=False),
        "draft": lambda pk: response_get_for_user(user, pk, log_view=False),
        "visit": lambda pk: visit_get_for_user(user, pk),
        "import": lambda pk: import_get_for_user(user, pk),
        "referral": lambda pk: referral_get_for_user(user, pk),
        "medical_referral": lambda pk: referral_get_for_user(user, pk),
        "override_referral": lambda pk: referral_get_for_user(user, pk),
        "plan": lambda pk: plan_get_for_user(user, pk),
        "submitted_plan": lambda pk: plan_get_for_user(user, pk),
        "approved_plan": lambda pk: plan_get_for_user(user, pk),
        "instalment": lambda pk: instalment_get_for_user(user, pk),
        "purchase": lambda pk: purchase_get_for_user(user, pk),
    }
    if kind == "budget_line":
        return budget_lines_for(user).filter(pk=obj.pk).exists()
    if kind == "supplier":  # the register is programme-wide: no supplier is out of scope
        return True
    if kind in finders:
        try:
            finders[kind](obj.pk)
        except Http404:
            return False
        return True
    if kind in ("case", "closed", "pre"):
        return case_visible_to(user).filter(pk=obj.pk).exists()
    if kind == "person":
        return returnee_visible_to(user).filter(pk=obj.pk).exists()
    if kind == "consent":
        return returnee_visible_to(user).filter(pk=obj.person_id).exists()
    if kind == "handover":
        try:
            handover_get_for_user(user, obj.pk)
        except Http404:
            return False
        return True
    raise AssertionError(kind)


def out_of_scope_object(kind: str, world: World, user: Any) -> Any:
    """An existing object of this kind that the user may not see (None when they see all)."""
    if kind in KINDS:
        return next((o for o in KINDS[kind].out(world) if not visible(user, kind, o)), None)
    if kind in ("case", "closed", "pre", "person", "consent"):
        for case in world["out_cases"]:
            candidate = case.person if kind in ("person", "consent") else case
            if kind == "consent":
                candidate = case.person.consents.first()
            if not visible(user, kind, candidate):
                return candidate
        return None
    if kind == "handover":
        return next((h for h in world["out_handovers"] if not visible(user, kind, h)), None)
    if kind in ("response", "draft"):
        return next((r for r in world["out_responses"] if not visible(user, kind, r)), None)
    if kind in ("referral", "medical_referral", "override_referral"):
        return next((r for r in world["out_referrals"] if not visible(user, kind, r)), None)
    if kind in ("instalment", "purchase"):
        others = world["out_instalments" if kind == "instalment" else "out_purchases"]
        return next((o for o in others if not visible(user, kind, o)), None)
    if kind in ("plan", "submitted_plan", "approved_plan", "budget_line"):
        others = world["out_budget_lines" if kind == "budget_line" else "out_plans"]
        return next((o for o in others if not visible(user, kind, o)), None)
    if kind in ("visit", "import"):
        others = world["out_visits" if kind == "visit" else "out_imports"]
        return next((o for o in others if not visible(user, kind, o)), None)
    return None


# --- the pages ----------------------------------------------------------------------------------


def page_url(route: Route, ctx: Ctx) -> str:
    extra = dict(route.kwargs(ctx))
    query = extra.pop("query", None)
    kwargs = dict(extra)
    if route.kind != "none" and route.takes_pk:
        kwargs["pk"] = ctx.obj.pk
    url = reverse(route.name, kwargs=kwargs or None)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def request(client: Client, method: str, url: str, data: dict[str, Any]):
    if method == "GET":
        return client.get(url)
    return client.post(url, data)


def _answer(client, route, ctx, url, body):
    """One request inside a savepoint, so each persona meets the same world."""
    with transaction.atomic():
        response = request(client, route.method, url, body)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGES, ids=[r.name for r in PAGES])
def test_every_page_applies_the_policy_for_every_persona(route, world, users, client_for):
    world.objects["assignee"] = users["cm.psy"].pk
    for username in USERNAMES:
        user = type(users[username]).objects.get(pk=users[username].pk)
        client = client_for(username)
        obj = in_scope_object(route.kind, world, users)
        ctx = Ctx(user=user, world=world, obj=obj)
        url = page_url(route, ctx)
        response = _answer(
            client,
            route,
            ctx,
            url,
            route.data(ctx) if obj is not None or route.kind == "none" else {},
        )
        where = f"{route.name} as {username}"
        if not visible(user, route.kind, obj):
            assert response.status_code == 404, where
        elif route.allowed(ctx):
            assert response.status_code not in (403, 404), where
            assert response.status_code < 500, where
        else:
            assert response.status_code == route.denied, where
        outside = out_of_scope_object(route.kind, world, user)
        if outside is not None:
            octx = Ctx(user=user, world=world, obj=outside)
            response = _answer(client, route, octx, page_url(route, octx), route.data(octx))
            assert response.status_code == 404, f"{where} (out of scope)"


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGES, ids=[r.name for r in PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(route, world, users):
    ctx = Ctx(user=None, world=world, obj=in_scope_object(route.kind, world, users))
    response = request(Client(), route.method, page_url(route, ctx), {})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _our_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                # The API has its own rows below; OpenRosa (Basic auth for ODK Collect) has its
                # own matrix in instruments/tests/test_collect.py; the provider link (no account,
                # a secret token) is tested in referrals/tests/test_pages.py.
                if ns in ("api", "openrosa", "referral_link") or str(p.pattern).startswith(
                    ("accounts/", "i18n/")
                ):
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return names - {"reports:home"}


def test_every_page_of_the_project_has_a_row_in_the_matrix():
    assert _our_url_names() == {r.name for r in PAGES}


# --- the API ------------------------------------------------------------------------------------


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_api_operation_has_a_row_in_the_matrix():
    assert api_operations() == set(API) | UNAUTHENTICATED_API


def api_url(path: str, obj: Any) -> str:
    if obj is None:
        return path
    for name in (
        "person_id",
        "case_id",
        "handover_id",
        "consent_id",
        "instrument_id",
        "response_id",
        "import_id",
        "provider_id",
        "referral_id",
        "plan_id",
        "line_id",
        "instalment_id",
        "purchase_id",
        "supplier_id",
        *(name for area in AREAS for name in area.API_IDS),
    ):
        path = path.replace("{" + name + "}", str(obj.pk))
    return path


def api_call(token: str | None, method: str, url: str, body: dict[str, Any]):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(headers=headers)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif any(hasattr(value, "read") for value in body.values()):
            response = client.post(url, data=body)  # multipart: an upload
        else:
            response = client.generic(
                method, url, data=json.dumps(body), content_type="application/json"
            )
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(API), ids=[f"{m} {p}" for m, p in sorted(API)])
def test_every_api_operation_applies_the_policy_for_every_persona(operation, world, users):
    route = API[operation]
    _, path = operation
    for username in USERNAMES:
        user = type(users[username]).objects.get(pk=users[username].pk)
        token = api_token_issue(actor=user)
        obj = in_scope_object(route.kind, world, users)
        ctx = Ctx(user=user, world=world, obj=obj)
        response = api_call(token, route.method, api_url(path, obj), route.data(ctx))
        where = f"{operation} as {username}: {response.content[:200]!r}"
        assert response.status_code < 500, where
        if not visible(user, route.kind, obj):
            assert response.status_code == 404, where
        elif route.allowed(ctx):
            assert response.status_code not in (401, 403, 404), where
        else:
            assert response.status_code == route.denied, where
        outside = out_of_scope_object(route.kind, world, user)
        if outside is not None:
            octx = Ctx(user=user, world=world, obj=outside)
            response = api_call(token, route.method, api_url(path, outside), route.data(octx))
            assert response.status_code == 404, f"{where} (out of scope)"
        anonymous = api_call(None, route.method, api_url(path, obj), route.data(ctx))
        assert anonymous.status_code == 401, f"{operation} anonymous"


# --- the communication focal point and case narratives -----------------------------------------

NARRATIVE = "Narrative-canary-7f3a: counselling notes stay with the case team"


@pytest.mark.django_db
def test_the_communication_focal_point_never_sees_case_narratives(world, users, client_for):
    """A note on every case of the world, then every page and API read the communication focal
    point may open: the note's text appears in none of them."""
    for case in Case.objects.exclude(stage="CLOSED"):  # every case, the areas' ones too
        services.note_add(actor=users["cm.tamba"], case=case, body=NARRATIVE)
    user = users["fp.comms"]
    client = client_for("fp.comms")
    token = api_token_issue(actor=user)
    opened = 0
    for route in PAGES:
        if route.method != "GET":
            continue
        obj = in_scope_object(route.kind, world, users)
        if obj is None and route.kind != "none":
            continue
        ctx = Ctx(user=user, world=world, obj=obj)
        response = client.get(page_url(route, ctx))
        if response.status_code == 200:
            opened += 1
            body = b"".join(response) if response.streaming else response.content
            assert NARRATIVE.encode() not in body, route.name
    for (method, path), route in API.items():
        if method != "GET":
            continue
        obj = in_scope_object(route.kind, world, users)
        response = api_call(token, "GET", api_url(path, obj), {})
        if response.status_code == 200:
            opened += 1
            assert NARRATIVE not in response.content.decode(errors="replace"), path
    assert opened > 20  # the focal point's own pages (home, communication, feedback…) opened
