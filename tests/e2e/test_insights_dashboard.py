"""The public dashboard in a browser: charts and tables in English and Korean, and an axe-core
scan with no serious or critical violations.

axe-core is never downloaded here: the test loads ``axe.min.js`` from ``$SHARINGCITY_AXE_JS``
or a well-known place (``node_modules/axe-core/`` in the checkout or its parent,
``/usr/share/javascript/axe-core/``, ``/usr/lib/node_modules/axe-core/``) and skips the scan
with a message when none is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.insights.conftest import city  # noqa: F401  (the hand-computed example city)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
AXE_PLACES = [
    REPO / "node_modules/axe-core/axe.min.js",
    REPO.parent / "node_modules/axe-core/axe.min.js",
    Path("/usr/share/javascript/axe-core/axe.min.js"),
    Path("/usr/lib/node_modules/axe-core/axe.min.js"),
    Path("/usr/local/lib/node_modules/axe-core/axe.min.js"),
]


def axe_script() -> Path | None:
    if os.environ.get("SHARINGCITY_AXE_JS"):
        path = Path(os.environ["SHARINGCITY_AXE_JS"])
        return path if path.is_file() else None
    return next((p for p in AXE_PLACES if p.is_file()), None)


@pytest.mark.parametrize(
    "lang, heading, district",
    [("en", "How the city is doing", "Jongno-gu"), ("ko", "도시는 지금", "종로구")],
)
def test_public_dashboard_renders_charts_and_tables(page, city, lang, heading, district):  # noqa: F811
    page.goto(f"/{lang}/insights/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == heading
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 8
    assert page.locator("table caption").count() >= 8
    assert (
        page.locator("#m-budgeting-turnout table tbody th[scope=row]").first.inner_text()
        == district
    )
    # The filter form works from the keyboard-labelled fields.
    page.locator("#id_district").select_option("mapo")
    page.locator("#dashboard-filter button[type=submit]").click()
    page.wait_for_load_state()
    assert "district=mapo" in page.url
    assert page.locator("#m-budgeting-turnout table tbody tr").count() == 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_public_dashboard_passes_axe(page, city, lang):  # noqa: F811
    script = axe_script()
    if script is None:
        pytest.skip(
            "axe-core is absent: set SHARINGCITY_AXE_JS to axe.min.js "
            "(e.g. `npm install --prefix . axe-core`) to run the accessibility scan"
        )
    page.goto(f"/{lang}/insights/")
    page.add_script_tag(path=str(script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)
