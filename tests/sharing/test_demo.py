import random

import pytest

from sharingcity.core.demo import DemoCity, _core
from sharingcity.sharing.demo import populate
from sharingcity.sharing.models import Booking, Kind, Resource


@pytest.mark.django_db
def test_demo_has_every_kind_in_every_district():
    city = DemoCity(rng=random.Random(1), scale=1)
    _core(city, residents=300, progress=lambda *_: None)
    counts = populate(city)
    assert counts["resources"] > 25 * 10 and counts["bookings"] > 100
    for kind in Kind.values:
        assert Resource.objects.filter(kind=kind).values("district").distinct().count() == 25, kind
    assert Booking.objects.filter(state="requested").exists()
    assert counts["partner_listings"] == 25 and counts["designated"] >= 1
