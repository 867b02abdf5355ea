"""Demo data of the feedback area: work in progress that the personas' home pages show.

About twenty items over the last six months at Tambacounda, Kolda and Dakar — every category
and channel, themes that shift over time (delays early, payments lately), some overdue, one
sensitive complaint (fraud) waiting in the coordinators' restricted queue, several resolved
with a response — and three programme adjustments linked to the feedback behind them, one also
to a monitoring visit.
"""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import Office
from reintegra.monitoring.models import Visit
from reintegra.outreach.services import feedback as services
from reintegra.people.selectors import returnee_visible_to

# days ago, office, recorder, source, channel, category, theme, description, how far handled,
# assignee. How far: "new" received only, "ack", "assigned", "resolved", "closed".
ITEMS: list[tuple[Any, ...]] = [
    (170, "TAM", "cm.tamba", "RETURNEE", "IN_PERSON", "COMPLAINT", "DELAYS",
     "The sewing machine in my plan has not been delivered after two months.", "closed",
     "cm.tamba"),
    (160, "TAM", "fp.comms", "COMMUNITY", "COMMUNITY_MEETING", "SUGGESTION", "INFORMATION",
     "Hold the information sessions in Pulaar as well as in Wolof.", "closed", "fp.comms"),
    (150, "KLD", "cm.kolda", "RETURNEE", "HOTLINE", "COMPLAINT", "DELAYS",
     "Still waiting for the poultry kit approved in the spring.", "closed", "cm.kolda"),
    (140, "DKR", "me.officer", "STAKEHOLDER", "EMAIL", "INFORMATION", "ELIGIBILITY",
     "The regional youth office asks who may join the business training.", "resolved",
     "fp.comms"),
    (120, "TAM", "cm.psy", "RETURNEE", "MONITORING_VISIT", "COMPLAINT", "QUALITY",
     "The goats delivered were weak; two died in the first week.", "resolved", "cm.tamba"),
    (110, "KLD", "cm.kolda", "COMMUNITY", "SUGGESTION_BOX", "SUGGESTION", "PROVIDERS",
     "Ask the health post to keep a day for returnees.", "ack", None),
    (95, "TAM", "cm.tamba", "RETURNEE", "WHATSAPP", "COMPLAINT", "DELAYS",
     "Nobody called me back about the shop rent.", "resolved", "cm.tamba"),
    (80, "DKR", "fp.comms", "COMMUNITY", "SOCIAL_MEDIA", "INFORMATION", "INFORMATION",
     "Is the programme still registering people who came back from Libya?", "closed", "fp.comms"),
    (70, "TAM", "cm.tamba", "RETURNEE", "SMS", "COMPLAINT", "PAYMENTS",
     "The second cash instalment did not arrive on my mobile money account.", "resolved",
     "coord.tamba"),
    (60, "KLD", "cm.kolda", "RETURNEE", "IN_PERSON", "COMPLAINT", "STAFF_CONDUCT",
     "The driver was rude during the kit delivery.", "assigned", "cm.kolda"),
    (50, "TAM", "fp.comms", "STAKEHOLDER", "HOTLINE", "SUGGESTION", "PROVIDERS",
     "The vocational centre offers evening classes if the programme pays the trainer.",
     "assigned", "fp.comms"),
    (40, "DKR", "me.officer", "RETURNEE", "MONITORING_VISIT", "COMPLAINT", "PAYMENTS",
     "Mobile money fees take part of the cash grant.", "assigned", "coord.national"),
    (30, "TAM", "cm.tamba", "RETURNEE", "HOTLINE", "COMPLAINT", "PAYMENTS",
     "The payment date changed twice without notice.", "assigned", "cm.psy"),
    (25, "KLD", "cm.kolda", "COMMUNITY", "COMMUNITY_MEETING", "INFORMATION", "ELIGIBILITY",
     "Can family members of returnees join the community project?", "ack", None),
    (20, "TAM", "cm.psy", "RETURNEE", "IN_PERSON", "SUGGESTION", "QUALITY",
     "Group sessions would help more than individual ones.", "new", None),
    (14, "DKR", "fp.comms", "COMMUNITY", "OTHER", "COMPLAINT", "OTHER",
     "Posters announce a meeting that did not take place.", "new", None),
    (10, "KLD", "cm.kolda", "RETURNEE", "SMS", "INFORMATION", "PAYMENTS",
     "When is the next instalment due?", "resolved", "cm.kolda"),
    (6, "TAM", "cm.tamba", "RETURNEE", "WHATSAPP", "COMPLAINT", "PAYMENTS",
     "My instalment was paid to the wrong number.", "assigned", "cm.tamba"),
    (2, "TAM", "cm.tamba", "COMMUNITY", "IN_PERSON", "SUGGESTION", "INFORMATION",
     "Put the list of services on the radio.", "new", None),
]  # fmt: skip

RESPONSES = {
    "DELAYS": "We apologised and gave a delivery date; the supplier has been changed.",
    "INFORMATION": "We explained the rules in person and shared the leaflet.",
    "ELIGIBILITY": "We sent the eligibility criteria and the registration dates.",
    "QUALITY": "A replacement was delivered after a veterinary check.",
    "PAYMENTS": "We checked with the payment provider and corrected the transfer.",
    "PROVIDERS": "We discussed it with the provider; the answer was shared by phone.",
}

ADJUSTMENTS: list[tuple[Any, ...]] = [
    # days ago, office, title, area, status, description, indexes of ITEMS behind it, a visit?
    (130, "DKR", "Weekly follow-up of pending deliveries", "PROCESS", "IMPLEMENTED",
     "Case managers review every measure not delivered after three weeks with the supplier.",
     [0, 2, 6], False),
    (100, "TAM", "Veterinary check before livestock is handed over", "PARTNERS", "IMPLEMENTED",
     "The regional livestock service checks every animal before delivery.", [4], True),
    (20, "DKR", "Text message before each cash instalment", "COMMUNICATION", "PLANNED",
     "Returnees receive the date and amount of each instalment by SMS two days before.",
     [8, 11, 12], False),
]  # fmt: skip


def _advance(
    item: Any, stage: str, users: dict[str, Any], assignee: str | None, on: date, days: int
) -> Any:
    """Handle an item as far as `stage`, as its office's coordinator would."""
    coordinator = users["coord.national" if item.office.code == "DKR" else "coord.tamba"]
    if item.office.code == "KLD":
        coordinator = users["coord.national"]
    if stage == "new":
        return item
    item = services.feedback_acknowledge(
        actor=coordinator, item=item, version=item.version, acknowledged_on=on
    )
    if stage == "ack":
        return item
    if assignee:
        item = services.feedback_assign(
            actor=coordinator, item=item, version=item.version, assignee=users[assignee]
        )
    if stage == "assigned":
        return item
    # Responses take from three days to a fortnight (the report's medians show the spread).
    responded = min(on + timedelta(days=3 + days % 12), timezone.localdate())
    item = services.feedback_resolve(
        actor=coordinator,
        item=item,
        version=item.version,
        response=RESPONSES.get(item.theme, RESPONSES["INFORMATION"]),
        responded_on=responded,
        response_channel=item.channel if item.channel != "SUGGESTION_BOX" else "IN_PERSON",
    )
    if stage == "closed":
        item = services.feedback_close(actor=coordinator, item=item, version=item.version)
    return item


def feedback_load(users: dict[str, Any]) -> None:
    """Add the area's demo records (called once by programme_load, inside its transaction)."""
    today = timezone.localdate()
    offices = {o.code: o for o in Office.objects.filter(code__in=("TAM", "KLD", "DKR"))}
    person = returnee_visible_to(users["cm.tamba"]).filter(office=offices["TAM"]).first()
    items = []
    for days, code, recorder, source, channel, category, theme, text, stage, assignee in ITEMS:
        received = today - timedelta(days=days)
        item = services.feedback_record(
            actor=users[recorder],
            office=offices[code],
            source=source,
            received_on=received,
            channel=channel,
            category=category,
            theme=theme,
            description=text,
            returnee=person if (source == "RETURNEE" and recorder == "cm.tamba") else None,
            contact="" if source == "STAKEHOLDER" else "+221 77 000 00 00",
        )
        ack_on = min(received + timedelta(days=1 + days % 5), today)
        items.append(_advance(item, stage, users, assignee, ack_on, days))
    # The sensitive complaint: recorded by a case manager, waiting for the coordinators.
    services.feedback_record(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        source="COMMUNITY",
        received_on=today - timedelta(days=5),
        channel="HOTLINE",
        category="SENSITIVE",
        sensitive_kind="FRAUD",
        theme="STAFF_CONDUCT",
        description="A caller says someone asked returnees for money to be put on the list.",
        is_anonymous=True,
    )
    # A monitoring finding: the earliest visit done at Tambacounda (the adjustment follows it).
    visit = (
        Visit.objects.filter(office=offices["TAM"], done_on__isnull=False)
        .order_by("done_on", "id")
        .first()
    )
    for days, code, title, area, status, text, behind, with_visit in ADJUSTMENTS:
        actor = users["coord.tamba" if code == "TAM" else "coord.national"]
        decided = today - timedelta(days=days)
        if with_visit and visit is not None and visit.done_on:
            decided = min(max(decided, visit.done_on + timedelta(days=7)), today)
        services.adjustment_record(
            actor=actor,
            office=offices[code],
            decided_on=decided,
            title=title,
            area=area,
            status=status,
            description=text,
            feedback_items=[items[i] for i in behind],
            visits=[visit] if (with_visit and visit is not None) else [],
        )
