# The Celery app is loaded with Django so that tasks use its settings (eager without Redis).
from config.celery import app as celery_app

__all__ = ["celery_app"]
