"""User-scoped reads of instruments and responses.

Instruments are the programme's questionnaires (no personal data): every user who may see the
library sees them all. A response is reached through its case, and its answers through the
instrument's tier: a response the user may not read is "not found".
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from reintegra.access.policy import Reach
from reintegra.access.principal import principal
from reintegra.access.scoping import NOTHING, grant_case_q
from reintegra.audit.services import record_access
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess
from reintegra.cases.selectors import case_get_for_user, case_visible_to
from reintegra.instruments.choices import (
    ANSWER_TIERS,
    SUSTAINABILITY_INSTRUMENT,
    InstrumentKind,
    ResponseStatus,
)
from reintegra.instruments.exports import ExportRow
from reintegra.instruments.models import (
    ImportJob,
    Instrument,
    InstrumentVersion,
    Response,
    ScoreRow,
)
from reintegra.instruments.permissions import (
    can_read_response,
    can_view_instruments,
    reads_answers,
)


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def instrument_list(*, active_only: bool = True) -> QuerySet[Instrument]:
    qs = Instrument.objects.select_related("current")
    if active_only:
        qs = qs.filter(is_active=True, current__isnull=False)
    return qs.order_by("name")


def case_instrument_list() -> QuerySet[Instrument]:
    """The active instruments filled in on a case: every kind but COMMUNITY (community
    profiles have no case)."""
    return instrument_list().exclude(kind=InstrumentKind.COMMUNITY)


def instrument_get_for_user(user: Any, pk: Any) -> Instrument:
    if not can_view_instruments(user):
        raise Http404
    instrument = instrument_list(active_only=False).filter(pk=_int(pk)).first()
    if instrument is None:
        raise Http404
    return instrument


def instrument_version_get(instrument: Instrument, number: Any) -> InstrumentVersion:
    version = instrument.versions.filter(number=_int(number)).first()
    if version is None:
        raise Http404
    return version


def _readable(user: Any) -> Q:
    """The condition on (tier, case_id) for answers the user may read: for each role
    assignment, the cases it reaches and the tiers it reads there."""
    p = principal(user)
    condition = NOTHING
    for grant in p.grants:
        if grant.reach == Reach.NONE:
            continue
        tiers = [t for t in ANSWER_TIERS if reads_answers(grant.role, grant.level(t), t)]
        if not tiers:
            continue
        cases = Case.objects.filter(grant_case_q(grant, user.pk)).values("pk")
        condition |= Q(tier__in=tiers, case_id__in=cases)
    return condition


def response_visible_to(user: Any) -> QuerySet[Response]:
    """Responses whose answers the user may read, plus the user's own drafts on cases they
    reach."""
    own_drafts = Q(
        created_by_id=user.pk,
        status=ResponseStatus.DRAFT,
        case_id__in=case_visible_to(user).values("pk"),
    )
    return Response.objects.filter(_readable(user) | own_drafts)


def score_rows_visible_to(user: Any) -> QuerySet[ScoreRow]:
    """The scores of the submitted responses the user may read (dashboards)."""
    return ScoreRow.objects.filter(_readable(user))


def response_list_for_user(
    user: Any, *, instrument: Any = None, case: Any = None, status: str = ""
) -> QuerySet[Response]:
    qs = response_visible_to(user).select_related("instrument", "case", "submitted_by")
    if instrument:
        qs = qs.filter(instrument_id=instrument)
    if case:
        qs = qs.filter(case_id=case)
    if status in ResponseStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def response_get_for_user(
    user: Any, pk: Any, *, log_view: bool = True
) -> tuple[Response, CaseAccess]:
    """The response and the user's access to its case; Http404 when missing, out of scope, or
    of a tier the user may not read. Reading answers is recorded like viewing the case file."""
    response = (
        Response.objects.select_related("instrument", "instrument_version", "case")
        .filter(pk=_int(pk))
        .first()
    )
    if response is None:
        raise Http404
    case, access = case_get_for_user(user, response.case_id, log_view=False)
    if not can_read_response(access, response):
        record_access(
            actor=user,
            action="response.denied",
            target=response,
            case_id=case.pk,
            person_id=case.person_id,
        )
        raise Http404
    response.case = case
    if log_view:
        record_access(
            actor=user,
            action="response.viewed",
            target=response,
            case_id=case.pk,
            person_id=case.person_id,
        )
    return response, access


def case_responses(access: CaseAccess) -> list[dict[str, Any]]:
    """The case's responses as the viewer may see them: readable ones in full, others of a tier
    the viewer knows of as a bare "restricted" entry, the rest not at all."""
    rows = []
    responses = (
        Response.objects.filter(case=access.case)
        .select_related("instrument", "submitted_by", "created_by")
        .order_by("-submitted_at", "-created_at")
    )
    for response in responses:
        if can_read_response(access, response):
            rows.append({"response": response, "readable": True})
        elif access.knows_tier(response.tier) and not response.is_draft:
            rows.append({"response": response, "readable": False})
    return rows


def baseline_sustainability(access: CaseAccess) -> Response | None:
    """The first submitted sustainability survey of the case, if the viewer may read it."""
    response = (
        Response.objects.filter(
            case=access.case,
            instrument__code=SUSTAINABILITY_INSTRUMENT,
            status=ResponseStatus.SUBMITTED,
        )
        .order_by("submitted_at", "id")
        .first()
    )
    if response is None or not can_read_response(access, response):
        return None
    return response


def export_rows(user: Any, instrument: Instrument) -> Iterator[ExportRow]:
    """The submitted responses of an instrument the user may read, one at a time (exports
    stream them: memory stays flat whatever the count)."""
    qs = (
        response_visible_to(user)
        .filter(instrument=instrument, status=ResponseStatus.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list(
            "pk",
            "case__number",
            "case__person_id",
            "case__person__given_names",
            "case__person__family_name",
            "case__office__name",
            "submitted_at",
            "collected_on",
            "instrument_version__number",
            "answers",
            "scores",
        )
    )
    for row in qs.iterator(chunk_size=2000):
        (pk, number, person_id, given, family, office, submitted, collected, version) = row[:9]
        yield ExportRow(
            response_id=pk,
            case_number=number,
            person_id=person_id,
            person_name=f"{given} {family.upper()}",
            office=office,
            submitted_at=submitted,
            collected_on=collected,
            version_number=version,
            answers=row[9] or {},
            scores=row[10] or {},
        )


def import_get_for_user(user: Any, pk: Any) -> ImportJob:
    """An import job: its report may quote the file's rows, so only its creator sees it."""
    job = (
        ImportJob.objects.select_related("instrument")
        .filter(pk=_int(pk), created_by_id=user.pk)
        .first()
    )
    if job is None:
        raise Http404
    return job
