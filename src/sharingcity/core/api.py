"""Core JSON endpoints: who am I, districts, departments, notifications, tokens, verification."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from . import notifications, selectors, services
from .http import AUTH
from .models import Department, District, ResidentProfile

router = Router(tags=["core"])


class DistrictOut(Schema):
    code: str
    name_ko: str
    name_en: str
    population: int
    latitude: float
    longitude: float


class DepartmentOut(Schema):
    code: str
    name_ko: str
    name_en: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    district: str | None
    verification: str | None
    notification_frequency: str
    preferred_language: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None


class PreferencesIn(Schema):
    notification_frequency: Literal["immediate", "daily"]
    preferred_language: Literal["ko", "en"]
    display_name: str | None = Field(None, max_length=150)


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    key: str


class VerifyIn(Schema):
    method: str = Field(..., min_length=1, max_length=40)
    full_name: str | None = Field(None, max_length=200)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    document: str | None = Field(None, max_length=200)
    address_in_district: bool = False


class VerificationOut(Schema):
    user_id: int
    verification: str
    note: str


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def list_districts(request):
    return District.objects.all()


@router.get("/departments", response=list[DepartmentOut], summary="The city's departments")
def list_departments(request):
    return Department.objects.all()


@router.get("/me", response=MeOut, auth=AUTH, summary="The signed-in user")
def me(request):
    return selectors.me(request.user)


@router.put(
    "/me/preferences", response=MeOut, auth=AUTH, summary="Notification and language preferences"
)
def set_preferences(request, payload: PreferencesIn):
    services.do_set_preferences(user=request.user, **payload.dict())
    return selectors.me(request.user)


@router.get(
    "/notifications", response=list[NotificationOut], auth=AUTH, summary="My latest notifications"
)
def list_notifications(request, unread: bool = False):
    return selectors.notifications_for(request.user, unread_only=unread)[:100]


@router.post("/notifications/read", auth=AUTH, summary="Mark notifications read (all when no ids)")
def read_notifications(request, payload: MarkReadIn):
    return {"marked": notifications.mark_read(request.user, payload.ids)}


@router.post(
    "/tokens",
    response={201: TokenOut},
    auth=AUTH,
    summary="Issue a personal API token (shown once)",
)
def issue_token(request, payload: TokenIn):
    token, key = services.do_issue_api_token(user=request.user, name=payload.name)
    return Status(201, {"id": token.pk, "name": token.name, "key": key})


@router.post(
    "/residents/{user_id}/verify",
    response=VerificationOut,
    auth=AUTH,
    summary="Verify a resident (staff)",
)
def verify_resident(request, user_id: int, payload: VerifyIn):
    profile = get_object_or_404(ResidentProfile.objects.select_related("district"), user_id=user_id)
    evidence = payload.dict(exclude={"method"}, exclude_none=True)
    profile = services.check_verify_resident(
        actor=request.user, profile=profile, method_key=payload.method, evidence=evidence
    )
    return {
        "user_id": user_id,
        "verification": profile.verification,
        "note": profile.verification_note,
    }
