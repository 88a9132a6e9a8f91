"""Search selectors: the map's per-district counts agree with the list, on both databases."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from sharingcity.core.errors import InvalidInput
from sharingcity.sharing import selectors
from sharingcity.sharing.models import Booking, Kind, PartnerPlatform
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def _book(resource, start, end, state=Booking.State.APPROVED):
    return Booking.objects.create(
        resource=resource,
        booker=f.resident(),
        kind=Booking.Kind.BOOKING,
        state=state,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
    )


@pytest.fixture
def town():
    dept = f.department()
    jongno = f.district()
    mapo = f.district("mapo", name_ko="마포구", name_en="Mapo-gu")
    start = sf.saturday(14)
    rooms = [sf.room(dept, district=jongno, title=f"종로 {i}") for i in range(4)]
    rooms += [sf.room(dept, district=mapo, title=f"마포 {i}") for i in range(3)]
    _book(rooms[0], start, start + 2 * H)  # busy
    _book(rooms[0], start + H, start + 3 * H, Booking.State.CANCELLED)  # not busy: cancelled
    _book(rooms[1], start - 2 * H, start)  # touches the window, does not overlap
    _book(rooms[4], start + H, start + 4 * H)  # busy
    _book(rooms[4], start - H, start + H, Booking.State.REQUESTED)  # busy twice: counted once
    sf.item(district=mapo)
    partner = PartnerPlatform.objects.create(name="P", feed_format="csv")
    sf.room(dept, district=mapo, partner=partner, title="partner room")
    return start


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kind": Kind.ROOM},
        {"district": "mapo"},
        {"free": True},
        {"free": True, "kind": Kind.ROOM},
        {"free": True, "district": "jongno"},
        {"free": True, "q": "마포"},
    ],
)
def test_map_counts_equal_the_lists_matches(town, params):
    params = dict(params)
    if params.pop("free", False):
        params |= {"free_from": town, "free_to": town + 2 * H}
    search = selectors.Search(**params)
    listed = Counter(r.district.code for r in selectors.search(search))
    assert selectors.counts_by_district(search) == dict(listed)


def test_free_counts_leave_out_busy_rooms_and_partner_listings(town):
    counts = selectors.counts_by_district(
        selectors.Search(kind=Kind.ROOM, free_from=town, free_to=town + 2 * H)
    )
    assert counts == {"jongno": 3, "mapo": 2}


def test_map_counts_validate_like_the_list(town):
    with pytest.raises(InvalidInput) as e:
        selectors.counts_by_district(selectors.Search(free_from=town))
    assert e.value.code == "incomplete_window"
