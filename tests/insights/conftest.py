"""A small city whose every dashboard number is worked out by hand in the tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from sharingcity.budgeting.models import Ballot, BudgetProcess, Panel, PanelVolunteer
from sharingcity.sharing.models import (
    Booking,
    Designation,
    EnterpriseApplication,
    Kind,
    Resource,
    WeeklyWindow,
)
from sharingcity.voice.models import (
    Category,
    Event,
    Obligation,
    Proposal,
    Registration,
    Reply,
)
from tests import factories as f


def at(y, m, d, h=10, mi=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, mi))


@pytest.fixture
def city(db):
    jongno = f.district("jongno")
    mapo = f.district(
        "mapo",
        name_ko="마포구",
        name_en="Mapo-gu",
        population=372000,
        latitude=37.566,
        longitude=126.901,
    )
    transport = f.department("transport")
    welfare = f.department("welfare", name_ko="복지실", name_en="Welfare Office")
    cat = Category.objects.update_or_create(
        code="transport", defaults={"name_ko": "교통", "name_en": "Transport"}
    )[0]
    # Residents: jongno 4 verified + 1 unverified, mapo 2 verified (the turnout denominators).
    j = [f.resident(f"jres{i}") for i in range(4)]
    unverified = f.resident("jres-unverified", verified=False)
    m = [f.resident(f"mres{i}", district_code="mapo") for i in range(2)]
    staff = f.officer(transport, "officer1")

    def proposal(district, channel, received, lead, status, outcome="", answered=None, author=None):
        return Proposal.objects.create(
            title=f"Proposal from {district.code} on {received:%m-%d}",
            body="A body long enough to be a real proposal to the city.",
            category=cat,
            district=district,
            channel=channel,
            author=author,
            contact_name="" if author else "Kim Minji",
            contact="" if author else "010-1234-5678",
            received_at=received,
            lead_department=lead,
            status=status,
            outcome=outcome,
            answered_at=answered,
        )

    p1 = proposal(
        jongno, "online", at(2026, 3, 5), transport, "answered", "reflected", at(2026, 3, 7), j[0]
    )
    p2 = proposal(
        jongno, "letter", at(2026, 3, 20), transport, "completed", "not_reflected", at(2026, 3, 26)
    )
    p3 = proposal(mapo, "online", at(2026, 4, 2), welfare, "routed", author=m[0])
    p4 = proposal(
        mapo, "phone", at(2026, 4, 10), transport, "answered", "partly_reflected", at(2026, 4, 20)
    )
    p5 = proposal(jongno, "online", at(2026, 4, 15), welfare, "withdrawn", author=j[1])
    Reply.objects.create(
        proposal=p1,
        department=transport,
        author=staff,
        body="We will extend the night bus.",
        outcome="reflected",
        published_at=at(2026, 3, 7),
    )
    Reply.objects.create(
        proposal=p2,
        department=transport,
        author=staff,
        body="Draft, never published.",
        outcome="",
    )
    Obligation.objects.create(
        proposal=p3, department=welfare, reason="personal_reply", due_at=at(2026, 4, 20)
    )
    Obligation.objects.create(
        proposal=p1,
        department=transport,
        reason="personal_reply",
        due_at=at(2026, 3, 10),
        met_at=at(2026, 3, 7),
    )
    Obligation.objects.create(
        proposal=p4,
        department=transport,
        reason="rung_answer",
        due_at=timezone.now() + timedelta(days=5),
    )
    e1 = Event.objects.create(
        kind="workshop",
        topic="Night buses",
        department=transport,
        district=jongno,
        place="Hall",
        starts_at=at(2026, 3, 15),
        capacity=10,
    )
    e2 = Event.objects.create(
        kind="lecture",
        topic="Cancelled",
        department=welfare,
        district=mapo,
        place="Hall",
        starts_at=at(2026, 4, 1),
        capacity=10,
        cancelled_at=at(2026, 3, 30),
    )
    e3 = Event.objects.create(
        kind="mobile_city_hall",
        topic="Mapo",
        department=welfare,
        district=mapo,
        place="Square",
        starts_at=at(2026, 4, 5),
        capacity=30,
    )
    for u, state, came in [
        (j[0], "confirmed", True),
        (j[1], "confirmed", True),
        (j[2], "confirmed", False),
        (j[3], "waitlisted", None),
        (m[0], "cancelled", None),
    ]:
        Registration.objects.create(event=e1, user=u, state=state, attended=came)
    Registration.objects.create(event=e2, user=j[0], state="confirmed")
    Registration.objects.create(event=e3, user=m[0], state="confirmed", attended=True)
    Registration.objects.create(event=e3, user=m[1], state="confirmed", attended=False)

    # Sharing: a public room in Jongno open 09-21 every day, an organisation's item in Mapo,
    # a resident's parking bay (its location must never be published).
    room = Resource.objects.create(
        kind=Kind.ROOM,
        title="Community hall",
        district=jongno,
        latitude=37.573,
        longitude=126.979,
        owner_department=transport,
        address="1 Sejong-daero",
    )
    for wd in range(7):
        WeeklyWindow.objects.create(resource=room, weekday=wd, opens=time(9), closes=time(21))
    org = f.organisation("Kiple")
    org.district = mapo
    org.save()
    item = Resource.objects.create(
        kind=Kind.ITEM,
        title="Drill",
        district=mapo,
        latitude=37.566,
        longitude=126.901,
        owner_organisation=org,
    )
    bay = Resource.objects.create(
        kind=Kind.PARKING,
        title="My bay at home",
        district=mapo,
        latitude=37.5601,
        longitude=126.9101,
        owner_user=m[1],
        address="12 Home-ro",
    )

    def booking(res, start, end, state, user, **kw):
        return Booking.objects.create(
            resource=res,
            booker=user,
            state=state,
            start=start,
            end=end,
            blocked_start=start,
            blocked_end=end,
            **kw,
        )

    booking(
        room,
        at(2026, 3, 3, 10),
        at(2026, 3, 3, 13),
        "approved",
        j[0],
        purpose="Choir",
        vehicle_plate="12가3456",
    )
    booking(room, at(2026, 3, 4, 14), at(2026, 3, 4, 16), "completed", j[1])
    booking(room, at(2026, 3, 5, 14), at(2026, 3, 5, 16), "cancelled", j[2])
    booking(room, at(2026, 3, 1, 20), at(2026, 3, 2, 2), "completed", j[3])
    booking(item, at(2026, 3, 6, 10), at(2026, 3, 7, 10), "completed", j[0])
    booking(
        bay, at(2026, 3, 6, 10), at(2026, 3, 6, 12), "requested", j[0], vehicle_plate="34나5678"
    )

    def designate(org, form, start, until, revoked=None):
        app = EnterpriseApplication.objects.create(
            organisation=org,
            applicant=j[0],
            legal_form=form,
            registration_number="123-45-67890",
            sharing_since=date(2020, 1, 1),
            description="Sharing",
            stage="designated",
        )
        return Designation.objects.create(
            organisation=org,
            application=app,
            valid_from=start,
            valid_until=until,
            revoked_at=revoked,
        )

    designate(org, "social_enterprise", date(2026, 1, 1), date(2099, 12, 31))
    designate(f.organisation("Old coop"), "cooperative", date(2025, 1, 1), date(2025, 12, 31))
    designate(
        f.organisation("Revoked coop"),
        "cooperative",
        date(2026, 2, 1),
        date(2099, 1, 31),
        at(2026, 6, 1),
    )

    # Budgeting: 3 ballots in Jongno, 1 in Mapo; a drawn panel of two out of three volunteers.
    process = BudgetProcess.objects.create(title="PB 2026", year=2026, total_budget=1_000_000)
    for i, d in enumerate([jongno, jongno, jongno, mapo]):
        Ballot.objects.create(
            process=process, district=d, voter_key=f"k{i}", choices={"A": 1}, cast_at=at(2026, 5, 1)
        )
    panel = Panel.objects.create(title="Panel 2026", size=2, stage="drawn")
    for user, features, status in [
        (j[0], {"district": "jongno", "age_band": "30-39", "gender": "female"}, "selected"),
        (m[0], {"district": "mapo", "age_band": "30-39", "gender": "male"}, "selected"),
        (j[1], {"district": "jongno", "age_band": "40-49", "gender": "female"}, "volunteer"),
    ]:
        PanelVolunteer.objects.create(
            panel=panel,
            user=user,
            external_id=user.username,
            features=features,
            status=status,
            household="H1",
        )
    return {
        "jongno": jongno,
        "mapo": mapo,
        "transport": transport,
        "welfare": welfare,
        "j": j,
        "m": m,
        "unverified": unverified,
        "proposals": [p1, p2, p3, p4, p5],
        "room": room,
        "bay": bay,
        "staff": staff,
    }


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Each test computes its own figures (the cache is tested on its own)."""
    settings.SHARINGCITY_DASHBOARD_CACHE_SECONDS = 0
