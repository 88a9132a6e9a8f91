"""Owners list and configure their resources: rules, weekly windows, date exceptions."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import InvalidInput, NotAllowed
from sharingcity.core.models import Department, District, Organisation, User

from .. import rules
from ..models import DateException, Kind, Resource, ResourcePool, WeeklyWindow

RULE_FIELDS = (
    "requires_approval",
    "verification_required",
    "window_rule",
    "booking_unit",
    "buffer_before",
    "buffer_after",
    "lead_time",
    "max_advance_days",
    "min_duration",
    "max_duration",
    "monthly_cap",
    "checkin_required",
    "checkin_grace",
    "deposit",
    "price_per_hour",
    "price_per_day",
    "capacity",
    "accessible",
    "category",
    "description",
    "address",
    "size",
)
DEFAULTS_BY_KIND: dict[str, dict[str, Any]] = {
    Kind.ROOM: {"checkin_required": True, "buffer_after": 15},
    Kind.ITEM: {"window_rule": "endpoints", "max_duration": 14 * 24 * 60, "min_duration": 60},
    Kind.CLOTHING: {"window_rule": "endpoints", "max_duration": 7 * 24 * 60, "min_duration": 60},
    Kind.PARKING: {"booking_unit": "hours", "min_duration": 60, "verification_required": "none"},
    Kind.VEHICLE: {"min_duration": 60, "verification_required": "verified"},
}


def _owner_scope(
    actor: User, department: Department | None, organisation: Organisation | None
) -> dict[str, Any]:
    if department is not None and organisation is not None:
        raise InvalidInput("one_owner", _("A resource has one owner."))
    if department is not None:
        if department.pk not in access.department_ids(actor) and not access.is_bureau_admin(actor):
            raise NotAllowed(_("You do not work for that department."), code="not_owner")
        return {"owner_department": department}
    if organisation is not None:
        if organisation.pk not in access.organisation_ids(actor):
            raise NotAllowed(_("You do not act for that organisation."), code="not_owner")
        return {"owner_organisation": organisation}
    if access.resident_profile(actor) is None:
        raise NotAllowed(_("Only residents share their own things."), code="not_a_resident")
    return {"owner_user": actor}


def validate_rules(values: dict[str, Any], base: Resource | None = None) -> dict[str, Any]:
    clean = {k: v for k, v in values.items() if k in RULE_FIELDS and v is not None}
    merged = {f: getattr(base, f) for f in RULE_FIELDS} if base else {}
    merged.update(clean)
    checks = [
        ("verification_required", Resource._meta.get_field("verification_required").choices),
        ("window_rule", Resource.WindowRule.choices),
        ("booking_unit", Resource.Unit.choices),
    ]
    for f, choices in checks:
        if f in clean and clean[f] not in dict(choices):
            raise InvalidInput("invalid_choice", _("Unknown value for %(f)s.") % {"f": f}, field=f)
    for f in ("buffer_before", "buffer_after", "lead_time", "checkin_grace"):
        if f in clean and not 0 <= int(clean[f]) <= 7 * 24 * 60:
            raise InvalidInput("invalid_minutes", _("Give 0 to 10080 minutes."), field=f)
    if (
        "min_duration" in merged
        and "max_duration" in merged
        and not (1 <= int(merged["min_duration"]) <= int(merged["max_duration"]) <= 366 * 24 * 60)
    ):
        raise InvalidInput(
            "invalid_duration",
            _("The shortest booking must not exceed the longest."),
            field="max_duration",
        )
    if "max_advance_days" in clean and not 1 <= int(clean["max_advance_days"]) <= 730:
        raise InvalidInput("invalid_days", _("Give 1 to 730 days."), field="max_advance_days")
    if clean.get("monthly_cap") is not None and int(clean["monthly_cap"]) < 1:
        raise InvalidInput("invalid_cap", _("The cap is at least 1."), field="monthly_cap")
    if "capacity" in clean and not 1 <= int(clean["capacity"]) <= 10000:
        raise InvalidInput("invalid_capacity", _("Give 1 to 10000 people."), field="capacity")
    return clean


def check_create_resource(
    *,
    actor: User,
    kind: str,
    title: str,
    district: District,
    latitude: float,
    longitude: float,
    department: Department | None = None,
    organisation: Organisation | None = None,
    pool: ResourcePool | None = None,
    **values: Any,
) -> Resource:
    access.require_login(actor)
    if kind not in Kind.values:
        raise InvalidInput(
            "invalid_kind", _("Unknown kind."), {"allowed": Kind.values}, field="kind"
        )
    if not title.strip():
        raise InvalidInput("title_required", _("Give a title."), field="title")
    if not (33 <= latitude <= 39 and 124 <= longitude <= 132):
        raise InvalidInput("invalid_point", _("The point is not in Korea."), field="latitude")
    if kind == Kind.CLOTHING and not (values.get("size") or "").strip():
        raise InvalidInput("size_required", _("Give the size of the clothing."), field="size")
    owner = _owner_scope(actor, department, organisation)
    if pool is not None:
        rules.require_manage(actor, pool)
        if pool.kind != kind:
            raise InvalidInput("pool_kind", _("The pool holds another kind."), field="pool")
    clean = {**DEFAULTS_BY_KIND.get(kind, {}), **validate_rules(values)}
    with transaction.atomic():
        resource = Resource.objects.create(
            kind=kind,
            title=title.strip()[:200],
            district=district,
            latitude=latitude,
            longitude=longitude,
            pool=pool,
            **owner,
            **clean,
        )
        if department is not None:
            audit.record(actor, "sharing.resource.created", resource)
    return resource


def check_update_rules(*, actor: User, resource: Resource, **values: Any) -> Resource:
    rules.require_manage(actor, resource)
    clean = validate_rules(values, base=resource)
    for k, v in clean.items():
        setattr(resource, k, v)
    resource.save(update_fields=list(clean) or None)
    return resource


def check_set_windows(
    *, actor: User, resource: Resource, windows: list[tuple[int, time, time]]
) -> list[WeeklyWindow]:
    """Replace the weekly windows. ``closes`` 00:00 means midnight at the end of the day."""
    rules.require_manage(actor, resource)
    rows = []
    for i, (weekday, opens, closes) in enumerate(windows):
        where = {"window": i + 1, "weekday": weekday}
        if not 0 <= weekday <= 6:
            raise InvalidInput(
                "invalid_weekday",
                _("Window %(n)d: weekday is 0 (Monday) to 6.") % {"n": i + 1},
                where,
                field="windows",
            )
        if closes != time(0) and closes <= opens:
            raise InvalidInput(
                "invalid_window",
                _("Window %(n)d closes before it opens.") % {"n": i + 1},
                where,
                field="windows",
            )
        rows.append(WeeklyWindow(resource=resource, weekday=weekday, opens=opens, closes=closes))
    with transaction.atomic():
        resource.windows.all().delete()
        return WeeklyWindow.objects.bulk_create(rows)


def check_share_parking_bay(
    *,
    actor: User,
    title: str,
    district: District,
    windows: list[tuple[int, time, time]],
    address: str = "",
    description: str = "",
    requires_approval: bool = False,
) -> Resource:
    """A resident publishes their own parking bay with the weekly hours it is free. The map
    places it at the district's centre; the address given is what people booking see."""
    with transaction.atomic():
        bay = check_create_resource(
            actor=actor,
            kind=Kind.PARKING,
            title=title,
            district=district,
            latitude=district.latitude,
            longitude=district.longitude,
            address=address.strip()[:300],
            description=description.strip(),
            requires_approval=requires_approval,
        )
        check_set_windows(actor=actor, resource=bay, windows=windows)
    return bay


def check_set_exception(
    *,
    actor: User,
    resource: Resource,
    day: date,
    closed: bool = True,
    opens: time | None = None,
    closes: time | None = None,
    note: str = "",
) -> DateException:
    rules.require_manage(actor, resource)
    if not closed and (opens is None or closes is None or (closes != time(0) and closes <= opens)):
        raise InvalidInput(
            "invalid_window", _("Give opening and closing times in order."), field="opens"
        )
    exc, _created = DateException.objects.update_or_create(
        resource=resource,
        date=day,
        defaults={"closed": closed, "opens": opens, "closes": closes, "note": note[:200]},
    )
    return exc


def check_create_pool(
    *,
    actor: User,
    name: str,
    kind: str,
    department: Department | None = None,
    organisation: Organisation | None = None,
) -> ResourcePool:
    if kind not in Kind.values:
        raise InvalidInput("invalid_kind", _("Unknown kind."), field="kind")
    if not name.strip():
        raise InvalidInput("name_required", _("Name the pool."), field="name")
    owner = _owner_scope(actor, department, organisation)
    return ResourcePool.objects.create(name=name.strip()[:200], kind=kind, **owner)
