"""Forms of the payment pages. Services check everything again."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.finance.choices import PaymentMethod
from reintegra.finance.models import Supplier
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


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    goods = forms.CharField(label=_("Goods and services"), required=False, max_length=300)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=150)
    bank_name = forms.CharField(label=_("Bank"), required=False, max_length=150)
    bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=64)
    mobile_money = forms.CharField(label=_("Mobile money number"), required=False, max_length=40)


class QuotationForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "quotation_%s")
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["supplier"])
        field.queryset = Supplier.objects.filter(is_active=True)


class PurchaseMoveForm(forms.Form):
    to = forms.CharField(max_length=12)
    version = forms.IntegerField(required=False)
    quotation = forms.IntegerField(required=False)
    justification = forms.CharField(required=False, max_length=4000)
    order_number = forms.CharField(required=False, max_length=50)
    received_on = forms.DateField(required=False)
    note = forms.CharField(required=False, max_length=4000)
    handed_over_on = forms.DateField(required=False)
    signed_by = forms.CharField(required=False, max_length=200)
    signature = forms.CharField(required=False, max_length=300_000)
    scan = forms.FileField(required=False)
    reason = forms.CharField(required=False, max_length=2000)
