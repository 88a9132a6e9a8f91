"""The dashboards: public and staff, charts beside tables, filters with 400s."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_dashboard_in_english_and_korean(city, client):
    resp = client.get("/en/insights/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.count('<svg class="chart"') >= 8
    assert html.count("<caption>") >= 8
    assert 'id="m-voice-reply-rate"' in html and 'id="m-budgeting-turnout"' in html
    assert '<label for="id_start">From</label>' in html
    assert "Transport Headquarters" in html
    ko = client.get("/ko/insights/").content.decode()
    assert "교통실" in ko  # department names follow the language
    # Each chart has its own title id (no duplicate ids for assistive technology).
    assert html.count('id="c-voice-reply-rate-t"') == 1


def test_filters_apply(city, client):
    html = client.get(
        "/en/insights/", {"district": "mapo", "start": "2026-04-01", "end": "2026-04-30"}
    ).content.decode()
    assert "Welfare Office" in html
    assert "Jongno-gu</th>" not in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"end": "2026-02-30"}, "Enter a valid date."),
        ({"district": "atlantis"}, "Select a valid choice."),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "The end date is before the start date."),
    ],
)
def test_bad_filters_are_400_with_a_form_error(city, client, query, message):
    resp = client.get("/en/insights/", query)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert b'<svg class="chart"' not in resp.content
    assert client.get("/en/insights/bureau/", query).status_code in (302, 400)


def test_bureau_dashboard_is_for_staff_and_overseers(city, client):
    assert client.get("/en/insights/bureau/").status_code == 302
    client.force_login(city["j"][0])
    assert client.get("/en/insights/bureau/").status_code == 403
    for user in (f.bureau_admin("boss"), city["staff"], f.overseer("watcher")):
        client.force_login(user)
        resp = client.get("/en/insights/bureau/")
        assert resp.status_code == 200
        assert b"Bureau dashboard" in resp.content


def test_api_metrics(city, client):
    rows = client.get("/api/insights/metrics", {"district": "jongno"}).json()
    by_key = {r["key"]: r for r in rows}
    assert by_key["budgeting.turnout"]["result"][0]["value"] == 3
    assert client.get("/api/insights/metrics", {"district": "atlantis"}).status_code == 400
    assert client.get("/api/insights/metrics", {"start": "nope"}).status_code in (400, 422)


def test_rendered_charts_are_cached_per_filter_and_language(city, client, settings):
    from django.core.cache import cache

    from sharingcity.voice.models import Proposal

    def charts(**q) -> str:
        html = client.get("/en/insights/", q).content.decode()
        return html[html.index('<section class="metric"') : html.index("</main>")]

    cache.clear()
    settings.SHARINGCITY_DASHBOARD_CACHE_SECONDS = 60
    first = charts(district="mapo")
    assert "Welfare Office" in first
    Proposal.objects.filter(district__code="mapo").delete()
    assert charts(district="mapo") == first  # reused
    assert "Welfare Office" not in charts(district="jongno")  # another filter, another entry
    settings.SHARINGCITY_DASHBOARD_CACHE_SECONDS = 0
    assert "Welfare Office" not in charts(district="mapo")
    cache.clear()
