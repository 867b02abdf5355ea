"""Demo data of the subject-access requests: a few requests in every state so the coordinators'
home pages and the request list show work in progress.

At Tambacounda: one received 40 days ago and still not handled (overdue), one in progress, one
answered; at Kolda: one just received and one refused (the caller could not prove who they
were). Recorded through the services, by the coordinator of the person's office.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.people.models import Returnee
from reintegra.privacy.services import requests as services

# office, days ago, identity check, language, what happens next, what the person asked for
REQUESTS: list[tuple[str, int, str, str, str, str]] = [
    ("TAM", 40, "ID_DOCUMENT", "fr", "", "Tout ce que le programme sait sur moi."),
    ("TAM", 12, "IN_PERSON", "fr", "start", "Copy of my plan and of the payments made."),
    ("TAM", 55, "CALLBACK", "en", "answer", "Who looked at my file?"),
    ("KLD", 2, "ID_DOCUMENT", "fr", "", "Les notes de mes entretiens."),
    ("KLD", 20, "QUESTIONS", "fr", "refuse", "Everything about my brother."),
]


def privacy_load(users: dict[str, Any]) -> None:
    """Record the demo requests (skipped when an office has no returnee)."""
    today = timezone.localdate()
    coordinator = users["coord.national"]
    used: set[int] = set()
    for office, days, check, language, then, details in REQUESTS:
        person = (
            Returnee.objects.filter(office__code=office).exclude(pk__in=used).order_by("pk").first()
        )
        if person is None:
            continue
        used.add(person.pk)
        actor = users["coord.tamba"] if office == "TAM" else coordinator
        sar = services.request_record(
            actor=actor,
            person=person,
            received_on=today - timedelta(days=days),
            identity_check=check,
            details=details,
            language=language,
        )
        if then:
            services.request_move(
                actor=actor,
                sar=sar,
                action=then,
                version=sar.version,
                reason="The caller could not answer the identity questions."
                if then == "refuse"
                else "",
            )
