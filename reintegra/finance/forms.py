"""Forms of the payment pages. Services check everything again."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.finance.choices import PaymentMethod
from reintegra.plans.models import Measure


class InstalmentForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("Cash measure"), queryset=Measure.objects.none())
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    milestone = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["measure"])
        field.queryset = measures
        if len(measures) == 1:  # one cash measure: nothing to choose
            field.initial = measures[0].pk
            field.empty_label = None


class MoveForm(forms.Form):
    to = forms.CharField(max_length=12)
    version = forms.IntegerField(required=False)
    method = forms.ChoiceField(required=False, choices=[("", "—"), *PaymentMethod.choices])
    payee = forms.CharField(required=False, max_length=200)
    account = forms.CharField(required=False, max_length=64)
    reference = forms.CharField(required=False, max_length=100)
    reason = forms.CharField(required=False, max_length=2000)
