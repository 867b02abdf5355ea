"""Base model mixins shared by domain apps. No domain models live here."""

from django.db import models


class TimestampedModel(models.Model):
    """Creation and last-change times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimestampedModel):
    """Optimistic concurrency: services compare and bump `version` so edits never overwrite."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
