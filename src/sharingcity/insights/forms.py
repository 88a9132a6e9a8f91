from django import forms
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import District


class DashboardFilter(forms.Form):
    """Date range and district for the dashboard; every field optional."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        name = "name_ko" if (get_language() or "ko").startswith("ko") else "name_en"
        self.fields["district"].choices = [("", _("All districts"))] + list(
            District.objects.order_by(name).values_list("code", name)
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type your username to confirm"),
        max_length=150,
        help_text=_(
            "Your proposals stay public as by a “former resident”; everything else that names you is removed."
        ),
    )
