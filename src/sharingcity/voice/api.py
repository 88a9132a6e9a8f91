"""Citizen voice JSON API under /api/voice/. Lists are keyset-paginated: pass ``cursor`` from
the previous page's ``next_cursor``. Every error is ``{code, message, details}``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sharingcity.core import access
from sharingcity.core.errors import InvalidInput, NotAllowed
from sharingcity.core.http import AUTH
from sharingcity.core.models import Department, User

from . import ladder, selectors, services
from .models import (
    Category,
    Comment,
    Event,
    Proposal,
    RankingVote,
    Registration,
    Reply,
)

router = Router(tags=["voice"])

ChannelIn = Literal["letter", "visit", "phone", "voice_message"]


# --------------------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=10_000)
    category: str = Field(..., max_length=40)
    district: str = Field(..., max_length=40)


class OfflineProposalIn(ProposalIn):
    channel: ChannelIn
    contact_name: str = Field(..., max_length=100)
    contact: str = Field(..., max_length=200)
    received_at: datetime | None = None


class ProposalRow(Schema):
    id: int
    reference: str
    title: str
    status: str
    outcome: str
    channel: str
    category: str
    district: str
    department: str | None
    support_count: int
    highest_rung: int
    received_at: datetime
    reply_due: datetime | None
    answered_at: datetime | None

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_district(obj):
        return obj.district.code

    @staticmethod
    def resolve_department(obj):
        return obj.lead_department.code if obj.lead_department_id else None


class ProposalPage(Schema):
    items: list[ProposalRow]
    next_cursor: str | None


class TimelineOut(Schema):
    kind: str
    text: str
    department: str | None
    data: dict
    created_at: datetime

    @staticmethod
    def resolve_department(obj):
        return obj.department.code if obj.department_id else None


class ReplyOut(Schema):
    id: int
    kind: str
    outcome: str
    body: str
    reason: str
    department: str
    published_at: datetime | None

    @staticmethod
    def resolve_department(obj):
        return obj.department.code


class ProgressOut(Schema):
    percent: int
    body: str
    created_at: datetime


class ProposalDetail(ProposalRow):
    body: str
    author: str
    partner: str | None
    forum_open: bool
    departments: list[str]
    timeline: list[TimelineOut]
    replies: list[ReplyOut]
    progress_updates: list[ProgressOut]
    progress: int


class SupportOut(Schema):
    proposal_id: int
    support_count: int
    supported: bool


class SimilarOut(Schema):
    id: int
    title: str
    status: str
    score: float


class TransferIn(Schema):
    department: str = Field(..., max_length=60)
    reason: str = Field(..., max_length=1000)


class DepartmentIn(Schema):
    department: str = Field(..., max_length=60)


class PartnerIn(Schema):
    organisation_id: int
    note: str = Field(..., max_length=1000)


class AssignIn(Schema):
    officer_id: int


class ReplyIn(Schema):
    kind: Literal["final", "interim"] = "final"
    outcome: Literal[
        "", "reflected", "partly_reflected", "under_review", "not_reflected", "already_in_place"
    ] = ""
    body: str = Field(..., max_length=20_000)
    reason: str = Field("", max_length=5000)
    publish: bool = True


class NoteIn(Schema):
    body: str = Field(..., max_length=5000)


class NoteOut(Schema):
    id: int
    body: str
    author: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author.public_name


class ProgressIn(Schema):
    percent: int = Field(..., ge=0, le=100)
    body: str = Field(..., max_length=5000)


class FollowUpIn(Schema):
    resolved: bool
    comment: str = Field("", max_length=2000)


class CommentIn(Schema):
    body: str = Field(..., max_length=3000)


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author.public_name


class ReportIn(Schema):
    reason: Literal["spam", "offensive", "off_topic"]


class ModerateIn(Schema):
    decision: Literal["restore", "hide"]


class CommentState(Schema):
    id: int
    state: str
    report_count: int


class ObligationOut(Schema):
    id: int
    proposal_id: int
    title: str
    department: str
    reason: str
    due_at: datetime
    overdue: bool
    assigned_officer: str | None
    met_at: datetime | None

    @staticmethod
    def resolve_title(obj):
        return obj.proposal.title

    @staticmethod
    def resolve_department(obj):
        return obj.department.code

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_assigned_officer(obj):
        p = obj.proposal
        return p.assigned_officer.public_name if p.assigned_officer_id else None


class ObligationPage(Schema):
    items: list[ObligationOut]
    next_cursor: str | None


class RungOut(Schema):
    number: int
    threshold: int
    window_days: int | None
    action: str
    answer_days: int | None


class RungIn(Schema):
    threshold: int
    window_days: int | None = None
    action: Literal["department_answer", "forum", "mayor_answer"]
    answer_days: int | None = None


class CategoryOut(Schema):
    code: str
    name_ko: str
    name_en: str


class CandidateIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    proposal_id: int | None = None


class RankingIn(Schema):
    title: str = Field(..., max_length=200)
    year: int
    max_approvals: int
    candidates: list[CandidateIn]


class CandidateOut(Schema):
    id: int
    title: str
    description: str
    proposal_id: int | None
    approvals: int | None


class RankingOut(Schema):
    id: int
    title: str
    year: int
    max_approvals: int
    state: str
    candidates: list[CandidateOut]


class BallotIn(Schema):
    candidate_ids: list[int]


class StepIn(Schema):
    step: Literal["open", "close", "publish"]


class EventIn(Schema):
    kind: Literal["workshop", "lecture", "mobile_city_hall"]
    topic: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    department: str = Field(..., max_length=60)
    district: str = Field(..., max_length=40)
    place: str = Field(..., max_length=200)
    starts_at: datetime
    capacity: int


class EventOut(Schema):
    id: int
    kind: str
    topic: str
    description: str
    department: str
    district: str
    place: str
    starts_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    cancelled: bool
    outcome: str
    proposal_ids: list[int]

    @staticmethod
    def resolve_department(obj):
        return obj.department.code

    @staticmethod
    def resolve_district(obj):
        return obj.district.code

    @staticmethod
    def resolve_cancelled(obj):
        return obj.cancelled_at is not None

    @staticmethod
    def resolve_confirmed(obj):
        return obj.registrations.filter(state=Registration.State.CONFIRMED).count()

    @staticmethod
    def resolve_waitlisted(obj):
        return obj.registrations.filter(state=Registration.State.WAITLISTED).count()

    @staticmethod
    def resolve_proposal_ids(obj):
        return list(obj.proposals.values_list("pk", flat=True))


class RegistrationOut(Schema):
    event_id: int
    state: str
    promoted_user_id: int | None = None


class AttendanceIn(Schema):
    attended_user_ids: list[int]


class EventOutcomeIn(Schema):
    outcome: str = Field(..., max_length=10_000)
    proposal_ids: list[int] = []


class ProposalFilterIn(Schema):
    q: str = Field("", max_length=200)
    status: str = Field("", max_length=20)
    district: str = Field("", max_length=40)
    department: str = Field("", max_length=60)
    category: str = Field("", max_length=40)
    channel: str = Field("", max_length=20)
    sort: Literal["recent", "supports"] = "recent"
    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(20, ge=1, le=100)


# --------------------------------------------------------------------------- proposals

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _proposal(pk: int) -> Proposal:
    return selectors.public_proposal(pk)


def _detail(p: Proposal) -> dict:
    return {
        **{
            f: getattr(p, f)
            for f in (
                "id",
                "reference",
                "title",
                "body",
                "status",
                "outcome",
                "channel",
                "support_count",
                "highest_rung",
                "received_at",
                "reply_due",
                "answered_at",
                "progress",
            )
        },
        "category": p.category,
        "district": p.district,
        "lead_department": p.lead_department,
        "lead_department_id": p.lead_department_id,
        "author": p.author_label,
        "partner": p.partner.name if p.partner_id else None,
        "forum_open": p.forum_opened_at is not None,
        "departments": list(p.departments.values_list("code", flat=True)),
        "timeline": list(selectors.public_timeline(p)),
        "replies": list(selectors.published_replies(p)),
        "progress_updates": list(p.progress_updates.all()),
    }


class _Row:
    """ProposalRow resolvers read attributes; the detail dict is wrapped to look the same."""

    def __init__(self, d):
        self.__dict__.update(d)


@router.get(
    "/proposals",
    response={200: ProposalPage, **ERRORS},
    summary="Proposals (filter, search, keyset pages)",
)
def list_proposals(request, filters: Query[ProposalFilterIn]):
    f = selectors.ProposalFilters(
        q=filters.q,
        status=filters.status,
        district=filters.district,
        department=filters.department,
        category=filters.category,
        channel=filters.channel,
        sort=filters.sort,
    )
    page = selectors.proposal_page(f, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/proposals",
    response={201: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Make a proposal (online channel)",
)
def create_proposal(request, payload: ProposalIn):
    p = services.check_submit_online(author=request.user, **payload.dict())
    return Status(201, _Row(_detail(_proposal(p.pk))))


@router.post(
    "/proposals/offline",
    response={201: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Record a letter, visit, call or voice message (staff)",
)
def create_offline_proposal(request, payload: OfflineProposalIn):
    p = services.check_submit_offline(actor=request.user, **payload.dict())
    return Status(201, _Row(_detail(_proposal(p.pk))))


@router.get(
    "/proposals/similar",
    response={200: list[SimilarOut], **ERRORS},
    summary="Existing proposals similar to a draft",
)
def similar(request, text: str = Query(..., min_length=2, max_length=2000)):
    return [
        {"id": p.pk, "title": p.title, "status": p.status, "score": round(s, 3)}
        for p, s in selectors.similar_proposals(text)
    ]


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalDetail, **ERRORS},
    summary="A proposal with its public timeline and replies",
)
def get_proposal(request, proposal_id: int):
    return _Row(_detail(_proposal(proposal_id)))


@router.post(
    "/proposals/{proposal_id}/support",
    response={200: SupportOut, **ERRORS},
    auth=AUTH,
    summary="Support a proposal (verified residents)",
)
def support(request, proposal_id: int):
    n = services.do_support(user=request.user, proposal_id=proposal_id)
    return {"proposal_id": proposal_id, "support_count": n, "supported": True}


@router.delete(
    "/proposals/{proposal_id}/support",
    response={200: SupportOut, **ERRORS},
    auth=AUTH,
    summary="Withdraw a support (until a rung is reached)",
)
def withdraw_support(request, proposal_id: int):
    n = services.do_withdraw_support(user=request.user, proposal_id=proposal_id)
    return {"proposal_id": proposal_id, "support_count": n, "supported": False}


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Withdraw my proposal",
)
def withdraw_proposal(request, proposal_id: int):
    p = services.check_withdraw_proposal(actor=request.user, proposal=_proposal(proposal_id))
    return _Row(_detail(p))


@router.post(
    "/proposals/{proposal_id}/route",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Send to a department (bureau)",
)
def route(request, proposal_id: int, payload: DepartmentIn):
    p = services.check_route(
        actor=request.user, proposal=_proposal(proposal_id), department=payload.department
    )
    return _Row(_detail(_proposal(p.pk)))


@router.post(
    "/proposals/{proposal_id}/transfer",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Transfer to another department with a reason",
)
def transfer(request, proposal_id: int, payload: TransferIn):
    p = services.check_transfer(
        actor=request.user,
        proposal=_proposal(proposal_id),
        department=payload.department,
        reason=payload.reason,
    )
    return _Row(_detail(_proposal(p.pk)))


@router.post(
    "/proposals/{proposal_id}/departments",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Involve another department",
)
def involve(request, proposal_id: int, payload: DepartmentIn):
    p = _proposal(proposal_id)
    services.check_involve(actor=request.user, proposal=p, department=payload.department)
    return _Row(_detail(p))


@router.post(
    "/proposals/{proposal_id}/partner",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Hand to a partner organisation (the department stays accountable)",
)
def partner(request, proposal_id: int, payload: PartnerIn):
    p = services.check_hand_to_partner(
        actor=request.user,
        proposal=_proposal(proposal_id),
        organisation_id=payload.organisation_id,
        note=payload.note,
    )
    return _Row(_detail(_proposal(p.pk)))


@router.post(
    "/proposals/{proposal_id}/assign",
    response={200: ProposalDetail, **ERRORS},
    auth=AUTH,
    summary="Assign to an officer",
)
def assign(request, proposal_id: int, payload: AssignIn):
    officer = User.objects.filter(pk=payload.officer_id).first()
    p = services.check_assign(actor=request.user, proposal=_proposal(proposal_id), officer=officer)
    return _Row(_detail(p))


@router.post(
    "/proposals/{proposal_id}/replies",
    response={201: ReplyOut, **ERRORS},
    auth=AUTH,
    summary="Draft or publish a reply or interim answer",
)
def create_reply(request, proposal_id: int, payload: ReplyIn):
    r = services.check_reply(actor=request.user, proposal=_proposal(proposal_id), **payload.dict())
    return Status(201, r)


@router.post(
    "/replies/{reply_id}/publish",
    response={200: ReplyOut, **ERRORS},
    auth=AUTH,
    summary="Publish a drafted reply",
)
def publish_reply(request, reply_id: int):
    r = get_object_or_404(Reply.objects.select_related("department"), pk=reply_id)
    return services.check_publish_reply(actor=request.user, reply=r)


@router.get(
    "/proposals/{proposal_id}/notes",
    response={200: list[NoteOut], **ERRORS},
    auth=AUTH,
    summary="Internal notes (staff)",
)
def list_notes(request, proposal_id: int):
    access.require_staff(request.user)
    return list(_proposal(proposal_id).notes.select_related("author"))


@router.post(
    "/proposals/{proposal_id}/notes",
    response={201: NoteOut, **ERRORS},
    auth=AUTH,
    summary="Add an internal note",
)
def add_note(request, proposal_id: int, payload: NoteIn):
    return Status(
        201,
        services.check_add_note(
            actor=request.user, proposal=_proposal(proposal_id), body=payload.body
        ),
    )


@router.post(
    "/proposals/{proposal_id}/progress",
    response={201: ProgressOut, **ERRORS},
    auth=AUTH,
    summary="Report implementation progress",
)
def progress(request, proposal_id: int, payload: ProgressIn):
    return Status(
        201,
        services.check_post_progress(
            actor=request.user,
            proposal=_proposal(proposal_id),
            percent=payload.percent,
            body=payload.body,
        ),
    )


@router.post(
    "/proposals/{proposal_id}/follow-up",
    response={200: dict, **ERRORS},
    auth=AUTH,
    summary="Answer “was it resolved?” (author)",
)
def answer_follow_up(request, proposal_id: int, payload: FollowUpIn):
    fu = services.check_answer_follow_up(
        actor=request.user,
        proposal=_proposal(proposal_id),
        resolved=payload.resolved,
        comment=payload.comment,
    )
    return {"resolved": fu.resolved, "answered_at": fu.answered_at.isoformat()}


@router.get(
    "/proposals/{proposal_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="Visible comments",
)
def list_comments(request, proposal_id: int, after: int = 0, limit: int = Query(20, ge=1, le=100)):
    return list(
        selectors.visible_comments(_proposal(proposal_id))
        .filter(pk__gt=after)
        .order_by("id")[:limit]
    )


@router.post(
    "/proposals/{proposal_id}/comments",
    response={201: CommentOut, **ERRORS},
    auth=AUTH,
    summary="Comment",
)
def add_comment(request, proposal_id: int, payload: CommentIn):
    return Status(
        201,
        services.check_comment(
            actor=request.user, proposal=_proposal(proposal_id), body=payload.body
        ),
    )


@router.post(
    "/comments/{comment_id}/report",
    response={200: CommentState, **ERRORS},
    auth=AUTH,
    summary="Report a comment (hidden after 3 reports)",
)
def report(request, comment_id: int, payload: ReportIn):
    return services.check_report_comment(
        actor=request.user, comment=get_object_or_404(Comment, pk=comment_id), reason=payload.reason
    )


@router.post(
    "/comments/{comment_id}/moderate",
    response={200: CommentState, **ERRORS},
    auth=AUTH,
    summary="Restore or hide a reported comment (staff)",
)
def moderate(request, comment_id: int, payload: ModerateIn):
    return services.check_moderate_comment(
        actor=request.user,
        comment=get_object_or_404(Comment, pk=comment_id),
        decision=payload.decision,
    )


# --------------------------------------------------------------------------- queues and configuration


@router.get(
    "/inbox",
    response={200: ObligationPage, **ERRORS},
    auth=AUTH,
    summary="A department's replies owed, nearest deadline first",
)
def inbox(
    request,
    department: str = Query(..., max_length=60),
    state: Literal["open", "overdue", "answered"] = "open",
    cursor: str | None = Query(None, max_length=400),
    limit: int = Query(50, ge=1, le=200),
):
    dept = Department.objects.filter(code=department).first()
    if dept is None:
        raise InvalidInput("unknown_department", _("Unknown department."), field="department")
    selectors.require_queue_access(request.user, dept)
    page = selectors.inbox(dept, state=state, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/overdue",
    response={200: list[ObligationOut], **ERRORS},
    auth=AUTH,
    summary="Overdue replies across departments (bureau, staff, overseers)",
)
def overdue(
    request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=100_000)
):
    if not (access.is_staff_member(request.user) or access.is_overseer(request.user)):
        raise NotAllowed(_("Only staff and citizen overseers see the overdue board."))
    return list(
        selectors.overdue().select_related("proposal__assigned_officer")[offset : offset + limit]
    )


@router.get("/categories", response=list[CategoryOut], summary="Proposal categories")
def categories(request):
    return Category.objects.all()


@router.get("/ladder", response=list[RungOut], summary="The support ladder in force")
def get_ladder(request):
    return [r.__dict__ for r in ladder.ladder()]


@router.put(
    "/ladder",
    response={200: list[RungOut], **ERRORS},
    auth=AUTH,
    summary="Replace the support ladder (bureau)",
)
def set_ladder(request, payload: list[RungIn]):
    services.check_set_ladder(actor=request.user, rungs=[r.dict() for r in payload])
    return [r.__dict__ for r in ladder.ladder()]


# --------------------------------------------------------------------------- ranking vote


def _ranking(vote: RankingVote) -> dict:
    published = vote.state == RankingVote.State.PUBLISHED
    cands = vote.candidates.all()
    if published:
        cands = sorted(cands, key=lambda c: (-c.approvals, c.pk))
    return {
        "id": vote.pk,
        "title": vote.title,
        "year": vote.year,
        "max_approvals": vote.max_approvals,
        "state": vote.state,
        "candidates": [
            {
                "id": c.pk,
                "title": c.title,
                "description": c.description,
                "proposal_id": c.proposal_id,
                "approvals": c.approvals if published else None,
            }
            for c in cands
        ],
    }


@router.get(
    "/rankings", response=list[RankingOut], summary="Ranking votes (results once published)"
)
def rankings(request):
    return [_ranking(v) for v in RankingVote.objects.exclude(state=RankingVote.State.DRAFT)[:50]]


@router.get("/rankings/{vote_id}", response={200: RankingOut, **ERRORS}, summary="A ranking vote")
def ranking(request, vote_id: int):
    vote = get_object_or_404(RankingVote.objects.exclude(state=RankingVote.State.DRAFT), pk=vote_id)
    return _ranking(vote)


@router.post(
    "/rankings",
    response={201: RankingOut, **ERRORS},
    auth=AUTH,
    summary="Prepare a ranking vote (bureau)",
)
def create_ranking(request, payload: RankingIn):
    vote = services.check_create_ranking(
        actor=request.user,
        title=payload.title,
        year=payload.year,
        max_approvals=payload.max_approvals,
        candidates=[c.dict() for c in payload.candidates],
    )
    return Status(201, _ranking(vote))


@router.post(
    "/rankings/{vote_id}/step",
    response={200: RankingOut, **ERRORS},
    auth=AUTH,
    summary="Open, close or publish a ranking vote (bureau)",
)
def advance_ranking(request, vote_id: int, payload: StepIn):
    vote = services.check_advance_ranking(
        actor=request.user, vote=get_object_or_404(RankingVote, pk=vote_id), step=payload.step
    )
    return _ranking(vote)


@router.put(
    "/rankings/{vote_id}/ballot",
    response={200: dict, **ERRORS},
    auth=AUTH,
    summary="Approve up to k issues (verified residents)",
)
def cast_ballot(request, vote_id: int, payload: BallotIn):
    ballot = services.check_cast_ballot(
        voter=request.user,
        vote=get_object_or_404(RankingVote, pk=vote_id),
        candidate_ids=payload.candidate_ids,
    )
    return {
        "vote_id": vote_id,
        "candidate_ids": sorted(ballot.candidates.values_list("pk", flat=True)),
    }


# --------------------------------------------------------------------------- events


@router.get("/events", response=list[EventOut], summary="Events from a date on (default: upcoming)")
def events(
    request, since: datetime | None = None, district: str = "", limit: int = Query(50, ge=1, le=200)
):
    from django.utils import timezone

    qs = Event.objects.select_related("department", "district").filter(
        starts_at__gte=since or timezone.now()
    )
    if district:
        qs = qs.filter(district__code=district)
    return list(qs[:limit])


@router.get("/events/{event_id}", response={200: EventOut, **ERRORS}, summary="An event")
def event(request, event_id: int):
    return get_object_or_404(Event.objects.select_related("department", "district"), pk=event_id)


@router.post(
    "/events", response={201: EventOut, **ERRORS}, auth=AUTH, summary="Create an event (staff)"
)
def create_event(request, payload: EventIn):
    return Status(201, services.check_create_event(actor=request.user, **payload.dict()))


@router.post(
    "/events/{event_id}/registration",
    response={201: RegistrationOut, **ERRORS},
    auth=AUTH,
    summary="Sign up (waiting list when full)",
)
def register(request, event_id: int):
    reg = services.check_register(user=request.user, event=get_object_or_404(Event, pk=event_id))
    return Status(201, {"event_id": event_id, "state": reg.state})


@router.delete(
    "/events/{event_id}/registration",
    response={200: RegistrationOut, **ERRORS},
    auth=AUTH,
    summary="Cancel my sign-up (the waiting list moves up)",
)
def cancel_registration(request, event_id: int):
    promoted = services.check_cancel_registration(
        user=request.user, event=get_object_or_404(Event, pk=event_id)
    )
    return {
        "event_id": event_id,
        "state": Registration.State.CANCELLED,
        "promoted_user_id": promoted.user_id if promoted else None,
    }


@router.post(
    "/events/{event_id}/attendance",
    response={200: dict, **ERRORS},
    auth=AUTH,
    summary="Record who came (staff)",
)
def attendance(request, event_id: int, payload: AttendanceIn):
    n = services.check_record_attendance(
        actor=request.user,
        event=get_object_or_404(Event, pk=event_id),
        attended_user_ids=payload.attended_user_ids,
    )
    return {"attended": n}


@router.post(
    "/events/{event_id}/outcome",
    response={200: EventOut, **ERRORS},
    auth=AUTH,
    summary="Record the outcome and link proposals (staff)",
)
def event_outcome(request, event_id: int, payload: EventOutcomeIn):
    return services.check_record_event_outcome(
        actor=request.user,
        event=get_object_or_404(Event, pk=event_id),
        outcome=payload.outcome,
        proposal_ids=payload.proposal_ids,
    )
