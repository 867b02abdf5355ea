"""Demo data of the access operations: a break-glass access waiting for the national
coordinator's review, one already reviewed, and a current time-bound grant.

The most recent protection-flagged Tambacounda cases are used (the break-glass journey works on
the oldest one, which must stay closed to the Tambacounda coordinator)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.access import services
from reintegra.cases.models import Case


def access_ops_load(users: dict[str, Any]) -> None:
    coord, national = users["coord.tamba"], users["coord.national"]
    flagged = list(
        Case.objects.filter(office__code="TAM", has_protection_flag=True)
        .exclude(stage="CLOSED")
        .order_by("-id")[:3]
    )
    if len(flagged) < 3:
        return
    waiting, reviewed, granted = flagged
    services.break_glass_open(
        actor=coord,
        case=waiting,
        tier="PROTECTION",
        justification="Returnee called the office at night: the recruiter came to the house.",
    )
    done = services.break_glass_open(
        actor=coord,
        case=reviewed,
        tier="PROTECTION",
        justification="Police asked for the safety plan after a report of threats.",
    )
    services.break_glass_review(
        actor=national,
        grant=done,
        version=done.version,
        comment="Justified: the police request was confirmed in writing.",
    )
    services.grant_create(
        actor=coord,
        case=granted,
        user=users["cm.tamba"],
        tier="PSYCHOSOCIAL",
        level=3,
        reason="Follow-up of the counselling plan while the psychosocial case manager is on leave.",
        ends_on=timezone.localdate() + timedelta(days=14),
    )
