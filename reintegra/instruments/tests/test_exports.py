"""Exports of responses (CSV with an optional HXL row, XLSX): columns, values, pseudonymisation,
spreadsheet safety, streaming. Pure: the form is an XLSForm built in code, the responses are
`ExportRow` values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import hxl
import openpyxl
import pytest

from reintegra.instruments.exports import (
    Column,
    ExportRow,
    columns,
    identifying_questions,
    pseudonym,
    write_csv,
    write_xlsx,
)
from reintegra.instruments.scoring import score
from reintegra.instruments.spec import FormSpec, Question
from reintegra.instruments.xlsform import build_xlsform, parse_xlsform

SECRET = "export-test-secret"
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
PSEUDONYM = re.compile(r"^P-[0-9a-f]{12}$")
DAKAR_PLUS_2 = timezone(timedelta(hours=2))


def row(type_: str, name: str, en: str = "", fr: str = "", **cells: Any) -> list[Any]:
    return [
        type_,
        name,
        en or None,
        fr or None,
        cells.get("calculation"),
        cells.get("dimension"),
    ]


@pytest.fixture(scope="module")
def spec() -> FormSpec:
    sheets: dict[str, list[list[Any]]] = {
        "survey": [
            [
                "type",
                "name",
                "label::English (en)",
                "label::French (fr)",
                "calculation",
                "dimension",
            ],
            row("text", "case_number", "Case number", "Numéro de dossier"),
            row("text", "phone", "Phone number", "Téléphone"),
            row("text", "contact_person", "Relative to contact: full name", "Proche à contacter"),
            row("text", "home", "Where do you live?", "Adresse du domicile"),
            row(
                "select_one yesno", "owns_device", "Do you own a phone?", "Avez-vous un téléphone ?"
            ),
            row("date", "visit_date", "Visit date", "Date de la visite"),
            row("begin group", "household", "Household", "Ménage"),
            row("integer", "household_size", "Household size", "Taille du ménage"),
            row("select_multiple assist or_other", "assistance", "Assistance", "Assistance"),
            row("begin repeat", "member", "Household member", "Membre du ménage"),
            row("integer", "member_age", "Age", "Âge"),
            row("end repeat", ""),
            row("end group", ""),
            row("calculate", "member_n", calculation="count(${member})"),
            row("note", "intro", "Read aloud", "Lire à haute voix"),
            row("start", "start"),
            row("select_one levels", "econ_work", "Work", "Travail", dimension="economic"),
            row("select_one levels", "soc_housing", "Housing", "Logement", dimension="social"),
            row("decimal", "income", "Income", "Revenu"),
            row("text", "comments", "Comments", "Commentaires"),
        ],
        "choices": [
            ["list_name", "name", "label::English (en)", "label::French (fr)", "score"],
            ["yesno", "yes", "Yes", "Oui", None],
            ["yesno", "no", "No", "Non", None],
            ["assist", "cash", "Cash", "Espèces", None],
            ["assist", "training", "Training", "Formation", None],
            ["assist", "housing", "Housing", "Logement", None],
            ["levels", "bad", "Bad", "Mauvais", 0],
            ["levels", "fair", "Fair", "Moyen", 1],
            ["levels", "good", "Good", "Bon", 2],
            ["levels", "dk", "Don't know", "Ne sait pas", None],
        ],
        "settings": [
            ["form_title", "form_id", "version", "default_language", "case_field"],
            ["Export test", "export_test", "1", "English (en)", "case_number"],
        ],
        "dimensions": [
            ["name", "label::English (en)", "composite_weight"],
            ["economic", "Economic", 1],
            ["social", "Social", 1],
        ],
    }
    return parse_xlsform(build_xlsform(sheets), "export_test.xlsx")


FULL_ANSWERS: dict[str, Any] = {
    "case_number": "TAM-2025-0001",
    "phone": "+221 77 123 45 67",
    "contact_person": "Awa Diallo",
    "home": "Quartier Abattoir, Tambacounda",
    "owns_device": "yes",
    "visit_date": "2025-03-01",
    "household_size": 5,
    "assistance": ["cash", "other"],
    "assistance_other": "Seeds",
    "member": [{"member_age": 34}, {"member_age": 7}],
    "member_n": "2",
    "econ_work": "fair",
    "soc_housing": "good",
    "income": 12500.5,
    "comments": "Doing well",
}


def rows(spec: FormSpec) -> list[ExportRow]:
    return [
        ExportRow(
            response_id=101,
            case_number="TAM-2025-0001",
            person_id=7,
            person_name="Moussa Diallo",
            office="Tambacounda",
            submitted_at=datetime(2025, 3, 1, 11, 30, tzinfo=DAKAR_PLUS_2),
            collected_on=date(2025, 3, 1),
            version_number=1,
            answers=FULL_ANSWERS,
            scores=score(spec, FULL_ANSWERS).to_dict(),
        ),
        ExportRow(
            response_id=102,
            case_number="KLD-2025-0002",
            person_id=8,
            person_name="=cmd|' /C calc'!A0",
            office="Kolda",
            submitted_at=None,
            collected_on=None,
            version_number=2,
            answers={
                "household_size": -2,
                "assistance": ["training"],
                "econ_work": "dk",
                "comments": '=HYPERLINK("http://evil.example","click")',
                "home": "@SUM(A1)",
                "member_n": "0",
            },
            scores={"dimensions": {"economic": None, "social": 2 / 3}, "composite": 2 / 3},
        ),
        ExportRow(
            response_id=103,
            case_number="",
            person_id=None,
            person_name="",
            office="Kolda",
            submitted_at=None,
            collected_on=None,
            version_number=None,
            answers={"comments": "\ttabbed", "visit_date": "2025-02-30", "member": []},
            scores={},
        ),
    ]


def read_csv(chunks: Iterator[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks), newline="")))


def as_dicts(table: list[list[str]], skip: int = 1) -> list[dict[str, str]]:
    header = table[0]
    return [dict(zip(header, line, strict=True)) for line in table[skip:]]


# --- columns -----------------------------------------------------------------------------------

FULL_HEADERS = [
    "_id",
    "_case_number",
    "_person",
    "_office",
    "_submitted_at",
    "_collected_on",
    "_version",
    "case_number",
    "phone",
    "contact_person",
    "home",
    "owns_device",
    "visit_date",
    "household_size",
    "assistance",
    "assistance_other",
    "member_count",
    "member_n",
    "econ_work",
    "soc_housing",
    "income",
    "comments",
    "score_economic",
    "score_social",
    "score_composite",
]


def test_columns_in_form_order(spec: FormSpec) -> None:
    cols = columns(spec, pseudonymise=False)
    assert [c.header for c in cols] == FULL_HEADERS
    by_header = {c.header: c for c in cols}
    assert by_header["_id"] == Column("meta.response_id", "_id", "#meta+id")
    assert by_header["_case_number"].hxl == "#case+code"
    assert by_header["_office"].hxl == "#adm1+name"
    assert by_header["_submitted_at"].hxl == "#date+submitted"
    assert by_header["_collected_on"].hxl == "#date+collected"
    assert by_header["_version"].hxl == "#meta+version"
    assert by_header["household_size"].hxl == "#indicator+household_size"
    assert by_header["owns_device"].hxl == "#indicator+owns_device+code"
    assert by_header["assistance"].hxl == "#indicator+assistance+code"
    assert by_header["member_count"].key == "count.member"
    assert by_header["score_economic"].hxl == "#indicator+score+economic"
    assert by_header["score_composite"].hxl == "#indicator+score+composite"
    assert len({c.key for c in cols}) == len(cols)


def test_generated_header_never_takes_a_question_name() -> None:
    spec = FormSpec(
        title={"en": "Clash"},
        form_id="clash",
        version="1",
        languages=["en"],
        default_language="en",
        tier="CASE",
        questions=[
            Question(name="member", type="repeat", children=[Question(name="age", type="integer")]),
            Question(name="member_count", type="calculate", calculate="count(${member})"),
        ],
        choices={},
    )
    headers = [c.header for c in columns(spec, pseudonymise=False)]
    assert headers[-2:] == ["member_count_2", "member_count"]
    assert "age" not in headers  # what a repeat holds is not exported
    assert not any(h.startswith("score_") for h in headers)  # an unscored form


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_values(spec: FormSpec) -> None:
    table = read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=False, secret=""))
    assert table[0] == FULL_HEADERS
    first, second, third = as_dicts(table)
    assert first["_id"] == "101"
    assert first["_case_number"] == "TAM-2025-0001"
    assert first["_person"] == "Moussa Diallo"
    assert first["_office"] == "Tambacounda"
    assert first["_submitted_at"] == "2025-03-01T09:30:00+00:00"
    assert first["_collected_on"] == "2025-03-01"
    assert first["_version"] == "1"
    assert first["case_number"] == "TAM-2025-0001"
    assert first["phone"] == "'+221 77 123 45 67"  # starts with "+": neutralised
    assert first["visit_date"] == "2025-03-01"
    assert first["household_size"] == "5"
    assert first["assistance"] == "cash other"
    assert first["assistance_other"] == "Seeds"
    assert first["member_count"] == "2"
    assert first["member_n"] == "2"
    assert first["income"] == "12500.5"
    assert first["owns_device"] == "yes"
    assert first["score_economic"] == "0.5"
    assert first["score_social"] == "1.0"
    assert first["score_composite"] == "0.75"

    assert second["score_economic"] == ""
    assert second["score_social"] == "0.6667"
    assert second["score_composite"] == "0.6667"
    assert second["assistance"] == "training"
    assert second["assistance_other"] == ""
    assert second["member_count"] == ""  # no repeat in the answers
    assert second["_submitted_at"] == second["_collected_on"] == ""

    assert third["member_count"] == "0"
    assert third["_version"] == ""
    assert third["visit_date"] == "2025-02-30"  # exported as stored
    assert third["score_composite"] == ""


def test_csv_neutralises_formulas(spec: FormSpec) -> None:
    table = read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=False, secret=""))
    _first, second, third = as_dicts(table)
    assert second["_person"] == "'=cmd|' /C calc'!A0"
    assert second["comments"] == '\'=HYPERLINK("http://evil.example","click")'
    assert second["home"] == "'@SUM(A1)"
    assert second["household_size"] == "'-2"  # negative numbers too: the simple rule
    assert third["comments"] == "'\ttabbed"
    for line in table:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_chunks_are_lines(spec: FormSpec) -> None:
    chunks = list(write_csv(spec, iter(rows(spec)), pseudonymise=True, secret=SECRET, hxl=True))
    assert len(chunks) == 2 + 3
    assert all(chunk.endswith("\r\n") for chunk in chunks)


# --- pseudonymisation --------------------------------------------------------------------------


def test_pseudonym_is_stable_and_keyed() -> None:
    assert PSEUDONYM.match(pseudonym(7, SECRET))
    assert pseudonym(7, SECRET) == pseudonym(7, SECRET)
    assert pseudonym(7, SECRET) != pseudonym(8, SECRET)
    assert pseudonym(7, SECRET) != pseudonym(7, "another secret")
    with pytest.raises(ValueError):
        pseudonym(7, "")


def test_identifying_questions(spec: FormSpec) -> None:
    # case_field; "phone" by name; "full name" in an English label; "Adresse" in a French one.
    # "owns_device" is kept: its label mentions a phone but its answer is from a fixed list.
    assert identifying_questions(spec) == {"case_number", "phone", "contact_person", "home"}


def test_pseudonymised_csv(spec: FormSpec) -> None:
    table = read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=True, secret=SECRET))
    header = table[0]
    for gone in ("_case_number", "_person", "case_number", "phone", "contact_person", "home"):
        assert gone not in header
    assert header[:6] == [
        "_id",
        "_pseudonym",
        "_office",
        "_submitted_at",
        "_collected_on",
        "_version",
    ]
    assert "owns_device" in header and "score_composite" in header
    first, second, third = as_dicts(table)
    assert first["_pseudonym"] == pseudonym(7, SECRET)
    assert second["_pseudonym"] == pseudonym(8, SECRET)
    assert third["_pseudonym"] == ""  # no person
    text = "\n".join(",".join(line) for line in table)
    for secret_value in ("Moussa", "TAM-2025-0001", "123 45 67", "Awa Diallo", "Abattoir"):
        assert secret_value not in text

    again = as_dicts(read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=True, secret=SECRET)))
    assert again[0]["_pseudonym"] == first["_pseudonym"]
    other = as_dicts(read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=True, secret="x")))
    assert other[0]["_pseudonym"] != first["_pseudonym"]


def test_pseudonymising_needs_a_secret(spec: FormSpec) -> None:
    with pytest.raises(ValueError):
        write_csv(spec, iter(()), pseudonymise=True, secret="")  # at once, not when read
    with pytest.raises(ValueError):
        write_xlsx(spec, iter(()), pseudonymise=True, secret="", path_or_file=io.BytesIO())


# --- HXL ---------------------------------------------------------------------------------------


def test_hxl_row(spec: FormSpec) -> None:
    table = read_csv(write_csv(spec, iter(rows(spec)), pseudonymise=True, secret=SECRET, hxl=True))
    tags = table[1]
    assert tags == [c.hxl for c in columns(spec, pseudonymise=True)]
    assert tags[:2] == ["#meta+id", "#beneficiary+pseudonym"]
    for tag in tags:
        assert HXL_TAG.match(tag), tag
    assert len(table) == 2 + 3

    # libhxl (a dev dependency) reads the file back.
    dataset = hxl.data(table)
    read = [(c.tag, sorted(c.attributes)) for c in dataset.columns]
    expected = [(t.split("+")[0], sorted(t.split("+")[1:])) for t in tags]
    assert read == expected
    assert len(list(dataset)) == 3


# --- XLSX --------------------------------------------------------------------------------------


def test_xlsx_values_and_types(spec: FormSpec) -> None:
    buffer = io.BytesIO()
    write_xlsx(spec, iter(rows(spec)), pseudonymise=False, secret="", path_or_file=buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook["export_test"]
    lines = list(sheet.iter_rows())
    header = [c.value for c in lines[0]]
    assert header == FULL_HEADERS
    first, second, third = (
        {h: c for h, c in zip(header, line, strict=False)} for line in lines[1:]
    )

    assert first["_id"].value == 101
    assert first["_submitted_at"].value == datetime(2025, 3, 1, 9, 30)  # UTC, no zone
    assert first["_collected_on"].value == datetime(2025, 3, 1)
    assert first["_collected_on"].is_date
    assert first["visit_date"].value == datetime(2025, 3, 1)
    assert first["household_size"].value == 5
    assert isinstance(first["household_size"].value, int)
    assert first["income"].value == 12500.5
    assert first["member_count"].value == 2
    assert first["member_n"].value == 2  # a numeric calculate result, as a number
    assert first["assistance"].value == "cash other"
    assert first["phone"].value == "+221 77 123 45 67"
    assert first["phone"].data_type == "s"
    assert first["score_social"].value == 1.0
    assert first["score_composite"].value == 0.75

    assert second["comments"].value == '=HYPERLINK("http://evil.example","click")'
    assert second["comments"].data_type == "s"  # text, not a formula
    assert second["_person"].value == "=cmd|' /C calc'!A0"
    assert second["_person"].data_type == "s"
    assert second["household_size"].value == -2
    assert second["score_social"].value == 0.6667
    assert second["score_economic"].value is None
    assert second["_submitted_at"].value is None

    assert third["visit_date"].value == "2025-02-30"  # not a date: kept as text
    assert third["comments"].value == "\ttabbed"
    assert third["member_count"].value == 0


def test_xlsx_pseudonymised_with_hxl(spec: FormSpec) -> None:
    buffer = io.BytesIO()
    write_xlsx(
        spec, iter(rows(spec)), pseudonymise=True, secret=SECRET, path_or_file=buffer, hxl=True
    )
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    values = [list(line) for line in sheet.iter_rows(values_only=True)]
    cols = columns(spec, pseudonymise=True)
    assert values[0] == [c.header for c in cols]
    assert values[1] == [c.hxl for c in cols]
    assert values[2][1] == pseudonym(7, SECRET)
    assert "phone" not in values[0]


# --- streaming ---------------------------------------------------------------------------------


def test_csv_streams_50000_rows(spec: FormSpec) -> None:
    produced = 0

    def source() -> Iterator[ExportRow]:
        nonlocal produced
        for i in range(50_000):
            produced += 1
            yield ExportRow(
                response_id=i,
                case_number=f"TAM-2025-{i:05d}",
                person_id=i,
                person_name=f"Person {i}",
                office="Tambacounda",
                submitted_at=None,
                collected_on=date(2025, 1, 1),
                version_number=1,
                answers={"household_size": i % 9, "assistance": ["cash"], "comments": "ok"},
                scores={"dimensions": {"economic": 0.5, "social": None}, "composite": 0.5},
            )

    chunks = write_csv(spec, source(), pseudonymise=True, secret=SECRET)
    assert produced == 0  # nothing read before the first chunk is asked for
    next(chunks)  # the header
    assert produced == 0
    next(chunks)  # the first response
    assert produced == 1  # one row read per line written
    count = 2 + sum(1 for _ in chunks)
    assert count == 50_001
    assert produced == 50_000
