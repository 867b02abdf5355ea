"""API of the access operations: time-bound grants, break-glass and its review. Same
selectors, services and predicates as the pages: a case or grant out of scope answers 404,
a forbidden action on a visible one 403."""

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from reintegra.access import services
from reintegra.access.models import AccessGrant, GrantKind
from reintegra.access.permissions import (
    can_break_glass,
    can_grant,
    can_review_break_glass,
    can_revoke_grant,
    can_view_access_ops,
)
from reintegra.access.selectors import break_glass_for_review, grant_get_for_user
from reintegra.accounts.api import office_ref, user_ref
from reintegra.accounts.models import User
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.api import ERRORS, Id, PathId, Ref, Text
from reintegra.core.errors import NotAllowed
from reintegra.core.pagination import paginate

router = Router(tags=["access"])

TEXT = services.TEXT_MAX_LENGTH


class GrantOut(Schema):
    id: int
    kind: str
    case_id: int
    office: Ref
    user: Ref
    tier: str
    level: str
    reason: str
    starts_at: datetime
    ends_at: datetime
    is_current: bool
    granted_by: Ref
    revoked_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: Ref | None
    review_comment: str
    version: int


class GrantPage(Schema):
    items: list[GrantOut]
    count: int


class GrantIn(Schema):
    user_id: Id
    tier: Text = Field(..., max_length=16)
    level: str = Field("READ", pattern="^(READ|WRITE)$")
    reason: Text = Field(..., max_length=TEXT)
    ends_on: date


class BreakGlassIn(Schema):
    tier: Text = Field(..., max_length=16)
    justification: Text = Field(..., max_length=TEXT)


class ReviewIn(Schema):
    comment: Text = Field(..., max_length=TEXT)
    version: int = Field(..., ge=1)


class BreakGlassQuery(Schema):
    status: str = Field("pending", pattern="^(pending|reviewed|all)$")
    page: int = 1


LEVELS = {"READ": 3, "WRITE": 4}


def grant_out(grant: AccessGrant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "kind": grant.kind,
        "case_id": grant.case_id,
        "office": office_ref(grant.office),
        "user": user_ref(grant.user),
        "tier": grant.tier,
        "level": "WRITE" if grant.level >= LEVELS["WRITE"] else "READ",
        "reason": grant.reason,
        "starts_at": grant.starts_at,
        "ends_at": grant.ends_at,
        "is_current": grant.is_current(),
        "granted_by": user_ref(grant.granted_by),
        "revoked_at": grant.revoked_at,
        "reviewed_at": grant.reviewed_at,
        "reviewed_by": user_ref(grant.reviewed_by),
        "review_comment": grant.review_comment,
        "version": grant.version,
    }


@router.post("/cases/{case_id}/grants", response={201: GrantOut, **ERRORS})
def grant_create(request: HttpRequest, case_id: PathId, payload: GrantIn) -> Status[dict]:
    """Grant a named user access to one restricted section of the case until a date
    (inclusive; at most 90 days). Coordinators of the case's office."""
    case, _access = case_get_for_user(request.user, case_id, log_view=False)
    if not can_grant(request.user, case):
        raise NotAllowed(_("Only a coordinator of this case's office may grant access."))
    grant = services.grant_create(
        actor=request.user,
        case=case,
        user=User.objects.filter(pk=payload.user_id).first(),
        tier=payload.tier,
        level=LEVELS[payload.level],
        reason=payload.reason,
        ends_on=payload.ends_on,
    )
    return Status(201, grant_out(grant))


@router.delete("/grants/{grant_id}", response={200: GrantOut, **ERRORS})
def grant_revoke(request: HttpRequest, grant_id: PathId) -> dict[str, Any]:
    """Revoke a grant (or end a break-glass access) now."""
    grant = grant_get_for_user(request.user, grant_id)
    if grant.revoked_at is None and not can_revoke_grant(request.user, grant):
        raise NotAllowed(_("Only a coordinator of this case's office may revoke access."))
    return grant_out(services.grant_revoke(actor=request.user, grant=grant))


@router.post("/cases/{case_id}/break-glass", response={201: GrantOut, **ERRORS})
def break_glass_open(request: HttpRequest, case_id: PathId, payload: BreakGlassIn) -> Status[dict]:
    """Open a restricted section of the case in an emergency, with a justification: read
    access for a limited time, flagged and listed for review."""
    case, _access = case_get_for_user(request.user, case_id, log_view=False)
    if not can_break_glass(request.user, case):
        raise NotAllowed(_("Only a coordinator of this case's office may break the glass."))
    grant = services.break_glass_open(
        actor=request.user, case=case, tier=payload.tier, justification=payload.justification
    )
    return Status(201, grant_out(grant))


@router.get("/break-glass", response={200: GrantPage, **ERRORS})
def break_glass_list(request: HttpRequest, params: Query[BreakGlassQuery]) -> dict[str, Any]:
    """Break-glass accesses of the coordinator's scope (`status`: pending, reviewed, all)."""
    if not can_view_access_ops(request.user):
        raise NotAllowed(_("Coordinators review break-glass accesses."))
    pending = {"pending": True, "reviewed": False}.get(params.status)
    result = paginate(break_glass_for_review(request.user, pending=pending), params.page)
    return {"items": [grant_out(g) for g in result.items], "count": result.count}


@router.post("/break-glass/{grant_id}/review", response={200: GrantOut, **ERRORS})
def break_glass_review(request: HttpRequest, grant_id: PathId, payload: ReviewIn) -> dict:
    """Mark a break-glass access reviewed, with a comment (another coordinator of the scope)."""
    grant = grant_get_for_user(request.user, grant_id)
    if grant.kind != GrantKind.BREAK_GLASS:
        raise Http404
    if grant.reviewed_at is None and not can_review_break_glass(request.user, grant):
        raise NotAllowed(
            _("Another coordinator of this office reviews a break-glass access, not its user.")
        )
    grant = services.break_glass_review(
        actor=request.user, grant=grant, version=payload.version, comment=payload.comment
    )
    return grant_out(grant)
