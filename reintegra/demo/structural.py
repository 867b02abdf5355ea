"""Demo data of the structural area: work in progress that the personas' home pages show.

Stakeholders around the Senegal programme (authorities, agencies, a chamber of trades, a
microfinance institution, NGOs, the diaspora and the host-country partner in Rabat) with
contacts and engagement history; agreements (an MoU in force, an LTA, a data-sharing agreement
that expires in about a month so the alert shows, an expired one); capacity-building
activities; a regional technical committee in Tambacounda and a national steering committee
with meetings, decisions and follow-up actions (one overdue, owned by coord.tamba), and SOPs in
two versions. Organisation names are generic inventions; no real agreement is described."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import Office
from reintegra.community.services import structural as services
from reintegra.providers.models import Provider

# (key, office, name, kind, region, influence, interest, provider name, concerns, expectations,
#  contacts: [(name, position, phone, email)])
STAKEHOLDERS = [
    (
        "directorate",
        "DKR",
        "Direction nationale des Sénégalais de l'extérieur",
        "NATIONAL_AUTHORITY",
        "Dakar",
        "HIGH",
        "HIGH",
        "",
        "Returnees registered twice by several programmes.",
        "Regular data on arrivals and reintegration outcomes, by region.",
        [("Mme Coumba Ndoye", "Head of the return desk", "+221 33 800 00 01", "")],
    ),
    (
        "ard_tamba",
        "TAM",
        "Agence régionale de développement de Tambacounda",
        "LOCAL_AUTHORITY",
        "Tambacounda",
        "HIGH",
        "HIGH",
        "",
        "Returnee projects that do not fit the regional development plan.",
        "Joint planning of community projects; a seat on the technical committee.",
        [
            ("M. Babacar Cissé", "Director", "+221 33 981 00 02", ""),
            ("Mme Astou Camara", "Planning officer", "+221 77 000 00 03", ""),
        ],
    ),
    (
        "ard_kolda",
        "KLD",
        "Agence régionale de développement de Kolda",
        "LOCAL_AUTHORITY",
        "Kolda",
        "HIGH",
        "LOW",
        "",
        "Limited staff to follow returnee projects.",
        "Support to map services in the Kolda region.",
        [("M. Seydou Baldé", "Deputy director", "+221 33 996 00 04", "")],
    ),
    (
        "chamber",
        "TAM",
        "Chambre de métiers de Tambacounda",
        "PRIVATE_SECTOR",
        "Tambacounda",
        "LOW",
        "HIGH",
        "Chambre de métiers de Tambacounda",
        "Apprentices placed without a follow-up.",
        "Placements in workshops with a stipend for the masters.",
        [("M. Lamine Diatta", "Secretary general", "+221 77 000 00 05", "")],
    ),
    (
        "microfinance",
        "TAM",
        "Caisse de crédit mutuel de Tambacounda",
        "SERVICE_PROVIDER",
        "Tambacounda",
        "LOW",
        "HIGH",
        "Caisse de crédit mutuel de Tambacounda",
        "Repayment risk for first-time borrowers.",
        "Business training before a loan; a guarantee fund.",
        [("Mme Awa Konaté", "Loan officer", "+221 77 000 00 06", "")],
    ),
    (
        "ngo_kolda",
        "KLD",
        "Association Jeunesse et Avenir de Kolda",
        "NGO",
        "Kolda",
        "LOW",
        "HIGH",
        "",
        "Funding for its youth centre ends next year.",
        "Returnees included in its community activities.",
        [("M. Ibrahima Mballo", "Coordinator", "+221 77 000 00 07", "")],
    ),
    (
        "ngo_health",
        "DKR",
        "Réseau santé mentale et communauté",
        "NGO",
        "Dakar",
        "LOW",
        "LOW",
        "",
        "",
        "Referrals with the returnee's consent only.",
        [],
    ),
    (
        "diaspora",
        "DKR",
        "Association des ressortissants sénégalais de Casablanca",
        "DIASPORA",
        "",
        "LOW",
        "HIGH",
        "",
        "Migrants in Morocco hear rumours about the assistance.",
        "Accurate information to share with its members.",
        [("M. Moussa Sy", "President", "+212 600 000 008", "")],
    ),
    (
        "rabat_partner",
        "DKR",
        "Plateforme d'accueil des migrants de Rabat",
        "HOST_PARTNER",
        "Rabat-Salé-Kénitra",
        "HIGH",
        "LOW",
        "",
        "Long waits before departure.",
        "Earlier hand-over of pre-departure information.",
        [("Mme Nadia Alaoui", "Programme manager", "+212 537 000 009", "")],
    ),
    (
        "employment",
        "DKR",
        "Agence nationale pour l'emploi des jeunes",
        "NATIONAL_AUTHORITY",
        "Dakar",
        "HIGH",
        "LOW",
        "",
        "",
        "Returnees registered in its job-seeker database.",
        [],
    ),
    (
        "commune",
        "TAM",
        "Commune de Goudiry",
        "LOCAL_AUTHORITY",
        "Tambacounda",
        "LOW",
        "LOW",
        "",
        "",
        "Information on returnees settling in the commune.",
        [],
    ),
    (
        "solar",
        "TAM",
        "Énergie Solaire Sahel SARL",
        "PRIVATE_SECTOR",
        "Tambacounda",
        "LOW",
        "LOW",
        "",
        "",
        "Trained installers to hire.",
        [],
    ),
]

# (stakeholder key, author, days ago, kind, summary, next step)
ENGAGEMENTS = [
    (
        "ard_tamba",
        "coord.tamba",
        40,
        "MEETING",
        "Presented the programme's caseload in the region.",
        "Draft an MoU",
    ),
    ("ard_tamba", "coord.tamba", 12, "JOINT_ACTIVITY", "Joint visit to two project sites.", ""),
    ("directorate", "coord.national", 60, "MEETING", "Quarterly review of arrivals.", ""),
    ("directorate", "fp.comms", 15, "EVENT", "Joint radio programme on safe return.", ""),
    ("chamber", "coord.tamba", 25, "VISIT", "Visited three workshops taking apprentices.", ""),
    ("microfinance", "coord.tamba", 9, "CALL", "Asked about loans for returnee businesses.", ""),
    ("diaspora", "fp.comms", 20, "CALL", "Answered questions on the assistance.", "Send leaflets"),
    ("rabat_partner", "coord.national", 30, "EMAIL", "Agreed on the hand-over checklist.", ""),
    ("ngo_kolda", "coord.national", 18, "MEETING", "Discussed youth activities.", ""),
]


def structural_load(users: dict[str, Any]) -> None:
    """Add the area's demo records (called once by programme_load, inside its transaction)."""
    today = timezone.localdate()
    offices = {o.code: o for o in Office.objects.filter(code__in=["DKR", "TAM", "KLD", "RBT"])}
    national, tamba = users["coord.national"], users["coord.tamba"]
    providers = {p.name: p for p in Provider.objects.all()}
    stakeholders = {}
    for (
        key,
        office,
        name,
        kind,
        region,
        influence,
        interest,
        provider,
        concerns,
        expectations,
        contacts,
    ) in STAKEHOLDERS:
        actor = tamba if office == "TAM" else national
        stakeholder = services.stakeholder_create(
            actor=actor,
            office=offices[office],
            name=name,
            kind=kind,
            region=region,
            influence=influence,
            interest=interest,
            concerns=concerns,
            expectations=expectations,
            provider=providers.get(provider),
        )
        for contact, position, phone, email in contacts:
            services.contact_add(
                actor=actor,
                stakeholder=stakeholder,
                name=contact,
                position=position,
                phone=phone,
                email=email,
            )
        stakeholders[key] = stakeholder
    for key, author, days, kind, summary, next_step in ENGAGEMENTS:
        services.engagement_add(
            actor=users[author],
            stakeholder=stakeholders[key],
            occurred_on=today - timedelta(days=days),
            kind=kind,
            summary=summary,
            next_step=next_step,
        )
    _agreements(users, offices, stakeholders, today)
    _capacity(users, offices, stakeholders, today)
    _coordination(users, offices, stakeholders, today)


def _agreements(
    users: dict[str, Any], offices: dict[str, Office], s: dict[str, Any], today: date
) -> None:
    national, tamba = users["coord.national"], users["coord.tamba"]
    day = timedelta(days=1)
    services.agreement_create(
        actor=tamba,
        stakeholder=s["ard_tamba"],
        office=offices["TAM"],
        kind="MOU",
        title="MoU on community reintegration projects in Tambacounda",
        reference="MOU-TAM-01",
        signed_on=today - 200 * day,
        starts_on=today - 200 * day,
        ends_on=today + 530 * day,
    )
    services.agreement_create(
        actor=tamba,
        stakeholder=s["chamber"],
        office=offices["TAM"],
        kind="LTA",
        title="Long-term agreement for apprenticeship placements",
        reference="LTA-TAM-03",
        signed_on=today - 120 * day,
        starts_on=today - 110 * day,
        ends_on=today + 250 * day,
    )
    services.agreement_create(
        actor=national,
        stakeholder=s["directorate"],
        office=offices["DKR"],
        kind="DATA_SHARING",
        title="Data-sharing agreement on returnee arrivals",
        reference="DSA-DKR-02",
        signed_on=today - 335 * day,
        starts_on=today - 335 * day,
        ends_on=today + 30 * day,
        data_ownership="Each party owns the data it collects; shared figures stay the "
        "property of the programme.",
        data_categories="Monthly counts of arrivals by region, sex and age band; no names.",
        safeguards="Aggregates only, sent through the encrypted channel; cells under five "
        "are suppressed.",
        data_access="The programme's M&E specialist enters the figures; the directorate's "
        "return desk views them.",
    )
    services.agreement_create(
        actor=tamba,
        stakeholder=s["microfinance"],
        office=offices["TAM"],
        kind="MOU",
        title="MoU on business training before loans (pilot)",
        reference="MOU-TAM-00",
        signed_on=today - 500 * day,
        starts_on=today - 500 * day,
        ends_on=today - 40 * day,
    )
    services.agreement_create(
        actor=national,
        stakeholder=s["rabat_partner"],
        office=offices["DKR"],
        kind="OTHER",
        title="Letter of intent on pre-departure information",
        signed_on=None,
    )


def _capacity(
    users: dict[str, Any], offices: dict[str, Office], s: dict[str, Any], today: date
) -> None:
    services.capacity_activity_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        title="Training of the agency's staff on reintegration case referral",
        kind="TRAINING",
        stakeholder=s["ard_tamba"],
        starts_on=today - 45 * timedelta(days=1),
        ends_on=today - 43 * timedelta(days=1),
        participants=14,
        participants_female=6,
        participants_male=8,
        results="Fourteen staff trained; a referral focal point named in the agency.",
    )
    services.capacity_activity_create(
        actor=users["me.officer"],
        office=offices["DKR"],
        title="Workshop on national indicators of sustainable reintegration",
        kind="INDICATORS",
        stakeholder=s["directorate"],
        starts_on=today - 20 * timedelta(days=1),
        participants=22,
        results="A first list of eight indicators agreed for the national statistics.",
    )
    services.capacity_activity_create(
        actor=users["coord.national"],
        office=offices["KLD"],
        title="Equipment for the youth centre's training room",
        kind="EQUIPMENT",
        stakeholder=s["ngo_kolda"],
        starts_on=today - 10 * timedelta(days=1),
        participants=0,
        results="Ten sewing machines and a solar kit delivered.",
    )


def _coordination(
    users: dict[str, Any], offices: dict[str, Office], s: dict[str, Any], today: date
) -> None:
    national, tamba = users["coord.national"], users["coord.tamba"]
    day = timedelta(days=1)
    committee = services.mechanism_create(
        actor=tamba,
        office=offices["TAM"],
        name="Comité technique régional de réintégration de Tambacounda",
        kind="TECHNICAL_COMMITTEE",
        lead=s["ard_tamba"],
        terms_of_reference="Coordinates the reintegration of returnees in the region: "
        "referrals between services, community projects, and the follow-up of cases that "
        "need several services.",
        meeting_frequency="Every two months",
    )
    first = services.meeting_add(
        actor=tamba,
        mechanism=committee,
        held_on=today - 60 * day,
        place="Agence régionale de développement, Tambacounda",
        attendees="Regional development agency, chamber of trades, microfinance institution, "
        "programme team (Tambacounda).",
        stakeholders=[s["ard_tamba"], s["chamber"], s["microfinance"]],
        agenda="1. Referral pathways. 2. Community project sites for 2027.",
        decisions="Adopt the referral SOP. Map the training places in the region.",
    )
    services.action_add(
        actor=tamba,
        meeting=first,
        description="Circulate the referral SOP to the committee's members",
        owner=tamba,
        due_on=today - 45 * day,
    )
    done = services.action_add(
        actor=tamba,
        meeting=first,
        description="List the apprenticeship places open to returnees",
        owner_name="Chambre de métiers",
        due_on=today - 30 * day,
    )
    services.action_complete(actor=tamba, action=done, done_on=today - 32 * day)
    second = services.meeting_add(
        actor=tamba,
        mechanism=committee,
        held_on=today - 14 * day,
        place="Gouvernance, Tambacounda",
        attendees="Members of the committee; the commune of Goudiry as observer.",
        stakeholders=[s["ard_tamba"], s["chamber"], s["commune"]],
        agenda="1. Follow-up of the actions. 2. Sites for community projects.",
        decisions="Two sites retained for community projects. The loan guarantee fund is "
        "discussed at the next meeting.",
    )
    services.action_add(
        actor=tamba,
        meeting=second,
        description="Share the updated referral directory with the committee",
        owner=tamba,
        due_on=today - 3 * day,
    )
    services.action_add(
        actor=tamba,
        meeting=second,
        description="Visit the two project sites with the agency",
        owner=users["cm.tamba"],
        due_on=today + 10 * day,
    )
    services.sop_version_add(
        actor=tamba,
        office=offices["TAM"],
        mechanism=committee,
        title="Referral SOP for the Tambacounda region",
        version_label="1.0",
        effective_on=today - 180 * day,
        changes="First version.",
    )
    services.sop_version_add(
        actor=tamba,
        office=offices["TAM"],
        mechanism=committee,
        title="Referral SOP for the Tambacounda region",
        version_label="1.1",
        effective_on=today - 55 * day,
        changes="Adds the microfinance institution and the health referral pathway.",
    )
    steering = services.mechanism_create(
        actor=national,
        office=offices["DKR"],
        name="Comité national de pilotage de la réintégration",
        kind="STEERING_COMMITTEE",
        lead=s["directorate"],
        terms_of_reference="Sets the programme's priorities with the national authorities "
        "and reviews its results twice a year.",
        meeting_frequency="Twice a year",
    )
    meeting = services.meeting_add(
        actor=national,
        mechanism=steering,
        held_on=today - 35 * day,
        place="Dakar",
        attendees="National directorate, employment agency, programme coordinators.",
        stakeholders=[s["directorate"], s["employment"]],
        agenda="Annual review; national indicators.",
        decisions="The M&E workshop drafts national indicators of sustainable reintegration.",
    )
    services.action_add(
        actor=national,
        meeting=meeting,
        description="Send the draft indicators to the directorate",
        owner=users["me.officer"],
        due_on=today + 20 * day,
    )
    services.sop_version_add(
        actor=national,
        office=offices["DKR"],
        title="Programme-wide data protection SOP",
        version_label="2024-1",
        effective_on=today - 300 * day,
        changes="First version.",
    )
