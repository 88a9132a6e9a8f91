"""Share Hub: partner platforms' listings imported from CSV or JSON feeds into the same search.

Good rows are imported; every bad row is reported with its line number (CSV, JSON Lines) or
item number (a JSON array) in the ``ImportRun``, never silently dropped. Listings that left the
feed are removed. A periodic job refreshes each platform on its own schedule."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import District, Role, User

from ..models import ImportRun, Kind, PartnerPlatform, Resource

FIELDS = ("external_id", "title", "kind", "district", "latitude", "longitude")
OPTIONAL = ("category", "description", "url", "accessible", "address", "size")
MAX_BYTES = 20 * 1024 * 1024


def _rows(text: str, fmt: str) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """(line, row) pairs and the word used for positions ("line" or "item")."""
    if fmt == PartnerPlatform.Format.CSV:
        reader = csv.DictReader(io.StringIO(text))
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                "bad_feed_header",
                _("The feed lacks the columns: %(c)s.") % {"c": ", ".join(missing)},
                {"expected": list(FIELDS + OPTIONAL)},
            )
        return [(reader.line_num, row) for row in reader], "line"
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InvalidInput(
                "bad_feed_json",
                _("The feed is not valid JSON: line %(l)d: %(m)s") % {"l": e.lineno, "m": e.msg},
            ) from None
        return [(i, row) for i, row in enumerate(data, start=1)], "item"
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            rows.append((n, {"__error__": e.msg}))
    return rows, "line"


def _clean(row: Any, districts: dict[str, District]) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ValueError(_("not an object"))
    if "__error__" in row:
        raise ValueError(_("not valid JSON: %(m)s") % {"m": row["__error__"]})
    get = {k: ("" if row.get(k) is None else str(row.get(k)).strip()) for k in FIELDS + OPTIONAL}
    for f in ("external_id", "title"):
        if not get[f]:
            raise ValueError(_("%(f)s is empty") % {"f": f})
    if len(get["external_id"]) > 100 or len(get["title"]) > 200:
        raise ValueError(_("external_id or title is too long"))
    if get["kind"] not in Kind.values:
        raise ValueError(_("unknown kind %(k)r") % {"k": get["kind"]})
    if get["district"] not in districts:
        raise ValueError(_("unknown district %(d)r") % {"d": get["district"]})
    try:
        lat, lon = float(get["latitude"]), float(get["longitude"])
    except ValueError:
        raise ValueError(_("latitude and longitude must be numbers")) from None
    if not (33 <= lat <= 39 and 124 <= lon <= 132):
        raise ValueError(_("the point %(lat)s, %(lon)s is not in Korea") % {"lat": lat, "lon": lon})
    url = get["url"]
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(_("url must start with http:// or https://"))
    accessible = get["accessible"].lower()
    if accessible not in ("", "true", "false", "1", "0", "yes", "no"):
        raise ValueError(_("accessible must be true or false"))
    return {
        "external_id": get["external_id"],
        "title": get["title"],
        "kind": get["kind"],
        "district": districts[get["district"]],
        "latitude": lat,
        "longitude": lon,
        "category": get["category"][:60],
        "description": get["description"][:4000],
        "external_url": url[:500],
        "accessible": accessible in ("true", "1", "yes"),
        "address": get["address"][:300],
        "size": get["size"][:20],
    }


def import_feed(platform: PartnerPlatform, text: str) -> ImportRun:
    """Import one feed body. A feed that cannot be read at all is recorded as failed and leaves
    the current listings alone."""
    run = ImportRun(platform=platform)
    try:
        rows, word = _rows(text, platform.feed_format)
    except InvalidInput as e:
        run.failed = e.message[:500]
        run.save()
        return run
    districts = {d.code: d for d in District.objects.all()}
    good: dict[str, dict[str, Any]] = {}
    errors = []
    for line, row in rows:
        try:
            clean = _clean(row, districts)
            if clean["external_id"] in good:
                raise ValueError(_("external_id %(e)s appears twice") % {"e": clean["external_id"]})
            good[clean["external_id"]] = clean
        except ValueError as e:
            errors.append({word: line, "error": str(e)})
    run.rows_total = len(rows)
    run.errors = errors[:1000]
    with transaction.atomic():
        existing = {r.external_id: r for r in Resource.objects.filter(partner=platform)}
        new, changed = [], []
        for ext, data in good.items():
            obj = existing.get(ext)
            if obj is None:
                new.append(Resource(partner=platform, verification_required="none", **data))
            else:
                for k, v in data.items():
                    setattr(obj, k, v)
                changed.append(obj)
        Resource.objects.bulk_create(new, batch_size=1000)
        Resource.objects.bulk_update(
            changed,
            [
                "title",
                "kind",
                "district",
                "latitude",
                "longitude",
                "category",
                "description",
                "external_url",
                "accessible",
                "address",
                "size",
            ],
            batch_size=1000,
        )
        gone = [r.pk for ext, r in existing.items() if ext not in good]
        Resource.objects.filter(pk__in=gone).delete()
        run.rows_imported = len(good)
        run.rows_removed = len(gone)
        run.save()
        platform.last_import_at = run.started_at
        platform.save(update_fields=["last_import_at"])
    return run


def check_import(*, actor: User, platform: PartnerPlatform, data: bytes | str) -> ImportRun:
    access.require_role(actor, Role.BUREAU_ADMIN)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("bad_encoding", _("The feed must be UTF-8 text.")) from None
    run = import_feed(platform, data)
    audit.record(actor, "sharing.hub.imported", platform, ok=run.rows_imported, bad=len(run.errors))
    return run


def fetch(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("bad_feed_url", _("Feeds are fetched over http or https."))
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - scheme checked
        return response.read(MAX_BYTES).decode("utf-8-sig")


def refresh_due(now=None, *, fetcher=fetch) -> list[ImportRun]:
    """Refresh every active platform whose last import is older than its interval."""
    now = now or timezone.now()
    runs = []
    for p in PartnerPlatform.objects.filter(active=True).exclude(feed_url=""):
        if p.last_import_at and p.last_import_at > now - timedelta(hours=p.refresh_hours):
            continue
        try:
            text = fetcher(p.feed_url)
        except (OSError, InvalidInput, UnicodeDecodeError) as e:
            runs.append(ImportRun.objects.create(platform=p, failed=str(e)[:500]))
            continue
        runs.append(import_feed(p, text))
    return runs
