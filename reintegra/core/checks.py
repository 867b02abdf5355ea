"""System checks of core (`python manage.py check --deploy`)."""

from typing import Any

from django.core import checks

from reintegra.core import crypto


@checks.register(checks.Tags.security, deploy=True)
def field_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production needs its own field encryption keys, not one derived from the secret key."""
    if crypto.keys_are_configured():
        try:
            crypto.fernet()
        except Exception:  # ImproperlyConfigured: a malformed key
            return [
                checks.Error(
                    "REINTEGRA_FIELD_KEYS holds a value that is not a Fernet key.",
                    hint="Generate keys with `reintegra keys new`.",
                    id="reintegra.crypto.E001",
                )
            ]
        return []
    return [
        checks.Warning(
            "REINTEGRA_FIELD_KEYS is empty: restricted fields are encrypted with a key derived "
            "from SECRET_KEY.",
            hint="Generate a key with `reintegra keys new`, set REINTEGRA_FIELD_KEYS, then run "
            "`reintegra keys rotate` (docs/encryption.md).",
            id="reintegra.crypto.W001",
        )
    ]
