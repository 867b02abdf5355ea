"""Forms of subject-access requests."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.privacy.choices.requests import (
    REQUEST_MOVES,
    IdentityCheck,
    RequestLanguage,
    RequestStatus,
)


class RequestForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    identity_check = forms.ChoiceField(
        label=_("Identity checked by"), choices=IdentityCheck.choices
    )
    identity_note = forms.CharField(
        label=_("How the identity was checked"), max_length=300, required=False
    )
    details = forms.CharField(
        label=_("What the person asked for"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=_("Language of the answer"), choices=RequestLanguage.choices, initial="fr"
    )


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in REQUEST_MOVES])
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for refusal"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *RequestStatus.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
