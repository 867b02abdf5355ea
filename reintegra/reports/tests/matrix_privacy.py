"""Permission-matrix rows of the privacy area's subject-access requests (see matrix_base for
what each name means).

The world gains a request from the Tambacounda case's returnee (recorded by coord.tamba) and one
from a Kolda returnee (recorded by coord.national: out of scope for Tambacounda staff). Only the
coordinators of the person's office handle requests; staff who see the person but do not
coordinate their office get 403, everyone else 404.
"""

import datetime
from typing import Any

from reintegra.privacy.permissions.requests import (
    can_manage_request,
    can_record_request,
    can_view_requests,
)
from reintegra.privacy.selectors.requests import request_get_for_user
from reintegra.privacy.services import requests as services
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    today = datetime.date.today()
    sar = services.request_record(
        actor=users["coord.tamba"],
        person=world["case"].person,
        received_on=today,
        identity_check="ID_DOCUMENT",
    )
    outside = [
        services.request_record(
            actor=users["coord.national"],
            person=case.person,
            received_on=today,
            identity_check="IN_PERSON",
        )
        for case in world["out_cases"]
        if case.office.code == "KLD"
    ]
    world.objects.update({"subject_access": sar, "out_subject_access": outside})


KINDS: dict[str, Kind] = {
    "subject_access": Kind(
        in_scope=lambda world: world["subject_access"],
        find=request_get_for_user,
        out=lambda world: world["out_subject_access"],
    ),
}


def _manages(ctx: Ctx) -> bool:
    return can_manage_request(ctx.user, ctx.obj)


def _person_id(ctx: Ctx) -> int:
    return ctx.world["case"].person_id


PAGES: list[Route] = [
    Route("privacy:request_list", "GET", "none", lambda ctx: can_view_requests(ctx.user)),
    Route("privacy:request_new", "GET", "none", lambda ctx: can_record_request(ctx.user)),
    Route("privacy:request_detail", "GET", "subject_access", _manages),
    Route(
        "privacy:request_move",
        "POST",
        "subject_access",
        _manages,
        data=lambda ctx: {"action": "start", "version": ctx.obj.version},
    ),
    Route("privacy:request_export", "POST", "subject_access", _manages),
    Route("privacy:request_download", "GET", "subject_access", _manages),
]

API: dict[tuple[str, str], Route] = {
    ("GET", "/api/privacy/requests"): Route(
        "requests", "GET", "none", lambda ctx: can_view_requests(ctx.user)
    ),
    ("POST", "/api/privacy/requests"): Route(
        "requests",
        "POST",
        "none",
        lambda ctx: can_view_requests(ctx.user),
        data=lambda ctx: {
            "person_id": _person_id(ctx),
            "received_on": datetime.date.today().isoformat(),
            "identity_check": "ID_DOCUMENT",
        },
    ),
    ("GET", "/api/privacy/requests/{request_id}"): Route(
        "request", "GET", "subject_access", _manages
    ),
    ("POST", "/api/privacy/requests/{request_id}/move"): Route(
        "request_move",
        "POST",
        "subject_access",
        _manages,
        data=lambda ctx: {"action": "start", "version": ctx.obj.version},
    ),
    ("POST", "/api/privacy/requests/{request_id}/export"): Route(
        "request_export", "POST", "subject_access", _manages
    ),
    ("GET", "/api/privacy/requests/{request_id}/export"): Route(
        "request_export_file", "GET", "subject_access", _manages
    ),
}
API_IDS: tuple[str, ...] = ("request_id",)
