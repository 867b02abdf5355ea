"""Append-only, hash-chained records of every write (AuditEvent) and every read (AccessEvent)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainedEvent(models.Model):
    """Common fields of the two chains. Rows are only ever inserted (see audit.chain)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        abstract = True


class AuditEvent(ChainedEvent):
    """A write: who changed what, with `{field: [before, after]}` (restricted values masked)."""

    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        indexes = [
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["person_id", "at"]),
            models.Index(fields=["action"]),
        ]


class AccessEvent(ChainedEvent):
    """A read of a person's record or a case file, or a denial (action ends in `.denied`)."""

    class Meta:
        verbose_name = _("access event")
        indexes = [
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["person_id", "at"]),
            models.Index(fields=["actor", "at"]),
        ]
