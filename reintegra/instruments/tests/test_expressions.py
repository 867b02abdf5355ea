"""XLSForm expressions: ${name} references, XPath 1.0 / XForms semantics, the functions forms
use, errors. Specs are built directly (no XLSForm parsing)."""

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reintegra.instruments import expressions
from reintegra.instruments.expressions import (
    Context,
    ExpressionError,
    check_expression,
    evaluate,
    filter_choices,
    number_value,
    references,
    string_value,
    truthy,
)
from reintegra.instruments.spec import Choice, FormSpec, Question

NOW = dt.datetime(2024, 3, 15, 9, 30, 5, 250000, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def make_spec(questions, choices=None):
    return FormSpec(
        title={"en": "Test"},
        form_id="test",
        version="1",
        languages=["en", "fr"],
        default_language="en",
        tier="CASE",
        questions=questions,
        choices=choices or {},
    )


SPEC = make_spec(
    [
        Question("name", "text"),
        Question("age", "integer"),
        Question("income", "decimal"),
        Question("dob", "date"),
        Question("empty", "text"),
        Question("fruits", "select_multiple", list_name="fruits"),
        Question("fruit", "select_one", list_name="fruits"),
        Question("region", "select_one", list_name="regions"),
        Question("stamp", "calculate", calculate="once(now())"),
        Question("grp", "group", children=[Question("inner", "text")]),
        Question(
            "household",
            "repeat",
            children=[
                Question("member", "text"),
                Question("member_age", "integer"),
                Question("sub", "group", children=[Question("deep", "text")]),
                Question(
                    "child",
                    "repeat",
                    children=[Question("child_name", "text")],
                ),
            ],
        ),
    ],
    {
        "fruits": [
            Choice("apple", {"en": "Apple", "fr": "Pomme"}),
            Choice("pear", {"en": "Pear", "fr": "Poire"}),
            Choice("kiwi", {"en": "Kiwi"}),
        ],
        "regions": [
            Choice("dakar", {"en": "Dakar"}, extra={"zone": "west"}),
            Choice("thies", {"en": "Thiès"}, extra={"zone": "west"}),
            Choice("tamba", {"en": "Tambacounda"}, extra={"zone": "east"}),
        ],
        "districts": [
            Choice("d_dakar", {"en": "Dakar plateau"}, extra={"region": "dakar"}),
            Choice("d_thies", {"en": "Thiès ville"}, extra={"region": "thies"}),
            Choice("d_tamba", {"en": "Tamba"}, extra={"region": "tamba"}),
            Choice("d_goud", {"en": "Goudiry"}, extra={"region": "tamba"}),
        ],
    },
)

ANSWERS = {
    "name": "Awa Diop",
    "age": 34,
    "income": 1250.5,
    "dob": "1990-03-01",
    "fruits": ["apple", "kiwi"],
    "fruit": "pear",
    "region": "tamba",
    "inner": "inside",
    "household": [
        {
            "member": "Moussa",
            "member_age": 40,
            "deep": "d0",
            "child": [{"child_name": "A"}, {"child_name": "B"}],
        },
        {"member": "Fatou", "member_age": 12, "deep": "d1", "child": []},
        {"member": "Ibou", "member_age": 8, "deep": "d2", "child": [{"child_name": "C"}]},
    ],
}


@pytest.fixture
def ctx():
    return Context(SPEC, ANSWERS, language="en", now=NOW)


def ev(expression, context=None, **kwargs):
    context = context or Context(SPEC, ANSWERS, language="en", now=NOW)
    if kwargs:
        context = context.at(kwargs.get("question"), kwargs.get("repeat_path", ()))
    return evaluate(expression, context)


# --- references ------------------------------------------------------------------------------


def test_reference_is_the_node_set_of_the_answer(ctx):
    assert evaluate("${name}", ctx) == ["Awa Diop"]
    assert evaluate("string(${name})", ctx) == "Awa Diop"
    assert evaluate("${inner}", ctx) == ["inside"]  # inside a group


def test_empty_and_missing_answers_are_the_empty_string(ctx):
    assert evaluate("${empty} = ''", ctx) is True
    assert evaluate("string-length(${empty})", ctx) == 0
    assert evaluate("${empty} > 3", ctx) is False
    assert evaluate("${empty} < 3", ctx) is False  # NaN compares false
    assert math.isnan(evaluate("${empty} + 1", ctx))


def test_numbers_compare_as_numbers_strings_as_strings(ctx):
    assert evaluate("${age} = 34", ctx) is True
    assert evaluate("${age} = '34'", ctx) is True
    assert evaluate("${age} = 34.0", ctx) is True
    assert evaluate("${age} > 18", ctx) is True
    assert evaluate("${age} >= 34 and ${age} <= 34", ctx) is True
    assert evaluate("${age} != 34", ctx) is False
    assert evaluate("${income} > 1000.25", ctx) is True
    assert evaluate("${fruit} = 'pear'", ctx) is True
    assert evaluate("${fruit} != 'apple'", ctx) is True
    assert evaluate("${age} = true()", ctx) is True  # booleans compare as booleans


def test_arithmetic(ctx):
    assert evaluate("${age} + 1", ctx) == 35
    assert evaluate("${age} - 4", ctx) == 30
    assert evaluate("${age} * 2", ctx) == 68
    assert evaluate("${age} div 4", ctx) == 8.5
    assert evaluate("${age} mod 5", ctx) == 4
    assert evaluate("-${age}", ctx) == -34
    assert evaluate("-7 mod 3", ctx) == -1  # truncating, as XPath
    assert evaluate("1 div 0", ctx) == math.inf
    assert math.isnan(evaluate("0 div 0", ctx))
    assert math.isnan(evaluate("5 mod 0", ctx))
    assert evaluate("2 * 3 + 4", ctx) == 10
    assert evaluate("${age}-4", ctx) == 30  # no space needed after a reference


def test_outside_a_repeat_a_repeat_child_is_all_instances(ctx):
    assert evaluate("count(${member})", ctx) == 3
    assert evaluate("sum(${member_age})", ctx) == 60
    assert evaluate("count(${household})", ctx) == 3
    assert evaluate("count(${child_name})", ctx) == 3
    assert evaluate("${member}", ctx) == ["Moussa", "Fatou", "Ibou"]
    assert evaluate("${member} = 'Fatou'", ctx) is True  # existential
    assert evaluate("${member_age} > 30", ctx) is True
    assert evaluate("${member_age} > 50", ctx) is False


def test_inside_a_repeat_a_sibling_is_the_same_instance(ctx):
    second = ctx.at("member_age", [("household", 1)])
    assert evaluate("${member}", second) == ["Fatou"]
    assert evaluate("${deep}", second) == ["d1"]  # in a group of the same instance
    assert evaluate("count(${member})", second) == 1
    assert evaluate("${name}", second) == ["Awa Diop"]  # outside the repeat: absolute
    assert evaluate(". < 18", second) is True
    assert evaluate("position(..)", second) == 2
    assert evaluate("count(${household})", second) == 3  # the repeat itself: all instances


def test_nested_repeats(ctx):
    here = ctx.at("child_name", [("household", 0), ("child", 1)])
    assert evaluate(".", here) == ["B"]
    assert evaluate("${member}", here) == ["Moussa"]  # the enclosing instance
    assert evaluate("position(..)", here) == 2
    assert evaluate("position(../..)", here) == 1
    outer = ctx.at("member", [("household", 0)])
    assert evaluate("count(${child_name})", outer) == 2  # children of this instance only
    third = ctx.at("member", [("household", 2)])
    assert evaluate("count(${child_name})", third) == 1
    assert evaluate("join(',', ${child_name})", third) == "C"


def test_group_child_in_repeat_references_its_siblings(ctx):
    here = ctx.at("deep", [("household", 2)])
    assert evaluate("concat(${member}, '/', .)", here) == "Ibou/d2"
    assert evaluate("position(../..)", here) == 3


def test_current_value_dot_for_constraints(ctx):
    here = ctx.at("age")
    assert evaluate(". >= 18 and . < 120", here) is True
    assert evaluate("string-length(.) = 2", here) is True


def test_a_missing_repeat_instance_is_an_error(ctx):
    with pytest.raises(ExpressionError):
        evaluate("${member}", ctx.at("member", [("household", 9)]))
    with pytest.raises(ExpressionError):
        evaluate("${member}", ctx.at("member"))


def test_references_lists_names_once():
    assert references("${a} + ${b} * ${a} + ${ c }") == ["a", "b", "c"]
    assert references("") == []


def test_derived_contexts_share_one_instance_document(ctx):
    assert ctx.at("age").instance is ctx.instance
    assert ctx.at("member", [("household", 0)]).instance is ctx.instance


# --- functions -------------------------------------------------------------------------------


def test_selected_and_friends(ctx):
    assert evaluate("selected(${fruits}, 'kiwi')", ctx) is True
    assert evaluate("selected(${fruits}, 'pear')", ctx) is False
    assert evaluate("selected(${fruit}, 'pear')", ctx) is True
    assert evaluate("selected(${empty}, 'pear')", ctx) is False
    assert evaluate("count-selected(${fruits})", ctx) == 2
    assert evaluate("count-selected(${empty})", ctx) == 0
    assert evaluate("selected-at(${fruits}, 0)", ctx) == "apple"
    assert evaluate("selected-at(${fruits}, 1)", ctx) == "kiwi"
    assert evaluate("selected-at(${fruits}, 5)", ctx) == ""


def test_if_coalesce_once(ctx):
    assert evaluate("if(${age} >= 18, 'adult', 'minor')", ctx) == "adult"
    assert evaluate("if(${age} < 18, 'adult', 'minor')", ctx) == "minor"
    assert evaluate("if(${empty}, 1, 2)", ctx) == 1  # a node-set is true when it exists
    assert evaluate("if(string(${empty}), 1, 2)", ctx) == 2
    assert evaluate("coalesce(${empty}, ${name})", ctx) == "Awa Diop"
    assert evaluate("coalesce(${name}, 'x')", ctx) == "Awa Diop"
    # once(): the current value when there is one, else the expression
    stamp = ctx.at("stamp")
    assert evaluate("once(now())", stamp) == "2024-03-15T09:30:05.250+01:00"
    kept = Context(SPEC, {**ANSWERS, "stamp": "earlier"}, now=NOW).at("stamp")
    assert evaluate("once(now())", kept) == "earlier"


def test_string_functions(ctx):
    assert evaluate("string-length(${name})", ctx) == 8
    assert evaluate("concat(${name}, ' (', ${age}, ')')", ctx) == "Awa Diop (34)"
    assert evaluate("contains(${name}, 'Dio')", ctx) is True
    assert evaluate("starts-with(${name}, 'Awa')", ctx) is True
    assert evaluate("ends-with(${name}, 'Diop')", ctx) is True
    assert evaluate("substr(${name}, 0, 3)", ctx) == "Awa"
    assert evaluate("substr(${name}, 4)", ctx) == "Diop"
    assert evaluate("substring(${name}, 1, 3)", ctx) == "Awa"
    assert evaluate("normalize-space('  a   b ')", ctx) == "a b"
    assert evaluate("join(' ', ${member})", ctx) == "Moussa Fatou Ibou"


def test_regex(ctx):
    assert evaluate("regex(${name}, '^[A-Z][a-z]+ [A-Z]')", ctx) is True
    assert evaluate("regex('77 123 45 67', '^[0-9 ]{12}$')", ctx) is True
    assert evaluate("regex('abc', '^[0-9]+$')", ctx) is False
    with pytest.raises(ExpressionError, match="regular expression"):
        evaluate("regex(${name}, '[')", ctx)


def test_number_functions(ctx):
    assert evaluate("number('3.5')", ctx) == 3.5
    assert evaluate("number(' 12 ')", ctx) == 12
    assert math.isnan(evaluate("number('abc')", ctx))
    assert math.isnan(evaluate("number(${empty})", ctx))
    assert evaluate("number(true())", ctx) == 1
    assert evaluate("int(7.9)", ctx) == 7
    assert evaluate("int(-7.9)", ctx) == -7
    assert evaluate("int('12')", ctx) == 12
    assert math.isnan(evaluate("int(${empty})", ctx))
    assert evaluate("round(2.5)", ctx) == 3
    assert evaluate("round(-2.5)", ctx) == -2  # XPath 1.0: halves towards +infinity
    assert evaluate("round(3.14159, 2)", ctx) == 3.14
    assert evaluate("round(2.675, 2)", ctx) == 2.68
    assert evaluate("floor(2.7) + ceiling(2.1)", ctx) == 5
    assert evaluate("sum(${member_age}) div count(${member_age})", ctx) == 20
    assert evaluate("max(${member_age})", ctx) == 40
    assert evaluate("min(${member_age})", ctx) == 8
    assert evaluate("abs(-3)", ctx) == 3
    assert evaluate("pow(2, 10)", ctx) == 1024
    assert evaluate("count-non-empty(${deep})", ctx) == 3


def test_sum_with_an_empty_value_is_nan_as_in_xforms():
    answers = {"household": [{"member_age": 3}, {}]}
    assert math.isnan(evaluate("sum(${member_age})", Context(SPEC, answers)))
    assert evaluate("sum(${member_age})", Context(SPEC, {"household": []})) == 0


def test_boolean_functions(ctx):
    assert evaluate("not(true())", ctx) is False
    assert evaluate("not(false())", ctx) is True
    assert evaluate("true() and not(${age} > 100)", ctx) is True
    assert evaluate("false() or ${age} = 34", ctx) is True
    assert evaluate("boolean-from-string('true')", ctx) is True
    assert evaluate("boolean-from-string('1')", ctx) is True
    assert evaluate("boolean-from-string('yes')", ctx) is False
    assert evaluate("boolean(${age})", ctx) is True


def test_today_and_now(ctx):
    assert evaluate("today()", ctx) == "2024-03-15"
    assert evaluate("now()", ctx) == "2024-03-15T09:30:05.250+01:00"


def test_today_defaults_to_the_local_clock():
    import time_machine

    moment = dt.datetime(2025, 1, 2, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        context = Context(SPEC, {})
        assert evaluate("today()", context) == dt.datetime.now().astimezone().date().isoformat()


def test_date_arithmetic(ctx):
    # dates as days since 1970-01-01, as JavaRosa
    assert evaluate("decimal-date-time('1970-01-02')", ctx) == 1
    assert evaluate("decimal-date-time('1970-01-01T12:00:00')", ctx) == 0.5
    assert evaluate("decimal-date-time(${dob})", ctx) == (dt.date(1990, 3, 1).toordinal() - 719163)
    assert evaluate("today() - ${dob}", ctx) == (dt.date(2024, 3, 15) - dt.date(1990, 3, 1)).days
    assert evaluate("int((today() - ${dob}) div 365.25)", ctx) == 34
    assert evaluate("date(${dob} + 30)", ctx) == "1990-03-31"
    assert evaluate("date(0)", ctx) == "1970-01-01"
    assert evaluate("date('2024-02-29')", ctx) == "2024-02-29"
    assert evaluate("date('2024-02-30')", ctx) == ""
    assert evaluate("date(${empty})", ctx) == ""


def test_dates_compare(ctx):
    assert evaluate("${dob} < today()", ctx) is True
    assert evaluate("${dob} > '1989-12-31'", ctx) is True
    assert evaluate("${dob} <= date('1990-03-01')", ctx) is True
    assert evaluate("${dob} = '1990-03-01'", ctx) is True  # as strings
    assert evaluate("date(${dob}) < date('2000-01-01')", ctx) is True


def test_format_date(ctx):
    assert evaluate("format-date(${dob}, '%Y-%m-%d')", ctx) == "1990-03-01"
    assert evaluate("format-date(${dob}, '%e/%n/%y')", ctx) == "1/3/90"
    assert evaluate("format-date(${dob}, '%d %b %Y')", ctx) == "01 Mar 1990"
    assert evaluate("format-date(${dob}, '%a %e %B')", ctx) == "Thu 1 March"
    assert evaluate("format-date(now(), '%H:%M:%S.%3')", ctx) == "09:30:05.250"
    assert evaluate("format-date(${empty}, '%Y')", ctx) == ""
    french = Context(SPEC, ANSWERS, language="fr", now=NOW)
    assert evaluate("format-date(${dob}, '%e %B %Y')", french) == "1 mars 1990"


def test_choice_name_in_two_languages():
    english = Context(SPEC, ANSWERS, language="en")
    french = Context(SPEC, ANSWERS, language="fr")
    assert evaluate("jr:choice-name(${fruit}, '${fruit}')", english) == "Pear"
    assert evaluate("jr:choice-name(${fruit}, '${fruit}')", french) == "Poire"
    # no French label: the default language
    assert evaluate("jr:choice-name('kiwi', '${fruits}')", french) == "Kiwi"
    assert evaluate("jr:choice-name(selected-at(${fruits}, 0), '${fruits}')", french) == "Pomme"
    assert evaluate("jr:choice-name('nope', '${fruit}')", english) == ""


def test_choice_name_inside_a_repeat():
    spec = make_spec(
        [Question("r", "repeat", children=[Question("f", "select_one", list_name="fruits")])],
        SPEC.choices,
    )
    context = Context(spec, {"r": [{"f": "apple"}, {"f": "pear"}]}, language="fr")
    here = context.at("f", [("r", 1)])
    assert evaluate("jr:choice-name(${f}, '${f}')", here) == "Poire"


def test_position_without_argument_in_a_predicate(ctx):
    assert evaluate("count(/data/household[position() > 1])", ctx) == 2
    assert evaluate("/data/household[2]/member", ctx) == ["Fatou"]


def test_indexed_repeat(ctx):
    assert evaluate("indexed-repeat(${member}, ${household}, 2)", ctx) == ["Fatou"]
    assert evaluate("indexed-repeat(${member}, ${household}, 9)", ctx) == []


# --- choice filters --------------------------------------------------------------------------


def test_choice_filter_bare_names_are_choice_columns(ctx):
    here = ctx.at("fruit")
    names = [c.name for c in filter_choices("region = ${region}", "districts", here)]
    assert names == ["d_tamba", "d_goud"]
    west = [c.name for c in filter_choices("zone = 'west'", "regions", here)]
    assert west == ["dakar", "thies"]
    assert [c.name for c in filter_choices("name != 'kiwi'", "fruits", here)] == [
        "apple",
        "pear",
    ]
    assert [c.name for c in filter_choices("starts-with(label, 'Ki')", "fruits", here)] == ["kiwi"]
    assert len(filter_choices("", "districts", here)) == 4
    # selected() against the choice's own name, as in "not already chosen" filters
    unchosen = filter_choices("not(selected(${fruits}, name))", "fruits", here)
    assert [c.name for c in unchosen] == ["pear"]


def test_choice_filter_inside_a_repeat_uses_the_same_instance():
    spec = make_spec(
        [
            Question(
                "visit",
                "repeat",
                children=[
                    Question("region", "select_one", list_name="regions"),
                    Question(
                        "district",
                        "select_one",
                        list_name="districts",
                        choice_filter="region = ${region}",
                    ),
                ],
            )
        ],
        SPEC.choices,
    )
    context = Context(spec, {"visit": [{"region": "dakar"}, {"region": "tamba"}]})
    first = filter_choices(
        "region = ${region}", "districts", context.at("district", [("visit", 0)])
    )
    second = filter_choices(
        "region = ${region}", "districts", context.at("district", [("visit", 1)])
    )
    assert [c.name for c in first] == ["d_dakar"]
    assert [c.name for c in second] == ["d_tamba", "d_goud"]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("${age} >", "Invalid expression"),
        ("${age} > > 3", "Invalid expression"),
        ("(1 + 2", "Invalid expression"),
        ("nosuch(1)", "unknown function"),
        ("selected(${fruits})", "Invalid expression"),
        ("if(1, 2)", "Invalid expression"),
        ("${nobody} = 1", "Unknown question ${nobody}"),
        ("'unterminated", "Invalid expression"),
    ],
)
def test_bad_expressions_raise_a_clear_error(ctx, expression, fragment):
    with pytest.raises(ExpressionError) as info:
        evaluate(expression, ctx)
    assert fragment in info.value.message
    assert check_expression(SPEC, expression) is not None
    assert fragment in check_expression(SPEC, expression)


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "${age} > 18",
        ". >= 0 and . < 120",
        "selected(${fruits}, 'apple') and count-selected(${fruits}) < 3",
        "jr:choice-name(${fruit}, '${fruit}')",
        "if(${age} > 18, today(), format-date(${dob}, '%Y'))",
        "region = ${region}",
        "count(${member}) > 0 and position(..) = 1",
        "once(concat(${name}, '-', now()))",
        "regex(., '^[0-9]{9}$')",
    ],
)
def test_check_expression_accepts_good_expressions(expression):
    assert check_expression(SPEC, expression) is None


def test_compiled_expressions_are_cached(ctx):
    expressions._parse.cache_clear()
    for _ in range(5):
        evaluate("${age} * 3 > 90", ctx)
    info = expressions._parse.cache_info()
    assert info.misses == 1
    assert info.hits == 4
    # a bad expression is not re-parsed either
    for _ in range(3):
        with pytest.raises(ExpressionError):
            evaluate("1 +", ctx)
    assert expressions._parse.cache_info().misses == 2


# --- conversions -----------------------------------------------------------------------------


def test_truthy_is_xpath_boolean():
    assert truthy(True) and not truthy(False)
    assert truthy("x") and not truthy("")
    assert truthy(1) and truthy(-0.5) and not truthy(0) and not truthy(math.nan)
    assert truthy([""]) and not truthy([])
    assert not truthy(None)


def test_string_value_writes_numbers_like_xpath():
    assert string_value(3.0) == "3"
    assert string_value(2.5) == "2.5"
    assert string_value(1e20) == "100000000000000000000"
    assert string_value(1e-7) == "0.0000001"
    assert string_value(math.nan) == "NaN"
    assert string_value(True) == "true"
    assert string_value(["a", "b"]) == "a"
    assert string_value([]) == ""


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip_through_strings(x):
    assert number_value(string_value(x)) == x


@given(st.integers(-(2**50), 2**50), st.integers(-(2**50), 2**50))
def test_integer_arithmetic_and_comparison_match_python(a, b):
    spec = make_spec([Question("a", "integer"), Question("b", "integer")])
    context = Context(spec, {"a": a, "b": b})
    assert evaluate("${a} + ${b}", context) == a + b
    assert evaluate("${a} - ${b}", context) == a - b
    assert evaluate("${a} < ${b}", context) is (a < b)
    assert evaluate("${a} = ${b}", context) is (a == b)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30))
def test_any_text_answer_is_safe(text):
    spec = make_spec([Question("t", "text")])
    context = Context(spec, {"t": text})
    assert evaluate("string-length(${t})", context) == len(text)
    assert evaluate("concat(${t}, '')", context) == text
