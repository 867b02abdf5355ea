"""Streaming exports of an instrument's responses: CSV (with an optional HXL hashtag row) and
XLSX. Pure Python (openpyxl for XLSX): no database access and no Django. The caller selects the
responses the user may see and passes them as an iterator of `ExportRow`; the writers consume it
one row at a time, so memory stays flat however many responses there are.

Layout (one row per response, like KoBo's "XML values and headers" export)
--------------------------------------------------------------------------
1. Fixed columns: `_id` (response id), `_case_number` — or `_pseudonym` when pseudonymised —,
   `_person` (omitted when pseudonymised), `_office`, `_submitted_at`, `_collected_on`,
   `_version` (instrument version number).
2. One column per question, in form order, headed by the question's name: groups are flattened;
   a select_multiple is its choice names separated by spaces; a question with `or_other` is
   followed by `<name>_other` (the "other" text); a repeat is summarised as its number of
   instances, headed `<repeat>_count` (what the repeat holds is not exported); calculates are
   exported; notes and metadata (start, end, deviceid...) are not.
3. When the form is scored: one column per dimension, `score_<dimension>`, then
   `score_composite` (the stored 0–1 scores, rounded to 4 places).

Generated headers never take a question's name: on a clash (a calculate named
`household_count` next to the repeat `household`) the generated one gets `_2`, `_3`...

Pseudonymisation (the M&E role's default)
-----------------------------------------
The case number is replaced by `pseudonym(person_id, secret)` — a keyed HMAC-SHA256 of the
person id, "P-" + 12 hex characters: stable from one export to the next while the secret is the
same, and impossible to link back to the person without the secret. The person's name is left
out, and so are the answers to identifying questions (`identifying_questions`): the spec's
`case_field`, and every question whose name — or, for free-entry questions (text, integer,
decimal, date, calculate), whose label in any language — contains one of `IDENTIFYING_TERMS` as
whole words (plus `IDENTIFYING_NAME_TERMS`, abbreviations such as `tel` and `dob`, in names
only). Words are compared case- and accent-insensitively; a name is split on `_`, `-`, `.`,
digits and camelCase (`phoneNumber2` → phone number 2), so `phone`, `num_tel`, `mother_name`
and `national_id_number` are caught but `business_idea` and `telling` are not.
The label rule skips select questions, whose answers come from a fixed list ("Do you own a
phone?" is kept). The rule errs on the side of leaving out (`business_name` goes too).

Spreadsheet safety
------------------
CSV: any cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so a
spreadsheet never runs it as a formula — negative numbers included (`'-3`): the simple rule.
XLSX: every text cell is written as text (never as a formula or an error code), so `=1+2` stays
the string "=1+2" with no prefix; characters XML cannot hold are dropped and text is cut at
32,767 characters (Excel's limit).

Types: CSV dates are ISO 8601 (`2025-03-01`; date-times in UTC, `2025-03-01T09:30:00+00:00`).
XLSX cells are typed: integers and decimals as numbers (integers of 15 digits or more as text,
beyond what Excel holds exactly), dates as dates, date-times as UTC date-times (Excel has no
time zones), numeric calculate results as numbers.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from os import PathLike
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .scoring import dimension_names
from .spec import FormSpec, Question

__all__ = [
    "IDENTIFYING_NAME_TERMS",
    "IDENTIFYING_TERMS",
    "Column",
    "ExportRow",
    "columns",
    "identifying_questions",
    "pseudonym",
    "write_csv",
    "write_xlsx",
]

# Words (or runs of words) that make a question identifying, English and French, written
# lowercase without accents. See the module docstring for how they are matched.
IDENTIFYING_TERMS: tuple[str, ...] = (
    # names
    "name",
    "names",
    "surname",
    "firstname",
    "lastname",
    "fullname",
    "nom",
    "prenom",
    "prenoms",
    # phone, e-mail
    "phone",
    "telephone",
    "mobile number",
    "whatsapp",
    "email",
    "e mail",
    "courriel",
    # address
    "address",
    "adresse",
    # identity documents and numbers
    "id number",
    "id no",
    "id card",
    "national id",
    "nin",
    "cni",
    "passport",
    "passeport",
    "piece d identite",
    "carte d identite",
    # the case number
    "case number",
    "case no",
    "numero de dossier",
    # birth date
    "date of birth",
    "birth date",
    "date de naissance",
)

# Abbreviations matched in question names only: in labels they are ordinary words
# (French "tel que", "such as").
IDENTIFYING_NAME_TERMS: tuple[str, ...] = ("tel", "tels", "dob", "ddn", "mob")

# Question types whose labels are checked too (their answers are typed in freely).
_FREE_ENTRY_TYPES = ("text", "integer", "decimal", "date", "calculate")
_EXPORTED_TYPES = ("text", "integer", "decimal", "date", "select_one", "select_multiple")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_MAX_TEXT = 32_767
_EXCEL_MAX_EXACT = 10**15
_SCORE_PLACES = 4
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORDS = re.compile(r"[a-z]+|[0-9]+")
_HXL_INVALID = re.compile(r"[^a-z0-9_]+")
_SHEET_INVALID = re.compile(r"[\[\]:*?/\\]")


# --- public types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One response, as the caller read it from the database."""

    response_id: int
    case_number: str
    person_id: int | None
    person_name: str
    office: str
    submitted_at: datetime | None
    collected_on: date | None
    version_number: int | None
    answers: Mapping[str, Any]
    scores: Mapping[str, Any]  # {"dimensions": {name: float | None}, "composite": float | None}


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column. `key` is unique and namespaced (`meta.office`, `question.age`,
    `other.age`, `count.household`, `score.economic`, `score`); `header` is the CSV/XLSX
    header; `hxl` the HXL hashtag with its attributes."""

    key: str
    header: str
    hxl: str


# --- pseudonyms and identifying questions ------------------------------------------------------


def pseudonym(person_id: int, secret: str) -> str:
    """The person's stable pseudonym: "P-" + the first 12 hex digits of HMAC-SHA256(secret,
    person id). The same id and secret give the same pseudonym; another secret, another one."""
    if not secret:
        raise ValueError("A pseudonym needs a non-empty secret key.")
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        raise TypeError("person_id must be an int.")
    message = f"reintegra.person:{person_id}".encode()
    return "P-" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:12]


def _words(text: str) -> list[str]:
    text = _CAMEL.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _WORDS.findall(text)


_TERMS = tuple(tuple(_words(term)) for term in IDENTIFYING_TERMS)
_NAME_TERMS = _TERMS + tuple(tuple(_words(term)) for term in IDENTIFYING_NAME_TERMS)


def _mentions_term(text: str, terms: tuple[tuple[str, ...], ...]) -> bool:
    words = _words(text)
    for term in terms:
        n = len(term)
        if any(tuple(words[i : i + n]) == term for i in range(len(words) - n + 1)):
            return True
    return False


def _is_identifying(question: Question) -> bool:
    if _mentions_term(question.name, _NAME_TERMS):
        return True
    if question.type in _FREE_ENTRY_TYPES:
        return any(_mentions_term(label, _TERMS) for label in question.label.values())
    return False


def identifying_questions(spec: FormSpec) -> set[str]:
    """Names of the exported questions (and repeats) a pseudonymised export leaves out, with
    their `_other` text: `case_field` and those matching the identifying terms."""
    kept = (*_EXPORTED_TYPES, "calculate", "repeat")
    names = {q.name for q in spec.walk() if q.name and q.type in kept and _is_identifying(q)}
    if spec.case_field:
        names.add(spec.case_field)
    return names


# --- columns -----------------------------------------------------------------------------------

Getter = Callable[[ExportRow], Any]


@dataclass(slots=True)
class _Field:
    key: str
    header: str
    hxl: str
    get: Getter
    kind: str = "text"  # how XLSX types a text value: text, date, calculate
    generated: bool = True  # header made up by us (renamed on a clash with a question name)


def _hxl_attribute(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _HXL_INVALID.sub("_", text).strip("_")
    if not text or not text[0].isalpha() or not text.isascii():
        text = "x" + text
    return text


def _fixed_fields(pseudonymise: bool, secret: str) -> list[_Field]:
    def case_or_pseudonym(row: ExportRow) -> Any:
        if not pseudonymise:
            return row.case_number
        return pseudonym(row.person_id, secret) if row.person_id is not None else None

    fields = [_Field("meta.response_id", "_id", "#meta+id", lambda r: r.response_id)]
    if pseudonymise:
        fields.append(
            _Field("meta.pseudonym", "_pseudonym", "#beneficiary+pseudonym", case_or_pseudonym)
        )
    else:
        fields.append(_Field("meta.case_number", "_case_number", "#case+code", case_or_pseudonym))
        fields.append(
            _Field("meta.person", "_person", "#beneficiary+name", lambda r: r.person_name)
        )
    fields += [
        _Field("meta.office", "_office", "#adm1+name", lambda r: r.office),
        _Field("meta.submitted_at", "_submitted_at", "#date+submitted", lambda r: r.submitted_at),
        _Field("meta.collected_on", "_collected_on", "#date+collected", lambda r: r.collected_on),
        _Field("meta.version", "_version", "#meta+version", lambda r: r.version_number),
    ]
    return fields


def _answer_getter(name: str) -> Getter:
    return lambda row: row.answers.get(name)


def _count_getter(name: str) -> Getter:
    def get(row: ExportRow) -> int | None:
        instances = row.answers.get(name)
        if not isinstance(instances, list):
            return None
        return sum(1 for instance in instances if isinstance(instance, Mapping))

    return get


def _score(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), _SCORE_PLACES) if math.isfinite(value) else None


def _dimension_getter(name: str) -> Getter:
    def get(row: ExportRow) -> float | None:
        dimensions = row.scores.get("dimensions") if row.scores else None
        return _score(dimensions.get(name)) if isinstance(dimensions, Mapping) else None

    return get


def _composite(row: ExportRow) -> float | None:
    return _score(row.scores.get("composite")) if row.scores else None


def _question_fields(spec: FormSpec, dropped: set[str]) -> list[_Field]:
    fields: list[_Field] = []

    def visit(items: list[Question]) -> None:
        for q in items:
            if q.type == "group":
                visit(q.children)
                continue
            if q.name in dropped or not q.name:
                continue
            attribute = _hxl_attribute(q.name)
            if q.type == "repeat":
                fields.append(
                    _Field(
                        f"count.{q.name}",
                        f"{q.name}_count",
                        f"#indicator+{attribute}+num",
                        _count_getter(q.name),
                    )
                )
                continue  # what a repeat holds is not exported
            if q.type not in _EXPORTED_TYPES and q.type != "calculate":
                continue  # notes, metadata
            select = q.type in ("select_one", "select_multiple")
            kind = q.type if q.type in ("date", "calculate") else "text"
            fields.append(
                _Field(
                    f"question.{q.name}",
                    q.name,
                    f"#indicator+{attribute}" + ("+code" if select else ""),
                    _answer_getter(q.name),
                    kind=kind,
                    generated=False,
                )
            )
            if select and q.or_other:
                other = f"{q.name}_other"
                fields.append(
                    _Field(
                        f"other.{q.name}",
                        other,
                        f"#indicator+{attribute}+other",
                        _answer_getter(other),
                        generated=False,
                    )
                )

    visit(spec.questions)
    return fields


def _score_fields(spec: FormSpec) -> list[_Field]:
    names = dimension_names(spec)
    if not names:
        return []
    fields = [
        _Field(
            f"score.{name}",
            f"score_{name}",
            f"#indicator+score+{_hxl_attribute(name)}",
            _dimension_getter(name),
        )
        for name in names
    ]
    fields.append(_Field("score", "score_composite", "#indicator+score+composite", _composite))
    return fields


def _fields(spec: FormSpec, pseudonymise: bool, secret: str = "") -> list[_Field]:
    dropped = identifying_questions(spec) if pseudonymise else set()
    questions = _question_fields(spec, dropped)
    fields = [*_fixed_fields(pseudonymise, secret), *questions, *_score_fields(spec)]
    taken = {f.header for f in fields if not f.generated}
    for f in fields:
        if f.generated:
            header, n = f.header, 2
            while header in taken:
                header, n = f"{f.header}_{n}", n + 1
            f.header = header
            taken.add(header)
    return fields


def columns(spec: FormSpec, pseudonymise: bool) -> list[Column]:
    """The exported columns, in order (see the module docstring)."""
    return [Column(key=f.key, header=f.header, hxl=f.hxl) for f in _fields(spec, pseudonymise)]


def _check_secret(pseudonymise: bool, secret: str) -> None:
    if pseudonymise and not secret:
        raise ValueError("A pseudonymised export needs a non-empty secret key.")


# --- CSV ---------------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value


def _text(value: Any) -> str:
    """A value as CSV text, before neutralisation."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, datetime):
        return _utc(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def _neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """The file csv.writer writes to: keeps the last line written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def write_csv(
    spec: FormSpec,
    rows: Iterable[ExportRow],
    *,
    pseudonymise: bool,
    secret: str,
    hxl: bool = False,
) -> Iterator[str]:
    """CSV text in chunks: the header line, the HXL hashtag line when `hxl`, then one line per
    response (lines end with CRLF). Raises ValueError at once when pseudonymising without a
    secret. Encode each chunk as UTF-8 (prepend "\\ufeff" once for Excel)."""
    _check_secret(pseudonymise, secret)
    fields = _fields(spec, pseudonymise, secret)
    return _csv_lines(fields, rows, hxl)


def _csv_lines(fields: list[_Field], rows: Iterable[ExportRow], hxl: bool) -> Iterator[str]:
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([_neutralise(f.header) for f in fields])
    yield line.text
    if hxl:
        writer.writerow([f.hxl for f in fields])
        yield line.text
    getters = [f.get for f in fields]
    for row in rows:
        writer.writerow([_neutralise(_text(get(row))) for get in getters])
        yield line.text


# --- XLSX --------------------------------------------------------------------------------------


def _text_cell(worksheet: Any, text: str) -> Any:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:_EXCEL_MAX_TEXT]
    cell = WriteOnlyCell(worksheet, value=text)
    cell.data_type = "s"  # never a formula ("=...") nor an error code ("#N/A")
    return cell


def _cell(worksheet: Any, value: Any, kind: str) -> Any:
    """What to append for one value: None, a number, a date, or a text cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _text_cell(worksheet, _text(value))
    if isinstance(value, int):
        return value if abs(value) < _EXCEL_MAX_EXACT else _text_cell(worksheet, str(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return _utc(value).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if kind == "date" and _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if kind == "calculate" and _NUMBER.match(value):
            number = float(value)
            if number.is_integer() and "." not in value and abs(number) < _EXCEL_MAX_EXACT:
                return int(value)
            if math.isfinite(number):
                return number
        return _text_cell(worksheet, value)
    return _text_cell(worksheet, _text(value))


def _sheet_title(spec: FormSpec) -> str:
    title = _SHEET_INVALID.sub("_", spec.form_id).strip("'")[:31]
    return title or "responses"


def write_xlsx(
    spec: FormSpec,
    rows: Iterable[ExportRow],
    *,
    pseudonymise: bool,
    secret: str,
    path_or_file: str | PathLike[str] | IO[bytes],
    hxl: bool = False,
) -> None:
    """The same columns as `write_csv`, written with openpyxl's write-only mode (rows go to a
    temporary file as they come) to a path or a binary file object. No styling."""
    _check_secret(pseudonymise, secret)
    fields = _fields(spec, pseudonymise, secret)
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=_sheet_title(spec))
    worksheet.append([_text_cell(worksheet, f.header) for f in fields])
    if hxl:
        worksheet.append([_text_cell(worksheet, f.hxl) for f in fields])
    plan = [(f.get, f.kind) for f in fields]
    for row in rows:
        worksheet.append([_cell(worksheet, get(row), kind) for get, kind in plan])
    workbook.save(path_or_file)
