"""Reading data exported from KoBoToolbox or ODK Central into the answers of a form (pure: no
database). The importer shows the plan, then stores the rows without errors.

Reading: :func:`read_export`
----------------------------
* **CSV** (``.csv``): UTF-8, with or without a byte order mark. KoBo separates the columns with
  ``;`` in some exports and ``,`` in others (ODK Central: ``,``; tabs also work): the separator
  giving the header the most columns wins. **A CSV export holds the main table only: KoBo and
  ODK Central leave repeats out of it**, so the answers of repeats are not imported from a CSV
  (the plan says so in its problems). Use an XLSX export for forms with repeats.
* **XLSX** (as KoBo writes it): the first sheet is the main table; every other sheet is a
  repeat, named after it (Excel cuts sheet names at 31 characters), its rows linked to a main
  row by ``_parent_index`` = the main row's ``_index`` (or, failing those columns, by
  ``_submission__uuid`` = ``_uuid``). One level of repeats is read: repeats inside repeats
  are not. Date and number cells are read as text (``YYYY-MM-DD``; ``12.0`` -> ``12``).

Rows keep their 1-based spreadsheet row number (the header is row 1) for messages; rows with
nothing in them are skipped.

Headers
-------
KoBo writes a question's column as its group path, ``group/subgroup/question`` (or with ``-``
or ``:`` between the parts in some export settings and in ODK Central): only the last part
names the question. A select_multiple is one column of space-separated choice names, or one
``question/choice`` column per choice holding 1/0 (or TRUE/FALSE), or both (their choices are
merged). ``question_other`` holds the text of an ``or_other`` answer. Known metadata columns
(``_uuid``, ``_id``, ``_submission_time``, ``_submitted_by``, ``_index``, ``_parent_index``,
``_validation_status``, ``__version__``, ``meta/instanceID``... any column starting with
``_``, and ODK Central's ``SubmissionDate``, ``KEY``, ``ReviewState``...) are not questions.
Columns of calculations, notes and metadata questions (``start``, ``end``...) are recognised
but not imported: the calculations are made again. **Exports with labels as headers are not
supported** (export "XML values and headers"): when no column names a question, the plan has
no rows and a problem naming the first unknown column.

Planning: :func:`rows_to_answers`
---------------------------------
Each row becomes posted-style fields (see :mod:`.engine`: ``name``, ``<repeat>__<i>__<child>``,
``<repeat>__count``), typed by :func:`.engine.coerce` and checked by :func:`.engine.clean`, as
if the form had been filled on the web. Every error becomes a message naming the row, the
question and the reason: ``row 12, age: Enter a whole number.``. Instance id:
``meta/instanceID``, else ``_uuid`` (both given a ``uuid:`` prefix when they lack one); a row
without one, or with one already seen higher in the file, is an error. The case number is the
answer to the form's ``case_field`` question (when it has one): a row without one is an error.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import engine
from .spec import INPUT_TYPES, SELECT_TYPES, FormSpec, Question

__all__ = [
    "ExportError",
    "ImportPlan",
    "PlannedRow",
    "Row",
    "Table",
    "read_export",
    "rows_to_answers",
]

ANSWERED_TYPES = (*INPUT_TYPES, *SELECT_TYPES)
OTHER = "other"
UUID_PREFIX = "uuid:"
PROGRESS_EVERY = 250  # rows between two calls of the progress callback
CSV_DELIMITERS = (",", ";", "\t")  # in order of preference on a tie

# Metadata columns with a meaning here (the rest are recognised by _is_metadata).
_SPECIAL = {
    "_uuid": "uuid",
    "KEY": "uuid",  # ODK Central: the instance id of a main row
    "_submission_time": "submitted_at",
    "SubmissionDate": "submitted_at",  # ODK Central
    "_index": "index",
    "_parent_index": "parent_index",
    "_submission__uuid": "submission_uuid",  # the _uuid of a repeat row's submission
}
_CENTRAL_METADATA = {
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
    "PARENT_KEY",
}
_METADATA_GROUPS = {"meta", "formhub"}
_PART_SEPARATORS = re.compile(r"[/:-]")
_WORD_SEPARATORS = re.compile(r"([-:])")
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


class ExportError(ValueError):
    """The file cannot be read as a data export; the message says why."""


# =============================================================================================
# Reading
# =============================================================================================


class Row(dict[str, str]):
    """A data row: header -> cell text (stripped; ``""`` when empty), with its 1-based
    spreadsheet row number (the header is row 1) in ``number``."""

    def __init__(
        self, cells: Mapping[str, str] | Iterable[tuple[str, str]] = (), number: int = 0
    ) -> None:
        super().__init__(cells)
        self.number = number


@dataclass
class Table:
    """A sheet of an export: ``name`` (the sheet's, or the file's for a CSV), its headers in
    order (duplicates and empty headers left out), its non-empty rows, and (for the main
    table of an XLSX export) its other sheets by name, the repeats."""

    name: str
    headers: list[str]
    rows: list[Row]
    repeats: dict[str, Table] = field(default_factory=dict)
    format: str = "csv"  # "csv" or "xlsx"
    problems: list[str] = field(default_factory=list)  # found while reading


def read_export(data: bytes, filename: str) -> Table:
    """The main table of a KoBoToolbox / ODK Central export (CSV or XLSX; see the module
    docstring); raises :class:`ExportError` when the file cannot be read."""
    suffix = PurePath(filename).suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, filename)
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExportError(_("Old Excel files (.xls) are not supported: export as XLSX or CSV."))
    return _read_csv(data, filename)


def _table(
    name: str, records: Iterable[tuple[int, list[str]]], header: list[str], format: str
) -> Table:
    problems: list[str] = []
    headers: list[str] = []
    keep: list[tuple[int, str]] = []  # (position, header)
    for position, raw in enumerate(header):
        text = raw.strip()
        if not text:
            continue
        if text in headers:
            problems.append(
                _("Sheet “%(sheet)s”: the column “%(column)s” appears twice (second ignored).")
                % {"sheet": name, "column": text}
            )
            continue
        headers.append(text)
        keep.append((position, text))
    rows: list[Row] = []
    for number, values in records:
        size = len(values)
        cells = Row(
            ((h, values[p].strip() if p < size else "") for p, h in keep),
            number,
        )
        if any(cells.values()):
            rows.append(cells)
    return Table(name=name, headers=headers, rows=rows, format=format, problems=problems)


# --- CSV ---------------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header row into the most columns (``,`` on a tie)."""
    best, most = CSV_DELIMITERS[0], 0
    for delimiter in CSV_DELIMITERS:
        try:
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(header) > most:
            best, most = delimiter, len(header)
    return best


def _read_csv(data: bytes, filename: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExportError(
            _("The file is not UTF-8 text (byte %(position)s): export it again as UTF-8 CSV.")
            % {"position": error.start + 1}
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ExportError(_("The file is empty: no header row."))
        records = list(enumerate(reader, start=2))
    except csv.Error as error:
        raise ExportError(
            _("The file is not a valid CSV file: %(error)s") % {"error": error}
        ) from error
    return _table(PurePath(filename).name, records, header, "csv")


# --- XLSX --------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: dates ``YYYY-MM-DD`` (a date-time at midnight too), whole numbers
    without ``.0``, no exponents."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(decimal.Decimal(repr(value)), "f")
    return str(value)


def _read_xlsx(data: bytes, filename: str) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, XML and its own errors
        raise ExportError(
            _("“%(file)s” is not an Excel (XLSX) file that can be read.")
            % {"file": PurePath(filename).name}
        ) from error
    try:
        tables: list[Table] = []
        for worksheet in workbook.worksheets:
            rows = worksheet.iter_rows(values_only=True)
            header = [_cell(v) for v in next(rows, None) or ()]
            records = (
                (number, [_cell(v) for v in values]) for number, values in enumerate(rows, start=2)
            )
            tables.append(_table(worksheet.title, records, header, "xlsx"))
    finally:
        workbook.close()
    if not tables or not tables[0].headers:
        raise ExportError(_("The file is empty: no header row."))
    main = tables[0]
    for table in tables[1:]:
        if table.headers:
            main.repeats[table.name] = table
        main.problems.extend(table.problems)
    return main


# =============================================================================================
# Planning
# =============================================================================================


@dataclass
class PlannedRow:
    """One row of the export as a response: ``answers`` as :func:`.engine.clean` stores them;
    ``errors`` are complete messages (``row 12, age: Enter a whole number.``)."""

    row: int
    instance_id: str
    case_number: str
    submitted_at: str
    answers: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Every non-empty row planned; ``unknown_columns`` names the columns that are no question
    of the form (a repeat sheet's as ``<sheet>: <header>``); ``problems`` are about the file
    as a whole (a repeat sheet that matches no repeat, repeats not imported...)."""

    rows: list[PlannedRow]
    unknown_columns: list[str]
    problems: list[str]

    @property
    def valid_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def errors(self) -> list[str]:
        return [e for r in self.rows for e in r.errors]


# --- columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    header: str
    name: str  # the posted name inside its container: a question's name, or <name>_other
    multiple: bool  # select_multiple: space-separated choice names


@dataclass(frozen=True)
class _ChoiceColumn:
    header: str
    name: str  # the select_multiple question
    code: str


@dataclass
class _Columns:
    fields: list[_Field] = field(default_factory=list)
    choices: list[_ChoiceColumn] = field(default_factory=list)
    special: dict[str, str] = field(default_factory=dict)  # kind -> header (the first one)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def has_questions(self) -> bool:
        return bool(self.fields or self.choices)


class _Scope:
    """The questions answered in one place: outside repeats, or in one repeat (through its
    groups; a repeat in it is a name, not its children)."""

    def __init__(self, spec: FormSpec, items: list[Question]) -> None:
        self.names: dict[str, Question] = {}
        self.codes: dict[str, set[str]] = {}

        def visit(questions: list[Question]) -> None:
            for q in questions:
                self.names[q.name] = q
                if q.type in SELECT_TYPES:
                    codes = {c.name for c in spec.choices.get(q.list_name, [])}
                    if q.or_other:
                        codes.add(OTHER)
                    self.codes[q.name] = codes
                if q.type == "group":
                    visit(q.children)

        visit(items)

    def _exact(self, text: str) -> tuple[Question, str] | None:
        q = self.names.get(text)
        if q is not None:
            return q, text
        if text.endswith("_other"):
            q = self.names.get(text[: -len("_other")])
            if q is not None and q.or_other:
                return q, text
        return None

    def find(self, text: str) -> tuple[Question, str] | None:
        """The question (and posted name) ``text`` names: itself, or its longest ending after
        a ``-`` or ``:`` (group paths written with those)."""
        words = _WORD_SEPARATORS.split(text)
        for start in range(0, len(words), 2):
            hit = self._exact("".join(words[start:]))
            if hit is not None:
                return hit
        return None

    def choice_column(self, parts: list[str]) -> tuple[Question, str] | None:
        """The select_multiple and choice of an expanded ``question/choice`` column (or
        ``question-choice`` when the choice is one of its list)."""
        if len(parts) >= 2:
            hit = self.find(parts[-2])
            if hit is not None and hit[0].type == "select_multiple" and hit[1] == hit[0].name:
                return hit[0], parts[-1]
        words = _WORD_SEPARATORS.split(parts[-1])
        for cut in range(len(words) - 2, 0, -2):  # words[cut] is a separator
            code = "".join(words[cut + 1 :])
            hit = self.find("".join(words[:cut]))
            if (
                hit is not None
                and hit[0].type == "select_multiple"
                and hit[1] == hit[0].name
                and code in self.codes.get(hit[0].name, set())
            ):
                return hit[0], code
        return None


def _special(header: str) -> str | None:
    kind = _SPECIAL.get(header)
    if kind is not None:
        return kind
    parts = _PART_SEPARATORS.split(header)
    if parts[-1] == "instanceID" and (len(parts) == 1 or parts[-2] == "meta"):
        return "instance_id"
    return None


def _is_metadata(header: str) -> bool:
    parts = _PART_SEPARATORS.split(header)
    return (
        header in _CENTRAL_METADATA
        or header.split("/")[-1].startswith("_")
        or (len(parts) > 1 and parts[0] in _METADATA_GROUPS)
    )


def _columns(headers: list[str], scope: _Scope, sheet: str) -> _Columns:
    out = _Columns()
    posted: dict[str, str] = {}  # posted name -> the header giving it
    for header in headers:
        kind = _special(header)
        if kind is not None:
            out.special.setdefault(kind, header)
            continue
        parts = header.split("/")
        hit = scope.find(parts[-1])
        if hit is not None:
            q, name = hit
            if q.type not in ANSWERED_TYPES:
                continue  # calculate, note, metadata, group, repeat: not imported
            if name in posted:
                out.problems.append(
                    _(
                        "Sheet “%(sheet)s”: the columns “%(first)s” and “%(second)s” both hold "
                        "%(name)s; the second is ignored."
                    )
                    % {"sheet": sheet, "first": posted[name], "second": header, "name": name}
                )
                continue
            posted[name] = header
            multiple = q.type == "select_multiple" and name == q.name
            out.fields.append(_Field(header, name, multiple))
            continue
        choice = scope.choice_column(parts)
        if choice is not None:
            out.choices.append(_ChoiceColumn(header, choice[0].name, choice[1]))
            continue
        if not _is_metadata(header):
            out.unknown.append(header)
    return out


# --- repeats -----------------------------------------------------------------------------------


@dataclass
class _RepeatSource:
    question: Question
    sheet: Table
    columns: _Columns
    by_parent: dict[str, list[Row]]  # link value of the main row -> its rows, in sheet order
    link: str  # "index" or "uuid": which main column the rows link to


def _repeat_for_sheet(
    name: str, table: Table, repeats: list[Question], scopes: dict[str, _Scope]
) -> Question | None:
    for q in repeats:
        if q.name == name:
            return q
    truncated = [q for q in repeats if len(name) == 31 and q.name.startswith(name)]
    if len(truncated) == 1:
        return truncated[0]
    best, most = None, 0
    for q in repeats:
        found = sum(1 for h in table.headers if scopes[q.name].find(h.split("/")[-1]))
        if found > most:
            best, most = q, found
    return best


def _all_repeats(spec: FormSpec) -> tuple[list[Question], list[Question]]:
    """(repeats outside repeats, repeats inside repeats)."""
    top: list[Question] = []
    nested: list[Question] = []

    def visit(items: list[Question], inside: bool) -> None:
        for q in items:
            if q.type == "repeat":
                (nested if inside else top).append(q)
                visit(q.children, True)
            elif q.type == "group":
                visit(q.children, inside)

    visit(spec.questions, False)
    return top, nested


# --- the planner -------------------------------------------------------------------------------


def _flag(value: str, code: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE or value == code:
        return True
    if lowered in _FALSE:
        return False
    return None


def _instance_id(value: str) -> str:
    if not value:
        return ""
    return value if value.startswith(UUID_PREFIX) else UUID_PREFIX + value


class _Planner:
    def __init__(self, spec: FormSpec, table: Table, language: str) -> None:
        self.spec = spec
        self.table = table
        self.language = language
        self.problems: list[str] = list(table.problems)
        self.scope = _Scope(spec, spec.questions)
        self.main = _columns(table.headers, self.scope, table.name)
        self.problems.extend(self.main.problems)
        self.unknown = list(self.main.unknown)
        top, nested = _all_repeats(spec)
        self.repeat_scopes = {q.name: _Scope(spec, q.children) for q in top + nested}
        self.sources: list[_RepeatSource] = []
        self._link_repeats(top, nested)
        self.question_scope: dict[str, _Scope] = {"": self.scope, **self.repeat_scopes}

    def _link_repeats(self, top: list[Question], nested: list[Question]) -> None:
        taken: dict[str, str] = {}
        for name, sheet in self.table.repeats.items():
            q = _repeat_for_sheet(name, sheet, top + nested, self.repeat_scopes)
            if q is None:
                self.problems.append(
                    _("Sheet “%(sheet)s” matches no repeat of the form; it is ignored.")
                    % {"sheet": name}
                )
                continue
            if any(q is n for n in nested):
                self.problems.append(
                    _(
                        "Sheet “%(sheet)s” holds the repeat “%(repeat)s”, inside another repeat: "
                        "repeats inside repeats are not imported."
                    )
                    % {"sheet": name, "repeat": q.name}
                )
                continue
            if q.name in taken:
                self.problems.append(
                    _(
                        "Sheets “%(first)s” and “%(second)s” both hold the repeat "
                        "“%(repeat)s”; the second is ignored."
                    )
                    % {"first": taken[q.name], "second": name, "repeat": q.name}
                )
                continue
            columns = _columns(sheet.headers, self.repeat_scopes[q.name], name)
            self.problems.extend(columns.problems)
            self.unknown.extend(f"{name}: {h}" for h in columns.unknown)
            if "parent_index" in columns.special:
                link, header = "index", columns.special["parent_index"]
            elif "submission_uuid" in columns.special and "uuid" in self.main.special:
                link, header = "uuid", columns.special["submission_uuid"]
            else:
                self.problems.append(
                    _(
                        "Sheet “%(sheet)s” has no _parent_index column linking its rows to the "
                        "main sheet; it is ignored."
                    )
                    % {"sheet": name}
                )
                continue
            by_parent: dict[str, list[Row]] = {}
            for row in sheet.rows:
                key = row.get(header, "")
                if link == "uuid":
                    key = _instance_id(key)
                by_parent.setdefault(key, []).append(row)
            taken[q.name] = name
            self.sources.append(_RepeatSource(q, sheet, columns, by_parent, link))
        for q in top:
            if q.name not in taken:
                self.problems.append(
                    _(
                        "The export has no sheet for the repeat “%(repeat)s”: its answers are not "
                        "imported (CSV exports never hold repeats; use an XLSX export)."
                    )
                    % {"repeat": q.name}
                )

    def orphans(self, keys: dict[str, set[str]]) -> None:
        for source in self.sources:
            linked = keys[source.link]
            lost = [
                row.number
                for key, rows in source.by_parent.items()
                if key not in linked
                for row in rows
            ]
            if lost:
                self.problems.append(
                    ngettext(
                        "Sheet “%(sheet)s”: %(count)s row links to no row of the main sheet "
                        "(row %(rows)s).",
                        "Sheet “%(sheet)s”: %(count)s rows link to no row of the main sheet "
                        "(rows %(rows)s).",
                        len(lost),
                    )
                    % {
                        "sheet": source.sheet.name,
                        "count": len(lost),
                        "rows": ", ".join(str(n) for n in sorted(lost)[:10])
                        + ("…" if len(lost) > 10 else ""),
                    }
                )

    # -- one row --

    def _fill(
        self, row: Row, columns: _Columns, prefix: str, out: dict[str, Any], errors: list[str]
    ) -> None:
        for column in columns.fields:
            value = row.get(column.header, "")
            if not value:
                continue
            if column.multiple:
                out.setdefault(prefix + column.name, []).extend(value.split())
            else:
                out[prefix + column.name] = value
        for choice in columns.choices:
            value = row.get(choice.header, "")
            if not value:
                continue
            picked = _flag(value, choice.code)
            if picked is None:
                errors.append(
                    _(
                        "row %(row)s, %(question)s: the column “%(column)s” holds “%(value)s”, "
                        "not 1 or 0."
                    )
                    % {
                        "row": row.number,
                        "question": choice.name,
                        "column": choice.header,
                        "value": value,
                    }
                )
            elif picked:
                out.setdefault(prefix + choice.name, []).append(choice.code)

    def plan(self, row: Row, ordinal: int) -> tuple[PlannedRow, dict[str, str]]:
        errors: list[str] = []
        special = self.main.special
        posted: dict[str, Any] = {}
        self._fill(row, self.main, "", posted, errors)
        instances: dict[str, list[Row]] = {}
        keys = {
            "index": row.get(special["index"], "") if "index" in special else str(ordinal),
            "uuid": _instance_id(row.get(special.get("uuid", ""), "")),
        }
        for source in self.sources:
            rows = source.by_parent.get(keys[source.link], [])
            name = source.question.name
            instances[name] = rows
            posted[f"{name}__count"] = str(len(rows))
            for i, child in enumerate(rows):
                self._fill(child, source.columns, f"{name}__{i}__", posted, errors)

        number = row.number
        instance_id = _instance_id(row.get(special.get("instance_id", ""), "")) or keys["uuid"]
        if not instance_id:
            errors.append(
                _("row %(row)s: no instance id (meta/instanceID or _uuid).") % {"row": number}
            )
        case_number = ""
        case_field = self.spec.case_field
        if case_field:
            raw = posted.get(case_field, "")
            case_number = raw.strip() if isinstance(raw, str) else ""
            if not case_number:
                errors.append(_("row %(row)s: no case number.") % {"row": number})

        typed, coerce_errors = engine.coerce(self.spec, posted, self.language)
        answers, clean_errors = engine.clean(self.spec, typed, self.language)
        found = dict(coerce_errors)
        for path, reason in clean_errors.items():
            if path == case_field and not case_number:
                continue  # said above
            found.setdefault(path, reason)
        for path, reason in found.items():
            coerced = path in coerce_errors
            errors.append(self._message(row, path, reason, posted, instances, coerced))
        planned = PlannedRow(
            row=number,
            instance_id=instance_id,
            case_number=case_number,
            submitted_at=row.get(special.get("submitted_at", ""), ""),
            answers=answers,
            errors=errors,
        )
        return planned, keys

    def _message(
        self,
        row: Row,
        path: str,
        reason: str,
        posted: Mapping[str, Any],
        instances: Mapping[str, list[Row]],
        coerced: bool,
    ) -> str:
        repeat, index, name = "", -1, path
        for candidate in instances:
            if path.startswith(candidate + "__"):
                rest = path[len(candidate) + 2 :]
                if rest == "count":
                    name = candidate
                    break
                position, _sep, child = rest.partition("__")
                if position.isdigit():
                    repeat, index, name = candidate, int(position), child
                break
        scope = self.question_scope.get(repeat, self.scope)
        q = scope.names.get(name)
        if coerced and q is not None and q.type in SELECT_TYPES:
            value = posted.get(path, [])
            picked = value if isinstance(value, list) else [str(value).strip()]
            wrong = [v for v in dict.fromkeys(picked) if v not in scope.codes.get(q.name, set())]
            if wrong:
                reason = ngettext(
                    "%(codes)s is not one of its choices.",
                    "%(codes)s are not among its choices.",
                    len(wrong),
                ) % {"codes": ", ".join(f"“{v}”" for v in wrong)}
        if repeat and 0 <= index < len(instances[repeat]):
            return _(
                "row %(row)s, %(repeat)s %(number)s (sheet “%(sheet)s”, row %(sheet_row)s), "
                "%(question)s: %(reason)s"
            ) % {
                "row": row.number,
                "repeat": repeat,
                "number": index + 1,
                "sheet": self._sheet_of(repeat),
                "sheet_row": instances[repeat][index].number,
                "question": name,
                "reason": reason,
            }
        return _("row %(row)s, %(question)s: %(reason)s") % {
            "row": row.number,
            "question": name,
            "reason": reason,
        }

    def _sheet_of(self, repeat: str) -> str:
        return next(s.sheet.name for s in self.sources if s.question.name == repeat)


def rows_to_answers(
    spec: FormSpec,
    table: Table,
    language: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Plan the import of ``table`` (from :func:`read_export`) as responses to ``spec``: every
    row's cleaned answers and errors (see the module docstring). ``language`` picks the
    form's own messages (constraint, required); the rest follow the active language."""
    planner = _Planner(spec, table, language)
    if not planner.main.has_questions:
        first = planner.main.unknown[0] if planner.main.unknown else ""
        if first:
            message = _(
                "No column names a question of the form (the first unknown one is “%(column)s”). "
                "Exports with labels as headers are not supported: export again with “XML "
                "values and headers”."
            ) % {"column": first}
        else:
            message = _("No column names a question of the form.")
        return ImportPlan(rows=[], unknown_columns=planner.unknown, problems=[message])

    rows: list[PlannedRow] = []
    seen: dict[str, int] = {}
    linked: dict[str, set[str]] = {"index": set(), "uuid": set()}
    for ordinal, row in enumerate(table.rows, start=1):
        if progress is not None and ordinal % PROGRESS_EVERY == 0:
            progress(ordinal)
        planned, keys = planner.plan(row, ordinal)
        for link, key in keys.items():
            linked[link].add(key)
        if planned.instance_id:
            first_row = seen.setdefault(planned.instance_id, planned.row)
            if first_row != planned.row:
                planned.errors.append(
                    _("row %(row)s: the instance id %(id)s is already on row %(first)s.")
                    % {"row": planned.row, "id": planned.instance_id, "first": first_row}
                )
        rows.append(planned)
    planner.orphans(linked)
    return ImportPlan(rows=rows, unknown_columns=planner.unknown, problems=planner.problems)
