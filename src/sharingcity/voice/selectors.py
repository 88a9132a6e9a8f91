"""Reads of citizen voice: the public proposal list (keyset pages, no COUNT), search with a
PostgreSQL full-text path and a portable fallback, similar proposals, inboxes and deadlines."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sharingcity.core import access
from sharingcity.core.errors import InvalidInput, NotAllowed, NotFound
from sharingcity.core.models import Department

from . import similarity
from .models import (
    Comment,
    Obligation,
    Proposal,
    Registration,
    Reply,
    Status,
    Support,
    TimelineEvent,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SORTS = {
    # sort key -> (field, tie-break); both descending, matched by an index each
    "recent": "received_at",
    "supports": "support_count",
}


@dataclass
class ProposalFilters:
    q: str = ""
    status: str = ""
    district: str = ""
    department: str = ""
    category: str = ""
    channel: str = ""
    sort: str = "recent"

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {k: v for k, v in self.__dict__.items() if v and not (k == "sort" and v == "recent")}
        )


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    has_previous: bool = False


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, n: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        if not isinstance(values, list) or len(values) != n:
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid_cursor", _("The page cursor is invalid."), field="cursor"
        ) from None


def _terms(q: str) -> list[str]:
    return [t for t in re.findall(r"\w+", q, re.UNICODE) if t][:8]


def text_search(qs: QuerySet[Proposal], q: str) -> QuerySet[Proposal]:
    """Every word must match the start of a word in the title or text (so 버스 finds 버스를).

    PostgreSQL: prefix tsquery over the stored 'simple' tsvector of migration 0002 (GIN index for
    rare words, a cheap per-row test along the date index for common ones). Elsewhere: a
    case-insensitive substring per word."""
    terms = _terms(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        return _tsquery(qs, " & ".join(f"{t}:*" for t in terms))
    for t in terms:
        qs = qs.filter(Q(title__icontains=t) | Q(body__icontains=t))
    return qs


def _tsquery(qs: QuerySet[Proposal], raw: str) -> QuerySet[Proposal]:
    """Match the stored tsvector (migration 0002) against a tsquery built from \\w+ words only,
    so nothing the user typed reaches the query syntax."""
    table = Proposal._meta.db_table
    # A rare word: walking the date index for matches would read the whole table (about a second
    # at 300k proposals), so take the few matching ids from the GIN index instead.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE search_document @@ to_tsquery('simple'::regconfig, %s) "
            f"LIMIT {RARE_MATCHES + 1}",
            [raw],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= RARE_MATCHES:
        return qs.filter(pk__in=ids)
    return qs.extra(
        where=[f"{table}.search_document @@ to_tsquery('simple'::regconfig, %s)"], params=[raw]
    )


#: Below this many matches a text search filters by the matching ids (see ``_tsquery``).
RARE_MATCHES = 2000


def filtered_proposals(f: ProposalFilters) -> QuerySet[Proposal]:
    qs = Proposal.objects.all()
    if f.status:
        if f.status not in Status.values:
            raise InvalidInput(
                "invalid_status", _("Unknown status."), {"allowed": Status.values}, field="status"
            )
        qs = qs.filter(status=f.status)
    # Filters by code resolve to ids first so the query hits the composite indexes directly.
    for name, model_field, lookup in (
        ("district", "district_id", "core.District"),
        ("department", "lead_department_id", "core.Department"),
        ("category", "category_id", "voice.Category"),
    ):
        code = getattr(f, name)
        if code:
            from django.apps import apps

            pk = (
                apps.get_model(lookup)
                .objects.filter(code=code)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is None:
                raise InvalidInput(
                    "unknown_" + name, _("Unknown %(what)s.") % {"what": name}, field=name
                )
            qs = qs.filter(**{model_field: pk})
    if f.channel:
        from .models import Channel

        if f.channel not in Channel.values:
            raise InvalidInput("invalid_channel", _("Unknown channel."), field="channel")
        qs = qs.filter(channel=f.channel)
    if f.q:
        qs = text_search(qs, f.q)
    return qs


def proposal_page(
    f: ProposalFilters, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> KeysetPage:
    """One page of the public list, newest (or most supported) first, by keyset: the cost of a
    page does not grow with its depth and no COUNT(*) is run."""
    if f.sort not in SORTS:
        raise InvalidInput(
            "invalid_sort", _("Unknown order."), {"allowed": list(SORTS)}, field="sort"
        )
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(
            "invalid_limit", _("Ask for 1 to %(n)d items.") % {"n": MAX_PAGE_SIZE}, field="limit"
        )
    key = SORTS[f.sort]
    qs = filtered_proposals(f)
    if cursor:
        value, last_id = _decode(cursor, 2)
        if key == "received_at":
            value = parse_datetime(str(value))
            if value is None:
                raise InvalidInput(
                    "invalid_cursor", _("The page cursor is invalid."), field="cursor"
                )
        elif not isinstance(value, int) or not isinstance(last_id, int):
            raise InvalidInput("invalid_cursor", _("The page cursor is invalid."), field="cursor")
        # The extra "<=" bound gives the planner an index range; the OR alone would not.
        qs = qs.filter(Q(**{f"{key}__lte": value}), Q(**{f"{key}__lt": value}) | Q(id__lt=last_id))
    rows = list(
        qs.select_related("category", "district", "lead_department")
        .defer("body")
        .order_by(f"-{key}", "-id")[: limit + 1]
    )
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        nxt = _encode([getattr(last, key), last.pk])
    return KeysetPage(rows, nxt, has_previous=bool(cursor))


def public_proposal(pk: int) -> Proposal:
    try:
        return Proposal.objects.select_related(
            "category", "district", "lead_department", "partner", "author"
        ).get(pk=pk)
    except Proposal.DoesNotExist:
        raise NotFound(_("No such proposal.")) from None


def public_timeline(proposal: Proposal, *, staff: bool = False) -> QuerySet[TimelineEvent]:
    qs = proposal.timeline.select_related("department", "actor")
    return qs if staff else qs.filter(public=True)


def published_replies(proposal: Proposal) -> QuerySet[Reply]:
    return proposal.replies.filter(published_at__isnull=False).select_related("department")


def visible_comments(proposal: Proposal) -> QuerySet[Comment]:
    return proposal.comments.filter(state=Comment.State.VISIBLE).select_related("author")


def supports(user, proposal: Proposal) -> bool:
    if not user or not user.is_authenticated:
        return False
    return Support.objects.filter(proposal=proposal, user=user).exists()


def similar_proposals(
    text: str, *, exclude: int | None = None, limit: int = 5
) -> list[tuple[Proposal, float]]:
    """Existing proposals like ``text``: candidates from the database by any shared word prefix
    (full-text index on PostgreSQL, title substrings elsewhere), ranked by word + syllable-bigram
    similarity in Python."""
    terms = similarity.search_terms(text)
    if not terms:
        return []
    qs = Proposal.objects.exclude(status=Status.WITHDRAWN)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if connection.vendor == "postgresql":
        qs = _tsquery(qs, " | ".join(f"{t}:*" for t in terms))
    else:
        cond = Q()
        for t in terms:
            cond |= Q(title__icontains=t)
        qs = qs.filter(cond)
    candidates = list(qs.order_by("-received_at").values_list("pk", "title")[:300])
    ranked = similarity.rank_similar(text, candidates, limit=limit)
    by_id = Proposal.objects.select_related("lead_department").in_bulk([pk for pk, _s in ranked])
    return [(by_id[pk], score) for pk, score in ranked if pk in by_id]


# --------------------------------------------------------------------------- staff views


def can_view_queue(user, department_id: int) -> bool:
    return access.can_watch_all_departments(user) or department_id in access.department_ids(user)


def require_queue_access(user, department: Department) -> None:
    access.require_login(user)
    if not can_view_queue(user, department.pk):
        raise NotAllowed(_("You may not see this department's queue."), code="not_department_staff")


def inbox(
    department: Department,
    *,
    state: str = "open",
    cursor: str | None = None,
    limit: int = 50,
    assigned_to: int | None = None,
) -> KeysetPage:
    """A department's open obligations, the nearest deadline first (keyset on due date, id)."""
    qs = Obligation.objects.filter(department=department).select_related(
        "proposal", "proposal__category", "proposal__district", "proposal__assigned_officer"
    )
    if state == "open":
        qs = qs.filter(met_at__isnull=True)
    elif state == "overdue":
        qs = qs.filter(met_at__isnull=True, due_at__lt=timezone.now())
    elif state == "answered":
        qs = qs.filter(met_at__isnull=False)
    else:
        raise InvalidInput(
            "invalid_state",
            _("Unknown inbox view."),
            {"allowed": ["open", "overdue", "answered"]},
            field="state",
        )
    if assigned_to:
        qs = qs.filter(proposal__assigned_officer_id=assigned_to)
    if cursor:
        due, last = _decode(cursor, 2)
        due = parse_datetime(str(due))
        if due is None or not isinstance(last, int):
            raise InvalidInput("invalid_cursor", _("The page cursor is invalid."), field="cursor")
        qs = qs.filter(Q(due_at__gte=due), Q(due_at__gt=due) | Q(id__gt=last))
    rows = list(qs.order_by("due_at", "id")[: limit + 1])
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = _encode([rows[-1].due_at, rows[-1].pk])
    drafts = set(
        Reply.objects.filter(
            proposal_id__in=[o.proposal_id for o in rows],
            department=department,
            published_at__isnull=True,
        ).values_list("proposal_id", flat=True)
    )
    for o in rows:
        o.has_draft = o.proposal_id in drafts
    return KeysetPage(rows, nxt, has_previous=bool(cursor))


def overdue(*, department: Department | None = None) -> QuerySet[Obligation]:
    qs = Obligation.objects.filter(met_at__isnull=True, due_at__lt=timezone.now()).select_related(
        "proposal", "department"
    )
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("due_at", "id")


def overdue_by_department() -> list[dict]:
    from django.db.models import Count, Min

    rows = (
        Obligation.objects.filter(met_at__isnull=True, due_at__lt=timezone.now())
        .values("department_id")
        .annotate(n=Count("id"), oldest=Min("due_at"))
        .order_by("-n")
    )
    names = Department.objects.in_bulk([r["department_id"] for r in rows])
    return [
        {"department": names[r["department_id"]], "count": r["n"], "oldest": r["oldest"]}
        for r in rows
    ]


def registrations(event) -> dict[str, list[Registration]]:
    out: dict[str, list[Registration]] = {s: [] for s in Registration.State.values}
    for r in event.registrations.select_related("user").order_by("created_at", "id"):
        out[r.state].append(r)
    return out
