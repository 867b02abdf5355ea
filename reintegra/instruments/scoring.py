"""Scores of a response, as DESIGN.md §7 declares them in the form itself.

- Item score of a scored `select_one` answer: `n = (s − min) / (max − min)` over the scores of
  that question's choices (1.0 when every scored choice has the same score).
- Dimension score: `D = Σ wᵢ·nᵢ / Σ wᵢ` over the answered scored items of the dimension
  (unanswered and unscored answers, e.g. "don't know", are left out; no item → None).
- Composite: `C = Σ W_d·D_d / Σ W_d` over the dimensions that have a score (`W_d` is the
  dimension's `composite_weight`, 1 when the dimension is not declared).

Answers are a dict name → value. Questions inside groups are at the top level; a repeat's
answers are a list of dicts, `answers[repeat] = [{child: value}, ...]`, and each instance of a
scored question inside a repeat counts as one item. Nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .spec import FormSpec, Question

__all__ = ["Scores", "item_score", "score"]


@dataclass
class Scores:
    dimensions: dict[str, float | None] = field(default_factory=dict)
    composite: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"dimensions": dict(self.dimensions), "composite": self.composite}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scores:
        return cls(dimensions=dict(data.get("dimensions", {})), composite=data.get("composite"))


def item_score(spec: FormSpec, question: Question, answer: Any) -> float | None:
    """The normalised score in [0, 1] of one answer to a scored select_one question, or None
    when the question is not scored, is unanswered, or the answer carries no score."""
    if question.type != "select_one":
        return None
    if isinstance(answer, int) and not isinstance(answer, bool):
        answer = str(answer)
    if not isinstance(answer, str) or not answer:
        return None
    choices = spec.choices.get(question.list_name, [])
    scores = [c.score for c in choices if c.score is not None]
    if not scores:
        return None
    chosen = next((c for c in choices if c.name == answer and c.score is not None), None)
    if chosen is None or chosen.score is None:
        return None
    low, high = min(scores), max(scores)
    if high == low:
        return 1.0
    return (chosen.score - low) / (high - low)


def _repeat_paths(spec: FormSpec) -> dict[str, tuple[str, ...]]:
    """Question name → the names of the repeats it sits in, outermost first."""
    out: dict[str, tuple[str, ...]] = {}

    def visit(items: list[Question], repeats: tuple[str, ...]) -> None:
        for q in items:
            out[q.name] = repeats
            visit(q.children, (*repeats, q.name) if q.type == "repeat" else repeats)

    visit(spec.questions, ())
    return out


def _values(answers: Mapping[str, Any], repeats: tuple[str, ...], name: str) -> list[Any]:
    """Every answer to `name`: one outside repeats, one per instance inside them."""
    if not repeats:
        return [answers.get(name)]
    instances = answers.get(repeats[0])
    if not isinstance(instances, list):
        return []
    out: list[Any] = []
    for instance in instances:
        if isinstance(instance, Mapping):
            out.extend(_values(instance, repeats[1:], name))
    return out


def dimension_names(spec: FormSpec) -> list[str]:
    """The dimensions declared on the dimensions sheet, then any other used by a question."""
    names = [d.name for d in spec.dimensions]
    for q in spec.walk():
        if q.dimension and q.dimension not in names:
            names.append(q.dimension)
    return names


def score(spec: FormSpec, answers: Mapping[str, Any]) -> Scores:
    """Every dimension's score (None without an answered scored item) and the composite."""
    names = dimension_names(spec)
    weighted: dict[str, float] = dict.fromkeys(names, 0.0)
    weights: dict[str, float] = dict.fromkeys(names, 0.0)
    paths = _repeat_paths(spec)
    for question in spec.scored_questions():
        for value in _values(answers, paths.get(question.name, ()), question.name):
            n = item_score(spec, question, value)
            if n is None:
                continue
            weighted[question.dimension] += question.weight * n
            weights[question.dimension] += question.weight

    dimensions: dict[str, float | None] = {
        name: weighted[name] / weights[name] if weights[name] > 0 else None for name in names
    }

    composite_weights = {d.name: d.composite_weight for d in spec.dimensions}
    total = 0.0
    total_weight = 0.0
    for name, value in dimensions.items():
        if value is None:
            continue
        weight = composite_weights.get(name, 1.0)
        total += weight * value
        total_weight += weight
    composite = total / total_weight if total_weight > 0 else None
    return Scores(dimensions=dimensions, composite=composite)
