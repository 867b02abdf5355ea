"""Forms of the retention area: a retention rule, placing and lifting a legal hold."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.privacy.choices.retention import PeriodUnit


class RuleForm(forms.Form):
    period = forms.IntegerField(label=_("Retention period"), min_value=1, max_value=1200)
    unit = forms.ChoiceField(label=_("Unit"), choices=PeriodUnit.choices)
    is_active = forms.BooleanField(label=_("Applied by the retention run"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class HoldForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=32)
    reason = forms.CharField(
        label=_("Reason for the hold"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
