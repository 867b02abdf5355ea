"""Permission-matrix rows of the access_ops area (see matrix_base for what each name means).

Grants and break-glass openings live on a case of their own (Tambacounda; the out-of-scope ones
on a Kolda case), so the levels they raise touch no other area's rows."""

import datetime
from typing import Any

from django.utils import timezone

from reintegra.access import services as access
from reintegra.access.permissions import (
    can_break_glass,
    can_grant,
    can_review_break_glass,
    can_revoke_grant,
    can_view_access_ops,
)
from reintegra.access.selectors import grant_get_for_user
from reintegra.cases import services as cases
from reintegra.people import services as people
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World

JUSTIFICATION = "Threat reported tonight: the safety plan is needed now"


def _case(actor: Any, office: Any, given: str) -> Any:
    person = people.returnee_register(
        actor=actor,
        office=office,
        given_names=given,
        family_name="Grant-Matrix",
        sex="F",
        date_of_birth=datetime.date(1993, 5, 4),
        phone="+221 77 000 11 22",
        region=office.name,
    )
    return cases.case_open(actor=actor, person=person, office=office)


def _grant(actor: Any, case: Any, user: Any) -> Any:
    return access.grant_create(
        actor=actor,
        case=case,
        user=user,
        tier="PROTECTION",
        level=3,
        reason="Stand-in while the focal point is away",
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )


def _glass(actor: Any, case: Any) -> Any:
    return access.break_glass_open(
        actor=actor, case=case, tier="PROTECTION", justification=JUSTIFICATION
    )


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    tamba, national = users["coord.tamba"], users["coord.national"]
    here = _case(users["cm.tamba"], offices["TAM"], "Grant-Tamba")
    there = _case(users["cm.kolda"], offices["KLD"], "Grant-Kolda")
    world.objects.update(
        {
            "access_grant": _grant(tamba, here, users["cm.kolda"]),
            "break_glass": _glass(tamba, here),
            "out_access_grants": [_grant(national, there, users["cm.tamba"])],
            "out_break_glass": [_glass(national, there)],
        }
    )


def _find(user: Any, pk: Any) -> Any:
    return grant_get_for_user(user, pk)


KINDS: dict[str, Kind] = {
    "access_grant": Kind(
        in_scope=lambda world: world["access_grant"],
        find=_find,
        out=lambda world: world["out_access_grants"],
    ),
    "break_glass": Kind(
        in_scope=lambda world: world["break_glass"],
        find=_find,
        out=lambda world: world["out_break_glass"],
    ),
}


def _grant_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "user": ctx.world["access_grant"].user_id,
        "tier": "MEDICAL",
        "level": "3",
        "reason": "Stand-in while the focal point is away",
        "ends_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
    }


def _grant_api(ctx: Ctx) -> dict[str, Any]:
    data = _grant_form(ctx)
    return {
        "user_id": data.pop("user"),
        **data,
        "level": "READ",
    }


PAGES: list[Route] = [
    Route(
        "cases:access_panel",
        "GET",
        "case",
        lambda ctx: True,
        kwargs=lambda ctx: {"case_id": ctx.obj.pk},
        takes_pk=False,
    ),
    Route("cases:grant_add", "POST", "case", lambda c: can_grant(c.user, c.obj), _grant_form),
    Route(
        "cases:grant_revoke",
        "POST",
        "access_grant",
        lambda c: can_revoke_grant(c.user, c.obj),
    ),
    Route(
        "cases:break_glass",
        "POST",
        "case",
        lambda c: can_break_glass(c.user, c.obj),
        lambda c: {"tier": "MEDICAL", "justification": JUSTIFICATION},
    ),
    Route("cases:break_glass_list", "GET", "none", lambda c: can_view_access_ops(c.user)),
    Route(
        "cases:break_glass_review",
        "POST",
        "break_glass",
        lambda c: can_review_break_glass(c.user, c.obj),
        lambda c: {"comment": "Justified", "version": c.obj.version},
    ),
]

API: dict[tuple[str, str], Route] = {
    ("POST", "/api/cases/{case_id}/grants"): Route(
        "grant_create", "POST", "case", lambda c: can_grant(c.user, c.obj), _grant_api
    ),
    ("DELETE", "/api/grants/{grant_id}"): Route(
        "grant_revoke", "DELETE", "access_grant", lambda c: can_revoke_grant(c.user, c.obj)
    ),
    ("POST", "/api/cases/{case_id}/break-glass"): Route(
        "break_glass_open",
        "POST",
        "case",
        lambda c: can_break_glass(c.user, c.obj),
        lambda c: {"tier": "MEDICAL", "justification": JUSTIFICATION},
    ),
    ("GET", "/api/break-glass"): Route(
        "break_glass_list", "GET", "none", lambda c: can_view_access_ops(c.user)
    ),
    ("POST", "/api/break-glass/{grant_id}/review"): Route(
        "break_glass_review",
        "POST",
        "break_glass",
        lambda c: can_review_break_glass(c.user, c.obj),
        lambda c: {"comment": "Justified", "version": c.obj.version},
    ),
}
API_IDS: tuple[str, ...] = ("grant_id",)
