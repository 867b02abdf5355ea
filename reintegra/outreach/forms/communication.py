"""Forms of the communication area (pages only; the API has its own schemas)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.outreach.choices.communication import (
    SMS_MAX_LENGTH,
    ActivityKind,
    Audience,
    Channel,
    MessageChannel,
    StrategyStatus,
)
from reintegra.outreach.models.communication import Activity, Campaign, CommunicationStrategy
from reintegra.people.choices import AgeBand, Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KEY_MESSAGE_ROWS = 6


def reach_field_name(sex: str, band: str) -> str:
    return "reach_{}_{}".format(sex, band.replace("-", "_").replace("+", "plus"))


class StrategyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.CharField(
        label=_("Region"),
        max_length=80,
        required=False,
        help_text=_("Leave empty for the whole programme."),
    )
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE, required=False)
    objectives = forms.CharField(
        label=_("Objectives"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=StrategyStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        strategy: CommunicationStrategy | None = None,
        offices: Any = None,
        **kwargs: Any,
    ):
        if strategy is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": strategy.title,
                "region": strategy.region,
                "starts_on": strategy.starts_on,
                "ends_on": strategy.ends_on,
                "objectives": strategy.objectives,
                "audiences": strategy.audiences,
                "channels": strategy.channels,
                "status": strategy.status,
                "version": strategy.version,
            }
            for i, item in enumerate(strategy.key_messages or [], start=1):
                kwargs["initial"][f"message_{i}"] = item.get("text", "")
                kwargs["initial"][f"message_audience_{i}"] = item.get("audience", "")
        super().__init__(*args, **kwargs)
        rows = max(KEY_MESSAGE_ROWS, len(strategy.key_messages or []) + 2 if strategy else 0)
        for i in range(1, rows + 1):
            self.fields[f"message_{i}"] = forms.CharField(
                label=_("Key message %(n)d") % {"n": i}, max_length=500, required=False
            )
            self.fields[f"message_audience_{i}"] = forms.ChoiceField(
                label=_("Audience of key message %(n)d") % {"n": i},
                choices=[("", "—"), *Audience.choices],
                required=False,
            )
        self.rows = rows
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(
                label=_("Kept by the office"), queryset=offices
            )
            self.order_fields(["office"])

    def key_message_fields(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"message_{i}"], self[f"message_audience_{i}"]) for i in range(1, self.rows + 1)
        ]

    def main_fields(self) -> list[Any]:
        names = ("office", "title", "region", "starts_on", "ends_on", "objectives")
        return [self[name] for name in names if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, self.rows + 1):
            text, audience = data.get(f"message_{i}"), data.get(f"message_audience_{i}")
            if text and not audience:
                self.add_error(f"message_audience_{i}", _("Choose the audience of this message."))
            if audience and not text:
                self.add_error(f"message_{i}", _("Write the message or clear its audience."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        messages = [
            {"text": data[f"message_{i}"], "audience": data[f"message_audience_{i}"]}
            for i in range(1, self.rows + 1)
            if data.get(f"message_{i}")
        ]
        return {
            "title": data["title"],
            "region": data["region"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "objectives": data["objectives"],
            "audiences": data["audiences"],
            "channels": data["channels"],
            "status": data["status"],
            "key_messages": messages,
        }


class CampaignForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        fields = ["title", "objective", "starts_on", "ends_on", "strategy"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "objective": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, offices: Any = None, strategies: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if strategies is not None:
            self.fields["strategy"].queryset = strategies  # type: ignore[attr-defined]
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(label=_("Office"), queryset=offices)
            self.order_fields(["office"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActivityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "campaign",
            "kind",
            "title",
            "held_on",
            "region",
            "commune",
            "venue",
            "audience",
            "materials",
            "feedback",
            "notes",
        ]
        widgets = {
            "held_on": DATE,
            "materials": forms.Textarea(attrs={"rows": 2}),
            "feedback": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, offices: Any = None, campaigns: Any = None, **kwargs: Any):
        instance = kwargs.get("instance")
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(label=_("Office"), queryset=offices)
            self.order_fields(["office"])
        counts = {}
        if instance is not None and instance.pk:
            counts = {(r.sex, r.age_band): r.count for r in instance.reach.all()}
        for band, band_label in AgeBand.choices:
            for sex, sex_label in Sex.choices:
                self.fields[reach_field_name(sex, band)] = forms.IntegerField(
                    label=_("%(sex)s, %(age)s") % {"sex": sex_label, "age": band_label},
                    min_value=0,
                    max_value=1_000_000,
                    required=False,
                    initial=counts.get((sex, band), 0) if instance is not None else 0,
                )

    def detail_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("reach_")]

    def reach_grid(self) -> list[dict[str, Any]]:
        """The reach inputs as rows (age bands) of cells (sexes) for the template."""
        return [
            {"label": label, "cells": [self[reach_field_name(sex, band)] for sex in Sex.values]}
            for band, label in AgeBand.choices
        ]

    def reach(self) -> dict[tuple[str, str], int]:
        return {
            (sex, band): self.cleaned_data.get(reach_field_name(sex, band)) or 0
            for band in AgeBand.values
            for sex in Sex.values
        }

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActivityFilterForm(forms.Form):
    """The GET form of the activity list and the reach summary. Invalid values are ignored."""

    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *ActivityKind.choices]
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.none(),
        empty_label=_("Any"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
    region = forms.CharField(label=_("Region"), required=False, max_length=80)

    def __init__(self, *args: Any, campaigns: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class MessageForm(forms.Form):
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Sent by the office"), queryset=None
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=MessageChannel.choices)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, required=False, help_text=_("Emails only.")
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("An SMS is %(max)d characters at most.") % {"max": SMS_MAX_LENGTH},
    )
    target_office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Returnees registered at"),
        queryset=None,
        required=False,
        empty_label=_("Any office in scope"),
    )
    region = forms.CharField(label=_("Region of return"), max_length=80, required=False)
    commune = forms.CharField(label=_("Commune of return"), max_length=80, required=False)
    only_open_cases = forms.BooleanField(
        label=_("Only returnees with an open case"), required=False
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["target_office"].queryset = offices  # type: ignore[attr-defined]
