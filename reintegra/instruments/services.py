"""Writes about instruments and responses. Each is audited in its own transaction."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.choices import Role
from reintegra.accounts.selectors import staff_at_offices
from reintegra.audit.services import record, record_many
from reintegra.cases import services as case_services
from reintegra.cases.choices import EventKind
from reintegra.cases.models import Case
from reintegra.core import generations
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.instruments import engine, scoring
from reintegra.instruments.choices import (
    ANSWER_TIERS,
    COMMUNITY_PROFILE_INSTRUMENT,
    InstrumentKind,
    ResponseSource,
    ResponseStatus,
)
from reintegra.instruments.expressions import (
    Context,
    ExpressionError,
    check_expression,
    evaluate,
    truthy,
)
from reintegra.instruments.models import (
    SCORE_SLOTS,
    Instrument,
    InstrumentVersion,
    Response,
    ScoreRow,
)
from reintegra.instruments.spec import FormSpec, text_in
from reintegra.instruments.xlsform import XLSFormError, parse_xlsform

MAX_XLSFORM_BYTES = 5 * 1024 * 1024
# Services of apps above instruments that must run when a response is submitted, in the same
# transaction (a monitoring-visit form completes the visit it records). Registered in their
# AppConfig.ready(); instruments may not import them. Each is called with `actor`, `response`
# and `flag` (the flag the form's rule raised, or "").
SUBMIT_HOOKS: list[Callable[..., None]] = []
# When a screening raises a flag, the focal point gets a task due this many days later.
FLAG_TASK_DAYS = 2


def _issues(err: XLSFormError) -> list[dict[str, Any]]:
    return [
        {"loc": [i.sheet, i.row, i.column], "msg": i.message, "text": str(i)} for i in err.issues
    ]


def parse_upload(data: bytes, filename: str) -> FormSpec:
    """The form an uploaded XLSForm defines, or ValidationFailed listing every problem."""
    if not data:
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_XLSFORM_BYTES:
        raise ValidationFailed(_("The file is too large (maximum 5 MB)."), field="file")
    try:
        spec = parse_xlsform(data, filename)
    except XLSFormError as err:
        issues = _issues(err)
        first = issues[0]["text"] if issues else ""
        raise ValidationFailed(
            _("The XLSForm has %(count)d problem(s); nothing was changed. %(first)s")
            % {"count": len(issues), "first": first},
            field="file",
            code="invalid_xlsform",
            errors=issues,
        ) from err
    problem = check_expression(spec, spec.flag_when) if spec.flag_when else None
    if problem:
        message = _("settings, column flag_when: %(problem)s") % {"problem": problem}
        raise ValidationFailed(
            _("The XLSForm has %(count)d problem(s); nothing was changed. %(first)s")
            % {"count": 1, "first": message},
            field="file",
            code="invalid_xlsform",
            errors=[{"loc": ["settings", 2, "flag_when"], "msg": problem, "text": message}],
        )
    return spec


@transaction.atomic
def instrument_upload(
    *,
    actor: Any,
    data: bytes,
    filename: str,
    kind: str = "",
    name: str = "",
    name_fr: str = "",
    instrument: Instrument | None = None,
) -> InstrumentVersion:
    """Store an XLSForm as a new version of its instrument (found by the form id, or created).

    Older versions stay; responses keep the version they were made with. Audits
    `instrument.version_added` (and `instrument.created`)."""
    spec = parse_upload(data, filename)
    if spec.tier not in ANSWER_TIERS:
        raise ValidationFailed(_("Unknown data tier."), field="file")
    if instrument is not None and instrument.code != spec.form_id:
        raise ValidationFailed(
            _("This XLSForm's form_id is “%(form_id)s”, not “%(code)s”.")
            % {"form_id": spec.form_id, "code": instrument.code},
            field="file",
        )
    if instrument is None:
        instrument = Instrument.objects.select_for_update().filter(code=spec.form_id).first()
    else:
        instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if spec.form_id == COMMUNITY_PROFILE_INSTRUMENT:
        kind = InstrumentKind.COMMUNITY  # filled from the community profiles, never on a case
    title_en = text_in(spec.title, "en", spec.default_language) or spec.form_id
    title_fr = name_fr or spec.title.get("fr", "")
    created = instrument is None
    if instrument is None:
        instrument = Instrument.objects.create(
            code=spec.form_id,
            name=(name or title_en)[:200],
            name_fr=title_fr[:200],
            kind=kind if kind in InstrumentKind.values else InstrumentKind.ASSESSMENT,
            tier=spec.tier,
        )
    _assign_slots(instrument, spec)
    number = (instrument.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=number,
        label=spec.version[:64],
        spec=spec.to_dict(),
        xlsform=data,
        filename=filename[:200],
        uploaded_by=actor,
        question_count=sum(1 for q in spec.walk() if q.type not in ("group", "repeat")),
        scored=bool(spec.scored_questions()),
    )
    before = {"current": instrument.current_id, "tier": instrument.tier}
    instrument.current = version
    instrument.tier = spec.tier
    if name:
        instrument.name = name[:200]
    if title_fr:
        instrument.name_fr = title_fr[:200]
    if kind in InstrumentKind.values:
        instrument.kind = kind
    if not created:
        instrument.version += 1
    instrument.save()
    if created:
        record(actor=actor, action="instrument.created", target=instrument)
    record(
        actor=actor,
        action="instrument.version_added",
        target=version,
        changes={
            "current": [before["current"], version.pk],
            "tier": [before["tier"], spec.tier],
        },
    )
    return version


def _assign_slots(instrument: Instrument, spec: FormSpec) -> None:
    """Give each new dimension of the form a free score column; names keep theirs."""
    slots = dict(instrument.dimension_slots or {})
    names = [d.name for d in spec.dimensions] or sorted(
        {q.dimension for q in spec.walk() if q.dimension}
    )
    for name in names:
        if name in slots:
            continue
        free = [i for i in range(1, SCORE_SLOTS + 1) if i not in slots.values()]
        if not free:
            raise ValidationFailed(
                _("An instrument scores at most %(count)d dimensions.") % {"count": SCORE_SLOTS},
                field="file",
            )
        slots[name] = free[0]
    if slots != instrument.dimension_slots:
        instrument.dimension_slots = slots
        instrument.save(update_fields=["dimension_slots"])


def score_row(response: Response) -> ScoreRow:
    """The response's scores as columns (not saved)."""
    row = ScoreRow(
        response=response,
        instrument_id=response.instrument_id,
        case_id=response.case_id,
        tier=response.tier,
        submitted_at=response.submitted_at or timezone.now(),
        months_since_return=response.months_since_return,
        composite=response.composite,
    )
    slots = response.instrument.dimension_slots or {}
    for name, value in ((response.scores or {}).get("dimensions") or {}).items():
        if name in slots:
            setattr(row, f"d{slots[name]}", value)
    return row


def _audit(actor: Any, action: str, response: Response, changes: dict[str, Any] | None = None):
    record(
        actor=actor,
        action=action,
        target=response,
        case_id=response.case_id,
        person_id=response.case.person_id,
        changes=changes,
    )


def _lock(response: Response, version: int | None) -> Response:
    locked = Response.objects.select_for_update().select_related("case").get(pk=response.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(
            _("These answers were changed by someone else: they are shown as they are now.")
        )
    return locked


def _initial_answers(spec: FormSpec, case: Case) -> dict[str, Any]:
    answers = engine.apply_defaults(spec, {})
    if spec.case_field:
        answers[spec.case_field] = case.number
    return answers


@transaction.atomic
def response_start(
    *, actor: Any, case: Case, instrument: Instrument, source: str = ResponseSource.WEB
) -> Response:
    """A draft of the instrument's current version about the case. Audits `response.started`."""
    if instrument.current_id is None or not instrument.is_active:
        raise ValidationFailed(_("This instrument cannot be filled in."), code="inactive")
    _check_for_cases(instrument)
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    version = instrument.current
    assert version is not None
    response = Response.objects.create(
        instrument=instrument,
        instrument_version=version,
        case=case,
        tier=instrument.tier,
        source=source,
        answers=_initial_answers(version.form, case),
        created_by=actor,
    )
    _audit(actor, "response.started", response)
    return response


def _check_for_cases(instrument: Instrument) -> None:
    """A community profile instrument is filled about a community, never on a case."""
    if instrument.kind == InstrumentKind.COMMUNITY:
        raise ValidationFailed(
            _("This instrument is filled in from the community profiles, not on a case."),
            code="not_for_cases",
            field="instrument",
        )


def _check_case_number(spec: FormSpec, answers: dict[str, Any], case: Case) -> None:
    if spec.case_field and answers.get(spec.case_field) not in (None, "", case.number):
        raise ValidationFailed(
            _("The case number answered is not this case's number (%(number)s).")
            % {"number": case.number},
            field=spec.case_field,
            errors=[{"loc": [spec.case_field], "msg": _("Not this case's number.")}],
        )


@transaction.atomic
def response_save(*, actor: Any, response: Response, answers: dict[str, Any], version: int):
    """Keep a draft's answers as they are (nothing is required yet). Audits `response.saved`
    (which questions changed, not the answers)."""
    locked = _lock(response, version)
    if not locked.is_draft:
        raise Conflict(_("This response was already submitted."), code="submitted")
    changed = sorted(
        k for k in set(answers) | set(locked.answers) if answers.get(k) != locked.answers.get(k)
    )
    locked.answers = answers
    locked.version += 1
    locked.save(update_fields=["answers", "version", "updated_at"])
    _audit(actor, "response.saved", locked, {"questions": [None, changed]} if changed else None)
    return locked


def _raise_flag(actor: Any, response: Response, spec: FormSpec, answers: dict[str, Any]) -> bool:
    """The form's own rule (settings `flag` and `flag_when`) decides whether the answers raise a
    flag on the case; when they do, the focal point covering the office gets a task."""
    if not spec.flag or not spec.flag_when:
        return False
    try:
        raised = truthy(evaluate(spec.flag_when, Context(spec=spec, answers=answers)))
    except ExpressionError:
        return False
    if not raised:
        return False
    case = response.case
    # Raising a flag already raised changes nothing (the case service says so).
    case_services.case_flag_set(actor=actor, case=case, flag=spec.flag, value=True)
    role = Role.PROTECTION_FP if spec.flag == "PROTECTION" else Role.MEDICAL_FP
    focal_point = staff_at_offices(case.office.line_ids, role).first()
    title = _("Follow up the %(instrument)s of %(case)s") % {
        "instrument": response.instrument.name,
        "case": case.number,
    }
    case_services.task_add(
        actor=actor,
        case=case,
        title=title[:200],
        due_on=timezone.localdate() + timedelta(days=FLAG_TASK_DAYS),
        assignee=focal_point,
    )
    return True


def _validated(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    cleaned, errors = engine.clean(spec, answers, spec.default_language)
    if errors:
        details = [{"loc": [path], "msg": message} for path, message in errors.items()]
        raise ValidationFailed(
            _("Some answers need attention: %(count)d question(s).") % {"count": len(errors)},
            code="invalid_answers",
            field=next(iter(errors)),
            errors=details,
        )
    return cleaned


def _submitted(actor: Any, response: Response, answers: dict[str, Any]) -> tuple[str, bool]:
    """Score the answers and mark the response submitted (not saved); the timeline summary,
    and whether it has a composite score."""
    scores = scoring.score(response.instrument_version.form, answers)
    response.answers = answers
    response.scores = scores.to_dict()
    response.composite = scores.composite
    response.scored_with = response.instrument_version
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.submitted_by = actor
    response.collected_on = response.collected_on or timezone.localdate()
    arrived = response.case.arrived_on
    if arrived:
        response.months_since_return = max(0, (response.collected_on - arrived).days * 12 // 365)
    response.version += 1
    summary = response.instrument.name
    if scores.composite is not None:
        summary = f"{summary} · {round(scores.composite * 100)}/100"
    return summary, scores.composite is not None


def _event_data(response: Response) -> dict[str, Any]:
    return {"response_id": response.pk, "instrument": response.instrument.code}


def _after_submit(actor: Any, response: Response) -> dict[str, Any]:
    """The form's flag rule and the other apps' hooks; the audit row's changes."""
    flagged = _raise_flag(actor, response, response.instrument_version.form, response.answers)
    raised = response.instrument_version.form.flag if flagged else ""
    for hook in SUBMIT_HOOKS:
        hook(actor=actor, response=response, flag=raised)
    return {
        "status": [ResponseStatus.DRAFT, ResponseStatus.SUBMITTED],
        "flag_raised": [None, flagged],
    }


# Dashboards cache their figures under this generation; every submission and rescore bumps it.
FIGURES = "response-figures"


def _finish(actor: Any, response: Response, answers: dict[str, Any]) -> Response:
    """Score, submit, write the timeline entry, apply the form's flag rule and the hooks."""
    summary, _scored = _submitted(actor, response, answers)
    response.save()
    score_row(response).save(force_insert=True)
    transaction.on_commit(lambda: generations.bump(FIGURES))
    case_services.case_event_record(
        actor=actor,
        case=response.case,
        kind=EventKind.RESPONSE_SUBMITTED,
        summary=summary,
        tier=response.tier,
        data=_event_data(response),
    )
    _audit(actor, "response.submitted", response, _after_submit(actor, response))
    return response


@transaction.atomic
def responses_store_many(
    *,
    actor: Any,
    version: InstrumentVersion,
    items: list[tuple[Case, dict[str, Any], str, Any]],
    source: str,
) -> list[Response]:
    """`response_store` for many (case, cleaned answers, instance id, collected on) at once:
    rows, timeline entries and audit rows written in bulk (imports)."""
    _check_for_cases(version.instrument)
    responses, summaries = [], []
    for case, answers, instance_id, collected_on in items:
        response = Response(
            instrument=version.instrument,
            instrument_version=version,
            case=case,
            tier=version.instrument.tier,
            source=source,
            created_by=actor,
            instance_id=instance_id or None,
            collected_on=collected_on,
        )
        summaries.append(_submitted(actor, response, answers)[0])
        responses.append(response)
    Response.objects.bulk_create(responses, batch_size=1000)
    ScoreRow.objects.bulk_create([score_row(r) for r in responses], batch_size=1000)
    transaction.on_commit(lambda: generations.bump(FIGURES))
    case_services.case_events_record_many(
        actor=actor,
        events=[
            (r.case, EventKind.RESPONSE_SUBMITTED, summary, r.tier, _event_data(r))
            for r, summary in zip(responses, summaries, strict=True)
        ],
    )
    record_many(
        actor=actor,
        entries=[
            {
                "action": "response.submitted",
                "target": r,
                "case_id": r.case_id,
                "person_id": r.case.person_id,
                "changes": {**_after_submit(actor, r), "source": [None, source]},
            }
            for r in responses
        ],
    )
    return responses


@transaction.atomic
def response_submit(
    *, actor: Any, response: Response, answers: dict[str, Any], version: int
) -> Response:
    """Validate every answer again (types, required, constraints, relevance), then score and
    submit. A refused submission changes nothing."""
    locked = _lock(response, version)
    if not locked.is_draft:
        raise Conflict(_("This response was already submitted."), code="submitted")
    if locked.case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    spec = locked.instrument_version.form
    cleaned = _validated(spec, answers)
    _check_case_number(spec, cleaned, locked.case)
    return _finish(actor, locked, cleaned)


@transaction.atomic
def response_record(
    *,
    actor: Any,
    case: Case,
    version: InstrumentVersion,
    answers: dict[str, Any],
    source: str,
    instance_id: str | None = None,
    collected_on: Any = None,
) -> tuple[Response, bool]:
    """A complete response arriving at once (API, ODK Collect, an imported row): validated,
    scored and submitted. Idempotent on `instance_id`: (the stored response, False) when it
    was already received."""
    if instance_id:
        existing = Response.objects.filter(instance_id=instance_id).first()
        if existing is not None:
            if existing.case_id != case.pk:
                raise Conflict(
                    _("This instance id was already used for another case."),
                    code="instance_id_used",
                    field="instance_id",
                )
            return existing, False
    _check_for_cases(version.instrument)
    if case.is_closed:
        raise ValidationFailed(_("This case is closed."), code="case_closed")
    spec = version.form
    cleaned = _validated(spec, answers)
    _check_case_number(spec, cleaned, case)
    return response_store(
        actor=actor,
        case=case,
        version=version,
        answers=cleaned,
        source=source,
        instance_id=instance_id,
        collected_on=collected_on,
    ), True


def response_store(
    *,
    actor: Any,
    case: Case,
    version: InstrumentVersion,
    answers: dict[str, Any],
    source: str,
    instance_id: str | None = None,
    collected_on: Any = None,
) -> Response:
    """Store, score and submit answers already cleaned and validated by the engine (the
    caller's transaction; `response_record` and the imports use it)."""
    _check_for_cases(version.instrument)
    response = Response.objects.create(
        instrument=version.instrument,
        instrument_version=version,
        case=case,
        tier=version.instrument.tier,
        source=source,
        answers=answers,
        created_by=actor,
        instance_id=instance_id or None,
        collected_on=collected_on,
    )
    _audit(actor, "response.started", response)
    return _finish(actor, response, answers)


@transaction.atomic
def response_discard(*, actor: Any, response: Response, version: int) -> None:
    """Drop a draft nobody submitted. Audits `response.discarded`."""
    locked = _lock(response, version)
    if not locked.is_draft:
        raise Conflict(_("A submitted response cannot be discarded."), code="submitted")
    _audit(actor, "response.discarded", locked, {"status": [ResponseStatus.DRAFT, None]})
    locked.delete()


RESCORE_BATCH = 500


def _store_scores(responses: list[Response]) -> None:
    """Write new scores of submitted responses, and their score rows, in bulk."""
    if not responses:
        return
    Response.objects.bulk_update(responses, ["scores", "composite", "scored_with"])
    ScoreRow.objects.filter(response__in=responses).delete()
    ScoreRow.objects.bulk_create([score_row(r) for r in responses])


def responses_rescore(
    *, actor: Any, instrument: Instrument, version: InstrumentVersion | None = None
) -> int:
    """Recompute the scores of every submitted response from its raw answers with the weights of
    `version` (the current one by default). Audits one `instrument.rescored`."""
    target = version or Instrument.objects.select_related("current").get(pk=instrument.pk).current
    if target is None:
        return 0
    spec = target.form
    count = 0
    with transaction.atomic():
        queryset = Response.objects.filter(
            instrument=instrument, status=ResponseStatus.SUBMITTED
        ).select_related("instrument")
        batch: list[Response] = []
        for response in queryset.iterator(chunk_size=RESCORE_BATCH):
            scores = scoring.score(spec, response.answers)
            response.scores, response.composite = scores.to_dict(), scores.composite
            response.scored_with = target
            batch.append(response)
            if len(batch) == RESCORE_BATCH:
                _store_scores(batch)
                count += len(batch)
                batch = []
        _store_scores(batch)
        count += len(batch)
        transaction.on_commit(lambda: generations.bump(FIGURES))
        record(
            actor=actor,
            action="instrument.rescored",
            target=instrument,
            changes={"version": [None, target.number], "responses": [None, count]},
        )
    return count


def shipped_load(*, actor: Any) -> list[InstrumentVersion]:
    """Upload each instrument Reintegra ships that the programme does not have yet."""
    from reintegra.instruments.shipped import SHIPPED, SHIPPED_DIR

    loaded = []
    for item in SHIPPED:
        if Instrument.objects.filter(code=item["form_id"]).exists():
            continue
        path = SHIPPED_DIR / item["file"]
        loaded.append(
            instrument_upload(
                actor=actor,
                data=path.read_bytes(),
                filename=path.name,
                kind=item.get("kind", ""),
                name_fr=item.get("name_fr", ""),
            )
        )
    return loaded
