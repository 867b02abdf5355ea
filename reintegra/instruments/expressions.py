"""XLSForm / XForms expressions evaluated with a real XPath 1.0 engine (elementpath).

How it works
------------
* The answers are turned into an XML instance document shaped like the XForm's primary
  instance: ``<data>`` holding one element per question, groups as elements wrapping their
  children, one element per repeat instance. Empty answers are empty elements (the empty
  string, as in XForms). The document is built once per :class:`Context` (one evaluation
  pass) and shared by every :meth:`Context.at` derived from it.
* ``${name}`` is translated to the path of that node, the way pyxform does it: an absolute
  path (``/data/grp/name``), or, when the current question and the target share a repeat,
  a path relative to the current question (``../sibling``) so that it resolves in the same
  repeat instance. From outside a repeat, a reference to a repeat child is the node-set of
  all its instances (``count(${child})``, ``sum(${child})``).
* The expression is parsed by a subclass of elementpath's ``XPath1Parser`` where the
  comparison and arithmetic operators follow XPath 1.0 / XForms conversions (empty string
  -> NaN, ``'20' = 20`` compares numbers...) and the XForms/JavaRosa functions are
  registered. Compiled expressions are cached on the translated string.
* Dates are strings (``YYYY-MM-DD``); converted to a number (arithmetic, ``<``/``>``,
  ``number()``, ``decimal-date-time()``) a date or date-time string is the number of days
  since 1970-01-01, as JavaRosa does, so ``today() - ${dob}`` is an age in days and
  ``${end} >= ${start}`` compares dates. ``=`` and ``!=`` compare them as strings.

Results of :func:`evaluate` are Python values: ``str``, ``float``/``int``, ``bool``, or a
``list[str]`` (the string values of a node-set; its XPath boolean is "non-empty").
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from elementpath import XPath1Parser, XPathContext
from elementpath.datatypes import AnyAtomicType
from elementpath.exceptions import ElementPathError
from elementpath.namespaces import XML_NAMESPACE
from elementpath.tree_builders import get_node_tree
from elementpath.xpath_nodes import ElementNode, XPathNode
from elementpath.xpath_tokens import AsteriskToken, XPathToken

from .spec import FormSpec, Question, text_in

__all__ = [
    "Context",
    "ExpressionError",
    "Instance",
    "check_expression",
    "evaluate",
    "filter_choices",
    "number_value",
    "references",
    "string_value",
    "truthy",
]

JR_NAMESPACE = "http://openrosa.org/javarosa"
ROOT = "data"
_REF = re.compile(r"\$\{([^}]*)\}")
_NUMBER = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic on purpose
_XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


class ExpressionError(ValueError):
    """A bad expression: syntax, unknown ``${name}``, unknown function, bad argument..."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# =============================================================================================
# Value conversions (XPath 1.0 string(), number(), boolean())
# =============================================================================================


def _format_number(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    # XPath writes numbers without exponent; the shortest repr keeps the round trip exact.
    text = format(Decimal(repr(x)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def string_value(value: Any) -> str:
    """XPath string(): a node-set gives its first node's value, numbers print like XPath."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, Decimal):
        return _format_number(float(value))
    if isinstance(value, XPathNode):
        return value.compat_string_value
    if isinstance(value, list):
        return string_value(value[0]) if value else ""
    return str(value)


def _days(text: str) -> float | None:
    """Days since 1970-01-01 (wall clock) of a date or date-time string, else None."""
    moment = _parse_moment(text)
    if moment is None:
        return None
    return (moment - _EPOCH).total_seconds() / 86400


def _parse_moment(text: str) -> dt.datetime | None:
    m = _DATETIME.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, _tz = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return dt.datetime(  # noqa: DTZ001 - wall clock
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError:
        return None


def number_value(value: Any) -> float:
    """XPath number(), plus dates as days since the epoch (JavaRosa). NaN when not a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = string_value(value)
    if _NUMBER.match(text):
        return float(text)
    days = _days(text)
    return math.nan if days is None else days


def truthy(value: Any) -> bool:
    """XPath boolean()."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return not (math.isnan(value) or value == 0)
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, XPathNode):
        return True
    if value is None:
        return False
    return len(string_value(value)) > 0


def _is_nodeset(value: Any) -> bool:
    return isinstance(value, list | XPathNode)


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


# =============================================================================================
# Parser: XPath 1.0 with XForms operators and functions
# =============================================================================================


class XFormsParser(XPath1Parser):
    """XPath 1.0 as XForms uses it (one parser class per module: an elementpath rule)."""

    DEFAULT_NAMESPACES = {"xml": XML_NAMESPACE, "jr": JR_NAMESPACE}
    # allow `current()/../x` (a function call as first path step), as XPath 1.0 does
    PATH_STEP_LABELS = ("axis", "function", "kind test")
    function_signatures = {}  # noqa: RUF012 - our own table, not XPath1Parser's


def _arg(tok: XPathToken, index: int, context: Any) -> Any:
    """The value of an argument (a list for a node-set)."""
    return tok[index].evaluate(copy(context))


def _env(tok: XPathToken, context: Any) -> _Env:
    env = getattr(context, "xforms", None) if context is not None else None
    if env is None:
        raise tok.missing_context()
    return env


def _function(name: str, nargs: int | tuple[int, int | None], prefix: str | None = None) -> Any:
    """Register (or replace, in our parser only) a function; decorates its evaluate."""

    def decorator(evaluate: Any) -> Any:
        lookup = f"{{{JR_NAMESPACE}}}{name}" if prefix else name
        if lookup in XFormsParser.symbol_table:
            del XFormsParser.symbol_table[lookup]  # never mutate XPath1Parser's class
        token_class = XFormsParser.function(name, prefix=prefix, nargs=nargs)
        token_class.evaluate = evaluate  # type: ignore[method-assign]
        return evaluate

    return decorator


# --- operators -------------------------------------------------------------------------------


def _compare_atoms(op: str, a: Any, b: Any) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            result = truthy(a) == truthy(b)
        elif isinstance(a, int | float | Decimal) or isinstance(b, int | float | Decimal):
            result = number_value(a) == number_value(b)
        else:
            result = string_value(a) == string_value(b)
        return result if op == "=" else not result
    x, y = number_value(a), number_value(b)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _compare(op: str, left: Any, right: Any) -> bool:
    """XPath 1.0 §3.4 comparisons, node-sets existentially."""
    if _is_nodeset(left) and isinstance(right, bool):
        return _compare_atoms(op, truthy(left), right)
    if _is_nodeset(right) and isinstance(left, bool):
        return _compare_atoms(op, left, truthy(right))
    lefts = [string_value(n) for n in _items(left)] if _is_nodeset(left) else [left]
    rights = [string_value(n) for n in _items(right)] if _is_nodeset(right) else [right]
    return any(_compare_atoms(op, a, b) for a in lefts for b in rights)


def _override(symbol: str, **methods: Any) -> None:
    """Replace a token class by a subclass, in our parser only."""
    base = XFormsParser.symbol_table[symbol]
    namespace = {"__module__": __name__, **methods}
    metaclass: Any = type(base)
    XFormsParser.symbol_table[symbol] = metaclass(f"_XForms{base.__name__}", (base,), namespace)


def _comparison(self: XPathToken, context: Any = None) -> bool:
    return _compare(self.symbol, _arg(self, 0, context), _arg(self, 1, context))


for _symbol in ("=", "!=", "<", "<=", ">", ">="):
    _override(_symbol, evaluate=_comparison)


def _arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1, y)
        return x / y
    # mod: truncating, like XPath 1.0
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    if math.isinf(y):
        return x
    return math.fmod(x, y)


def _binary(self: XPathToken, context: Any = None) -> Any:
    if len(self) == 1:  # unary + / -
        x = number_value(_arg(self, 0, context))
        return -x if self.symbol == "-" else x
    x = number_value(_arg(self, 0, context))
    y = number_value(_arg(self, 1, context))
    return _arithmetic(self.symbol, x, y)


for _symbol in ("+", "-", "div", "mod"):
    _override(_symbol, evaluate=_binary)


class _Asterisk(AsteriskToken):
    """`*`: multiplication with XPath 1.0 conversions, else the wildcard."""

    def evaluate(self, context: Any = None) -> Any:
        if len(self) == 2:
            x = number_value(_arg(self, 0, context))
            return _arithmetic("*", x, number_value(_arg(self, 1, context)))
        return super().evaluate(context)


XFormsParser.symbol_table["*"] = _Asterisk


# --- XPath 1.0 functions redefined for XForms -------------------------------------------------


@_function("number", (0, 1))
def _number(self: XPathToken, context: Any = None) -> float:
    if not self:
        if context is None:
            raise self.missing_context()
        return number_value(context.item)
    return number_value(_arg(self, 0, context))


@_function("sum", 1)
def _sum(self: XPathToken, context: Any = None) -> float:
    return float(sum(number_value(n) for n in _items(_arg(self, 0, context))))


@_function("round", (1, 2))
def _round(self: XPathToken, context: Any = None) -> float:
    x = number_value(_arg(self, 0, context))
    if math.isnan(x) or math.isinf(x):
        return x
    if len(self) == 1:
        return float(math.floor(x + 0.5))  # XPath 1.0: halves towards +infinity
    digits = int(number_value(_arg(self, 1, context)))
    try:
        quantum = Decimal(1).scaleb(-digits)
        return float(Decimal(repr(x)).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return x


@_function("position", (0, 1))
def _position(self: XPathToken, context: Any = None) -> int:
    if context is None:
        raise self.missing_context()
    if not self:
        return int(context.position)
    nodes = [n for n in _items(_arg(self, 0, context)) if isinstance(n, ElementNode)]
    if not nodes:
        raise self.error("XPTY0004", "position() needs a node")
    node = nodes[0]
    parent = node.parent
    if parent is None:
        return 1
    same = [c for c in parent.children if isinstance(c, ElementNode) and c.name == node.name]
    return next(i for i, c in enumerate(same, start=1) if c is node)


# --- XForms / JavaRosa functions -------------------------------------------------------------


@_function("if", 3)
def _if(self: XPathToken, context: Any = None) -> Any:
    chosen = 1 if truthy(_arg(self, 0, context)) else 2
    return _arg(self, chosen, context)


@_function("coalesce", 2)
def _coalesce(self: XPathToken, context: Any = None) -> str:
    first = string_value(_arg(self, 0, context))
    return first if first else string_value(_arg(self, 1, context))


@_function("selected", 2)
def _selected(self: XPathToken, context: Any = None) -> bool:
    values = string_value(_arg(self, 0, context)).split()
    return string_value(_arg(self, 1, context)).strip() in values


@_function("count-selected", 1)
def _count_selected(self: XPathToken, context: Any = None) -> int:
    return len(string_value(_arg(self, 0, context)).split())


@_function("selected-at", 2)
def _selected_at(self: XPathToken, context: Any = None) -> str:
    values = string_value(_arg(self, 0, context)).split()
    n = number_value(_arg(self, 1, context))
    if math.isnan(n) or math.isinf(n):
        return ""
    index = int(n)
    return values[index] if 0 <= index < len(values) else ""


@_function("boolean-from-string", 1)
def _boolean_from_string(self: XPathToken, context: Any = None) -> bool:
    return string_value(_arg(self, 0, context)).strip() in ("true", "1")


@_function("int", 1)
def _int(self: XPathToken, context: Any = None) -> float | int:
    x = number_value(_arg(self, 0, context))
    if math.isnan(x) or math.isinf(x):
        return x
    return int(x)  # towards zero


@_function("abs", 1)
def _abs(self: XPathToken, context: Any = None) -> float:
    return abs(number_value(_arg(self, 0, context)))


@_function("pow", 2)
def _pow(self: XPathToken, context: Any = None) -> float:
    try:
        x = number_value(_arg(self, 0, context))
        return float(math.pow(x, number_value(_arg(self, 1, context))))
    except (OverflowError, ValueError):
        return math.nan


def _all_values(tok: XPathToken, context: Any) -> list[Any]:
    values: list[Any] = []
    for i in range(len(tok)):
        values.extend(_items(_arg(tok, i, context)))
    return values


@_function("max", (1, None))
def _max(self: XPathToken, context: Any = None) -> float:
    numbers = [number_value(v) for v in _all_values(self, context)]
    if not numbers or any(math.isnan(x) for x in numbers):
        return math.nan
    return max(numbers)


@_function("min", (1, None))
def _min(self: XPathToken, context: Any = None) -> float:
    numbers = [number_value(v) for v in _all_values(self, context)]
    if not numbers or any(math.isnan(x) for x in numbers):
        return math.nan
    return min(numbers)


@_function("count-non-empty", 1)
def _count_non_empty(self: XPathToken, context: Any = None) -> int:
    return sum(1 for v in _items(_arg(self, 0, context)) if string_value(v) != "")


@_function("join", (1, None))
def _join(self: XPathToken, context: Any = None) -> str:
    separator = string_value(_arg(self, 0, context))
    values: list[Any] = []
    for i in range(1, len(self)):
        values.extend(_items(_arg(self, i, context)))
    return separator.join(string_value(v) for v in values)


@_function("ends-with", 2)
def _ends_with(self: XPathToken, context: Any = None) -> bool:
    return string_value(_arg(self, 0, context)).endswith(string_value(_arg(self, 1, context)))


@_function("substr", (2, 3))
def _substr(self: XPathToken, context: Any = None) -> str:
    text = string_value(_arg(self, 0, context))
    start = number_value(_arg(self, 1, context))
    end = number_value(_arg(self, 2, context)) if len(self) == 3 else float(len(text))
    if math.isnan(start) or math.isnan(end):
        return ""
    begin = max(int(start), 0)
    stop = len(text) if math.isinf(end) else int(end)
    return text[begin:stop]


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@_function("regex", 2)
def _regex_function(self: XPathToken, context: Any = None) -> bool:
    pattern = string_value(_arg(self, 1, context))
    try:
        compiled = _regex(pattern)
    except re.error as exc:
        raise self.error("FORX0002", f"invalid regular expression {pattern!r}: {exc}") from None
    return compiled.search(string_value(_arg(self, 0, context))) is not None


@_function("indexed-repeat", (3, None))
def _indexed_repeat(self: XPathToken, context: Any = None) -> list[Any]:
    # Single-level indexed-repeat(${child}, ${repeat}, n): ${child} from outside the repeat
    # is the node-set of all instances, so pick the n-th.
    nodes = _items(_arg(self, 0, context))
    n = number_value(_arg(self, 2, context))
    if math.isnan(n) or not 1 <= n <= len(nodes):
        return []
    return [nodes[int(n) - 1]]


@_function("once", 1)
def _once(self: XPathToken, context: Any = None) -> Any:
    env = _env(self, context)
    current = env.current_node.compat_string_value if env.current_node is not None else ""
    return current if current != "" else _arg(self, 0, context)


@_function("current", 0)
def _current(self: XPathToken, context: Any = None) -> list[Any]:
    env = _env(self, context)
    return [env.current_node] if env.current_node is not None else []


@_function("choice-name", 2, prefix="jr")
def _choice_name(self: XPathToken, context: Any = None) -> str:
    env = _env(self, context)
    value = string_value(_arg(self, 0, context)).strip()
    # The 2nd argument is '${field}' (translated to a path inside the string) or a name.
    steps = re.findall(r"[^/\s]+", string_value(_arg(self, 1, context)))
    question = env.index.questions.get(steps[-1]) if steps else None
    if question is None or not question.list_name:
        raise self.error("XPTY0004", "jr:choice-name() needs '${select question}'")
    for choice in env.index.spec.choices.get(question.list_name, []):
        if choice.name == value:
            return text_in(choice.label, env.language, env.index.spec.default_language)
    return ""


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}
_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
}


def _moment_of(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            return None
        try:
            return _EPOCH + dt.timedelta(days=x)
        except OverflowError:
            return None
    text = string_value(value).strip()
    if _NUMBER.match(text):
        return _moment_of(float(text))
    return _parse_moment(text)


@_function("today", 0)
def _today(self: XPathToken, context: Any = None) -> str:
    return _env(self, context).now.date().isoformat()


@_function("now", 0)
def _now(self: XPathToken, context: Any = None) -> str:
    return _env(self, context).now.isoformat(timespec="milliseconds")


@_function("date", 1)
def _date(self: XPathToken, context: Any = None) -> str:
    value = _arg(self, 0, context)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        moment = _moment_of(math.floor(float(value)) if not math.isnan(value) else value)
    else:
        moment = _moment_of(value)
    return moment.date().isoformat() if moment is not None else ""


@_function("date-time", 1)
def _date_time(self: XPathToken, context: Any = None) -> str:
    moment = _moment_of(_arg(self, 0, context))
    return moment.isoformat(timespec="milliseconds") if moment is not None else ""


@_function("decimal-date-time", 1)
def _decimal_date_time(self: XPathToken, context: Any = None) -> float:
    moment = _moment_of(_arg(self, 0, context))
    return math.nan if moment is None else (moment - _EPOCH).total_seconds() / 86400


def _format_moment(moment: dt.datetime, pattern: str, language: str) -> str:
    months = _MONTHS.get(language, _MONTHS["en"]).split()
    weekdays = _WEEKDAYS.get(language, _WEEKDAYS["en"]).split()
    codes = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": months[moment.month - 1][:3],
        "B": months[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": weekdays[moment.weekday()][:3],
        "A": weekdays[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "%": "%",
    }
    return re.sub(r"%(.)", lambda m: codes.get(m.group(1), m.group(0)), pattern)


@_function("format-date", 2)
def _format_date(self: XPathToken, context: Any = None) -> str:
    moment = _moment_of(_arg(self, 0, context))
    if moment is None:
        return ""
    language = getattr(getattr(context, "xforms", None), "language", "en") or "en"
    return _format_moment(moment, string_value(_arg(self, 1, context)), language[:2])


XFormsParser.symbol_table["format-date-time"] = XFormsParser.symbol_table["format-date"]
XFormsParser.build()

_parser = XFormsParser()
_parser_lock = threading.Lock()


# =============================================================================================
# Spec index and ${name} translation
# =============================================================================================


class _Index:
    """What the translation needs to know about a spec, computed once per spec object."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        self.questions: dict[str, Question] = {}
        self.chain: dict[str, tuple[Question, ...]] = {}
        self.translations: dict[tuple[str, str | None, bool], str] = {}

        def visit(items: list[Question], ancestors: tuple[Question, ...]) -> None:
            for q in items:
                self.questions[q.name] = q
                self.chain[q.name] = (*ancestors, q)
                visit(q.children, (*ancestors, q))

        visit(spec.questions, ())

    def ref_path(self, target: str, current: str | None, choice_filter: bool) -> str:
        t_chain = self.chain[target]
        absolute = "/" + "/".join([ROOT, *(q.name for q in t_chain)])
        if current is None:
            return absolute
        c_chain = self.chain[current]
        if c_chain[-1].type == "repeat":  # a repeat's own expressions run at its parent
            c_chain = c_chain[:-1]
        shared = -1
        for i, (a, b) in enumerate(zip(c_chain, t_chain, strict=False)):
            if a is not b:
                break
            if a.type == "repeat" and i < len(t_chain) - 1:
                shared = i
        if shared < 0:
            return absolute
        steps = [".."] * (len(c_chain) - 1 - shared) + [q.name for q in t_chain[shared + 1 :]]
        if choice_filter:
            return "/".join(["current()", *steps])
        return "/".join(steps) if steps and steps[0] == ".." else "/".join([".", *steps])

    def translate(self, expression: str, current: str | None, choice_filter: bool = False) -> str:
        key = (expression, current, choice_filter)
        translated = self.translations.get(key)
        if translated is None:

            def replace_ref(match: re.Match[str]) -> str:
                name = match.group(1).strip()
                if name not in self.questions:
                    raise ExpressionError(f"Unknown question ${{{name}}} in {expression!r}")
                return f" {self.ref_path(name, current, choice_filter)} "

            translated = _REF.sub(replace_ref, expression)
            if len(self.translations) > 10_000:
                self.translations.clear()
            self.translations[key] = translated
        return translated


_indexes: dict[int, tuple[weakref.ref[FormSpec], _Index]] = {}


def _index(spec: FormSpec) -> _Index:
    entry = _indexes.get(id(spec))
    if entry is not None and entry[0]() is spec:
        return entry[1]
    index = _Index(spec)
    key = id(spec)
    _indexes[key] = (weakref.ref(spec), index)
    weakref.finalize(spec, _indexes.pop, key, None)
    return index


def references(expression: str) -> list[str]:
    """The ``${name}`` references of an expression, in order, without duplicates."""
    return list(dict.fromkeys(m.strip() for m in _REF.findall(expression or "")))


def _clean_message(error: ElementPathError) -> str:
    message = error.message if isinstance(error.message, str) else str(error)
    return re.sub(r"^\[err:\w+\]\s*", "", message)


@lru_cache(maxsize=4096)
def _parse(translated: str) -> XPathToken | str:
    """The compiled expression, or the parser's error message (cached too)."""
    with _parser_lock:
        try:
            return _parser.parse(translated)
        except ElementPathError as exc:
            return _clean_message(exc)
        except (SyntaxError, ValueError, TypeError, ArithmeticError) as exc:
            return str(exc)


def _compile(
    spec: FormSpec, expression: str, current: str | None, choice_filter: bool = False
) -> XPathToken:
    translated = _index(spec).translate(expression, current, choice_filter)
    token = _parse(translated)
    if isinstance(token, str):
        raise ExpressionError(f"Invalid expression {expression!r}: {token}")
    return token


def check_expression(spec: FormSpec, expression: str) -> str | None:
    """An error message for a syntactically bad expression or one naming an unknown
    question, else None (used when validating an upload)."""
    if not expression or not expression.strip():
        return None
    try:
        _compile(spec, expression, None)
    except ExpressionError as exc:
        return exc.message
    return None


# =============================================================================================
# Instance document
# =============================================================================================


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(string_value(v) for v in value)
    return string_value(value)


class Instance:
    """The answers as an XML instance document (built once, values updatable in place).

    Nodes are keyed by *path*: the field path used everywhere (``name``, or
    ``household__2__name`` inside the third instance of repeat ``household``); a repeat
    instance element is ``household__2``; the root is ``""``.
    """

    def __init__(self, spec: FormSpec, answers: Mapping[str, Any]) -> None:
        self.spec = spec
        root = ET.Element(ROOT)
        self._elements: dict[str, ET.Element] = {"": root}
        self._build(root, spec.questions, answers, "")
        self.document = get_node_tree(ET.ElementTree(root))
        elements = self.document.elements
        assert elements is not None
        self._nodes: dict[str, Any] = {k: elements[e] for k, e in self._elements.items()}
        self._choice_docs: dict[tuple[str, str], list[Any]] = {}

    def _build(
        self, parent: ET.Element, items: list[Question], answers: Mapping[str, Any], prefix: str
    ) -> None:
        for q in items:
            element = ET.SubElement(parent, q.name)
            if q.type == "group":
                self._elements[prefix + q.name] = element
                self._build(element, q.children, answers, prefix)
            elif q.type == "repeat":
                parent.remove(element)
                instances = answers.get(q.name)
                if not isinstance(instances, list):
                    instances = []
                for i, item in enumerate(instances):
                    element = ET.SubElement(parent, q.name)
                    key = f"{prefix}{q.name}__{i}"
                    self._elements[key] = element
                    sub = item if isinstance(item, Mapping) else {}
                    self._build(element, q.children, sub, key + "__")
            else:
                element.text = _text(answers.get(q.name))
                self._elements[prefix + q.name] = element

    def node(self, path: str) -> Any:
        return self._nodes.get(path)

    def set(self, path: str, value: Any) -> None:
        """Update a value in place (calculations)."""
        element = self._elements.get(path)
        if element is not None:
            element.text = _text(value)

    def choice_items(self, list_name: str, language: str) -> list[Any]:
        """One ``<item>`` node per choice, with ``name``, ``label`` and the extra columns."""
        key = (list_name, language)
        if key not in self._choice_docs:
            root = ET.Element("root")
            for choice in self.spec.choices.get(list_name, []):
                item = ET.SubElement(root, "item")
                ET.SubElement(item, "name").text = choice.name
                label = text_in(choice.label, language, self.spec.default_language)
                ET.SubElement(item, "label").text = label
                for column, value in choice.extra.items():
                    if _XML_NAME.match(column) and column not in ("name", "label"):
                        ET.SubElement(item, column).text = "" if value is None else str(value)
            doc = get_node_tree(ET.ElementTree(root))
            elements = doc.elements
            assert elements is not None
            self._choice_docs[key] = [elements[item] for item in root]
        return self._choice_docs[key]


# =============================================================================================
# Context and evaluation
# =============================================================================================


@dataclass
class _Env:
    index: _Index
    language: str
    now: dt.datetime
    current_node: Any


@dataclass
class Context:
    """Where an expression is evaluated.

    ``question`` is the current question's name (``.`` and relative ``${sibling}``), and
    ``repeat_path`` the (0-based) instance of each enclosing repeat, outermost first, e.g.
    ``[("household", 2)]``. ``now`` defaults to the local time at the first evaluation.
    Derive contexts for other questions with :meth:`at`: they share the instance document.
    """

    spec: FormSpec
    answers: Mapping[str, Any]
    question: str | None = None
    repeat_path: Sequence[tuple[str, int]] = ()
    language: str = ""
    now: dt.datetime | None = None
    _shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def instance(self) -> Instance:
        instance = self._shared.get("instance")
        if instance is None:
            instance = self._shared["instance"] = Instance(self.spec, self.answers)
        return instance

    @property
    def moment(self) -> dt.datetime:
        if self.now is not None:
            return self.now
        moment = self._shared.get("now")
        if moment is None:
            moment = self._shared["now"] = dt.datetime.now().astimezone()
        return moment

    def at(self, question: str | None, repeat_path: Sequence[tuple[str, int]] = ()) -> Context:
        return replace(self, question=question, repeat_path=tuple(repeat_path))

    def node_path(self) -> str:
        """The path of the current node (the parent's for a repeat; ``""`` for the root)."""
        if self.question is None:
            return ""
        index = _index(self.spec)
        chain = index.chain.get(self.question)
        if chain is None:
            raise ExpressionError(f"Unknown question {self.question!r}")
        if chain[-1].type == "repeat":
            chain = chain[:-1]
        positions = dict(self.repeat_path)
        prefix = ""
        for i, q in enumerate(chain):
            if q.type == "repeat":
                if q.name not in positions:
                    raise ExpressionError(f"No instance of repeat {q.name!r} given")
                prefix += f"{q.name}__{positions[q.name]}"
                prefix += "__" if i < len(chain) - 1 else ""
            elif i == len(chain) - 1:
                prefix += q.name
        return prefix


def _xpath_context(context: Context, item: Any | None = None) -> XPathContext:
    instance = context.instance
    node = instance.node(context.node_path())
    if node is None:
        raise ExpressionError(f"No answers node for {context.node_path()!r}")
    xpath_context = XPathContext(instance.document, item=item if item is not None else node)
    xpath_context.xforms = _Env(  # type: ignore[attr-defined]
        _index(context.spec),
        context.language,
        context.moment,
        node if context.question is not None else None,
    )
    return xpath_context


def _normalize(value: Any) -> Any:
    if isinstance(value, list):
        return [string_value(v) for v in value]
    if isinstance(value, XPathNode):
        return [value.compat_string_value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, AnyAtomicType):
        return str(value)
    return value


def _run(token: XPathToken, xpath_context: XPathContext, expression: str) -> Any:
    try:
        return token.evaluate(xpath_context)
    except ElementPathError as exc:
        raise ExpressionError(f"Cannot evaluate {expression!r}: {_clean_message(exc)}") from None
    except (TypeError, ValueError, ArithmeticError, IndexError) as exc:
        raise ExpressionError(f"Cannot evaluate {expression!r}: {exc}") from None


def evaluate(expression: str, context: Context) -> Any:
    """Evaluate an XLSForm expression. Raises :class:`ExpressionError`."""
    token = _compile(context.spec, expression, context.question)
    return _normalize(_run(token, _xpath_context(context), expression))


def filter_choices(expression: str, list_name: str, context: Context) -> list[Any]:
    """The choices of ``list_name`` for which the choice filter holds.

    As in XLSForm, a bare name (``region``) is the choice's column, ``${x}`` an answer
    (relative to ``context.question``, the select question), ``name``/``label`` the choice's.
    """
    choices = context.spec.choices.get(list_name, [])
    if not expression or not expression.strip():
        return list(choices)
    token = _compile(context.spec, expression, context.question, choice_filter=True)
    items = context.instance.choice_items(list_name, context.language)
    xpath_context = _xpath_context(context)
    kept = []
    for choice, item in zip(choices, items, strict=True):
        xpath_context.item = item
        xpath_context.position = xpath_context.size = 1
        if truthy(_run(token, xpath_context, expression)):
            kept.append(choice)
    return kept


def iter_functions() -> Iterator[str]:
    """Names of the functions expressions may call (for documentation and tests)."""
    for symbol, token_class in XFormsParser.symbol_table.items():
        if getattr(token_class, "label", "") == "function" and not symbol.startswith("{"):
            yield symbol
