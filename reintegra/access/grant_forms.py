"""Forms of the access operations: a grant, a break-glass opening, a review. They parse
input; `access.services` validates and writes."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.forms import DateInput
from reintegra.access.models import GrantLevel, GrantTier
from reintegra.access.services import TEXT_MAX_LENGTH
from reintegra.accounts.choices import Role
from reintegra.accounts.models import User

CASE_ROLES = [r for r in Role.values if r not in (Role.SYSADMIN, Role.COMMS_FP)]


def grantable_users(exclude: Any = None) -> QuerySet[User]:
    """Active staff with a current role that works on cases."""
    qs = User.objects.filter(
        Q(assignments__expires_on__isnull=True)
        | Q(assignments__expires_on__gte=timezone.localdate()),
        is_active=True,
        assignments__is_active=True,
        assignments__role__in=CASE_ROLES,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.distinct().order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class GrantForm(forms.Form):
    user = UserChoiceField(label=_("Person"), queryset=User.objects.none())
    tier = forms.ChoiceField(label=_("Section"), choices=GrantTier.choices)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=GrantLevel.choices, coerce=int, initial=GrantLevel.READ
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=DateInput())

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "grant_%s")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grantable_users(exclude=actor)  # type: ignore[attr-defined]


class BreakGlassForm(forms.Form):
    tier = forms.ChoiceField(label=_("Section"), choices=GrantTier.choices)
    justification = forms.CharField(
        label=_("Justification of the emergency"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "glass_%s")
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Review comment"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
