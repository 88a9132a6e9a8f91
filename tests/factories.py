"""A small named example city for tests of every app (Decidim-style factories, plain functions)."""

from __future__ import annotations

import itertools

from sharingcity.core.models import (
    Department,
    District,
    Organisation,
    ResidentProfile,
    Role,
    RoleAssignment,
    User,
)

PASSWORD = "a-long-test-password"
_seq = itertools.count(1)


def district(code: str = "jongno", **kw) -> District:
    defaults = {
        "name_ko": "종로구",
        "name_en": "Jongno-gu",
        "population": 141000,
        "latitude": 37.573,
        "longitude": 126.979,
    }
    return District.objects.get_or_create(code=code, defaults={**defaults, **kw})[0]


def department(code: str = "transport", **kw) -> Department:
    defaults = {"name_ko": "교통실", "name_en": "Transport Headquarters"}
    return Department.objects.get_or_create(code=code, defaults={**defaults, **kw})[0]


def organisation(
    name: str = "Kiple", kind: str = Organisation.Kind.SHARING_ENTERPRISE
) -> Organisation:
    return Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def user(username: str | None = None, **kw) -> User:
    username = username or f"user{next(_seq)}"
    u = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **kw
    )
    return u


def resident(
    username: str | None = None, *, verified: bool = True, district_code: str = "jongno", **kw
) -> User:
    u = user(username, **kw)
    ResidentProfile.objects.create(
        user=u,
        district=district(district_code),
        age_band="30-39",
        birth_year=1990,
        verification=ResidentProfile.Verification.VERIFIED
        if verified
        else ResidentProfile.Verification.UNVERIFIED,
    )
    RoleAssignment.objects.create(user=u, role=Role.RESIDENT)
    return u


def officer(dept: Department | None = None, username: str | None = None) -> User:
    u = user(username)
    RoleAssignment.objects.create(
        user=u, role=Role.DEPARTMENT_OFFICER, department=dept or department()
    )
    return u


def department_head(dept: Department | None = None, username: str | None = None) -> User:
    u = user(username)
    RoleAssignment.objects.create(
        user=u, role=Role.DEPARTMENT_HEAD, department=dept or department()
    )
    return u


def bureau_admin(username: str | None = None) -> User:
    u = user(username)
    RoleAssignment.objects.create(user=u, role=Role.BUREAU_ADMIN)
    return u


def overseer(username: str | None = None) -> User:
    u = resident(username)
    RoleAssignment.objects.create(user=u, role=Role.CITIZEN_OVERSEER)
    return u


def operator(org: Organisation | None = None, username: str | None = None) -> User:
    u = user(username)
    RoleAssignment.objects.create(
        user=u, role=Role.ORGANISATION_OPERATOR, organisation=org or organisation()
    )
    return u
