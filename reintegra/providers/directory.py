"""The service map as a spreadsheet (CSV or XLSX): one row per service of a provider (a
provider without services has one row with the service columns empty). The same columns are
exported and imported, so a team can keep the map in a spreadsheet and load it back."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook

from reintegra.core.cells import safe_row
from reintegra.providers.models import PROVIDER_FIELDS

# The provider's name, its kind and its office's code, the other provider fields, then the
# service's.
COLUMNS = [
    "provider",
    "kind",
    "office",
    *PROVIDER_FIELDS[2:],
    "last_verified_on",
    "service_category",
    "service",
    "eligibility",
    "open_to",
    "min_age",
    "max_age",
    "fees",
]


class DirectoryError(ValueError):
    """The file cannot be read as a directory spreadsheet."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def rows_of(providers: Iterable[Any]) -> Iterator[list[str]]:
    """The header, then a row per service (or per provider without one)."""
    yield list(COLUMNS)
    for p in providers:
        base = [
            p.name,
            p.kind,
            p.office.code,
            *(_cell(getattr(p, c)) for c in PROVIDER_FIELDS[2:]),
            _cell(p.last_verified_on),
        ]
        offered = list(getattr(p, "offered", None) or p.services.filter(is_active=True))
        if not offered:
            yield [*base, "", "", "", "", "", "", ""]
        for s in offered:
            ages = [_cell(s.min_age), _cell(s.max_age)]
            yield [*base, s.category, s.name, s.eligibility, s.for_sex, *ages, s.fees]


def write_csv(rows: Iterable[list[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(safe_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def write_xlsx(rows: Iterable[list[str]], handle: Any) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("providers")
    for row in rows:
        sheet.append(safe_row(row))  # openpyxl would store "=…" as a formula
    workbook.save(handle)


def read(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row; DirectoryError when unreadable
    or when a column is missing."""
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            raw = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise DirectoryError("not an XLSX workbook") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DirectoryError("not UTF-8 text") from exc
        raw = list(csv.reader(io.StringIO(text)))
    if not raw:
        raise DirectoryError("empty")
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in ("provider", "kind", "office") if c not in header]
    if missing:
        raise DirectoryError("missing columns: " + ", ".join(missing))
    out = []
    for number, values in enumerate(raw[1:], start=2):
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        if any(row.values()):
            out.append((number, {k: v.removeprefix("'") for k, v in row.items()}))
    return out
