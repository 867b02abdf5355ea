"""`reintegra keys new|check|rotate`: field encryption keys (docs/encryption.md).

- `new` prints a fresh Fernet key (put it FIRST in `REINTEGRA_FIELD_KEYS`, keep the old ones
  after it until `rotate` has run).
- `derived` prints the key derived from the secret key, used while `REINTEGRA_FIELD_KEYS` is
  empty (list it after a new key, rotate, then remove it).
- `check` opens every encrypted value with the configured keys; exits non-zero naming the rows
  no key opens (model, field, primary key — never a value).
- `rotate` re-encrypts every value of every encrypted field of every model under the first key
  (legacy plaintext rows included), counting rows per model. It checks every value first and
  writes in one transaction: if any value cannot be opened, it reports them, changes nothing and
  exits non-zero.

Encrypted fields are found through the app registry (any `reintegra.core.crypto.EncryptedField`
of any installed model), so core imports no domain app.
"""

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from reintegra.core import crypto

# Rows no key opens that are named before the rest are only counted.
MAX_LISTED = 20


@dataclass
class Scan:
    """What a pass over the encrypted fields found."""

    values: Counter[str] = field(default_factory=Counter)  # per model label
    rows: dict[str, set[Any]] = field(default_factory=dict)  # per model label
    unreadable: list[tuple[str, str, Any]] = field(default_factory=list)  # model, field, pk


def encrypted_models() -> list[tuple[type[models.Model], list[crypto.EncryptedField]]]:
    """Every installed model with encrypted fields of its own, in a stable order."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        fields = crypto.encrypted_fields(model)
        if fields and not model._meta.proxy and model._meta.managed:
            found.append((model, fields))
    return found


def scan(*, batch: int, write: bool) -> Scan:
    """Open every stored value; with `write`, store it re-encrypted under the first key."""
    result = Scan()
    for model, fields in encrypted_models():
        label = model._meta.label
        result.rows.setdefault(label, set())
        for f in fields:
            name = f.attname  # type: ignore[attr-defined]
            for value in crypto.stored_values(model, f, batch=batch):
                try:
                    if write:
                        crypto.write_stored(model, f, value.pk, crypto.reencrypt(value.stored))
                    else:
                        crypto.decrypt(value.stored)
                except crypto.InvalidToken:
                    result.unreadable.append((label, name, value.pk))
                    continue
                result.values[label] += 1
                result.rows[label].add(value.pk)
    return result


class Command(BaseCommand):
    help = (
        "Field encryption keys. `new` prints a fresh key; `derived` the key used while "
        "REINTEGRA_FIELD_KEYS is empty; `check` opens every encrypted value; "
        "`rotate` re-encrypts every encrypted value under the first key of REINTEGRA_FIELD_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["new", "derived", "check", "rotate"])
        parser.add_argument(
            "--batch", type=int, default=500, help="Rows read at a time (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "new":
            self.stdout.write(crypto.new_key())
            return
        if action == "derived":
            self.stdout.write(crypto.derived_key())
            return
        batch = max(1, int(options["batch"]))
        if not crypto.keys_are_configured():
            self.stderr.write(
                "REINTEGRA_FIELD_KEYS is empty: the key is derived from the secret key "
                "(acceptable for a trial only)."
            )
        checked = scan(batch=batch, write=False)
        if checked.unreadable:
            self._report_unreadable(checked)
            self.stderr.write("Nothing was changed.")
            sys.exit(1)
        if action == "check":
            self._report(checked, "readable")
            return
        with transaction.atomic():
            # Everything opened a moment ago; a value written meanwhile under an unknown key
            # rolls the whole rotation back.
            rotated = scan(batch=batch, write=True)
            if rotated.unreadable:
                transaction.set_rollback(True)
        if rotated.unreadable:
            self._report_unreadable(rotated)
            self.stderr.write("Nothing was changed.")
            sys.exit(1)
        self._report(rotated, "re-encrypted")
        self.stdout.write(
            f"Done under the first of {len(crypto.configured_keys())} key(s): older keys may "
            "now be removed from REINTEGRA_FIELD_KEYS."
        )

    def _report(self, result: Scan, verb: str) -> None:
        for label in sorted(result.rows):
            self.stdout.write(
                f"{label}: {len(result.rows[label])} rows, {result.values[label]} values {verb}"
            )

    def _report_unreadable(self, result: Scan) -> None:
        self.stderr.write(
            f"{len(result.unreadable)} value(s) cannot be opened with the configured keys "
            "(a key is missing from REINTEGRA_FIELD_KEYS?):"
        )
        for label, name, pk in result.unreadable[:MAX_LISTED]:
            self.stderr.write(f"  {label}.{name} row {pk}")
        if len(result.unreadable) > MAX_LISTED:
            self.stderr.write(f"  … and {len(result.unreadable) - MAX_LISTED} more")
