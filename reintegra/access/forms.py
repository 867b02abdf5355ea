"""Forms of the system administrator's console. They parse input; accounts.services writes."""

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.choices import OfficeKind, Role, Specialisation
from reintegra.accounts.models import Office


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return f"{obj.name} ({obj.code})"


class OfficeCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("Short unique code, e.g. TAM. Used in case numbers."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *OfficeKind.choices])
    parent = OfficeChoiceField(
        label=_("Parent office"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("— none (a country) —"),
    )
    country_code = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter country code, e.g. SN."),
    )

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            cast(forms.ModelChoiceField, self.fields["parent"]).queryset = offices

    def clean_country_code(self) -> str:
        value = self.cleaned_data["country_code"].strip().upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code."))
        return value


class OfficeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive office takes no new registrations."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Lower case, e.g. cm.tamba. Used to sign in."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person through a safe channel; they should change it."),
    )

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip().lower()
        if not value or any(c.isspace() for c in value):
            raise forms.ValidationError(_("A username has no spaces."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password = data.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    office = OfficeChoiceField(
        label=_("Office"),
        queryset=Office.objects.none(),
        required=False,
        help_text=_("The scope is this office and the offices below it."),
    )
    specialisation = forms.ChoiceField(
        label=_("Specialisation"),
        choices=[("", "—"), *Specialisation.choices],
        required=False,
        help_text=_("Case managers only."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for no expiry."),
    )

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
