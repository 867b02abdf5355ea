"""Reads of the audit trail (for coordinators' "who viewed / who changed" history)."""

from django.db.models import QuerySet

from reintegra.audit.models import AccessEvent, AuditEvent


def case_audit_history(case_id: int, limit: int = 200) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(case_id=case_id).select_related("actor").order_by("-id")[:limit]
    )


def case_access_history(case_id: int, limit: int = 200) -> QuerySet[AccessEvent]:
    return (
        AccessEvent.objects.filter(case_id=case_id).select_related("actor").order_by("-id")[:limit]
    )
