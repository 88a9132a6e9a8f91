from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AgeBand, District, User


class QuickSelect(forms.Select):
    """A flat select rendered in Python. Django's default renders every option through its own
    template; on the public proposal list's filters (about 70 options) that was a third of the
    page's time. Flat choices only: no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


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
