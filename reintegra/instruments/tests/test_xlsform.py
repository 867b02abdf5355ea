"""Reading XLSForms into a FormSpec (DESIGN.md §7): the parsed spec, and every way a form can be
refused, each issue naming its sheet, row and column.

Forms are built in code with `build_xlsform`; `base_sheets()` is a valid bilingual form and each
bad-form test changes one thing in it. Row numbers are spreadsheet rows (the header is row 1).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reintegra.instruments.spec import Choice, Dimension, FormSpec, Question
from reintegra.instruments.xlsform import (
    XLSFormError,
    XLSFormIssue,
    build_xlsform,
    parse_xlsform,
)

EN, FR = "label::English (en)", "label::French (fr)"

SURVEY_HEADER = [
    "type",
    "name",
    EN,
    FR,
    "hint::English (en)",
    "hint::French (fr)",
    "required",
    "required_message::English (en)",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::French (fr)",
    "calculation",
    "default",
    "read_only",
    "appearance",
    "choice_filter",
    "dimension",
    "weight",
]


def survey_row(type_: str, name: str = "", en: str = "", fr: str = "", **cells: Any) -> list[Any]:
    row: list[Any] = [None] * len(SURVEY_HEADER)
    row[0], row[1], row[2], row[3] = type_, name or None, en or None, fr or None
    for key, value in cells.items():
        column = {
            "hint_en": "hint::English (en)",
            "hint_fr": "hint::French (fr)",
            "required_message_en": "required_message::English (en)",
            "constraint_message_en": "constraint_message::English (en)",
            "constraint_message_fr": "constraint_message::French (fr)",
        }.get(key, key)
        row[SURVEY_HEADER.index(column)] = value
    return row


BASE: dict[str, list[list[Any]]] = {
    "survey": [
        SURVEY_HEADER,
        survey_row("start", "start"),  # row 2
        survey_row("end", "end"),  # 3
        survey_row("today", "today"),  # 4
        survey_row("deviceid", "deviceid"),  # 5
        survey_row("username", "username"),  # 6
        survey_row("audit", "audit"),  # 7
        survey_row(
            "text",
            "case_number",
            "Case number",
            "Numéro de dossier",
            required="yes",
            required_message_en="The case number is needed.",
        ),  # 8
        survey_row("begin group", "household", "Household", "Ménage", appearance="field-list"),
        survey_row(
            "integer",
            "household_size",
            "Household size",
            "Taille du ménage",
            hint_en="People living with you",
            hint_fr="Personnes vivant avec vous",
            required="TRUE()",
            constraint=". > 0",
            constraint_message_en="At least one person.",
            constraint_message_fr="Au moins une personne.",
            default="1",
        ),  # 10
        survey_row("select_one regions", "region", "Region", "Région"),  # 11
        survey_row(
            "select_one districts",
            "district",
            "District",
            "Département",
            choice_filter="region = ${region}",
        ),  # 12
        survey_row("end group"),  # 13
        survey_row("select_multiple needs or_other", "needs", "Needs", "Besoins"),  # 14
        survey_row("note", "intro", "About safety", "À propos de la sécurité"),  # 15
        survey_row(
            "select_one frequency",
            "feel_safe",
            "Do you feel safe?",
            "Vous sentez-vous en sécurité ?",
            dimension="safety",
            weight=2,
        ),  # 16
        survey_row(
            "select_one frequency",
            "threats",
            "Free of threats?",
            "Sans menaces ?",
            relevant="${household_size} > 1",
            dimension="safety",
        ),  # 17
        survey_row("begin repeat", "children", "Children", "Enfants"),  # 18
        survey_row("text", "child_name", "Name", "Nom"),  # 19
        survey_row("date", "child_dob", "Date of birth", "Date de naissance"),  # 20
        survey_row(
            "select_one yes_no",
            "in_school",
            "In school?",
            "Scolarisé ?",
            dimension="education",
            weight=1.5,
        ),  # 21
        survey_row("end repeat"),  # 22
        survey_row("decimal", "income", "Monthly income", "Revenu mensuel"),  # 23
        survey_row(
            "calculate",
            "income_per_person",
            calculation="${income} div ${household_size}",
        ),  # 24
        survey_row("text", "office", "Office", "Bureau", read_only="yes", default="Tamba"),  # 25
    ],
    "choices": [
        ["list_name", "name", EN, FR, "score", "region"],
        ["regions", "tamba", "Tambacounda", "Tambacounda", None, None],  # 2
        ["regions", "kedougou", "Kédougou", "Kédougou", None, None],  # 3
        ["districts", "goudiry", "Goudiry", "Goudiry", None, "tamba"],  # 4
        ["districts", "saraya", "Saraya", "Saraya", None, "kedougou"],  # 5
        ["needs", "food", "Food", "Nourriture", None, None],  # 6
        ["needs", "shelter", "Shelter", "Logement", None, None],  # 7
        ["frequency", "never", "Never", "Jamais", 0, None],  # 8
        ["frequency", "sometimes", "Sometimes", "Parfois", 1, None],  # 9
        ["frequency", "always", "Always", "Toujours", 2, None],  # 10
        ["frequency", "dont_know", "Don't know", "Ne sait pas", None, None],  # 11
        ["yes_no", "yes", "Yes", "Oui", 1, None],  # 12
        ["yes_no", "no", "No", "Non", 0, None],  # 13
    ],
    "settings": [
        ["form_title", "form_id", "version", "default_language", "tier", "case_field"],
        [
            "Reintegration check",
            "reint_check",
            "2024-05",
            "English (en)",
            "PROTECTION",
            "case_number",
        ],
    ],
    "dimensions": [
        ["name", EN, FR, "composite_weight"],
        ["safety", "Safety", "Sécurité", 2],  # 2
        ["education", "Education", "Éducation", None],  # 3
    ],
}


def base_sheets() -> dict[str, list[list[Any]]]:
    return copy.deepcopy(BASE)


def row_named(sheets: dict[str, list[list[Any]]], name: str, sheet: str = "survey") -> int:
    """The spreadsheet row number of the row whose `name` is `name`."""
    column = sheets[sheet][0].index("name")
    for index, row in enumerate(sheets[sheet]):
        if index and len(row) > column and row[column] == name:
            return index + 1
    raise KeyError(name)


def set_cell(
    sheets: dict[str, list[list[Any]]], sheet: str, row: int, column: str, value: Any
) -> None:
    """Write a cell by spreadsheet row number and column header (adding the column if new)."""
    header = sheets[sheet][0]
    if column not in header:
        header.append(column)
    index = header.index(column)
    cells = sheets[sheet][row - 1]
    cells.extend([None] * (index + 1 - len(cells)))
    cells[index] = value


def parse(sheets: dict[str, list[list[Any]]], filename: str = "form.xlsx") -> FormSpec:
    return parse_xlsform(build_xlsform(sheets), filename)


def issues_of(sheets: dict[str, list[list[Any]]]) -> list[XLSFormIssue]:
    with pytest.raises(XLSFormError) as caught:
        parse(sheets)
    assert caught.value.issues
    return caught.value.issues


def where(issues: list[XLSFormIssue]) -> set[tuple[str, int | None, str | None]]:
    return {(i.sheet, i.row, i.column) for i in issues}


# --- a valid form ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> FormSpec:
    return parse(base_sheets())


def test_form_settings(spec: FormSpec) -> None:
    assert spec.title == {"en": "Reintegration check"}
    assert spec.form_id == "reint_check"
    assert spec.version == "2024-05"
    assert spec.default_language == "en"
    assert spec.languages == ["en", "fr"]
    assert spec.tier == "PROTECTION"
    assert spec.case_field == "case_number"


def test_question_tree(spec: FormSpec) -> None:
    def tree(items: list[Question]) -> list[Any]:
        return [
            (q.name, q.type, tree(q.children)) if q.children else (q.name, q.type) for q in items
        ]

    assert tree(spec.questions) == [
        ("start", "start"),
        ("end", "end"),
        ("today", "today"),
        ("deviceid", "deviceid"),
        ("username", "username"),
        ("audit", "audit"),
        ("case_number", "text"),
        (
            "household",
            "group",
            [
                ("household_size", "integer"),
                ("region", "select_one"),
                ("district", "select_one"),
            ],
        ),
        ("needs", "select_multiple"),
        ("intro", "note"),
        ("feel_safe", "select_one"),
        ("threats", "select_one"),
        (
            "children",
            "repeat",
            [
                ("child_name", "text"),
                ("child_dob", "date"),
                ("in_school", "select_one"),
            ],
        ),
        ("income", "decimal"),
        ("income_per_person", "calculate"),
        ("office", "text"),
    ]
    # no separate question for the "other" answer of `needs`
    assert spec.question("needs_other") is None


def test_question_columns(spec: FormSpec) -> None:
    assert spec.question("household_size") == Question(
        name="household_size",
        type="integer",
        label={"en": "Household size", "fr": "Taille du ménage"},
        hint={"en": "People living with you", "fr": "Personnes vivant avec vous"},
        required=True,
        constraint=". > 0",
        constraint_message={"en": "At least one person.", "fr": "Au moins une personne."},
        default="1",
        row=10,
    )
    case_number = spec.question("case_number")
    assert case_number is not None
    assert case_number.required
    assert case_number.required_message == {"en": "The case number is needed."}
    household = spec.question("household")
    assert household is not None and household.appearance == "field-list"
    district = spec.question("district")
    assert district is not None
    assert (district.list_name, district.choice_filter) == ("districts", "region = ${region}")
    needs = spec.question("needs")
    assert needs is not None and needs.or_other and needs.list_name == "needs"
    threats = spec.question("threats")
    assert threats is not None
    assert (threats.relevant, threats.dimension, threats.weight) == (
        "${household_size} > 1",
        "safety",
        1.0,
    )
    feel_safe = spec.question("feel_safe")
    assert feel_safe is not None and feel_safe.weight == 2.0 and feel_safe.row == 16
    in_school = spec.question("in_school")
    assert in_school is not None and in_school.weight == 1.5
    calc = spec.question("income_per_person")
    assert calc is not None and calc.calculate == "${income} div ${household_size}"
    office = spec.question("office")
    assert office is not None and office.read_only and office.default == "Tamba"
    intro = spec.question("intro")
    assert intro is not None and intro.label == {
        "en": "About safety",
        "fr": "À propos de la sécurité",
    }


def test_choices(spec: FormSpec) -> None:
    assert spec.choices["frequency"] == [
        Choice("never", {"en": "Never", "fr": "Jamais"}, 0.0),
        Choice("sometimes", {"en": "Sometimes", "fr": "Parfois"}, 1.0),
        Choice("always", {"en": "Always", "fr": "Toujours"}, 2.0),
        Choice("dont_know", {"en": "Don't know", "fr": "Ne sait pas"}, None),
    ]
    # other columns are kept for choice_filter expressions
    assert spec.choices["districts"][0] == Choice(
        "goudiry", {"en": "Goudiry", "fr": "Goudiry"}, None, {"region": "tamba"}
    )
    assert spec.choices["needs"][0].extra == {}


def test_dimensions(spec: FormSpec) -> None:
    assert spec.dimensions == [
        Dimension("safety", {"en": "Safety", "fr": "Sécurité"}, 2.0),
        Dimension("education", {"en": "Education", "fr": "Éducation"}, 1.0),
    ]
    assert [q.name for q in spec.scored_questions()] == ["feel_safe", "threats", "in_school"]


def test_round_trips_through_json(spec: FormSpec) -> None:
    assert FormSpec.from_dict(spec.to_dict()) == spec


def test_xform_is_built(spec: FormSpec) -> None:
    assert spec.xform.startswith("<?xml")
    assert 'id="reint_check"' in spec.xform
    assert 'version="2024-05"' in spec.xform
    # pyxform keeps the choice columns in the list's instance, for choice_filter
    assert "<region>tamba</region>" in spec.xform


def test_defaults_without_settings_or_languages() -> None:
    sheets = {
        "survey": [
            ["type", "name", "label", "dimension"],
            ["select_one yn", "q1", "Question one", "wellbeing"],
            ["select_one yn", "q2", "Question two", "income"],
        ],
        "choices": [
            ["list_name", "name", "label", "score"],
            ["yn", "yes", "Yes", 1],
            ["yn", "no", "No", 0],
        ],
    }
    spec = parse(sheets, filename="screening_v2.xlsx")
    assert spec.form_id == "screening_v2"
    assert 'id="screening_v2"' in spec.xform
    assert spec.title == {"": "screening_v2"}
    assert spec.tier == "CASE"
    assert spec.default_language == ""
    assert spec.languages == []
    q1 = spec.question("q1")
    assert q1 is not None and q1.label == {"": "Question one"}
    # without a dimensions sheet, the dimensions used are the form's dimensions
    assert spec.dimensions == [Dimension("wellbeing"), Dimension("income")]


def test_plain_label_is_the_default_language() -> None:
    sheets = {
        "survey": [
            ["type", "name", "label", "label::English (en)"],
            ["text", "nom", "Nom", "Name"],
        ],
        "settings": [["form_id", "default_language", "tier"], ["f", "French (fr)", "medical"]],
    }
    spec = parse(sheets)
    assert spec.default_language == "fr"
    assert spec.languages == ["fr", "en"]
    assert spec.tier == "MEDICAL"
    q = spec.question("nom")
    assert q is not None and q.label == {"fr": "Nom", "en": "Name"}


def test_note_without_name_and_required_variants() -> None:
    sheets = {
        "survey": [
            ["type", "name", "label", "required"],
            ["note", None, "Welcome", None],
            ["text", "a", "A", "true"],
            ["text", "b", "B", "TRUE()"],
            ["text", "c", "C", "no"],
        ]
    }
    spec = parse(sheets)
    assert [q.name for q in spec.questions] == ["generated_note_name_2", "a", "b", "c"]
    assert [q.required for q in spec.questions] == [False, True, True, False]


# --- bad forms ---------------------------------------------------------------------------------


def test_not_an_xlsx() -> None:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(b"type,name\ntext,a\n", "form.csv")
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("", None, None)
    assert "form.csv" in issue.message


def test_missing_survey_sheet() -> None:
    sheets = base_sheets()
    del sheets["survey"]
    assert where(issues_of(sheets)) == {("survey", None, None)}


def test_unknown_question_type() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 23, "type", "geopoint")
    issues = issues_of(sheets)
    assert where(issues) == {("survey", 23, "type")}
    assert "geopoint" in issues[0].message


def test_duplicate_question_names() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 23, "name", "child_name")  # inside the repeat on row 19
    issues = issues_of(sheets)
    assert ("survey", 23, "name") in where(issues)
    assert "row 19" in issues[0].message


def test_name_kept_for_the_other_answer() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 23, "name", "needs_other")
    assert ("survey", 23, "name") in where(issues_of(sheets))


def test_duplicate_choice_names() -> None:
    sheets = base_sheets()
    set_cell(sheets, "choices", 13, "name", "yes")
    assert ("choices", 13, "name") in where(issues_of(sheets))


def test_score_not_a_number() -> None:
    sheets = base_sheets()
    set_cell(sheets, "choices", 9, "score", "high")
    assert where(issues_of(sheets)) == {("choices", 9, "score")}


@pytest.mark.parametrize("weight", [0, -1, "heavy", "nan"])
def test_weight_not_a_positive_number(weight: Any) -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 16, "weight", weight)
    assert where(issues_of(sheets)) == {("survey", 16, "weight")}


def test_dimension_on_a_question_that_is_not_select_one() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 14, "dimension", "safety")  # select_multiple
    set_cell(sheets, "survey", 23, "dimension", "safety")  # decimal
    assert where(issues_of(sheets)) == {("survey", 14, "dimension"), ("survey", 23, "dimension")}


def test_dimension_on_choices_without_score() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 11, "dimension", "safety")  # regions carry no score
    assert where(issues_of(sheets)) == {("survey", 11, "dimension")}


def test_dimension_missing_from_the_dimensions_sheet() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 17, "dimension", "saftey")
    issues = issues_of(sheets)
    assert where(issues) == {("survey", 17, "dimension")}
    assert "saftey" in issues[0].message


@pytest.mark.parametrize("weight", [0, -2, "double"])
def test_composite_weight_not_a_positive_number(weight: Any) -> None:
    sheets = base_sheets()
    set_cell(sheets, "dimensions", 3, "composite_weight", weight)
    assert where(issues_of(sheets)) == {("dimensions", 3, "composite_weight")}


def test_unknown_tier() -> None:
    sheets = base_sheets()
    set_cell(sheets, "settings", 2, "tier", "IDENTITY")
    assert where(issues_of(sheets)) == {("settings", 2, "tier")}


def test_case_field_naming_no_question() -> None:
    sheets = base_sheets()
    set_cell(sheets, "settings", 2, "case_field", "case_no")
    assert where(issues_of(sheets)) == {("settings", 2, "case_field")}


def test_select_whose_list_has_no_choices() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 11, "type", "select_one provinces")
    assert ("survey", 11, "type") in where(issues_of(sheets))


def test_select_without_a_list_name() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 11, "type", "select_one")
    assert ("survey", 11, "type") in where(issues_of(sheets))


def test_end_group_without_begin() -> None:
    sheets = base_sheets()
    sheets["survey"].append(survey_row("end group"))  # row 26
    assert ("survey", 26, "type") in where(issues_of(sheets))


def test_repeat_never_closed() -> None:
    sheets = base_sheets()
    del sheets["survey"][22 - 1]  # the "end repeat" row
    assert ("survey", 18, "type") in where(issues_of(sheets))


def test_end_group_closing_a_repeat() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 22, "type", "end group")
    assert ("survey", 22, "type") in where(issues_of(sheets))


def test_all_issues_are_reported_at_once() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 23, "type", "geopoint")
    set_cell(sheets, "survey", 16, "weight", "-1")
    set_cell(sheets, "choices", 9, "score", "x")
    set_cell(sheets, "dimensions", 2, "composite_weight", "0")
    set_cell(sheets, "settings", 2, "tier", "SECRET")
    issues = issues_of(sheets)
    assert where(issues) >= {
        ("survey", 23, "type"),
        ("survey", 16, "weight"),
        ("choices", 9, "score"),
        ("dimensions", 2, "composite_weight"),
        ("settings", 2, "tier"),
    }
    # sorted by sheet, then row
    assert [i.sheet for i in issues][:2] == ["survey", "survey"]


# --- pyxform's own checks ----------------------------------------------------------------------


def test_reference_to_a_missing_question() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 17, "relevant", "${household_sise} > 1")
    issues = issues_of(sheets)
    assert where(issues) == {("survey", 17, "relevant")}
    assert "household_sise" in issues[0].message


def test_calculate_without_calculation() -> None:
    sheets = base_sheets()
    set_cell(sheets, "survey", 24, "calculation", None)
    issues = issues_of(sheets)
    assert [(i.sheet, i.row) for i in issues] == [("survey", 24)]
    assert "calculation" in issues[0].message.lower()


def test_extra_columns_do_not_trouble_pyxform(spec: FormSpec) -> None:
    # `dimension`, `weight`, `score`, `tier`, `case_field` and the dimensions sheet stay out
    # of the XForm body
    assert "dimension" not in spec.xform
    assert "composite_weight" not in spec.xform
    assert "PROTECTION" not in spec.xform


def test_pyxform_messages_are_located() -> None:
    from pyxform.errors import PyXFormError

    from reintegra.instruments.xlsform import _pyxform_issue

    issue = _pyxform_issue(
        PyXFormError("[row : 5] On the 'choices' sheet, the 'label' value is invalid. Add one.")
    )
    assert (issue.sheet, issue.row, issue.column) == ("choices", 5, "label")
    assert "[row" not in issue.message and "Add one." in issue.message
    issue = _pyxform_issue(PyXFormError("[row : unknown] Unmatched 'end_group'."))
    assert (issue.sheet, issue.row, issue.column) == ("survey", None, None)
    issue = _pyxform_issue(PyXFormError("Invalid headers provided for sheet: 'settings'."))
    assert (issue.sheet, issue.row, issue.column) == ("settings", None, None)
    issue = _pyxform_issue(ValueError("boom"))
    assert (issue.sheet, issue.row, issue.column) == ("", None, None)


# --- messages ----------------------------------------------------------------------------------


def test_issue_text() -> None:
    issue = XLSFormIssue("survey", 7, "constraint", "Bad expression.")
    assert str(issue) == "survey, row 7, column constraint: Bad expression."
    assert str(XLSFormIssue("settings", 2, None, "Oops.")) == "settings, row 2: Oops."
    assert str(XLSFormIssue("", None, None, "Not a workbook.")) == "Not a workbook."


def test_error_text_lists_every_issue() -> None:
    sheets = base_sheets()
    set_cell(sheets, "settings", 2, "tier", "SECRET")
    set_cell(sheets, "choices", 9, "score", "x")
    with pytest.raises(XLSFormError) as caught:
        parse(sheets)
    text = str(caught.value)
    assert "choices, row 9, column score:" in text
    assert "settings, row 2, column tier:" in text


def test_build_xlsform_writes_sheets_in_order() -> None:
    import io

    import openpyxl

    data = build_xlsform({"survey": [["type", "name"], ["text", "a"]], "choices": [["list_name"]]})
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["survey", "choices"]
    assert [list(r) for r in workbook["survey"].iter_rows(values_only=True)] == [
        ["type", "name"],
        ["text", "a"],
    ]
