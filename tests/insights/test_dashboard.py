from django.core.cache import cache
from django.utils import translation

from sharingcity.insights import dashboard, tasks
from sharingcity.voice.models import Proposal


def test_warm_renders_every_language_and_both_pages_into_the_cache(city, client, settings):
    cache.clear()
    settings.SHARINGCITY_DASHBOARD_CACHE_SECONDS = 60
    assert tasks.warm_dashboards.call_local() == 2 * len(settings.LANGUAGES)
    with translation.override("ko"):
        korean = dashboard.panels_html(public=True)
    Proposal.objects.all().delete()
    # Visitors get the warmed panels, in their own language, without a recomputation.
    assert client.get("/ko/insights/").content.decode().count(korean) == 1
    with translation.override("en"):
        assert "Welfare Office" in dashboard.panels_html(public=False)
        # The next warm-up picks up the change.
        dashboard.warm()
        assert "Welfare Office" not in dashboard.panels_html(public=False)
    cache.clear()


def test_warm_does_nothing_with_the_cache_off(city, settings):
    settings.SHARINGCITY_DASHBOARD_CACHE_SECONDS = 0
    assert dashboard.warm() == 0
