"""Who may do what. Every permission check in the platform goes through these functions."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from .errors import NotAllowed
from .models import Department, ResidentProfile, Role, RoleAssignment, User

STAFF_ROLES = {Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD, Role.BUREAU_ADMIN}


def role_assignments(user: User | AnonymousUser | None) -> list[RoleAssignment]:
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user))
        user._role_cache = cached  # type: ignore[union-attr]
    return cached


def forget_roles(user: User) -> None:
    user.__dict__.pop("_role_cache", None)


def has_role(user, *roles: str, department: Department | int | None = None) -> bool:
    dept_id = department.pk if isinstance(department, Department) else department
    for a in role_assignments(user):
        if a.role in roles and (dept_id is None or a.department_id == dept_id):
            return True
    return bool(
        user is not None and getattr(user, "is_superuser", False) and Role.BUREAU_ADMIN in roles
    )


def is_bureau_admin(user) -> bool:
    return has_role(user, Role.BUREAU_ADMIN)


def is_staff_member(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def is_overseer(user) -> bool:
    return has_role(user, Role.CITIZEN_OVERSEER)


def department_ids(user, *roles: str) -> set[int]:
    wanted = roles or (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD)
    return {a.department_id for a in role_assignments(user) if a.role in wanted and a.department_id}


def organisation_ids(user) -> set[int]:
    return {
        a.organisation_id
        for a in role_assignments(user)
        if a.role == Role.ORGANISATION_OPERATOR and a.organisation_id
    }


def require_login(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Please log in first."), code="login_required")


def require_role(user, *roles: str, department: Department | int | None = None) -> None:
    require_login(user)
    if not has_role(user, *roles, department=department):
        raise NotAllowed(_("Your role does not allow this."), {"needs_role": list(roles)})


def require_staff(user) -> None:
    require_role(user, *STAFF_ROLES)


def can_watch_all_departments(user) -> bool:
    """Bureau admins and citizen overseers see every department's queue, read-only for overseers."""
    return has_role(user, Role.BUREAU_ADMIN, Role.CITIZEN_OVERSEER)


def resident_profile(user) -> ResidentProfile | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.resident
    except ResidentProfile.DoesNotExist:
        return None


def require_verified_resident(user) -> ResidentProfile:
    require_login(user)
    profile = resident_profile(user)
    if profile is None:
        raise NotAllowed(_("Only residents of the city may do this."), code="not_a_resident")
    if not profile.is_verified:
        raise NotAllowed(
            _("Only verified residents may do this. Ask for a check on your account page."),
            {"verification": profile.verification},
            code="not_verified",
        )
    return profile
