"""Recording audit and access events. Services call `record` inside their own transaction."""

from typing import Any

from django.utils import timezone

from reintegra.audit import chain
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.core.middleware import current_request_id

MASK = "•••"


def _target(target: Any) -> tuple[str, int | None]:
    if target is None:
        return "", None
    return target._meta.model_name, target.pk


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def record(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    case_id: int | None = None,
    person_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an AuditEvent for a write. Call it inside the service's transaction."""
    target_type, target_id = _target(target)
    return chain.append(  # type: ignore[return-value]
        AuditEvent,
        at=timezone.now(),
        actor_id=_actor_id(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        case_id=case_id,
        person_id=person_id,
        changes=changes or {},
        request_id=current_request_id(),
    )


def record_many(*, actor: Any, entries: list[dict[str, Any]]) -> None:
    """Append one AuditEvent per entry (keys: action, target, case_id, person_id, changes), as
    `record` would, in one go (bulk writes)."""
    now = timezone.now()
    rows = []
    for entry in entries:
        target_type, target_id = _target(entry.get("target"))
        rows.append(
            {
                "at": now,
                "actor_id": _actor_id(actor),
                "action": entry["action"],
                "target_type": target_type,
                "target_id": target_id,
                "case_id": entry.get("case_id"),
                "person_id": entry.get("person_id"),
                "changes": entry.get("changes") or {},
                "request_id": current_request_id(),
            }
        )
    chain.append_many(AuditEvent, rows)


def record_access(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    case_id: int | None = None,
    person_id: int | None = None,
) -> AccessEvent:
    """Append an AccessEvent for a view of a person or a case, or a denial."""
    target_type, target_id = _target(target)
    return chain.append(  # type: ignore[return-value]
        AccessEvent,
        at=timezone.now(),
        actor_id=_actor_id(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        case_id=case_id,
        person_id=person_id,
        request_id=current_request_id(),
    )


def diff(before: dict[str, Any], after: dict[str, Any], masked: set[str] = frozenset()) -> dict:  # type: ignore[assignment]
    """`{field: [before, after]}` for the fields that changed; masked fields hide their values."""
    changes: dict[str, list[Any]] = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            changes[key] = [MASK, MASK] if key in masked else [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)
