"""API: instruments (upload, read) and responses (record, read). Same selectors, services and
predicates as the pages: out of scope answers 404, a forbidden action on a visible case 403."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from reintegra.cases.selectors import case_get_for_user
from reintegra.core.api import ERRORS, Id, PathId, Text, error_response
from reintegra.core.errors import NotAllowed, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.instruments import imports, services
from reintegra.instruments.choices import ImportStatus, InstrumentKind, ResponseSource
from reintegra.instruments.forms import answers_from_json
from reintegra.instruments.models import ImportJob, Instrument, InstrumentVersion, Response
from reintegra.instruments.permissions import (
    can_fill,
    can_manage_instruments,
    can_view_instruments,
)
from reintegra.instruments.selectors import (
    case_instrument_list,
    import_get_for_user,
    instrument_get_for_user,
    instrument_list,
    response_get_for_user,
    response_list_for_user,
)

router = Router(tags=["instruments"])


class VersionOut(Schema):
    number: int
    label: str
    filename: str
    created_at: datetime
    question_count: int
    scored: bool


class InstrumentOut(Schema):
    id: int
    code: str
    name: str
    name_fr: str
    kind: str
    tier: str
    current: VersionOut | None


class QuestionOut(Schema):
    name: str
    type: str
    label: dict[str, str]
    required: bool
    relevant: str
    list_name: str
    dimension: str
    weight: float
    children: list["QuestionOut"]


class InstrumentDetailOut(InstrumentOut):
    versions: list[VersionOut]
    languages: list[str]
    questions: list[QuestionOut]
    choices: dict[str, list[dict[str, Any]]]
    dimensions: list[dict[str, Any]]


class InstrumentPage(Schema):
    items: list[InstrumentOut]
    count: int


class ResponseIn(Schema):
    instrument: Id
    case: Id
    answers: dict[str, Any]
    instance_id: Text = Field("", max_length=100)


class ResponseOut(Schema):
    id: int
    instrument: int
    instrument_version: int
    case: int
    tier: str
    status: str
    source: str
    answers: dict[str, Any]
    scores: dict[str, Any]
    composite: float | None
    submitted_at: datetime | None
    version: int


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int


class ResponseQuery(Schema):
    instrument: Id | None = None
    case: Id | None = None
    status: Text = Field("", max_length=16)
    page: int = 1


def _version_out(version: InstrumentVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "label": version.label,
        "filename": version.filename,
        "created_at": version.created_at,
        "question_count": version.question_count,
        "scored": version.scored,
    }


def instrument_out(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.pk,
        "code": instrument.code,
        "name": instrument.name,
        "name_fr": instrument.name_fr,
        "kind": instrument.kind,
        "tier": instrument.tier,
        "current": _version_out(instrument.current),
    }


def _question_out(q: Any) -> dict[str, Any]:
    return {
        "name": q.name,
        "type": q.type,
        "label": q.label,
        "required": q.required,
        "relevant": q.relevant,
        "list_name": q.list_name,
        "dimension": q.dimension,
        "weight": q.weight,
        "children": [_question_out(c) for c in q.children],
    }


def response_out(response: Response) -> dict[str, Any]:
    return {
        "id": response.pk,
        "instrument": response.instrument_id,
        "instrument_version": response.instrument_version_id,
        "case": response.case_id,
        "tier": response.tier,
        "status": response.status,
        "source": response.source,
        "answers": response.answers,
        "scores": response.scores,
        "composite": response.composite,
        "submitted_at": response.submitted_at,
        "version": response.version,
    }


@router.get("/instruments", response={200: InstrumentPage, **ERRORS})
def instrument_index(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """The programme's instruments and their current versions."""
    if not can_view_instruments(request.user):
        raise NotAllowed(_("You may not see the instruments."))
    result = paginate(instrument_list(), page)
    return {"items": [instrument_out(i) for i in result.items], "count": result.count}


@router.post("/instruments", response={201: InstrumentDetailOut, **ERRORS})
def instrument_create(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Upload an XLSForm (.xlsx): a new instrument, or a new version of the one with the same
    form_id. A bad form answers 422 listing each problem (sheet, row, column); nothing changes."""
    if not can_manage_instruments(request.user):
        raise NotAllowed(_("Only M&E specialists and coordinators upload instruments."))
    if kind and kind not in InstrumentKind.values:
        raise ValidationFailed(_("Unknown kind of instrument."), field="kind")
    version = services.instrument_upload(
        actor=request.user, data=file.read(), filename=file.name or "form.xlsx", kind=kind
    )
    return Status(201, instrument_detail_out(version.instrument))


def instrument_detail_out(instrument: Instrument) -> dict[str, Any]:
    data = instrument_out(instrument)
    spec = instrument.current.form if instrument.current else None
    data.update(
        versions=[_version_out(v) for v in instrument.versions.all()],
        languages=spec.languages if spec else [],
        questions=[_question_out(q) for q in spec.questions] if spec else [],
        choices={
            name: [{"name": c.name, "label": c.label, "score": c.score} for c in items]
            for name, items in (spec.choices.items() if spec else [])
        },
        dimensions=[
            {"name": d.name, "label": d.label, "composite_weight": d.composite_weight}
            for d in (spec.dimensions if spec else [])
        ],
    )
    return data


@router.get("/instruments/{instrument_id}", response={200: InstrumentDetailOut, **ERRORS})
def instrument_detail(request: HttpRequest, instrument_id: PathId) -> dict[str, Any]:
    """An instrument: its versions and the questions, choices and scoring of the current one."""
    return instrument_detail_out(instrument_get_for_user(request.user, instrument_id))


@router.get("/responses", response={200: ResponsePage, **ERRORS})
def response_index(request: HttpRequest, params: Query[ResponseQuery]) -> dict[str, Any]:
    """Responses whose answers the user may read (scoped by case and by the instrument's tier)."""
    qs = response_list_for_user(
        request.user, instrument=params.instrument, case=params.case, status=params.status
    )
    result = paginate(qs, params.page)
    return {"items": [response_out(r) for r in result.items], "count": result.count}


@router.post("/responses", response={200: ResponseOut, 201: ResponseOut, **ERRORS})
def response_create(request: HttpRequest, payload: ResponseIn) -> Status[dict[str, Any]]:
    """Record a complete response with the instrument's current version: validated like the web
    form, scored, submitted. Idempotent on `instance_id` (200 with the stored response)."""
    user = request.user
    case, access = case_get_for_user(user, payload.case, log_view=False)
    instrument = case_instrument_list().filter(pk=payload.instrument).first()
    if instrument is None or instrument.current is None:
        raise ValidationFailed(_("Unknown instrument."), field="instrument")
    if not can_fill(access, instrument.tier):
        raise NotAllowed(_("You may not fill in this instrument on this case."))
    version = instrument.current
    answers = answers_from_json(version.form, payload.answers)
    response, created = services.response_record(
        actor=user,
        case=case,
        version=version,
        answers=answers,
        source=ResponseSource.API,
        instance_id=payload.instance_id or None,
    )
    return Status(201 if created else 200, response_out(response))


@router.get("/responses/{response_id}", response={200: ResponseOut, **ERRORS})
def response_detail(request: HttpRequest, response_id: PathId) -> dict[str, Any]:
    """A response's answers and scores (recorded as `response.viewed`)."""
    response, _access = response_get_for_user(request.user, response_id)
    return response_out(response)


class ImportOut(Schema):
    id: int
    instrument: int
    status: str
    valid_only: bool
    total: int
    imported: int
    already: int
    invalid: int
    report: list[str]
    progress: int


def import_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "instrument": job.instrument_id,
        "status": job.status,
        "valid_only": job.valid_only,
        "total": job.total,
        "imported": job.imported,
        "already": job.already,
        "invalid": job.invalid,
        "report": list(job.report or []),
        "progress": job.percent,
    }


@router.post(
    "/instruments/{instrument_id}/imports",
    response={201: ImportOut, 202: ImportOut, **ERRORS},
)
def import_create(
    request: HttpRequest,
    instrument_id: PathId,
    file: File[UploadedFile],
    valid_only: Form[bool] = False,
) -> Status[dict[str, Any]] | HttpResponse:
    """Import a KoBo / ODK export (CSV or XLSX) into the instrument's current version. 201:
    imported; 422 `import_refused`: nothing imported, `errors` names each bad row (`job` holds
    the counts); 202: queued (poll `GET /api/imports/{id}`)."""
    if not can_manage_instruments(request.user):
        raise NotAllowed(_("Only M&E specialists and coordinators import data."))
    instrument = instrument_get_for_user(request.user, instrument_id)
    job = imports.import_start(
        actor=request.user,
        instrument=instrument,
        data=file.read(),
        filename=file.name or "export.csv",
        valid_only=valid_only,
    )
    if job.status in (ImportStatus.REFUSED, ImportStatus.FAILED):
        return error_response(
            request,
            422,
            _("The import was refused: nothing was imported. Each bad row is listed."),
            "import_refused",
            errors=[{"loc": ["file"], "msg": line} for line in job.report],
            job=import_out(job),
        )
    return Status(201 if job.status == ImportStatus.DONE else 202, import_out(job))


@router.get("/imports/{import_id}", response={200: ImportOut, **ERRORS})
def import_detail(request: HttpRequest, import_id: PathId) -> dict[str, Any]:
    """An import's status, counts and report (its creator only)."""
    return import_out(import_get_for_user(request.user, import_id))
