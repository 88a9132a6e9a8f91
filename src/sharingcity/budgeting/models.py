"""Participatory budgeting processes, their projects, secret ballots and published results;
citizens' panels drawn by a verifiable lottery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import Department, District


class BudgetProcess(models.Model):
    class Phase(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IDEAS = "ideas", _("Collecting ideas")
        COSTING = "costing", _("Feasibility and costing")
        VOTING = "voting", _("Voting")
        RESULTS = "results", _("Results")
        IMPLEMENTATION = "implementation", _("Implementation")
        CLOSED = "closed", _("Closed")

    class BallotType(models.TextChoices):
        APPROVAL = "approval", _("Approval (tick up to a maximum)")
        KNAPSACK = "knapsack", _("Knapsack (choose within the budget)")
        CUMULATIVE = "cumulative", _("Cumulative (share out points)")
        RANKED = "ranked", _("Ranked (order your favourites)")

    class Rule(models.TextChoices):
        GREEDY = "greedy", _("Greedy: most votes first, skipping what does not fit")
        GREEDY_NO_SKIP = (
            "greedy-no-skip",
            _("Greedy: most votes first, stop at the first that does not fit"),
        )
        GREEDY_PER_COST = "greedy-per-cost", _("Greedy: most votes per unit of cost first")
        MES = "mes", _("Method of Equal Shares")
        PHRAGMEN = "phragmen", _("Sequential Phragmén")

    class Electorate(models.TextChoices):
        CITY = "city", _("All verified residents of the city")
        DISTRICT = "district", _("Verified residents, each in their district's vote")
        PANEL = "panel", _("A drawn citizens' panel")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    total_budget = models.PositiveBigIntegerField(_("total budget (KRW)"))
    electorate = models.CharField(
        _("electorate"), max_length=10, choices=Electorate.choices, default=Electorate.CITY
    )
    panel = models.ForeignKey(
        "Panel",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="processes",
        verbose_name=_("panel"),
    )
    ballot_type = models.CharField(
        _("ballot"), max_length=12, choices=BallotType.choices, default=BallotType.APPROVAL
    )
    max_choices = models.PositiveSmallIntegerField(_("most projects per ballot"), default=5)
    points = models.PositiveSmallIntegerField(_("points per ballot (cumulative)"), default=10)
    rule = models.CharField(
        _("counting rule"), max_length=20, choices=Rule.choices, default=Rule.MES
    )
    # Every option that can change the outcome is published with the process (see pb.MESCompletion).
    rule_parameters = models.JSONField(_("rule parameters"), default=dict, blank=True)
    voting_opens = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes = models.DateTimeField(_("voting closes"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("budget process")

    def __str__(self) -> str:
        return self.title

    @property
    def split_by_district(self) -> bool:
        return self.electorate == self.Electorate.DISTRICT


class DistrictBudget(models.Model):
    process = models.ForeignKey(BudgetProcess, models.CASCADE, related_name="district_budgets")
    district = models.ForeignKey(District, models.PROTECT)
    amount = models.PositiveBigIntegerField(_("amount (KRW)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "district"], name="one_budget_per_district")
        ]


class BudgetProject(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        FEASIBLE = "feasible", _("Feasible, on the ballot")
        INFEASIBLE = "infeasible", _("Not feasible")
        FUNDED = "funded", _("Funded")
        NOT_FUNDED = "not_funded", _("Not funded")
        IMPLEMENTING = "implementing", _("Being implemented")
        COMPLETED = "completed", _("Completed")

    process = models.ForeignKey(BudgetProcess, models.CASCADE, related_name="projects")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, verbose_name=_("district")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, verbose_name=_("responsible department")
    )
    proposed_cost = models.PositiveBigIntegerField(_("proposed cost (KRW)"))
    cost = models.PositiveBigIntegerField(_("cost after costing (KRW)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED
    )
    feasibility_reason = models.TextField(_("feasibility verdict"), blank=True)
    costed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    costed_at = models.DateTimeField(null=True, blank=True)
    source_proposal_id = models.PositiveBigIntegerField(
        _("from citizen proposal"), null=True, blank=True
    )
    percent_done = models.PositiveSmallIntegerField(_("percent done"), default=0)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["process", "code"], name="unique_project_code"),
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def ballot_cost(self) -> int:
        return self.cost if self.cost is not None else self.proposed_cost


class Ballot(models.Model):
    """A secret ballot. It carries no voter: ``voter_key`` is a keyed hash of the voter and the
    process, so one ballot per voter can be enforced and changed, but the table alone does not
    say who voted for what."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot entered by staff")

    process = models.ForeignKey(BudgetProcess, models.CASCADE, related_name="ballots")
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True)
    voter_key = models.CharField(max_length=64)
    choices = models.JSONField(default=dict)  # project code -> points (approval: 1; ranked: rank)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "voter_key"], name="one_ballot_per_voter")
        ]
        indexes = [models.Index(fields=["process", "district"])]


class Tally(models.Model):
    """A published count: the rule, every parameter, and why each project was (not) funded."""

    process = models.ForeignKey(BudgetProcess, models.CASCADE, related_name="tallies")
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True)
    rule = models.CharField(max_length=20)
    parameters = models.JSONField(default=dict)
    budget = models.PositiveBigIntegerField()
    selected = models.JSONField(default=list)  # project codes in funding order
    spent = models.PositiveBigIntegerField()
    voters = models.PositiveIntegerField()
    explanations = models.JSONField(
        default=dict
    )  # code -> {funded, reason, sentence, votes, detail}
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at"]


class ImplementationUpdate(models.Model):
    project = models.ForeignKey(BudgetProject, models.CASCADE, related_name="updates")
    percent_done = models.PositiveSmallIntegerField()
    note = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class Panel(models.Model):
    """A citizens' panel: a call for volunteers, quotas, a published lottery and a verifiable draw."""

    class Stage(models.TextChoices):
        CALL_OPEN = "call_open", _("Call for volunteers open")
        POOL_CLOSED = "pool_closed", _("Pool closed, quotas set")
        LOTTERY_READY = "lottery_ready", _("Selection probabilities published")
        DRAWN = "drawn", _("Panel drawn")

    class Algorithm(models.TextChoices):
        LEXIMIN = "leximin", _("LEXIMIN (fairest to the least likely)")
        MAXIMIN = "maximin", _("Maximin")
        LEGACY = "legacy", _("Legacy greedy draw")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    size = models.PositiveIntegerField(_("panel size"))
    stage = models.CharField(
        _("stage"), max_length=14, choices=Stage.choices, default=Stage.CALL_OPEN
    )
    algorithm = models.CharField(
        _("algorithm"), max_length=10, choices=Algorithm.choices, default=Algorithm.LEXIMIN
    )
    one_per_household = models.BooleanField(_("at most one person per household"), default=False)
    quotas = models.JSONField(_("quotas"), default=list, blank=True)  # [{feature, value, min, max}]
    seed_source = models.CharField(_("where the seed will come from"), max_length=300, blank=True)
    seed = models.CharField(_("seed"), max_length=300, blank=True)
    lottery = models.JSONField(default=dict, blank=True)  # the published panel distribution
    lottery_digest = models.CharField(max_length=64, blank=True)
    minimum_probability = models.FloatField(null=True, blank=True)
    audit_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PanelVolunteer(models.Model):
    class Status(models.TextChoices):
        VOLUNTEER = "volunteer", _("In the pool")
        SELECTED = "selected", _("Selected")
        DECLINED = "declined", _("Selected, declined")
        REPLACEMENT = "replacement", _("Selected as a replacement")
        WITHDRAWN = "withdrawn", _("Withdrew")

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="volunteers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=64)
    features = models.JSONField(default=dict)
    household = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VOLUNTEER)
    probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "external_id"], name="unique_volunteer_id"),
            models.UniqueConstraint(
                fields=["panel", "user"], condition=Q(user__isnull=False), name="volunteer_once"
            ),
        ]
