"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over Citizen Voice.

Services are proposal categories; service requests are proposals; ``status`` is ``open`` while
a proposal is being handled and ``closed`` once it is completed or withdrawn; ``status_notes``
is the latest published reply. Proposals have no point of their own, so ``lat``/``long`` are
their district's centroid. This module is the one place in insights that calls Citizen Voice
directly, through its public selectors and services (reads and the create), never its models'
internals."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sharingcity.core import access
from sharingcity.core.errors import DomainError
from sharingcity.core.models import District
from sharingcity.core.services import user_for_token

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
CLOSED = ("completed", "withdrawn")


class GeoReportError(Exception):
    def __init__(self, description: str, status: int = 400):
        super().__init__(description)
        self.description = description
        self.status = status


# --------------------------------------------------------------------------- rendering


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def _fill(el: Element, row: dict) -> Element:
    for k, v in row.items():
        child = SubElement(el, k)
        if isinstance(v, list):  # a service definition's attributes
            for a in v:
                _fill(SubElement(child, "attribute"), a)
        else:
            child.text = _text(v)
    return el


def respond(
    fmt: str, root: str, item: str, rows: list[dict] | dict, status: int = 200
) -> HttpResponse:
    """JSON, or XML with ``root`` around one ``item`` element per row (a single dict is the
    document itself, as a service definition is)."""
    if fmt == "xml":
        if isinstance(rows, dict):
            top = _fill(Element(item), rows)
        else:
            top = Element(root)
            for row in rows:
                _fill(SubElement(top, item), row)
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(top, encoding="unicode").encode()
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(rows, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, description: str, status: int = 400) -> HttpResponse:
    return respond(fmt, "errors", "error", [{"code": status, "description": description}], status)


def _fmt(fmt: str | None) -> str:
    return fmt or "json"


def _guard(view):
    """Turn bad parameters and domain refusals into GeoReport errors."""

    def wrapped(request: HttpRequest, *args, fmt: str | None = None, **kw):
        f = _fmt(fmt)
        try:
            return view(request, *args, fmt=f, **kw)
        except GeoReportError as e:
            return error(f, e.description, e.status)
        except DomainError as e:
            return error(f, e.message, e.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --------------------------------------------------------------------------- services


def _lang_name(obj) -> str:
    from django.utils.translation import get_language

    return obj.name_ko if (get_language() or "ko").startswith("ko") else obj.name_en


def _categories():
    from sharingcity.voice.models import Category

    return Category.objects.order_by("order", "code")


def service_row(c) -> dict:
    return {
        "service_code": c.code,
        "service_name": _lang_name(c),
        "description": _("Proposals to the city about %(topic)s") % {"topic": _lang_name(c)},
        "metadata": False,
        "type": "realtime",
        "keywords": c.code,
        "group": _("Citizen proposals"),
    }


@require_GET
@_guard
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return respond(fmt, "services", "service", [service_row(c) for c in _categories()])


@require_GET
@_guard
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    if not _categories().filter(code=code).exists():
        raise GeoReportError(_("No service with code “%(code)s”.") % {"code": code}, 404)
    # Proposals need no extra attributes (metadata is false): the definition lists none.
    return respond(
        fmt, "service_definition", "service_definition", {"service_code": code, "attributes": []}
    )


# --------------------------------------------------------------------------- requests


def request_row(p, note: str | None) -> dict:
    d = p.district
    updated = max(t for t in (p.received_at, p.answered_at) if t is not None)
    return {
        "service_request_id": str(p.pk),
        "status": "closed" if p.status in CLOSED else "open",
        "status_notes": note or "",
        "service_name": _lang_name(p.category),
        "service_code": p.category.code,
        "description": p.body,
        "agency_responsible": _lang_name(p.lead_department) if p.lead_department_id else "",
        "service_notice": "",
        "requested_datetime": p.received_at.isoformat(),
        "updated_datetime": updated.isoformat(),
        "expected_datetime": p.reply_due.isoformat() if p.reply_due else "",
        "address": _lang_name(d),
        "address_id": d.code,
        "zipcode": "",
        "lat": d.latitude,
        "long": d.longitude,
        "media_url": "",
    }


def _notes(ids: list[int]) -> dict[int, str]:
    from sharingcity.voice.models import Reply

    notes: dict[int, str] = {}
    for pid, body in (
        Reply.objects.filter(proposal_id__in=ids, published_at__isnull=False)
        .order_by("proposal_id", "published_at", "pk")
        .values_list("proposal_id", "body")
    ):
        notes[pid] = body  # the latest published reply wins
    return notes


def _when(name: str, raw: str) -> datetime:
    try:  # well-formed but impossible dates (2026-13-45) raise ValueError
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime(day.year, day.month, day.day)
    except ValueError:
        value = None
    if value is None:
        raise GeoReportError(
            _("%(name)s must be a W3C date-time such as 2026-05-01T00:00:00+09:00, not “%(raw)s”.")
            % {"name": name, "raw": raw}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _positive(name: str, raw: str, default: int, maximum: int | None = None) -> int:
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise GeoReportError(_("%(name)s must be a whole number of at least 1.") % {"name": name})
    n = int(raw)
    if maximum is not None and n > maximum:
        raise GeoReportError(_("%(name)s may be at most %(max)d.") % {"name": name, "max": maximum})
    return n


KNOWN_LIST_PARAMS = {
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "jurisdiction_id",
}


def list_requests(params) -> list[dict]:
    """Service requests matching GeoReport's filters, newest first, one page."""
    from sharingcity.voice.selectors import ProposalFilters, filtered_proposals

    unknown = sorted(set(params) - KNOWN_LIST_PARAMS)
    if unknown:
        raise GeoReportError(_("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)})
    qs = filtered_proposals(ProposalFilters())
    if ids := params.get("service_request_id", ""):
        parts = [i.strip() for i in ids.split(",")]
        if not all(i.isdigit() for i in parts):
            raise GeoReportError(_("service_request_id must be numbers separated by commas."))
        qs = qs.filter(pk__in=[int(i) for i in parts])
    if codes := params.get("service_code", ""):
        wanted = [c.strip() for c in codes.split(",") if c.strip()]
        known = set(_categories().filter(code__in=wanted).values_list("code", flat=True))
        if missing := [c for c in wanted if c not in known]:
            raise GeoReportError(
                _("Unknown service_code: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        qs = qs.filter(category__code__in=wanted)
    if status := params.get("status", ""):
        states = {s.strip() for s in status.split(",")}
        if not states <= {"open", "closed"}:
            raise GeoReportError(_("status must be open, closed or both separated by a comma."))
        if states == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
        elif states == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    start = _when("start_date", params["start_date"]) if params.get("start_date") else None
    end = _when("end_date", params["end_date"]) if params.get("end_date") else None
    if start and end and end < start:
        raise GeoReportError(_("end_date is before start_date."))
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lte=end)
    page = _positive("page", params.get("page", ""), 1)
    size = _positive("page_size", params.get("page_size", ""), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    rows = list(
        qs.select_related("category", "district", "lead_department").order_by(
            "-received_at", "-pk"
        )[(page - 1) * size : page * size]
    )
    notes = _notes([p.pk for p in rows])
    return [request_row(p, notes.get(p.pk)) for p in rows]


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def requests_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt=fmt)
    return respond(fmt, "service_requests", "request", list_requests(request.GET))


@require_GET
@_guard
def request_detail(request: HttpRequest, request_id: str, *, fmt: str) -> HttpResponse:
    from sharingcity.voice.selectors import public_proposal

    if not request_id.isdigit():
        raise GeoReportError(_("A service request id is a number."))
    p = public_proposal(int(request_id))
    notes = _notes([p.pk])
    return respond(fmt, "service_requests", "request", [request_row(p, notes.get(p.pk))])


def _nearest_district(lat: float, lon: float) -> District:
    best, dist = None, math.inf
    for d in District.objects.all():
        dy = lat - d.latitude
        dx = (lon - d.longitude) * math.cos(math.radians(lat))
        if dy * dy + dx * dx < dist:
            best, dist = d, dy * dy + dx * dx
    if best is None:
        raise GeoReportError(_("The city has no districts yet."))
    return best


def _float(name: str, raw: str, low: float, high: float) -> float:
    try:
        v = float(raw)
    except ValueError:
        raise GeoReportError(_("%(name)s must be a number.") % {"name": name}) from None
    if not (low <= v <= high) or math.isnan(v):
        raise GeoReportError(
            _("%(name)s must lie between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return v


def _requester(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    key = (
        header[7:].strip()
        if header.lower().startswith("bearer ")
        else request.POST.get("api_key", "")
    )
    if not key:
        raise GeoReportError(
            _("An api_key (a personal API token from your account page) is required."), 403
        )
    user = user_for_token(key)
    if user is None:
        raise GeoReportError(_("The api_key is not valid."), 403)
    access.require_verified_resident(user)
    return user


def create_request(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """POST requests: a verified resident's proposal. Required: ``service_code``, a location
    (``lat`` and ``long``, or ``address_id`` = a district code) and ``description``; the title
    is ``attribute[title]`` or the description's first line."""
    from sharingcity.voice.services import check_submit_online

    user = _requester(request)
    data = request.POST
    code = data.get("service_code", "").strip()
    if not code:
        raise GeoReportError(_("service_code is required."))
    if not _categories().filter(code=code).exists():
        raise GeoReportError(_("Unknown service_code: %(codes)s.") % {"codes": code})
    description = data.get("description", "").strip()
    if not description:
        raise GeoReportError(_("description is required."))
    if address_id := data.get("address_id", "").strip():
        district = District.objects.filter(code=address_id).first()
        if district is None:
            raise GeoReportError(
                _("address_id must be a district code; “%(code)s” is not.") % {"code": address_id}
            )
    elif data.get("lat") or data.get("long"):
        if not (data.get("lat") and data.get("long")):
            raise GeoReportError(_("lat and long must be given together."))
        district = _nearest_district(
            _float("lat", data["lat"], -90, 90), _float("long", data["long"], -180, 180)
        )
    else:
        raise GeoReportError(_("A location is required: lat and long, or address_id."))
    title = data.get("attribute[title]", "").strip() or description.splitlines()[0][:80]
    proposal = check_submit_online(
        author=user, title=title, body=description, category=code, district=district.code
    )
    return respond(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": str(proposal.pk), "service_notice": "", "account_id": ""}],
    )
