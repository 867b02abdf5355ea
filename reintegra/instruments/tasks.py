"""Background work of the instruments (Celery; run at once without Redis)."""

from celery import shared_task

from reintegra.instruments.imports import import_run


@shared_task
def run_import(job_id: int) -> str:
    return import_run(job_id).status
