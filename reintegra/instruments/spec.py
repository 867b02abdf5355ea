"""The form definition Reintegra works with, parsed once from an XLSForm and stored as JSON
with each instrument version (so a response can always be read with the version it was made
with). Plain dataclasses: no Django, no database.

Names follow XLSForm: a question's `name` is unique in the form; `${name}` in an expression
refers to it. Labels, hints and messages are dicts language code -> text ("en", "fr"; "" for a
form without language columns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Text = dict[str, str]

# Question types the web form renders and the engine evaluates.
INPUT_TYPES = ("text", "integer", "decimal", "date")
SELECT_TYPES = ("select_one", "select_multiple")
CONTAINER_TYPES = ("group", "repeat")
OTHER_TYPES = ("note", "calculate")
# Metadata a form may declare; they are stored, never asked.
META_TYPES = ("start", "end", "today", "deviceid", "username", "audit")


@dataclass
class Choice:
    name: str
    label: Text
    score: float | None = None
    # Other choice columns, for choice_filter expressions (e.g. {"region": "tamba"}).
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Question:
    name: str
    type: str  # one of the *_TYPES above
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    required: bool = False
    required_message: Text = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = field(default_factory=dict)
    calculate: str = ""
    default: str = ""
    read_only: bool = False
    appearance: str = ""
    # select_one / select_multiple
    list_name: str = ""
    or_other: bool = False
    choice_filter: str = ""
    # scoring (DESIGN.md §7): on scored select_one questions only
    dimension: str = ""
    weight: float = 1.0
    # group / repeat
    children: list[Question] = field(default_factory=list)
    # the sheet row the question came from (for messages)
    row: int = 0


@dataclass
class Dimension:
    name: str
    label: Text = field(default_factory=dict)
    composite_weight: float = 1.0


@dataclass
class FormSpec:
    title: Text
    form_id: str
    version: str
    languages: list[str]
    default_language: str
    tier: str  # access tier of the answers (IDENTITY excluded); "CASE" by default
    questions: list[Question]
    choices: dict[str, list[Choice]]
    dimensions: list[Dimension] = field(default_factory=list)
    # Optional form-level declarations read from the settings sheet
    case_field: str = ""  # name of the question holding the case number (submissions)
    # A flag the answers raise on the case (settings `flag`: PROTECTION or MEDICAL) when the
    # expression `flag_when` (settings column) is true for a submitted response.
    flag: str = ""
    flag_when: str = ""
    xform: str = ""  # the XForm XML pyxform built (served to ODK Collect)

    # --- walking -----------------------------------------------------------------------------

    def walk(self) -> list[Question]:
        """Every question, depth first, containers before their children."""
        out: list[Question] = []

        def visit(items: list[Question]) -> None:
            for q in items:
                out.append(q)
                visit(q.children)

        visit(self.questions)
        return out

    def question(self, name: str) -> Question | None:
        for q in self.walk():
            if q.name == name:
                return q
        return None

    def scored_questions(self) -> list[Question]:
        """select_one questions with a dimension whose choices carry at least one score."""
        return [
            q
            for q in self.walk()
            if q.type == "select_one"
            and q.dimension
            and any(c.score is not None for c in self.choices.get(q.list_name, []))
        ]

    # --- JSON --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormSpec:
        def question(d: dict[str, Any]) -> Question:
            d = dict(d)
            d["children"] = [question(c) for c in d.get("children", [])]
            return Question(**d)

        data = dict(data)
        data["questions"] = [question(q) for q in data.get("questions", [])]
        data["choices"] = {
            name: [Choice(**c) for c in items] for name, items in data.get("choices", {}).items()
        }
        data["dimensions"] = [Dimension(**d) for d in data.get("dimensions", [])]
        return cls(**data)


def text_in(text: Text, language: str, fallback: str = "") -> str:
    """The text in this language, else the form's default, else any."""
    if not text:
        return ""
    for key in (language, fallback, ""):
        if key in text and text[key]:
            return text[key]
    return next((t for t in text.values() if t), "")
