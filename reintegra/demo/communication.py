"""Demo data of the communication area: work in progress that the personas' home pages show.

A strategy in force for the Senegal programme, two campaigns with activities in Tambacounda,
Kolda and Dakar (reach by sex and age), an SMS already sent to the consenting returnees of
Tambacounda (a few failed at the gateway, the others skipped for want of consent) and a draft
WhatsApp message to Kolda. Everything goes through the area's services.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import Office
from reintegra.outreach.backends import DeliveryFailed, MessageBackend
from reintegra.outreach.services import communication as comms


class _DemoGateway(MessageBackend):
    """A make-believe SMS gateway for the demo: it accepts most numbers and refuses a few,
    the way a real one refuses numbers that no longer exist. Nothing is written anywhere."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, channel: str, address: str, subject: str, body: str) -> str:
        self.count += 1
        if sum(int(c) for c in address if c.isdigit()) % 9 == 0:
            raise DeliveryFailed("gateway answered HTTP 400 (number not in service)")
        return f"demo-{self.count:05d}"


# (days ago, office, campaign index or None, kind, title, region, commune, venue, audience,
#  reach {(sex, age band): count}, materials, feedback)
ACTIVITIES = [
    (
        40,
        "TAM",
        0,
        "INFO_SESSION",
        "Information session for returnees in Tambacounda",
        "Tambacounda",
        "Tambacounda",
        "Regional office meeting room",
        "RETURNEES",
        {("M", "18-24"): 14, ("M", "25-59"): 22, ("F", "18-24"): 4, ("F", "25-59"): 6},
        "Leaflet on reintegration support (Pulaar, French)",
        "Questions about the timing of the reintegration grant and vocational training places.",
    ),
    (
        33,
        "TAM",
        0,
        "COMMUNITY_DIALOGUE",
        "Community dialogue on safe return in Goudiry",
        "Tambacounda",
        "Goudiry",
        "Maison des jeunes",
        "COMMUNITIES",
        {
            ("M", "25-59"): 31,
            ("F", "25-59"): 27,
            ("M", "60+"): 9,
            ("F", "60+"): 5,
            ("M", "0-17"): 8,
            ("F", "0-17"): 6,
        },
        "Posters, testimonies of two returnees",
        "Elders asked how families can support returnees; youth asked about apprenticeships.",
    ),
    (
        26,
        "KLD",
        0,
        "INFO_SESSION",
        "Information session in Vélingara",
        "Kolda",
        "Vélingara",
        "Community radio hall",
        "POTENTIAL_RETURNEES",
        {("M", "18-24"): 18, ("M", "25-59"): 11, ("F", "18-24"): 7},
        "Leaflet, short video",
        "Many questions on the risks of the Mediterranean route.",
    ),
    (
        21,
        "DKR",
        1,
        "RADIO",
        "Radio programme: life after return (episode 1)",
        "Dakar",
        "",
        "RFM community radio",
        "COMMUNITIES",
        {("M", "25-59"): 600, ("F", "25-59"): 450, ("M", "18-24"): 300, ("F", "18-24"): 250},
        "Interview script, jingle",
        "Listeners called in about the support available for women returnees.",
    ),
    (
        14,
        "TAM",
        1,
        "RADIO",
        "Radio programme: life after return (episode 2, Tamba FM)",
        "Tambacounda",
        "Tambacounda",
        "Tamba FM",
        "COMMUNITIES",
        {("M", "25-59"): 380, ("F", "25-59"): 320, ("M", "60+"): 60, ("F", "60+"): 40},
        "Interview script",
        "Callers asked how to contact the regional office.",
    ),
    (
        9,
        "KLD",
        1,
        "RADIO",
        "Radio programme: life after return (episode 3, Kolda)",
        "Kolda",
        "Kolda",
        "Radio Bamtaare",
        "COMMUNITIES",
        {("M", "25-59"): 210, ("F", "25-59"): 190},
        "Interview script, jingle",
        "",
    ),
    (
        5,
        "DKR",
        None,
        "SOCIAL_MEDIA",
        "Facebook post: testimony of a returnee entrepreneur",
        "Dakar",
        "",
        "Programme Facebook page",
        "POTENTIAL_RETURNEES",
        {("M", "18-24"): 950, ("F", "18-24"): 420, ("M", "25-59"): 700, ("F", "25-59"): 380},
        "Photo and short video (with the returnee's consent)",
        "Comments asked how to register on return.",
    ),
]


def communication_load(users: dict[str, Any]) -> None:
    """Add the area's demo records (called once by programme_load, inside its transaction)."""
    fp = users["fp.comms"]
    offices = {o.code: o for o in Office.objects.filter(code__in=["DKR", "TAM", "KLD"])}
    today = timezone.localdate()
    strategy = comms.strategy_create(
        actor=fp,
        office=offices["DKR"],
        title="Communication strategy 2026, Senegal reintegration programme",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        objectives=(
            "Inform potential returnees and returnees about the assistance available and how "
            "to reach it.\nFoster the acceptance of returnees by their communities.\n"
            "Keep authorities and host-country partners informed of the programme's progress."
        ),
        audiences=["POTENTIAL_RETURNEES", "RETURNEES", "COMMUNITIES", "AUTHORITIES"],
        key_messages=[
            {
                "text": "Reintegration support exists: contact the regional office on arrival.",
                "audience": "RETURNEES",
            },
            {
                "text": "Irregular routes put lives at risk; safe and legal options exist.",
                "audience": "POTENTIAL_RETURNEES",
            },
            {
                "text": "Returnees bring skills back to the community.",
                "audience": "COMMUNITIES",
            },
        ],
        channels=["INFO_SESSIONS", "COMMUNITY_DIALOGUES", "RADIO", "SOCIAL_MEDIA", "SMS"],
        status="IN_FORCE",
    )
    campaigns = [
        comms.campaign_create(
            actor=fp,
            office=offices["DKR"],
            title="Safe return and reintegration information",
            objective="Make sure returnees know the support available and how to reach it.",
            starts_on=today - timedelta(days=45),
            ends_on=today + timedelta(days=45),
            strategy=strategy,
        ),
        comms.campaign_create(
            actor=fp,
            office=offices["DKR"],
            title="Community radio series: life after return",
            objective="Weekly radio programmes with returnees and community leaders.",
            starts_on=today - timedelta(days=25),
            strategy=strategy,
        ),
    ]
    for row in ACTIVITIES:
        days, code, campaign, kind, title, region, commune, venue, audience = row[:9]
        reach, materials, feedback = row[9:]
        comms.activity_create(
            actor=fp,
            office=offices[code],
            campaign=campaigns[campaign] if campaign is not None else None,
            kind=kind,
            title=title,
            held_on=today - timedelta(days=days),
            region=region,
            commune=commune,
            venue=venue,
            audience=audience,
            reach=reach,
            materials=materials,
            feedback=feedback,
        )
    sent = comms.message_create(
        actor=fp,
        office=offices["DKR"],
        channel="SMS",
        region="Tambacounda",
        body=(
            "Programme de réintégration : séance d'information le samedi à 10 h au bureau "
            "régional de Tambacounda. Venez avec vos questions."
        ),
    )
    sent = comms.message_send(actor=fp, message=sent)
    # The demo delivers at once (inside the load) through a make-believe gateway.
    comms.message_deliver(actor=fp, message_id=sent.pk, backend=_DemoGateway())
    for delivery in sent.deliveries.filter(status="SENT").order_by("pk")[:5]:
        comms.delivery_report(actor=None, reference=delivery.provider_reference, status="DELIVERED")
    comms.message_create(
        actor=fp,
        office=offices["DKR"],
        channel="WHATSAPP",
        region="Kolda",
        only_open_cases=True,
        body=(
            "Rappel : la foire de l'emploi des jeunes de Kolda a lieu le 12. Les personnes "
            "accompagnées par le programme peuvent s'inscrire au bureau régional."
        ),
    )
