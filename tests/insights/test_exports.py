"""Open data: every registered export in every format carries exactly its allow-list, never a
personal field, and streams."""

from __future__ import annotations

import csv
import io
import json
import re

import pyarrow.parquet as pq
import pytest
from django.http import StreamingHttpResponse

from sharingcity.core.registry import OpenDataExport
from sharingcity.insights import exports

pytestmark = pytest.mark.django_db

#: Words that name a person or reach them. A field containing one is a leak.
DENY = re.compile(
    r"user|email|e_mail|phone|contact|address|plate|household|voter|author|booker|applicant|"
    r"birth|first_name|last_name|display_name|person|password|token|ip_addr|officer|reporter|"
    r"coordinator|purpose|registration_number|features|external_id|note"
)
PERSONAL_VALUES = [
    "Kim Minji",
    "010-1234-5678",
    "12 Home-ro",
    "1 Sejong-daero",
    "12가3456",
    "34나5678",
    "123-45-67890",
    "jres0",
    "example.org",
    "My bay at home",
    "Choir",
]


def read(body: bytes, fmt: str) -> tuple[list[str], list[dict]]:
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        return list(reader.fieldnames or []), rows
    if fmt == "json":
        rows = json.loads(body)
        return (list(rows[0]) if rows else []), rows
    if fmt == "jsonl":
        rows = [json.loads(line) for line in body.decode().splitlines() if line]
        return (list(rows[0]) if rows else []), rows
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(body))
        return table.schema.names, table.to_pylist()
    if fmt == "geojson":
        doc = json.loads(body)
        assert doc["type"] == "FeatureCollection"
        rows = []
        for feat in doc["features"]:
            assert feat["type"] == "Feature"
            row = dict(feat["properties"])
            if feat["geometry"] is not None:
                assert feat["geometry"]["type"] == "Point"
                row["longitude"], row["latitude"] = feat["geometry"]["coordinates"]
            rows.append(row)
        return (sorted(set().union(*map(set, rows))) if rows else []), rows
    raise AssertionError(fmt)


def test_every_export_in_every_format_carries_only_its_allow_list(city, client):
    found = exports.exports()
    assert {
        "proposals",
        "replies",
        "events",
        "resources",
        "bookings",
        "sharing_enterprises",
        "budget_projects",
        "budget_tallies",
        "districts",
    } <= set(found)
    for key, export in found.items():
        for name in export.fields:
            assert not DENY.search(name), f"{key}.{name} is on the deny-list"
            assert name in export.field_descriptions, f"{key}.{name} has no description"
        for raw in export.rows():
            assert set(raw) <= set(export.fields), f"{key}: {set(raw) - set(export.fields)}"
        for fmt in exports.formats_of(export):
            resp = client.get(f"/open-data/{key}.{fmt}")
            assert resp.status_code == 200, (key, fmt)
            assert isinstance(resp, StreamingHttpResponse)
            body = b"".join(resp.streaming_content)
            names, rows = read(body, fmt)
            if fmt == "geojson":
                assert set(names) <= set(export.fields)
                for r in rows:
                    assert set(r) <= set(export.fields)
            elif rows or fmt in ("csv", "parquet"):
                assert names == list(export.fields), (key, fmt, names)
            text = (
                body.decode("utf-8", "replace")
                if fmt != "parquet"
                else json.dumps(rows, default=str)
            )
            for value in PERSONAL_VALUES:
                assert value not in text, f"{value!r} leaked in {key}.{fmt}"


def test_exports_have_hand_checked_rows(city, client):
    _, rows = read(b"".join(client.get("/open-data/proposals.csv").streaming_content), "csv")
    assert len(rows) == 5
    assert [r["channel"] for r in rows] == ["online", "letter", "online", "phone", "online"]
    _, rows = read(b"".join(client.get("/open-data/replies.json").streaming_content), "json")
    assert [r["text"] for r in rows] == ["We will extend the night bus."]  # the draft stays private
    _, rows = read(b"".join(client.get("/open-data/bookings.jsonl").streaming_content), "jsonl")
    assert sorted(r["hours"] for r in rows) == [2.0, 3.0, 6.0, 24.0]
    _, rows = read(
        b"".join(client.get("/open-data/resources.geojson").streaming_content), "geojson"
    )
    bay = next(r for r in rows if r["owner_kind"] == "resident")
    assert "latitude" not in bay and bay["title"] == ""  # a resident's bay has no point
    table = pq.read_table(
        io.BytesIO(b"".join(client.get("/open-data/districts.parquet").streaming_content))
    )
    assert table.to_pydict()["population"] == [141000, 372000]
    assert str(table.schema.field("population").type) == "int64"


def test_a_row_outside_the_allow_list_is_refused():
    leaky = OpenDataExport("leaky", "Leaky", ("id",), lambda: iter([{"id": 1, "email": "a@b.c"}]))
    for fmt in ("csv", "json", "jsonl", "parquet", "geojson"):
        with pytest.raises(exports.ExportFieldError, match="email"):
            b"".join(exports.stream(leaky, fmt))


def test_parquet_is_written_in_row_groups():
    e = OpenDataExport(
        "n",
        "N",
        ("id", "x"),
        lambda: ({"id": i, "x": i / 2} for i in range(25)),
        field_types={"id": "int", "x": "float"},
    )
    body = b"".join(exports.stream_parquet(e, row_group=10))
    meta = pq.ParquetFile(io.BytesIO(body)).metadata
    assert meta.num_rows == 25 and meta.num_row_groups == 3


def test_empty_exports_are_valid():
    e = OpenDataExport("none", "None", ("id",), lambda: iter([]), field_types={"id": "int"})
    assert json.loads(b"".join(exports.stream(e, "json"))) == []
    assert b"".join(exports.stream(e, "jsonl")) == b""
    assert pq.read_table(io.BytesIO(b"".join(exports.stream(e, "parquet")))).num_rows == 0


def test_unknown_dataset_and_format(city, client):
    assert client.get("/open-data/nope.csv").status_code == 404
    resp = client.get("/open-data/proposals.geojson")  # not geodata
    assert resp.status_code == 400
    assert resp.json()["code"] == "unknown_format"
    assert client.get("/open-data/proposals.xlsx").status_code == 400


def test_catalogue_and_dictionary(city, client):
    resp = client.get("/en/insights/open-data/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'href="/open-data/proposals.parquet"' in html
    assert 'href="/open-data/resources.geojson"' in html
    assert "<caption>Data dictionary: Citizen proposals</caption>" in html
    doc = client.get("/open-data/proposals.dictionary.json").json()
    assert doc["fields"][0] == {
        "field": "id",
        "type": "int",
        "description": "Proposal number (also the Open311 service request id)",
    }
    index = client.get("/open-data/").json()
    assert index["datasets"][0]["distributions"]["csv"].endswith("/open-data/bookings.csv")


def test_regenerate_writes_every_file(city, client, settings, tmp_path):
    from tests import factories as f

    settings.MEDIA_ROOT = tmp_path
    resident = f.resident("someone")
    client.force_login(resident)
    assert client.post("/en/insights/open-data/regenerate/").status_code == 403
    assert not (tmp_path / "open-data").exists()
    client.force_login(f.bureau_admin("admin1"))
    resp = client.post("/en/insights/open-data/regenerate/")
    assert resp.status_code == 302
    names = {p.name for p in (tmp_path / "open-data").iterdir()}
    assert {
        "proposals.csv",
        "proposals.parquet",
        "resources.geojson",
        "districts.geojson",
        "proposals.dictionary.json",
    } <= names
    assert not any(n.endswith(".tmp") for n in names)
    streamed = b"".join(client.get("/open-data/proposals.csv").streaming_content)
    assert (tmp_path / "open-data" / "proposals.csv").read_bytes() == streamed
    from sharingcity.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="insights.open_data_regenerated").count() == 1


def test_nightly_task_writes_files(city, settings, tmp_path):
    from sharingcity.insights.tasks import write_open_data_nightly

    settings.MEDIA_ROOT = tmp_path
    write_open_data_nightly.call_local()
    assert (tmp_path / "open-data" / "bookings.jsonl").exists()
