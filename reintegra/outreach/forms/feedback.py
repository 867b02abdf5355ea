"""Forms of feedback and complaints, the workflow's actions, adjustments and the report."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office, User
from reintegra.monitoring.models import Visit
from reintegra.outreach.choices.feedback import (
    AdjustmentArea,
    AdjustmentStatus,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackSource,
    FeedbackStatus,
    FeedbackTheme,
    SensitiveKind,
)
from reintegra.outreach.models.feedback import FeedbackItem
from reintegra.outreach.selectors.feedback import visit_label
from reintegra.people.models import Returnee

DATE = forms.DateInput(attrs={"type": "date"})


class ReturneeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class FeedbackChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.get_category_display()} · {obj.get_theme_display()}"


class VisitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return visit_label(obj)


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class FeedbackForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    source = forms.ChoiceField(label=_("From"), choices=FeedbackSource.choices)
    returnee = ReturneeChoice(
        label=_("Returnee"),
        queryset=Returnee.objects.none(),
        required=False,
        help_text=_("Optional: the returnee the feedback is from."),
    )
    person_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    contact = forms.CharField(
        label=_("How to reach them for the response"),
        required=False,
        max_length=255,
        help_text=_("A phone number, an address, a community leader… Leave empty if none."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    channel = forms.ChoiceField(label=_("Channel"), choices=FeedbackChannel.choices)
    category = forms.ChoiceField(label=_("Category"), choices=FeedbackCategory.choices)
    sensitive_kind = forms.ChoiceField(
        label=_("Kind of sensitive complaint"),
        required=False,
        choices=[("", "—"), *SensitiveKind.choices],
        help_text=_("Only for a sensitive complaint: it goes to the coordinators alone."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=FeedbackTheme.choices)
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, offices: Any, returnees: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _set_queryset(self, "office", offices)
        _set_queryset(self, "returnee", returnees)


class FeedbackFilterForm(forms.Form):
    """The GET form of the list. Invalid values are ignored."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(FeedbackStatus.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=_any([c for c in FeedbackCategory.choices if c[0] != FeedbackCategory.SENSITIVE]),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=_any(FeedbackTheme.choices))
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AcknowledgeForm(VersionForm):
    acknowledged_on = forms.DateField(label=_("Acknowledged on"), widget=DATE)


class AssignForm(VersionForm):
    assignee = UserChoice(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "assignee", users)


class ResolveForm(VersionForm):
    response = forms.CharField(
        label=_("Response to the person"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    responded_on = forms.DateField(label=_("Responded on"), widget=DATE)
    response_channel = forms.ChoiceField(
        label=_("Communicated by"), choices=FeedbackChannel.choices
    )


class CloseForm(VersionForm):
    pass


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for re-opening"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdjustmentForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    area = forms.ChoiceField(label=_("Area"), choices=AdjustmentArea.choices)
    status = forms.ChoiceField(label=_("Status"), choices=AdjustmentStatus.choices)
    feedback_items = FeedbackChoices(
        label=_("Feedback behind it"),
        queryset=FeedbackItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    visits = VisitChoices(
        label=_("Monitoring findings behind it"),
        queryset=Visit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, offices: Any, feedback: Any, visits: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "office", offices)
        _set_queryset(self, "feedback_items", feedback)
        _set_queryset(self, "visits", visits)

    def values(self) -> dict[str, Any]:
        names = ("decided_on", "title", "description", "area", "status")
        return {name: self.cleaned_data[name] for name in names}


class ReportForm(forms.Form):
    """The report's period and office (GET). Invalid values fall back to the defaults."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), required=False
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "office", offices)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.empty_label = _("All offices of my scope")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data
