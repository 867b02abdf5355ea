"""Forms of the people pages. They parse input; the services validate and write."""

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.people.choices import ConsentPurpose, DocumentKind, Relationship, Sex
from reintegra.people.services import IDENTITY_FIELDS

# The fourteen regions of Senegal, offered as suggestions for the place of return.
SENEGAL_REGIONS = (
    "Dakar",
    "Diourbel",
    "Fatick",
    "Kaffrine",
    "Kaolack",
    "Kédougou",
    "Kolda",
    "Louga",
    "Matam",
    "Saint-Louis",
    "Sédhiou",
    "Tambacounda",
    "Thiès",
    "Ziguinchor",
)
REGIONS_DATALIST = "senegal-regions"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or phone"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class IdentityForm(forms.Form):
    """The identity fields shared by registration and editing."""

    given_names = forms.CharField(label=_("Given names"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices])
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=2,
        min_length=2,
        initial="SN",
        help_text=_("Two-letter country code, e.g. SN, GN, ML."),
        widget=forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, widget=forms.TextInput({"type": "tel"})
    )
    phone_alt = forms.CharField(
        label=_("Other phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput({"type": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    region = forms.CharField(
        label=_("Region of return"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"list": REGIONS_DATALIST, "autocomplete": "off"}),
    )
    department = forms.CharField(label=_("Department"), max_length=80, required=False)
    commune = forms.CharField(label=_("Commune"), max_length=80, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    languages = forms.CharField(
        label=_("Languages"),
        max_length=120,
        required=False,
        help_text=_("Languages the person speaks, e.g. Wolof, Pulaar, French."),
    )

    def clean_nationality(self) -> str:
        value = self.cleaned_data["nationality"].strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code."))
        return value

    def identity_data(self) -> dict[str, Any]:
        """The cleaned identity fields, as the people services take them."""
        names = [n for n in IDENTITY_FIELDS if n != "is_birth_date_estimated"]
        return {name: self.cleaned_data.get(name) for name in names}


DUPLICATE_FIELDS = ("given_names", "family_name", "date_of_birth", "nationality")


class RegisterForm(IdentityForm):
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    office = forms.ModelChoiceField(
        label=_("Registering office"), queryset=Office.objects.none(), empty_label=None
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("This is not the same person"),
        required=False,
        help_text=_("Tick after checking the possible duplicates listed above."),
    )

    field_order = [
        "given_names",
        "family_name",
        "sex",
        "date_of_birth",
        "estimated_age",
        "nationality",
    ]

    def __init__(
        self,
        *args: Any,
        offices: QuerySet[Office],
        duplicates_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
        if duplicates_url:
            # Check for possible duplicates as the name and birth date are typed.
            for name in DUPLICATE_FIELDS:
                self.fields[name].widget.attrs.update(
                    {
                        "data-duplicate-check": "",
                        "hx-get": duplicates_url,
                        "hx-trigger": "change, keyup changed delay:600ms",
                        "hx-target": "#duplicates",
                        "hx-include": "[data-duplicate-check]",
                        "hx-sync": "closest form:replace",
                    }
                )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        dob, age = data.get("date_of_birth"), data.get("estimated_age")
        if dob and age is not None:
            self.add_error(
                "estimated_age", _("Give either the date of birth or an estimated age, not both.")
            )
        elif not dob and age is None and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", _("Enter the date of birth or an estimated age."))
        return data


class EditForm(IdentityForm):
    is_birth_date_estimated = forms.BooleanField(
        label=_("The date of birth is estimated"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = [
        "given_names",
        "family_name",
        "sex",
        "date_of_birth",
        "is_birth_date_estimated",
        "nationality",
    ]

    def identity_data(self) -> dict[str, Any]:
        data = super().identity_data()
        data["is_birth_date_estimated"] = bool(self.cleaned_data.get("is_birth_date_estimated"))
        return data


class DuplicateQueryForm(forms.Form):
    """The query of the duplicate check (bad dates are ignored, not errors)."""

    given_names = forms.CharField(required=False, max_length=120)
    family_name = forms.CharField(required=False, max_length=120)
    date_of_birth = forms.DateField(required=False)
    nationality = forms.CharField(required=False, max_length=2)

    def query(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "given_names": data.get("given_names", ""),
            "family_name": data.get("family_name", ""),
            "date_of_birth": data.get("date_of_birth"),
            "nationality": data.get("nationality", ""),
        }


class HouseholdMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=[("", "—"), *Relationship.choices]
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    is_dependant = forms.BooleanField(label=_("Dependant"), required=False)


class IdentityDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=[("", "—"), *DocumentKind.choices])
    number = forms.CharField(label=_("Number"), max_length=64)
    issuing_country = forms.CharField(
        label=_("Issuing country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code."),
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—"), *ConsentPurpose.choices])
    partner_name = forms.CharField(
        label=_("Partner"),
        max_length=200,
        required=False,
        help_text=_("Required when sharing with a named partner."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    language = forms.CharField(
        label=_("Language"),
        max_length=40,
        help_text=_("The language in which the information was given and consent obtained."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("purpose") == ConsentPurpose.PARTNER_SHARING
            and not (data.get("partner_name") or "").strip()
        ):
            self.add_error("partner_name", _("Name the partner the data may be shared with."))
        given_on: date | None = data.get("given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("given_on", _("The consent date is in the future."))
        return data


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
