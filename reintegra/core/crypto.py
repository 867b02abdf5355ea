"""Field-level encryption for the restricted tiers (PROTECTION, MEDICAL, PSYCHOSOCIAL).

Keys come from `REINTEGRA_FIELD_KEYS`: Fernet keys separated by commas. The first encrypts; every
one decrypts (`MultiFernet`), so a key is rotated by putting the new one first, running
`reintegra keys rotate` (which re-encrypts every row under it), then removing the old one.
Without keys (a trial, the tests) one key is derived from the secret key.

A stored value is `fernet:<token>`. A value without the prefix is plaintext written before the
field was encrypted: it reads as it is, and the next save or `keys rotate` encrypts it.

Four field types:
- `EncryptedTextField`, `EncryptedJSONField`: every row encrypted (a text column).
- `SealedTextField`, `SealedJSONField`: encrypted only when the row's tier (`tier_field`) is one
  of `tiers`; other rows stay plaintext, so SQL lookups on them keep working (a monitoring
  visit's answers, a plain timeline line). The decision is taken in `pre_save`: a
  `QuerySet.update()` or `bulk_update()` of such a field writes plaintext — save the instance.

`encrypted_fields(model)` lists a model's encrypted fields; `reintegra keys rotate` finds them
all through the app registry with it.
"""

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast

PREFIX = "fernet:"


def _derived_key() -> bytes:
    digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "REINTEGRA_FIELD_KEYS: Fernet keys (32 url-safe base64 bytes) separated by commas"
        ) from exc


def configured_keys() -> tuple[str, ...]:
    raw = getattr(settings, "REINTEGRA_FIELD_KEYS", ())
    if isinstance(raw, str):
        raw = raw.split(",")
    keys = tuple(k.strip() for k in raw if k and k.strip())
    return keys or (_derived_key().decode(),)


def keys_are_configured() -> bool:
    """False when the key is derived from the secret key (fine for a trial, not production)."""
    raw = getattr(settings, "REINTEGRA_FIELD_KEYS", ())
    if isinstance(raw, str):
        raw = raw.split(",")
    return any(k and k.strip() for k in raw)


def derived_key() -> str:
    """The key used while `REINTEGRA_FIELD_KEYS` is empty (to list it after a new key, once,
    when a trial installation gets its own key)."""
    return _derived_key().decode()


def fernet() -> MultiFernet:
    return _fernet(configured_keys())


def new_key() -> str:
    return Fernet.generate_key().decode()


def is_encrypted(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    """The plaintext of a stored value (plaintext written before encryption reads as is).
    Raises InvalidToken when no configured key opens it."""
    if not is_encrypted(stored):
        return stored
    return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()


def reencrypt(stored: str) -> str:
    """The value encrypted under the first key (plaintext is encrypted; a value already under
    the first key gets a fresh token). Raises InvalidToken when no configured key opens it."""
    if not is_encrypted(stored):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class EncryptedField:
    """What every encrypted field type shares: which rows it encrypts, and how `keys rotate`
    reads and writes its raw stored value (bypassing the field's own conversions)."""

    tier_field: str | None = None
    tiers: tuple[str, ...] = ()
    json_column = False  # the column is a JSON column (the token is stored as a JSON string)

    def seals(self, tier: Any) -> bool:
        """Whether a row with this tier is stored encrypted."""
        return self.tier_field is None or tier in self.tiers

    def raw_stored(self, raw_text: str | None) -> str | None:
        """The stored string (a token or legacy plaintext) from the column read as text;
        None when there is nothing to encrypt."""
        if raw_text is None or raw_text == "":
            return None
        if not self.json_column:
            return raw_text
        value = json.loads(raw_text)
        if isinstance(value, str) and is_encrypted(value):
            return value
        return raw_text  # legacy plaintext JSON

    def raw_value(self, stored: str) -> Value:
        """An expression writing `stored` into the column as it is."""
        if self.json_column:
            return Value(stored, output_field=models.JSONField())
        return Value(stored, output_field=models.TextField())


class EncryptedTextField(EncryptedField, models.TextField):
    """Text stored encrypted. It cannot be searched or filtered on (each token differs); empty
    text is stored empty (its absence is not a secret)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        # Always encrypted, even a text that looks like a token (typed by a user, it would
        # otherwise be stored as is and fail to open on reading).
        return encrypt(str(value))


class EncryptedJSONField(EncryptedField, models.TextField):
    """A JSON value (dict, list…) stored encrypted as text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.get_default()
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(decrypt(value)) if value else self.get_default()
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(_dumps(value))


@dataclass(frozen=True)
class _Seal:
    """A value `pre_save` decided to encrypt (its row is in a restricted tier)."""

    value: Any


class _Sealed(EncryptedField):
    def __init__(
        self, *args: Any, tier_field: str = "tier", tiers: Iterable[str] = (), **kwargs: Any
    ) -> None:
        self.tier_field = tier_field
        self.tiers = tuple(sorted(str(t) for t in tiers))
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs["tier_field"] = self.tier_field
        kwargs["tiers"] = list(self.tiers)
        return name, path, args, kwargs

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        if value is None or value == "":
            return value
        if self.seals(getattr(model_instance, self.tier_field or "")):
            return _Seal(value)
        return value


class SealedTextField(_Sealed, models.TextField):
    """Text encrypted when the row's tier is restricted, plaintext otherwise."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, _Seal):
            return encrypt(str(value.value))
        return super().get_prep_value(value)


class SealedJSONField(_Sealed, models.JSONField):
    """JSON encrypted when the row's tier is restricted (stored as a JSON string holding the
    token), plain JSON otherwise (SQL key lookups keep working on those rows)."""

    json_column = True

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        if is_encrypted(value):
            return json.loads(decrypt(value))
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, _Seal):
            return encrypt(_dumps(value.value))
        return super().get_prep_value(value)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    """The model's own concrete encrypted fields (not those inherited through a parent table)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedField)]


@dataclass(frozen=True)
class StoredValue:
    """One row's raw stored value of an encrypted field, as `keys rotate` sees it."""

    pk: Any
    stored: str  # a token (`fernet:…`) or legacy plaintext


def stored_values(
    model: type[models.Model], field: EncryptedField, *, batch: int = 500
) -> Iterator[StoredValue]:
    """The raw values (never decrypted) of a field that are, or should be, encrypted: tokens,
    and plaintext of rows the field encrypts. Read in batches by primary key."""
    name = field.attname  # type: ignore[attr-defined]
    columns = ["pk"] + ([field.tier_field] if field.tier_field else [])
    base = model._base_manager.order_by("pk")
    last = None
    while True:
        page = base if last is None else base.filter(pk__gt=last)
        rows = list(page.values(*columns, raw=Cast(name, output_field=models.TextField()))[:batch])
        if not rows:
            return
        for row in rows:
            stored = field.raw_stored(row["raw"])
            if stored is None:
                continue
            if is_encrypted(stored) or field.seals(row.get(field.tier_field or "")):
                yield StoredValue(row["pk"], stored)
        last = rows[-1]["pk"]


def write_stored(model: type[models.Model], field: EncryptedField, pk: Any, stored: str) -> None:
    """Write a raw stored value as it is (no conversion, no `updated_at`, no version bump)."""
    name = field.attname  # type: ignore[attr-defined]
    model._base_manager.filter(pk=pk).update(**{name: field.raw_value(stored)})


def encrypt_rows(model: type[models.Model], names: Iterable[str], *, batch: int = 500) -> int:
    """Encrypt (or re-encrypt under the first key) the stored values of these fields; for
    data migrations. Returns how many values were written."""
    count = 0
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, EncryptedField), name
        for value in list(stored_values(model, field, batch=batch)):
            write_stored(model, field, value.pk, reencrypt(value.stored))
            count += 1
    return count


def decrypt_rows(model: type[models.Model], names: Iterable[str], *, batch: int = 500) -> int:
    """Write these fields back as plaintext (reversing a data migration)."""
    count = 0
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, EncryptedField), name
        for value in list(stored_values(model, field, batch=batch)):
            if not is_encrypted(value.stored):
                continue
            plain = decrypt(value.stored)
            raw = (
                Value(json.loads(plain), output_field=models.JSONField())
                if field.json_column
                else Value(plain, output_field=models.TextField())
            )
            model._base_manager.filter(pk=value.pk).update(**{field.attname: raw})  # type: ignore[attr-defined,union-attr]
            count += 1
    return count


__all__ = [
    "EncryptedField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "InvalidToken",
    "SealedJSONField",
    "StoredValue",
    "SealedTextField",
    "configured_keys",
    "decrypt_rows",
    "derived_key",
    "decrypt",
    "encrypt",
    "encrypt_rows",
    "encrypted_fields",
    "is_encrypted",
    "keys_are_configured",
    "new_key",
    "reencrypt",
    "stored_values",
    "write_stored",
]
