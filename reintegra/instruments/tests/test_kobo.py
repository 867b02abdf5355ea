"""Reading KoBoToolbox / ODK Central data exports and planning them as responses (pure: no
database). The exports are written here the way KoBo writes them: CSV with `;`, group paths in
the headers and space-separated select_multiple answers; XLSX with a main sheet, a sheet per
repeat linked by `_parent_index`, and one 1/0 column per choice of a select_multiple.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from reintegra.instruments.kobo import (
    ExportError,
    ImportPlan,
    Table,
    read_export,
    rows_to_answers,
    sniff_delimiter,
)
from reintegra.instruments.spec import FormSpec
from reintegra.instruments.xlsform import build_xlsform, parse_xlsform


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


SURVEY_HEADER = [
    "type",
    "name",
    "label",
    "required",
    "constraint",
    "constraint_message",
    "relevant",
    "calculation",
]


def q(type_: str, name: str = "", label: str = "", **cells: Any) -> list[Any]:
    row: list[Any] = [type_, name or None, label or None] + [None] * (len(SURVEY_HEADER) - 3)
    for key, value in cells.items():
        row[SURVEY_HEADER.index(key)] = value
    return row


FORM = {
    "survey": [
        SURVEY_HEADER,
        q("start", "start"),
        q("end", "end"),
        q("text", "case_number", "Case number", required="yes"),
        q("begin group", "respondent", "Respondent"),
        q(
            "integer",
            "age",
            "Age",
            required="yes",
            constraint=". >= 18 and . <= 99",
            constraint_message="Age must be between 18 and 99.",
        ),
        q("date", "visit_date", "Visit date"),
        q("select_one yes_no", "returned", "Returned?"),
        q("text", "return_country", "From which country?", relevant="${returned} = 'yes'"),
        q("select_multiple needs", "needs", "Needs"),
        q("select_one places or_other", "place", "Where do you live?"),
        q("end group"),
        q("begin repeat", "members", "Household members"),
        q("text", "member_name", "Name", required="yes"),
        q("integer", "member_age", "Age"),
        q("end repeat"),
        q("decimal", "income", "Income"),
        q("calculate", "double_age", calculation="${age} * 2"),
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["yes_no", "yes", "Yes"],
        ["yes_no", "no", "No"],
        ["needs", "food", "Food"],
        ["needs", "shelter", "Shelter"],
        ["needs", "cash", "Cash"],
        ["places", "home", "Home"],
        ["places", "camp", "Camp"],
    ],
    "settings": [
        ["form_title", "form_id", "version", "case_field"],
        ["Return check", "return_check", "1", "case_number"],
    ],
}


@pytest.fixture(scope="module")
def spec() -> FormSpec:
    return parse_xlsform(build_xlsform(FORM), "return_check.xlsx")


# --- writing exports the way KoBo does ---------------------------------------------------------

CSV_HEADERS = [
    "start",
    "end",
    "case_number",
    "respondent/age",
    "respondent/visit_date",
    "respondent/returned",
    "respondent/return_country",
    "respondent/needs",
    "respondent/place",
    "respondent/place_other",
    "income",
    "double_age",
    "__version__",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "_tags",
    "_index",
]


def kobo_row(n: int, **changes: str) -> dict[str, str]:
    row = {
        "start": "2024-03-05T10:00:00.000+00:00",
        "end": "2024-03-05T10:20:00.000+00:00",
        "case_number": f"TAM-2024-{n:04d}",
        "respondent/age": "30",
        "respondent/visit_date": "2024-03-05",
        "respondent/returned": "yes",
        "respondent/return_country": "Libya",
        "respondent/needs": "food cash",
        "respondent/place": "home",
        "respondent/place_other": "",
        "income": "12.5",
        "double_age": "60",
        "__version__": "vQm8Lk3DcRtYx",
        "_id": str(1000 + n),
        "_uuid": f"0000-{n:04d}",
        "_submission_time": "2024-03-05T10:21:00",
        "_validation_status": "",
        "_notes": "",
        "_status": "submitted_via_web",
        "_submitted_by": "enumerator1",
        "_tags": "",
        "_index": str(n),
    }
    for key, value in changes.items():
        row[key.replace("__", "/")] = value
    return row


def kobo_csv(
    rows: list[dict[str, str]],
    headers: list[str] = CSV_HEADERS,
    delimiter: str = ";",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    data = buffer.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def plan_csv(spec: FormSpec, rows: list[dict[str, str]], **options: Any) -> ImportPlan:
    return rows_to_answers(spec, read_export(kobo_csv(rows, **options), "export.csv"))


GOOD_ANSWERS = {
    "case_number": "TAM-2024-0001",
    "age": 30,
    "visit_date": "2024-03-05",
    "returned": "yes",
    "return_country": "Libya",
    "needs": ["food", "cash"],
    "place": "home",
    "income": 12.5,
    "double_age": "60",
}


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_rows_become_answers(spec):
    plan = plan_csv(
        spec,
        [
            kobo_row(1),
            kobo_row(
                2,
                respondent__returned="no",  # makes return_country irrelevant: dropped
                respondent__needs="",
                respondent__place="other",
                respondent__place_other="With my uncle",
                income="",
            ),
        ],
    )
    assert plan.problems == [
        "The export has no sheet for the repeat “members”: its answers are not imported (CSV "
        "exports never hold repeats; use an XLSX export)."
    ]
    assert plan.unknown_columns == []
    first, second = plan.rows
    assert first.errors == []
    assert first.answers == GOOD_ANSWERS
    assert (first.row, first.instance_id, first.case_number, first.submitted_at) == (
        2,
        "uuid:0000-0001",
        "TAM-2024-0001",
        "2024-03-05T10:21:00",
    )
    assert second.errors == []
    assert second.answers == {
        "case_number": "TAM-2024-0002",
        "age": 30,
        "visit_date": "2024-03-05",
        "returned": "no",
        "place": "other",
        "place_other": "With my uncle",
        "double_age": "60",
    }
    assert plan.valid_rows == plan.rows


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"respondent__age": "thirty"}, "row 4, age: Enter a whole number."),
        ({"respondent__age": "12"}, "row 4, age: Age must be between 18 and 99."),
        ({"respondent__age": ""}, "row 4, age: This question is required."),
        ({"respondent__visit_date": "05/03/2024"}, "row 4, visit_date: Enter a valid date."),
        ({"respondent__visit_date": "2024-02-30"}, "row 4, visit_date: Enter a valid date."),
        ({"income": "12.5.1"}, "row 4, income: Enter a number."),
        ({"respondent__returned": "maybe"}, "row 4, returned: “maybe” is not one of its choices."),
        (
            {"respondent__needs": "food fuel gas"},
            "row 4, needs: “fuel”, “gas” are not among its choices.",
        ),
        ({"case_number": ""}, "row 4: no case number."),
        ({"_uuid": ""}, "row 4: no instance id (meta/instanceID or _uuid)."),
    ],
)
def test_each_bad_row_gives_one_message(spec, changes, message):
    plan = plan_csv(spec, [kobo_row(1), kobo_row(2), kobo_row(3, **changes)])
    assert [r.errors for r in plan.rows] == [[], [], [message]]
    assert plan.errors == [message]


def test_a_decimal_comma_is_a_number(spec):
    plan = plan_csv(spec, [kobo_row(1, income="12,5")])
    assert plan.rows[0].answers["income"] == 12.5


def test_duplicate_instance_id_is_an_error_on_the_second_row(spec):
    plan = plan_csv(spec, [kobo_row(1), kobo_row(2), kobo_row(3, _uuid="0000-0001")])
    assert [r.errors for r in plan.rows] == [
        [],
        [],
        ["row 4: the instance id uuid:0000-0001 is already on row 2."],
    ]


def test_meta_instance_id_is_preferred_to_uuid(spec):
    headers = [*CSV_HEADERS, "meta/instanceID"]
    rows = [
        kobo_row(1, meta__instanceID="uuid:aaaa"),
        kobo_row(2, meta__instanceID="bbbb"),  # the prefix is added
        kobo_row(3, meta__instanceID=""),  # falls back on _uuid
    ]
    plan = plan_csv(spec, rows, headers=headers)
    assert [r.instance_id for r in plan.rows] == ["uuid:aaaa", "uuid:bbbb", "uuid:0000-0003"]


def test_empty_rows_are_skipped_and_row_numbers_kept(spec):
    blank = dict.fromkeys(CSV_HEADERS, "")
    plan = plan_csv(spec, [kobo_row(1), blank, kobo_row(3, respondent__age="x")])
    assert [r.row for r in plan.rows] == [2, 4]
    assert plan.rows[1].errors == ["row 4, age: Enter a whole number."]


def test_label_headers_are_refused(spec):
    headers = ["start", "end", "Case number", "Age", "Visit date", "_uuid", "_index"]
    rows = [{"Case number": "TAM-1", "Age": "30", "_uuid": "x", "_index": "1"}]
    plan = plan_csv(spec, rows, headers=headers)
    assert plan.rows == []
    assert plan.unknown_columns == ["Case number", "Age", "Visit date"]
    assert plan.problems == [
        "No column names a question of the form (the first unknown one is “Case number”). "
        "Exports with labels as headers are not supported: export again with “XML values and "
        "headers”."
    ]


def test_unknown_columns_are_listed_metadata_is_not(spec):
    headers = [*CSV_HEADERS, "respondent/shoe_size", "formhub/uuid", "_attachments", "_geolocation"]
    plan = plan_csv(spec, [kobo_row(1, respondent__shoe_size="42")], headers=headers)
    assert plan.unknown_columns == ["respondent/shoe_size"]
    assert plan.rows[0].errors == []


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_separator_is_sniffed(spec, delimiter):
    data = kobo_csv([kobo_row(1)], delimiter=delimiter)
    assert sniff_delimiter(data.decode()) == delimiter
    table = read_export(data, "export.csv")
    assert table.headers == CSV_HEADERS
    assert rows_to_answers(spec, table).rows[0].answers == GOOD_ANSWERS


def test_a_comma_inside_a_semicolon_file_does_not_fool_the_sniffer(spec):
    row = kobo_row(1, respondent__return_country="Libya, then Niger")
    table = read_export(kobo_csv([row]), "export.csv")
    assert table.rows[0]["respondent/return_country"] == "Libya, then Niger"


def test_a_byte_order_mark_is_ignored(spec):
    table = read_export(kobo_csv([kobo_row(1)], bom=True), "export.csv")
    assert table.headers[0] == "start"
    assert table.rows[0].number == 2
    assert rows_to_answers(spec, table).rows[0].answers == GOOD_ANSWERS


def test_odk_central_headers(spec):
    headers = [
        "SubmissionDate",
        "start",
        "end",
        "case_number",
        "respondent-age",
        "respondent-visit_date",
        "respondent-returned",
        "respondent-return_country",
        "respondent-needs",
        "respondent-needs-food",  # a split select_multiple, "-" between the parts
        "income",
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "ReviewState",
    ]
    row = {
        "SubmissionDate": "2024-03-05T10:21:00.000Z",
        "case_number": "TAM-2024-0001",
        "respondent-age": "30",
        "respondent-visit_date": "2024-03-05",
        "respondent-returned": "yes",
        "respondent-return_country": "Libya",
        "respondent-needs": "cash",
        "respondent-needs-food": "1",
        "income": "12.5",
        "meta-instanceID": "uuid:central-1",
        "KEY": "uuid:central-1",
    }
    plan = plan_csv(spec, [row], headers=headers, delimiter=",")
    assert plan.unknown_columns == []
    (planned,) = plan.rows
    assert planned.errors == []
    assert planned.instance_id == "uuid:central-1"
    assert planned.submitted_at == "2024-03-05T10:21:00.000Z"
    assert planned.answers["needs"] == ["cash", "food"]
    assert planned.answers["age"] == 30


def test_unreadable_files(spec):
    with pytest.raises(ExportError, match="not UTF-8"):
        read_export("case_number;âge\n".encode("latin-1"), "export.csv")
    with pytest.raises(ExportError, match="empty"):
        read_export(b"", "export.csv")
    with pytest.raises(ExportError, match="not an Excel"):
        read_export(b"PK\x03\x04 not really a zip", "export.xlsx")
    with pytest.raises(ExportError, match="xls"):
        read_export(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "export.xls")


# --- XLSX ---------------------------------------------------------------------------------------

MAIN_HEADERS = [
    "start",
    "end",
    "case_number",
    "respondent/age",
    "respondent/visit_date",
    "respondent/returned",
    "respondent/return_country",
    "respondent/needs/food",
    "respondent/needs/shelter",
    "respondent/needs/cash",
    "income",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_index",
]
MEMBER_HEADERS = [
    "members/member_name",
    "members/member_age",
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
]


def main_row(n: int, **changes: Any) -> list[Any]:
    values: dict[str, Any] = {
        "start": dt.datetime(2024, 3, 5, 10, 0),
        "end": dt.datetime(2024, 3, 5, 10, 20),
        "case_number": f"TAM-2024-{n:04d}",
        "respondent/age": 30,
        "respondent/visit_date": dt.datetime(2024, 3, 5),  # an Excel date cell
        "respondent/returned": "no",
        "respondent/needs/food": 1,
        "respondent/needs/shelter": 0,
        "respondent/needs/cash": 1,
        "income": 12.5,
        "meta/instanceID": f"uuid:x-{n}",
        "_id": 500 + n,
        "_uuid": f"x-{n}",
        "_submission_time": dt.datetime(2024, 3, 5, 10, 21, 7),
        "_index": n,
    }
    values.update({key.replace("__", "/"): value for key, value in changes.items()})
    return [values.get(h) for h in MAIN_HEADERS]


def member_row(index: int, parent: int, name: str, age: Any) -> list[Any]:
    return [name, age, index, "Return check", parent, 500 + parent, f"x-{parent}", None]


def kobo_xlsx(
    main: list[list[Any]],
    members: list[list[Any]] | None,
    headers: list[str] = MAIN_HEADERS,
    repeat_sheet: str = "members",
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Return check"
    sheet.append(headers)
    for row in main:
        sheet.append(row)
    if members is not None:
        repeat = workbook.create_sheet(repeat_sheet)
        repeat.append(MEMBER_HEADERS)
        for row in members:
            repeat.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_a_repeat_sheet(spec):
    data = kobo_xlsx(
        [main_row(1), main_row(2, respondent__needs__cash="FALSE", respondent__needs__food=True)],
        [
            member_row(1, 1, "Awa", 12),
            member_row(2, 1, "Modou", 40.0),
            member_row(3, 2, "Fatou", None),
        ],
    )
    table = read_export(data, "export.xlsx")
    assert table.format == "xlsx"
    assert list(table.repeats) == ["members"]
    assert table.rows[0]["respondent/visit_date"] == "2024-03-05"
    assert table.rows[0]["_submission_time"] == "2024-03-05T10:21:07"
    plan = rows_to_answers(spec, table)
    assert plan.problems == []
    assert plan.unknown_columns == []
    first, second = plan.rows
    assert first.errors == second.errors == []
    assert first.instance_id == "uuid:x-1"
    assert first.submitted_at == "2024-03-05T10:21:07"
    assert first.answers == {
        "case_number": "TAM-2024-0001",
        "age": 30,
        "visit_date": "2024-03-05",
        "returned": "no",
        "needs": ["food", "cash"],
        "members": [
            {"member_name": "Awa", "member_age": 12},
            {"member_name": "Modou", "member_age": 40},
        ],
        "income": 12.5,
        "double_age": "60",
    }
    assert second.answers["needs"] == ["food"]
    assert second.answers["members"] == [{"member_name": "Fatou"}]


def test_xlsx_select_multiple_in_one_column_and_expanded(spec):
    """KoBo's default XLSX export writes both; the repeat sheet is found by its columns."""
    headers = [*MAIN_HEADERS, "respondent/needs"]
    data = kobo_xlsx(
        [[*main_row(1), "food cash"]],
        [member_row(1, 1, "Awa", 12)],
        headers=headers,
        repeat_sheet="Household members",
    )
    plan = rows_to_answers(spec, read_export(data, "export.xlsx"))
    assert plan.problems == []
    assert plan.rows[0].errors == []
    assert plan.rows[0].answers["needs"] == ["food", "cash"]
    assert plan.rows[0].answers["members"] == [{"member_name": "Awa", "member_age": 12}]


def test_xlsx_errors_in_a_repeat_name_its_sheet_row(spec):
    data = kobo_xlsx(
        [main_row(1), main_row(2)],
        [
            member_row(1, 1, "Awa", 12),
            member_row(2, 2, "Modou", "forty"),
            member_row(3, 2, None, 3),
        ],
    )
    plan = rows_to_answers(spec, read_export(data, "export.xlsx"))
    assert plan.rows[0].errors == []
    assert plan.rows[1].errors == [
        "row 3, members 1 (sheet “members”, row 3), member_age: Enter a whole number.",
        "row 3, members 2 (sheet “members”, row 4), member_name: This question is required.",
    ]


def test_xlsx_bad_choice_flag(spec):
    data = kobo_xlsx([main_row(1, respondent__needs__shelter="maybe")], [])
    plan = rows_to_answers(spec, read_export(data, "export.xlsx"))
    assert plan.rows[0].errors == [
        "row 2, needs: the column “respondent/needs/shelter” holds “maybe”, not 1 or 0."
    ]


def test_xlsx_repeat_rows_without_a_main_row(spec):
    data = kobo_xlsx([main_row(1)], [member_row(1, 1, "Awa", 12), member_row(2, 7, "Lost", 9)])
    plan = rows_to_answers(spec, read_export(data, "export.xlsx"))
    assert plan.rows[0].errors == []
    assert plan.problems == ["Sheet “members”: 1 row links to no row of the main sheet (row 3)."]


def test_xlsx_without_a_repeat_sheet_says_so(spec):
    plan = rows_to_answers(spec, read_export(kobo_xlsx([main_row(1)], None), "export.xlsx"))
    assert plan.problems == [
        "The export has no sheet for the repeat “members”: its answers are not imported (CSV "
        "exports never hold repeats; use an XLSX export)."
    ]
    assert "members" not in plan.rows[0].answers


def test_an_unknown_sheet_is_ignored(spec):
    workbook = openpyxl.load_workbook(io.BytesIO(kobo_xlsx([main_row(1)], [])))
    other = workbook.create_sheet("photos")
    other.append(["shoe_size", "_parent_index"])
    other.append([42, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = rows_to_answers(spec, read_export(buffer.getvalue(), "export.xlsx"))
    assert plan.problems == ["Sheet “photos” matches no repeat of the form; it is ignored."]
    assert plan.rows[0].errors == []


# --- size ---------------------------------------------------------------------------------------


def test_two_thousand_rows_plan_without_error(spec):
    rows = [kobo_row(n, respondent__age=str(18 + n % 80)) for n in range(1, 2001)]
    table = read_export(kobo_csv(rows), "export.csv")
    assert isinstance(table, Table)
    plan = rows_to_answers(spec, table)
    assert len(plan.rows) == 2000
    assert plan.errors == []
    assert plan.rows[-1].row == 2001
    assert plan.rows[-1].answers["age"] == 18 + 2000 % 80
