"""Generation counters for cached figures: a write bumps its counter, a cached result is
filed under the counter it was computed at, so it is never served after a change. With
several app processes the cache must be shared (Redis), or each process keeps its own counter.
"""

from django.core.cache import cache


def current(name: str) -> int:
    value = cache.get(f"generation:{name}")
    if value is None:
        cache.add(f"generation:{name}", 1, timeout=None)
        value = cache.get(f"generation:{name}", 1)
    return int(value)


def bump(name: str) -> None:
    key = f"generation:{name}"
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, timeout=None)
