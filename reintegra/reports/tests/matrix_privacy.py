"""Permission-matrix rows of the privacy area (see matrix_base for what each name means)."""

from typing import Any

from reintegra.reports.tests.matrix_base import Kind, Route, World


def build(world: World, offices: dict[str, Any], users: dict[str, Any]) -> None:
    """Add the area's in-scope and out-of-scope objects to the world."""


KINDS: dict[str, Kind] = {}
PAGES: list[Route] = []
API: dict[tuple[str, str], Route] = {}
API_IDS: tuple[str, ...] = ()
