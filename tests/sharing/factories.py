"""Factories for the sharing hub's tests."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from sharingcity.sharing.models import Kind, Resource, ResourcePool, WeeklyWindow
from tests import factories as f


def saturday(hour: int = 14, weeks_ahead: int = 1) -> datetime:
    """A Saturday afternoon in local time, ``weeks_ahead`` weeks from now."""
    today = timezone.localdate()
    days = (5 - today.weekday()) % 7 or 7
    day = today + timedelta(days=days + 7 * (weeks_ahead - 1))
    return timezone.make_aware(datetime.combine(day, time(hour)))


def room(dept=None, **kw) -> Resource:
    defaults = dict(
        kind=Kind.ROOM,
        title="주민센터 다목적실",
        category="meeting",
        district=f.district(),
        latitude=37.573,
        longitude=126.979,
        owner_department=dept or f.department(),
        requires_approval=True,
        capacity=20,
        max_duration=4 * 60,
        min_duration=30,
        verification_required="verified",
        checkin_required=True,
    )
    defaults.update(kw)
    return Resource.objects.create(**defaults)


def open_daily(resource: Resource, opens: time = time(9), closes: time = time(22)) -> Resource:
    WeeklyWindow.objects.bulk_create(
        [WeeklyWindow(resource=resource, weekday=d, opens=opens, closes=closes) for d in range(7)]
    )
    return resource


def item(owner=None, **kw) -> Resource:
    defaults = dict(
        kind=Kind.ITEM,
        title="전동드릴",
        category="tool",
        district=f.district(),
        latitude=37.57,
        longitude=126.98,
        owner_organisation=owner or f.organisation(),
        window_rule="endpoints",
        min_duration=60,
        max_duration=7 * 24 * 60,
        deposit=10000,
        verification_required="resident",
    )
    defaults.update(kw)
    return Resource.objects.create(**defaults)


def parking(owner_user, **kw) -> Resource:
    defaults = dict(
        kind=Kind.PARKING,
        title="거주자우선주차 12",
        district=f.district(),
        latitude=37.58,
        longitude=126.97,
        owner_user=owner_user,
        booking_unit="hours",
        min_duration=60,
        max_duration=12 * 60,
        verification_required="none",
    )
    defaults.update(kw)
    return Resource.objects.create(**defaults)


def pool(n: int = 2, org=None) -> ResourcePool:
    org = org or f.organisation()
    p = ResourcePool.objects.create(name="드릴", kind=Kind.ITEM, owner_organisation=org)
    for i in range(n):
        item(owner=org, pool=p, title=f"드릴 {i}")
    return p


DOCUMENTS = ["business_registration", "activity_report", "business_plan"]


def apply_for_designation(operator, org, **kw):
    """A complete application through the service (``check_apply``)."""
    from sharingcity.sharing.services import enterprises

    data = dict(
        actor=operator,
        organisation=org,
        legal_form="cooperative",
        registration_number="123-45-67890",
        sharing_since=timezone.localdate() - timedelta(days=400),
        description="공구 나눔",
        documents=DOCUMENTS,
    )
    data.update(kw)
    return enterprises.check_apply(**data)


def designate(operator, org, admin):
    """An application taken through every review stage and designated: (application,
    designation)."""
    from sharingcity.sharing.services import enterprises

    app = apply_for_designation(operator, org)
    for _stage in range(4):
        enterprises.check_review_stage(actor=admin, application=app, passed=True)
    return app, enterprises.check_decide(actor=admin, application=app, designate=True)
