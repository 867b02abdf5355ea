"""Forms of the restricted sections and training records. The services check everything again."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.cases.forms import DateInput, UserChoiceField
from reintegra.safeguarding.choices import (
    FIELD_LABELS,
    SECTION_FIELDS,
    SECTION_KINDS,
    EntryKind,
    Section,
    SessionType,
    TraffickingScreening,
    Training,
)


class ScreeningChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = obj.submitted_at.date().isoformat() if obj.submitted_at else "—"
        return f"{obj.instrument.name} — {when}"


class SectionForm(forms.Form):
    """The text fields of one section (and, for protection, the screening it follows up)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        section: str,
        screenings: Any = None,
        with_best_interest: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "id_section_%s")
        super().__init__(*args, **kwargs)
        self.section = section
        for name in SECTION_FIELDS[section]:
            if name == "best_interest" and not with_best_interest:
                continue
            if name == "trafficking_screening":
                self.fields[name] = forms.ChoiceField(
                    label=FIELD_LABELS[name],
                    required=False,
                    choices=[("", "—"), *TraffickingScreening.choices],
                )
            else:
                self.fields[name] = forms.CharField(
                    label=FIELD_LABELS[name],
                    required=False,
                    max_length=10_000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        if section == Section.PROTECTION and screenings is not None:
            self.fields["screening_response"] = ScreeningChoiceField(
                label=_("Vulnerability screening followed up"),
                queryset=screenings,
                required=False,
            )

    def values(self) -> dict[str, Any]:
        names = [n for n in SECTION_FIELDS[self.section] if n in self.fields]
        return {name: self.cleaned_data[name] for name in names}


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.get_state_display()}"


class EntryForm(forms.Form):
    """A dated entry: the kinds of the section only."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    written_on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    body = forms.CharField(
        label=_("Summary"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, section: str, referrals: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_entry_%s")
        super().__init__(*args, **kwargs)
        kinds = SECTION_KINDS[section]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (k, EntryKind(k).label) for k in kinds
        ]
        self.fields["kind"].initial = kinds[0]
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
        if section == Section.PSYCHOSOCIAL:
            self.fields["session_type"] = forms.ChoiceField(
                label=_("Session type (sessions)"),
                required=False,
                choices=[("", "—"), *SessionType.choices],
            )
            self.fields["duration_minutes"] = forms.IntegerField(
                label=_("Duration in minutes (sessions)"),
                required=False,
                min_value=1,
                max_value=600,
            )
        if section == Section.MEDICAL and referrals is not None:
            self.fields["referral"] = ReferralChoiceField(
                label=_("Medical referral followed up"), queryset=referrals, required=False
            )


class TrainingForm(forms.Form):
    person = UserChoiceField(label=_("Staff member"), queryset=None)
    training = forms.ChoiceField(label=_("Training"), choices=Training.choices)
    title = forms.CharField(label=_("Title (for another training)"), required=False, max_length=200)
    completed_on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    certificate = forms.FileField(label=_("Certificate (optional)"), required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class TrainingFilterForm(forms.Form):
    """The GET filters of the training list. Invalid values are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    training = forms.ChoiceField(
        label=_("Training"), required=False, choices=[("", _("Any")), *Training.choices]
    )
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=None
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
