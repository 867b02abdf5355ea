"""Scores of a response (DESIGN.md §7): properties checked with hypothesis, then worked examples
computed by hand.

Forms are built as FormSpec values directly (the XLSForm reader has its own tests); one test
goes through an .xlsx to check the two fit together.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.instruments.scoring import Scores, item_score, score
from reintegra.instruments.spec import Choice, Dimension, FormSpec, Question
from reintegra.instruments.xlsform import build_xlsform, parse_xlsform

# --- building forms ----------------------------------------------------------------------------


def make_spec(
    items: list[dict[str, Any]],
    dimensions: list[Dimension],
    in_repeat: Collection[str] = (),
) -> FormSpec:
    """A form with one scored select_one per item: {name, dimension, weight, scores}; an item's
    choice list has a scored choice per score (`c0`, `c1`, ...) and an unscored `dk`. Items named
    in `in_repeat` sit in the repeat `visits`."""
    top: list[Question] = []
    repeat = Question(name="visits", type="repeat")
    choices: dict[str, list[Choice]] = {}
    for item in items:
        list_name = f"list_{item['name']}"
        choices[list_name] = [
            Choice(name=f"c{i}", label={"en": f"C{i}"}, score=s)
            for i, s in enumerate(item["scores"])
        ] + [Choice(name="dk", label={"en": "Don't know"})]
        question = Question(
            name=item["name"],
            type="select_one",
            list_name=list_name,
            dimension=item["dimension"],
            weight=item["weight"],
        )
        (repeat.children if item["name"] in in_repeat else top).append(question)
    if repeat.children:
        top.append(repeat)
    return FormSpec(
        title={"en": "Test"},
        form_id="test",
        version="1",
        languages=["en"],
        default_language="en",
        tier="CASE",
        questions=top,
        choices=choices,
        dimensions=dimensions,
    )


def best(item: dict[str, Any]) -> str:
    return f"c{item['scores'].index(max(item['scores']))}"


def worst(item: dict[str, Any]) -> str:
    return f"c{item['scores'].index(min(item['scores']))}"


def normalised(item: dict[str, Any], choice: str) -> float:
    scores = item["scores"]
    s = scores[int(choice[1:])]
    low, high = min(scores), max(scores)
    return 1.0 if high == low else (s - low) / (high - low)


@dataclass
class Case:
    """A form and one response: `top` answers the items outside the repeat, `instances` are
    the repeat's instances (each answering some of the repeated items)."""

    spec: FormSpec
    items: list[dict[str, Any]]
    top: dict[str, str] = field(default_factory=dict)
    instances: list[dict[str, str]] = field(default_factory=list)

    @property
    def repeated(self) -> set[str]:
        repeat = self.spec.question("visits")
        return {q.name for q in repeat.children} if repeat else set()

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.top)
        if self.repeated:
            out["visits"] = [dict(i) for i in self.instances]
        return out

    def answering(self, choose: Callable[[dict[str, Any]], str]) -> Case:
        """Every item answered by `choose`, in every instance (at least one) of the repeat."""
        top = {i["name"]: choose(i) for i in self.items if i["name"] not in self.repeated}
        inside = {i["name"]: choose(i) for i in self.items if i["name"] in self.repeated}
        count = max(1, len(self.instances))
        return dataclasses.replace(self, top=top, instances=[dict(inside)] * count)

    def without(self, name: str) -> Case:
        """The same response with no answer to item `name`."""
        return dataclasses.replace(
            self,
            top={k: v for k, v in self.top.items() if k != name},
            instances=[{k: v for k, v in i.items() if k != name} for i in self.instances],
        )

    def with_spec(self, spec: FormSpec, items: list[dict[str, Any]] | None = None) -> Case:
        return dataclasses.replace(self, spec=spec, items=self.items if items is None else items)

    def triples(self) -> list[tuple[str, float, float]]:
        """(dimension, weight, normalised score) of every answered scored item."""
        by_name = {i["name"]: i for i in self.items}
        out = []
        for values in [self.top, *self.instances]:
            for name, choice in values.items():
                item = by_name.get(name)
                if item is not None and choice != "dk":
                    out.append((item["dimension"], item["weight"], normalised(item, choice)))
        return out

    def expected(self) -> tuple[dict[str, float | None], float | None]:
        """DESIGN.md §7 computed directly from the triples."""
        answered = self.triples()
        dims: dict[str, float | None] = {}
        for d in self.spec.dimensions:
            mine = [(w, n) for name, w, n in answered if name == d.name]
            total = sum(w for w, _ in mine)
            dims[d.name] = sum(w * n for w, n in mine) / total if mine else None
        weights = {d.name: d.composite_weight for d in self.spec.dimensions}
        scored = [(weights[d], v) for d, v in dims.items() if v is not None]
        composite = sum(w * v for w, v in scored) / sum(w for w, _ in scored) if scored else None
        return dims, composite

    def score(self) -> Scores:
        return score(self.spec, self.answers())


# --- strategies --------------------------------------------------------------------------------

WEIGHTS = st.floats(min_value=0.1, max_value=10, allow_nan=False, allow_infinity=False)
SCORES = st.one_of(
    st.integers(min_value=-5, max_value=10).map(float),
    st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False),
)


@st.composite
def forms(draw: st.DrawFn, distinct: bool = False) -> Case:
    """A form with 1-3 declared dimensions and 1-8 scored items (some in a repeat), not yet
    answered. With `distinct`, each item's best and worst choices score differently."""
    n_dims = draw(st.integers(min_value=1, max_value=3))
    dimensions = [Dimension(name=f"d{i}", composite_weight=draw(WEIGHTS)) for i in range(n_dims)]
    n_items = draw(st.integers(min_value=1, max_value=8))
    items = []
    for i in range(n_items):
        scores = draw(st.lists(SCORES, min_size=2 if distinct else 1, max_size=5, unique=distinct))
        items.append(
            {
                "name": f"q{i}",
                "dimension": f"d{draw(st.integers(min_value=0, max_value=n_dims - 1))}",
                "weight": draw(WEIGHTS),
                "scores": scores,
            }
        )
    in_repeat = {item["name"] for item in items if draw(st.booleans())}
    case = Case(make_spec(items, dimensions, in_repeat), items)
    return dataclasses.replace(case, instances=[{}] * draw(st.integers(0, 3)))


@st.composite
def answered_forms(draw: st.DrawFn) -> Case:
    """A form and a response: each item unanswered, answered "don't know" or with a choice."""
    case = draw(forms())

    def answers(names: set[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in case.items:
            if item["name"] not in names:
                continue
            choice = draw(
                st.one_of(
                    st.none(),
                    st.just("dk"),
                    st.integers(0, len(item["scores"]) - 1).map(lambda i: f"c{i}"),
                )
            )
            if choice is not None:
                out[item["name"]] = choice
        return out

    outside = {i["name"] for i in case.items} - case.repeated
    return dataclasses.replace(
        case,
        top=answers(outside),
        instances=[answers(case.repeated) for _ in case.instances],
    )


def assert_scores(actual: Scores, dims: dict[str, float | None], composite: float | None) -> None:
    assert actual.dimensions.keys() == dims.keys()
    for name, value in dims.items():
        if value is None:
            assert actual.dimensions[name] is None
        else:
            assert actual.dimensions[name] == pytest.approx(value, rel=1e-9, abs=1e-12)
    if composite is None:
        assert actual.composite is None
    else:
        assert actual.composite == pytest.approx(composite, rel=1e-9, abs=1e-12)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- properties --------------------------------------------------------------------------------


@PROPERTY
@given(answered_forms())
def test_every_score_is_between_0_and_1(case: Case) -> None:
    result = case.score()
    for value in [*result.dimensions.values(), result.composite]:
        assert value is None or 0.0 <= value <= 1.0
    for question in case.spec.scored_questions():
        for choice in case.spec.choices[question.list_name]:
            n = item_score(case.spec, question, choice.name)
            assert n is None or 0.0 <= n <= 1.0


@PROPERTY
@given(answered_forms())
def test_scores_follow_the_formula(case: Case) -> None:
    assert_scores(case.score(), *case.expected())


@PROPERTY
@given(forms())
def test_all_best_answers_score_1(case: Case) -> None:
    result = case.answering(best).score()
    used = {item["dimension"] for item in case.items}
    for name, value in result.dimensions.items():
        assert value == (1.0 if name in used else None)
    assert result.composite == 1.0


@PROPERTY
@given(forms(distinct=True))
def test_all_worst_answers_score_0(case: Case) -> None:
    result = case.answering(worst).score()
    used = {item["dimension"] for item in case.items}
    for name, value in result.dimensions.items():
        assert value == (0.0 if name in used else None)
    assert result.composite == 0.0


@PROPERTY
@given(answered_forms(), st.data())
def test_unanswered_items_are_left_out(case: Case, data: st.DataObject) -> None:
    """Removing the answers to one item scores as if the item were not in the form."""
    gone = data.draw(st.sampled_from(case.items))["name"]
    without = case.without(gone)
    remaining = [item for item in case.items if item["name"] != gone]
    smaller = make_spec(remaining, case.spec.dimensions, case.repeated - {gone})
    reference = without.with_spec(smaller, remaining).score()
    assert_scores(without.score(), reference.dimensions, reference.composite)
    # an unscored answer ("don't know") counts as unanswered
    dont_know = dataclasses.replace(
        without,
        top={**without.top, gone: "dk"} if gone not in case.repeated else without.top,
        instances=[{**i, gone: "dk"} if gone in case.repeated else i for i in without.instances],
    )
    assert dont_know.score() == without.score()


@PROPERTY
@given(answered_forms(), st.data())
def test_changing_a_weight_changes_scores_as_the_formula_says(
    case: Case, data: st.DataObject
) -> None:
    item = data.draw(st.sampled_from(case.items))
    new_weight = data.draw(WEIGHTS)
    changed = copy.deepcopy(case.spec)
    question = changed.question(item["name"])
    assert question is not None
    question.weight = new_weight
    changed_items = [
        {**i, "weight": new_weight} if i["name"] == item["name"] else i for i in case.items
    ]
    assert_scores(
        case.with_spec(changed).score(), *case.with_spec(changed, changed_items).expected()
    )

    # and a composite weight: the composite follows, dimension scores do not move
    dimension = data.draw(st.sampled_from(case.spec.dimensions))
    reweighted = copy.deepcopy(case.spec)
    for d in reweighted.dimensions:
        if d.name == dimension.name:
            d.composite_weight = data.draw(WEIGHTS)
    result = case.with_spec(reweighted).score()
    assert_scores(result, *case.with_spec(reweighted).expected())
    assert result.dimensions == case.score().dimensions


@PROPERTY
@given(answered_forms(), st.floats(min_value=0.1, max_value=10))
def test_scaling_every_weight_changes_nothing(case: Case, factor: float) -> None:
    scaled = copy.deepcopy(case.spec)
    for q in scaled.walk():
        q.weight *= factor
    for d in scaled.dimensions:
        d.composite_weight *= factor
    original = case.score()
    assert_scores(case.with_spec(scaled).score(), original.dimensions, original.composite)


# --- worked examples ---------------------------------------------------------------------------


@pytest.fixture
def example() -> FormSpec:
    """safety: q1 (weight 2, scores 0..3), q2 (weight 1, scores 1..5), q3 (weight 1, 0..1 + dk);
    income: q4 in the repeat `visits` (scores 0 and 10); housing: declared, no question.
    Composite weights: safety 2, income 1, housing 1."""
    spec = make_spec(
        [
            {"name": "q1", "dimension": "safety", "weight": 2.0, "scores": [0, 1, 2, 3]},
            {"name": "q2", "dimension": "safety", "weight": 1.0, "scores": [1, 2, 3, 4, 5]},
            {"name": "q3", "dimension": "safety", "weight": 1.0, "scores": [0, 1]},
            {"name": "q4", "dimension": "income", "weight": 1.0, "scores": [0, 10]},
        ],
        [Dimension("safety", composite_weight=2.0), Dimension("income"), Dimension("housing")],
        in_repeat={"q4"},
    )
    return spec


def test_item_scores(example: FormSpec) -> None:
    q1, q2 = example.question("q1"), example.question("q2")
    assert q1 is not None and q2 is not None
    assert item_score(example, q1, "c2") == pytest.approx(2 / 3)
    assert item_score(example, q1, "c0") == 0.0
    assert item_score(example, q1, "c3") == 1.0
    assert item_score(example, q2, "c1") == pytest.approx(0.25)  # (2 - 1) / (5 - 1)
    assert item_score(example, q1, "dk") is None  # unscored choice
    assert item_score(example, q1, None) is None  # unanswered
    assert item_score(example, q1, "") is None
    assert item_score(example, q1, "c9") is None  # not a choice


def test_worked_example(example: FormSpec) -> None:
    answers = {
        "q1": "c2",  # n = 2/3, weight 2
        "q2": "c4",  # n = 1, weight 1
        "q3": "dk",  # unscored: left out
        "visits": [{"q4": "c1"}, {"q4": "c0"}, {}],  # n = 1, 0; the third visit unanswered
    }
    result = score(example, answers)
    # safety = (2·2/3 + 1·1) / (2 + 1) = 7/9; income = (1 + 0) / 2 = 1/2; housing: no item
    assert result.dimensions == {
        "safety": pytest.approx(7 / 9),
        "income": pytest.approx(1 / 2),
        "housing": None,
    }
    # composite = (2·7/9 + 1·1/2) / (2 + 1) = 37/54
    assert result.composite == pytest.approx(37 / 54)
    assert result.to_dict() == {
        "dimensions": {"safety": result.dimensions["safety"], "income": 0.5, "housing": None},
        "composite": result.composite,
    }
    assert Scores.from_dict(result.to_dict()) == result


def test_nothing_answered(example: FormSpec) -> None:
    result = score(example, {"q3": "dk", "visits": []})
    assert result == Scores({"safety": None, "income": None, "housing": None}, None)


def test_all_choices_scoring_the_same(example: FormSpec) -> None:
    flat = dataclasses.replace(
        example,
        choices={
            **example.choices,
            "list_q3": [Choice("a", {}, 2.0), Choice("b", {}, 2.0), Choice("dk", {})],
        },
    )
    q3 = flat.question("q3")
    assert q3 is not None
    assert item_score(flat, q3, "a") == 1.0
    assert item_score(flat, q3, "dk") is None
    assert score(flat, {"q3": "b"}).dimensions["safety"] == 1.0


def test_unscored_questions_do_not_count(example: FormSpec) -> None:
    spec = copy.deepcopy(example)
    q2 = spec.question("q2")
    assert q2 is not None
    q2.dimension = ""  # no longer scored
    result = score(spec, {"q1": "c0", "q2": "c4"})
    assert result.dimensions["safety"] == 0.0


def test_dimensions_used_but_not_declared_weigh_1() -> None:
    spec = make_spec(
        [
            {"name": "a", "dimension": "x", "weight": 1.0, "scores": [0, 1]},
            {"name": "b", "dimension": "y", "weight": 1.0, "scores": [0, 4]},
        ],
        [],
    )
    result = score(spec, {"a": "c1", "b": "c0"})
    assert result.dimensions == {"x": 1.0, "y": 0.0}
    assert result.composite == 0.5


def test_nested_repeats_count_each_instance() -> None:
    spec = make_spec([{"name": "a", "dimension": "x", "weight": 1.0, "scores": [0, 1]}], [])
    inner = spec.questions[0]
    spec.questions = [
        Question(
            name="households",
            type="repeat",
            children=[Question(name="members", type="repeat", children=[inner])],
        )
    ]
    answers = {
        "households": [
            {"members": [{"a": "c1"}, {"a": "c1"}]},
            {"members": [{"a": "c0"}]},
            {"members": "not a list"},
        ]
    }
    assert score(spec, answers).dimensions == {"x": pytest.approx(2 / 3)}


def test_scoring_a_parsed_xlsform() -> None:
    data = build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "dimension", "weight"],
                ["begin group", "safety_group", "Safety", None, None],
                ["select_one freq", "feel_safe", "Do you feel safe?", "safety", 3],
                ["select_one freq", "threats", "Free of threats?", "safety", None],
                ["end group", None, None, None, None],
                ["begin repeat", "jobs", "Jobs", None, None],
                ["select_one yn", "paid", "Paid on time?", "income", None],
                ["end repeat", None, None, None, None],
            ],
            "choices": [
                ["list_name", "name", "label", "score"],
                ["freq", "never", "Never", 0],
                ["freq", "sometimes", "Sometimes", 1],
                ["freq", "always", "Always", 4],
                ["freq", "dk", "Don't know", None],
                ["yn", "yes", "Yes", 1],
                ["yn", "no", "No", 0],
            ],
            "dimensions": [
                ["name", "label", "composite_weight"],
                ["safety", "Safety", 3],
                ["income", "Income", None],
            ],
        }
    )
    spec = parse_xlsform(data)
    answers = {
        "feel_safe": "sometimes",  # 1/4, weight 3
        "threats": "always",  # 1, weight 1
        "jobs": [{"paid": "yes"}, {"paid": "no"}, {"paid": "yes"}],  # 2/3
    }
    result = score(spec, answers)
    safety = (3 * 0.25 + 1 * 1) / 4  # 7/16
    assert result.dimensions == {"safety": pytest.approx(safety), "income": pytest.approx(2 / 3)}
    assert result.composite == pytest.approx((3 * safety + 2 / 3) / 4)
