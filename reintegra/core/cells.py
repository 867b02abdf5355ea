"""Spreadsheet cells that cannot run: text a spreadsheet would take for a formula is written
as text (a leading apostrophe). Every CSV and XLSX export writes its cells through this."""

from typing import Any

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA) else value


def safe_row(row: list[Any]) -> list[Any]:
    return [safe_cell(cell) for cell in row]
