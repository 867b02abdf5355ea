"""Running services at the same moment, for the PostgreSQL concurrency tests."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from reintegra.core.errors import ServiceError


def race(calls: list[Callable[[], object]]) -> list[str]:
    """Each call in its own thread and connection, all released at once: "ok", the service's
    error code, or the class of any other error (a deadlock, a database error)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        try:
            barrier.wait(timeout=30)
            call()
        except ServiceError as err:
            return err.code
        except Exception as err:  # noqa: BLE001 - reported, and the test fails on it
            return f"error: {type(err).__name__}: {err}"
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
