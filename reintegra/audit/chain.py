"""The hash chain: each row's hash covers its content and the previous row's hash.

Appends are serialised (an advisory lock on PostgreSQL; SQLite writers are serialised already),
so the chain is a single line even under concurrent requests.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction

from reintegra.audit.models import ChainedEvent

GENESIS = "0" * 64
_LOCK_KEYS = {"audit_auditevent": 424201, "audit_accessevent": 424202}


def canonical(row: dict[str, Any]) -> bytes:
    def default(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return json.dumps(row, sort_keys=True, separators=(",", ":"), default=default).encode()


def digest(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(content)).hexdigest()


def content_of(obj: models.Model) -> dict[str, Any]:
    """The hashed content of a row: every field but id and the two hashes."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"id", "prev_hash", "hash"}:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        data[field.attname] = value
    return data


def append(model: type[ChainedEvent], **fields: Any) -> ChainedEvent:
    """Insert one row at the end of the model's chain."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEYS[model._meta.db_table]]
                )
        last = model._default_manager.order_by("-pk").values_list("hash", flat=True).first()
        obj = model(**fields)
        obj.prev_hash = last or GENESIS
        obj.hash = digest(obj.prev_hash, content_of(obj))
        obj.save(force_insert=True)
    return obj


def append_many(model: type[ChainedEvent], rows: list[dict[str, Any]]) -> list[ChainedEvent]:
    """Insert rows at the end of the chain, in order, under one lock (bulk writes: an import
    of thousands of responses keeps one audit row each without a round trip each)."""
    if not rows:
        return []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEYS[model._meta.db_table]]
                )
        prev = model._default_manager.order_by("-pk").values_list("hash", flat=True).first()
        prev = prev or GENESIS
        objects = []
        for fields in rows:
            obj = model(**fields)
            obj.prev_hash = prev
            obj.hash = prev = digest(prev, content_of(obj))
            objects.append(obj)
        # Ids are assigned in insertion order, so the chain's order is the id order.
        model._default_manager.bulk_create(objects, batch_size=1000)
    return objects


@dataclass
class Break:
    row_id: int
    reason: str


def verify(model: type[ChainedEvent], batch: int = 5000) -> Iterator[Break]:
    """Yield the first break in the chain (if any): a changed, deleted or inserted row."""
    expected_prev = GENESIS
    last_id = 0
    while True:
        rows = list(model._default_manager.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not rows:
            return
        for row in rows:
            if row.prev_hash != expected_prev:
                yield Break(row.pk, "previous hash does not match: a row was removed or inserted")
                return
            if digest(row.prev_hash, content_of(row)) != row.hash:
                yield Break(row.pk, "content does not match its hash: the row was changed")
                return
            expected_prev = row.hash
            last_id = row.pk
