"""Permission-matrix rows of the feedback area (see matrix_base for what each name means).

The world gains a complaint recorded at Tambacounda by cm.tamba, a sensitive complaint there
(the coordinators' restricted queue: cm.tamba no longer sees it once saved), a Kolda complaint
(out of scope for Tambacounda staff), and adjustments at Tambacounda and Kolda.
"""

import datetime
from typing import Any

from reintegra.outreach.permissions.feedback import (
    can_edit_adjustment,
    can_handle_feedback,
    can_record_adjustment,
    can_view_adjustments,
    can_view_feedback,
    can_view_feedback_report,
    recording_offices,
)
from reintegra.outreach.selectors.feedback import (
    adjustment_get_for_user,
    feedback_get_for_user,
    feedback_recorded_get_for_user,
)
from reintegra.outreach.services import feedback as services
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World, always


def _item(actor: Any, office: Any, category: str = "COMPLAINT", **extra: Any) -> Any:
    return services.feedback_record(
        actor=actor,
        office=office,
        source="RETURNEE",
        received_on=datetime.date.today(),
        channel="HOTLINE",
        category=category,
        theme="DELAYS",
        description="The toolkit has not arrived",
        **extra,
    )


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    item = _item(users["cm.tamba"], offices["TAM"])
    sensitive = _item(users["cm.tamba"], offices["TAM"], "SENSITIVE", sensitive_kind="FRAUD")
    kolda = _item(users["cm.kolda"], offices["KLD"])
    adjustment = services.adjustment_record(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        decided_on=datetime.date.today(),
        title="Weekly toolkit deliveries",
        area="ASSISTANCE",
        feedback_items=[item],
        visits=[world["visit"]],
    )
    kolda_adjustment = services.adjustment_record(
        actor=users["coord.national"],
        office=offices["KLD"],
        decided_on=datetime.date.today(),
        title="Radio slot in Pulaar",
        area="COMMUNICATION",
        feedback_items=[kolda],
    )
    world.objects.update(
        {
            "feedback": item,
            "sensitive_feedback": sensitive,
            "out_feedback": [sensitive, kolda],
            "adjustment": adjustment,
            "out_adjustments": [kolda_adjustment],
        }
    )


KINDS: dict[str, Kind] = {
    "feedback": Kind(
        in_scope=lambda world: world["feedback"],
        find=feedback_get_for_user,
        out=lambda world: world["out_feedback"],
    ),
    "sensitive_feedback": Kind(
        in_scope=lambda world: world["sensitive_feedback"],
        find=feedback_get_for_user,
        out=lambda world: world["out_feedback"][1:],
    ),
    "recorded_feedback": Kind(
        in_scope=lambda world: world["sensitive_feedback"],
        find=feedback_recorded_get_for_user,
        out=lambda world: world["out_feedback"][1:],
    ),
    "adjustment": Kind(
        in_scope=lambda world: world["adjustment"],
        find=adjustment_get_for_user,
        out=lambda world: world["out_adjustments"],
    ),
}


def _handles(ctx: Ctx) -> bool:
    return can_handle_feedback(ctx.user, ctx.obj)


def _office_of(ctx: Ctx) -> int:
    offices = recording_offices(ctx.user)
    return min(offices) if offices else 1


def _today() -> str:
    return datetime.date.today().isoformat()


PAGES: list[Route] = [
    Route("outreach:feedback_list", "GET", "none", lambda ctx: can_view_feedback(ctx.user)),
    Route("outreach:feedback_new", "GET", "none", lambda ctx: can_view_feedback(ctx.user)),
    Route(
        "outreach:feedback_report", "GET", "none", lambda ctx: can_view_feedback_report(ctx.user)
    ),
    Route(
        "outreach:feedback_report_export",
        "GET",
        "none",
        lambda ctx: can_view_feedback_report(ctx.user),
        kwargs=lambda ctx: {"key": "themes", "fmt": "csv"},
    ),
    Route("outreach:feedback_detail", "GET", "feedback", always),
    Route("outreach:feedback_recorded", "GET", "recorded_feedback", always),
    Route(
        "outreach:feedback_transition",
        "POST",
        "sensitive_feedback",
        _handles,
        data=lambda ctx: {"ack-version": ctx.obj.version, "ack-acknowledged_on": _today()},
        kwargs=lambda ctx: {"action": "acknowledge"},
    ),
    Route("outreach:adjustment_list", "GET", "none", lambda ctx: can_view_adjustments(ctx.user)),
    Route("outreach:adjustment_new", "GET", "none", lambda ctx: can_record_adjustment(ctx.user)),
    Route("outreach:adjustment_detail", "GET", "adjustment", always),
    Route(
        "outreach:adjustment_edit",
        "GET",
        "adjustment",
        lambda ctx: can_edit_adjustment(ctx.user, ctx.obj),
    ),
]

API: dict[tuple[str, str], Route] = {
    ("GET", "/api/outreach/feedback"): Route(
        "feedback", "GET", "none", lambda ctx: can_view_feedback(ctx.user)
    ),
    ("POST", "/api/outreach/feedback"): Route(
        "feedback",
        "POST",
        "none",
        lambda ctx: can_view_feedback(ctx.user),
        data=lambda ctx: {
            "office_id": _office_of(ctx),
            "source": "COMMUNITY",
            "received_on": _today(),
            "channel": "SMS",
            "category": "SUGGESTION",
            "theme": "INFORMATION",
            "description": "More information sessions in Pulaar",
        },
    ),
    ("GET", "/api/outreach/feedback/{feedback_id}"): Route(
        "feedback", "GET", "sensitive_feedback", always
    ),
    ("POST", "/api/outreach/feedback/{feedback_id}/transitions"): Route(
        "feedback",
        "POST",
        "feedback",
        _handles,
        data=lambda ctx: {"action": "acknowledge", "version": ctx.obj.version},
    ),
    ("GET", "/api/outreach/adjustments"): Route(
        "adjustments", "GET", "none", lambda ctx: can_view_adjustments(ctx.user)
    ),
    ("POST", "/api/outreach/adjustments"): Route(
        "adjustments",
        "POST",
        "none",
        lambda ctx: can_record_adjustment(ctx.user),
        data=lambda ctx: {
            "office_id": ctx.world["feedback"].office_id,
            "decided_on": _today(),
            "title": "Information desk on Mondays",
            "area": "PROCESS",
            "feedback_ids": [ctx.world["feedback"].pk],
        },
    ),
    ("GET", "/api/outreach/feedback-report"): Route(
        "feedback-report", "GET", "none", lambda ctx: can_view_feedback_report(ctx.user)
    ),
}
API_IDS: tuple[str, ...] = ("feedback_id",)
