from __future__ import annotations

import json

import pytest
from django.utils import translation

from sharingcity.sharing.models import PartnerPlatform, Resource
from sharingcity.sharing.services import hub
from tests import factories as f

pytestmark = pytest.mark.django_db
ROW = {
    "external_id": "a",
    "title": "텐트",
    "kind": "item",
    "district": "jongno",
    "latitude": 37.57,
    "longitude": 126.98,
}


def test_json_lines_report_line_numbers_and_refresh_removes_gone_rows():
    f.district()
    p = PartnerPlatform.objects.create(
        name="J", feed_format="json", feed_url="https://example.org/feed"
    )
    lines = [
        json.dumps(ROW),
        "{not json",
        json.dumps({**ROW, "external_id": "b", "latitude": 10}),
        json.dumps({**ROW, "external_id": "a"}),
        "",
        json.dumps({**ROW, "external_id": "c", "url": "ftp://x"}),
    ]
    with translation.override("en"):
        run = hub.import_feed(p, "\n".join(lines))
    assert run.rows_imported == 1
    assert [e["line"] for e in run.errors] == [2, 3, 4, 6]
    assert "twice" in run.errors[2]["error"]
    runs = hub.refresh_due(fetcher=lambda url: "[]")  # last import is fresh: nothing to do
    assert runs == []
    PartnerPlatform.objects.filter(pk=p.pk).update(last_import_at=None)
    runs = hub.refresh_due(fetcher=lambda url: json.dumps([{**ROW, "external_id": "z"}, 5]))
    assert runs[0].rows_imported == 1 and runs[0].rows_removed == 1
    assert runs[0].errors == [{"item": 2, "error": "not an object"}]
    assert list(Resource.objects.filter(partner=p).values_list("external_id", flat=True)) == ["z"]


def test_unreadable_feed_keeps_listings():
    f.district()
    p = PartnerPlatform.objects.create(
        name="C", feed_format="csv", feed_url="https://example.org/c"
    )
    hub.import_feed(
        p, "external_id,title,kind,district,latitude,longitude\na,x,item,jongno,37.5,127\n"
    )
    run = hub.import_feed(p, "title\nx\n")
    assert run.failed and Resource.objects.filter(partner=p).count() == 1

    def boom(url):
        raise OSError("timed out")

    PartnerPlatform.objects.filter(pk=p.pk).update(last_import_at=None)
    assert hub.refresh_due(fetcher=boom)[0].failed == "timed out"
    assert Resource.objects.filter(partner=p).count() == 1


def test_partner_listings_are_searchable_but_not_bookable():
    from sharingcity.core.errors import InvalidInput
    from sharingcity.sharing import selectors
    from sharingcity.sharing.services import booking as bk

    from . import factories as sf

    f.district()
    p = PartnerPlatform.objects.create(name="C", feed_format="csv")
    hub.import_feed(
        p,
        "external_id,title,kind,district,latitude,longitude,url\na,캠핑의자,item,jongno,37.5,127,https://x.org/a\n",
    )
    r = selectors.search(selectors.Search(q="캠핑의자")).get()
    assert r.partner_id == p.pk
    start = sf.saturday(14)
    with pytest.raises(InvalidInput) as e:
        bk.check_book(actor=f.resident(), resource=r, start=start, end=start.replace(hour=16))
    assert e.value.code == "partner_listing"
