"""Reading an XLSForm (.xlsx) into a `FormSpec` (DESIGN.md §7).

The workbook is read twice: once here with openpyxl, to build the `FormSpec` and to check what
Reintegra needs (scoring columns, the `dimensions` sheet, the access tier...), and once by
pyxform, which validates the form as ODK does and builds the XForm XML served to ODK Collect.
Reintegra's extra columns (`score`, `dimension`, `weight`, `tier`, `case_field`) are passed to
pyxform untouched: it keeps unknown columns out of the XForm body (choice columns become
fields of the choice list's secondary instance, usable in `choice_filter`), and it ignores
sheets it does not know, such as `dimensions`.

Every problem becomes an `XLSFormIssue` naming its sheet, row and column; all the issues found
are raised together in one `XLSFormError`.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from .spec import (
    INPUT_TYPES,
    META_TYPES,
    OTHER_TYPES,
    Choice,
    Dimension,
    FormSpec,
    Question,
    Text,
)

__all__ = [
    "TIERS",
    "XLSFormError",
    "XLSFormIssue",
    "build_xlsform",
    "parse_xlsform",
]

# Access tiers a form's answers may belong to (DESIGN.md §4; IDENTITY is never a form's tier).
TIERS = ("CASE", "PROTECTION", "MEDICAL", "PSYCHOSOCIAL", "FINANCE")
DEFAULT_TIER = "CASE"
FLAGS = ("PROTECTION", "MEDICAL")

SURVEY, CHOICES, SETTINGS, DIMENSIONS = "survey", "choices", "settings", "dimensions"
_SHEET_ORDER = {"": 0, SURVEY: 1, CHOICES: 2, SETTINGS: 3, DIMENSIONS: 4}


# --- issues ------------------------------------------------------------------------------------


@dataclass
class XLSFormIssue:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where: list[str] = []
        if self.sheet:
            where.append(self.sheet)
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        if not where:
            return self.message
        return f"{', '.join(where)}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class XLSFormError(Exception):
    """The form cannot be used; `issues` says every reason found."""

    def __init__(self, issues: Iterable[XLSFormIssue]) -> None:
        self.issues: list[XLSFormIssue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


# --- reading the workbook ------------------------------------------------------------------------

# Columns pyxform accepts under another name (after snake_casing), per sheet.
_SURVEY_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "readonly": "read_only",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
}
_CHOICES_ALIASES = {"caption": "label", "value": "name"}
_SETTINGS_ALIASES = {
    "title": "form_title",
    "set_form_title": "form_title",
    "id_string": "form_id",
    "set_form_id": "form_id",
}
_TRANSLATABLE = {"label", "hint", "constraint_message", "required_message", "caption"}
_CHOICE_COLUMNS = {"list_name", "name", "label", "score"}


@dataclass
class _Column:
    header: str  # as written (whitespace collapsed)
    base: str  # snake_case, de-aliased: "label"
    language: str | None  # "English (en)" for "label::English (en)"; None when untranslated


@dataclass
class _Row:
    number: int  # the spreadsheet row number (the header is row 1)
    cells: dict[str, str]  # header -> non-empty value


class _Sheet:
    def __init__(self, name: str, columns: list[_Column], rows: list[_Row]) -> None:
        self.name = name
        self.columns = columns
        self.rows = rows

    def has(self, base: str) -> bool:
        return any(c.base == base for c in self.columns)

    def value(self, row: _Row, base: str) -> str:
        for column in self.columns:
            if column.base == base and column.language is None:
                value = row.cells.get(column.header, "")
                if value:
                    return value
        return ""

    def text(self, row: _Row, base: str, default_language: str) -> Text:
        """Translations of a column: language code -> text (plain column -> default language)."""
        out: Text = {}
        for column in self.columns:
            if column.base != base:
                continue
            value = row.cells.get(column.header, "")
            if not value:
                continue
            if column.language is None:
                out.setdefault(default_language, value)
            else:
                out[language_code(column.language)] = value
        return out

    def languages(self, bases: Iterable[str]) -> list[str]:
        wanted = set(bases)
        return [
            language_code(c.language)
            for c in self.columns
            if c.base in wanted and c.language is not None
        ]

    def has_untranslated(self, bases: Iterable[str]) -> bool:
        wanted = set(bases)
        return any(c.base in wanted and c.language is None for c in self.columns)


def language_code(language: str) -> str:
    """'English (en)' -> 'en'; a language without a code in brackets is kept as written."""
    language = language.strip()
    match = re.search(r"\(([^()]+)\)\s*$", language)
    if match:
        return match.group(1).strip()
    return language


def _snake(value: str) -> str:
    return "_".join(value.split()).lower()


def _cell_text(value: Any) -> str:
    """A cell as text, the way pyxform reads it."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | int | float):
        return str(value)
    text = str(value).replace("\u00a0", " ").strip()
    return text


def _column(header: str, aliases: dict[str, str]) -> _Column:
    if "::" in header:
        first, _sep, rest = header.partition("::")
        base, language = _snake(first), rest.strip() or None
    elif ":" in header and _snake(header.partition(":")[0]) in _TRANSLATABLE:
        first, _sep, rest = header.partition(":")
        base, language = _snake(first), rest.strip() or None
    else:
        base, language = _snake(header), None
    return _Column(header=header, base=aliases.get(base, base), language=language)


def _read_sheet(name: str, ws: Any, aliases: dict[str, str], issues: list[XLSFormIssue]) -> _Sheet:
    rows_iter = ws.iter_rows(values_only=True)
    first = next(rows_iter, None) or ()
    columns: list[_Column | None] = []
    seen: set[str] = set()
    for value in first:
        header = " ".join(_cell_text(value).split())
        if not header:
            columns.append(None)
            continue
        if header in seen:
            issues.append(
                XLSFormIssue(
                    name,
                    1,
                    header,
                    _("The column “%(column)s” appears twice.") % {"column": header},
                )
            )
            columns.append(None)
            continue
        seen.add(header)
        columns.append(_column(header, aliases))
    rows: list[_Row] = []
    for number, values in enumerate(rows_iter, start=2):
        cells: dict[str, str] = {}
        for column, value in zip(columns, values, strict=False):
            if column is None:
                continue
            text = _cell_text(value)
            if text:
                cells[column.header] = text
        if cells:
            rows.append(_Row(number, cells))
    return _Sheet(name, [c for c in columns if c is not None], rows)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_YES = {"yes", "true", "true()"}
_NO = {"no", "false", "false()"}


def _yes_no(value: str) -> bool | None:
    lowered = value.strip().lower()
    if not lowered or lowered in _NO:
        return False
    if lowered in _YES:
        return True
    return None


# --- question types ------------------------------------------------------------------------------

_TYPE_ALIASES = {"int": "integer", "string": "text", "imei": "deviceid"}
_SELECT_RE = re.compile(
    r"^(?P<kind>select_one|select one|select1|select_multiple|select all that apply)"
    r"(?:\s+(?P<list>\S+))?(?:\s+(?P<other>or_other))?$"
)
_SELECT_KINDS = {
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
    "select_multiple": "select_multiple",
    "select all that apply": "select_multiple",
}
_BEGIN = {
    "begin group": "group",
    "begin_group": "group",
    "begin repeat": "repeat",
    "begin_repeat": "repeat",
}
_END = {"end group": "group", "end_group": "group", "end repeat": "repeat", "end_repeat": "repeat"}
_SIMPLE_TYPES = set(INPUT_TYPES) | set(OTHER_TYPES) | set(META_TYPES)


@dataclass
class _Type:
    kind: str  # a spec type, or "begin container" / "end container"
    container: str = ""  # group / repeat for begin and end
    list_name: str = ""
    or_other: bool = False


def _parse_type(raw: str) -> _Type | None:
    text = " ".join(raw.split())
    lowered = text.lower()
    if lowered in _BEGIN:
        return _Type("begin container", container=_BEGIN[lowered])
    if lowered in _END:
        return _Type("end container", container=_END[lowered])
    match = _SELECT_RE.match(text)
    if match:
        return _Type(
            _SELECT_KINDS[match.group("kind").lower()],
            list_name=match.group("list") or "",
            or_other=bool(match.group("other")),
        )
    kind = _TYPE_ALIASES.get(text, text)
    if kind in _SIMPLE_TYPES:
        return _Type(kind)
    return None


# --- parsing -------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.issues: list[XLSFormIssue] = []
        self.default_language = ""
        self.languages: list[str] = []
        self.has_untranslated = False

    def issue(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.issues.append(XLSFormIssue(sheet, row, column, message))

    def note_languages(self, sheet: _Sheet, bases: Iterable[str]) -> None:
        bases = list(bases)
        for code in sheet.languages(bases):
            if code not in self.languages:
                self.languages.append(code)
        if sheet.has_untranslated(bases):
            self.has_untranslated = True

    # -- workbook --

    def read(self, data: bytes) -> dict[str, _Sheet] | None:
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            self.issue(
                "",
                None,
                None,
                _("“%(file)s” is not a readable .xlsx workbook (XLSForm).")
                % {"file": self.filename},
            )
            return None
        aliases = {
            SURVEY: _SURVEY_ALIASES,
            CHOICES: _CHOICES_ALIASES,
            SETTINGS: _SETTINGS_ALIASES,
            DIMENSIONS: {},
        }
        sheets: dict[str, _Sheet] = {}
        try:
            for title in workbook.sheetnames:
                name = title.strip().lower()
                if name in aliases and name not in sheets:
                    sheets[name] = _read_sheet(name, workbook[title], aliases[name], self.issues)
        except Exception:
            self.issue(
                "",
                None,
                None,
                _("“%(file)s” could not be read as an .xlsx workbook.") % {"file": self.filename},
            )
            return None
        finally:
            workbook.close()
        if SURVEY not in sheets:
            self.issue(SURVEY, None, None, _("The workbook has no “survey” sheet."))
            return None
        return sheets

    # -- settings --

    def settings(self, sheet: _Sheet | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "form_title": "",
            "form_id": "",
            "version": "",
            "default_language": "",
            "tier": DEFAULT_TIER,
            "case_field": "",
            "case_field_row": None,
            "flag": "",
            "flag_when": "",
        }
        if sheet is None or not sheet.rows:
            return out
        row = sheet.rows[0]
        for key in ("form_title", "form_id", "version", "case_field", "flag_when"):
            out[key] = sheet.value(row, key)
        flag = sheet.value(row, "flag").upper()
        if flag and flag not in FLAGS:
            self.issue(
                SETTINGS,
                row.number,
                "flag",
                _("Unknown flag “%(flag)s”: use one of %(flags)s.")
                % {"flag": flag, "flags": ", ".join(FLAGS)},
            )
        elif bool(flag) != bool(out["flag_when"]):
            self.issue(
                SETTINGS,
                row.number,
                "flag_when" if flag else "flag",
                _("A flag needs both columns: flag (which) and flag_when (an expression)."),
            )
        else:
            out["flag"] = flag
        out["case_field_row"] = row.number
        language = sheet.value(row, "default_language")
        out["default_language"] = language_code(language) if language else ""
        tier = sheet.value(row, "tier")
        if tier:
            if tier.upper() in TIERS:
                out["tier"] = tier.upper()
            else:
                self.issue(
                    SETTINGS,
                    row.number,
                    "tier",
                    _("Unknown tier “%(tier)s”: use one of %(tiers)s.")
                    % {"tier": tier, "tiers": ", ".join(TIERS)},
                )
        return out

    # -- choices --

    def choices(self, sheet: _Sheet | None) -> dict[str, list[Choice]]:
        out: dict[str, list[Choice]] = {}
        if sheet is None:
            return out
        self.note_languages(sheet, ["label"])
        seen: dict[tuple[str, str], int] = {}
        extra_columns = [
            c for c in sheet.columns if c.base not in _CHOICE_COLUMNS and c.language is None
        ]
        for row in sheet.rows:
            list_name = sheet.value(row, "list_name")
            name = sheet.value(row, "name")
            if not list_name:
                self.issue(CHOICES, row.number, "list_name", _("This choice has no list_name."))
                continue
            if not name:
                self.issue(CHOICES, row.number, "name", _("This choice has no name."))
                continue
            key = (list_name, name)
            if key in seen:
                self.issue(
                    CHOICES,
                    row.number,
                    "name",
                    _("The choice “%(name)s” is already in list “%(list)s” (row %(row)s).")
                    % {"name": name, "list": list_name, "row": seen[key]},
                )
                continue
            seen[key] = row.number
            score: float | None = None
            raw_score = sheet.value(row, "score")
            if raw_score:
                score = _number(raw_score)
                if score is None:
                    self.issue(
                        CHOICES,
                        row.number,
                        "score",
                        _("The score “%(value)s” is not a number.") % {"value": raw_score},
                    )
            extra = {c.header: row.cells[c.header] for c in extra_columns if c.header in row.cells}
            out.setdefault(list_name, []).append(
                Choice(
                    name=name,
                    label=sheet.text(row, "label", self.default_language),
                    score=score,
                    extra=extra,
                )
            )
        return out

    # -- dimensions --

    def dimensions(self, sheet: _Sheet | None) -> list[Dimension]:
        out: list[Dimension] = []
        if sheet is None:
            return out
        self.note_languages(sheet, ["label"])
        seen: dict[str, int] = {}
        for row in sheet.rows:
            name = sheet.value(row, "name")
            if not name:
                self.issue(DIMENSIONS, row.number, "name", _("This dimension has no name."))
                continue
            if name in seen:
                self.issue(
                    DIMENSIONS,
                    row.number,
                    "name",
                    _("The dimension “%(name)s” is already declared on row %(row)s.")
                    % {"name": name, "row": seen[name]},
                )
                continue
            seen[name] = row.number
            weight = 1.0
            raw = sheet.value(row, "composite_weight")
            if raw:
                number = _number(raw)
                if number is None or number <= 0:
                    self.issue(
                        DIMENSIONS,
                        row.number,
                        "composite_weight",
                        _("The composite weight “%(value)s” is not a positive number.")
                        % {"value": raw},
                    )
                else:
                    weight = number
            out.append(
                Dimension(
                    name=name,
                    label=sheet.text(row, "label", self.default_language),
                    composite_weight=weight,
                )
            )
        return out

    # -- survey --

    def survey(self, sheet: _Sheet) -> list[Question]:
        self.note_languages(
            sheet, ["label", "hint", "required_message", "constraint_message", "caption"]
        )
        root: list[Question] = []
        stack: list[Question] = []
        names: dict[str, int] = {}
        reserved: dict[str, tuple[str, int]] = {}  # "<name>_other" -> (owner name, row)
        lang = self.default_language

        def claim(name: str, row: int) -> None:
            if name in names:
                self.issue(
                    SURVEY,
                    row,
                    "name",
                    _("The name “%(name)s” is already used on row %(row)s.")
                    % {"name": name, "row": names[name]},
                )
            elif name in reserved:
                owner, owner_row = reserved[name]
                self.issue(
                    SURVEY,
                    row,
                    "name",
                    _(
                        "The name “%(name)s” is kept for the “other” answer of “%(owner)s” "
                        "(row %(row)s)."
                    )
                    % {"name": name, "owner": owner, "row": owner_row},
                )
            else:
                names[name] = row

        def reserve_other(owner: str, row: int) -> None:
            name = f"{owner}_other"
            if name in names or name in reserved:
                used = names[name] if name in names else reserved[name][1]
                self.issue(
                    SURVEY,
                    row,
                    "type",
                    _(
                        "“or_other” needs a text answer named “%(name)s”, but that name is "
                        "already used on row %(row)s."
                    )
                    % {"name": name, "row": used},
                )
            else:
                reserved[name] = (owner, row)

        for row in sheet.rows:
            if _yes_no(sheet.value(row, "disabled")) is True:
                continue
            raw_type = sheet.value(row, "type")
            if not raw_type:
                if sheet.value(row, "name") or sheet.text(row, "label", lang):
                    self.issue(SURVEY, row.number, "type", _("This row has no type."))
                continue
            parsed = _parse_type(raw_type)
            if parsed is None:
                self.issue(
                    SURVEY,
                    row.number,
                    "type",
                    _("Unknown question type “%(type)s”.") % {"type": raw_type},
                )
                continue
            if parsed.kind == "end container":
                if not stack:
                    self.issue(
                        SURVEY,
                        row.number,
                        "type",
                        _("“%(type)s” has no matching “begin %(container)s”.")
                        % {"type": raw_type, "container": parsed.container},
                    )
                    continue
                opened = stack.pop()
                if opened.type != parsed.container:
                    self.issue(
                        SURVEY,
                        row.number,
                        "type",
                        _("“%(type)s” cannot close the %(container)s “%(name)s” of row %(row)s.")
                        % {
                            "type": raw_type,
                            "container": opened.type,
                            "name": opened.name,
                            "row": opened.row,
                        },
                    )
                continue

            kind = parsed.container if parsed.kind == "begin container" else parsed.kind
            name = sheet.value(row, "name")
            if not name and kind == "note":
                name = f"generated_note_name_{row.number}"  # as pyxform names it
            if not name:
                self.issue(SURVEY, row.number, "name", _("This question has no name."))
            else:
                claim(name, row.number)
            question = Question(
                name=name,
                type=kind,
                label=sheet.text(row, "label", lang),
                hint=sheet.text(row, "hint", lang),
                required_message=sheet.text(row, "required_message", lang),
                relevant=sheet.value(row, "relevant"),
                constraint=sheet.value(row, "constraint"),
                constraint_message=sheet.text(row, "constraint_message", lang),
                calculate=sheet.value(row, "calculation"),
                default=sheet.value(row, "default"),
                appearance=sheet.value(row, "appearance"),
                list_name=parsed.list_name,
                or_other=parsed.or_other,
                choice_filter=sheet.value(row, "choice_filter"),
                dimension=sheet.value(row, "dimension"),
                row=row.number,
            )
            for column in ("required", "read_only"):
                raw = sheet.value(row, column)
                flag = _yes_no(raw)
                if flag is None:
                    self.issue(
                        SURVEY,
                        row.number,
                        column,
                        _("“%(value)s” is not allowed here: write yes or no.") % {"value": raw},
                    )
                    flag = False
                setattr(question, column, flag)
            raw_weight = sheet.value(row, "weight")
            if raw_weight:
                weight = _number(raw_weight)
                if weight is None or weight <= 0:
                    self.issue(
                        SURVEY,
                        row.number,
                        "weight",
                        _("The weight “%(value)s” is not a positive number.")
                        % {"value": raw_weight},
                    )
                else:
                    question.weight = weight
            if kind in ("select_one", "select_multiple"):
                if not parsed.list_name:
                    self.issue(
                        SURVEY,
                        row.number,
                        "type",
                        _("“%(type)s” needs the name of a choice list.") % {"type": raw_type},
                    )
                if parsed.or_other and name:
                    reserve_other(name, row.number)
            (stack[-1].children if stack else root).append(question)
            if parsed.kind == "begin container":
                stack.append(question)

        for opened in stack:
            self.issue(
                SURVEY,
                opened.row,
                "type",
                _("The %(container)s “%(name)s” is never closed (end %(container)s).")
                % {"container": opened.type, "name": opened.name},
            )
        return root

    # -- checks across sheets --

    def check(
        self,
        questions: list[Question],
        choices: dict[str, list[Choice]],
        dimensions: list[Dimension],
        dimensions_sheet: bool,
    ) -> list[Dimension]:
        """Check selects and scoring; return the dimensions (declared, else as used)."""
        declared = {d.name for d in dimensions}
        out = list(dimensions)
        spec = FormSpec(
            title={},
            form_id="",
            version="",
            languages=[],
            default_language="",
            tier=DEFAULT_TIER,
            questions=questions,
            choices=choices,
        )
        for question in spec.walk():
            is_select = question.type in ("select_one", "select_multiple")
            if is_select and question.list_name and not choices.get(question.list_name):
                self.issue(
                    SURVEY,
                    question.row,
                    "type",
                    _("The choice list “%(list)s” has no choices on the choices sheet.")
                    % {"list": question.list_name},
                )
                continue
            if not question.dimension:
                continue
            if question.type != "select_one":
                self.issue(
                    SURVEY,
                    question.row,
                    "dimension",
                    _("Only select_one questions can be scored in a dimension."),
                )
                continue
            if not any(c.score is not None for c in choices.get(question.list_name, [])):
                self.issue(
                    SURVEY,
                    question.row,
                    "dimension",
                    _("The choices of list “%(list)s” have no score.")
                    % {"list": question.list_name},
                )
            if question.dimension not in declared:
                if dimensions_sheet:
                    self.issue(
                        SURVEY,
                        question.row,
                        "dimension",
                        _("The dimension “%(name)s” is not on the dimensions sheet.")
                        % {"name": question.dimension},
                    )
                else:
                    declared.add(question.dimension)
                    out.append(Dimension(name=question.dimension))
        return out


# --- pyxform -------------------------------------------------------------------------------------

_ROW_RE = re.compile(r"\[row\s*:\s*(\d+|[^\]]*)\]\s*")
_SHEET_RE = re.compile(r"On the '([^']+)' sheet|for sheet: '([^']+)'")
_COLUMN_RE = re.compile(r"the '([^']+)' value")


def _pyxform_issue(error: Exception) -> XLSFormIssue:
    message = str(error)
    context = getattr(error, "context", None) or {}
    row: int | None = None
    raw_row = context.get("row")
    if isinstance(raw_row, int):
        row = raw_row
    elif isinstance(raw_row, str) and raw_row.isdigit():
        row = int(raw_row)
    match = _ROW_RE.search(message)
    if row is None and match and match.group(1).isdigit():
        row = int(match.group(1))
    sheet = context.get("sheet") or ""
    if not sheet:
        sheet_match = _SHEET_RE.search(message)
        if sheet_match:
            sheet = sheet_match.group(1) or sheet_match.group(2)
        else:
            sheet = SURVEY if match else ""
    column = context.get("column") or None
    if not column:
        column_match = _COLUMN_RE.search(message)
        column = column_match.group(1) if column_match else None
    text = _ROW_RE.sub("", message, count=1).strip()
    return XLSFormIssue(
        str(sheet),
        row,
        column,
        _("The XLSForm converter (pyxform) reports: %(message)s") % {"message": text},
    )


def _to_xform(data: bytes, fallback_form_id: str) -> str:
    """Validate the form with pyxform and return the XForm XML it builds."""
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert

    workbook = get_xlsform(xlsform=data, file_type=".xlsx")
    definition = {f.name: getattr(workbook, f.name) for f in dataclasses.fields(workbook)}
    definition["fallback_form_name"] = fallback_form_id
    return convert(xlsform=definition, validate=False, pretty_print=False).xform


# --- public API ----------------------------------------------------------------------------------


def parse_xlsform(data: bytes, filename: str = "form.xlsx") -> FormSpec:
    """The `FormSpec` of an XLSForm workbook; raises `XLSFormError` listing every issue found."""
    parser = _Parser(filename)
    sheets = parser.read(data)
    if sheets is None:
        raise XLSFormError(parser.issues)

    settings = parser.settings(sheets.get(SETTINGS))
    parser.default_language = settings["default_language"]
    choices = parser.choices(sheets.get(CHOICES))
    dimensions = parser.dimensions(sheets.get(DIMENSIONS))
    questions = parser.survey(sheets[SURVEY])
    dimensions = parser.check(questions, choices, dimensions, DIMENSIONS in sheets)

    spec = FormSpec(
        title={},
        form_id=settings["form_id"] or PurePath(filename).stem or "form",
        version=settings["version"],
        languages=[],
        default_language=settings["default_language"],
        tier=settings["tier"],
        questions=questions,
        choices=choices,
        dimensions=dimensions,
        case_field=settings["case_field"],
        flag=settings["flag"],
        flag_when=settings["flag_when"],
    )
    spec.title = {settings["default_language"]: settings["form_title"] or spec.form_id}
    if spec.case_field and spec.question(spec.case_field) is None:
        parser.issue(
            SETTINGS,
            settings["case_field_row"],
            "case_field",
            _("case_field “%(name)s” names no question of the form.") % {"name": spec.case_field},
        )

    languages = list(parser.languages)
    if parser.has_untranslated and spec.default_language:
        languages.append(spec.default_language)
    if spec.default_language in languages:  # the default language first
        languages.remove(spec.default_language)
        languages.insert(0, spec.default_language)
    spec.languages = list(dict.fromkeys(languages))

    own_issues = list(parser.issues)
    try:
        spec.xform = _to_xform(data, spec.form_id)
    except Exception as error:  # pyxform raises its own errors and, at times, plain ones
        issue = _pyxform_issue(error)
        flagged = {(i.sheet, i.row) for i in own_issues}
        # pyxform stops at its first error, often one already reported above in our words.
        if not own_issues or (issue.row is not None and (issue.sheet, issue.row) not in flagged):
            parser.issues.append(issue)

    if parser.issues:
        raise XLSFormError(
            sorted(
                parser.issues,
                key=lambda i: (_SHEET_ORDER.get(i.sheet, 9), i.row or 0),
            )
        )
    return spec


def build_xlsform(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx workbook with one sheet per key; each sheet's first row is its header."""
    workbook = openpyxl.Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(title=name)
        for row in rows:
            worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
