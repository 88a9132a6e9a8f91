from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sharingcity.core.models import District

from .models import EnterpriseApplication, Grant, HomeShareMatch, Kind
from .services.enterprises import DOCUMENT_LABELS
from .services.homeshare import HELP


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
        label=_("Kind"),
        choices=[
            ("owner_use", _("Our own use")),
            ("blackout", pgettext_lazy("booking kind", "Closed")),
        ],
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


# --- designated sharing enterprises ----------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicationForm(forms.Form):
    """The shape of an application; the rules (registration number, months of activity,
    required documents) are the service's (``services.enterprises.check_apply``)."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    legal_form = forms.ChoiceField(
        label=_("Legal form"), choices=EnterpriseApplication.LegalForm.choices
    )
    registration_number = forms.CharField(
        label=_("Business registration number"),
        max_length=12,
        help_text=_("As on the certificate, e.g. 123-45-67890."),
    )
    sharing_since = forms.DateField(
        label=_("Sharing since"),
        widget=DateInput,
        help_text=_("When the organisation began its sharing activity."),
    )
    description = forms.CharField(
        label=_("The sharing activity"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents handed in"),
        choices=list(DOCUMENT_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    links = forms.CharField(
        label=_("Other documents or links"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One document name or web address per line, at most 10."),
    )
    renewal_of = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisations, designations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["renewal_of"].queryset = designations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 10:
            raise forms.ValidationError(_("Give at most 10 documents or links."))
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("Each line may have at most 300 characters."))
        return lines

    def clean(self):
        data = super().clean()
        data["documents"] = [*data.get("documents", []), *data.pop("links", [])]
        return data


def yes_or_no(label, yes, no) -> forms.TypedChoiceField:
    """A required choice between two labelled answers, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", yes), ("no", no)],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class StageReviewForm(forms.Form):
    passed = yes_or_no(
        pgettext_lazy("enterprise review", "Outcome"),
        _("Passed: on to the next stage"),
        _("Stops here"),
    )
    score = forms.IntegerField(
        label=_("Score (0 to 100)"), required=False, help_text=_("Leave empty if not scored.")
    )
    note = forms.CharField(
        label=_("Note or reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the application stops here; the applicant reads it."),
    )


class DecisionForm(forms.Form):
    designate = yes_or_no(
        _("The committee's decision"), _("Designate for 3 years"), _("Do not designate")
    )
    note = forms.CharField(
        label=_("Reasons"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GrantRequestForm(forms.Form):
    designation = forms.ModelChoiceField(label=_("Designation"), queryset=None)
    track = forms.ChoiceField(label=pgettext_lazy("grant", "Track"), choices=Grant.Track.choices)
    project = forms.CharField(label=pgettext_lazy("grant", "Project"), max_length=300)
    amount = forms.IntegerField(label=_("Amount requested (KRW)"), max_value=10**12)

    def __init__(self, *args, designations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designation"].queryset = designations
        self.fields["designation"].label_from_instance = lambda d: (
            _("%(o)s, designated until %(d)s")
            % {"o": d.organisation, "d": d.valid_until.isoformat()}
        )


class AwardForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount awarded (KRW)"), max_value=10**12)
    report_due = forms.DateField(label=_("Report due"), widget=DateInput)


class LoanForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (KRW)"), max_value=10**12)
    annual_rate = forms.DecimalField(
        label=_("Annual interest rate (%)"), max_digits=6, decimal_places=3
    )
    term_months = forms.IntegerField(label=_("Term (months)"), max_value=10**4)
    disbursed_on = forms.DateField(label=_("Disbursed on"), widget=DateInput)


# --- home-share ------------------------------------------------------------------------------


def _help_choices(label) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=list(HELP.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _district_choice(label, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=District.objects.all(),
        to_field_name="code",
        required=required,
        empty_label="—",
    )


class HostForm(forms.Form):
    district = _district_choice(_("District of the home"), True)
    birth_year = forms.IntegerField(label=_("Birth year"), max_value=3000)
    room = forms.CharField(
        label=_("The room"),
        max_length=300,
        help_text=_("Size, furniture, what is shared (bathroom, kitchen)."),
    )
    rent = forms.IntegerField(
        label=_("Monthly rent (KRW)"),
        max_value=10**8,
        help_text=_("Home-share rents are well below the market; many hosts ask for little."),
    )
    available_from = forms.DateField(label=_("The room is free from"), widget=DateInput)
    smoker = forms.BooleanField(label=_("I smoke"), required=False)
    pets = forms.BooleanField(label=_("I have pets"), required=False)
    early_riser = forms.BooleanField(label=_("I get up early"), required=False)
    help_wanted = _help_choices(_("Help I would welcome"))
    active = forms.BooleanField(label=_("Looking for a student now"), required=False, initial=True)


class StudentForm(forms.Form):
    university = forms.CharField(label=_("University"), max_length=200)
    district_1 = _district_choice(_("District, first choice"), True)
    district_2 = _district_choice(_("District, second choice"), False)
    district_3 = _district_choice(_("District, third choice"), False)
    max_rent = forms.IntegerField(label=_("Most rent I can pay (KRW a month)"), max_value=10**8)
    move_in = forms.DateField(label=_("I would move in on"), widget=DateInput)
    smoker = forms.BooleanField(label=_("I smoke"), required=False)
    ok_with_pets = forms.BooleanField(label=_("I can live with pets"), required=False)
    early_riser = forms.BooleanField(label=_("I get up early"), required=False)
    help_offered = _help_choices(_("Help I can offer"))
    active = forms.BooleanField(label=_("Looking for a room now"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        data["districts"] = [
            d.code for d in (data.pop(f"district_{i}", None) for i in (1, 2, 3)) if d
        ]
        return data


class ProposeForm(forms.Form):
    per_person = forms.IntegerField(
        label=_("Suggestions per host"),
        min_value=1,
        max_value=10,
        initial=3,
        help_text=_("The best overall pairing first, then each host's next best students."),
    )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was agreed or seen; required when the match is declined."),
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(HomeShareMatch.Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in allowed]


# --- the lending desk --------------------------------------------------------------------------


class TicketForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    description = forms.CharField(
        label=_("What needs repair"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources


# --- residents' parking bays ---------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"


class WeeklyFreeForm(forms.Form):
    """When a bay is free: one window a weekday (closing at 00:00 means midnight), cleaned to
    ``windows`` as the service takes them. No window at all means free at any time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in WEEKDAYS.items():
            self.fields[f"day{day}_opens"] = forms.TimeField(
                label=_("%(day)s: free from") % {"day": name}, required=False, widget=TimeInput
            )
            self.fields[f"day{day}_closes"] = forms.TimeField(
                label=_("%(day)s: until") % {"day": name},
                required=False,
                widget=TimeInput,
                help_text=_("00:00 means midnight.") if day == 0 else "",
            )

    @classmethod
    def initial_for(cls, bay) -> dict:
        return {
            key: value
            for w in bay.windows.all()
            for key, value in (
                (f"day{w.weekday}_opens", w.opens),
                (f"day{w.weekday}_closes", w.closes),
            )
        }

    def clean(self):
        data = super().clean()
        windows = []
        for day in WEEKDAYS:
            opens, closes = data.get(f"day{day}_opens"), data.get(f"day{day}_closes")
            if (opens is None) != (closes is None):
                missing = f"day{day}_closes" if closes is None else f"day{day}_opens"
                if missing not in self.errors:
                    self.add_error(missing, _("Give both times, or neither."))
            elif opens is not None:
                windows.append((day, opens, closes))
            data.pop(f"day{day}_opens", None)
            data.pop(f"day{day}_closes", None)
        data["windows"] = windows
        return data

    def place_error(self, error) -> None:
        """Put a window error of the service on the weekday it is about."""
        if error.field == "windows" and "weekday" in error.details:
            error.field = f"day{error.details['weekday']}_closes"


class ParkingBayForm(WeeklyFreeForm):
    title = forms.CharField(
        label=_("Name of the bay"),
        max_length=200,
        help_text=_("For example: Residents' parking, bay 12."),
    )
    district = _district_choice(_("District"), True)
    address = forms.CharField(
        label=_("Address or how to find it"),
        max_length=300,
        required=False,
        help_text=_("Shown on the bay's page."),
    )
    description = forms.CharField(
        label=_("Notes for drivers"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requires_approval = forms.BooleanField(label=_("I approve each booking"), required=False)

    field_order = ["title", "district", "address", "description", "requires_approval"]
