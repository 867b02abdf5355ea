"""Forms of the structural register's pages. Filter forms ignore invalid values."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import User
from reintegra.community.choices.structural import (
    AgreementKind,
    AgreementStatus,
    CapacityKind,
    EngagementKind,
    EngagementLevel,
    StakeholderKind,
)
from reintegra.community.models.structural import (
    Agreement,
    CapacityActivity,
    CoordinationMechanism,
    Stakeholder,
)
from reintegra.community.selectors.structural import stakeholder_choices
from reintegra.community.services.structural import (
    AGREEMENT_FIELDS,
    CAPACITY_FIELDS,
    MECHANISM_FIELDS,
    STAKEHOLDER_FIELDS,
)
from reintegra.providers.models import Provider

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _office_field(offices: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Kept by the office"), queryset=offices)


class _Versioned(forms.ModelForm):
    """A record's form: the office to keep it (when adding), its version (when editing)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    FIELDS: tuple[str, ...] = ()

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = _office_field(offices)
            self.order_fields(["office"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class StakeholderForm(_Versioned):
    FIELDS = STAKEHOLDER_FIELDS

    class Meta:
        model = Stakeholder
        fields = list(STAKEHOLDER_FIELDS)
        widgets = {
            "concerns": forms.Textarea(attrs={"rows": 2}),
            "expectations": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "influence": _("With interest, gives the engagement level."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = Provider.objects.filter(is_active=True).order_by("name")
        provider.help_text = _("When the stakeholder is a service provider.")


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contact_%s")  # ids unique on the stakeholder page
        super().__init__(*args, **kwargs)


class EngagementForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Type"), choices=EngagementKind.choices)
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "engagement_%s")
        super().__init__(*args, **kwargs)


class AgreementForm(_Versioned):
    FIELDS = AGREEMENT_FIELDS
    stakeholder = forms.ModelChoiceField(label=_("Stakeholder"), queryset=Stakeholder.objects)
    document = forms.FileField(
        label=_("Document"), required=False, help_text=_("PDF, Word or a scan.")
    )

    class Meta:
        model = Agreement
        fields = ["stakeholder", *AGREEMENT_FIELDS]
        widgets = {
            "signed_on": DATE,
            "starts_on": DATE,
            "ends_on": DATE,
            "data_ownership": forms.Textarea(attrs={"rows": 2}),
            "data_categories": forms.Textarea(attrs={"rows": 2}),
            "safeguards": forms.Textarea(attrs={"rows": 2}),
            "data_access": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "data_ownership": _("Data-sharing agreements only."),
        }

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stakeholder = self.fields["stakeholder"]
        assert isinstance(stakeholder, forms.ModelChoiceField)
        stakeholder.queryset = stakeholder_choices()
        if editing:
            # The stakeholder of an agreement does not change.
            del self.fields["stakeholder"]


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("Terminated on"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "terminate_%s")
        super().__init__(*args, **kwargs)


class CapacityForm(_Versioned):
    FIELDS = CAPACITY_FIELDS

    class Meta:
        model = CapacityActivity
        fields = list(CAPACITY_FIELDS)
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "results": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stakeholder = self.fields["stakeholder"]
        assert isinstance(stakeholder, forms.ModelChoiceField)
        stakeholder.queryset = stakeholder_choices()


class MechanismForm(_Versioned):
    FIELDS = MECHANISM_FIELDS

    class Meta:
        model = CoordinationMechanism
        fields = list(MECHANISM_FIELDS)
        widgets = {"terms_of_reference": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = stakeholder_choices()


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Institutions present"),
        queryset=Stakeholder.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    upload = forms.FileField(label=_("Minutes"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "meeting_%s")
        super().__init__(*args, **kwargs)
        stakeholders = self.fields["stakeholders"]
        assert isinstance(stakeholders, forms.ModelMultipleChoiceField)
        stakeholders.queryset = stakeholder_choices()


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Owner (a user)"), queryset=User.objects.none(), required=False
    )
    owner_name = forms.CharField(label=_("Owner (someone else)"), max_length=150, required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(is_active=True).order_by("username")


class SopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    version_label = forms.CharField(label=_("Version"), max_length=30)
    effective_on = forms.DateField(label=_("Effective from"), widget=DATE)
    changes = forms.CharField(
        label=_("Summary of changes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    upload = forms.FileField(label=_("Document"), required=False)

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sop_%s")
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = _office_field(offices)


# --- filters ------------------------------------------------------------------------------------


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class StakeholderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=_any(StakeholderKind.choices))
    engagement = forms.ChoiceField(
        label=_("Engagement level"), required=False, choices=_any(EngagementLevel.choices)
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    inactive = forms.BooleanField(label=_("Include inactive ones"), required=False)


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(AgreementKind.choices))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(AgreementStatus.choices)
    )
    expiring = forms.BooleanField(label=_("Expiring soon"), required=False)


class CapacityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=_any(CapacityKind.choices))
