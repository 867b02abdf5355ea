"""Permission-matrix rows of the sections area (see matrix_base for what each name means).

Decision: a user at FLAG level on a section's tier gets the section page and the API GET as a
content-free 200 ("… information exists"); a user below FLAG gets 403; a case out of scope 404.
Writes need the tier's WRITE level (and an open case).
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World, always
from reintegra.safeguarding import services
from reintegra.safeguarding.models import SectionRecord
from reintegra.safeguarding.permissions import can_record_training, can_view_sections
from reintegra.safeguarding.selectors import training_get_for_user


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Some content in each section of the Tambacounda case, and two training records (one at
    Tambacounda with a certificate, one at Kolda)."""
    case = world["case"]
    services.section_update(
        actor=users["fp.protection"],
        case=case,
        section="PROTECTION",
        version=0,
        values={"safety_plan": "Safety plan"},
    )
    services.section_update(
        actor=users["fp.medical"], case=case, section="MEDICAL", version=0, values={"needs": "N"}
    )
    services.section_entry_add(
        actor=users["cm.psy"], case=case, section="PSYCHOSOCIAL", kind="PROGRESS_NOTE", body="P"
    )
    world.objects["training"] = services.training_record_add(
        actor=users["coord.tamba"],
        person=users["cm.tamba"],
        training="PFA",
        completed_on=datetime.date(2026, 3, 2),
        trainer="IOM Dakar",
        certificate=SimpleUploadedFile("c.pdf", b"%PDF-1.4 cert", content_type="application/pdf"),
    )
    world.objects["out_training"] = services.training_record_add(
        actor=users["coord.national"],
        person=users["cm.kolda"],
        training="DATA_PROTECTION",
        completed_on=datetime.date(2026, 3, 2),
        trainer="IOM Dakar",
    )
    world.objects["training_person"] = users["cm.tamba"].pk


KINDS: dict[str, Kind] = {
    "training": Kind(
        in_scope=lambda world: world["training"],
        find=training_get_for_user,
        out=lambda world: [world["out_training"]],
    ),
}


def _knows(section: str):  # type: ignore[no-untyped-def]
    return lambda ctx: ctx.access.knows_tier(section)


def _writes(section: str):  # type: ignore[no-untyped-def]
    return lambda ctx: ctx.access.can_write_tier(section)


def _version(ctx: Ctx, section: str) -> int:
    record = SectionRecord.objects.filter(case=ctx.obj, section=section).first()
    return record.version if record else 0


def _today() -> str:
    return datetime.date.today().isoformat()


FIELD: dict[str, str] = {"PROTECTION": "safety_plan", "MEDICAL": "needs", "PSYCHOSOCIAL": "plan"}
ENTRY: dict[str, dict[str, Any]] = {
    "PROTECTION": {"kind": "PROTECTION_NOTE"},
    "MEDICAL": {"kind": "MEDICAL_FOLLOW_UP"},
    "PSYCHOSOCIAL": {"kind": "SESSION", "session_type": "GROUP", "duration_minutes": 45},
}


def _edit_data(section: str) -> Callable[[Ctx], dict[str, Any]]:
    return lambda ctx: {"version": _version(ctx, section), FIELD[section]: "Updated"}


def _put_data(section: str) -> Callable[[Ctx], dict[str, Any]]:
    return lambda ctx: {"version": _version(ctx, section), "content": {FIELD[section]: "New"}}


def _entry_data(section: str, *, dated: bool) -> Callable[[Ctx], dict[str, Any]]:
    extra = {"written_on": _today()} if dated else {}
    return lambda ctx: {**ENTRY[section], **extra, "body": "Entry"}


def _section_pages(section: str, slug: str) -> list[Route]:
    return [
        Route(f"safeguarding:{slug}", "GET", "case", _knows(section)),
        Route(
            f"safeguarding:{slug}_edit",
            "POST",
            "case",
            _writes(section),
            _edit_data(section),
        ),
        Route(
            f"safeguarding:{slug}_entry_add",
            "POST",
            "case",
            _writes(section),
            _entry_data(section, dated=True),
        ),
    ]


def _section_api(section: str, slug: str) -> dict[tuple[str, str], Route]:
    path = f"/api/cases/{{case_id}}/{slug}"
    return {
        ("GET", path): Route(f"{slug}.get", "GET", "case", _knows(section)),
        ("PUT", path): Route(
            f"{slug}.put",
            "PUT",
            "case",
            _writes(section),
            _put_data(section),
        ),
        ("POST", f"{path}/entries"): Route(
            f"{slug}.entry",
            "POST",
            "case",
            _writes(section),
            _entry_data(section, dated=False),
        ),
    }


SECTIONS = (("PROTECTION", "protection"), ("MEDICAL", "medical"), ("PSYCHOSOCIAL", "psychosocial"))

PAGES: list[Route] = [
    *(route for section, slug in SECTIONS for route in _section_pages(section, slug)),
    Route("safeguarding:training", "GET", "none", lambda ctx: can_view_sections(ctx.user)),
    Route("safeguarding:training_new", "GET", "none", lambda ctx: can_record_training(ctx.user)),
    Route(
        "safeguarding:training_new",
        "POST",
        "none",
        lambda ctx: can_record_training(ctx.user),
        lambda ctx: {
            "person": ctx.world["training_person"],
            "training": "PROTECTION",
            "completed_on": _today(),
            "trainer": "IOM Dakar",
        },
    ),
    Route("safeguarding:training_certificate", "GET", "training", always),
]

API: dict[tuple[str, str], Route] = {
    **{k: v for section, slug in SECTIONS for k, v in _section_api(section, slug).items()},
    ("GET", "/api/training-records"): Route(
        "training.list", "GET", "none", lambda ctx: can_view_sections(ctx.user)
    ),
    ("POST", "/api/training-records"): Route(
        "training.create",
        "POST",
        "none",
        lambda ctx: can_record_training(ctx.user),
        lambda ctx: {
            "person_id": ctx.world["training_person"],
            "training": "PFA",
            "completed_on": _today(),
            "trainer": "IOM Dakar",
        },
    ),
}
API_IDS: tuple[str, ...] = ()
