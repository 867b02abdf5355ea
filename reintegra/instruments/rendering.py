"""What the response pages show, built from a form definition, answers and the form's state:
plain dicts the templates loop over (the form is never rendered from Django form classes —
its questions are data)."""

from typing import Any

from django.utils.translation import gettext as _

from reintegra.instruments import engine
from reintegra.instruments.spec import META_TYPES, SELECT_TYPES, FormSpec, Question, text_in

# A select_one with at most this many choices shows radio buttons, otherwise a list.
RADIO_LIMIT = 7


def _text(spec: FormSpec, text: dict[str, str], language: str) -> str:
    return text_in(text, language, spec.default_language)


def _choice_rows(
    spec: FormSpec, choices: list[Any], value: Any, language: str
) -> list[dict[str, Any]]:
    picked = value if isinstance(value, list) else [value]
    rows, seen = [], set()
    for choice in choices:
        if choice.name in seen:  # a list that declares its own "other" and uses or_other
            continue
        seen.add(choice.name)
        rows.append(
            {
                "name": choice.name,
                "label": _text(spec, choice.label, language) or choice.name,
                "selected": choice.name in picked,
            }
        )
    return rows


def _display(q: Question, value: Any, choices: list[dict[str, Any]], other: Any) -> str:
    """An answer as text (the read-only page)."""
    if value is None or value == "" or value == []:
        return ""
    if q.type in SELECT_TYPES:
        labels = [c["label"] for c in choices if c["selected"]]
        if other:
            labels.append(str(other))
        return ", ".join(labels)
    return str(value)


def items(
    spec: FormSpec,
    answers: dict[str, Any],
    language: str,
    errors: dict[str, str],
    *,
    editable: bool,
) -> list[dict[str, Any]]:
    """The questions as the page shows them, nested like the form (groups and repeats)."""
    state = engine.evaluate_form(spec, answers, language)

    def build(questions: list[Question], prefix: str, container: dict[str, Any]) -> list[dict]:
        out = []
        for q in questions:
            if q.type in META_TYPES:
                continue
            path = prefix + q.name
            item: dict[str, Any] = {
                "type": q.type,
                "path": path,
                "id": "f-" + path,
                "label": _text(spec, q.label, language),
                "hint": _text(spec, q.hint, language),
                "required": q.required,
                "relevant": state.is_relevant(path),
                "error": errors.get(path, ""),
            }
            if q.type == "group":
                item["children"] = build(q.children, prefix, container)
            elif q.type == "repeat":
                found = container.get(q.name)
                instances: list[Any] = found if isinstance(found, list) else []
                item["instances"] = [
                    {
                        "index": i,
                        "number": i + 1,
                        "path": f"{path}__{i}",
                        "children": build(q.children, f"{path}__{i}__", instance),
                    }
                    for i, instance in enumerate(instances)
                    if isinstance(instance, dict)
                ]
                item["count"] = len(item["instances"])
            else:
                value = state.values.get(path)
                if q.calculate:
                    value = state.calculated.get(path, value)
                    if q.type == "calculate" and not item["label"]:
                        continue
                choices = _choice_rows(spec, state.choices.get(path, []), value, language)
                other = container.get(f"{q.name}_other", "") if q.or_other else ""
                item.update(
                    value="" if value is None else value,
                    choices=choices,
                    widget=_widget(q, choices),
                    read_only=q.read_only or bool(q.calculate) or not editable,
                    other=other,
                    other_shown=any(c["name"] == engine.OTHER and c["selected"] for c in choices),
                    other_error=errors.get(f"{path}_other", ""),
                    display=_display(q, value, choices, other),
                )
            out.append(item)
        return out

    return build(spec.questions, "", state.answers)


def _widget(q: Question, choices: list[dict[str, Any]]) -> str:
    if q.type == "select_one":
        return "select" if len(choices) > RADIO_LIMIT or "minimal" in q.appearance else "radio"
    if q.type == "select_multiple":
        return "checkbox"
    if q.type == "text" and "multiline" in q.appearance:
        return "textarea"
    return {"integer": "integer", "decimal": "decimal", "date": "date"}.get(q.type, q.type)


def apply_repeat_action(spec: FormSpec, answers: dict[str, Any], action: str) -> dict[str, Any]:
    """`add:<repeat path>` appends an empty instance, `remove:<repeat path>__<i>` drops one
    (paths as the engine names them: `household__0__member`)."""
    verb, _sep, target = action.partition(":")
    tokens = target.split("__") if target else []
    index = -1
    if verb == "remove" and len(tokens) >= 2 and tokens[-1].isdigit():
        tokens, index = tokens[:-1], int(tokens[-1])
    elif verb != "add" or not tokens:
        return answers
    names, positions = tokens[0::2], tokens[1::2]
    if len(names) != len(positions) + 1 or not all(p.isdigit() for p in positions):
        return answers
    if any(getattr(spec.question(n), "type", "") != "repeat" for n in names):
        return answers
    container: Any = answers
    for name, position in zip(names, positions, strict=False):
        instances = container.get(name) if isinstance(container, dict) else None
        if not isinstance(instances, list) or int(position) >= len(instances):
            return answers
        container = instances[int(position)]
    if not isinstance(container, dict):
        return answers
    instances = container.setdefault(names[-1], [])
    if not isinstance(instances, list):
        return answers
    if verb == "add" and len(instances) < engine.MAX_REPEAT_INSTANCES:
        instances.append({})
    elif verb == "remove" and index < len(instances):
        instances.pop(index)
    return answers


def outline(spec: FormSpec, language: str) -> list[dict[str, Any]]:
    """The questions of a version, indented by depth (the instrument page)."""
    rows: list[dict[str, Any]] = []

    def visit(questions: list[Question], depth: int) -> None:
        for q in questions:
            rows.append(
                {
                    "depth": min(depth, 4),
                    "type": q.type,
                    "label": _text(spec, q.label, language) or q.name,
                    "required": q.required,
                    "relevant": q.relevant,
                    "dimension": q.dimension,
                    "weight": q.weight,
                }
            )
            visit(q.children, depth + 1)

    visit(spec.questions, 0)
    return rows


def dimensions(spec: FormSpec, language: str) -> list[dict[str, Any]]:
    """The scoring dimensions with their labels and composite weights."""
    return [
        {"label": _text(spec, d.label, language) or d.name, "weight": d.composite_weight}
        for d in spec.dimensions
    ]


def scores(spec: FormSpec, stored: dict[str, Any], language: str) -> dict[str, Any] | None:
    """Dimension scores and the composite as percentages, with the dimensions' labels."""
    if not stored or not stored.get("dimensions"):
        return None
    labels = {d.name: _text(spec, d.label, language) or d.name for d in spec.dimensions}
    rows = [
        {
            "name": name,
            "label": labels.get(name, name),
            "percent": None if value is None else round(value * 100),
        }
        for name, value in stored["dimensions"].items()
    ]
    composite = stored.get("composite")
    return {
        "rows": rows,
        "composite": None if composite is None else round(composite * 100),
        "composite_label": _("Composite"),
    }
