"""Forms of the plan and set-up pages. Services check everything again."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.plans.choices import DeliveryMode, Dimension
from reintegra.plans.models import AssistanceType, BudgetLine

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class SummaryForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    summary_economic = forms.CharField(
        label=_("Economic assistance"), required=False, widget=TEXTAREA, max_length=5000
    )
    summary_social = forms.CharField(
        label=_("Social assistance"), required=False, widget=TEXTAREA, max_length=5000
    )
    summary_psychosocial = forms.CharField(
        label=_("Psychosocial assistance"), required=False, widget=TEXTAREA, max_length=5000
    )
    expected_improvement = forms.CharField(
        label=_("Expected improvement in psychological, social and economic well-being"),
        required=False,
        widget=TEXTAREA,
        max_length=5000,
    )
    community_part = forms.CharField(
        label=_("Community-based project part, if any"),
        required=False,
        widget=TEXTAREA,
        max_length=5000,
    )


class MeasureForm(forms.Form):
    assistance_type = forms.ModelChoiceField(
        label=_("Type of assistance"), queryset=AssistanceType.objects.none()
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost"), min_value=0, max_digits=14, decimal_places=2
    )
    delivery_mode = forms.ChoiceField(
        label=_("Delivery mode"),
        required=False,
        choices=[("", _("The type's usual mode")), *DeliveryMode.choices],
    )
    referral_needed = forms.BooleanField(label=_("Referral needed"), required=False)

    def __init__(self, *args: Any, types: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "measure_%s")  # ids unique on the plan page
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assistance_type"])
        field.queryset = types if types is not None else AssistanceType.objects.none()


class ItemForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "item_%s")  # ids unique on the plan page
        super().__init__(*args, **kwargs)

    description = forms.CharField(label=_("Item"), max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), min_value=0, max_digits=14, decimal_places=2
    )


class DecisionForm(forms.Form):
    to = forms.CharField(max_length=12)
    version = forms.IntegerField(required=False)
    comment = forms.CharField(required=False, max_length=4000)
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.all(), required=False)


class AssistanceTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=DeliveryMode.choices)
    ceiling = forms.DecimalField(
        label=_("Default ceiling"), required=False, min_value=0, max_digits=14, decimal_places=2
    )


class CeilingForm(forms.Form):
    version = forms.IntegerField(required=False)
    ceiling = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    is_active = forms.BooleanField(required=False)


class BudgetLineForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    donor = forms.CharField(label=_("Donor or programme"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices


class BudgetAmountForm(forms.Form):
    version = forms.IntegerField(required=False)
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)


class OptionForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    approach = forms.CharField(label=_("Approach"), max_length=200)
    region = forms.CharField(
        label=_("Region"), required=False, max_length=100, help_text=_("Empty: everywhere.")
    )
    useful_for = forms.CharField(label=_("Useful for"), required=False, max_length=2000)
    individual_criteria = forms.CharField(
        label=_("Individual criteria"), required=False, max_length=2000
    )
    community_criteria = forms.CharField(
        label=_("Community criteria"), required=False, max_length=2000
    )
    structural_criteria = forms.CharField(
        label=_("Structural criteria"), required=False, max_length=2000
    )
    is_feasible = forms.BooleanField(label=_("Feasible"), required=False, initial=True)
