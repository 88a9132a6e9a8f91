from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgeBand, District, User


class SignupForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), to_field_name="code"
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[("", "—"), *AgeBand.choices], required=False
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"), min_value=1900, max_value=2100, required=False
    )


class PreferencesForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    notification_frequency = forms.ChoiceField(
        label=_("E-mail notifications"), choices=User.NotificationFrequency.choices
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("ko", "한국어"), ("en", "English")]
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("census", _("Census record match")),
            ("in_person", _("In-person document check")),
        ],
    )
    full_name = forms.CharField(label=_("Full name (census match)"), max_length=200, required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"), min_value=1900, max_value=2100, required=False
    )
    document = forms.CharField(
        label=_("Document checked (in person)"), max_length=200, required=False
    )
    address_in_district = forms.BooleanField(
        label=_("The document shows an address in the district"), required=False
    )


class CensusUploadForm(forms.Form):
    file = forms.FileField(label=_("Census extract (CSV: full_name, birth_year, district)"))
