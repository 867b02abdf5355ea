"""Importing KoBoToolbox / ODK Central data exports (CSV, XLSX) into an instrument version.

Every row is checked first — the form's own rules through the engine (kobo.py), then the
programme's: a case with that number in the importer's scope, open, that they may fill in, an
instance id not already used for another case. Unless the importer asked for the valid rows
only, a file with any bad row imports nothing and the job's report names each bad row.
Rows already imported (same instance id, same case) are skipped, so importing a file again
creates no duplicates. The job records its progress for the page's progress bar.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.audit.services import record
from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access_many
from reintegra.cases.selectors import case_visible_to
from reintegra.core.errors import ValidationFailed
from reintegra.instruments import kobo
from reintegra.instruments.choices import ImportStatus, InstrumentKind, ResponseSource
from reintegra.instruments.models import ImportJob, Instrument, Response
from reintegra.instruments.permissions import can_import_into
from reintegra.instruments.services import responses_store_many

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 50 * 1024 * 1024
# Messages kept in a job's report (a file of 10,000 bad rows says so without 10,000 lines).
REPORT_LIMIT = 1000
STORE_BATCH = 500  # rows written (and progress reported) at a time


@dataclass
class Checked:
    rows: list[tuple[kobo.PlannedRow, Case]] = field(default_factory=list)
    already: int = 0
    errors: list[str] = field(default_factory=list)
    invalid: int = 0
    problems: list[str] = field(default_factory=list)


def import_create(
    *, actor: Any, instrument: Instrument, data: bytes, filename: str, valid_only: bool = False
) -> ImportJob:
    """A job importing this file into the instrument's current version. Run it with
    `import_run` (the task queue does, or the caller at once). Audits `import.created`."""
    if instrument.current is None:
        raise ValidationFailed(_("This instrument has no version yet."), code="no_version")
    if instrument.kind == InstrumentKind.COMMUNITY:
        raise ValidationFailed(
            _("Community profiles are not imported: fill them in from the community profiles."),
            code="not_for_cases",
        )
    if not data:
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is too large (maximum 50 MB)."), field="file")
    with transaction.atomic():
        job = ImportJob.objects.create(
            instrument=instrument,
            version=instrument.current,
            created_by=actor,
            filename=filename[:200],
            data=data,
            valid_only=valid_only,
        )
        record(
            actor=actor,
            action="import.created",
            target=job,
            changes={"valid_only": [None, valid_only], "bytes": [None, len(data)]},
        )
    return job


def import_start(
    *, actor: Any, instrument: Instrument, data: bytes, filename: str, valid_only: bool = False
) -> ImportJob:
    """Create the job and queue it (with no task queue configured it runs at once)."""
    from reintegra.instruments.tasks import run_import

    job = import_create(
        actor=actor, instrument=instrument, data=data, filename=filename, valid_only=valid_only
    )
    run_import.delay(job.pk)
    job.refresh_from_db()
    return job


def import_valid_rows(*, actor: Any, job: ImportJob) -> ImportJob:
    """After a refusal, import the same file's valid rows only (a new job)."""
    if job.status != ImportStatus.REFUSED or not job.data:
        raise ValidationFailed(_("This import cannot be run again."), code="not_refused")
    data = bytes(job.data)
    ImportJob.objects.filter(pk=job.pk).update(data=b"")
    return import_start(
        actor=actor, instrument=job.instrument, data=data, filename=job.filename, valid_only=True
    )


def _progress(job: ImportJob, done: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(done=done)


def _collected(planned: kobo.PlannedRow) -> date | None:
    try:
        return date.fromisoformat(planned.submitted_at[:10]) if planned.submitted_at else None
    except ValueError:
        return None


def _check(job: ImportJob, plan: kobo.ImportPlan) -> Checked:
    """The programme's checks on each row the form accepted."""
    actor = job.created_by
    checked = Checked(problems=list(plan.problems))
    numbers = {r.case_number for r in plan.rows if r.case_number}
    cases = {
        c.number: c
        for c in case_visible_to(actor).select_related("office").filter(number__in=numbers)
    }
    accesses = case_access_many(actor, list(cases.values()))
    ids = [r.instance_id for r in plan.rows if r.instance_id]
    stored = dict(
        Response.objects.filter(instance_id__in=ids).values_list("instance_id", "case_id")
    )
    allowed: dict[int, bool] = {}
    tier = job.instrument.tier
    for planned in plan.rows:
        errors = list(planned.errors)
        case = cases.get(planned.case_number)
        if not errors and case is None:
            errors.append(
                _("row %(row)s: no case with the number “%(number)s” in your scope.")
                % {"row": planned.row, "number": planned.case_number}
            )
        elif not errors and case is not None:
            if case.pk not in allowed:
                allowed[case.pk] = can_import_into(accesses[case.pk], tier)
            if case.is_closed:
                errors.append(
                    _("row %(row)s: the case %(number)s is closed.")
                    % {"row": planned.row, "number": case.number}
                )
            elif not allowed[case.pk]:
                errors.append(
                    _("row %(row)s: you may not fill in this instrument on the case %(number)s.")
                    % {"row": planned.row, "number": case.number}
                )
            elif planned.instance_id in stored and stored[planned.instance_id] != case.pk:
                errors.append(
                    _("row %(row)s: the instance id %(id)s was imported for another case.")
                    % {"row": planned.row, "id": planned.instance_id}
                )
        if errors:
            checked.invalid += 1
            checked.errors.extend(errors)
        elif planned.instance_id in stored:
            checked.already += 1
        else:
            assert case is not None
            checked.rows.append((planned, case))
    return checked


def import_run(job_id: int) -> ImportJob:
    """Check every row, then import (all rows, or the valid ones when asked) in one
    transaction. Audits `import.finished` (and one `response.*` trail per response)."""
    job = ImportJob.objects.select_related("instrument", "version", "created_by").get(pk=job_id)
    if not job.is_running:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    try:
        table = kobo.read_export(bytes(job.data), job.filename)
    except kobo.ExportError as err:
        return _end(job, ImportStatus.REFUSED, report=[str(err)])
    job.total = len(table.rows)
    ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    spec = job.version.form
    plan = kobo.rows_to_answers(spec, table, progress=lambda n: _progress(job, n))
    _progress(job, job.total)
    checked = _check(job, plan)
    report = [*checked.problems, *checked.errors][:REPORT_LIMIT]
    counts = {"invalid": checked.invalid, "already": checked.already}
    if not plan.rows and plan.problems:
        return _end(job, ImportStatus.REFUSED, report=report, **counts)
    if checked.invalid and not job.valid_only:
        return _end(job, ImportStatus.REFUSED, report=report, **counts)
    try:
        _store(job, checked)
    except Exception:
        logger.exception("import %s failed", job.pk)
        return _end(job, ImportStatus.FAILED, report=[_("The import failed: nothing imported.")])
    return _end(job, ImportStatus.DONE, report=report, imported=len(checked.rows), **counts)


def _store(job: ImportJob, checked: Checked) -> None:
    """Write the checked rows in batches, in one transaction (all or nothing)."""
    rows = checked.rows
    with transaction.atomic():
        for start in range(0, len(rows), STORE_BATCH):
            batch = rows[start : start + STORE_BATCH]
            responses_store_many(
                actor=job.created_by,
                version=job.version,
                items=[
                    (case, planned.answers, planned.instance_id, _collected(planned))
                    for planned, case in batch
                ],
                source=ResponseSource.IMPORT,
            )
            _progress(job, job.total + start + len(batch))


def _end(job: ImportJob, status: str, *, report: list[str], **counts: int) -> ImportJob:
    job.status = status
    job.report = report
    job.done = job.total * 2
    job.finished_at = timezone.now()
    if status != ImportStatus.REFUSED:
        job.data = b""  # kept only while the importer may still import the valid rows
    for name, value in counts.items():
        setattr(job, name, value)
    with transaction.atomic():
        job.save()
        record(
            actor=job.created_by,
            action="import.finished",
            target=job,
            changes={
                "status": [ImportStatus.RUNNING, status],
                "imported": [None, job.imported],
                "invalid": [None, job.invalid],
            },
        )
    return job
