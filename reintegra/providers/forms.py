from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.providers.choices import Category, ServedSex
from reintegra.providers.models import PROVIDER_FIELDS, Provider


class ListField(forms.CharField):
    """A list typed as comma-separated text ("Tambacounda, Kolda")."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class ProviderForm(forms.ModelForm):
    catchment_regions = ListField(
        label=_("Regions served"),
        required=False,
        help_text=_("Comma-separated; leave empty if the provider serves everyone."),
    )
    catchment_communes = ListField(label=_("Communes served"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Provider
        fields = list(PROVIDER_FIELDS)
        widgets = {
            "agreement_start": forms.DateInput(attrs={"type": "date"}),
            "agreement_end": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "first_contact": forms.Textarea(attrs={"rows": 2}),
            "cost_arrangements": forms.Textarea(attrs={"rows": 2}),
            "capacity_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(
                label=_("Kept by the office"), queryset=offices
            )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROVIDER_FIELDS}


class ServiceForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    name = forms.CharField(label=_("Service"), max_length=200)
    eligibility = forms.CharField(
        label=_("Eligibility criteria"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fees = forms.CharField(label=_("Fees"), required=False, max_length=200)
    for_sex = forms.ChoiceField(
        label=_("Open to"), required=False, choices=[("", _("Everyone")), *ServedSex.choices]
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0, max_value=120)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The maximum age is below the minimum."))
        return data


class FilterForm(forms.Form):
    """The GET form of the directory. Invalid values are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Category.choices]
    )
    region = forms.CharField(label=_("Region served"), required=False, max_length=100)
    language = forms.CharField(label=_("Language"), required=False, max_length=50)
    stale = forms.BooleanField(label=_("Not verified recently"), required=False)


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Directory spreadsheet (CSV or XLSX)"),
        help_text=_("The columns of the export; one row per service."),
    )
