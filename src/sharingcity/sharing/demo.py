"""Demo data for the sharing hub: every kind of resource across the 25 districts, bookings in
every state, home-share hosts and students, designated enterprises and a partner platform.
Volumes scale with ``city.scale`` (bulk inserts; 100x is what the benchmarks use)."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from sharingcity.core.models import Organisation

from .models import (
    Booking,
    Designation,
    EnterpriseApplication,
    HomeShareHost,
    HomeShareStudent,
    Kind,
    PartnerPlatform,
    Resource,
    ResourcePool,
    WeeklyWindow,
)
from .services.hub import import_feed

ROOMS = [
    ("주민센터 다목적실", "Community centre hall"),
    ("구청 회의실", "District office meeting room"),
    ("도서관 세미나실", "Library seminar room"),
    ("청소년센터 강당", "Youth centre auditorium"),
]
TOOLS = ["전동드릴", "사다리", "캠핑 텐트", "공구 세트", "재봉틀", "프로젝터"]
BOOKS = ["파이썬 입문", "서울의 역사", "요리 백과", "어린이 그림책"]
CLOTHES = [
    ("정장 재킷", ["95", "100", "105"]),
    ("정장 바지", ["28", "30", "32", "34"]),
    ("블라우스", ["S", "M", "L"]),
    ("구두", ["240mm", "250mm", "260mm", "270mm"]),
]
DEPARTMENTS = ["culture", "education", "welfare", "women-family", "parks"]


def _j(rng, d, spread=0.012):
    return d.latitude + rng.uniform(-spread, spread), d.longitude + rng.uniform(-spread, spread)


def populate(city) -> dict[str, int]:
    rng, scale = city.rng, max(city.scale, 1)
    orgs = {o.name: o for o in city.organisations}
    tool_org = orgs.get("Neighbourhood Tool Library Co-op") or city.organisations[0]
    closet = orgs.get("Open Closet") or city.organisations[0]
    car_org = orgs.get("Socar") or city.organisations[0]
    resources: list[Resource] = []
    pools = {}
    for d in city.districts:
        pools[d.code] = ResourcePool.objects.create(
            name=f"{d.name_ko} 공구도서관 전동드릴", kind=Kind.ITEM, owner_organisation=tool_org
        )
    for d in city.districts:
        for _i in range(4 * scale):
            ko, en = rng.choice(ROOMS)
            lat, lon = _j(rng, d)
            dept = city.departments.get(rng.choice(DEPARTMENTS)) or next(
                iter(city.departments.values())
            )
            resources.append(
                Resource(
                    kind=Kind.ROOM,
                    category="meeting",
                    title=f"{d.name_ko} {ko}",
                    description=en,
                    district=d,
                    latitude=lat,
                    longitude=lon,
                    accessible=rng.random() < 0.6,
                    capacity=rng.choice([10, 20, 40, 80]),
                    owner_department=dept,
                    requires_approval=True,
                    checkin_required=True,
                    buffer_after=15,
                    lead_time=60,
                    max_duration=4 * 60,
                    monthly_cap=4,
                    verification_required="verified",
                )
            )
        for _i in range(3 * scale):
            lat, lon = _j(rng, d)
            resources.append(
                Resource(
                    kind=Kind.ITEM,
                    category="tool",
                    title=rng.choice(TOOLS),
                    district=d,
                    latitude=lat,
                    longitude=lon,
                    owner_organisation=tool_org,
                    window_rule="endpoints",
                    min_duration=60,
                    max_duration=7 * 24 * 60,
                    deposit=rng.choice([0, 10000, 30000]),
                    pool=pools[d.code] if _i == 0 else None,
                )
            )
            lat, lon = _j(rng, d)
            resources.append(
                Resource(
                    kind=Kind.ITEM,
                    category="book",
                    title=rng.choice(BOOKS),
                    district=d,
                    latitude=lat,
                    longitude=lon,
                    owner_user=rng.choice(city.residents),
                    window_rule="endpoints",
                    min_duration=24 * 60,
                    max_duration=21 * 24 * 60,
                )
            )
        for _i in range(2 * scale):
            name, sizes = rng.choice(CLOTHES)
            lat, lon = _j(rng, d)
            resources.append(
                Resource(
                    kind=Kind.CLOTHING,
                    category="interview",
                    title=name,
                    size=rng.choice(sizes),
                    district=d,
                    latitude=lat,
                    longitude=lon,
                    owner_organisation=closet,
                    window_rule="endpoints",
                    min_duration=24 * 60,
                    max_duration=4 * 24 * 60,
                    deposit=20000,
                )
            )
            lat, lon = _j(rng, d)
            resources.append(
                Resource(
                    kind=Kind.PARKING,
                    category="resident_bay",
                    title=f"{d.name_ko} 거주자우선주차 {rng.randint(1, 400)}",
                    district=d,
                    latitude=lat,
                    longitude=lon,
                    owner_user=rng.choice(city.residents),
                    booking_unit="hours",
                    min_duration=60,
                    max_duration=12 * 60,
                    verification_required="none",
                    price_per_hour=1200,
                )
            )
        lat, lon = _j(rng, d)
        resources.append(
            Resource(
                kind=Kind.VEHICLE,
                category="car",
                title="나눔카 (소형)",
                district=d,
                latitude=lat,
                longitude=lon,
                owner_organisation=car_org,
                min_duration=60,
                max_duration=48 * 60,
                verification_required="verified",
            )
        )
    Resource.objects.bulk_create(resources, batch_size=2000)
    created = list(Resource.objects.filter(partner__isnull=True).order_by("-id")[: len(resources)])
    rows = []
    for r in created:
        if r.kind == Kind.ROOM:
            rows += [
                WeeklyWindow(resource=r, weekday=wd, opens=time(9), closes=time(22))
                for wd in range(7)
            ]
        elif r.kind == Kind.PARKING:
            rows += [
                WeeklyWindow(resource=r, weekday=wd, opens=time(9), closes=time(18))
                for wd in range(5)
            ]
            rows += [
                WeeklyWindow(resource=r, weekday=wd, opens=time(0), closes=time(0)) for wd in (5, 6)
            ]
        elif r.kind in (Kind.ITEM, Kind.CLOTHING):
            rows += [
                WeeklyWindow(resource=r, weekday=wd, opens=time(10), closes=time(19))
                for wd in range(6)
            ]
    WeeklyWindow.objects.bulk_create(rows, batch_size=5000)

    # bookings: past completed ones and upcoming ones, in every state the demo needs
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    bookings = []
    states = (
        ["completed"] * 5
        + ["approved"] * 4
        + ["requested"] * 2
        + ["cancelled", "no_show", "denied"]
    )
    for r in created:
        if r.kind != Kind.ROOM and rng.random() < 0.5:
            continue
        t = now - timedelta(days=20)
        for _i in range(rng.randint(2, 8)):
            t += timedelta(hours=rng.randint(20, 80))
            t = t.replace(hour=rng.randint(10, 18))
            hours = rng.randint(1, 3) if r.kind in (Kind.ROOM, Kind.PARKING) else 24
            end = t + timedelta(hours=hours)
            state = rng.choice(states) if t > now else "completed"
            if state == "completed" and t > now:
                state = "approved"
            bookings.append(
                Booking(
                    resource=r,
                    booker=rng.choice(city.residents),
                    kind="booking",
                    state=state,
                    start=t,
                    end=end,
                    blocked_start=t - timedelta(minutes=r.buffer_before),
                    blocked_end=end + timedelta(minutes=r.buffer_after),
                    purpose="동아리 모임" if r.kind == Kind.ROOM else "",
                    vehicle_plate=f"{rng.randint(10, 399)}가{rng.randint(1000, 9999)}"
                    if r.kind == Kind.PARKING
                    else "",
                    deny_reason="부서 행사와 겹침" if state == "denied" else "",
                )
            )
            t = end + timedelta(hours=1)
    Booking.objects.bulk_create(bookings, batch_size=5000)

    # home-share: hosts aged 60+ with a spare room, students with preferences
    codes = [d.code for d in city.districts]
    old = [u for u in city.residents if getattr(u.resident, "age_band", "") in ("60-69", "70+")]
    young = [u for u in city.residents if getattr(u.resident, "age_band", "") == "20-29"]
    helps = ["shopping", "technology", "cleaning", "company", "cooking"]
    HomeShareHost.objects.bulk_create(
        [
            HomeShareHost(
                user=u,
                district=u.resident.district,
                birth_year=u.resident.birth_year or 1955,
                rent=rng.choice([200000, 250000, 300000]),
                room="방 1칸, 욕실 공유",
                smoker=rng.random() < 0.1,
                pets=rng.random() < 0.3,
                early_riser=rng.random() < 0.8,
                help_wanted=rng.sample(helps, 2),
                available_from=date.today() + timedelta(days=rng.randint(0, 60)),
            )
            for u in old[: 12 * scale]
        ]
    )
    HomeShareStudent.objects.bulk_create(
        [
            HomeShareStudent(
                user=u,
                university=rng.choice(
                    ["서울대학교", "연세대학교", "고려대학교", "서강대학교", "한양대학교"]
                ),
                districts=rng.sample(codes, 3),
                max_rent=rng.choice([250000, 300000, 350000]),
                smoker=rng.random() < 0.1,
                ok_with_pets=rng.random() < 0.7,
                early_riser=rng.random() < 0.4,
                help_offered=rng.sample(helps, 3),
                move_in=date.today() + timedelta(days=rng.randint(0, 90)),
            )
            for u in young[: 20 * scale]
        ]
    )

    # designated enterprises
    admin = (city.staff.get("bureau_admin") or [None])[0]
    designated = 0
    for org in city.organisations:
        if org.kind != Organisation.Kind.SHARING_ENTERPRISE or admin is None:
            continue
        app = EnterpriseApplication.objects.create(
            organisation=org,
            applicant=admin,
            legal_form="social_enterprise",
            registration_number=f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10000, 99999)}",
            sharing_since=date(2013, 1, 1),
            description=f"{org.name}: 공유 활동",
            documents=["business_registration", "activity_report", "business_plan"],
            stage="designated",
        )
        start = date.today() - timedelta(days=rng.randint(0, 700))
        Designation.objects.create(
            organisation=org,
            application=app,
            valid_from=start,
            valid_until=start.replace(year=start.year + 3) - timedelta(days=1),
        )
        designated += 1

    partner, _ = PartnerPlatform.objects.get_or_create(
        name="Neighbourhood Lending Network",
        defaults={"feed_format": "csv", "website": "https://example.org/lend"},
    )
    lines = ["external_id,title,kind,category,district,latitude,longitude,url,accessible"]
    for i, d in enumerate(city.districts * scale):
        lat, lon = _j(rng, d)
        lines.append(
            f"p{i},이웃 나눔 물품 {i},item,tool,{d.code},{lat:.5f},{lon:.5f},https://example.org/lend/{i},false"
        )
    run = import_feed(partner, "\n".join(lines))
    counts = {
        "resources": len(resources),
        "bookings": len(bookings),
        "designated": designated,
        "partner_listings": run.rows_imported,
    }
    city.counts["sharing"] = counts
    return counts
