"""The web form engine: coercion of posted fields, calculations, relevance, choice filters,
defaults, validation and the server-side clean on submit."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.instruments.engine import (
    apply_defaults,
    clean,
    coerce,
    evaluate_form,
    iter_slots,
    parse_decimal,
    validate,
)
from reintegra.instruments.spec import Choice, FormSpec, Question

NOW = dt.datetime(2024, 3, 15, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def make_spec(questions, choices=None, languages=("en", "fr")):
    return FormSpec(
        title={"en": "Test"},
        form_id="test",
        version="1",
        languages=list(languages),
        default_language="en",
        tier="CASE",
        questions=questions,
        choices=choices or {},
    )


CHOICES = {
    "yesno": [Choice("yes", {"en": "Yes", "fr": "Oui"}), Choice("no", {"en": "No", "fr": "Non"})],
    "fruits": [
        Choice("apple", {"en": "Apple"}),
        Choice("pear", {"en": "Pear"}),
        Choice("kiwi", {"en": "Kiwi"}),
    ],
    "regions": [Choice("dakar", {"en": "Dakar"}), Choice("tamba", {"en": "Tambacounda"})],
    "districts": [
        Choice("plateau", {"en": "Plateau"}, extra={"region": "dakar"}),
        Choice("medina", {"en": "Medina"}, extra={"region": "dakar"}),
        Choice("goudiry", {"en": "Goudiry"}, extra={"region": "tamba"}),
    ],
}


def typed_spec():
    return make_spec(
        [
            Question("name", "text"),
            Question("age", "integer"),
            Question("income", "decimal"),
            Question("dob", "date"),
            Question("happy", "select_one", list_name="yesno"),
            Question("fruits", "select_multiple", list_name="fruits"),
            Question("fruit", "select_one", list_name="fruits", or_other=True),
            Question("note", "note"),
            Question("total", "calculate", calculate="${age} * 2"),
        ],
        CHOICES,
    )


# --- coerce ----------------------------------------------------------------------------------


def test_coerce_types():
    data = {
        "name": ["  Awa  "],
        "age": ["34"],
        "income": ["1250,50"],
        "dob": ["1990-03-01"],
        "happy": ["yes"],
        "fruits": ["apple", "kiwi", "apple"],
        "fruit": ["pear"],
        "note": ["ignored"],
        "total": ["999"],
    }
    answers, errors = coerce(typed_spec(), data, "en")
    assert errors == {}
    assert answers == {
        "name": "Awa",
        "age": 34,
        "income": 1250.5,
        "dob": "1990-03-01",
        "happy": "yes",
        "fruits": ["apple", "kiwi"],
        "fruit": "pear",
    }


def test_coerce_from_a_querydict():
    data = QueryDict("name=Awa&fruits=pear&fruits=kiwi&age=&happy=")
    answers, errors = coerce(typed_spec(), data)
    assert errors == {}
    assert answers == {"name": "Awa", "fruits": ["pear", "kiwi"]}


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("age", "3.5", "Enter a whole number."),
        ("age", "abc", "Enter a whole number."),
        ("income", "1,234.5", "Enter a number."),
        ("income", "1.2.3", "Enter a number."),
        ("income", "nan", "Enter a number."),
        ("income", "1e5", "Enter a number."),
        ("dob", "01/03/1990", "Enter a valid date."),
        ("dob", "2023-02-29", "Enter a valid date."),
        ("happy", "maybe", "Select a valid choice."),
        ("happy", "other", "Select a valid choice."),  # no or_other on this one
        ("fruits", "banana", "Select a valid choice."),
    ],
)
def test_coerce_errors_are_keyed_by_field(field, raw, message):
    answers, errors = coerce(typed_spec(), {field: [raw]})
    assert errors == {field: message}
    assert field not in answers


def test_coerce_accepts_both_decimal_separators_and_spaces():
    assert parse_decimal("1,5") == 1.5
    assert parse_decimal("-0,25") == -0.25
    assert parse_decimal("1 234,5") == 1234.5
    assert parse_decimal(".5") == 0.5
    assert parse_decimal("1,2,3") is None
    answers, _ = coerce(typed_spec(), {"age": [" -12 "]})
    assert answers == {"age": -12}


def test_coerce_select_one_other_keeps_its_text():
    answers, errors = coerce(typed_spec(), {"fruit": ["other"], "fruit_other": [" mango "]})
    assert errors == {}
    assert answers == {"fruit": "other", "fruit_other": "mango"}
    answers, _ = coerce(typed_spec(), {"fruit": ["pear"], "fruit_other": ["mango"]})
    assert answers == {"fruit": "pear"}


def repeat_spec():
    return make_spec(
        [
            Question("head", "text"),
            Question(
                "household",
                "repeat",
                children=[
                    Question("member", "text", required=True),
                    Question("age", "integer"),
                    Question(
                        "details",
                        "group",
                        children=[Question("job", "text", relevant="${age} >= 15")],
                    ),
                    Question("kids", "repeat", children=[Question("kid", "text")]),
                ],
            ),
            Question("size", "calculate", calculate="count(${member})"),
        ],
        CHOICES,
    )


def test_coerce_repeats():
    data = {
        "head": ["Awa"],
        "household__count": ["3"],
        "household__0__member": ["Moussa"],
        "household__0__age": ["40"],
        "household__0__job": ["farmer"],
        "household__0__kids__count": ["2"],
        "household__0__kids__0__kid": ["A"],
        "household__0__kids__1__kid": ["B"],
        "household__1__member": ["Fatou"],
        "household__1__age": ["twelve"],
        "household__2__member": [""],
    }
    answers, errors = coerce(repeat_spec(), data)
    assert errors == {"household__1__age": "Enter a whole number."}
    assert answers == {
        "head": "Awa",
        "household": [
            {
                "member": "Moussa",
                "age": 40,
                "job": "farmer",
                "kids": [{"kid": "A"}, {"kid": "B"}],
            },
            {"member": "Fatou", "kids": []},
            {"kids": []},
        ],
    }


def test_coerce_repeat_count_inferred_or_invalid():
    data = {"household__1__member": ["Fatou"]}
    answers, errors = coerce(repeat_spec(), data)
    assert errors == {}
    assert answers["household"] == [{"kids": []}, {"member": "Fatou", "kids": []}]
    answers, errors = coerce(repeat_spec(), {"household__count": ["-1"]})
    assert errors == {"household__count": "Enter a whole number."}
    assert answers["household"] == []
    answers, errors = coerce(repeat_spec(), {"household__count": ["100000"]})
    assert errors == {"household__count": "Too many entries."}
    assert len(answers["household"]) == 200


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip(n):
    answers, errors = coerce(typed_spec(), {"age": [str(n)]})
    assert errors == {}
    assert answers["age"] == n


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 4)),
    st.sampled_from([".", ","]),
)
def test_decimals_round_trip_with_either_separator(x, separator):
    text = repr(x)
    if "e" in text:
        text = format(x, "f")
    answers, errors = coerce(typed_spec(), {"income": [text.replace(".", separator)]})
    assert errors == {}
    assert answers["income"] == x


# --- slots -----------------------------------------------------------------------------------


def test_slot_paths():
    answers = {"household": [{"kids": [{}, {}]}, {}]}
    paths = [s.path for s in iter_slots(repeat_spec(), answers)]
    assert paths == [
        "head",
        "household",
        "household__0__member",
        "household__0__age",
        "household__0__details",
        "household__0__job",
        "household__0__kids",
        "household__0__kids__0__kid",
        "household__0__kids__1__kid",
        "household__1__member",
        "household__1__age",
        "household__1__details",
        "household__1__job",
        "household__1__kids",
        "size",
    ]
    slot = next(s for s in iter_slots(repeat_spec(), answers) if s.path.endswith("1__kid"))
    assert slot.repeat_path == (("household", 0), ("kids", 1))
    assert slot.parent == "household__0__kids"


# --- calculations ----------------------------------------------------------------------------


def test_calculations_chain_in_dependency_order():
    spec = make_spec(
        [
            # declared before what they depend on
            Question("label", "calculate", calculate="concat('total=', ${double})"),
            Question("double", "calculate", calculate="${half} * 4"),
            Question("half", "calculate", calculate="${n} div 2"),
            Question("n", "integer"),
            Question("shown", "integer", read_only=True, calculate="${double} + 1"),
        ]
    )
    state = evaluate_form(spec, {"n": 5})
    assert state.answers["half"] == "2.5"
    assert state.answers["double"] == "10"
    assert state.answers["label"] == "total=10"
    assert state.answers["shown"] == 11  # typed as its question
    assert state.calculated == {"label": "total=10", "double": "10", "half": "2.5", "shown": 11}
    assert evaluate_form(spec, {}).answers.get("half") is None  # NaN -> no value


def test_calculation_cycles_stop():
    spec = make_spec(
        [
            Question("a", "calculate", calculate="${b} + 1"),
            Question("b", "calculate", calculate="coalesce(${a}, 0) + 1"),
        ]
    )
    state = evaluate_form(spec, {})
    assert set(state.calculated) == {"a", "b"}  # converged or gave up, without error


def test_calculations_in_repeats_and_over_them():
    spec = make_spec(
        [
            Question(
                "household",
                "repeat",
                children=[
                    Question("age", "integer"),
                    Question("number", "calculate", calculate="position(..)"),
                    Question("adult", "calculate", calculate="if(${age} >= 18, 1, 0)"),
                ],
            ),
            Question("adults", "calculate", calculate="sum(${adult})"),
        ]
    )
    answers = {"household": [{"age": 40}, {"age": 12}, {"age": 19}]}
    state = evaluate_form(spec, answers)
    assert [m["number"] for m in state.answers["household"]] == ["1", "2", "3"]
    assert [m["adult"] for m in state.answers["household"]] == ["1", "0", "1"]
    assert state.answers["adults"] == "2"
    assert answers == {"household": [{"age": 40}, {"age": 12}, {"age": 19}]}  # untouched


# --- relevance -------------------------------------------------------------------------------


def relevance_spec():
    return make_spec(
        [
            Question("working", "select_one", list_name="yesno", required=True),
            Question(
                "job",
                "group",
                relevant="${working} = 'yes'",
                children=[
                    Question("employer", "text", required=True),
                    Question(
                        "inner",
                        "group",
                        children=[Question("salary", "decimal", relevant="${employer} != ''")],
                    ),
                ],
            ),
            Question("why_not", "text", relevant="${working} = 'no'", required=True),
        ],
        CHOICES,
    )


def test_relevance_is_inherited_from_groups():
    state = evaluate_form(relevance_spec(), {"working": "no", "employer": "X"})
    assert state.relevant == {
        "working": True,
        "job": False,
        "employer": False,
        "inner": False,
        "salary": False,  # its own expression is true, its group is not
        "why_not": True,
    }
    state = evaluate_form(relevance_spec(), {"working": "yes", "employer": "X"})
    assert state.relevant["salary"] is True
    assert state.relevant["why_not"] is False
    assert state.is_relevant("nonexistent") is True


def test_relevance_inside_repeats():
    answers = {"household": [{"age": 40}, {"age": 10}, {}]}
    state = evaluate_form(repeat_spec(), answers)
    assert state.relevant["household__0__job"] is True
    assert state.relevant["household__1__job"] is False
    assert state.relevant["household__2__job"] is False
    assert state.repeat_counts == {
        "household": 3,
        "household__0__kids": 0,
        "household__1__kids": 0,
        "household__2__kids": 0,
    }


def test_a_relevant_repeat_makes_its_instances_irrelevant():
    spec = make_spec(
        [
            Question("has_kids", "select_one", list_name="yesno"),
            Question(
                "kids",
                "repeat",
                relevant="${has_kids} = 'yes'",
                children=[Question("kid", "text", required=True)],
            ),
        ],
        CHOICES,
    )
    answers = {"has_kids": "no", "kids": [{}]}
    state = evaluate_form(spec, answers)
    assert state.relevant["kids"] is False
    assert state.relevant["kids__0__kid"] is False
    assert validate(spec, answers) == {}
    assert clean(spec, answers) == ({"has_kids": "no"}, {})
    assert validate(spec, {"has_kids": "yes", "kids": [{}]}) == {
        "kids__0__kid": "This question is required."
    }


# --- choices ---------------------------------------------------------------------------------


def cascade_spec():
    return make_spec(
        [
            Question("region", "select_one", list_name="regions"),
            Question(
                "district",
                "select_one",
                list_name="districts",
                choice_filter="region = ${region}",
                required=True,
            ),
            Question("fruits", "select_multiple", list_name="fruits"),
            Question(
                "favourite",
                "select_one",
                list_name="fruits",
                choice_filter="selected(${fruits}, name)",
                or_other=True,
            ),
        ],
        CHOICES,
    )


def test_choices_after_choice_filter():
    state = evaluate_form(cascade_spec(), {"region": "dakar", "fruits": ["pear", "kiwi"]})
    assert [c.name for c in state.choices["region"]] == ["dakar", "tamba"]
    assert [c.name for c in state.choices["district"]] == ["plateau", "medina"]
    assert [c.name for c in state.choices["favourite"]] == ["pear", "kiwi", "other"]
    state = evaluate_form(cascade_spec(), {"region": "tamba"})
    assert [c.name for c in state.choices["district"]] == ["goudiry"]
    state = evaluate_form(cascade_spec(), {})
    assert state.choices["district"] == []


def test_an_answer_no_longer_offered_is_invalid():
    errors = validate(cascade_spec(), {"region": "tamba", "district": "medina"})
    assert errors == {"district": "Select a valid choice."}
    errors = validate(cascade_spec(), {"fruits": ["pear"], "favourite": "kiwi"})
    assert errors == {
        "favourite": "Select a valid choice.",
        "district": "This question is required.",
    }
    errors = validate(
        cascade_spec(), {"region": "tamba", "district": "goudiry", "favourite": "other"}
    )
    assert errors == {}


# --- defaults --------------------------------------------------------------------------------


def test_defaults_fill_unanswered_questions_only():
    spec = make_spec(
        [
            Question("country", "text", default="Senegal"),
            Question("visits", "integer", default="1"),
            Question("weight", "decimal", default="2.5"),
            Question("fruits", "select_multiple", list_name="fruits", default="apple pear"),
            Question("seen", "date", default="today()"),
            Question("name", "text", default="nobody"),
            Question("r", "repeat", children=[Question("x", "text", default="x!")]),
        ],
        CHOICES,
    )
    answers = apply_defaults(spec, {"name": "Awa", "r": [{}, {"x": "mine"}]}, now=NOW)
    assert answers == {
        "country": "Senegal",
        "visits": 1,
        "weight": 2.5,
        "fruits": ["apple", "pear"],
        "seen": "2024-03-15",
        "name": "Awa",
        "r": [{"x": "x!"}, {"x": "mine"}],
    }
    state = evaluate_form(spec, {}, new=True, now=NOW)
    assert state.answers["country"] == "Senegal"
    assert evaluate_form(spec, {}).answers == {}


# --- validation ------------------------------------------------------------------------------


def test_required_only_when_relevant():
    spec = relevance_spec()
    assert validate(spec, {}) == {"working": "This question is required."}
    assert validate(spec, {"working": "yes"}) == {"employer": "This question is required."}
    assert validate(spec, {"working": "no"}) == {"why_not": "This question is required."}
    assert validate(spec, {"working": "no", "why_not": "retired"}) == {}


def test_required_message_from_the_form_in_its_language():
    spec = make_spec(
        [
            Question(
                "phone",
                "text",
                required=True,
                required_message={"en": "We need a phone.", "fr": "Il faut un téléphone."},
            ),
            Question("mail", "text", required=True, required_message={"en": "Mail please."}),
        ]
    )
    assert validate(spec, {}, "fr") == {
        "phone": "Il faut un téléphone.",
        "mail": "Mail please.",  # no French: the default language
    }
    assert validate(spec, {}, "en")["phone"] == "We need a phone."


def constraint_spec():
    return make_spec(
        [
            Question(
                "age",
                "integer",
                constraint=". >= 0 and . <= 120",
                constraint_message={
                    "en": "Age is between 0 and 120.",
                    "fr": "L'âge va de 0 à 120.",
                },
            ),
            Question("phone", "text", constraint="regex(., '^[0-9]{9}$')"),
            Question(
                "end",
                "date",
                constraint=". >= ${start}",
                constraint_message={
                    "en": "Ends before it starts.",
                    "fr": "Finit avant de commencer.",
                },
            ),
            Question("start", "date"),
        ]
    )


def test_constraints_with_messages_in_two_languages():
    spec = constraint_spec()
    bad = {"age": 130, "phone": "12", "start": "2024-03-10", "end": "2024-03-01"}
    assert validate(spec, bad, "en") == {
        "age": "Age is between 0 and 120.",
        "phone": "This answer is not valid.",
        "end": "Ends before it starts.",
    }
    assert validate(spec, bad, "fr") == {
        "age": "L'âge va de 0 à 120.",
        "phone": "This answer is not valid.",
        "end": "Finit avant de commencer.",
    }
    good = {"age": 30, "phone": "771234567", "start": "2024-03-01", "end": "2024-03-10"}
    assert validate(spec, good, "fr") == {}


def test_constraints_are_not_checked_on_empty_answers():
    assert validate(constraint_spec(), {}) == {}


def test_constraints_in_repeats_use_the_instance():
    spec = make_spec(
        [
            Question("head_age", "integer"),
            Question(
                "household",
                "repeat",
                children=[
                    Question(
                        "age",
                        "integer",
                        constraint=". < ${head_age} or position(..) = 1",
                        constraint_message={"en": "Younger than the head."},
                    )
                ],
            ),
        ]
    )
    answers = {"head_age": 50, "household": [{"age": 50}, {"age": 20}, {"age": 70}]}
    assert validate(spec, answers) == {"household__2__age": "Younger than the head."}


@settings(max_examples=50)
@given(
    answers=st.fixed_dictionaries(
        {},
        optional={
            "working": st.sampled_from(["yes", "no", ""]),
            "employer": st.text(max_size=5),
            "salary": st.floats(allow_nan=False, allow_infinity=False),
            "why_not": st.sampled_from(["", "retired"]),
        },
    )
)
def test_required_and_irrelevant_never_errors(answers):
    spec = relevance_spec()
    state = evaluate_form(spec, answers)
    errors = validate(spec, answers)
    assert all(state.relevant[path] for path in errors)
    _cleaned, clean_errors = clean(spec, answers)
    assert all(state.relevant[path] for path in clean_errors)


# --- clean -----------------------------------------------------------------------------------


def test_clean_drops_irrelevant_answers_and_keeps_calculations():
    spec = relevance_spec()
    answers = {"working": "no", "employer": "X", "salary": 3.5, "why_not": "studies", "junk": 1}
    cleaned, errors = clean(spec, answers)
    assert cleaned == {"working": "no", "why_not": "studies"}
    assert errors == {}
    cleaned, errors = clean(typed_spec(), {"age": 4, "fruit": "pear", "fruit_other": "x"})
    assert cleaned == {"age": 4, "fruit": "pear", "total": "8"}
    cleaned, _ = clean(typed_spec(), {"fruit": "other", "fruit_other": "mango"})
    assert cleaned["fruit_other"] == "mango"


def test_clean_cascades_irrelevance():
    spec = make_spec(
        [
            Question("a", "select_one", list_name="yesno"),
            Question("b", "select_one", list_name="yesno", relevant="${a} = 'yes'"),
            Question("c", "text", relevant="${b} = 'yes'", required=True),
            Question("d", "calculate", calculate="concat('c=', ${c})"),
        ],
        CHOICES,
    )
    answers = {"a": "no", "b": "yes", "c": "kept?"}
    # while editing, c is still shown: b keeps its value until submit
    assert evaluate_form(spec, answers).relevant["c"] is True
    cleaned, errors = clean(spec, answers)
    assert cleaned == {"a": "no", "d": "c="}
    assert errors == {}


def test_clean_repeats():
    answers = {
        "head": "Awa",
        "household": [{"member": "Moussa", "age": 40, "job": "farmer"}, {"age": 4, "job": "no"}],
    }
    cleaned, errors = clean(repeat_spec(), answers)
    assert cleaned == {
        "head": "Awa",
        "household": [{"member": "Moussa", "age": 40, "job": "farmer"}, {"age": 4}],
        "size": "2",
    }
    assert errors == {"household__1__member": "This question is required."}


def test_bad_expressions_in_a_form_do_not_break_it(caplog):
    spec = make_spec(
        [
            Question("a", "text", relevant="${a} >"),
            Question("b", "calculate", calculate="nosuch(1)"),
            Question("c", "text", constraint="regex(., '[')"),
            Question("d", "select_one", list_name="yesno", choice_filter="+"),
        ],
        CHOICES,
    )
    state = evaluate_form(spec, {"c": "x"})
    assert state.relevant["a"] is True
    assert state.answers.get("b") is None
    assert [c.name for c in state.choices["d"]] == ["yes", "no"]
    assert validate(spec, {"c": "x"}) == {"c": "This answer is not valid."}
    assert "relevant of a" in caplog.text


def test_a_100_question_form_is_evaluated_quickly():
    import time

    questions = [Question("q0", "integer")]
    for i in range(1, 100):
        questions.append(
            Question(
                f"q{i}",
                "integer",
                relevant=f"${{q{i - 1}}} >= 0 or selected(${{s}}, 'yes')",
                constraint=". < 1000",
                required=True,
            )
        )
    questions.append(Question("s", "select_multiple", list_name="yesno"))
    spec = make_spec(questions, CHOICES)
    answers = {f"q{i}": i for i in range(100)}
    validate(spec, answers)  # warm the caches
    start = time.perf_counter()
    errors = validate(spec, answers)
    elapsed = time.perf_counter() - start
    assert errors == {}
    assert elapsed < 0.5  # ~30 ms on a laptop; generous for CI


def test_nan_is_not_a_calculated_value():
    spec = make_spec([Question("x", "decimal"), Question("y", "calculate", calculate="${x} * 2")])
    assert evaluate_form(spec, {"x": 1.25}).answers["y"] == "2.5"
    assert "y" not in evaluate_form(spec, {}).answers
