"""Open311 GeoReport v2: the spec's required fields in JSON and XML, filters, paging, create,
and GeoReport-shaped 400s."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sharingcity.core.services import do_issue_api_token
from sharingcity.voice.models import Proposal
from tests import factories as f

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def xml_items(resp, root, item):
    assert resp["Content-Type"].startswith("text/xml")
    doc = ET.fromstring(resp.content)
    assert doc.tag == root
    return [{child.tag: (child.text or "") for child in el} for el in doc.findall(item)]


def test_services_in_json_and_xml(city, client):
    rows = client.get("/open311/v2/services.json").json()
    transport = next(r for r in rows if r["service_code"] == "transport")
    assert list(transport) == SERVICE_FIELDS
    assert transport["metadata"] is False and transport["type"] == "realtime"
    items = xml_items(client.get("/open311/v2/services.xml"), "services", "service")
    assert len(items) == len(rows)
    assert all(list(i) == SERVICE_FIELDS for i in items)
    assert next(i for i in items if i["service_code"] == "transport")["metadata"] == "false"


def test_service_definition(city, client):
    assert client.get("/open311/v2/services/transport.json").json() == {
        "service_code": "transport",
        "attributes": [],
    }
    doc = ET.fromstring(client.get("/open311/v2/services/transport.xml").content)
    assert doc.tag == "service_definition" and doc.find("service_code").text == "transport"
    assert doc.find("attributes") is not None
    resp = client.get("/open311/v2/services/nope.json")
    assert resp.status_code == 404
    assert resp.json()[0]["code"] == 404


def test_requests_required_fields_and_mapping(city, client):
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [
        str(p.pk) for p in reversed(city["proposals"])
    ]
    for r in rows:
        assert list(r) == REQUEST_FIELDS
    p1, p2, p3, p4, p5 = city["proposals"]
    by_id = {r["service_request_id"]: r for r in rows}
    assert by_id[str(p1.pk)]["status"] == "open"  # answered, not yet carried out
    assert by_id[str(p1.pk)]["status_notes"] == "We will extend the night bus."
    assert (
        by_id[str(p2.pk)]["status"] == "closed" and by_id[str(p2.pk)]["status_notes"] == ""
    )  # draft reply
    assert by_id[str(p5.pk)]["status"] == "closed"
    assert (by_id[str(p3.pk)]["lat"], by_id[str(p3.pk)]["long"]) == (
        37.566,
        126.901,
    )  # Mapo's centroid
    assert by_id[str(p3.pk)]["address_id"] == "mapo"
    assert "Kim Minji" not in str(rows) and "010-1234-5678" not in str(rows)
    items = xml_items(client.get("/open311/v2/requests.xml"), "service_requests", "request")
    assert [i["service_request_id"] for i in items] == [r["service_request_id"] for r in rows]
    assert all(list(i) == REQUEST_FIELDS for i in items)


def test_request_filters_and_paging(city, client):
    p1, p2, p3, p4, p5 = city["proposals"]

    def get(**q):
        return [r["service_request_id"] for r in client.get("/open311/v2/requests.json", q).json()]  # noqa: E731

    assert get(status="closed") == [str(p5.pk), str(p2.pk)]
    assert get(status="open,closed") == get()
    assert get(start_date="2026-04-01T00:00:00+09:00", end_date="2026-04-12T00:00:00+09:00") == [
        str(p4.pk),
        str(p3.pk),
    ]
    assert get(service_code="transport", page_size="2", page="2") == [str(p3.pk), str(p2.pk)]
    assert get(service_request_id=f"{p1.pk},{p3.pk}") == [str(p3.pk), str(p1.pk)]
    assert get(page="9") == []
    one = client.get(f"/open311/v2/requests/{p1.pk}.xml")
    assert (
        xml_items(one, "service_requests", "request")[0]["status_notes"]
        == "We will extend the night bus."
    )
    assert client.get(f"/open311/v2/requests/{p1.pk}.json").json()[0]["service_code"] == "transport"


@pytest.mark.parametrize(
    "query, words",
    [
        ({"status": "pending"}, "status must be"),
        ({"start_date": "yesterday"}, "start_date must be"),
        ({"end_date": "2026-13-45"}, "end_date must be"),
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "before start_date"),
        ({"page": "0"}, "page must be"),
        ({"page_size": "5000"}, "at most 1000"),
        ({"page_size": "ten"}, "page_size must be"),
        ({"service_code": "nope"}, "Unknown service_code"),
        ({"service_request_id": "1;drop"}, "service_request_id"),
        ({"colour": "red"}, "Unknown parameter"),
    ],
)
def test_bad_parameters_get_georeport_400s(city, client, query, words):
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        resp = client.get("/open311/v2/requests.json", query, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400
    body = resp.json()
    assert isinstance(body, list) and body[0]["code"] == 400 and words in body[0]["description"]
    xml = client.get("/open311/v2/requests.xml", query)
    assert xml.status_code == 400
    doc = ET.fromstring(xml.content)
    assert doc.tag == "errors" and doc.find("error/code").text == "400"


def test_unknown_request_is_404(city, client):
    assert client.get("/open311/v2/requests/999999.json").status_code == 404
    assert client.get("/open311/v2/requests/abc.json").status_code == 400


def _post(client, fmt="json", **data):
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_create_request_with_api_key(city, client):
    resident = city["j"][0]
    key = do_issue_api_token(user=resident, name="open311")[1]
    before = Proposal.objects.count()
    resp = _post(
        client,
        api_key=key,
        service_code="transport",
        lat="37.57",
        long="126.98",
        description="Please run the night bus past Jongno 3-ga every twenty minutes.",
    )
    assert resp.status_code == 200, resp.content
    new_id = resp.json()[0]["service_request_id"]
    p = Proposal.objects.get(pk=new_id)
    assert Proposal.objects.count() == before + 1
    assert p.author == resident and p.district.code == "jongno" and p.channel == "online"
    assert p.title.startswith("Please run the night bus")
    # By bearer header, by district code, in XML.
    resp = client.post(
        "/open311/v2/requests.xml",
        {
            "service_code": "transport",
            "address_id": "mapo",
            "attribute[title]": "More benches",
            "description": "Benches along the Mapo riverside path for older residents.",
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert resp.status_code == 200
    rid = ET.fromstring(resp.content).find("request/service_request_id").text
    assert Proposal.objects.get(pk=rid).title == "More benches"


@pytest.mark.parametrize(
    "data, status",
    [
        (
            {"service_code": "transport", "lat": "37.5", "long": "126.9", "description": "x" * 30},
            403,
        ),  # no key
        (
            {
                "api_key": "sc_wrong",
                "service_code": "transport",
                "address_id": "mapo",
                "description": "x" * 30,
            },
            403,
        ),
        ({"service_code": "", "address_id": "mapo", "description": "x" * 30}, 400),
        ({"service_code": "nope", "address_id": "mapo", "description": "x" * 30}, 400),
        ({"service_code": "transport", "description": "x" * 30}, 400),  # no location
        ({"service_code": "transport", "lat": "91", "long": "126.9", "description": "x" * 30}, 400),
        (
            {"service_code": "transport", "lat": "north", "long": "126.9", "description": "x" * 30},
            400,
        ),
        ({"service_code": "transport", "lat": "37.5", "description": "x" * 30}, 400),
        ({"service_code": "transport", "address_id": "atlantis", "description": "x" * 30}, 400),
        ({"service_code": "transport", "address_id": "mapo", "description": ""}, 400),
        (
            {"service_code": "transport", "address_id": "mapo", "description": "short"},
            400,
        ),  # voice's rule
    ],
)
def test_create_refusals_write_nothing(city, client, data, status):
    if "api_key" not in data and status == 400:
        data = {**data, "api_key": do_issue_api_token(user=city["j"][0], name="k")[1]}
    before = Proposal.objects.count()
    resp = _post(client, **data)
    assert resp.status_code == status, resp.content
    assert resp.json()[0]["code"] == status and resp.json()[0]["description"]
    assert Proposal.objects.count() == before


def test_only_verified_residents_may_create(city, client):
    key = do_issue_api_token(user=city["unverified"], name="k")[1]
    resp = _post(
        client, api_key=key, service_code="transport", address_id="jongno", description="x" * 40
    )
    assert resp.status_code == 403
    staff_key = do_issue_api_token(user=f.bureau_admin("adm"), name="k")[1]
    assert (
        _post(
            client,
            api_key=staff_key,
            service_code="transport",
            address_id="jongno",
            description="x" * 40,
        ).status_code
        == 403
    )
