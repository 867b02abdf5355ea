"""Field-level encryption for the restricted tiers (PROTECTION, MEDICAL, PSYCHOSOCIAL).

Keys come from `REINTEGRA_FIELD_KEYS`: Fernet keys separated by commas. The first encrypts; every
one decrypts (`MultiFernet`), so a key is rotated by putting the new one first, running
`reintegra keys rotate` (which re-encrypts every row under it), then removing the old one.
Without keys (a trial, the tests) one key is derived from the secret key.

A stored value is `fernet:<token>`. A value without the prefix is plaintext written before the
field was encrypted: it reads as it is, and the next save or `keys rotate` encrypts it.
"""

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

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
    keys = tuple(k for k in getattr(settings, "REINTEGRA_FIELD_KEYS", ()) if k)
    return keys or (_derived_key().decode(),)


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
    the first key gets a fresh token)."""
    if not is_encrypted(stored):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted. It cannot be searched or filtered on (each token differs); empty
    text is stored empty (its absence is not a secret)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(str(value))


class EncryptedJSONField(models.TextField):
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
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


__all__ = [
    "EncryptedJSONField",
    "EncryptedTextField",
    "InvalidToken",
    "configured_keys",
    "decrypt",
    "encrypt",
    "new_key",
    "reencrypt",
]
