"""Writes of the platform core. ``check_*`` functions enforce who may act and the business
preconditions, then call the ``do_*`` function that performs the change atomically."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, audit
from .errors import Conflict, InvalidInput
from .models import (
    AgeBand,
    ApiToken,
    CensusRecord,
    Department,
    District,
    Organisation,
    ResidentProfile,
    Role,
    RoleAssignment,
    User,
)
from .verification import method as verification_method


def _district(code: str) -> District:
    try:
        return District.objects.get(code=code)
    except District.DoesNotExist:
        raise InvalidInput(
            "unknown_district", _("Unknown district %(code)s.") % {"code": code}, field="district"
        ) from None


@transaction.atomic
def do_register_resident(
    *,
    username: str,
    email: str,
    password: str,
    district_code: str,
    age_band: str = "",
    birth_year: int | None = None,
    display_name: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("missing_username", _("Choose a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("username_taken", _("That user name is taken."), field="username")
    if age_band and age_band not in AgeBand.values:
        raise InvalidInput(
            "invalid_age_band",
            _("Unknown age band."),
            {"allowed": AgeBand.values},
            field="age_band",
        )
    this_year = timezone.now().year
    if birth_year is not None and not (this_year - 120 <= birth_year <= this_year):
        raise InvalidInput(
            "invalid_birth_year",
            _("Give a birth year between %(a)d and %(b)d.")
            % {"a": this_year - 120, "b": this_year},
            field="birth_year",
        )
    district = _district(district_code)
    try:
        validate_password(password)
    except ValidationError as e:
        raise InvalidInput("weak_password", " ".join(e.messages), field="password") from None
    user = User.objects.create_user(
        username=username, email=email, password=password, display_name=display_name
    )
    ResidentProfile.objects.create(
        user=user, district=district, age_band=age_band, birth_year=birth_year
    )
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT)
    return user


def check_verify_resident(
    *, actor: User, profile: ResidentProfile, method_key: str, evidence: dict[str, Any]
) -> ResidentProfile:
    access.require_staff(actor)
    method = verification_method(method_key)
    verdict = method.check(profile, evidence)
    return do_set_verification(
        actor=actor,
        profile=profile,
        verified=verdict.verified,
        method_key=method_key,
        note=verdict.note,
    )


@transaction.atomic
def do_set_verification(
    *, actor: User, profile: ResidentProfile, verified: bool, method_key: str, note: str
) -> ResidentProfile:
    profile.verification = (
        ResidentProfile.Verification.VERIFIED if verified else ResidentProfile.Verification.REJECTED
    )
    profile.verification_method = method_key
    profile.verification_note = note[:300]
    profile.verified_at = timezone.now() if verified else None
    profile.verified_by = actor
    profile.save(
        update_fields=[
            "verification",
            "verification_method",
            "verification_note",
            "verified_at",
            "verified_by",
        ]
    )
    audit.record(
        actor,
        "core.resident.verified" if verified else "core.resident.rejected",
        profile,
        method=method_key,
    )
    return profile


def do_request_verification(*, user: User) -> ResidentProfile:
    profile = access.resident_profile(user)
    if profile is None:
        raise InvalidInput("not_a_resident", _("Only residents can ask for a check."))
    if profile.verification in (
        ResidentProfile.Verification.UNVERIFIED,
        ResidentProfile.Verification.REJECTED,
    ):
        profile.verification = ResidentProfile.Verification.PENDING
        profile.save(update_fields=["verification"])
    return profile


CENSUS_COLUMNS = ("full_name", "birth_year", "district")


def check_import_census(*, actor: User, data: bytes | str) -> int:
    """Load a census extract (CSV with full_name, birth_year, district). All rows or none:
    every bad row is reported with its line number."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CENSUS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            "bad_census_header",
            _("The census file lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)},
            {"expected": list(CENSUS_COLUMNS)},
        )
    districts = dict(District.objects.values_list("code", "id"))
    errors: list[dict[str, Any]] = []
    digests: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("full_name") or "").strip()
        code = (row.get("district") or "").strip()
        try:
            year = int((row.get("birth_year") or "").strip())
        except ValueError:
            errors.append({"line": line, "error": _("birth_year is not a whole number")})
            continue
        if not name:
            errors.append({"line": line, "error": _("full_name is empty")})
        elif code not in districts:
            errors.append({"line": line, "error": _("unknown district %(code)s") % {"code": code}})
        else:
            digests[CensusRecord.digest_for(name, year, code)] = districts[code]
    if errors:
        raise InvalidInput(
            "bad_census_rows",
            _("%(n)d rows of the census file are invalid; nothing was imported.")
            % {"n": len(errors)},
            {"rows": errors[:50]},
        )
    with transaction.atomic():
        existing = set(
            CensusRecord.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
        )
        CensusRecord.objects.bulk_create(
            [
                CensusRecord(digest=d, district_id=dist)
                for d, dist in digests.items()
                if d not in existing
            ],
            batch_size=2000,
        )
        audit.record(actor, "core.census.imported", None, rows=len(digests))
    return len(digests)


def check_grant_role(
    *,
    actor: User,
    user: User,
    role: str,
    department: Department | None = None,
    organisation: Organisation | None = None,
) -> RoleAssignment:
    access.require_role(actor, Role.BUREAU_ADMIN)
    if role not in Role.values:
        raise InvalidInput(
            "unknown_role", _("Unknown role."), {"allowed": Role.values}, field="role"
        )
    if role in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD) and department is None:
        raise InvalidInput(
            "department_required", _("This role needs a department."), field="department"
        )
    if role == Role.ORGANISATION_OPERATOR and organisation is None:
        raise InvalidInput(
            "organisation_required", _("This role needs an organisation."), field="organisation"
        )
    if role == Role.CITIZEN_OVERSEER and access.resident_profile(user) is None:
        raise InvalidInput(
            "overseer_must_be_resident", _("A citizen overseer must be a resident."), field="user"
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, department=department, organisation=organisation
            )
            audit.record(
                actor,
                "core.role.granted",
                user,
                role=role,
                department=department,
                organisation=organisation,
            )
    except IntegrityError:
        raise Conflict("role_exists", _("The user already has this role.")) from None
    access.forget_roles(user)
    return assignment


@transaction.atomic
def check_revoke_role(*, actor: User, assignment: RoleAssignment) -> None:
    access.require_role(actor, Role.BUREAU_ADMIN)
    audit.record(
        actor,
        "core.role.revoked",
        assignment.user,
        role=assignment.role,
        department=assignment.department,
    )
    assignment.delete()


def do_set_preferences(
    *,
    user: User,
    notification_frequency: str,
    preferred_language: str,
    display_name: str | None = None,
) -> User:
    if notification_frequency not in User.NotificationFrequency.values:
        raise InvalidInput(
            "invalid_frequency",
            _("Choose immediate or daily digest."),
            field="notification_frequency",
        )
    if preferred_language not in dict(User._meta.get_field("preferred_language").choices):
        raise InvalidInput("invalid_language", _("Unknown language."), field="preferred_language")
    user.notification_frequency = notification_frequency
    user.preferred_language = preferred_language
    fields = ["notification_frequency", "preferred_language"]
    if display_name is not None:
        user.display_name = display_name.strip()[:150]
        fields.append("display_name")
    user.save(update_fields=fields)
    return user


def do_issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise InvalidInput("missing_name", _("Name the token."), field="name")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.digest_for(key), prefix=key[3:9]
    )
    return token, key


def do_revoke_api_token(*, user: User, token_id: int) -> None:
    ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.filter(digest=ApiToken.digest_for(key), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
