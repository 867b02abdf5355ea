"""The Python-built widgets give exactly the markup of Django's widget templates."""

import datetime

from django import forms
from django.forms.renderers import DjangoTemplates

from reintegra.core.widgets import FastRenderer


class Everything(forms.Form):
    text = forms.CharField(max_length=10, help_text="<b>help</b>")
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(min_value=0)
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    note = forms.CharField(widget=forms.Textarea)
    agree = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "A & <b>"), ("b", 'B "q"')])
    grouped = forms.ChoiceField(choices=[("G1", [("x", "X")]), ("y", "Y")])
    upload = forms.FileField(required=False)
    many = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two")], widget=forms.CheckboxSelectMultiple
    )


DATA = {
    "text": 'a "quoted" <value>',
    "when": "2026-01-02",
    "count": "3",
    "email": "x@y.org",
    "secret": "s",
    "note": "line 1\n<script>",
    "agree": "on",
    "hidden": "h&1",
    "choice": "a",
    "grouped": "x",
    "many": ["2"],
}


def render_all(renderer, data=None, initial=None):
    form = Everything(data, initial=initial, renderer=renderer)
    return [str(form[name]) for name in form.fields]


def test_bound_and_unbound_forms_render_identically():
    for data, initial in ((DATA, None), (None, {"when": datetime.date(2026, 3, 4)}), (None, None)):
        assert render_all(FastRenderer(), data, initial) == render_all(
            DjangoTemplates(), data, initial
        )


def test_values_are_escaped():
    html = "".join(render_all(FastRenderer(), DATA))
    assert "<script>" not in html and "&lt;script&gt;" in html
