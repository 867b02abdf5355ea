"""Forms of community profiles and community-based projects. Each sub-form of the project page
has its own `auto_id`, so label ids stay unique on the page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.community.choices.projects import (
    Approach,
    Criterion,
    Dimension,
    ProjectStatus,
    Rating,
)
from reintegra.community.models.projects import (
    PROFILE_FIELDS,
    PROJECT_FIELDS,
    CommunityProfile,
    CommunityProject,
)
from reintegra.people.choices import AgeBand, Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _person(user: Any) -> str:
    return user.get_full_name() or user.username


def _offer(field: forms.Field, queryset: Any, label: Any = None) -> None:
    """Give a model choice field its queryset (and how to name each choice)."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    if label is not None:
        field.label_from_instance = label  # type: ignore[method-assign]


class ProfileForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CommunityProfile
        fields = list(PROFILE_FIELDS)
        widgets = {
            "profiled_on": DATE,
            "participants_notes": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "impact_of_returns": forms.Textarea(attrs={"rows": 3}),
            "migration_drivers": forms.Textarea(attrs={"rows": 3}),
            "reintegration_barriers": forms.Textarea(attrs={"rows": 3}),
            "resilience_sources": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "participants_notes": _("For example: village chief, women's group, youth association.")
        }

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(label=_("Office"), queryset=offices)
            self.order_fields(["office"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


# The fields of a profile typed in around the instrument's questions (which give the rest).
PROFILE_HEADER = ("community", "region", "department", "commune", "profiled_on")


class ProfileHeaderForm(forms.ModelForm):
    """The place and date of a profile filled through the community profile instrument; its
    fields are prefixed (`profile-…`) so they never meet a question's name."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CommunityProfile
        fields = list(PROFILE_HEADER)
        widgets = {"profiled_on": DATE}

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "profile")
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(label=_("Office"), queryset=offices)
            self.order_fields(["office"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROFILE_HEADER}


class ProjectForm(forms.ModelForm):
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions"),
        choices=Dimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    focal_points: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        label=_("Assigned focal points"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Communication, protection and M&E staff following the project."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CommunityProject
        fields = [*PROJECT_FIELDS, "focal_points"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DATE,
            "ends_on": DATE,
        }

    def __init__(
        self,
        *args: Any,
        offices: Any = None,
        leads: Any,
        focal_points: Any,
        profiles: Any,
        partners: Any,
        lines: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(label=_("Office"), queryset=offices)
            self.order_fields(["office"])
        _offer(self.fields["lead"], leads, _person)
        _offer(self.fields["focal_points"], focal_points, _person)
        _offer(self.fields["profile"], profiles)
        _offer(self.fields["partner"], partners)
        _offer(self.fields["budget_line"], lines, _line)

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in PROJECT_FIELDS}
        data["dimensions"] = list(data.get("dimensions") or [])
        return data


def _line(line: Any) -> str:
    return f"{line.code} · {line.name} ({line.available} {line.currency})"


class ProjectFilterForm(forms.Form):
    """The GET form of the projects list. Invalid values are ignored."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ProjectStatus.choices]
    )
    approach = forms.ChoiceField(
        label=_("Approach"), required=False, choices=[("", _("Any")), *Approach.choices]
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("My projects"), required=False)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ProjectStatus.choices)
    reason = forms.CharField(
        label=_("Reason (for a suspension or cancellation)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, allowed: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (code, label) for code, label in ProjectStatus.choices if code in allowed
            ]


class ChecklistForm(forms.Form):
    """A rating and notes for each of the seven criteria."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, project: CommunityProject | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "checklist_%s")
        if project is not None and not args and "initial" not in kwargs:
            initial: dict[str, Any] = {"version": project.version}
            for c in project.criteria:
                initial[f"rating_{c['code']}"] = c["rating"]
                initial[f"notes_{c['code']}"] = c["notes"]
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for code, label in Criterion.choices:
            self.fields[f"rating_{code}"] = forms.ChoiceField(
                label=label, choices=Rating.choices, initial=Rating.NOT_ASSESSED
            )
            self.fields[f"notes_{code}"] = forms.CharField(
                label=_("Notes"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"rating_{code}"], self[f"notes_{code}"]) for code in Criterion.values]

    def ratings(self) -> dict[str, dict[str, str]]:
        return {
            code: {
                "rating": self.cleaned_data[f"rating_{code}"],
                "notes": self.cleaned_data.get(f"notes_{code}") or "",
            }
            for code in Criterion.values
        }


class ReturneeParticipantForm(forms.Form):
    case: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("Returnee (from your caseload)"), queryset=None
    )
    role = forms.CharField(label=_("Role in the project"), required=False, max_length=100)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "returnee_%s")
        super().__init__(*args, **kwargs)
        _offer(self.fields["case"], cases, lambda c: f"{c.number} · {c.person.full_name}")


class MembersForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=[("", _("Not known")), *AgeBand.choices]
    )
    count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=10000, initial=1)
    name = forms.CharField(
        label=_("Name (optional, for one person)"), required=False, max_length=200
    )
    role = forms.CharField(label=_("Role in the project"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "members_%s")
        super().__init__(*args, **kwargs)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=DATE)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    output = forms.CharField(
        label=_("Output and notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "activity_%s")
        super().__init__(*args, **kwargs)


class ActivityDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    output = forms.CharField(
        label=_("Output and notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period until"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    challenges = forms.CharField(
        label=_("Challenges"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=50)
    baseline = forms.DecimalField(
        label=_("Baseline"), required=False, max_digits=14, decimal_places=2
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "indicator_%s")
        super().__init__(*args, **kwargs)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=255)
