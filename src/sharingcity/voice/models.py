"""Citizen voice: proposals from both channels, their routing to departments, supports and the
support ladder, the department's reply with its deadlines, comments, progress, the yearly
ranking vote and listening events.

Hot columns are denormalised on ``Proposal`` (status, lead department, support count, highest
rung, next deadline) so the public list filters and sorts on one table with composite indexes,
and a support is one INSERT plus one counter UPDATE."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import BilingualName, Department, District, Organisation


class Category(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class RoutingRule(models.Model):
    """The bureau's rule: proposals of a category (optionally only from one district) go to a
    department. A district-specific rule wins over the city-wide one."""

    category = models.ForeignKey(Category, models.CASCADE, verbose_name=_("category"))
    district = models.ForeignKey(
        District, models.CASCADE, null=True, blank=True, verbose_name=_("district")
    )
    department = models.ForeignKey(Department, models.PROTECT, verbose_name=_("department"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing rule")
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(district__isnull=True),
                name="voice_rule_one_citywide_per_category",
            ),
            models.UniqueConstraint(
                fields=["category", "district"],
                condition=Q(district__isnull=False),
                name="voice_rule_one_per_category_district",
            ),
        ]


class LadderRung(models.Model):
    """A rung of the support ladder as the bureau configured it. When no rung is stored the
    deployment's ``SHARINGCITY_VOICE_LADDER`` setting (default: Democracy Seoul) applies."""

    class Action(models.TextChoices):
        DEPARTMENT_ANSWER = "department_answer", _("The lead department must answer")
        FORUM = "forum", _("A public forum opens")
        MAYOR_ANSWER = "mayor_answer", _("The mayor's office must answer")

    threshold = models.PositiveIntegerField(_("supports needed"), unique=True)
    window_days = models.PositiveIntegerField(
        _("within days of receipt"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    action = models.CharField(_("what happens"), max_length=30, choices=Action.choices)
    answer_days = models.PositiveIntegerField(_("days to answer"), null=True, blank=True)

    class Meta:
        ordering = ["threshold"]
        verbose_name = _("ladder rung")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit in person")
    PHONE = "phone", _("Phone call")
    VOICE_MESSAGE = "voice_message", _("Recorded voice message")


OFFLINE_CHANNELS = [c for c in Channel.values if c != Channel.ONLINE]


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("With the department")
    ANSWERED = "answered", _("Answered")
    IN_PROGRESS = "in_progress", _("Being carried out")
    COMPLETED = "completed", _("Carried out")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = [Status.RECEIVED, Status.ROUTED, Status.ANSWERED, Status.IN_PROGRESS]


class Outcome(models.TextChoices):
    REFLECTED = "reflected", _("Reflected in policy")
    PARTLY_REFLECTED = "partly_reflected", _("Partly reflected")
    UNDER_REVIEW = "under_review", _("Under review")
    NOT_REFLECTED = "not_reflected", _("Not reflected")
    ALREADY_IN_PLACE = "already_in_place", _("Already in place")


class Proposal(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"))
    category = models.ForeignKey(
        Category, models.PROTECT, db_index=False, verbose_name=_("category")
    )
    district = models.ForeignKey(
        District, models.PROTECT, db_index=False, verbose_name=_("district")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="voice_proposals",
        verbose_name=_("author"),
    )
    # Offline proposals: whom to reply to when the resident has no account.
    contact_name = models.CharField(_("resident's name"), max_length=100, blank=True)
    contact = models.CharField(_("reply to (address, e-mail or phone)"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("entered by"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    lead_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="voice_led",
        verbose_name=_("lead department"),
    )
    departments = models.ManyToManyField(
        Department,
        through="Involvement",
        related_name="voice_involved",
        verbose_name=_("departments involved"),
    )
    partner = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("partner organisation"),
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="voice_assigned",
        verbose_name=_("assigned officer"),
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    highest_rung = models.PositiveSmallIntegerField(_("highest rung reached"), default=0)
    forum_opened_at = models.DateTimeField(_("forum opened"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            # One index per public filter, each ending in the list's order (newest first).
            models.Index(fields=["-received_at", "-id"], name="voice_prop_recent"),
            models.Index(fields=["status", "-received_at"], name="voice_prop_status"),
            models.Index(fields=["district", "-received_at"], name="voice_prop_district"),
            models.Index(fields=["lead_department", "-received_at"], name="voice_prop_dept"),
            models.Index(fields=["category", "-received_at"], name="voice_prop_category"),
            models.Index(fields=["-support_count", "-id"], name="voice_prop_supports"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"SC-{self.received_at:%Y}-{self.pk:06d}"

    @property
    def is_offline(self) -> bool:
        return self.channel != Channel.ONLINE

    @property
    def author_label(self) -> str:
        if self.author_id:
            return self.author.public_name
        return self.contact_name


class Involvement(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE)
    department = models.ForeignKey(Department, models.CASCADE)
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "department"], name="voice_involvement_unique"
            ),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(is_lead=True), name="voice_involvement_one_lead"
            ),
        ]


class TimelineEvent(models.Model):
    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ROUTED = "routed", _("Sent to a department")
        TRANSFERRED = "transferred", _("Transferred")
        DEPARTMENT_ADDED = "department_added", _("Department involved")
        PARTNER = "partner", _("Handed to a partner organisation")
        ASSIGNED = "assigned", _("Assigned to an officer")
        RUNG = "rung", _("Support rung reached")
        DEADLINE = "deadline", _("Reply deadline set")
        INTERIM = "interim", _("Interim answer")
        REPLY = "reply", _("Reply published")
        PROGRESS = "progress", _("Progress update")
        FOLLOW_UP = "follow_up", _("Author's follow-up")
        REMINDER = "reminder", _("Reminder sent")
        ESCALATED = "escalated", _("Deadline missed: escalated")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")
        LINKED_EVENT = "linked_event", _("Discussed at an event")

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="voice_timeline_prop")]


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="voice_one_support_each")
        ]


class RungReached(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="rungs")
    rung = models.PositiveSmallIntegerField()
    threshold = models.PositiveIntegerField()
    action = models.CharField(max_length=30, choices=LadderRung.Action.choices)
    reached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["threshold"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "threshold"], name="voice_rung_once")
        ]


class Obligation(models.Model):
    """A reply a department owes on a proposal by a date: the personal reply every proposal
    gets, the lead department's answer once a rung is reached, the mayor's answer. A final reply
    published by the department meets all its open obligations on the proposal."""

    class Reason(models.TextChoices):
        PERSONAL_REPLY = "personal_reply", _("Personal reply to the proposer")
        RUNG_ANSWER = "rung_answer", _("Answer owed after a support rung")
        MAYOR_ANSWER = "mayor_answer", _("The mayor's answer")

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="obligations")
    department = models.ForeignKey(Department, models.PROTECT, db_index=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    met_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["department", "met_at", "due_at"], name="voice_oblig_inbox"),
            models.Index(fields=["met_at", "due_at"], name="voice_oblig_due"),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.met_at is None and self.due_at < timezone.now()


class Reply(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim answer")
        FINAL = "final", _("Reply")

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FINAL)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    body = models.TextField()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]


class AnswerTemplate(models.Model):
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=120)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]


class InternalNote(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ProgressUpdate(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="progress_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    percent = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class FollowUp(models.Model):
    """FixMyStreet's question to the author some weeks after the reply: was it resolved?"""

    proposal = models.OneToOneField(Proposal, models.CASCADE, related_name="follow_up")
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField(null=True)
    comment = models.TextField(blank=True)


class Comment(models.Model):
    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN_PENDING = "hidden_pending", _("Hidden until reviewed")
        HIDDEN = "hidden", _("Hidden by a moderator")

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.VISIBLE)
    report_count = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["proposal", "state", "created_at"], name="voice_comment_prop"),
            models.Index(fields=["state", "report_count"], name="voice_comment_mod"),
        ]


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFFENSIVE = "offensive", _("Offensive")
        OFF_TOPIC = "off_topic", _("Does not belong here")

    comment = models.ForeignKey(Comment, models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="voice_report_once")
        ]


class RankingVote(models.Model):
    """The yearly vote ranking the city's issues: each verified resident approves up to ``k``."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Results published")

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    max_approvals = models.PositiveSmallIntegerField(_("approvals per resident"), default=3)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class RankingCandidate(models.Model):
    vote = models.ForeignKey(RankingVote, models.CASCADE, related_name="candidates")
    title = models.CharField(_("issue"), max_length=200)
    description = models.TextField(blank=True)
    proposal = models.ForeignKey(Proposal, models.SET_NULL, null=True, blank=True)
    approvals = models.PositiveIntegerField(default=0)  # filled when results are published

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class RankingBallot(models.Model):
    vote = models.ForeignKey(RankingVote, models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    candidates = models.ManyToManyField(RankingCandidate, related_name="ballots")
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="voice_one_ballot")]


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Listening workshop")
        LECTURE = "lecture", _("Lecture")
        MOBILE_CITY_HALL = "mobile_city_hall", _("Mobile city hall")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(Department, models.PROTECT, verbose_name=_("department"))
    district = models.ForeignKey(District, models.PROTECT, verbose_name=_("district"))
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    capacity = models.PositiveIntegerField(_("places"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    proposals = models.ManyToManyField(Proposal, blank=True, related_name="events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="voice_event_start")]

    def __str__(self) -> str:
        return self.topic


class Registration(models.Model):
    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Place confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices)
    created_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(null=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="voice_register_once")
        ]
        indexes = [models.Index(fields=["event", "state", "created_at"], name="voice_reg_queue")]
