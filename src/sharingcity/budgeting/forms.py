from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sharingcity.core.models import Department, District

from .models import BudgetProcess, Panel


class ProcessForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    total_budget = forms.IntegerField(label=_("Total budget (KRW)"), min_value=1)
    electorate = forms.ChoiceField(label=_("Who votes"), choices=BudgetProcess.Electorate.choices)
    panel = forms.ModelChoiceField(
        label=_("Panel (when a panel votes)"), queryset=Panel.objects.all(), required=False
    )
    ballot_type = forms.ChoiceField(label=_("Ballot"), choices=BudgetProcess.BallotType.choices)
    max_choices = forms.IntegerField(
        label=_("Most projects per ballot"), min_value=1, max_value=100, initial=5
    )
    points = forms.IntegerField(
        label=_("Points per ballot (cumulative)"), min_value=1, max_value=1000, initial=10
    )
    rule = forms.ChoiceField(
        label=_("Counting rule"), choices=BudgetProcess.Rule.choices, initial="mes"
    )
    completion = forms.ChoiceField(
        label=_("Method of Equal Shares completion"),
        initial="add1",
        choices=[
            ("none", _("None (plain Method of Equal Shares)")),
            ("add1", _("Add one: raise the endowment until exhaustive")),
            ("add1-greedy", _("Add one, then greedy")),
            ("add1-integral-largest", _("Add one from a whole endowment, largest feasible")),
        ],
    )
    increment = forms.IntegerField(
        label=_("Add-one step per voter (KRW)"),
        min_value=1,
        initial=1000,
        help_text=_("How much each voter's share grows per round of the completion."),
    )
    tie_break = forms.ChoiceField(
        label=_("Tie-break"),
        initial="lexicographic",
        choices=[
            ("lexicographic", _("Project code order")),
            ("min_cost", _("Cheaper first")),
            ("max_cost", _("Dearer first")),
            ("most_votes", _("More votes first")),
        ],
    )
    district_budgets = forms.CharField(
        label=_("District budgets (one per line: district code, amount)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_district_budgets(self):
        out = {}
        for n, line in enumerate(self.cleaned_data["district_budgets"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                code, amount = (part.strip() for part in line.split(","))
                out[code] = int(amount)
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)d: write a district code, a comma and an amount.") % {"n": n}
                ) from None
        return out


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.all()
    )
    district = forms.ModelChoiceField(
        label=_("District (empty for city-wide)"), queryset=District.objects.all(), required=False
    )
    proposed_cost = forms.IntegerField(label=_("Estimated cost (KRW)"), min_value=1)
    source_proposal_id = forms.IntegerField(
        label=_("From citizen proposal no. (optional)"), min_value=1, required=False
    )


class CostingForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Verdict"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Feasible")), ("no", _("Not feasible"))],
    )
    cost = forms.IntegerField(label=_("Cost (KRW)"), min_value=1, required=False)
    reason = forms.CharField(
        label=_("Reasons, for the public"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgressForm(forms.Form):
    percent_done = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class PanelForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    size = forms.IntegerField(label=_("Panel size"), min_value=1, max_value=10000)
    algorithm = forms.ChoiceField(
        label=_("Selection algorithm"),
        choices=[("leximin", _("LEXIMIN")), ("maximin", _("Maximin"))],
    )
    one_per_household = forms.BooleanField(
        label=_("At most one person per household"), required=False
    )
    seed_source = forms.CharField(
        label=_("Where the seed will come from (announced now)"), max_length=300
    )


class VolunteerForm(forms.Form):
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("female", _("Female")), ("male", _("Male")), ("other", _("Other"))],
    )
    housing = forms.ChoiceField(
        label=_("Housing"),
        choices=[("owner", pgettext_lazy("housing", "Owner")), ("tenant", _("Tenant")), ("other", _("Other"))],
    )
    education = forms.ChoiceField(
        label=_("Education"),
        choices=[
            ("school", _("Secondary school")),
            ("college", _("College or university")),
            ("other", _("Other")),
        ],
    )
    household = forms.CharField(
        label=_("Household (address, for the one-per-household rule)"),
        max_length=200,
        required=False,
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class SeedForm(forms.Form):
    seed = forms.CharField(label=_("Seed (as published by the announced source)"), max_length=300)


class ReplaceForm(forms.Form):
    declined = forms.CharField(
        label=_("Volunteer ids who declined (comma separated)"), max_length=2000
    )
    seed = forms.CharField(label=_("Seed for the replacement draw"), max_length=300)
