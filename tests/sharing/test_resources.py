"""Owners' resources: a resident shares a parking bay with its free hours in one step."""

from __future__ import annotations

from datetime import time

import pytest

from sharingcity.core.errors import InvalidInput, NotAllowed
from sharingcity.sharing.models import Resource
from sharingcity.sharing.services import resources
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_share_a_parking_bay_with_its_windows():
    owner = f.resident()
    d = f.district()
    bay = resources.check_share_parking_bay(
        actor=owner, title="주차면 3", district=d, windows=[(0, time(18), time(0))]
    )
    assert (bay.kind, bay.owner_user, bay.booking_unit) == ("parking", owner, "hours")
    assert (bay.latitude, bay.longitude) == (d.latitude, d.longitude)
    assert [(w.weekday, w.opens, w.closes) for w in bay.windows.all()] == [(0, time(18), time(0))]


def test_a_bad_window_shares_nothing_and_says_which_day():
    with pytest.raises(InvalidInput) as e:
        resources.check_share_parking_bay(
            actor=f.resident(),
            title="주차면 3",
            district=f.district(),
            windows=[(0, time(9), time(10)), (3, time(12), time(11))],
        )
    assert e.value.code == "invalid_window" and e.value.details == {"window": 2, "weekday": 3}
    assert not Resource.objects.exists()


def test_only_residents_share_a_bay():
    with pytest.raises(NotAllowed):
        resources.check_share_parking_bay(
            actor=f.officer(), title="주차면", district=f.district(), windows=[]
        )
    assert not Resource.objects.exists()
