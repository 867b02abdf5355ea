"""Hooks the higher apps fill in their AppConfig.ready(): people may not import them (layering).

`WITHDRAWAL_HOOKS`: called as `hook(actor=..., consent=...)` inside `consent_withdraw`'s
transaction, after the withdrawal is saved and audited, so each app stops what the consent
allowed (monitoring cancels planned visits, outreach cancels queued messages) in the same
transaction: a hook that fails undoes the withdrawal.
"""

from collections.abc import Callable
from typing import Any

WITHDRAWAL_HOOKS: list[Callable[..., None]] = []


def withdrawal_hooks_run(*, actor: Any, consent: Any) -> None:
    """Run every registered consent-withdrawal handler (in registration order)."""
    for hook in WITHDRAWAL_HOOKS:
        hook(actor=actor, consent=consent)
