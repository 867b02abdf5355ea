"""Forms of the case pages. Choices offer only what the user may pick; services check again.

Where a refusal must come from the service (an invalid stage, a note type the user may not
write), the field accepts every known value and only the widget lists the allowed ones.
"""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.policy import Tier
from reintegra.accounts.models import Office, User
from reintegra.cases.choices import (
    AssignmentRole,
    ClosureReason,
    DocumentType,
    Flag,
    HandoverSection,
    Stage,
)
from reintegra.cases.selectors import CaseFilters
from reintegra.people.models import Consent

SORT_CHOICES = [
    ("recent", _("Recently updated")),
    ("name", _("Name")),
    ("number", _("Case number")),
    ("arrival", _("Arrival date")),
    ("stage", _("Stage")),
]

NOTE_KINDS: dict[str, Any] = {
    Tier.CASE: _("Counselling note"),
    Tier.PSYCHOSOCIAL: _("Psychosocial session note (restricted)"),
    Tier.PROTECTION: _("Protection note (restricted)"),
    Tier.MEDICAL: _("Medical note (restricted)"),
}

# A reopened case goes back to a working stage, never to pre-departure or closed.
REOPEN_STAGES = [
    Stage.REGISTERED,
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.ASSISTANCE,
    Stage.MONITORING,
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.get_purpose_display()} — {obj.given_on.isoformat()}"
        if obj.partner_name:
            label += f" ({obj.partner_name})"
        return label


def _choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _limit_widget(field: forms.Field, allowed: list[tuple[Any, Any]]) -> None:
    """Show only `allowed` while the field still validates every known value."""
    cast(forms.Select, field.widget).choices = allowed


class CaseFilterForm(forms.Form):
    """The GET form of the case list. Invalid values are ignored, never an error page."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Name, case number or phone"),
    )
    office = forms.TypedChoiceField(label=_("Office"), required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    manager = forms.TypedChoiceField(
        label=_("Case manager"), required=False, coerce=int, empty_value=None
    )
    flag = forms.ChoiceField(label=_("Flag"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        data: Any,
        *,
        offices: QuerySet[Office],
        managers: QuerySet[User],
        flags: list[str],
    ) -> None:
        super().__init__(data)
        _choice(self, "office").choices = [
            ("", _("All offices")),
            *[(o.pk, o.name) for o in offices],
        ]
        _choice(self, "stage").choices = [
            ("", _("All stages")),
            ("OPEN", _("Open (not closed)")),
            *Stage.choices,
        ]
        _choice(self, "manager").choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in managers]
        _choice(self, "flag").choices = [
            ("", _("Any")),
            *[(f, Flag(f).label) for f in flags],
            ("NO_PLAN", _("No plan yet")),
        ]

    def filters(self) -> CaseFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CaseFilters(
            query=data.get("q") or "",
            office=data.get("office"),
            stage=data.get("stage") or "",
            manager=data.get("manager"),
            flag=data.get("flag") or "",
            sort=data.get("sort") or "recent",
        )


class CaseOpenForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    arrived_on = forms.DateField(
        label=_("Arrival date"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "At an origin-country office: the day the returnee arrived (today if left empty). "
            "Not used at a host-country office, where the case starts before departure."
        ),
    )

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "office").queryset = offices
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk


class ActionForm(forms.Form):
    """A form on the case page. Several share the page, so their ids carry the form's name."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class VersionedForm(ActionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionedForm):
    id_prefix = "stage"

    to_stage = forms.ChoiceField(label=_("Next stage"), choices=Stage.choices)
    note = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, next_stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_widget(self.fields["to_stage"], [(s, Stage(s).label) for s in next_stages])


class NoteForm(ActionForm):
    id_prefix = "note"

    written_on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    body = forms.CharField(
        label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    tier = forms.ChoiceField(label=_("Type of note"), choices=list(NOTE_KINDS.items()))

    def __init__(self, *args: Any, tiers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tier"]
        field.initial = tiers[0] if tiers else Tier.CASE
        if tiers == [Tier.CASE]:
            field.widget = forms.HiddenInput()
        else:
            # A restricted note says so, even when it is the only type the user writes.
            _limit_widget(field, [(t, NOTE_KINDS[t]) for t in tiers])


class TaskForm(ActionForm):
    id_prefix = "task"

    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    assignee = UserChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "assignee").queryset = assignees


class DocumentForm(ActionForm):
    id_prefix = "document"

    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = sorted(settings.DOCUMENT_ALLOWED_TYPES)
        field = self.fields["file"]
        field.widget.attrs["accept"] = ",".join(types)
        field.help_text = _("Accepted: %(types)s. Maximum %(mb)s MB.") % {
            "types": ", ".join(types),
            "mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
        }


class AssignForm(ActionForm):
    id_prefix = "assign"

    user = UserChoiceField(label=_("Case manager"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role on the case"),
        choices=[
            (AssignmentRole.LEAD, AssignmentRole.LEAD.label),
            (AssignmentRole.SPECIALIST, AssignmentRole.SPECIALIST.label),
        ],
        initial=AssignmentRole.LEAD,
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "user").queryset = candidates


class FlagForm(forms.Form):
    flag = forms.ChoiceField(choices=Flag.choices, widget=forms.HiddenInput)
    value = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )


class CloseForm(VersionedForm):
    id_prefix = "close"

    reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=[("", "—"), *ClosureReason.choices]
    )
    note = forms.CharField(
        label=_("Closure note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is 'Other'."),
    )


class ReopenForm(VersionedForm):
    id_prefix = "reopen"

    reason = forms.CharField(
        label=_("Why is the case reopened?"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    to_stage = forms.ChoiceField(
        label=_("Stage it goes back to"),
        choices=[(s, Stage(s).label) for s in REOPEN_STAGES],
        initial=Stage.ASSESSMENT,
    )


class HandoverRequestForm(ActionForm):
    id_prefix = "handover"

    to_office = forms.ModelChoiceField(label=_("Receiving office"), queryset=Office.objects.none())
    consent = ConsentChoiceField(label=_("Consent relied on"), queryset=Consent.objects.none())
    sections = forms.MultipleChoiceField(
        label=_("Other sections that travel"),
        required=False,
        choices=[
            (s, label) for s, label in HandoverSection.choices if s != HandoverSection.IDENTITY
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Identity and contacts always travel."),
    )
    message = forms.CharField(
        label=_("Message to the receiving office"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        offices: QuerySet[Office],
        consents: QuerySet[Consent],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "to_office").queryset = offices
        _model_choice(self, "consent").queryset = consents

    def clean_sections(self) -> list[str]:
        return [HandoverSection.IDENTITY, *self.cleaned_data.get("sections", [])]


class HandoverAcceptForm(ActionForm):
    id_prefix = "accept"

    lead = UserChoiceField(
        label=_("Lead case manager"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Decide later"),
        help_text=_(
            "Left empty, you become the lead if you are a case manager of the receiving office."
        ),
    )
    note = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "lead").queryset = candidates


class HandoverRefuseForm(ActionForm):
    id_prefix = "refuse"

    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
