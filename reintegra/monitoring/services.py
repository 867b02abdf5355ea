"""Writes about monitoring visits. Each is audited in the caller's transaction."""

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.audit.services import record
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.core import generations
from reintegra.core.errors import Conflict, ValidationFailed
from reintegra.instruments import services as instruments
from reintegra.instruments.models import Instrument, Response
from reintegra.instruments.services import FIGURES
from reintegra.monitoring.choices import FOLLOW_UP_INSTRUMENT, VISIT_INSTRUMENT, VisitStatus
from reintegra.monitoring.models import Visit

# A monitoring form submitted this long before a visit is due still counts as that visit.
EARLY_DAYS = 45


def offsets() -> list[int]:
    """Months after the start of monitoring at which visits are due (setting, default 3, 6, 12)."""
    return list(getattr(settings, "REINTEGRA_MONITORING_MONTHS", (3, 6, 12)))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _audit(actor: Any, action: str, visit: Visit, changes: dict[str, Any] | None = None) -> None:
    # Every visit write changes the dashboard's visit figures.
    transaction.on_commit(lambda: generations.bump(FIGURES))
    record(
        actor=actor,
        action=action,
        target=visit,
        case_id=visit.case_id,
        person_id=visit.case.person_id,
        changes=changes,
    )


@transaction.atomic
def visits_schedule(*, actor: Any, case: Case, start: date | None = None) -> list[Visit]:
    """Plan the visits of a case from `start` (today by default); offsets already planned are
    kept. Audits `visit.scheduled` for each new one."""
    start = start or timezone.localdate()
    planned = set(case.visits.values_list("months", flat=True))
    created = []
    for months in offsets():
        if months in planned:
            continue
        visit = Visit.objects.create(
            case=case, office_id=case.office_id, months=months, due_on=add_months(start, months)
        )
        _audit(actor, "visit.scheduled", visit, {"due_on": [None, visit.due_on.isoformat()]})
        created.append(visit)
    return created


def schedule_on_stage_change(*, actor: Any, case: Case, before: str, after: str) -> None:
    """The case services call this on every stage change: reaching MONITORING starts the
    schedule."""
    if after == Stage.MONITORING:
        visits_schedule(actor=actor, case=case)


def _instrument(code: str) -> Instrument | None:
    return Instrument.objects.filter(code=code, is_active=True, current__isnull=False).first()


@transaction.atomic
def visit_start(*, actor: Any, visit: Visit) -> Visit:
    """Open the visit's forms as drafts: the monitoring visit and the sustainability follow-up
    (when those instruments exist). Audits `visit.started`."""
    locked = Visit.objects.select_for_update().select_related("case").get(pk=visit.pk)
    if locked.status != VisitStatus.PLANNED:
        raise Conflict(_("This visit is not planned any more."), code="visit_closed")
    case = locked.case
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    form = _instrument(VISIT_INSTRUMENT)
    if form is None:
        raise ValidationFailed(_("The monitoring visit form is not loaded."), code="no_form")
    if locked.response_id is None:
        locked.response = instruments.response_start(actor=actor, case=case, instrument=form)
    follow_up = _instrument(FOLLOW_UP_INSTRUMENT)
    if locked.follow_up_id is None and follow_up is not None:
        locked.follow_up = instruments.response_start(actor=actor, case=case, instrument=follow_up)
    locked.version += 1
    locked.save()
    _audit(actor, "visit.started", locked)
    return locked


def complete_on_submit(*, actor: Any, response: Response, flag: str = "") -> None:
    """The instruments services call this when a response is submitted: a monitoring-visit form
    completes its visit — the one it was started from, else the case's next planned visit that
    is due (or due soon), so forms sent from ODK Collect or imported count too."""
    if response.instrument.code != VISIT_INSTRUMENT:
        return
    visit = Visit.objects.select_for_update().filter(response=response).first()
    if visit is None:
        day = response.collected_on or timezone.localdate()
        visit = (
            Visit.objects.select_for_update()
            .filter(case_id=response.case_id, status=VisitStatus.PLANNED)
            .order_by("due_on")
            .first()
        )
        if visit is None or (visit.due_on - day).days > EARLY_DAYS:
            return
        visit.response = response
    if visit.status != VisitStatus.PLANNED:
        return
    visit.status = VisitStatus.DONE
    visit.done_on = response.collected_on or timezone.localdate()
    visit.done_by = actor if getattr(actor, "is_authenticated", False) else None
    visit.version += 1
    visit.save()
    _audit(actor, "visit.done", visit, {"status": [VisitStatus.PLANNED, VisitStatus.DONE]})


@transaction.atomic
def visit_cancel(*, actor: Any, visit: Visit, reason: str) -> Visit:
    """A visit that will not happen (the case was closed, the person moved away)."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the visit is cancelled."), field="reason")
    locked = Visit.objects.select_for_update().select_related("case").get(pk=visit.pk)
    if locked.status != VisitStatus.PLANNED:
        raise Conflict(_("This visit is not planned any more."), code="visit_closed")
    locked.status = VisitStatus.CANCELLED
    locked.version += 1
    locked.save()
    _audit(
        actor,
        "visit.cancelled",
        locked,
        {"status": [VisitStatus.PLANNED, VisitStatus.CANCELLED], "reason": [None, reason[:200]]},
    )
    return locked
