"""What Citizen Voice shows on the bureau's dashboard and publishes as open data.

Read-only queries over this app's models, registered with ``core.registry``; the insights app
reads them from there and never imports this module. Every metric takes ``(start, end,
district)``: aware datetimes (start inclusive, end exclusive, either may be None) and a
district code or None. Personal data (authors, contacts, officers, notes) never appears."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharingcity.core.registry import (
    Metric,
    OpenDataExport,
    register_export,
    register_metric,
    register_personal_data,
)

from .models import (
    Channel,
    Comment,
    Event,
    Obligation,
    Outcome,
    Proposal,
    RankingBallot,
    Registration,
    Reply,
    Status,
    Support,
)

CHUNK = 2000
REFLECTED = (Outcome.REFLECTED, Outcome.PARTLY_REFLECTED)
DECIDED = (
    Outcome.REFLECTED,
    Outcome.PARTLY_REFLECTED,
    Outcome.NOT_REFLECTED,
    Outcome.ALREADY_IN_PLACE,
)


def _window(field: str, start: datetime | None, end: datetime | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


def _proposals(start, end, district) -> Q:
    q = _window("received_at", start, end)
    if district:
        q &= Q(district__code=district)
    return q


def _dept_name(row: dict, prefix: str) -> str:
    from django.utils.translation import get_language

    ko = (get_language() or "ko").startswith("ko")
    return row.get(f"{prefix}__name_{'ko' if ko else 'en'}") or str(_("not yet routed"))


# --------------------------------------------------------------------------- metrics


def ideas_by_channel(start, end, district) -> list[dict]:
    """Proposals received per month and channel (online, letter, visit, phone, voice message)."""
    labels = dict(Channel.choices)
    rows = (
        Proposal.objects.filter(_proposals(start, end, district))
        .annotate(month=TruncMonth("received_at"))
        .values("channel", "month")
        .annotate(n=Count("id"))
    )
    counts = {
        (str(labels.get(r["channel"], r["channel"])), f"{r['month']:%Y-%m}"): r["n"] for r in rows
    }
    return [
        {"series": s, "x": x, "value": n}
        for (s, x), n in sorted(counts.items(), key=lambda i: (i[0][1], i[0][0]))
    ]


def ideas_by_district(start, end, district) -> list[dict]:
    """Proposals received per district, online and offline."""
    from django.utils.translation import get_language

    name = "district__name_ko" if (get_language() or "ko").startswith("ko") else "district__name_en"
    rows = (
        Proposal.objects.filter(_proposals(start, end, district))
        .values("district__code", name)
        .annotate(
            value=Count("id"),
            online=Count("id", filter=Q(channel=Channel.ONLINE)),
        )
        .order_by("-value", "district__code")
    )
    return [
        {
            "label": r[name],
            "value": r["value"],
            "online": r["online"],
            "offline": r["value"] - r["online"],
        }
        for r in rows
    ]


class _Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)`` over an interval (the median duration)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def replies_by_department(start, end, district) -> list[dict]:
    """Per lead department: proposals received in the window, how many have a published reply,
    the reply rate (%) and the median days from receipt to the first published reply."""
    rows: dict[int | None, dict] = {}
    days: defaultdict[int | None, list[float]] = defaultdict(list)
    for r in (
        Proposal.objects.filter(_proposals(start, end, district))
        .exclude(status=Status.WITHDRAWN)
        .values("lead_department_id", "lead_department__name_ko", "lead_department__name_en")
        .annotate(n=Count("id"), replied=Count("id", filter=Q(answered_at__isnull=False)))
    ):
        rows[r["lead_department_id"]] = {
            "label": _dept_name(r, "lead_department"),
            "received": r["n"],
            "replied": r["replied"],
        }
    answered = Proposal.objects.filter(
        _proposals(start, end, district), answered_at__isnull=False
    ).exclude(status=Status.WITHDRAWN)
    if connection.vendor == "postgresql":
        # The database takes the median (percentile_cont over the interval) per department.
        for r in answered.values("lead_department_id").annotate(
            median=_Median(F("answered_at") - F("received_at"))
        ):
            days[r["lead_department_id"]] = [r["median"].total_seconds() / 86400]
    else:
        for dept, received, answered_at in answered.values_list(
            "lead_department_id", "received_at", "answered_at"
        ).iterator(chunk_size=CHUNK):
            days[dept].append((answered_at - received).total_seconds() / 86400)
    out = []
    for dept, row in rows.items():
        row["value"] = round(100 * row["replied"] / row["received"], 1) if row["received"] else 0.0
        row["median_days"] = round(statistics.median(days[dept]), 1) if days[dept] else None
        out.append(row)
    return sorted(out, key=lambda r: (-r["received"], r["label"]))


def overdue_replies(start, end, district) -> list[dict]:
    """Replies owed and not given by their deadline, per department (deadline in the window)."""
    q = Q(met_at__isnull=True, due_at__lt=timezone.now()) & _window("due_at", start, end)
    if district:
        q &= Q(proposal__district__code=district)
    rows = (
        Obligation.objects.filter(q)
        .values("department_id", "department__name_ko", "department__name_en")
        .annotate(value=Count("id"))
        .order_by("-value", "department_id")
    )
    return [{"label": _dept_name(r, "department"), "value": r["value"]} for r in rows]


def outcomes(start, end, district) -> list[dict]:
    """Proposals per outcome of their reply (received in the window)."""
    labels = dict(Outcome.choices)
    rows = (
        Proposal.objects.filter(_proposals(start, end, district))
        .exclude(outcome="")
        .values("outcome")
        .annotate(value=Count("id"))
        .order_by("-value", "outcome")
    )
    return [
        {"label": str(labels.get(r["outcome"], r["outcome"])), "value": r["value"]} for r in rows
    ]


def share_reflected(start, end, district) -> float | None:
    """Percent of decided proposals (reflected, partly reflected, not reflected, already in place)
    that were reflected or partly reflected in policy; None when nothing is decided yet."""
    qs = Proposal.objects.filter(_proposals(start, end, district), outcome__in=DECIDED)
    agg = qs.aggregate(n=Count("id"), yes=Count("id", filter=Q(outcome__in=REFLECTED)))
    return round(100 * agg["yes"] / agg["n"], 1) if agg["n"] else None


def workshops(start, end, district) -> list[dict]:
    """Events held in the window per kind: events, places, confirmed sign-ups and attendance."""
    q = _window("starts_at", start, end) & Q(cancelled_at__isnull=True)
    if district:
        q &= Q(district__code=district)
    labels = dict(Event.Kind.choices)
    rows = (
        Event.objects.filter(q)
        .values("kind")
        .annotate(
            events=Count("id", distinct=True),
            value=Count(
                "registrations",
                filter=Q(registrations__state=Registration.State.CONFIRMED),
            ),
            attended=Count("registrations", filter=Q(registrations__attended=True)),
        )
        .order_by("kind")
    )
    return [
        {
            "label": str(labels.get(r["kind"], r["kind"])),
            "events": r["events"],
            "value": r["value"],
            "attended": r["attended"],
        }
        for r in rows
    ]


register_metric(
    Metric(
        "voice.ideas_by_channel",
        _("Ideas by channel, per month"),
        ideas_by_channel,
        app="voice",
        chart="lines",
        columns=(("x", _("Month")), ("series", _("Channel")), ("value", _("Proposals"))),
        order=10,
    )
)
register_metric(
    Metric(
        "voice.ideas_by_district",
        _("Ideas by district"),
        ideas_by_district,
        app="voice",
        chart="bars",
        columns=(
            ("label", _("District")),
            ("value", _("Proposals")),
            ("online", _("Online")),
            ("offline", _("Offline")),
        ),
        order=11,
    )
)
register_metric(
    Metric(
        "voice.reply_rate",
        _("Reply rate and median days to reply, by department"),
        replies_by_department,
        app="voice",
        unit="%",
        chart="bars",
        columns=(
            ("label", _("Department")),
            ("received", _("Proposals")),
            ("replied", _("Replied")),
            ("value", _("Reply rate (%)")),
            ("median_days", _("Median days to reply")),
        ),
        order=20,
    )
)
register_metric(
    Metric(
        "voice.overdue_replies",
        _("Overdue replies by department"),
        overdue_replies,
        app="voice",
        chart="bars",
        columns=(("label", _("Department")), ("value", _("Overdue replies"))),
        order=21,
    )
)
register_metric(
    Metric(
        "voice.share_reflected",
        _("Share of decided proposals reflected in policy"),
        share_reflected,
        app="voice",
        unit="%",
        order=22,
    )
)
register_metric(
    Metric(
        "voice.outcomes",
        _("Outcomes of replies"),
        outcomes,
        app="voice",
        chart="bars",
        columns=(("label", _("Outcome")), ("value", _("Proposals"))),
        order=23,
    )
)
register_metric(
    Metric(
        "voice.workshops",
        _("Workshop and event sign-ups and attendance"),
        workshops,
        app="voice",
        chart="bars",
        columns=(
            ("label", _("Kind")),
            ("events", _("Events")),
            ("value", _("Sign-ups")),
            ("attended", _("Attended")),
        ),
        order=30,
    )
)

# --------------------------------------------------------------------------- open data


def proposal_rows():
    for r in (
        Proposal.objects.order_by("pk")
        .values(
            "id",
            "received_at",
            "channel",
            "category__code",
            "district__code",
            "title",
            "status",
            "outcome",
            "lead_department__code",
            "support_count",
            "reply_due",
            "answered_at",
            "progress",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "received_at": r["received_at"],
            "channel": r["channel"],
            "category": r["category__code"],
            "district": r["district__code"],
            "title": r["title"],
            "status": r["status"],
            "outcome": r["outcome"],
            "lead_department": r["lead_department__code"],
            "supports": r["support_count"],
            "reply_due": r["reply_due"],
            "answered_at": r["answered_at"],
            "progress": r["progress"],
        }


def reply_rows():
    for r in (
        Reply.objects.filter(published_at__isnull=False)
        .order_by("pk")
        .values("id", "proposal_id", "department__code", "kind", "outcome", "body", "published_at")
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "proposal_id": r["proposal_id"],
            "department": r["department__code"],
            "kind": r["kind"],
            "outcome": r["outcome"],
            "text": r["body"],
            "published_at": r["published_at"],
        }


def event_rows():
    qs = Event.objects.order_by("pk").annotate(
        signups=Count("registrations", filter=Q(registrations__state=Registration.State.CONFIRMED)),
        attendance=Count("registrations", filter=Q(registrations__attended=True)),
    )
    for r in qs.values(
        "id",
        "kind",
        "topic",
        "department__code",
        "district__code",
        "starts_at",
        "capacity",
        "cancelled_at",
        "signups",
        "attendance",
    ).iterator(chunk_size=CHUNK):
        yield {
            "id": r["id"],
            "kind": r["kind"],
            "topic": r["topic"],
            "department": r["department__code"],
            "district": r["district__code"],
            "starts_at": r["starts_at"],
            "places": r["capacity"],
            "cancelled": r["cancelled_at"] is not None,
            "signups": r["signups"],
            "attendance": r["attendance"],
        }


register_export(
    OpenDataExport(
        "proposals",
        _("Citizen proposals"),
        (
            "id",
            "received_at",
            "channel",
            "category",
            "district",
            "title",
            "status",
            "outcome",
            "lead_department",
            "supports",
            "reply_due",
            "answered_at",
            "progress",
        ),
        proposal_rows,
        description=_("Every proposal made online or offline, without the resident's identity."),
        field_descriptions={
            "id": _("Proposal number (also the Open311 service request id)"),
            "received_at": _("When the city received it"),
            "channel": _("online, letter, visit, phone or voice_message"),
            "category": _("Category code (the Open311 service code)"),
            "district": _("District code"),
            "title": _("Title as published"),
            "status": _("received, routed, answered, in_progress, completed or withdrawn"),
            "outcome": _("Outcome of the reply, empty before it"),
            "lead_department": _("Code of the department answering"),
            "supports": _("Residents supporting it"),
            "reply_due": _("When the next reply is due"),
            "answered_at": _("When the first reply was published"),
            "progress": _("Percent carried out"),
        },
        field_types={
            "id": "int",
            "received_at": "datetime",
            "supports": "int",
            "reply_due": "datetime",
            "answered_at": "datetime",
            "progress": "int",
        },
        app="voice",
    )
)
register_export(
    OpenDataExport(
        "replies",
        _("Published replies"),
        ("id", "proposal_id", "department", "kind", "outcome", "text", "published_at"),
        reply_rows,
        description=_("Departments' published replies to proposals."),
        field_descriptions={
            "id": _("Reply number"),
            "proposal_id": _("Proposal answered"),
            "department": _("Code of the department replying"),
            "kind": _("interim or final"),
            "outcome": _("Outcome given"),
            "text": _("The reply as published"),
            "published_at": _("When it was published"),
        },
        field_types={"id": "int", "proposal_id": "int", "published_at": "datetime"},
        app="voice",
    )
)
register_export(
    OpenDataExport(
        "events",
        _("Workshops and events"),
        (
            "id",
            "kind",
            "topic",
            "department",
            "district",
            "starts_at",
            "places",
            "cancelled",
            "signups",
            "attendance",
        ),
        event_rows,
        description=_("Listening workshops, lectures and mobile city hall sessions with counts."),
        field_descriptions={
            "id": _("Event number"),
            "kind": _("workshop, lecture or mobile_city_hall"),
            "topic": _("Topic"),
            "department": _("Department holding it"),
            "district": _("District code"),
            "starts_at": _("Start"),
            "places": _("Places offered"),
            "cancelled": _("Whether it was cancelled"),
            "signups": _("Confirmed sign-ups"),
            "attendance": _("Residents who attended"),
        },
        field_types={
            "id": "int",
            "starts_at": "datetime",
            "places": "int",
            "cancelled": "bool",
            "signups": "int",
            "attendance": "int",
        },
        app="voice",
    )
)

# --------------------------------------------------------------------------- personal data


def collect(user) -> dict:
    """Everything Citizen Voice holds about one resident."""
    return {
        "proposals": list(
            Proposal.objects.filter(author=user)
            .order_by("pk")
            .values("id", "title", "body", "received_at", "channel", "status", "district__code")
        ),
        "supports": list(
            Support.objects.filter(user=user).order_by("pk").values("proposal_id", "created_at")
        ),
        "comments": list(
            Comment.objects.filter(author=user)
            .order_by("pk")
            .values("id", "proposal_id", "body", "created_at", "state")
        ),
        "event_registrations": list(
            Registration.objects.filter(user=user)
            .order_by("pk")
            .values("event_id", "event__topic", "state", "attended", "created_at")
        ),
        "ranking_ballots": [
            {
                "vote_id": b.vote_id,
                "cast_at": b.cast_at,
                "candidates": [c.pk for c in b.candidates.all()],
            }
            for b in RankingBallot.objects.filter(voter=user).prefetch_related("candidates")
        ],
    }


def anonymise(user) -> None:
    """Proposals stay public, shown as by a "former resident"; supports, comments, ballots and
    sign-ups keep pointing at the account, which is scrubbed of every identifying field by the
    deletion itself, so counts stay right and nothing names the person."""
    Proposal.objects.filter(author=user).update(
        author=None, contact_name=str(_("former resident")), contact=""
    )


register_personal_data("voice", collect, anonymise)
