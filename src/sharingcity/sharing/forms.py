from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import District

from .models import Kind


class SearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Everything")), *Kind.choices], required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All districts"),
    )
    q = forms.CharField(label=_("Words"), max_length=200, required=False)
    category = forms.CharField(label=_("Category"), max_length=60, required=False)
    size = forms.CharField(label=_("Size"), max_length=20, required=False)
    accessible = forms.BooleanField(label=_("Step-free access"), required=False)
    date = forms.DateField(
        label=_("Free on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time_from = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_to = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self):
        data = super().clean()
        day, a, b = data.get("date"), data.get("time_from"), data.get("time_to")
        data["free_from"] = data["free_to"] = None
        if day or a or b:
            if not (day and a and b):
                raise forms.ValidationError(_("Give the date and both times to search free times."))
            start = timezone.make_aware(datetime.combine(day, a))
            end = timezone.make_aware(datetime.combine(day, b))
            if b.hour == 0 and b.minute == 0:
                end += timedelta(days=1)
            if end <= start:
                self.add_error("time_to", _("The end must be after the start."))
            data["free_from"], data["free_to"] = start, end
        return data


class BookingForm(forms.Form):
    start = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    attendees = forms.IntegerField(label=_("People"), min_value=1, max_value=10000, initial=1)
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=20, required=False)
    weeks = forms.IntegerField(
        label=_("Repeat weekly for (weeks)"),
        min_value=1,
        max_value=52,
        required=False,
        help_text=_("Leave empty for a single booking; dates that clash are skipped and listed."),
    )

    def __init__(self, *args, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        if resource is not None and resource.kind != "parking":
            del self.fields["vehicle_plate"]
        if resource is not None and resource.kind != "room":
            del self.fields["weeks"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class DenyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ConditionForm(forms.Form):
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)
    damage = forms.CharField(
        label=_("Damage found"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BlockForm(forms.Form):
    start = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("owner_use", _("Our own use")), ("blackout", _("Closed"))]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)]
    )
    text = forms.CharField(
        label=_("Review"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            ("safety", _("Safety")),
            ("damage", _("Damage")),
            ("fraud", _("Fraud")),
            ("misleading", _("Misleading listing")),
            ("discrimination", _("Discrimination")),
            ("other", _("Other")),
        ],
    )
    text = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedUploadForm(forms.Form):
    file = forms.FileField(label=_("Feed file (CSV or JSON)"))
