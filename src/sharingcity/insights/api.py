"""Insights in the JSON API: public metrics, and a resident's own data and account deletion."""

from __future__ import annotations

import json
from datetime import date

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from sharingcity.core.errors import InvalidInput
from sharingcity.core.http import AUTH

from . import dashboard, personal

router = Router(tags=["insights"])


class DeleteIn(Schema):
    confirm: str


@router.get("/metrics")
def public_metrics(request, start: date | None = None, end: date | None = None, district: str = ""):
    """Every public metric for the window and district: its key, label, unit and rows (or value)."""
    if start and end and end < start:
        raise InvalidInput("bad_window", "end is before start", field="end")
    if district:
        from sharingcity.core.models import District

        if not District.objects.filter(code=district).exists():
            raise InvalidInput(
                "unknown_district", f"Unknown district “{district}”.", field="district"
            )
    s, e = dashboard.window(start, end)
    out = []
    for m in dashboard.metrics(public=True):
        result = m.compute(s, e, district or None)
        out.append(
            {
                "key": m.key,
                "label": str(m.label),
                "unit": m.unit,
                "chart": m.chart,
                "result": result,
            }
        )
    return HttpResponse(
        json.dumps(out, default=personal._default, ensure_ascii=False),
        content_type="application/json",
    )


@router.get("/me/data", auth=AUTH)
def my_data(request):
    """Everything the platform holds about the signed-in resident, as JSON."""
    return HttpResponse(
        personal.as_json(personal.collect(request.user)), content_type="application/json"
    )


@router.post("/me/delete", auth=AUTH)
def delete_me(request, payload: DeleteIn):
    """Delete the signed-in account (``confirm`` = the username); public records stay anonymised."""
    personal.check_delete_account(user=request.user, confirm=payload.confirm)
    return Status(200, {"deleted": True})
