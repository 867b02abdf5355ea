"""The demo's service map: providers around Tambacounda, Kolda and Dakar, kept by the
social-work case manager (Kolda), the coordinators and the medical focal point. Two were
last verified long ago, so the keepers' home pages list providers to verify."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from reintegra.accounts.models import Office, User
from reintegra.providers import services
from reintegra.providers.models import Provider

# (office, keeper, name, kind, region, commune, catchment, languages, response days,
#  agreement, services: [(category, name, eligibility, fees)], days since verified)
PROVIDERS = [
    (
        "KLD",
        "cm.kolda",
        "Centre de formation professionnelle de Kolda",
        "PUBLIC",
        "Kolda",
        "Kolda",
        ["Kolda", "Sédhiou"],
        "French, Pulaar, Mandinka",
        7,
        "MOU",
        [
            ("TVET", "Welding and electricity (6 months)", "Aged 18–35", "Free under the MoU"),
            ("TVET", "Sewing and tailoring", "", "25,000 XOF"),
        ],
        20,
    ),
    (
        "KLD",
        "cm.kolda",
        "Mutuelle de santé Kolda",
        "NON_PROFIT",
        "Kolda",
        "Kolda",
        ["Kolda"],
        "French, Pulaar",
        3,
        "NONE",
        [
            (
                "SOCIAL_PROTECTION",
                "Health insurance membership",
                "Residents of Kolda region",
                "3,500 XOF a year",
            )
        ],
        400,
    ),
    (
        "KLD",
        "fp.medical",
        "Hôpital régional de Kolda",
        "PUBLIC",
        "Kolda",
        "Kolda",
        [],
        "French, Pulaar",
        2,
        "LTA",
        [
            ("HEALTH_SECONDARY", "Consultations and hospitalisation", "", "Covered by the LTA"),
            ("MENTAL_HEALTH", "Psychiatric consultation", "On referral", ""),
        ],
        60,
    ),
    (
        "TAM",
        "coord.tamba",
        "Chambre de métiers de Tambacounda",
        "PUBLIC",
        "Tambacounda",
        "Tambacounda",
        ["Tambacounda"],
        "French, Wolof, Pulaar",
        5,
        "MOU",
        [
            ("BUSINESS", "Business plan coaching", "Returnees with a business idea", "Free"),
            ("JOB_PLACEMENT", "Apprenticeships with master craftsmen", "", ""),
        ],
        45,
    ),
    (
        "TAM",
        "coord.tamba",
        "Caisse de crédit mutuel de Tambacounda",
        "PRIVATE",
        "Tambacounda",
        "Tambacounda",
        ["Tambacounda"],
        "French, Wolof",
        10,
        "NONE",
        [("FINANCIAL", "Savings account and micro-credit", "ID card needed", "Account: 2,000 XOF")],
        300,
    ),
    (
        "TAM",
        "coord.tamba",
        "Centre d'état civil de Goudiry",
        "PUBLIC",
        "Tambacounda",
        "Goudiry",
        ["Tambacounda"],
        "French, Wolof, Pulaar",
        14,
        "NONE",
        [("DOCUMENTATION", "Birth certificate copies and national ID applications", "", "")],
        90,
    ),
    (
        "DKR",
        "coord.national",
        "Association des juristes sénégalaises",
        "NON_PROFIT",
        "Dakar",
        "Dakar",
        [],
        "French, Wolof",
        7,
        "MOU",
        [
            ("LEGAL", "Legal advice and accompaniment", "Women and girls in priority", "Free"),
            ("JUSTICE", "Help to file a complaint", "", "Free"),
        ],
        30,
    ),
    (
        "DKR",
        "fp.medical",
        "Centre de santé mentale de Dakar",
        "PUBLIC",
        "Dakar",
        "Dakar",
        [],
        "French, Wolof",
        5,
        "LTA",
        [
            ("MENTAL_HEALTH", "Psychological care", "On referral", ""),
            ("PSYCHOSOCIAL", "Support groups", "", "Free"),
        ],
        15,
    ),
]


# Where they are (the health mutual has no coordinates yet: the map says so).
PLACES = {
    "Kolda": (Decimal("12.8939"), Decimal("-14.9412")),
    "Tambacounda": (Decimal("13.7707"), Decimal("-13.6673")),
    "Goudiry": (Decimal("14.1833"), Decimal("-12.7167")),
    "Dakar": (Decimal("14.6928"), Decimal("-17.4467")),
}
NOT_LOCATED = {"Mutuelle de santé Kolda"}


def providers_load(offices: dict[str, Office], users: dict[str, User]) -> None:
    if Provider.objects.exists():
        return
    today = timezone.localdate()
    for (
        code,
        keeper,
        name,
        kind,
        region,
        commune,
        catchment,
        languages,
        days,
        agreement,
        offered,
        verified_days_ago,
    ) in PROVIDERS:
        actor = users[keeper]
        latitude, longitude = (None, None) if name in NOT_LOCATED else PLACES[commune]
        provider = services.provider_create(
            actor=actor,
            office=offices[code],
            name=name,
            kind=kind,
            region=region,
            commune=commune,
            catchment_regions=catchment,
            languages=languages,
            response_days=days,
            agreement=agreement,
            latitude=latitude,
            longitude=longitude,
        )
        for category, service, eligibility, fees in offered:
            services.service_add(
                actor=actor,
                provider=provider,
                category=category,
                name=service,
                eligibility=eligibility,
                fees=fees,
            )
        # Demo back-dating, like the rest of the demo: when it was last checked.
        Provider.objects.filter(pk=provider.pk).update(
            last_verified_on=today - timedelta(days=verified_days_ago)
        )
