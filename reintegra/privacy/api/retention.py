"""API of retention rules and legal holds (the same selectors, services and predicates as the
pages). The retention run itself is a command (`reintegra retention run`), not an API call."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.core.api import ERRORS, Id, PathId, Text
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.privacy.models.retention import LegalHold, RetentionRule
from reintegra.privacy.permissions.retention import can_edit_rules, can_view_retention
from reintegra.privacy.selectors.retention import (
    hold_get_for_user,
    hold_list_for_user,
    holdable_case_for_user,
    rule_get_for_user,
    rule_list_for_user,
)
from reintegra.privacy.services import retention as services

router = Router(tags=["retention"])


class RuleOut(Schema):
    id: int
    record_type: str
    period: int
    unit: str
    is_active: bool
    version: int


class RulePage(Schema):
    items: list[RuleOut]
    count: int


class RulePatch(Schema):
    period: int = Field(..., ge=1, le=1200)
    unit: Text = Field(..., max_length=8)
    is_active: bool = True
    version: int


class HoldOut(Schema):
    id: int
    case: int
    case_number: str
    reason: str
    placed_on: date
    lifted_on: date | None
    lift_reason: str
    is_active: bool
    version: int


class HoldPage(Schema):
    items: list[HoldOut]
    count: int


class HoldQuery(Schema):
    active: bool = False
    page: int = 1


class HoldIn(Schema):
    case_id: Id
    reason: Text = Field(..., max_length=2000)


class LiftIn(Schema):
    reason: Text = Field(..., max_length=2000)
    version: int


def rule_out(rule: RetentionRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "record_type": rule.record_type,
        "period": rule.period,
        "unit": rule.unit,
        "is_active": rule.is_active,
        "version": rule.version,
    }


def hold_out(hold: LegalHold) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "case": hold.case_id,
        "case_number": hold.case.number,
        "reason": hold.reason,
        "placed_on": hold.placed_on,
        "lifted_on": hold.lifted_on,
        "lift_reason": hold.lift_reason,
        "is_active": hold.is_active,
        "version": hold.version,
    }


def _check_view(request: HttpRequest) -> None:
    if not can_view_retention(request.user):
        raise NotAllowed(_("Coordinators keep the retention rules and legal holds."))


@router.get("/privacy/retention-rules", response={200: RulePage, **ERRORS})
def retention_rule_index(request: HttpRequest) -> dict[str, Any]:
    """The retention rules (coordinators)."""
    _check_view(request)
    rules = rule_list_for_user(request.user)
    return {"items": [rule_out(r) for r in rules], "count": len(rules)}


@router.put("/privacy/retention-rules/{rule_id}", response={200: RuleOut, **ERRORS})
def retention_rule_update(
    request: HttpRequest, rule_id: PathId, payload: RulePatch
) -> dict[str, Any]:
    """Change a rule (national coordinators). A stale `version` answers 409."""
    rule = rule_get_for_user(request.user, rule_id)
    if not can_edit_rules(request.user):
        raise NotAllowed(_("Only a national coordinator changes the retention rules."))
    updated = services.retention_rule_update(
        actor=request.user,
        rule=rule,
        version=payload.version,
        period=payload.period,
        unit=payload.unit,
        is_active=payload.is_active,
    )
    return rule_out(updated)


@router.get("/privacy/legal-holds", response={200: HoldPage, **ERRORS})
def legal_hold_index(request: HttpRequest, params: Query[HoldQuery]) -> dict[str, Any]:
    """Legal holds on the cases of the coordinator's scope (`?active=true`: current ones)."""
    _check_view(request)
    result = paginate(hold_list_for_user(request.user, active_only=params.active), params.page)
    return {"items": [hold_out(h) for h in result.items], "count": result.count}


@router.post("/privacy/legal-holds", response={201: HoldOut, **ERRORS})
def legal_hold_place(request: HttpRequest, payload: HoldIn) -> Status[dict[str, Any]]:
    """Place a legal hold on a case of the coordinator's scope."""
    _check_view(request)
    case = holdable_case_for_user(request.user, pk=payload.case_id)
    if case is None:
        raise ValidationFailed(_("No case with this number in your scope."), field="case_id")
    hold = services.legal_hold_place(actor=request.user, case=case, reason=payload.reason)
    return Status(201, hold_out(hold))


@router.post("/privacy/legal-holds/{hold_id}/lift", response={200: HoldOut, **ERRORS})
def legal_hold_lift(request: HttpRequest, hold_id: PathId, payload: LiftIn) -> dict[str, Any]:
    """Lift a legal hold with a reason. A stale `version` answers 409."""
    hold = hold_get_for_user(request.user, hold_id)
    lifted = services.legal_hold_lift(
        actor=request.user, hold=hold, reason=payload.reason, version=payload.version
    )
    return hold_out(lifted)
