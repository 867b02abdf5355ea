"""Forms of the referral pages. Choices offer only what fits; services check again."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.providers.choices import Category
from reintegra.providers.models import Service
from reintegra.referrals.choices import DEFAULT_FIELDS, Field, OverrideGround, Recipient
from reintegra.referrals.models import Satisfaction


class ServiceSearchForm(forms.Form):
    """Narrows the services offered on the referral form (GET). Invalid values are ignored."""

    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Category.choices]
    )
    q = forms.CharField(label=_("Provider or service"), required=False, max_length=100)


class ReferralForm(forms.Form):
    to = forms.ChoiceField(label=_("Refer to"), widget=forms.RadioSelect)
    recipient_user = forms.ChoiceField(label=_("Named person (optional)"), required=False)
    reason = forms.CharField(
        label=_("What the referral asks for"),
        help_text=_("The recipient reads this. Write only what the service needs."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    shared_fields = forms.MultipleChoiceField(
        label=_("Shared about the returnee"),
        required=False,
        choices=Field.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_FIELDS),
    )
    override_ground = forms.ChoiceField(
        label=_("Ground for referring without consent"),
        required=False,
        choices=[("", "—"), *OverrideGround.choices],
    )
    override_reason = forms.CharField(
        label=_("Why consent could not be obtained"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(
        self,
        *args: Any,
        services: list[Service],
        recipients: list[str],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = {f"s{s.pk}": s for s in services}
        choices = [(key, str(s)) for key, s in self.services.items()]
        choices += [(f"r{r}", str(Recipient(r).label)) for r in recipients]
        cast(forms.ChoiceField, self.fields["to"]).choices = choices
        cast(forms.ChoiceField, self.fields["recipient_user"]).choices = [
            ("", _("Anyone in that role")),
            *people,
        ]

    def target(self) -> dict[str, Any]:
        """The service or internal recipient chosen, as referral_create's arguments."""
        to = self.cleaned_data["to"]
        if to in self.services:
            return {"service": self.services[to]}
        return {"recipient": to[1:]}


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=16)
    version = forms.IntegerField(required=False)
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    feedback = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    satisfaction = forms.ChoiceField(required=False, choices=[("", "—"), *Satisfaction.choices])


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review of the referral without consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class StatisticsForm(forms.Form):
    since = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
