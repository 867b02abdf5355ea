"""Permission-matrix rows of the retention area (see matrix_base for what each name means).

The world gains the retention rules (programme defaults) and two legal holds: one on the
Tambacounda case, one on the Kolda case (out of scope for Tambacounda coordinators; every
coordinator sees the rules, only the national one edits them).
"""

from typing import Any

from reintegra.privacy.permissions.retention import (
    can_edit_rules,
    can_hold_case,
    can_view_retention,
)
from reintegra.privacy.selectors.retention import hold_get_for_user, rule_get_for_user
from reintegra.privacy.services import retention as services
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World, always


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    rules = {r.record_type: r for r in services.rules_ensure()}
    national = users["coord.national"]
    hold = services.legal_hold_place(actor=national, case=world["case"], reason="Court inquiry")
    kolda = next(c for c in world["out_cases"] if c.office_id == offices["KLD"].pk)
    kolda_hold = services.legal_hold_place(actor=national, case=kolda, reason="Audit")
    world.objects.update(
        {"retention_rule": rules["CASE"], "legal_hold": hold, "out_holds": [kolda_hold]}
    )


KINDS: dict[str, Kind] = {
    "retention_rule": Kind(in_scope=lambda world: world["retention_rule"], find=rule_get_for_user),
    "legal_hold": Kind(
        in_scope=lambda world: world["legal_hold"],
        find=hold_get_for_user,
        out=lambda world: world["out_holds"],
    ),
}


def _views(ctx: Ctx) -> bool:
    return can_view_retention(ctx.user)


def _edits(ctx: Ctx) -> bool:
    return can_edit_rules(ctx.user)


def _rule_data(ctx: Ctx) -> dict[str, Any]:
    return {"period": 8, "unit": "YEARS", "is_active": True, "version": ctx.obj.version}


PAGES: list[Route] = [
    Route("privacy:retention_rules", "GET", "none", _views),
    Route("privacy:retention_rule_edit", "GET", "retention_rule", _edits),
    Route("privacy:retention_rule_edit", "POST", "retention_rule", _edits, data=_rule_data),
    Route("privacy:legal_hold_list", "GET", "none", _views),
    Route(
        "privacy:legal_hold_place",
        "POST",
        "none",
        _views,
        data=lambda ctx: {"case_number": ctx.world["closed"].number, "reason": "Inquiry"},
    ),
    Route(
        "privacy:legal_hold_lift",
        "POST",
        "legal_hold",
        lambda ctx: can_hold_case(ctx.user, ctx.obj.case),
        data=lambda ctx: {"reason": "Inquiry closed", "version": ctx.obj.version},
    ),
]

API: dict[tuple[str, str], Route] = {
    ("GET", "/api/privacy/retention-rules"): Route("retention-rules", "GET", "none", _views),
    ("PUT", "/api/privacy/retention-rules/{rule_id}"): Route(
        "retention-rules", "PUT", "retention_rule", _edits, data=_rule_data
    ),
    ("GET", "/api/privacy/legal-holds"): Route("legal-holds", "GET", "none", _views),
    ("POST", "/api/privacy/legal-holds"): Route(
        "legal-holds",
        "POST",
        "none",
        _views,
        data=lambda ctx: {"case_id": ctx.world["closed"].pk, "reason": "Inquiry"},
    ),
    ("POST", "/api/privacy/legal-holds/{hold_id}/lift"): Route(
        "legal-holds",
        "POST",
        "legal_hold",
        always,
        data=lambda ctx: {"reason": "Inquiry closed", "version": ctx.obj.version},
    ),
}
API_IDS: tuple[str, ...] = ("rule_id", "hold_id")
