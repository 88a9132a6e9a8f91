"""People, places and the city's organisation: users and their roles, residents and their
verification, districts, departments, notifications, the audit log and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko

    def __str__(self) -> str:
        return self.name


class District(BilingualName):
    """A district (gu) of the city."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Department(BilingualName):
    """A city department: it answers proposals, owns public buildings, costs budget projects."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    is_mayors_office = models.BooleanField(_("mayor's office"), default=False)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Organisation(models.Model):
    """A partner outside the city government: a company, NGO or sharing enterprise."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        NGO = "ngo", _("Non-profit organisation")
        SHARING_ENTERPRISE = "sharing_enterprise", _("Sharing enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, verbose_name=_("district")
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class NotificationFrequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY_DIGEST = "daily", _("Daily digest")

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ko"
    )
    notification_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.DAILY_DIGEST,
    )

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    BUREAU_ADMIN = "bureau_admin", _("Innovation bureau admin")
    ORGANISATION_OPERATOR = "organisation_operator", _("Sharing organisation operator")
    CITIZEN_OVERSEER = "citizen_overseer", _("Citizen overseer")
    PLANNER = "planner", _("City planner")


class RoleAssignment(models.Model):
    """A role held by a user, scoped to a department or organisation where the role needs one."""

    user = models.ForeignKey(User, models.CASCADE, related_name="roles", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, verbose_name=_("department")
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, null=True, blank=True, verbose_name=_("organisation")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                name="unique_unscoped_role",
                condition=Q(department__isnull=True, organisation__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                name="unique_department_role",
                condition=Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                name="unique_organisation_role",
                condition=Q(organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="department_roles_have_department",
                condition=~Q(role__in=["department_officer", "department_head"])
                | Q(department__isnull=False),
            ),
            models.CheckConstraint(
                name="operator_has_organisation",
                condition=~Q(role="organisation_operator") | Q(organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        scope = self.department or self.organisation
        return f"{self.get_role_display()}" + (f" ({scope})" if scope else "")


class AgeBand(models.TextChoices):
    UNDER_20 = "0-19", _("under 20")
    TWENTIES = "20-29", _("20-29")
    THIRTIES = "30-39", _("30-39")
    FORTIES = "40-49", _("40-49")
    FIFTIES = "50-59", _("50-59")
    SIXTIES = "60-69", _("60-69")
    SEVENTY_PLUS = "70+", _("70 and over")


class ResidentProfile(models.Model):
    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Not verified")
        PENDING = "pending", _("Waiting for a check")
        VERIFIED = "verified", _("Verified resident")
        REJECTED = "rejected", _("Could not be verified")

    user = models.OneToOneField(
        User, models.CASCADE, related_name="resident", verbose_name=_("user")
    )
    district = models.ForeignKey(District, models.PROTECT, verbose_name=_("district"))
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    verification_method = models.CharField(_("verification method"), max_length=40, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_note = models.CharField(_("verification note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("resident profile")
        indexes = [models.Index(fields=["verification", "district"])]

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED

    def __str__(self) -> str:
        return f"{self.user} ({self.district})"


class CensusRecord(models.Model):
    """One line of a census extract uploaded by staff, kept only as a salted digest of the
    identifying fields, so matching works without storing the census itself."""

    digest = models.CharField(max_length=64, unique=True)
    district = models.ForeignKey(District, models.PROTECT)
    uploaded_at = models.DateTimeField(default=timezone.now)

    @staticmethod
    def digest_for(full_name: str, birth_year: int, district_code: str) -> str:
        key = f"{' '.join(full_name.split()).casefold()}|{birth_year}|{district_code}"
        return hashlib.sha256((settings.SECRET_KEY + "|census|" + key).encode()).hexdigest()


class Notification(models.Model):
    recipient = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    immediate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "created_at"]),
        ]


class AuditEntry(models.Model):
    """One staff action. Written only through ``core.audit.record``; never edited."""

    actor = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]


class ApiToken(models.Model):
    """A personal API token; only a digest is stored, the key is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_for(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return "sc_" + secrets.token_urlsafe(32)
