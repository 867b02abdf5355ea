"""Permission-matrix rows of the communication area (see matrix_base for what each name means).

Objects: a strategy in force at Dakar (programme-wide, no scope), a campaign, an activity and a
message at Tambacounda (in scope), their twins at Kolda (out of scope for Tambacounda staff).
Personas without a communication role get 403 whatever the object, so their finder says
"visible" and the route's predicate says "not allowed". Case managers may log activities and
see the ones they logged: another's activity is missing for them (404).
"""

import datetime
from typing import Any

from reintegra.outreach.permissions.communication import (
    can_compose_message,
    can_edit_activity,
    can_edit_campaign,
    can_edit_communication,
    can_edit_strategy,
    can_log_activity,
    can_send_message,
    can_view_activities,
    can_view_communication,
    can_view_messages,
)
from reintegra.outreach.selectors.communication import (
    activity_get_for_user,
    campaign_get_for_user,
    message_get_for_user,
)
from reintegra.outreach.services import communication as comms
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    fp, today = users["fp.comms"], datetime.date.today()
    world.objects["comm_strategy"] = comms.strategy_create(
        actor=fp,
        office=offices["DKR"],
        title="Strategy",
        starts_on=today,
        objectives="Inform",
        status="IN_FORCE",
    )
    for code, suffix in (("TAM", ""), ("KLD", "_out")):
        office = offices[code]
        campaign = comms.campaign_create(
            actor=fp, office=office, title=f"Campaign {code}", starts_on=today
        )
        world.objects[f"comm_campaign{suffix}"] = campaign
        world.objects[f"comm_activity{suffix}"] = comms.activity_create(
            actor=fp,
            office=office,
            campaign=campaign,
            kind="INFO_SESSION",
            title=f"Session {code}",
            held_on=today,
            audience="RETURNEES",
            reach={("F", "18-24"): 3},
        )
        world.objects[f"comm_message{suffix}"] = comms.message_create(
            actor=fp, office=office, channel="SMS", body=f"Hello {code}"
        )


def _finder(role_check, getter):
    """Without the role the user meets 403 on every object (visible, not allowed)."""

    def find(user: Any, pk: Any) -> Any:
        if not role_check(user):
            return None
        return getter(user, pk)

    return find


KINDS: dict[str, Kind] = {
    "comm_strategy": Kind(in_scope=lambda w: w["comm_strategy"]),
    "comm_campaign": Kind(
        in_scope=lambda w: w["comm_campaign"],
        find=_finder(can_view_communication, campaign_get_for_user),
        out=lambda w: [w["comm_campaign_out"]],
    ),
    "comm_activity": Kind(
        in_scope=lambda w: w["comm_activity"],
        find=_finder(can_view_activities, activity_get_for_user),
        out=lambda w: [w["comm_activity_out"]],
    ),
    "comm_message": Kind(
        in_scope=lambda w: w["comm_message"],
        find=_finder(can_view_messages, message_get_for_user),
        out=lambda w: [w["comm_message_out"]],
    ),
}


def _view(ctx: Ctx) -> bool:
    return can_view_communication(ctx.user)


def _edit(ctx: Ctx) -> bool:
    return can_edit_communication(ctx.user)


def _activities(ctx: Ctx) -> bool:
    return can_view_activities(ctx.user)


def _log(ctx: Ctx) -> bool:
    return can_log_activity(ctx.user)


def _messages(ctx: Ctx) -> bool:
    return can_view_messages(ctx.user)


def _activity_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "office_id": ctx.world["comm_activity"].office_id,
        "kind": "RADIO",
        "title": "Radio programme",
        "held_on": datetime.date.today().isoformat(),
        "audience": "COMMUNITIES",
        "reach": [{"sex": "M", "age_band": "25-59", "count": 40}],
    }


PAGES: list[Route] = [
    Route("outreach:strategy", "GET", "none", _view, takes_pk=False),
    Route("outreach:strategy_new", "GET", "none", _edit, takes_pk=False),
    Route("outreach:strategy_detail", "GET", "comm_strategy", _view),
    Route(
        "outreach:strategy_edit",
        "GET",
        "comm_strategy",
        lambda ctx: can_view_communication(ctx.user) and can_edit_strategy(ctx.user, ctx.obj),
    ),
    Route("outreach:campaigns", "GET", "none", _view, takes_pk=False),
    Route("outreach:campaign_new", "GET", "none", _edit, takes_pk=False),
    Route("outreach:campaign_detail", "GET", "comm_campaign", _view),
    Route(
        "outreach:campaign_edit",
        "GET",
        "comm_campaign",
        lambda ctx: can_edit_campaign(ctx.user, ctx.obj),
    ),
    Route("outreach:activities", "GET", "none", _activities, takes_pk=False),
    Route("outreach:activity_new", "GET", "none", _log, takes_pk=False),
    Route("outreach:activity_detail", "GET", "comm_activity", _activities),
    Route(
        "outreach:activity_edit",
        "GET",
        "comm_activity",
        lambda ctx: can_edit_activity(ctx.user, ctx.obj),
    ),
    Route("outreach:reach", "GET", "none", _view, takes_pk=False),
    Route("outreach:messages", "GET", "none", _messages, takes_pk=False),
    Route(
        "outreach:message_new",
        "GET",
        "none",
        lambda ctx: can_compose_message(ctx.user),
        takes_pk=False,
    ),
    Route("outreach:message_detail", "GET", "comm_message", _messages),
    Route("outreach:message_progress", "GET", "comm_message", _messages),
    Route(
        "outreach:message_send",
        "POST",
        "comm_message",
        lambda ctx: can_send_message(ctx.user, ctx.obj),
        data=lambda ctx: {"version": ctx.obj.version},
    ),
]

API: dict[tuple[str, str], Route] = {
    ("GET", "/api/outreach/strategy"): Route("strategy", "GET", "none", _view),
    ("GET", "/api/outreach/activities"): Route("activities", "GET", "none", _activities),
    ("POST", "/api/outreach/activities"): Route(
        "activities", "POST", "none", _log, data=_activity_body
    ),
    ("GET", "/api/outreach/activities/{activity_id}"): Route(
        "activity", "GET", "comm_activity", _activities
    ),
    ("PATCH", "/api/outreach/activities/{activity_id}"): Route(
        "activity",
        "PATCH",
        "comm_activity",
        lambda ctx: can_edit_activity(ctx.user, ctx.obj),
        data=lambda ctx: {"version": ctx.obj.version, "title": "Renamed session"},
    ),
    ("GET", "/api/outreach/messages"): Route("messages", "GET", "none", _messages),
    ("POST", "/api/outreach/messages"): Route(
        "messages",
        "POST",
        "none",
        lambda ctx: can_compose_message(ctx.user),
        data=lambda ctx: {
            "office_id": ctx.world["comm_message"].office_id,
            "channel": "SMS",
            "body": "Hello",
        },
    ),
    ("GET", "/api/outreach/messages/{message_id}"): Route(
        "message", "GET", "comm_message", _messages
    ),
    ("POST", "/api/outreach/messages/{message_id}/send"): Route(
        "message_send",
        "POST",
        "comm_message",
        lambda ctx: can_send_message(ctx.user, ctx.obj),
        data=lambda ctx: {"version": ctx.obj.version},
    ),
}
API_IDS: tuple[str, ...] = ("activity_id", "message_id")
