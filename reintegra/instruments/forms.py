"""Forms of the instrument pages, and the translation of answers between the web form's fields,
JSON and the stored answers."""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reintegra.core.errors import ValidationFailed
from reintegra.instruments import engine
from reintegra.instruments.choices import InstrumentKind
from reintegra.instruments.models import Instrument
from reintegra.instruments.spec import FormSpec, Question


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm (.xlsx)"),
        help_text=gettext_lazy(
            "A new form_id creates an instrument; the form_id of an existing one adds a version."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Keep / assessment")), *InstrumentKind.choices],
    )


def _display_name(instrument: Instrument) -> str:
    return instrument.display_name


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("KoBo or ODK export (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Export with “XML values and headers”. XLSX exports also carry the repeats."
        ),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if some rows are bad"),
        required=False,
    )


class StartForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=gettext_lazy("Instrument"), queryset=Instrument.objects.none()
    )

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = instruments
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


def _fields_of(question: Question, value: Any, prefix: str, out: QueryDict) -> None:
    """The web form's fields for one answer (repeats: `<repeat>__<i>__<child>`)."""
    name = f"{prefix}{question.name}"
    if question.type == "repeat":
        items = value if isinstance(value, list) else []
        out.setlist(f"{name}__count", [str(len(items))])
        for index, item in enumerate(items):
            item = item if isinstance(item, dict) else {}
            for child in question.children:
                _fields_of(child, item.get(child.name), f"{name}__{index}__", out)
        return
    if question.type == "group":
        return
    if value is None:
        return
    if isinstance(value, list):
        out.setlist(name, [str(v) for v in value])
    elif isinstance(value, bool):
        out.setlist(name, ["true" if value else "false"])
    else:
        out.setlist(name, [str(value)])


def _flatten(questions: list[Question], answers: dict[str, Any], out: QueryDict) -> None:
    for q in questions:
        if q.type == "group":
            _flatten(q.children, answers, out)
        else:
            _fields_of(q, answers.get(q.name), "", out)
            if q.or_other and f"{q.name}_other" in answers:
                out.setlist(f"{q.name}_other", [str(answers[f"{q.name}_other"])])


def answers_from_json(spec: FormSpec, data: dict[str, Any], language: str = "") -> dict[str, Any]:
    """Typed answers from a JSON object (name -> value; a repeat is a list of objects), checked
    the way the web form's fields are. ValidationFailed lists every bad value."""
    known = {q.name for q in spec.walk()} | {f"{q.name}_other" for q in spec.walk() if q.or_other}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationFailed(
            _("Unknown question(s): %(names)s.") % {"names": ", ".join(unknown[:10])},
            field="answers",
            errors=[{"loc": ["answers", name], "msg": _("Unknown question.")} for name in unknown],
        )
    fields = QueryDict(mutable=True)
    _flatten(spec.questions, data, fields)
    answers, errors = engine.coerce(spec, fields, language or spec.default_language)
    if errors:
        raise ValidationFailed(
            _("Some answers need attention: %(count)d question(s).") % {"count": len(errors)},
            code="invalid_answers",
            field="answers",
            errors=[{"loc": ["answers", path], "msg": msg} for path, msg in errors.items()],
        )
    return answers
