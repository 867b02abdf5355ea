"""The canary sweep: a unique string planted in every restricted field of a seeded case, then
every page, API read, export, search and log line the permission matrix knows, for every
persona. A persona without a tier never meets that tier's canary; a persona with it does meet
it somewhere (so the sweep can fail).

Restricted fields today: the PROTECTION, MEDICAL and PSYCHOSOCIAL notes of a case, a medical
referral's reason, the answers of a restricted-tier questionnaire, and the restricted sections
of `safeguarding` (section fields, entries and their next steps). A new restricted field gets
one more entry in `PLANTERS`.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from reintegra.accounts.services import api_token_issue
from reintegra.cases import services as cases
from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access
from reintegra.instruments import services as instruments
from reintegra.instruments.xlsform import build_xlsform
from reintegra.providers import services as providers
from reintegra.referrals import services as referrals
from reintegra.reports.tests.test_permission_matrix import (  # noqa: F401 (fixture)
    API,
    PAGES,
    USERNAMES,
    Ctx,
    api_call,
    api_url,
    in_scope_object,
    page_url,
    world,
)

RESTRICTED = ("PROTECTION", "MEDICAL", "PSYCHOSOCIAL")


@dataclass
class Canary:
    tier: str  # who may read it: those who read this tier on the case
    field: str  # where it was planted, for the failure messages
    text: str


# --- planting ----------------------------------------------------------------------------------


def _writer(users: dict, case: Case, tier: str) -> Any:
    """A persona allowed to write this tier on the case (the case manager otherwise)."""
    for username in USERNAMES:
        if case_access(users[username], case).can_write_tier(tier):
            return users[username]
    return users["cm.tamba"]


def _note(tier: str) -> Callable[[Any, dict, str], None]:
    def plant(w: Any, users: dict, text: str) -> None:
        case = w["case"]
        cases.note_add(actor=_writer(users, case, tier), case=case, body=text, tier=tier)

    return plant


def _medical_referral(w: Any, users: dict, text: str) -> None:
    """A referral to a health service (MEDICAL tier) whose reason is the canary; the matrix's
    medical-referral routes then open this one."""
    cm = users["cm.tamba"]
    clinic = providers.provider_create(
        actor=users["coord.tamba"],
        office=w["case"].office,
        name="Poste de santé",
        kind="PUBLIC",
    )
    service = providers.service_add(
        actor=users["coord.tamba"], provider=clinic, category="HEALTH_PRIMARY", name="Soins"
    )
    referral = referrals.referral_create(actor=cm, case=w["case"], service=service, reason=text)
    assert referral.tier == "MEDICAL"
    w.objects["medical_referral"] = referral


def _restricted_response(tier: str) -> Callable[[Any, dict, str], None]:
    """A questionnaire of a restricted tier, answered on the case with the canary as free text;
    the matrix's response routes then open this response."""

    def plant(w: Any, users: dict, text: str) -> None:
        form_id = f"canary_{tier.lower()}"
        data = build_xlsform(
            {
                "survey": [
                    ["type", "name", "label", "required"],
                    ["text", "case_number", "Case number", "yes"],
                    ["text", "story", "What happened", "yes"],
                ],
                "settings": [["form_id", "case_field", "tier"], [form_id, "case_number", tier]],
            }
        )
        version = instruments.instrument_upload(
            actor=users["me.officer"], data=data, filename=f"{form_id}.xlsx"
        )
        case = w["case"]
        response, _ = instruments.response_record(
            actor=users["cm.tamba"],
            case=case,
            version=version,
            answers={"case_number": case.number, "story": text},
            source="API",
        )
        assert response.tier == tier
        w.objects["response"] = response

    return plant


def _section_field(section: str, name: str) -> Callable[[Any, dict, str], None]:
    """A text field of a case's restricted section (safeguarding), written by its writer."""

    def plant(w: Any, users: dict, text: str) -> None:
        from reintegra.safeguarding import services as safeguarding
        from reintegra.safeguarding.models import SectionRecord

        case = w["case"]
        current = SectionRecord.objects.filter(case=case, section=section).first()
        safeguarding.section_update(
            actor=_writer(users, case, section),
            case=case,
            section=section,
            version=current.version if current else 0,
            values={name: text},
        )

    return plant


def _section_entry(section: str, kind: str) -> Callable[[Any, dict, str], None]:
    """A dated entry of a restricted section: its summary and its next steps."""

    def plant(w: Any, users: dict, text: str) -> None:
        from reintegra.safeguarding import services as safeguarding

        case = w["case"]
        safeguarding.section_entry_add(
            actor=_writer(users, case, section),
            case=case,
            section=section,
            kind=kind,
            body=text,
            next_steps=text + "-next",
        )

    return plant


# (tier, field, planter): add the restricted fields of new areas here.
PLANTERS: list[tuple[str, str, Callable[[Any, dict, str], None]]] = [
    ("PROTECTION", "protection note", _note("PROTECTION")),
    ("MEDICAL", "medical note", _note("MEDICAL")),
    ("PSYCHOSOCIAL", "psychosocial note", _note("PSYCHOSOCIAL")),
    ("MEDICAL", "medical referral reason", _medical_referral),
    ("PSYCHOSOCIAL", "psychosocial questionnaire answer", _restricted_response("PSYCHOSOCIAL")),
    # The restricted sections of a case (safeguarding): a field and an entry of each.
    ("PROTECTION", "protection section: risks", _section_field("PROTECTION", "individual_risks")),
    ("PROTECTION", "protection section: safety plan", _section_field("PROTECTION", "safety_plan")),
    ("MEDICAL", "medical section: conditions", _section_field("MEDICAL", "conditions")),
    ("PSYCHOSOCIAL", "psychosocial section: plan", _section_field("PSYCHOSOCIAL", "plan")),
    ("PROTECTION", "protection note entry", _section_entry("PROTECTION", "PROTECTION_NOTE")),
    ("MEDICAL", "treatment follow-up entry", _section_entry("MEDICAL", "MEDICAL_FOLLOW_UP")),
    ("PSYCHOSOCIAL", "progress note entry", _section_entry("PSYCHOSOCIAL", "PROGRESS_NOTE")),
]


def plant_canaries(w: Any, users: dict) -> list[Canary]:
    planted = []
    for tier, field, plant in PLANTERS:
        text = f"CANARY-{uuid.uuid4().hex[:12]}-{tier}"
        plant(w, users, text)
        planted.append(Canary(tier=tier, field=field, text=text))
    w.objects["case"].refresh_from_db()
    return planted


# --- the sweep ---------------------------------------------------------------------------------


def _searches(client: Any, token: str) -> list[tuple[str, Callable[[str], Any]]]:
    """The searches a persona can run: the case and people lists (pages and API) with `q`."""

    def cases_page(q: str) -> Any:
        return client.get(reverse("cases:list"), {"q": q})

    def people_page(q: str) -> Any:
        return client.get(reverse("people:list"), {"q": q})

    def cases_api(q: str) -> Any:
        return api_call(token, "GET", f"/api/cases?q={q}", {})

    def people_api(q: str) -> Any:
        return api_call(token, "GET", f"/api/people?q={q}", {})

    return [
        ("cases search", cases_page),
        ("people search", people_page),
        ("api cases search", cases_api),
        ("api people search", people_api),
    ]


def _text(response) -> str:
    body = b"".join(response) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


@pytest.mark.django_db
def test_no_restricted_field_reaches_a_persona_without_its_tier(
    world,  # noqa: F811 (the fixture imported above)
    users,
    client_for,
    caplog,
):
    caplog.set_level(logging.DEBUG)
    world.objects["assignee"] = users["cm.psy"].pk
    canaries = plant_canaries(world, users)
    case = world["case"]
    leaks: list[str] = []
    seen: dict[str, set[str]] = {c.text: set() for c in canaries}
    opened = 0

    def look(username: str, readable: set[str], where: str, text: str) -> None:
        for canary in canaries:
            if canary.text in text:
                if canary.tier in readable:
                    seen[canary.text].add(username)
                else:
                    leaks.append(f"{canary.field} shown to {username} by {where}")

    for username in USERNAMES:
        user = type(users[username]).objects.get(pk=users[username].pk)
        access = case_access(user, case)
        readable = {t for t in RESTRICTED if access.can_read_tier(t)}
        client = client_for(username)
        token = api_token_issue(actor=user)
        for route in PAGES:
            if route.method != "GET":
                continue
            obj = in_scope_object(route.kind, world, users)
            if obj is None and route.kind != "none":
                continue
            response = client.get(page_url(route, Ctx(user=user, world=world, obj=obj)))
            opened += response.status_code == 200
            look(username, readable, route.name, _text(response))
        for (method, path), route in API.items():
            if method != "GET":
                continue
            obj = in_scope_object(route.kind, world, users)
            response = api_call(token, "GET", api_url(path, obj), {})
            opened += response.status_code == 200
            look(username, readable, f"GET {path}", _text(response))
        # Searches: a canary neither shows (beyond the search box echoing the query, counted
        # with a string planted nowhere) nor finds the case for those without its tier.
        searches = _searches(client, token)
        for where, search in searches:
            control = f"CANARY-{uuid.uuid4().hex[:12]}-NOWHERE"
            echoes = _text(search(control)).count(control)
            for canary in canaries:
                text = _text(search(canary.text))
                if canary.tier in readable:
                    continue
                if text.count(canary.text) > echoes:
                    leaks.append(f"{canary.field} shown to {username} by {where}")
                if case.number in text:
                    leaks.append(f"{canary.field} finds the case for {username} ({where})")

    assert sorted(set(leaks)) == []
    assert opened > 500
    # Each canary reached someone who reads its tier: the sweep does look where they show.
    for canary in canaries:
        assert seen[canary.text], f"{canary.field}: no persona with the tier saw it"
    # No log line ever carries one (planting, pages, API, searches, as any persona).
    logged = [
        f"{record.name}: {record.getMessage()[:120]}"
        for record in caplog.records
        if any(c.text in record.getMessage() or c.text in (record.exc_text or "") for c in canaries)
    ]
    assert logged == []
