"""Monitoring's part of a consent withdrawal: a returnee who withdrew their monitoring consent
gets no more visits or surveys (DOMAIN §6, principle 4). Registered in MonitoringConfig.ready()."""

from typing import Any

from django.utils import timezone

from reintegra.cases.models import Case
from reintegra.monitoring import services
from reintegra.monitoring.choices import VisitStatus
from reintegra.monitoring.models import Visit
from reintegra.people.choices import ConsentPurpose
from reintegra.people.models import Consent

# The reason (audited) of a visit cancelled by a withdrawal.
WITHDRAWN = "monitoring consent withdrawn"


def monitoring_withdrawn(person_id: int) -> bool:
    """The person withdrew a monitoring consent and holds no other valid one. (A person who
    never gave one is still scheduled: their consent is asked for at the visit.)"""
    consents = Consent.objects.filter(person_id=person_id, purpose=ConsentPurpose.MONITORING)
    today = timezone.localdate()
    if any(c.withdrawn_on is None and c.given_on <= today for c in consents):
        return False
    return any(c.withdrawn_on is not None for c in consents)


def visits_cancel_on_withdrawal(*, actor: Any, consent: Consent) -> None:
    """A withdrawn MONITORING consent cancels the person's planned visits (each audited
    `visit.cancelled`), unless another valid monitoring consent remains."""
    if consent.purpose != ConsentPurpose.MONITORING or not monitoring_withdrawn(consent.person_id):
        return
    planned = Visit.objects.filter(case__person_id=consent.person_id, status=VisitStatus.PLANNED)
    for visit in planned.order_by("pk"):
        services.visit_cancel(actor=actor, visit=visit, reason=WITHDRAWN)


def schedule_with_consent(*, actor: Any, case: Case, before: str, after: str) -> None:
    """The stage hook: the monitoring schedule starts unless the person withdrew consent."""
    if monitoring_withdrawn(case.person_id):
        return
    services.schedule_on_stage_change(actor=actor, case=case, before=before, after=after)
