"""Every registered metric against numbers worked out by hand from the ``city`` fixture."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from sharingcity.core.registry import registry
from sharingcity.insights.dashboard import window

pytestmark = pytest.mark.django_db


def metric(key: str):
    found = {m.key: m for m in registry.items("metric")}
    return found[key].compute


def run(key, start=None, end=None, district=None):
    s, e = window(start, end)
    with translation.override("en"):
        return metric(key)(s, e, district)


def test_every_metric_is_tested_here():
    import inspect

    source = inspect.getsource(inspect.getmodule(test_every_metric_is_tested_here))
    for m in registry.items("metric"):
        assert f'"{m.key}"' in source, f"metric {m.key} has no hand-computed test"


def test_ideas_by_channel_per_month(city):
    assert run("voice.ideas_by_channel") == [
        {"series": "Letter", "x": "2026-03", "value": 1},
        {"series": "Online", "x": "2026-03", "value": 1},
        {"series": "Online", "x": "2026-04", "value": 2},
        {"series": "Phone call", "x": "2026-04", "value": 1},
    ]
    assert run("voice.ideas_by_channel", district="mapo") == [
        {"series": "Online", "x": "2026-04", "value": 1},
        {"series": "Phone call", "x": "2026-04", "value": 1},
    ]


def test_ideas_by_district(city):
    assert run("voice.ideas_by_district") == [
        {"label": "Jongno-gu", "value": 3, "online": 2, "offline": 1},
        {"label": "Mapo-gu", "value": 2, "online": 1, "offline": 1},
    ]
    # The window is whole days: 2026-03-05 .. 2026-03-20 includes both March proposals.
    assert run("voice.ideas_by_district", date(2026, 3, 5), date(2026, 3, 20)) == [
        {"label": "Jongno-gu", "value": 2, "online": 1, "offline": 1}
    ]


def test_reply_rate_and_median_days(city):
    # Transport: P1 (2 days), P2 (6), P4 (10) all answered -> 100 %, median 6.
    # Welfare: P3 unanswered; P5 withdrawn is not counted -> 0 %, no median.
    assert run("voice.reply_rate") == [
        {
            "label": "Transport Headquarters",
            "received": 3,
            "replied": 3,
            "value": 100.0,
            "median_days": 6.0,
        },
        {"label": "Welfare Office", "received": 1, "replied": 0, "value": 0.0, "median_days": None},
    ]
    assert run("voice.reply_rate", district="jongno") == [
        {
            "label": "Transport Headquarters",
            "received": 2,
            "replied": 2,
            "value": 100.0,
            "median_days": 4.0,
        }
    ]


def test_overdue_replies(city):
    # P3's reply was due 2026-04-20 and never met; P1's was met; P4's is due in five days.
    assert run("voice.overdue_replies") == [{"label": "Welfare Office", "value": 1}]
    assert run("voice.overdue_replies", district="jongno") == []


def test_share_reflected(city):
    assert run("voice.share_reflected") == pytest.approx(66.7)  # 2 of 3 decided
    assert run("voice.share_reflected", date(2026, 3, 1), date(2026, 3, 31)) == 50.0
    assert run("voice.share_reflected", district="mapo") == 100.0
    assert run("voice.share_reflected", date(2020, 1, 1), date(2020, 1, 2)) is None


def test_outcomes(city):
    assert sorted((r["label"], r["value"]) for r in run("voice.outcomes")) == [
        ("Not reflected", 1),
        ("Partly reflected", 1),
        ("Reflected in policy", 1),
    ]


def test_workshops(city):
    # The lecture was cancelled; the workshop had 3 confirmed (2 came), the mobile city hall 2 (1).
    assert run("voice.workshops") == [
        {"label": "Mobile city hall", "events": 1, "value": 2, "attended": 1},
        {"label": "Listening workshop", "events": 1, "value": 3, "attended": 2},
    ] or run("voice.workshops") == [
        {"label": "Listening workshop", "events": 1, "value": 3, "attended": 2},
        {"label": "Mobile city hall", "events": 1, "value": 2, "attended": 1},
    ]
    assert run("voice.workshops", district="jongno") == [
        {"label": "Listening workshop", "events": 1, "value": 3, "attended": 2}
    ]


def test_enterprises(city):
    assert run("sharing.enterprises") == [
        {"label": "(Social) cooperative", "designated": 2, "value": 0},
        {"label": "(Pre-)social enterprise", "designated": 1, "value": 1},
    ]
    assert run("sharing.enterprises", date(2026, 1, 1), date(2026, 12, 31)) == [
        {"label": "(Social) cooperative", "designated": 1, "value": 0},
        {"label": "(Pre-)social enterprise", "designated": 1, "value": 1},
    ]
    assert run("sharing.enterprises", district="mapo") == [
        {"label": "(Pre-)social enterprise", "designated": 1, "value": 1}
    ]


def test_bookings_by_kind_and_district(city):
    # Week of 2026-03-02..08: room 3 h + 2 h (the cancelled one and the one starting on
    # 03-01 do not count), the item 24 h; the parking request is not taken.
    week = (date(2026, 3, 2), date(2026, 3, 8))
    assert run("sharing.bookings_by_kind", *week) == [
        {"label": "Item", "value": 24.0, "bookings": 1},
        {"label": "Room", "value": 5.0, "bookings": 2},
    ]
    assert run("sharing.bookings_by_district", *week) == [
        {"label": "Mapo-gu", "value": 24.0, "bookings": 1},
        {"label": "Jongno-gu", "value": 5.0, "bookings": 2},
    ]
    assert run("sharing.bookings_by_kind") == [
        {"label": "Item", "value": 24.0, "bookings": 1},
        {"label": "Room", "value": 11.0, "bookings": 3},
    ]


def test_public_space_utilisation(city):
    # 7 days x 12 opening hours = 84 h; booked 3 + 2 + the 2 h of the overnight booking that
    # fall inside the window = 7 h -> 8.3 %.
    assert run("sharing.public_space_utilisation", date(2026, 3, 2), date(2026, 3, 8)) == [
        {"label": "Jongno-gu", "value": 8.3, "booked_hours": 7.0, "open_hours": 84.0}
    ]
    assert run("sharing.public_space_utilisation", date(2026, 3, 2), date(2026, 3, 8), "mapo") == []


def test_turnout(city):
    # Jongno: 3 ballots over 4 verified residents; Mapo: 1 over 2.
    assert run("budgeting.turnout") == [
        {"label": "Jongno-gu", "value": 3, "electorate": 4, "turnout": 75.0},
        {"label": "Mapo-gu", "value": 1, "electorate": 2, "turnout": 50.0},
    ]
    assert run("budgeting.turnout", date(2026, 6, 1), None, "jongno") == [
        {"label": "Jongno-gu", "value": 0, "electorate": 4, "turnout": 0.0}
    ]


def test_panel_composition(city):
    rows = {r["label"]: r for r in run("budgeting.panel_composition")}
    assert rows["district: jongno"]["value"] == 50.0
    assert rows["district: jongno"]["reference"] == pytest.approx(27.5)  # 141000 / 513000
    assert rows["district: mapo"]["reference"] == pytest.approx(72.5)
    assert rows["age_band: 30-39"]["members"] == 2
    assert rows["age_band: 30-39"]["reference"] == 100.0  # every resident is 30-39
    assert rows["age_band: 40-49"]["value"] == 0.0
    assert rows["gender: female"]["value"] == 50.0
    assert rows["gender: female"]["reference"] == pytest.approx(66.7)  # 2 of 3 in the pool
    assert rows["gender: male"]["source"] == "volunteer pool"
    assert run("budgeting.panel_composition", date(2020, 1, 1), date(2020, 1, 2)) == []
