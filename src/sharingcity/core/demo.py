"""The demo city: a seeded, reproducible Seoul with realistic volumes.

Core makes the districts, departments, organisations and people; each app adds its own data
through a ``DemoStep`` registered in its hooks. ``scale`` multiplies the volumes (100 for the
benchmarks)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sharingcity.planning.seoul import DISTRICTS

from .models import (
    AgeBand,
    Department,
    District,
    Organisation,
    ResidentProfile,
    Role,
    RoleAssignment,
    User,
)
from .registry import registry

DEMO_PASSWORD = "sharing-city-demo"

DEPARTMENTS = [
    ("mayors-office", "시장실", "Mayor's Office"),
    ("innovation-bureau", "서울혁신기획관", "Seoul Innovation Bureau"),
    ("transport", "교통실", "Transport Headquarters"),
    ("housing", "주택정책실", "Housing Policy Office"),
    ("welfare", "복지정책실", "Welfare Policy Office"),
    ("environment", "기후환경본부", "Climate and Environment Headquarters"),
    ("safety", "안전총괄실", "Safety Management Office"),
    ("culture", "문화본부", "Culture Headquarters"),
    ("economy", "경제정책실", "Economic Policy Office"),
    ("education", "평생교육국", "Lifelong Education Bureau"),
    ("health", "시민건강국", "Citizens' Health Bureau"),
    ("urban-planning", "도시계획국", "Urban Planning Bureau"),
    ("parks", "푸른도시여가국", "Parks and Leisure Bureau"),
    ("women-family", "여성가족정책실", "Women and Family Policy Office"),
]

ORGANISATIONS = [
    ("Kiple", Organisation.Kind.SHARING_ENTERPRISE),
    ("Open Closet", Organisation.Kind.SHARING_ENTERPRISE),
    ("WoozooHouse", Organisation.Kind.SHARING_ENTERPRISE),
    ("Socar", Organisation.Kind.COMPANY),
    ("Parking Share Seoul", Organisation.Kind.SHARING_ENTERPRISE),
    ("Neighbourhood Tool Library Co-op", Organisation.Kind.COOPERATIVE),
    ("Seoul Youth Housing Network", Organisation.Kind.NGO),
    ("Together Meal Sharing", Organisation.Kind.NGO),
]

FAMILY = list("김이박최정강조윤장임한오서신권황안송류홍")
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "시우",
    "지민",
    "주원",
    "하은",
    "예준",
    "수아",
    "지호",
    "지아",
    "준서",
    "은서",
    "현우",
    "채원",
    "건우",
    "유진",
]
AGE_WEIGHTS = [
    (AgeBand.UNDER_20, 6),
    (AgeBand.TWENTIES, 16),
    (AgeBand.THIRTIES, 17),
    (AgeBand.FORTIES, 17),
    (AgeBand.FIFTIES, 17),
    (AgeBand.SIXTIES, 15),
    (AgeBand.SEVENTY_PLUS, 12),
]


@dataclass
class DemoCity:
    rng: random.Random
    scale: int
    districts: list[District] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    organisations: list[Organisation] = field(default_factory=list)
    staff: dict[str, list[User]] = field(default_factory=dict)  # role -> users
    officers_by_department: dict[str, list[User]] = field(default_factory=dict)
    residents: list[User] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, password)
    counts: dict[str, int] = field(default_factory=dict)


def build_demo_city(
    *, seed: int = 2012, scale: int = 1, residents: int = 5000, progress=print
) -> DemoCity:
    city = DemoCity(rng=random.Random(seed), scale=scale)
    with transaction.atomic():
        _core(city, residents=residents * scale, progress=progress)
    for step in sorted(registry.items("demo"), key=lambda s: s.order):
        progress(f"demo: {step.name}")
        with transaction.atomic():
            step.populate(city)
    return city


def _core(city: DemoCity, *, residents: int, progress) -> None:
    rng = city.rng
    progress("demo: districts and departments")
    for d in DISTRICTS:
        obj, _ = District.objects.update_or_create(
            code=d.code,
            defaults={
                "name_ko": d.name_ko,
                "name_en": d.name_en,
                "population": d.population,
                "latitude": d.latitude,
                "longitude": d.longitude,
            },
        )
        city.districts.append(obj)
    for code, ko, en in DEPARTMENTS:
        obj, _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name_ko": ko,
                "name_en": en,
                "email": f"{code}@seoul.example",
                "is_mayors_office": code == "mayors-office",
            },
        )
        city.departments[code] = obj
    for name, kind in ORGANISATIONS:
        obj, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "district": rng.choice(city.districts)}
        )
        city.organisations.append(obj)

    password = make_password(DEMO_PASSWORD)

    def person(
        username: str,
        display: str,
        *roles: tuple[str, Department | None, Organisation | None],
        district=None,
    ) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display,
                "email": f"{username}@demo.sharing.city",
                "password": password,
            },
        )
        if district is not None and created:
            ResidentProfile.objects.create(
                user=user,
                district=district,
                age_band=AgeBand.THIRTIES,
                birth_year=1990,
                verification=ResidentProfile.Verification.VERIFIED,
                verification_method="in_person",
            )
        for role, dept, org in roles:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, department=dept, organisation=org
            )
            city.staff.setdefault(role, []).append(user)
        return user

    progress("demo: staff and named demo accounts")
    jongno = city.districts[0]
    city.logins = [
        (
            "resident",
            person("resident", "김민준", (Role.RESIDENT, None, None), district=jongno).username,
            DEMO_PASSWORD,
        ),
        (
            "department officer",
            person(
                "officer",
                "이서연 (교통실)",
                (Role.DEPARTMENT_OFFICER, city.departments["transport"], None),
            ).username,
            DEMO_PASSWORD,
        ),
        (
            "department head",
            person(
                "head",
                "박도윤 (교통실장)",
                (Role.DEPARTMENT_HEAD, city.departments["transport"], None),
            ).username,
            DEMO_PASSWORD,
        ),
        (
            "bureau admin",
            person("admin", "최지우 (혁신기획관)", (Role.BUREAU_ADMIN, None, None)).username,
            DEMO_PASSWORD,
        ),
        (
            "citizen overseer",
            person(
                "overseer",
                "정하준",
                (Role.RESIDENT, None, None),
                (Role.CITIZEN_OVERSEER, None, None),
                district=jongno,
            ).username,
            DEMO_PASSWORD,
        ),
        (
            "sharing operator",
            person(
                "operator",
                "강하은 (Kiple)",
                (Role.ORGANISATION_OPERATOR, None, city.organisations[0]),
            ).username,
            DEMO_PASSWORD,
        ),
    ]
    for code, dept in city.departments.items():
        officers = [
            person(
                f"officer-{code}-{i}",
                f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}",
                (Role.DEPARTMENT_OFFICER, dept, None),
            )
            for i in (1, 2, 3)
        ]
        head = person(
            f"head-{code}",
            f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}",
            (Role.DEPARTMENT_HEAD, dept, None),
        )
        city.officers_by_department[code] = officers + [head]
    city.officers_by_department["transport"] += [
        User.objects.get(username="officer"),
        User.objects.get(username="head"),
    ]

    progress(f"demo: {residents} residents")
    weights = [d.population for d in city.districts]
    bands, band_w = zip(*AGE_WEIGHTS, strict=True)
    existing = User.objects.filter(username__startswith="res-").count()
    users, profiles = [], []
    for i in range(existing, residents):
        users.append(
            User(
                username=f"res-{i:07d}",
                display_name=f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}",
                email="",
                password=password,
                notification_frequency=User.NotificationFrequency.DAILY_DIGEST,
            )
        )
    User.objects.bulk_create(users, batch_size=5000)
    created = list(User.objects.filter(username__startswith="res-").order_by("username")[existing:])
    for u in created:
        band = rng.choices(bands, band_w)[0]
        verified = rng.random() < 0.85
        profiles.append(
            ResidentProfile(
                user=u,
                district=rng.choices(city.districts, weights)[0],
                age_band=band,
                birth_year=2026 - int(band.split("-")[0].rstrip("+")) - rng.randint(0, 9),
                verification=ResidentProfile.Verification.VERIFIED
                if verified
                else ResidentProfile.Verification.UNVERIFIED,
                verification_method="census" if verified else "",
            )
        )
    ResidentProfile.objects.bulk_create(profiles, batch_size=5000)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=Role.RESIDENT) for u in created], batch_size=5000
    )
    city.residents = list(
        User.objects.filter(username__startswith="res-")
        .select_related("resident")
        .order_by("username")
    )
    city.counts["residents"] = len(city.residents)
