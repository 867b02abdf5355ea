"""Permission-matrix rows of the structural area (see matrix_base for what each name means).

The register holds no returnee data: every staff role but the system administrator reads it
programme-wide, so no object is out of scope (`Kind(find=None)`); the administrator is refused
(403) before any lookup."""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from reintegra.community.permissions import structural as perms
from reintegra.community.services import structural as structural
from reintegra.reports.tests.matrix_base import Ctx, Kind, Route, World

TODAY = datetime.date.today()


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""
    coord, tam = users["coord.tamba"], offices["TAM"]
    stakeholder = structural.stakeholder_create(
        actor=coord,
        office=tam,
        name="Agence régionale de développement",
        kind="LOCAL_AUTHORITY",
        influence="HIGH",
        interest="HIGH",
    )
    contact = structural.contact_add(actor=coord, stakeholder=stakeholder, name="M. Diallo")
    agreement = structural.agreement_create(
        actor=coord,
        stakeholder=stakeholder,
        office=tam,
        kind="MOU",
        title="MoU",
        signed_on=TODAY,
        upload=_pdf("mou.pdf"),
    )
    sharing = structural.agreement_create(
        actor=coord,
        stakeholder=stakeholder,
        office=tam,
        kind="DATA_SHARING",
        title="Data sharing",
        signed_on=TODAY,
        data_ownership="The agency",
        upload=_pdf("dsa.pdf"),
    )
    activity = structural.capacity_activity_create(
        actor=coord,
        office=tam,
        title="Training",
        kind="TRAINING",
        stakeholder=stakeholder,
        starts_on=TODAY,
        participants=10,
    )
    mechanism = structural.mechanism_create(
        actor=coord, office=tam, name="Technical committee", kind="TECHNICAL_COMMITTEE"
    )
    meeting = structural.meeting_add(
        actor=coord,
        mechanism=mechanism,
        held_on=TODAY,
        attendees="Agency, IOM",
        upload=_pdf("minutes.pdf"),
    )
    action = structural.action_add(
        actor=coord, meeting=meeting, description="Share the list", owner=coord
    )
    sop = structural.sop_version_add(
        actor=coord,
        office=tam,
        mechanism=mechanism,
        title="Referral SOP",
        version_label="v1",
        effective_on=TODAY,
        upload=_pdf("sop.pdf"),
    )
    world.objects.update(
        {
            "structural_office": tam.pk,
            "stakeholder": stakeholder,
            "stakeholder_contact": contact,
            "agreement": agreement,
            "data_sharing": sharing,
            "capacity": activity,
            "mechanism": mechanism,
            "meeting": meeting,
            "followup_action": action,
            "sop": sop,
        }
    )


def _kind(key: str) -> Kind:
    return Kind(in_scope=lambda world: world[key], find=None)


KINDS: dict[str, Kind] = {
    "stakeholder": _kind("stakeholder"),
    "agreement": _kind("agreement"),
    "data_sharing": _kind("data_sharing"),
    "capacity": _kind("capacity"),
    "mechanism": _kind("mechanism"),
    "meeting": _kind("meeting"),
    "followup_action": _kind("followup_action"),
    "sop": _kind("sop"),
}


def viewer(ctx: Ctx) -> bool:
    return perms.can_view_structural(ctx.user)


def _and_view(check: Any) -> Any:
    """The getters refuse the roles without the register before anything else."""
    return lambda ctx: viewer(ctx) and check(ctx)


PAGES: list[Route] = [
    Route("community:stakeholder_list", "GET", "none", viewer),
    Route("community:stakeholder_new", "GET", "none", lambda c: perms.can_add_stakeholder(c.user)),
    Route("community:stakeholder_detail", "GET", "stakeholder", viewer),
    Route(
        "community:stakeholder_edit",
        "GET",
        "stakeholder",
        _and_view(lambda c: perms.can_edit_stakeholder(c.user, c.obj)),
    ),
    Route(
        "community:stakeholder_contact_add",
        "POST",
        "stakeholder",
        _and_view(lambda c: perms.can_add_engagement(c.user, c.obj)),
        lambda c: {"name": "Mme Ndiaye", "position": "Director"},
    ),
    Route(
        "community:stakeholder_contact_remove",
        "POST",
        "stakeholder",
        _and_view(lambda c: perms.can_add_engagement(c.user, c.obj)),
        lambda c: {"contact": c.world["stakeholder_contact"].pk},
    ),
    Route(
        "community:stakeholder_engagement_add",
        "POST",
        "stakeholder",
        _and_view(lambda c: perms.can_add_engagement(c.user, c.obj)),
        lambda c: {"occurred_on": TODAY.isoformat(), "kind": "CALL", "summary": "Follow-up"},
    ),
    Route("community:agreement_list", "GET", "none", viewer),
    Route("community:agreement_new", "GET", "none", lambda c: perms.can_add_agreement(c.user)),
    Route("community:agreement_detail", "GET", "data_sharing", viewer),
    Route(
        "community:agreement_edit",
        "GET",
        "agreement",
        _and_view(lambda c: perms.can_edit_agreement(c.user, c.obj)),
    ),
    Route(
        "community:agreement_terminate",
        "POST",
        "agreement",
        _and_view(lambda c: perms.can_edit_agreement(c.user, c.obj)),
        lambda c: {"terminated_on": TODAY.isoformat(), "version": c.obj.version},
    ),
    Route(
        "community:agreement_document",
        "GET",
        "data_sharing",
        _and_view(lambda c: perms.can_read_agreement_document(c.user, c.obj)),
    ),
    Route("community:capacity_list", "GET", "none", viewer),
    Route("community:capacity_new", "GET", "none", lambda c: perms.can_add_capacity(c.user)),
    Route("community:capacity_detail", "GET", "capacity", viewer),
    Route(
        "community:capacity_edit",
        "GET",
        "capacity",
        _and_view(lambda c: perms.can_edit_capacity(c.user, c.obj)),
    ),
    Route("community:mechanism_list", "GET", "none", viewer),
    Route("community:mechanism_new", "GET", "none", lambda c: perms.can_add_mechanism(c.user)),
    Route("community:mechanism_detail", "GET", "mechanism", viewer),
    Route(
        "community:mechanism_edit",
        "GET",
        "mechanism",
        _and_view(lambda c: perms.can_edit_mechanism(c.user, c.obj)),
    ),
    Route(
        "community:mechanism_meeting_add",
        "POST",
        "mechanism",
        _and_view(lambda c: perms.can_edit_mechanism(c.user, c.obj)),
        lambda c: {"held_on": TODAY.isoformat(), "attendees": "Members"},
    ),
    Route(
        "community:mechanism_sop_add",
        "POST",
        "mechanism",
        _and_view(lambda c: perms.can_edit_mechanism(c.user, c.obj)),
        lambda c: {"title": "Referral SOP", "version_label": "v2", "effective_on": "2026-11-01"},
    ),
    Route("community:meeting_detail", "GET", "meeting", viewer),
    Route(
        "community:meeting_action_add",
        "POST",
        "meeting",
        _and_view(lambda c: perms.can_edit_mechanism(c.user, c.obj.mechanism)),
        lambda c: {"description": "Call the agency", "owner_name": "Agency"},
    ),
    Route("community:meeting_minutes", "GET", "meeting", viewer),
    Route("community:action_list", "GET", "none", viewer),
    Route(
        "community:action_done",
        "POST",
        "followup_action",
        _and_view(lambda c: perms.can_complete_action(c.user, c.obj)),
    ),
    Route("community:sop_list", "GET", "none", viewer),
    Route(
        "community:sop_new",
        "POST",
        "none",
        lambda c: perms.can_add_sop(c.user),
        lambda c: {
            "title": "Programme SOP",
            "version_label": "v1",
            "effective_on": "2026-11-01",
            "office": c.world["structural_office"],
        },
    ),
    Route("community:sop_document", "GET", "sop", viewer),
]

API: dict[tuple[str, str], Route] = {
    ("GET", "/api/community/stakeholders"): Route("stakeholders", "GET", "none", viewer),
    ("POST", "/api/community/stakeholders"): Route(
        "stakeholders.create",
        "POST",
        "none",
        lambda c: perms.can_add_stakeholder(c.user),
        lambda c: {
            "name": "Chambre des métiers",
            "kind": "PRIVATE_SECTOR",
            "influence": "HIGH",
            "interest": "LOW",
            "office_id": c.world["structural_office"],
        },
    ),
    ("GET", "/api/community/stakeholders/{stakeholder_id}"): Route(
        "stakeholder", "GET", "stakeholder", viewer
    ),
    ("PATCH", "/api/community/stakeholders/{stakeholder_id}"): Route(
        "stakeholder.update",
        "PATCH",
        "stakeholder",
        _and_view(lambda c: perms.can_edit_stakeholder(c.user, c.obj)),
        lambda c: {"version": c.obj.version, "interest": "LOW"},
    ),
    ("POST", "/api/community/stakeholders/{stakeholder_id}/engagements"): Route(
        "stakeholder.engagements",
        "POST",
        "stakeholder",
        _and_view(lambda c: perms.can_add_engagement(c.user, c.obj)),
        lambda c: {"occurred_on": TODAY.isoformat(), "kind": "MEETING", "summary": "Met"},
    ),
    ("GET", "/api/community/agreements"): Route("agreements", "GET", "none", viewer),
    ("POST", "/api/community/agreements"): Route(
        "agreements.create",
        "POST",
        "none",
        lambda c: perms.can_add_agreement(c.user),
        lambda c: {
            "kind": "LTA",
            "stakeholder_id": c.world["stakeholder"].pk,
            "office_id": c.world["structural_office"],
            "title": "LTA",
        },
    ),
    ("GET", "/api/community/agreements/{agreement_id}"): Route(
        "agreement", "GET", "data_sharing", viewer
    ),
    ("GET", "/api/community/mechanisms"): Route("mechanisms", "GET", "none", viewer),
    ("GET", "/api/community/actions"): Route("actions", "GET", "none", viewer),
}
API_IDS: tuple[str, ...] = ("stakeholder_id", "agreement_id")
