import random

import pytest
from django.utils import timezone

from sharingcity.core.demo import DemoCity, _core
from sharingcity.voice import demo
from sharingcity.voice.models import (
    Channel,
    Obligation,
    Outcome,
    Proposal,
    RankingVote,
    Registration,
    Reply,
    RungReached,
    Status,
    Support,
)

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state_channel_and_outcome():
    city = DemoCity(rng=random.Random(7), scale=1)
    _core(city, residents=1500, progress=lambda m: None)
    demo.populate(city)
    assert Proposal.objects.count() == 3000
    assert set(Proposal.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Proposal.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Reply.objects.filter(kind="final").values_list("outcome", flat=True)) == set(
        Outcome.values
    )
    assert Obligation.objects.filter(
        met_at__isnull=True, due_at__lt=timezone.now()
    ).exists()  # some overdue
    assert {1, 2, 3} <= set(RungReached.objects.values_list("rung", flat=True))
    # The denormalised counter agrees with the rows.
    for p in Proposal.objects.order_by("-support_count")[:5]:
        assert p.support_count == Support.objects.filter(proposal=p).count()
    assert (
        RankingVote.objects.filter(state="published").exists()
        and RankingVote.objects.filter(state="open").exists()
    )
    assert (
        Registration.objects.filter(attended=True).exists()
        and Registration.objects.filter(state="waitlisted").exists()
    )
