"""A form renderer that builds the common widgets in Python.

Django renders every widget, and every <option>, through templates and includes; a case page
with its action forms spent about a third of its CPU there. This renderer produces the same
markup as Django's templates for inputs, text areas, checkboxes and selects, and hands every
other template to Django unchanged.
"""

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TYPES = (
    "text",
    "date",
    "datetime",
    "email",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "time",
    "url",
    "color",
    "file",
    "checkbox",
    "input",
)


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget.get("value")
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget.get("value") else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        # Each option comes from an included template ending in a newline: keep the same bytes.
        parts.extend(f"\n  {_option(option)}\n" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


FAST: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUT_TYPES},
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class FastRenderer(DjangoTemplates):
    """Django's default renderer, with the common widgets built in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        build = FAST.get(template_name)
        if build is None or "widget" not in context:
            return super().render(template_name, context, request)
        return mark_safe(build(context["widget"]))  # noqa: S308 - every value is escaped above
