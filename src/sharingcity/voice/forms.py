"""Page forms: they check the shape of the input; the business rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sharingcity.core.forms import QuickSelect
from sharingcity.core.models import Department, District, Organisation

from .models import (
    OFFLINE_CHANNELS,
    Category,
    Channel,
    CommentReport,
    Event,
    LadderRung,
    Outcome,
    Reply,
    Status,
)


def _codes(model):
    return forms.ModelChoiceField(queryset=model.objects.all(), to_field_name="code")


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, min_length=5)
    body = forms.CharField(
        label=_("Your proposal"),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=20,
        max_length=10_000,
        help_text=_("What is the problem, and what should the city do?"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="code"
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), to_field_name="code"
    )


class OfflineProposalForm(ProposalForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c, Channel(c).label) for c in OFFLINE_CHANNELS]
    )
    contact_name = forms.CharField(label=_("Resident's name"), max_length=100)
    contact = forms.CharField(label=_("Reply to (postal address, e-mail or phone)"), max_length=200)
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *Status.choices],
        widget=QuickSelect,
    )
    district = forms.ChoiceField(label=_("District"), required=False, widget=QuickSelect)
    department = forms.ChoiceField(label=_("Department"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("recent", _("Newest")), ("supports", _("Most supported"))],
        widget=QuickSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (
            ("district", District),
            ("department", Department),
            ("category", Category),
        ):
            self.fields[name].choices = [("", _("Any"))] + [
                (o.code, o.name) for o in model.objects.all()
            ]


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Reply.Kind.choices, initial=Reply.Kind.FINAL)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("— (interim answer)"))] + list(Outcome.choices),
    )
    body = forms.CharField(
        label=_("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 10})
    )
    reason = forms.CharField(
        label=_("Reason (required when not reflected)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferForm(forms.Form):
    department = _codes(Department)
    department.label = _("Transfer to")
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class InvolveForm(forms.Form):
    department = _codes(Department)
    department.label = _("Involve another department")


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.all()
    )
    note = forms.CharField(
        label=_("What the partner should do"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=CommentReport.Reason.choices)


class FollowUpForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("Was it resolved?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoutingRuleForm(forms.Form):
    category = _codes(Category)
    category.label = _("Category")
    district = forms.ModelChoiceField(
        label=_("Only for district"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
    )
    department = _codes(Department)
    department.label = _("Department")


class RungForm(forms.Form):
    threshold = forms.IntegerField(label=_("Supports needed"), min_value=1)
    window_days = forms.IntegerField(
        label=_("Within days of receipt"), min_value=1, max_value=365, required=False
    )
    action = forms.ChoiceField(label=_("What happens"), choices=LadderRung.Action.choices)
    answer_days = forms.IntegerField(
        label=_("Days to answer"), min_value=1, max_value=365, required=False
    )


RungFormSet = forms.formset_factory(RungForm, extra=1, can_delete=True, max_num=10)


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Template name"), max_length=120)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—")] + list(Outcome.choices)
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))


class RankingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    max_approvals = forms.IntegerField(
        label=_("Approvals per resident (k)"), min_value=1, max_value=50
    )
    candidates = forms.CharField(
        label=_("Issues, one per line"), widget=forms.Textarea(attrs={"rows": 8})
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = _codes(Department)
    department.label = _("Department")
    district = _codes(District)
    district.label = _("District")
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)


class EventOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What came out of it"), widget=forms.Textarea(attrs={"rows": 3})
    )
    proposals = forms.CharField(label=_("Proposal numbers, separated by commas"), required=False)

    def clean_proposals(self):
        raw = self.cleaned_data["proposals"]
        try:
            return [int(x) for x in raw.replace(" ", "").split(",") if x]
        except ValueError:
            raise forms.ValidationError(_("Give proposal numbers separated by commas.")) from None
