"""The state of a web form filled from an XLSForm: coercion of posted fields, calculations,
relevance, choice filters, validation. Pure Python (Django only for gettext).

Answers
-------
A dict keyed by question name for every question outside repeats, whatever group it is in
(names are unique in a form). A repeat is a list with one dict per instance, laid out the
same way for the repeat's children. Values are typed: ``str`` (text, date ``YYYY-MM-DD``,
select_one choice name, calculate results), ``int`` (integer), ``float`` (decimal),
``list[str]`` (select_multiple). A select_one answered "other" (``or_other``) keeps its
text under ``<name>_other``. An unanswered question is absent (or ``""``/``[]``).

Paths
-----
Every question slot has a *path*, also the name of its posted field and the key of its
errors: ``name`` outside repeats, ``<repeat>__<index>__<name>`` inside (index from 0,
nested repeats chain: ``household__0__member__1__age``). ``<repeat path>__count`` is the
posted number of instances of a repeat.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .expressions import (
    Context,
    ExpressionError,
    evaluate,
    filter_choices,
    number_value,
    references,
    string_value,
    truthy,
)
from .spec import INPUT_TYPES, SELECT_TYPES, Choice, FormSpec, Question, text_in

__all__ = [
    "MAX_REPEAT_INSTANCES",
    "FormState",
    "Slot",
    "apply_defaults",
    "clean",
    "coerce",
    "evaluate_form",
    "iter_slots",
    "validate",
]

logger = logging.getLogger(__name__)

MAX_REPEAT_INSTANCES = 200
MAX_CALCULATE_PASSES = 10
ANSWERED_TYPES = (*INPUT_TYPES, *SELECT_TYPES)
OTHER = "other"
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class PostedData(Protocol):
    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...

    def keys(self) -> Any: ...


# =============================================================================================
# Walking answers
# =============================================================================================


@dataclass(frozen=True)
class Slot:
    """One question in one place of the answers (a question in a repeat has one per instance)."""

    path: str
    question: Question
    repeat_path: tuple[tuple[str, int], ...]
    parent: str | None  # path of the enclosing group or repeat, None at the top
    container: dict[str, Any] = field(compare=False, repr=False)  # where its answer lives

    @property
    def value(self) -> Any:
        return self.container.get(self.question.name)


def _instances(container: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    items = container.get(name)
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def iter_slots(spec: FormSpec, answers: Mapping[str, Any]) -> Iterator[Slot]:
    """Every question slot, in form order, containers before their children."""

    def visit(
        items: list[Question],
        container: Mapping[str, Any],
        prefix: str,
        repeat_path: tuple[tuple[str, int], ...],
        parent: str | None,
    ) -> Iterator[Slot]:
        for q in items:
            path = prefix + q.name
            yield Slot(path, q, repeat_path, parent, container)  # type: ignore[arg-type]
            if q.type == "group":
                yield from visit(q.children, container, prefix, repeat_path, path)
            elif q.type == "repeat":
                for i, instance in enumerate(_instances(container, q.name)):
                    yield from visit(
                        q.children, instance, f"{path}__{i}__", (*repeat_path, (q.name, i)), path
                    )

    yield from visit(spec.questions, answers, "", (), None)


def _copy(answers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, list):
            out[key] = [_copy(v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


# =============================================================================================
# Coercion of posted data
# =============================================================================================


def _getlist(data: Mapping[str, Any] | PostedData, key: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(key)]
    value = data.get(key) if isinstance(data, Mapping) else None
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _first(data: Mapping[str, Any] | PostedData, key: str) -> str:
    values = _getlist(data, key)
    return values[-1].strip() if values else ""


def parse_integer(text: str) -> int | None:
    text = _SPACES.sub("", text)
    if not _INTEGER.match(text):
        return None
    return int(text)


def parse_decimal(text: str) -> float | None:
    """A decimal in either notation: "1.5", "1,5", "-0,25", "1 234,5"; never "1,234.5"."""
    text = _SPACES.sub("", text)
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    if not _DECIMAL.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_date(text: str) -> str | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


# Typed inputs: the parser of a posted value (None when it cannot be read) and the message.
PARSERS: dict[str, tuple[Any, Any]] = {
    "integer": (parse_integer, lambda: _("Enter a whole number.")),
    "decimal": (parse_decimal, lambda: _("Enter a number.")),
    "date": (parse_date, lambda: _("Enter a valid date.")),
}


def _repeat_count(data: Mapping[str, Any] | PostedData, path: str, errors: dict[str, str]) -> int:
    raw = _first(data, f"{path}__count")
    if raw:
        count = parse_integer(raw)
        if count is None or count < 0:
            errors[f"{path}__count"] = _("Enter a whole number.")
        else:
            if count > MAX_REPEAT_INSTANCES:
                errors[f"{path}__count"] = _("Too many entries.")
            return min(count, MAX_REPEAT_INSTANCES)
    # No (valid) count: as many instances as the highest posted index.
    pattern = re.compile(rf"^{re.escape(path)}__(\d+)__")
    keys = data.keys() if hasattr(data, "keys") else []
    indexes = [int(m.group(1)) for key in keys if (m := pattern.match(str(key)))]
    return min(max(indexes) + 1, MAX_REPEAT_INSTANCES) if indexes else 0


def coerce(
    spec: FormSpec, data: Mapping[str, Any] | PostedData, language: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Posted fields -> (typed answers, errors by field path).

    ``data`` maps field names to lists of strings (or is a QueryDict). Only questions the
    user answers are read: calculate, note, meta questions and containers are not. A
    select_one must name one of its list's choices (choice filters are checked by
    :func:`validate`).
    """
    del language  # messages come from gettext (the active language)
    errors: dict[str, str] = {}

    def visit(items: list[Question], prefix: str, out: dict[str, Any]) -> None:
        for q in items:
            path = prefix + q.name
            if q.type == "group":
                visit(q.children, prefix, out)
            elif q.type == "repeat":
                count = _repeat_count(data, path, errors)
                instances: list[dict[str, Any]] = []
                for i in range(count):
                    instance: dict[str, Any] = {}
                    visit(q.children, f"{path}__{i}__", instance)
                    instances.append(instance)
                out[q.name] = instances
            elif q.type in ANSWERED_TYPES:
                _coerce_one(spec, q, data, path, out, errors)

    answers: dict[str, Any] = {}
    visit(spec.questions, "", answers)
    return answers, errors


def _coerce_one(
    spec: FormSpec,
    q: Question,
    data: Mapping[str, Any] | PostedData,
    path: str,
    out: dict[str, Any],
    errors: dict[str, str],
) -> None:
    names = {c.name for c in spec.choices.get(q.list_name, [])}
    if q.or_other:
        names.add(OTHER)
    if q.type == "select_multiple":
        picked = list(dict.fromkeys(v.strip() for v in _getlist(data, path) if v.strip()))
        if any(v not in names for v in picked):
            errors[path] = _("Select a valid choice.")
            picked = [v for v in picked if v in names]
        if picked:
            out[q.name] = picked
        if OTHER in picked and q.or_other:
            _coerce_other(data, q, path, out)
        return
    raw = _first(data, path)
    if raw == "":
        return
    if q.type == "text":
        out[q.name] = raw
    elif q.type in PARSERS:
        parse, message = PARSERS[q.type]
        value = parse(raw)
        if value is None:
            errors[path] = message()
        else:
            out[q.name] = value
    elif q.type == "select_one":
        if raw not in names:
            errors[path] = _("Select a valid choice.")
        else:
            out[q.name] = raw
            if raw == OTHER and q.or_other:
                _coerce_other(data, q, path, out)


def _coerce_other(
    data: Mapping[str, Any] | PostedData, q: Question, path: str, out: dict[str, Any]
) -> None:
    text = _first(data, f"{path}_other")
    if text:
        out[f"{q.name}_other"] = text


# =============================================================================================
# Defaults
# =============================================================================================


def _typed(q: Question, value: Any) -> Any:
    """An expression result or a literal, as the answer type of the question."""
    text = string_value(value).strip()
    if text in ("", "NaN", "Infinity", "-Infinity"):
        return ""
    if q.type == "integer":
        number = number_value(text)
        return int(number) if math.isfinite(number) and number == int(number) else ""
    if q.type == "decimal":
        number = number_value(text)
        return number if math.isfinite(number) else ""
    if q.type == "select_multiple":
        return text.split()
    if q.type == "date":
        return text[:10] if parse_date(text[:10]) else ""
    return text


def _is_expression(default: str) -> bool:
    return "${" in default or "(" in default


def apply_defaults(
    spec: FormSpec, answers: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """The answers with each unanswered question's default (for a new form only).

    A default is a literal, or an expression when it calls a function or names a question
    (pyxform's dynamic defaults, e.g. ``today()``).
    """
    result = _copy(answers)
    context = Context(spec, result, now=now)
    for slot in list(iter_slots(spec, result)):
        q = slot.question
        if not q.default or q.type not in (*ANSWERED_TYPES, "calculate"):
            continue
        if not _empty(slot.value):
            continue
        value: Any = q.default
        if _is_expression(q.default):
            try:
                value = evaluate(q.default, context.at(q.name, slot.repeat_path))
            except ExpressionError as exc:
                logger.warning("default of %s: %s", q.name, exc)
                continue
        typed = _typed(q, value)
        if not _empty(typed):
            slot.container[q.name] = typed
    return result


# =============================================================================================
# Form state
# =============================================================================================


@dataclass
class FormState:
    """What the web form shows, by question path."""

    answers: dict[str, Any]  # the answers with the calculations applied
    relevant: dict[str, bool]  # every slot (and repeat/group) path
    values: dict[str, Any]  # every slot path -> its answer (None when unanswered)
    calculated: dict[str, Any]  # paths of questions with a calculation -> result
    choices: dict[str, list[Choice]]  # select paths -> the choices offered
    repeat_counts: dict[str, int]  # repeat paths -> number of instances

    def is_relevant(self, path: str) -> bool:
        return self.relevant.get(path, True)


def _calculation_rank(spec: FormSpec) -> dict[str, int]:
    """Calculated questions in dependency order (cycles left in form order)."""
    calcs = [q for q in spec.walk() if q.calculate and q.type not in ("group", "repeat")]
    names = {q.name for q in calcs}
    pending = {q.name: {r for r in references(q.calculate) if r in names} - {q.name} for q in calcs}
    order: list[str] = []
    while pending:
        ready = [n for n, deps in pending.items() if not deps]
        if not ready:  # a cycle: take the first one in form order
            ready = [next(iter(pending))]
        for name in ready:
            order.append(name)
            del pending[name]
        for deps in pending.values():
            deps.difference_update(ready)
    return {name: i for i, name in enumerate(order)}


def _evaluate(
    spec: FormSpec,
    answers: Mapping[str, Any],
    language: str,
    now: datetime | None = None,
) -> tuple[FormState, Context, list[Slot]]:
    answers = _copy(answers)
    context = Context(spec, answers, language=language, now=now)
    instance = context.instance
    slots = list(iter_slots(spec, answers))

    # 1. Calculations, in dependency order, to a fixpoint.
    rank = _calculation_rank(spec)
    calc_slots = sorted(
        (s for s in slots if s.question.name in rank),
        key=lambda s: rank[s.question.name],
    )
    calculated: dict[str, Any] = {}
    for _pass in range(MAX_CALCULATE_PASSES):
        changed = False
        for slot in calc_slots:
            q = slot.question
            try:
                result = evaluate(q.calculate, context.at(q.name, slot.repeat_path))
                value = _typed(q, result)
            except ExpressionError as exc:
                logger.warning("calculate of %s: %s", slot.path, exc)
                value = ""
            calculated[slot.path] = value
            if value != slot.container.get(q.name, ""):
                changed = True
                if _empty(value):
                    slot.container.pop(q.name, None)
                else:
                    slot.container[q.name] = value
                instance.set(slot.path, value)
        if not changed:
            break

    # 2. Relevance, inherited from groups and repeats.
    relevant: dict[str, bool] = {}
    for slot in slots:
        ok = relevant.get(slot.parent, True) if slot.parent is not None else True
        q = slot.question
        if ok and q.relevant:
            try:
                ok = truthy(evaluate(q.relevant, context.at(q.name, slot.repeat_path)))
            except ExpressionError as exc:
                logger.warning("relevant of %s: %s", slot.path, exc)
                ok = True
        relevant[slot.path] = ok

    # 3. Choices after choice_filter (evaluated only where the question is shown).
    choices: dict[str, list[Choice]] = {}
    repeat_counts: dict[str, int] = {}
    values: dict[str, Any] = {}
    for slot in slots:
        q = slot.question
        values[slot.path] = slot.value
        if q.type == "repeat":
            repeat_counts[slot.path] = len(_instances(slot.container, q.name))
        if q.type not in SELECT_TYPES:
            continue
        offered = list(spec.choices.get(q.list_name, []))
        if q.choice_filter and relevant[slot.path]:
            try:
                offered = filter_choices(
                    q.choice_filter, q.list_name, context.at(q.name, slot.repeat_path)
                )
            except ExpressionError as exc:
                logger.warning("choice_filter of %s: %s", slot.path, exc)
        if q.or_other:
            offered.append(Choice(name=OTHER, label={"": _("Other")}))
        choices[slot.path] = offered

    state = FormState(answers, relevant, values, calculated, choices, repeat_counts)
    return state, context, slots


def evaluate_form(
    spec: FormSpec,
    answers: Mapping[str, Any],
    language: str = "",
    *,
    new: bool = False,
    now: datetime | None = None,
) -> FormState:
    """The form's state for these answers: calculations, relevance, choices offered.

    ``new=True`` applies the defaults first (see :func:`apply_defaults`).
    """
    if new:
        answers = apply_defaults(spec, answers, now=now)
    return _evaluate(spec, answers, language, now)[0]


# =============================================================================================
# Validation
# =============================================================================================


def _message(spec: FormSpec, text: dict[str, str], language: str, fallback: str) -> str:
    return text_in(text, language, spec.default_language) or fallback


def _check(
    spec: FormSpec, state: FormState, context: Context, slots: list[Slot], language: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for slot in slots:
        q = slot.question
        if q.type not in ANSWERED_TYPES:
            continue
        if not state.relevant.get(slot.path, True):
            continue
        value = slot.value
        if _empty(value):
            if q.required and q.type in ANSWERED_TYPES and not q.read_only:
                errors[slot.path] = _message(
                    spec, q.required_message, language, _("This question is required.")
                )
            continue
        if q.type in SELECT_TYPES:
            offered = {c.name for c in state.choices.get(slot.path, [])}
            picked = value if isinstance(value, list) else [value]
            if any(str(v) not in offered for v in picked):
                errors[slot.path] = _("Select a valid choice.")
                continue
        if q.constraint:
            try:
                ok = truthy(evaluate(q.constraint, context.at(q.name, slot.repeat_path)))
            except ExpressionError as exc:
                logger.warning("constraint of %s: %s", slot.path, exc)
                ok = False
            if not ok:
                errors[slot.path] = _message(
                    spec, q.constraint_message, language, _("This answer is not valid.")
                )
    return errors


def validate(
    spec: FormSpec, answers: Mapping[str, Any], language: str = "", *, now: datetime | None = None
) -> dict[str, str]:
    """Errors by path: required (when relevant), constraint (when relevant and answered, with
    ``.`` the answer), select answers no longer offered after their choice filter."""
    state, context, slots = _evaluate(spec, answers, language, now)
    return _check(spec, state, context, slots, language)


def _prune(spec: FormSpec, state: FormState) -> tuple[dict[str, Any], bool]:
    """The answers of relevant questions only (plus their ``_other`` text), and whether an
    answer was dropped because its question is not relevant."""
    dropped = False

    def keep(items: list[Question], container: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}

        def visit(questions: list[Question]) -> None:
            nonlocal dropped
            for q in questions:
                path = prefix + q.name
                if not state.relevant.get(path, True):
                    if q.type in ("group", "repeat") or not _empty(container.get(q.name)):
                        dropped = True
                    continue
                if q.type == "group":
                    visit(q.children)
                elif q.type == "repeat":
                    instances = [
                        keep(q.children, instance, f"{path}__{i}__")
                        for i, instance in enumerate(_instances(container, q.name))
                    ]
                    if instances:
                        out[q.name] = instances
                elif q.type in ("note",):
                    continue
                else:
                    value = container.get(q.name)
                    if _empty(value):
                        continue
                    out[q.name] = value
                    other = container.get(f"{q.name}_other")
                    picked = value if isinstance(value, list) else [value]
                    if q.or_other and OTHER in picked and not _empty(other):
                        out[f"{q.name}_other"] = other

        visit(items)
        return out

    return keep(spec.questions, state.answers, ""), dropped


def clean(
    spec: FormSpec, answers: Mapping[str, Any], language: str = "", *, now: datetime | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """What the server stores on submit: the answers of relevant questions only (with the
    calculations), and every validation error. Dropping an irrelevant answer can make other
    questions irrelevant: repeated until nothing is dropped (one evaluation when nothing is)."""
    current = _copy(answers)
    for _pass in range(100):
        state, context, slots = _evaluate(spec, current, language, now)
        pruned, dropped = _prune(spec, state)
        if not dropped:
            return pruned, _check(spec, state, context, slots, language)
        current = pruned
    state, context, slots = _evaluate(spec, current, language, now)
    return current, _check(spec, state, context, slots, language)
