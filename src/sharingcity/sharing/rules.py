"""Who may do what in the sharing hub, built only from ``core.access``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sharingcity.core import access
from sharingcity.core.errors import NotAllowed
from sharingcity.core.models import ResidentProfile, Role, RoleAssignment, User

from .models import Booking, Owned, VerificationLevel


def can_manage(user, obj: Owned) -> bool:
    """Bureau admins manage everything; a department's officers and head its buildings; an
    organisation's operators its listings; a resident their own."""
    if user is None or not user.is_authenticated:
        return False
    if access.is_bureau_admin(user):
        return True
    if obj.owner_department_id:
        return obj.owner_department_id in access.department_ids(user)
    if obj.owner_organisation_id:
        return obj.owner_organisation_id in access.organisation_ids(user)
    return obj.owner_user_id is not None and obj.owner_user_id == user.pk


def require_manage(user, obj: Owned) -> None:
    access.require_login(user)
    if not can_manage(user, obj):
        raise NotAllowed(_("Only the owner of this resource may do this."), code="not_owner")


def can_see_booking(user, booking: Booking) -> bool:
    return user.is_authenticated and (
        booking.booker_id == user.pk or can_manage(user, booking.resource)
    )


def require_see_booking(user, booking: Booking) -> None:
    access.require_login(user)
    if not can_see_booking(user, booking):
        raise NotAllowed(_("This is not your booking."), code="not_your_booking")


def approvers(obj: Owned) -> list[User]:
    """The people told about a request and shown it in their approval queue."""
    if obj.owner_department_id:
        ids = RoleAssignment.objects.filter(
            role__in=[Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD],
            department_id=obj.owner_department_id,
        ).values("user_id")
    elif obj.owner_organisation_id:
        ids = RoleAssignment.objects.filter(
            role=Role.ORGANISATION_OPERATOR, organisation_id=obj.owner_organisation_id
        ).values("user_id")
    elif obj.owner_user_id:
        return [obj.owner_user]
    else:
        return []
    return list(User.objects.filter(pk__in=ids, is_active=True))


def require_level(user, level: str) -> None:
    """The identity assurance a resource asks of the person booking it."""
    access.require_login(user)
    if level == VerificationLevel.NONE:
        return
    profile = access.resident_profile(user)
    if profile is None:
        raise NotAllowed(_("Only residents of the city may book this."), code="not_a_resident")
    if level == VerificationLevel.VERIFIED and profile.verification != (
        ResidentProfile.Verification.VERIFIED
    ):
        raise NotAllowed(
            _("Only verified residents may book this. Ask for a check on your account page."),
            {"verification": profile.verification},
            code="not_verified",
        )


def is_coordinator(user) -> bool:
    """Home-share coordinators and the designation bureau: city staff."""
    return access.is_staff_member(user)


def require_coordinator(user) -> None:
    access.require_staff(user)
