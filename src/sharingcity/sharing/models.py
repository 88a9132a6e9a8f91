"""The sharing hub: one booking core for every shareable thing (rooms in public buildings, item
units, parking bays, vehicles, clothing), and around it lending, parking, home-share, designated
sharing enterprises, partner platforms and trust.

Everything that occupies a unit in time is a ``Booking`` row: a resident's booking, the owning
department's own use and a blackout alike. One exclusion constraint over the buffered time range
per unit (PostgreSQL, see migration 0002) therefore guards all of them at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sharingcity.core.models import Department, District, Organisation


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Kind(models.TextChoices):
    ROOM = "room", _("Room")
    ITEM = "item", _("Item")
    PARKING = "parking", _("Parking bay")
    VEHICLE = "vehicle", _("Vehicle")
    CLOTHING = "clothing", _("Clothing")


class VerificationLevel(models.TextChoices):
    NONE = "none", _("Anyone with an account")
    RESIDENT = "resident", _("Residents")
    VERIFIED = "verified", _("Verified residents")


class Owned(models.Model):
    """Exactly one owner: a department (public building), an organisation or a resident."""

    owner_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning department"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning organisation"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning resident"),
    )

    class Meta:
        abstract = True

    @property
    def owner(self):
        return self.owner_department or self.owner_organisation or self.owner_user

    @property
    def owner_kind(self) -> str:
        if self.owner_department_id:
            return "department"
        if self.owner_organisation_id:
            return "organisation"
        return "resident" if self.owner_user_id else "partner"


class PartnerPlatform(models.Model):
    """A partner sharing platform whose listings the Share Hub imports into the same search."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    name = models.CharField(_("name"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, verbose_name=_("organisation")
    )
    feed_url = models.CharField(_("feed address"), max_length=500, blank=True)
    feed_format = models.CharField(_("feed format"), max_length=4, choices=Format.choices)
    refresh_hours = models.PositiveSmallIntegerField(_("refresh every (hours)"), default=24)
    active = models.BooleanField(_("active"), default=True)
    last_import_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    platform = models.ForeignKey(PartnerPlatform, models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_removed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": n, "error": "..."}]
    failed = models.CharField(max_length=500, blank=True)  # the whole feed could not be read

    class Meta:
        ordering = ["-started_at", "-id"]


class ResourcePool(Owned):
    """Identical units booked by quantity of one (20 folding chairs, 6 drills of one model)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    def __str__(self) -> str:
        return self.name


class Resource(Owned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Available")
        MAINTENANCE = "maintenance", _("In maintenance")
        RETIRED = "retired", _("Retired")

    class WindowRule(models.TextChoices):
        WHOLE = "whole", _("The whole booking inside opening windows")
        ENDPOINTS = "endpoints", _("Pick-up and return inside opening windows")

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("Any length")
        HOURS = "hours", _("Whole hours")
        DAYS = "days", _("Whole days")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True)  # clothing: 95, 100, M, 260mm
    district = models.ForeignKey(District, models.PROTECT, verbose_name=_("district"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    accessible = models.BooleanField(_("step-free access"), default=False)
    capacity = models.PositiveIntegerField(_("people"), default=1)
    pool = models.ForeignKey(
        ResourcePool,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("pool"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # rules
    requires_approval = models.BooleanField(_("needs approval"), default=False)
    verification_required = models.CharField(
        _("who may book"),
        max_length=10,
        choices=VerificationLevel.choices,
        default=VerificationLevel.RESIDENT,
    )
    window_rule = models.CharField(
        _("opening rule"), max_length=10, choices=WindowRule.choices, default=WindowRule.WHOLE
    )
    booking_unit = models.CharField(
        _("booking unit"), max_length=8, choices=Unit.choices, default=Unit.MINUTES
    )
    buffer_before = models.PositiveIntegerField(_("buffer before (minutes)"), default=0)
    buffer_after = models.PositiveIntegerField(_("buffer after (minutes)"), default=0)
    lead_time = models.PositiveIntegerField(_("book at least (minutes ahead)"), default=0)
    max_advance_days = models.PositiveIntegerField(_("book at most (days ahead)"), default=90)
    min_duration = models.PositiveIntegerField(_("shortest booking (minutes)"), default=30)
    max_duration = models.PositiveIntegerField(_("longest booking (minutes)"), default=24 * 60)
    monthly_cap = models.PositiveIntegerField(
        _("bookings per person per month"), null=True, blank=True
    )
    checkin_required = models.BooleanField(_("check-in required"), default=False)
    checkin_grace = models.PositiveIntegerField(_("check-in grace (minutes)"), default=15)
    deposit = models.PositiveIntegerField(_("refundable deposit (KRW)"), default=0)
    price_per_hour = models.PositiveIntegerField(_("price per hour (KRW)"), default=0)
    price_per_day = models.PositiveIntegerField(_("price per day (KRW)"), default=0)
    # partner listings
    partner = models.ForeignKey(
        PartnerPlatform, models.CASCADE, null=True, blank=True, related_name="listings"
    )
    external_id = models.CharField(max_length=100, blank=True)
    external_url = models.URLField(max_length=500, blank=True)
    ics_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("shareable resource")
        indexes = [
            models.Index(fields=["kind", "district"], name="sharing_res_kind_district"),
            models.Index(fields=["district", "status"], name="sharing_res_district_status"),
            models.Index(fields=["latitude", "longitude"], name="sharing_res_latlon"),
            models.Index(fields=["owner_department"], name="sharing_res_dept"),
            models.Index(fields=["owner_organisation"], name="sharing_res_org"),
        ]
        constraints = [
            models.CheckConstraint(
                name="sharing_resource_one_owner",
                condition=(
                    Q(
                        owner_department__isnull=False,
                        owner_organisation__isnull=True,
                        owner_user__isnull=True,
                    )
                    | Q(
                        owner_department__isnull=True,
                        owner_organisation__isnull=False,
                        owner_user__isnull=True,
                    )
                    | Q(
                        owner_department__isnull=True,
                        owner_organisation__isnull=True,
                        owner_user__isnull=False,
                    )
                    | Q(
                        owner_department__isnull=True,
                        owner_organisation__isnull=True,
                        owner_user__isnull=True,
                        partner__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["partner", "external_id"],
                name="sharing_partner_listing_unique",
                condition=Q(partner__isnull=False),
            ),
            models.CheckConstraint(
                name="sharing_resource_durations",
                condition=Q(min_duration__lte=models.F("max_duration")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_partner_listing(self) -> bool:
        return self.partner_id is not None


class WeeklyWindow(models.Model):
    """Opening hours or, for a resident's parking bay, the weekly hours it is free."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))  # 00:00 means midnight at the end of the day

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(name="sharing_window_weekday", condition=Q(weekday__lte=6)),
        ]

    @property
    def weekday_name(self) -> str:
        """The weekday in the reader's language (Django's own translated names)."""
        return str(WEEKDAYS[self.weekday])


class DateException(models.Model):
    """A date when the weekly windows do not apply: closed all day, or open other hours."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="sharing_exception_once")
        ]


class BookingSeries(models.Model):
    """A weekly recurring booking; the conflicting dates that were skipped are kept."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="series")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    weeks = models.PositiveSmallIntegerField()
    skipped = models.JSONField(
        default=list, blank=True
    )  # [{"start": iso, "code": ..., "message": ...}]
    created_at = models.DateTimeField(default=timezone.now)


class Booking(models.Model):
    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        OWNER_USE = "owner_use", _("Owner's own use")
        BLACKOUT = "blackout", pgettext_lazy("booking kind", "Closed")

    class State(models.TextChoices):
        HELD = "held", _("Held")
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        CHECKED_OUT = "checked_out", _("In use")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        NO_SHOW = "no_show", _("No-show")
        DISPUTED = "disputed", _("Disputed")

    class Deposit(models.TextChoices):
        NONE = "none", _("No deposit")
        HELD = "held", _("Deposit held")
        REFUNDED = "refunded", _("Deposit refunded")
        KEPT = "kept", _("Deposit kept for damage")

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="bookings")
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="sharing_bookings"
    )
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOOKING)
    state = models.CharField(max_length=12, choices=State.choices, db_index=True)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    # the range the unit is occupied, widened by the resource's buffers at booking time
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    attendees = models.PositiveIntegerField(_("people"), default=1)
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=12, blank=True)
    series = models.ForeignKey(
        BookingSeries, models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    deny_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    condition_out = models.CharField(max_length=300, blank=True)
    condition_in = models.CharField(max_length=300, blank=True)
    deposit_amount = models.PositiveIntegerField(default=0)
    deposit_state = models.CharField(max_length=10, choices=Deposit.choices, default=Deposit.NONE)
    overstay_minutes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    ACTIVE = (State.HELD, State.REQUESTED, State.APPROVED, State.CHECKED_OUT)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["booker", "start"], name="sharing_booking_booker"),
            # the availability anti-join probes (resource, blocked_end) for active rows
            models.Index(
                fields=["resource", "blocked_end", "blocked_start"],
                name="sharing_booking_res_active",
                condition=Q(state__in=["held", "requested", "approved", "checked_out"]),
            ),
            models.Index(
                fields=["state", "expires_at"],
                name="sharing_booking_holds",
                condition=Q(state="held"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="sharing_booking_order", condition=Q(start__lt=models.F("end"))
            ),
            models.CheckConstraint(
                name="sharing_booking_blocked_covers",
                condition=Q(blocked_start__lte=models.F("start"), blocked_end__gte=models.F("end")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE


class NoShowStrike(models.Model):
    """A missed check-in. Three strikes within their 90-day life suspend the person for 30 days."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    booking = models.OneToOneField(Booking, models.CASCADE, related_name="strike")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()


class Suspension(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300)


class LotteryDraw(models.Model):
    """A popular slot given by lot instead of first come, first served. The draw is seeded from
    the draw's public seed and the sorted entrant list, so anybody can recompute it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open for entries")
        DRAWN = "drawn", _("Drawn")

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="lotteries")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    closes_at = models.DateTimeField(_("entries close"))
    seed = models.CharField(max_length=64, default=new_token)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    order = models.JSONField(default=list, blank=True)  # user ids in drawn order
    winner_booking = models.ForeignKey(
        Booking, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField(null=True, blank=True)


class LotteryEntry(models.Model):
    draw = models.ForeignKey(LotteryDraw, models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draw", "user"], name="sharing_lottery_once")
        ]


class ItemHold(models.Model):
    """A place in the queue for an item (or any unit of a pool) that is out on loan."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READY = "ready", _("Ready for pick-up")
        FULFILLED = "fulfilled", _("Picked up")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Not picked up in time")

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="holds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    ready_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "user"],
                name="sharing_one_open_hold",
                condition=Q(state__in=["waiting", "ready"]),
            )
        ]


class DamageReport(models.Model):
    booking = models.ForeignKey(Booking, models.CASCADE, related_name="damage_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    description = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class MaintenanceTicket(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("maintenance ticket", "Open")
        REPAIRING = "repairing", _("Being repaired")
        RESOLVED = "resolved", _("Resolved")
        RETIRED = "retired", _("Retired the unit")

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="tickets")
    damage = models.ForeignKey(DamageReport, models.SET_NULL, null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    description = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)


class Review(models.Model):
    """A review of the other party after a completed booking. Double-blind: hidden until both
    have written or seven days have passed since the first one."""

    BLIND_DAYS = 7

    class About(models.TextChoices):
        RESOURCE = "resource", _("The booker reviews the resource and its owner")
        BOOKER = "booker", _("The owner reviews the booker")

    booking = models.ForeignKey(Booking, models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    about = models.CharField(max_length=10, choices=About.choices)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "about"], name="sharing_review_once"),
            models.CheckConstraint(
                name="sharing_review_rating", condition=Q(rating__gte=1, rating__lte=5)
            ),
        ]


class Report(models.Model):
    """A report to staff about a resource, a booking or a person; a dispute is a report on a
    booking that also puts the booking in the disputed state."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("report state", "Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, models.CASCADE, null=True, blank=True)
    booking = models.ForeignKey(Booking, models.CASCADE, null=True, blank=True)
    is_dispute = models.BooleanField(default=False)
    reason = models.CharField(max_length=40)
    text = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class FeedToken(models.Model):
    """The secret in a calendar-feed address for a user or an organisation (resources carry
    their own ``ics_token``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.OneToOneField(
        Organisation, models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)


# --- home-share --------------------------------------------------------------------------


class HomeShareHost(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    district = models.ForeignKey(District, models.PROTECT)
    birth_year = models.PositiveSmallIntegerField()
    rent = models.PositiveIntegerField(_("monthly rent (KRW)"))
    room = models.CharField(_("the room"), max_length=300)
    smoker = models.BooleanField(default=False)
    pets = models.BooleanField(default=False)
    early_riser = models.BooleanField(default=True)
    help_wanted = models.JSONField(default=list, blank=True)  # ["shopping", "technology", ...]
    available_from = models.DateField()
    active = models.BooleanField(default=True)


class HomeShareStudent(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    university = models.CharField(max_length=200)
    districts = models.JSONField(default=list)  # district codes in order of preference
    max_rent = models.PositiveIntegerField(_("most rent (KRW)"))
    smoker = models.BooleanField(default=False)
    ok_with_pets = models.BooleanField(default=True)
    early_riser = models.BooleanField(default=False)
    help_offered = models.JSONField(default=list, blank=True)
    move_in = models.DateField()
    active = models.BooleanField(default=True)


class HomeShareMatch(models.Model):
    """A proposed pairing and the coordinator's steps. Software suggests; the coordinator decides."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INTERVIEW = "interview", _("Interviews")
        HOME_VISIT = "home_visit", _("Home visit")
        AGREEMENT = "agreement", _("Agreement signed")
        TRIAL = "trial", _("Trial month")
        FOLLOW_UP = "follow_up", _("Follow-up")
        LIVING = "living", _("Living together")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    host = models.ForeignKey(HomeShareHost, models.CASCADE, related_name="matches")
    student = models.ForeignKey(HomeShareStudent, models.CASCADE, related_name="matches")
    score = models.FloatField()
    explanation = models.JSONField(default=list)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PROPOSED)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.JSONField(default=list, blank=True)  # [{"at", "stage", "by", "note"}]
    trial_ends = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "student"], name="sharing_match_once")
        ]


# --- designated sharing enterprises ------------------------------------------------------


class EnterpriseApplication(models.Model):
    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        DOCUMENTS = "documents", _("Document review")
        SITE_VISIT = "site_visit", _("Site visit")
        PRESENTATION = "presentation", _("Presentation")
        COMMITTEE = "committee", _("Committee decision")
        DESIGNATED = "designated", _("Designated")
        REJECTED = "rejected", _("Not designated")

    class LegalForm(models.TextChoices):
        SME = "sme", _("Small or medium enterprise")
        SOCIAL = "social_enterprise", _("(Pre-)social enterprise")
        COOPERATIVE = "cooperative", _("(Social) cooperative")
        NONPROFIT = "nonprofit", _("Non-profit organisation or corporation")

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices)
    registration_number = models.CharField(max_length=12)
    sharing_since = models.DateField()
    description = models.TextField()
    documents = models.JSONField(default=list)  # names of the documents handed in
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.SUBMITTED)
    reviews = models.JSONField(default=list, blank=True)  # [{"stage", "by", "at", "score", "note"}]
    renewal_of = models.ForeignKey(
        "Designation", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class Designation(models.Model):
    VALID_YEARS = 3

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    application = models.OneToOneField(EnterpriseApplication, models.CASCADE)
    valid_from = models.DateField()
    valid_until = models.DateField()
    brand_right = models.BooleanField(default=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.valid_from <= today <= self.valid_until


class Grant(models.Model):
    class Track(models.TextChoices):
        DESIGNATED = "designated", _("Designated theme")
        OPEN = "open", _("Open project")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        AWARDED = "awarded", _("Awarded")
        REFUSED = "refused", _("Refused")
        REPORTED = "reported", _("Report received")

    designation = models.ForeignKey(Designation, models.CASCADE, related_name="grants")
    track = models.CharField(max_length=12, choices=Track.choices)
    project = models.CharField(max_length=300)
    amount_requested = models.PositiveBigIntegerField()
    amount_awarded = models.PositiveBigIntegerField(null=True, blank=True)
    report_due = models.DateField(null=True, blank=True)
    report_received_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)


class Loan(models.Model):
    """A loan from the city's social investment fund, repaid in equal monthly instalments."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    amount = models.PositiveBigIntegerField()
    annual_rate = models.DecimalField(max_digits=5, decimal_places=3)  # percent
    term_months = models.PositiveSmallIntegerField()
    disbursed_on = models.DateField()


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, models.CASCADE, related_name="repayments")
    due = models.DateField()
    amount = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due"]


def month_bounds(moment):
    """The start of ``moment``'s month and of the next one, in local time."""
    local = timezone.localtime(moment)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt
