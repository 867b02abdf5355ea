"""Demo data of the communication area: work in progress that the personas' home pages show."""

from typing import Any


def communication_load(users: dict[str, Any]) -> None:
    """Add the area's demo records (called once by programme_load, inside its transaction)."""
