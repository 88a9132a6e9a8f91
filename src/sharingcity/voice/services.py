"""Writes of citizen voice. ``check_*`` functions say who may act and validate the input (raising
``core.errors`` subclasses with a stable code and the field at fault), then change the data in
one transaction: nothing is half-written when they refuse."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sharingcity.core.models import Department, District, Organisation, Role, RoleAssignment, User
from sharingcity.core.notifications import notify

from . import ladder as ladder_mod
from .models import (
    OFFLINE_CHANNELS,
    AnswerTemplate,
    Category,
    Channel,
    Comment,
    CommentReport,
    Event,
    FollowUp,
    InternalNote,
    Involvement,
    LadderRung,
    Obligation,
    Outcome,
    ProgressUpdate,
    Proposal,
    RankingBallot,
    RankingCandidate,
    RankingVote,
    Registration,
    Reply,
    RoutingRule,
    RungReached,
    Status,
    Support,
    TimelineEvent,
)

ANSWERED_KIND = "voice.proposal_answered"  # declared always-immediate in hooks
AUTO_HIDE_REPORTS = 3
REMIND_DAYS = 7
FOLLOW_UP_DAYS = 28
DEPARTMENT_ROLES = (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD)

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 20, 10_000


# --------------------------------------------------------------------------- helpers


def _text(value: Any, field: str, *, minimum: int, maximum: int, label: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(
            "invalid_" + field, _("%(label)s must be text.") % {"label": label}, field=field
        )
    if len(text) < minimum:
        raise InvalidInput(
            ("missing_" if not text else "too_short_") + field,
            _("%(label)s needs at least %(n)d characters.") % {"label": label, "n": minimum},
            {"min_length": minimum},
            field=field,
        )
    if len(text) > maximum:
        raise InvalidInput(
            "too_long_" + field,
            _("%(label)s may have at most %(n)d characters.") % {"label": label, "n": maximum},
            {"max_length": maximum},
            field=field,
        )
    return text


def _category(code: str | None) -> Category:
    try:
        return Category.objects.get(code=code or "")
    except Category.DoesNotExist:
        raise InvalidInput(
            "unknown_category",
            _("Choose one of the categories."),
            {"allowed": list(Category.objects.values_list("code", flat=True))},
            field="category",
        ) from None


def _district(code: str | None, field: str = "district") -> District:
    try:
        return District.objects.get(code=code or "")
    except District.DoesNotExist:
        raise InvalidInput(
            "unknown_district", _("Choose one of the city's districts."), field=field
        ) from None


def _department(code: str | None, field: str = "department") -> Department:
    try:
        return Department.objects.get(code=code or "")
    except Department.DoesNotExist:
        raise InvalidInput(
            "unknown_department", _("Choose one of the city's departments."), field=field
        ) from None


def is_department_staff(user, department_id: int | None) -> bool:
    return bool(department_id) and access.has_role(
        user, *DEPARTMENT_ROLES, department=department_id
    )


def can_manage(user, proposal: Proposal) -> bool:
    """Staff of the lead department and bureau admins route, assign and hand over."""
    return access.is_bureau_admin(user) or is_department_staff(user, proposal.lead_department_id)


def _require_manage(user, proposal: Proposal) -> None:
    access.require_login(user)
    if not can_manage(user, proposal):
        raise NotAllowed(
            _("Only the lead department or the bureau can do this."), code="not_lead_department"
        )


def answering_department(user, proposal: Proposal) -> Department | None:
    """The department ``user`` may answer ``proposal`` for: the lead department, or a department
    that owes a reply on it (the mayor's office after the top rung). None when they may not."""
    if user is None or not user.is_authenticated:
        return None
    owed = set(
        Obligation.objects.filter(proposal=proposal, met_at__isnull=True).values_list(
            "department_id", flat=True
        )
    )
    if proposal.lead_department_id:
        owed.add(proposal.lead_department_id)
    mine = [d for d in access.department_ids(user) if d in owed]
    if not mine:
        return None
    pick = proposal.lead_department_id if proposal.lead_department_id in mine else mine[0]
    return Department.objects.get(pk=pick)


def _require_answerer(user, proposal: Proposal) -> Department:
    access.require_login(user)
    dept = answering_department(user, proposal)
    if dept is None:
        raise NotAllowed(
            _("Only officers of the department responsible may answer this proposal."),
            code="not_answering_department",
        )
    return dept


def _event(
    proposal: Proposal,
    kind: str,
    text: str = "",
    *,
    public=True,
    actor=None,
    department=None,
    **data,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        proposal=proposal,
        kind=kind,
        text=text,
        public=public,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        department=department,
        data={k: audit._plain(v) for k, v in data.items()},
    )


def _url(proposal: Proposal) -> str:
    return reverse("voice:proposal-detail", args=[proposal.pk])


def _department_staff(department_id: int, *roles: str) -> list[User]:
    roles = roles or DEPARTMENT_ROLES
    return list(
        User.objects.filter(
            roles__department_id=department_id, roles__role__in=roles, is_active=True
        ).distinct()
    )


def _refresh_due(proposal: Proposal) -> None:
    due = (
        Obligation.objects.filter(proposal=proposal, met_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    proposal.reply_due = due
    Proposal.objects.filter(pk=proposal.pk).update(reply_due=due)


# --------------------------------------------------------------------------- intake


def check_submit_online(
    *, author: User, title: str, body: str, category: str, district: str
) -> Proposal:
    """A resident's proposal from the web form or the API."""
    access.require_login(author)
    if access.resident_profile(author) is None:
        raise NotAllowed(_("Only residents of the city may make proposals."), code="not_a_resident")
    fields = _validate_proposal(title=title, body=body, category=category, district=district)
    return _create_proposal(**fields, channel=Channel.ONLINE, author=author)


def check_submit_offline(
    *,
    actor: User,
    channel: str,
    title: str,
    body: str,
    category: str,
    district: str,
    contact_name: str,
    contact: str,
    received_at: datetime | None = None,
    author: User | None = None,
) -> Proposal:
    """A letter, visit, phone call or voice message entered by staff on a resident's behalf."""
    access.require_staff(actor)
    if channel not in OFFLINE_CHANNELS:
        raise InvalidInput(
            "invalid_channel",
            _("Choose how the proposal reached the city."),
            {"allowed": OFFLINE_CHANNELS},
            field="channel",
        )
    fields = _validate_proposal(title=title, body=body, category=category, district=district)
    contact_name = _text(
        contact_name, "contact_name", minimum=1, maximum=100, label=_("The resident's name")
    )
    contact = _text(contact, "contact", minimum=3, maximum=200, label=_("Where to send the reply"))
    now = timezone.now()
    if received_at is None:
        received_at = now
    elif received_at > now + timedelta(minutes=5):
        raise InvalidInput(
            "received_in_future",
            _("The date received cannot be in the future."),
            field="received_at",
        )
    elif received_at < now - timedelta(days=365):
        raise InvalidInput(
            "received_too_old", _("The date received is more than a year ago."), field="received_at"
        )
    proposal = _create_proposal(
        **fields,
        channel=channel,
        author=author,
        contact_name=contact_name,
        contact=contact,
        entered_by=actor,
        received_at=received_at,
    )
    audit.record(actor, "voice.proposal.entered_offline", proposal, channel=channel)
    return proposal


def _validate_proposal(*, title, body, category, district) -> dict:
    return {
        "title": _text(title, "title", minimum=TITLE_MIN, maximum=TITLE_MAX, label=_("The title")),
        "body": _text(body, "body", minimum=BODY_MIN, maximum=BODY_MAX, label=_("The proposal")),
        "category": _category(category),
        "district": _district(district),
    }


@transaction.atomic
def _create_proposal(**fields) -> Proposal:
    proposal = Proposal.objects.create(**fields)
    _event(
        proposal,
        TimelineEvent.Kind.RECEIVED,
        actor=fields.get("entered_by") or fields.get("author"),
        channel=proposal.channel,
    )
    department = rule_for(proposal.category_id, proposal.district_id)
    if department is not None:
        _set_lead(proposal, department, actor=None, kind=TimelineEvent.Kind.ROUTED)
    if proposal.author_id:
        notify(
            [proposal.author],
            kind="voice.proposal_received",
            title=_("Your proposal “%(title)s” was received") % {"title": proposal.title},
            body=_("The department responsible will reply within %(n)d days.")
            % {"n": ladder_mod.reply_days()},
            url=_url(proposal),
        )
    return proposal


def rule_for(category_id: int, district_id: int | None) -> Department | None:
    rules = {
        r.district_id: r.department
        for r in RoutingRule.objects.filter(category_id=category_id).select_related("department")
    }
    return rules.get(district_id) or rules.get(None)


# --------------------------------------------------------------------------- routing


def _set_lead(
    proposal: Proposal, department: Department, *, actor, kind: str, reason: str = ""
) -> None:
    old = proposal.lead_department_id
    proposal.lead_department = department
    if proposal.status == Status.RECEIVED:
        proposal.status = Status.ROUTED
    proposal.assigned_officer = None
    proposal.save(update_fields=["lead_department", "status", "assigned_officer"])
    Involvement.objects.filter(proposal=proposal, is_lead=True).update(is_lead=False)
    if old and kind == TimelineEvent.Kind.TRANSFERRED:
        Involvement.objects.filter(proposal=proposal, department_id=old).delete()
    Involvement.objects.update_or_create(
        proposal=proposal, department=department, defaults={"is_lead": True}
    )
    moved = 0
    if old:
        # The clock does not restart on a transfer: the resident waited already.
        moved = Obligation.objects.filter(
            proposal=proposal, department_id=old, met_at__isnull=True
        ).update(department=department)
    if (
        not moved
        and not Obligation.objects.filter(
            proposal=proposal, reason=Obligation.Reason.PERSONAL_REPLY
        ).exists()
    ):
        Obligation.objects.create(
            proposal=proposal,
            department=department,
            reason=Obligation.Reason.PERSONAL_REPLY,
            due_at=proposal.received_at + timedelta(days=ladder_mod.reply_days()),
        )
    _refresh_due(proposal)
    _event(proposal, kind, reason, actor=actor, department=department, previous=old)
    notify(
        _department_staff(department.pk),
        kind="voice.proposal_routed",
        title=_("New proposal for your department: %(title)s") % {"title": proposal.title},
        url=reverse("voice:manage", args=[proposal.pk]),
    )


@transaction.atomic
def check_route(*, actor: User, proposal: Proposal, department: str) -> Proposal:
    """The bureau sends a proposal no rule matched to a department."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    dept = _department(department)
    if proposal.status == Status.WITHDRAWN:
        raise Conflict("proposal_withdrawn", _("The proposal was withdrawn."))
    if proposal.lead_department_id == dept.pk:
        raise Conflict(
            "already_there", _("The proposal is already with this department."), field="department"
        )
    kind = (
        TimelineEvent.Kind.TRANSFERRED if proposal.lead_department_id else TimelineEvent.Kind.ROUTED
    )
    _set_lead(proposal, dept, actor=actor, kind=kind)
    audit.record(actor, "voice.proposal.routed", proposal, department=dept)
    return proposal


@transaction.atomic
def check_transfer(*, actor: User, proposal: Proposal, department: str, reason: str) -> Proposal:
    _require_manage(actor, proposal)
    dept = _department(department)
    reason = _text(reason, "reason", minimum=5, maximum=1000, label=_("The reason"))
    if proposal.status == Status.WITHDRAWN:
        raise Conflict("proposal_withdrawn", _("The proposal was withdrawn."))
    if proposal.lead_department_id == dept.pk:
        raise InvalidInput("same_department", _("Choose another department."), field="department")
    _set_lead(proposal, dept, actor=actor, kind=TimelineEvent.Kind.TRANSFERRED, reason=reason)
    audit.record(actor, "voice.proposal.transferred", proposal, department=dept, reason=reason)
    return proposal


@transaction.atomic
def check_involve(*, actor: User, proposal: Proposal, department: str) -> Involvement:
    _require_manage(actor, proposal)
    dept = _department(department)
    if Involvement.objects.filter(proposal=proposal, department=dept).exists():
        raise Conflict(
            "already_involved", _("This department is already involved."), field="department"
        )
    inv = Involvement.objects.create(proposal=proposal, department=dept, is_lead=False)
    _event(proposal, TimelineEvent.Kind.DEPARTMENT_ADDED, actor=actor, department=dept)
    audit.record(actor, "voice.proposal.involved", proposal, department=dept)
    return inv


@transaction.atomic
def check_hand_to_partner(
    *, actor: User, proposal: Proposal, organisation_id: int | None, note: str
) -> Proposal:
    _require_manage(actor, proposal)
    try:
        org = Organisation.objects.get(pk=organisation_id or 0)
    except Organisation.DoesNotExist:
        raise InvalidInput(
            "unknown_organisation", _("Choose a partner organisation."), field="organisation"
        ) from None
    note = _text(note, "note", minimum=5, maximum=1000, label=_("The note"))
    if proposal.partner_id == org.pk:
        raise Conflict(
            "already_with_partner",
            _("The proposal is already with this partner."),
            field="organisation",
        )
    proposal.partner = org
    proposal.save(update_fields=["partner"])
    _event(
        proposal,
        TimelineEvent.Kind.PARTNER,
        note,
        actor=actor,
        department=proposal.lead_department,
        organisation=org.name,
    )
    audit.record(actor, "voice.proposal.handed_to_partner", proposal, organisation=org, note=note)
    operators = User.objects.filter(roles__organisation=org, roles__role=Role.ORGANISATION_OPERATOR)
    notify(
        operators,
        kind="voice.partner_handoff",
        title=_("A proposal was handed to your organisation: %(title)s")
        % {"title": proposal.title},
        url=_url(proposal),
    )
    return proposal


@transaction.atomic
def check_assign(*, actor: User, proposal: Proposal, officer: User | None) -> Proposal:
    access.require_login(actor)
    dept = proposal.lead_department_id
    if officer is None:
        raise InvalidInput("unknown_officer", _("Choose an officer."), field="officer")
    if not is_department_staff(officer, dept):
        raise InvalidInput(
            "officer_not_in_department",
            _("The officer must work in the lead department."),
            field="officer",
        )
    allowed = access.is_bureau_admin(actor) or access.has_role(
        actor, Role.DEPARTMENT_HEAD, department=dept
    )
    allowed = allowed or (officer.pk == actor.pk and is_department_staff(actor, dept))
    if not allowed:
        raise NotAllowed(
            _("Only the department head may assign other officers."), code="not_department_head"
        )
    proposal.assigned_officer = officer
    proposal.save(update_fields=["assigned_officer"])
    _event(
        proposal,
        TimelineEvent.Kind.ASSIGNED,
        public=False,
        actor=actor,
        department=proposal.lead_department,
        officer=officer.public_name,
    )
    audit.record(actor, "voice.proposal.assigned", proposal, officer=officer)
    if officer.pk != actor.pk:
        notify(
            [officer],
            kind="voice.assigned",
            title=_("Assigned to you: %(title)s") % {"title": proposal.title},
            url=reverse("voice:manage", args=[proposal.pk]),
        )
    return proposal


def check_bulk_assign(*, actor: User, proposals: list[Proposal], officer: User | None) -> int:
    """Assign several proposals at once: all or none."""
    with transaction.atomic():
        for p in proposals:
            check_assign(actor=actor, proposal=p, officer=officer)
    return len(proposals)


@transaction.atomic
def check_set_routing_rule(
    *, actor: User, category: str, department: str, district: str | None = None
) -> RoutingRule:
    access.require_role(actor, Role.BUREAU_ADMIN)
    cat = _category(category)
    dept = _department(department)
    dist = _district(district) if district else None
    rule, _created = RoutingRule.objects.update_or_create(
        category=cat, district=dist, defaults={"department": dept, "updated_at": timezone.now()}
    )
    audit.record(
        actor,
        "voice.routing_rule.set",
        rule,
        category=cat.code,
        department=dept.code,
        district=dist.code if dist else None,
    )
    return rule


@transaction.atomic
def check_delete_routing_rule(*, actor: User, rule: RoutingRule) -> None:
    access.require_role(actor, Role.BUREAU_ADMIN)
    audit.record(
        actor,
        "voice.routing_rule.deleted",
        rule,
        category=rule.category_id,
        department=rule.department_id,
    )
    rule.delete()


def check_set_ladder(*, actor: User, rungs: list[dict]) -> list[LadderRung]:
    """Replace the support ladder. Thresholds strictly increase; answer rungs need their days."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if not rungs:
        raise InvalidInput("empty_ladder", _("Give at least one rung."), field="rungs")
    clean, last = [], 0
    for i, r in enumerate(rungs):
        where = {"rung": i + 1}
        try:
            threshold = int(r.get("threshold"))
        except (TypeError, ValueError):
            raise InvalidInput(
                "invalid_threshold",
                _("Rung %(n)d: give the number of supports.") % {"n": i + 1},
                where,
                field="rungs",
            ) from None
        if threshold <= last:
            raise InvalidInput(
                "thresholds_not_increasing",
                _("Rung %(n)d: each rung needs more supports than the one below.") % {"n": i + 1},
                where,
                field="rungs",
            )
        last = threshold
        action = r.get("action")
        if action not in LadderRung.Action.values:
            raise InvalidInput(
                "invalid_action",
                _("Rung %(n)d: unknown action.") % {"n": i + 1},
                {**where, "allowed": LadderRung.Action.values},
                field="rungs",
            )
        window, answer = r.get("window_days"), r.get("answer_days")
        for name, value in (("window_days", window), ("answer_days", answer)):
            if value is not None and not (isinstance(value, int) and 1 <= value <= 365):
                raise InvalidInput(
                    "invalid_" + name,
                    _("Rung %(n)d: days must be between 1 and 365.") % {"n": i + 1},
                    where,
                    field="rungs",
                )
        if action != LadderRung.Action.FORUM and answer is None:
            raise InvalidInput(
                "answer_days_required",
                _("Rung %(n)d: say how many days the answer may take.") % {"n": i + 1},
                where,
                field="rungs",
            )
        clean.append(
            LadderRung(
                threshold=threshold,
                window_days=window,
                action=action,
                answer_days=answer if action != LadderRung.Action.FORUM else None,
            )
        )
    with transaction.atomic():
        LadderRung.objects.all().delete()
        LadderRung.objects.bulk_create(clean)
        audit.record(
            actor,
            "voice.ladder.set",
            None,
            rungs=[
                {
                    "threshold": c.threshold,
                    "action": c.action,
                    "window_days": c.window_days,
                    "answer_days": c.answer_days,
                }
                for c in clean
            ],
        )
    transaction.on_commit(ladder_mod.invalidate)
    ladder_mod.invalidate()
    return clean


# --------------------------------------------------------------------------- supports

_SUPPORTABLE = tuple(
    s.value for s in (Status.RECEIVED, Status.ROUTED, Status.ANSWERED, Status.IN_PROGRESS)
)


def do_support(*, user: User, proposal_id: int) -> int:
    """One verified resident supports a proposal; returns the new support count.

    On PostgreSQL the hot path is ONE autocommitted statement: an INSERT guarded by the unique
    constraint and the proposal's status, and the counter UPDATE on the inserted row (which
    row-locks the proposal, so each count, and each crossing of a rung, is seen exactly once).
    SQLite has no data-modifying CTE: there the same two statements run in one transaction.
    Rungs are checked only when the new count equals a threshold, in a transaction of their own
    (``do_catch_up_rungs`` repairs a crossing a crash left unrecorded)."""
    access.require_verified_resident(user)
    p, s = Proposal._meta.db_table, Support._meta.db_table
    marks = ", ".join(["%s"] * len(_SUPPORTABLE))
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"WITH added AS (INSERT INTO {s} (proposal_id, user_id, created_at) "
                f"SELECT id, %s, %s FROM {p} WHERE id = %s AND status IN ({marks}) "
                f"ON CONFLICT DO NOTHING RETURNING proposal_id) "
                f"UPDATE {p} SET support_count = support_count + 1 "
                f"WHERE id = (SELECT proposal_id FROM added) RETURNING support_count",
                [user.pk, now, proposal_id, *_SUPPORTABLE],
            )
            row = cur.fetchone()
        if row is None:
            if Support.objects.filter(proposal_id=proposal_id, user_id=user.pk).exists():
                raise Conflict("already_supported", _("You already support this proposal."))
            _explain_missing(proposal_id)
    else:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"UPDATE {p} SET support_count = support_count + 1 "
                f"WHERE id = %s AND status IN ({marks}) RETURNING support_count",
                [proposal_id, *_SUPPORTABLE],
            )
            row = cur.fetchone()
            if row is None:
                _explain_missing(proposal_id)
            cur.execute(
                f"INSERT INTO {s} (proposal_id, user_id, created_at) VALUES (%s, %s, %s) "
                f"ON CONFLICT DO NOTHING RETURNING id",
                [proposal_id, user.pk, now],
            )
            if cur.fetchone() is None:
                raise Conflict("already_supported", _("You already support this proposal."))
    count = row[0]
    if count in ladder_mod.thresholds():
        with transaction.atomic():
            _reach_rungs(proposal_id, count)
    return count


def do_catch_up_rungs() -> int:
    """Reach the rungs a proposal's count has crossed but that were never recorded (a crash
    between a support and its rung). Idempotent; returns how many proposals were looked at."""
    first = min(ladder_mod.thresholds(), default=None)
    if first is None:
        return 0
    candidates = dict(
        Proposal.objects.filter(support_count__gte=first, status__in=_SUPPORTABLE).values_list(
            "id", "support_count"
        )
    )
    have: dict[int, set[int]] = {}
    for proposal_id, threshold in RungReached.objects.filter(
        proposal_id__in=list(candidates)
    ).values_list("proposal_id", "threshold"):
        have.setdefault(proposal_id, set()).add(threshold)
    n = 0
    for proposal_id, count in candidates.items():
        if {t for t in ladder_mod.thresholds() if t <= count} - have.get(proposal_id, set()):
            with transaction.atomic():
                _reach_rungs(proposal_id, count)
            n += 1
    return n


def _explain_missing(proposal_id: int):
    if Proposal.objects.filter(pk=proposal_id).exists():
        raise Conflict("proposal_closed", _("This proposal no longer takes supports."))
    raise NotFound(_("No such proposal."))


def do_withdraw_support(*, user: User, proposal_id: int) -> int:
    """Withdraw a support, allowed until the proposal reaches its first rung."""
    access.require_login(user)
    p = Proposal._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"UPDATE {p} SET support_count = support_count - 1 "
            f"WHERE id = %s AND highest_rung = 0 AND support_count > 0 RETURNING support_count",
            [proposal_id],
        )
        row = cur.fetchone()
        if row is None:
            if Proposal.objects.filter(pk=proposal_id, highest_rung__gt=0).exists():
                raise Conflict(
                    "support_frozen",
                    _(
                        "Supports can no longer be withdrawn: the proposal reached a rung of the ladder."
                    ),
                )
            if not Proposal.objects.filter(pk=proposal_id).exists():
                raise NotFound(_("No such proposal."))
            raise Conflict("not_supported", _("You do not support this proposal."))
        deleted, _d = Support.objects.filter(proposal_id=proposal_id, user_id=user.pk).delete()
        if not deleted:
            raise Conflict("not_supported", _("You do not support this proposal."))
    return row[0]


def _reach_rungs(proposal_id: int, count: int) -> None:
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    now = timezone.now()
    reached = set(RungReached.objects.filter(proposal=proposal).values_list("threshold", flat=True))
    for rung in ladder_mod.ladder():
        if rung.threshold > count or rung.threshold in reached:
            continue
        if rung.window_days is not None and now > proposal.received_at + timedelta(
            days=rung.window_days
        ):
            continue  # too late for this rung: it had to be reached within its window
        RungReached.objects.create(
            proposal=proposal,
            rung=rung.number,
            threshold=rung.threshold,
            action=rung.action,
            reached_at=now,
        )
        proposal.highest_rung = max(proposal.highest_rung, rung.number)
        _event(
            proposal,
            TimelineEvent.Kind.RUNG,
            threshold=rung.threshold,
            action=rung.action,
            rung=rung.number,
        )
        target = None
        if rung.action == LadderRung.Action.FORUM:
            proposal.forum_opened_at = now
        elif rung.action == LadderRung.Action.DEPARTMENT_ANSWER:
            target = proposal.lead_department
        elif rung.action == LadderRung.Action.MAYOR_ANSWER:
            target = Department.objects.filter(is_mayors_office=True).first()
            if target is not None:
                Involvement.objects.get_or_create(proposal=proposal, department=target)
        if target is not None and rung.answer_days:
            due = now + timedelta(days=rung.answer_days)
            reason = (
                Obligation.Reason.MAYOR_ANSWER
                if rung.action == LadderRung.Action.MAYOR_ANSWER
                else Obligation.Reason.RUNG_ANSWER
            )
            Obligation.objects.create(
                proposal=proposal, department=target, reason=reason, due_at=due
            )
            _event(
                proposal,
                TimelineEvent.Kind.DEADLINE,
                department=target,
                due_at=due.isoformat(),
                reason=reason,
            )
            notify(
                _department_staff(target.pk),
                kind="voice.rung_reached",
                title=_("%(n)d residents support “%(title)s”: answer by %(due)s")
                % {
                    "n": rung.threshold,
                    "title": proposal.title,
                    "due": f"{timezone.localtime(due):%Y-%m-%d}",
                },
                url=reverse("voice:manage", args=[proposal.pk]),
            )
        if proposal.author_id:
            notify(
                [proposal.author],
                kind="voice.rung_reached_author",
                title=_("Your proposal reached %(n)d supports") % {"n": rung.threshold},
                url=_url(proposal),
            )
    proposal.save(update_fields=["highest_rung", "forum_opened_at"])
    _refresh_due(proposal)


# --------------------------------------------------------------------------- replies


def _validate_reply(kind: str, outcome: str, body: str, reason: str) -> tuple[str, str, str, str]:
    if kind not in Reply.Kind.values:
        raise InvalidInput(
            "invalid_kind",
            _("Choose a reply or an interim answer."),
            {"allowed": Reply.Kind.values},
            field="kind",
        )
    body = _text(body, "body", minimum=10, maximum=20_000, label=_("The answer"))
    reason = (reason or "").strip()
    if kind == Reply.Kind.INTERIM:
        if outcome:
            raise InvalidInput(
                "outcome_on_interim", _("An interim answer has no outcome yet."), field="outcome"
            )
        return kind, "", body, ""
    if outcome not in Outcome.values:
        raise InvalidInput(
            "invalid_outcome",
            _("Choose the outcome."),
            {"allowed": Outcome.values},
            field="outcome",
        )
    if outcome == Outcome.NOT_REFLECTED and len(reason) < 10:
        raise InvalidInput(
            "reason_required",
            _("Say why the proposal is not reflected (at least 10 characters)."),
            field="reason",
        )
    return kind, outcome, body, reason[:5000]


@transaction.atomic
def check_draft_reply(
    *,
    actor: User,
    proposal: Proposal,
    kind: str = Reply.Kind.FINAL,
    outcome: str = "",
    body: str = "",
    reason: str = "",
) -> Reply:
    dept = _require_answerer(actor, proposal)
    kind, outcome, body, reason = _validate_reply(kind, outcome, body, reason)
    if proposal.status == Status.WITHDRAWN:
        raise Conflict("proposal_withdrawn", _("The proposal was withdrawn."))
    reply = Reply.objects.create(
        proposal=proposal,
        department=dept,
        author=actor,
        kind=kind,
        outcome=outcome,
        body=body,
        reason=reason,
    )
    audit.record(actor, "voice.reply.drafted", reply, proposal=proposal.pk)
    return reply


@transaction.atomic
def check_publish_reply(*, actor: User, reply: Reply) -> Reply:
    access.require_login(actor)
    if not is_department_staff(actor, reply.department_id):
        raise NotAllowed(
            _("Only officers of the department responsible may answer this proposal."),
            code="not_answering_department",
        )
    if reply.published_at:
        raise Conflict("already_published", _("This reply is already published."))
    proposal = Proposal.objects.select_for_update().get(pk=reply.proposal_id)
    if proposal.status == Status.WITHDRAWN:
        raise Conflict("proposal_withdrawn", _("The proposal was withdrawn."))
    now = timezone.now()
    reply.published_at, reply.published_by = now, actor
    reply.save(update_fields=["published_at", "published_by"])
    audit.record(
        actor,
        "voice.reply.published",
        reply,
        proposal=proposal.pk,
        kind=reply.kind,
        outcome=reply.outcome,
    )
    if reply.kind == Reply.Kind.INTERIM:
        _event(
            proposal,
            TimelineEvent.Kind.INTERIM,
            reply.body,
            actor=actor,
            department=reply.department,
            reply=reply.pk,
        )
        _tell_author(
            proposal,
            reply,
            kind="voice.interim_answer",
            title=_("An interim answer on your proposal “%(title)s”") % {"title": proposal.title},
        )
        return reply
    Obligation.objects.filter(
        proposal=proposal, department_id=reply.department_id, met_at__isnull=True
    ).update(met_at=now)
    fields = ["outcome", "answered_at", "status"]
    proposal.outcome = reply.outcome
    proposal.answered_at = proposal.answered_at or now
    if proposal.status in (Status.RECEIVED, Status.ROUTED):
        proposal.status = Status.ANSWERED
    proposal.save(update_fields=fields)
    _refresh_due(proposal)
    _event(
        proposal,
        TimelineEvent.Kind.REPLY,
        reply.body,
        actor=actor,
        department=reply.department,
        reply=reply.pk,
        outcome=reply.outcome,
    )
    _tell_author(
        proposal,
        reply,
        kind=ANSWERED_KIND,
        title=_("Your proposal “%(title)s” was answered") % {"title": proposal.title},
    )
    return reply


def _tell_author(proposal: Proposal, reply: Reply, *, kind: str, title: str) -> None:
    if proposal.author_id:
        notify(
            [proposal.author], kind=kind, title=title, body=reply.body[:2000], url=_url(proposal)
        )
    elif "@" in proposal.contact:
        # An offline proposer without an account who left an e-mail address.
        to, body = proposal.contact, f"{title}\n\n{reply.body}"
        transaction.on_commit(lambda: send_mail(title, body, None, [to], fail_silently=True))
    else:
        _event(
            proposal,
            TimelineEvent.Kind.REPLY,
            _("Send the reply to %(name)s: %(contact)s")
            % {"name": proposal.contact_name, "contact": proposal.contact},
            public=False,
            department=reply.department,
            by_post=True,
        )


def check_reply(
    *,
    actor: User,
    proposal: Proposal,
    kind: str = Reply.Kind.FINAL,
    outcome: str = "",
    body: str = "",
    reason: str = "",
    publish: bool = True,
) -> Reply:
    """Draft and (by default) publish in one step: all or nothing."""
    with transaction.atomic():
        reply = check_draft_reply(
            actor=actor, proposal=proposal, kind=kind, outcome=outcome, body=body, reason=reason
        )
        if publish:
            check_publish_reply(actor=actor, reply=reply)
    return reply


def check_bulk_publish(*, actor: User, replies: list[Reply]) -> int:
    with transaction.atomic():
        for r in replies:
            check_publish_reply(actor=actor, reply=r)
    return len(replies)


@transaction.atomic
def check_add_note(*, actor: User, proposal: Proposal, body: str) -> InternalNote:
    access.require_login(actor)
    involved = set(
        Involvement.objects.filter(proposal=proposal).values_list("department_id", flat=True)
    )
    mine = access.department_ids(actor) & (involved | {proposal.lead_department_id})
    if not mine and not access.is_bureau_admin(actor):
        raise NotAllowed(
            _("Only staff of the departments involved may write notes."), code="not_involved"
        )
    body = _text(body, "body", minimum=2, maximum=5000, label=_("The note"))
    dept_id = (
        proposal.lead_department_id
        if proposal.lead_department_id in mine
        else (min(mine) if mine else None)
    )
    note = InternalNote.objects.create(
        proposal=proposal, author=actor, department_id=dept_id, body=body
    )
    audit.record(actor, "voice.note.added", proposal)
    return note


@transaction.atomic
def check_save_template(
    *, actor: User, department: str | None, title: str, outcome: str, body: str
) -> AnswerTemplate:
    access.require_login(actor)
    dept = _department(department) if department else None
    if dept is None and not access.is_bureau_admin(actor):
        raise NotAllowed(
            _("Only the bureau keeps templates for every department."), code="not_bureau_admin"
        )
    if dept is not None and not (
        is_department_staff(actor, dept.pk) or access.is_bureau_admin(actor)
    ):
        raise NotAllowed(
            _("Only this department's staff may keep its templates."), code="not_department_staff"
        )
    if outcome and outcome not in Outcome.values:
        raise InvalidInput(
            "invalid_outcome",
            _("Choose the outcome."),
            {"allowed": Outcome.values},
            field="outcome",
        )
    title = _text(title, "title", minimum=2, maximum=120, label=_("The title"))
    body = _text(body, "body", minimum=10, maximum=20_000, label=_("The text"))
    tpl = AnswerTemplate.objects.create(
        department=dept, title=title, outcome=outcome or "", body=body
    )
    audit.record(actor, "voice.template.saved", tpl)
    return tpl


# --------------------------------------------------------------------------- after the reply


@transaction.atomic
def check_post_progress(
    *, actor: User, proposal: Proposal, percent: int, body: str
) -> ProgressUpdate:
    access.require_login(actor)
    org = None
    if not can_manage(actor, proposal):
        if proposal.partner_id and proposal.partner_id in access.organisation_ids(actor):
            org = proposal.partner
        else:
            raise NotAllowed(
                _("Only the lead department or its partner may report progress."),
                code="not_lead_department",
            )
    if proposal.status not in (Status.ANSWERED, Status.IN_PROGRESS):
        raise Conflict("not_answered", _("Progress is reported once the proposal is answered."))
    if proposal.outcome in (Outcome.NOT_REFLECTED, ""):
        raise Conflict("nothing_to_carry_out", _("Only proposals being reflected have progress."))
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidInput(
            "invalid_percent",
            _("Give the progress as a whole number from 0 to 100."),
            field="percent",
        )
    if percent < proposal.progress:
        raise InvalidInput(
            "progress_backwards",
            _("Progress cannot go back below %(n)d%%.") % {"n": proposal.progress},
            field="percent",
        )
    body = _text(body, "body", minimum=5, maximum=5000, label=_("The update"))
    update = ProgressUpdate.objects.create(
        proposal=proposal, author=actor, organisation=org, percent=percent, body=body
    )
    proposal.progress = percent
    proposal.status = Status.COMPLETED if percent == 100 else Status.IN_PROGRESS
    proposal.save(update_fields=["progress", "status"])
    _event(
        proposal,
        TimelineEvent.Kind.PROGRESS,
        body,
        actor=actor,
        department=proposal.lead_department,
        percent=percent,
    )
    audit.record(actor, "voice.progress.posted", proposal, percent=percent)
    if proposal.author_id:
        notify(
            [proposal.author],
            kind="voice.progress",
            title=_("Progress on your proposal: %(n)d%%") % {"n": percent},
            body=body,
            url=_url(proposal),
        )
    return update


def do_ask_follow_ups(
    now: datetime | None = None, *, days: int = FOLLOW_UP_DAYS, batch: int = 500
) -> int:
    """Ask authors "was it resolved?" ``days`` after a positive reply (FixMyStreet's questionnaire)."""
    now = now or timezone.now()
    due = (
        Proposal.objects.filter(
            author__isnull=False,
            answered_at__lte=now - timedelta(days=days),
            outcome__in=[Outcome.REFLECTED, Outcome.PARTLY_REFLECTED, Outcome.ALREADY_IN_PLACE],
            follow_up__isnull=True,
        )
        .select_related("author")
        .order_by("answered_at")[:batch]
    )
    asked = 0
    for proposal in due:
        with transaction.atomic():
            FollowUp.objects.create(proposal=proposal, asked_at=now)
            notify(
                [proposal.author],
                kind="voice.follow_up",
                title=_("Was your proposal “%(title)s” resolved?") % {"title": proposal.title},
                url=_url(proposal) + "#follow-up",
            )
        asked += 1
    return asked


@transaction.atomic
def check_answer_follow_up(
    *, actor: User, proposal: Proposal, resolved: bool | None, comment: str = ""
) -> FollowUp:
    access.require_login(actor)
    if proposal.author_id != actor.pk:
        raise NotAllowed(_("Only the author answers this question."), code="not_author")
    try:
        fu = FollowUp.objects.select_for_update().get(proposal=proposal)
    except FollowUp.DoesNotExist:
        raise Conflict("no_follow_up", _("Nobody asked about this proposal yet.")) from None
    if fu.answered_at:
        raise Conflict("already_answered", _("You already answered."))
    if resolved not in (True, False):
        raise InvalidInput("resolved_required", _("Say whether it was resolved."), field="resolved")
    fu.resolved, fu.comment, fu.answered_at = (
        resolved,
        (comment or "").strip()[:2000],
        timezone.now(),
    )
    fu.save()
    _event(proposal, TimelineEvent.Kind.FOLLOW_UP, fu.comment, actor=actor, resolved=resolved)
    if not resolved and proposal.lead_department_id:
        notify(
            _department_staff(proposal.lead_department_id),
            kind="voice.not_resolved",
            title=_("The author says “%(title)s” is not resolved") % {"title": proposal.title},
            body=fu.comment,
            url=reverse("voice:manage", args=[proposal.pk]),
        )
    return fu


@transaction.atomic
def check_withdraw_proposal(*, actor: User, proposal: Proposal) -> Proposal:
    access.require_login(actor)
    if proposal.author_id != actor.pk:
        raise NotAllowed(_("Only the author may withdraw a proposal."), code="not_author")
    if proposal.status not in (Status.RECEIVED, Status.ROUTED) or proposal.highest_rung:
        raise Conflict(
            "cannot_withdraw",
            _("A proposal can be withdrawn only before it is answered or reaches a rung."),
        )
    proposal.status = Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    Obligation.objects.filter(proposal=proposal, met_at__isnull=True).update(met_at=timezone.now())
    _refresh_due(proposal)
    _event(proposal, TimelineEvent.Kind.WITHDRAWN, actor=actor)
    return proposal


# --------------------------------------------------------------------------- comments


@transaction.atomic
def check_comment(*, actor: User, proposal: Proposal, body: str) -> Comment:
    access.require_login(actor)
    if access.resident_profile(actor) is None and not access.is_staff_member(actor):
        raise NotAllowed(_("Only residents and city staff may comment."), code="not_a_resident")
    if proposal.status == Status.WITHDRAWN:
        raise Conflict("proposal_withdrawn", _("The proposal was withdrawn."))
    body = _text(body, "body", minimum=2, maximum=3000, label=_("The comment"))
    return Comment.objects.create(proposal=proposal, author=actor, body=body)


def check_report_comment(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Report a comment; the third report hides it until a moderator reviews it (Decidim's rule)."""
    access.require_login(actor)
    if reason not in CommentReport.Reason.values:
        raise InvalidInput(
            "invalid_reason",
            _("Choose why you report this comment."),
            {"allowed": CommentReport.Reason.values},
            field="reason",
        )
    if comment.author_id == actor.pk:
        raise InvalidInput("own_comment", _("You cannot report your own comment."))
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=actor, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            comment.refresh_from_db(fields=["report_count", "state"])
            if comment.report_count >= AUTO_HIDE_REPORTS and comment.state == Comment.State.VISIBLE:
                comment.state = Comment.State.HIDDEN_PENDING
                comment.save(update_fields=["state"])
    except IntegrityError:
        raise Conflict("already_reported", _("You already reported this comment.")) from None
    return comment


def can_moderate(user) -> bool:
    return access.is_staff_member(user)


@transaction.atomic
def check_moderate_comment(*, actor: User, comment: Comment, decision: str) -> Comment:
    access.require_staff(actor)
    if decision not in ("restore", "hide"):
        raise InvalidInput(
            "invalid_decision",
            _("Choose to restore or hide the comment."),
            {"allowed": ["restore", "hide"]},
            field="decision",
        )
    comment.state = Comment.State.VISIBLE if decision == "restore" else Comment.State.HIDDEN
    comment.reviewed_at, comment.reviewed_by = timezone.now(), actor
    if decision == "restore":
        comment.report_count = 0
    comment.save(update_fields=["state", "reviewed_at", "reviewed_by", "report_count"])
    audit.record(actor, f"voice.comment.{decision}", comment)
    return comment


# --------------------------------------------------------------------------- deadlines


def do_sweep_deadlines(
    now: datetime | None = None, *, remind_days: int = REMIND_DAYS, batch: int = 1000
) -> dict[str, int]:
    """Remind departments ``remind_days`` before a reply is due; escalate to the department head
    once it is overdue. Each obligation is reminded once and escalated once."""
    now = now or timezone.now()
    reminded = escalated = 0
    soon = (
        Obligation.objects.filter(
            met_at__isnull=True,
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lte=now + timedelta(days=remind_days),
        )
        .select_related("proposal", "proposal__assigned_officer", "department")
        .order_by("due_at")[:batch]
    )
    for ob in soon:
        with transaction.atomic():
            p = ob.proposal
            to = (
                [p.assigned_officer]
                if p.assigned_officer_id and p.lead_department_id == ob.department_id
                else _department_staff(ob.department_id, Role.DEPARTMENT_OFFICER)
            )
            notify(
                to,
                kind="voice.deadline_reminder",
                title=_("Reply due %(due)s: %(title)s")
                % {"due": f"{timezone.localtime(ob.due_at):%Y-%m-%d}", "title": p.title},
                url=reverse("voice:manage", args=[p.pk]),
            )
            Obligation.objects.filter(pk=ob.pk).update(reminded_at=now)
            _event(
                p,
                TimelineEvent.Kind.REMINDER,
                public=False,
                department=ob.department,
                due_at=ob.due_at.isoformat(),
            )
        reminded += 1
    late = (
        Obligation.objects.filter(met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now)
        .select_related("proposal", "department")
        .order_by("due_at")[:batch]
    )
    for ob in late:
        with transaction.atomic():
            p = ob.proposal
            heads = _department_staff(ob.department_id, Role.DEPARTMENT_HEAD)
            notify(
                heads,
                kind="voice.deadline_missed",
                title=_("Overdue since %(due)s: %(title)s")
                % {"due": f"{timezone.localtime(ob.due_at):%Y-%m-%d}", "title": p.title},
                url=reverse("voice:manage", args=[p.pk]),
            )
            Obligation.objects.filter(pk=ob.pk).update(escalated_at=now)
            _event(
                p,
                TimelineEvent.Kind.ESCALATED,
                department=ob.department,
                due_at=ob.due_at.isoformat(),
            )
            audit.record(
                None,
                "voice.deadline.escalated",
                p,
                department=ob.department_id,
                due_at=ob.due_at.isoformat(),
            )
        escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# --------------------------------------------------------------------------- ranking vote


@transaction.atomic
def check_create_ranking(
    *, actor: User, title: str, year: int, max_approvals: int, candidates: list[dict]
) -> RankingVote:
    access.require_role(actor, Role.BUREAU_ADMIN)
    title = _text(title, "title", minimum=3, maximum=200, label=_("The title"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("invalid_year", _("Give a year between 2000 and 2100."), field="year")
    cleaned = []
    for i, c in enumerate(candidates or []):
        t = (c.get("title") or "").strip()
        if not 2 <= len(t) <= 200:
            raise InvalidInput(
                "invalid_candidate",
                _("Issue %(n)d needs a title of 2 to 200 characters.") % {"n": i + 1},
                {"index": i},
                field="candidates",
            )
        pid = c.get("proposal_id")
        if pid is not None and not Proposal.objects.filter(pk=pid).exists():
            raise InvalidInput(
                "unknown_proposal",
                _("Issue %(n)d links to an unknown proposal.") % {"n": i + 1},
                {"index": i},
                field="candidates",
            )
        cleaned.append(
            RankingCandidate(
                title=t, description=(c.get("description") or "").strip()[:5000], proposal_id=pid
            )
        )
    if len(cleaned) < 2:
        raise InvalidInput(
            "too_few_candidates", _("A ranking needs at least two issues."), field="candidates"
        )
    if len({c.title for c in cleaned}) != len(cleaned):
        raise InvalidInput(
            "duplicate_candidates", _("Two issues have the same title."), field="candidates"
        )
    if not isinstance(max_approvals, int) or not 1 <= max_approvals <= len(cleaned):
        raise InvalidInput(
            "invalid_max_approvals",
            _("Residents may approve from 1 to %(n)d issues.") % {"n": len(cleaned)},
            field="max_approvals",
        )
    vote = RankingVote.objects.create(title=title, year=year, max_approvals=max_approvals)
    for c in cleaned:
        c.vote = vote
    RankingCandidate.objects.bulk_create(cleaned)
    audit.record(actor, "voice.ranking.created", vote)
    return vote


_RANKING_STEPS = {
    "open": (RankingVote.State.DRAFT, RankingVote.State.OPEN),
    "close": (RankingVote.State.OPEN, RankingVote.State.CLOSED),
    "publish": (RankingVote.State.CLOSED, RankingVote.State.PUBLISHED),
}


@transaction.atomic
def check_advance_ranking(*, actor: User, vote: RankingVote, step: str) -> RankingVote:
    """open (draft -> open), close (open -> closed), publish (closed -> published, counts stored)."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if step not in _RANKING_STEPS:
        raise InvalidInput(
            "invalid_step", _("Unknown step."), {"allowed": list(_RANKING_STEPS)}, field="step"
        )
    before, after = _RANKING_STEPS[step]
    vote = RankingVote.objects.select_for_update().get(pk=vote.pk)
    if vote.state != before:
        raise Conflict(
            "wrong_state",
            _("The vote is %(state)s.") % {"state": vote.get_state_display()},
            {"state": vote.state},
        )
    now = timezone.now()
    vote.state = after
    if step == "open":
        vote.opens_at = now
    elif step == "close":
        vote.closes_at = now
    else:
        through = RankingBallot.candidates.through
        counts = dict(
            through.objects.filter(rankingballot__vote=vote)
            .values_list("rankingcandidate_id")
            .annotate(n=Count("id"))
        )
        for c in vote.candidates.all():
            RankingCandidate.objects.filter(pk=c.pk).update(approvals=counts.get(c.pk, 0))
    vote.save(update_fields=["state", "opens_at", "closes_at"])
    audit.record(actor, f"voice.ranking.{step}", vote)
    return vote


@transaction.atomic
def check_cast_ballot(*, voter: User, vote: RankingVote, candidate_ids: list[int]) -> RankingBallot:
    """Approve up to k issues; casting again replaces the ballot while the vote is open."""
    access.require_verified_resident(voter)
    if vote.state != RankingVote.State.OPEN:
        raise Conflict("vote_not_open", _("This vote is not open."), {"state": vote.state})
    ids = list(candidate_ids or [])
    if not ids:
        raise InvalidInput("no_choice", _("Approve at least one issue."), field="candidates")
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "duplicate_choice", _("Each issue can be approved once."), field="candidates"
        )
    if len(ids) > vote.max_approvals:
        raise InvalidInput(
            "too_many_choices",
            _("Approve at most %(k)d issues.") % {"k": vote.max_approvals},
            {"max": vote.max_approvals},
            field="candidates",
        )
    valid = set(vote.candidates.filter(pk__in=ids).values_list("pk", flat=True))
    if valid != set(ids):
        raise InvalidInput(
            "unknown_candidate",
            _("Some choices are not issues of this vote."),
            {"unknown": sorted(set(ids) - valid)},
            field="candidates",
        )
    ballot, _created = RankingBallot.objects.get_or_create(vote=vote, voter=voter)
    ballot.cast_at = timezone.now()
    ballot.save(update_fields=["cast_at"])
    ballot.candidates.set(ids)
    return ballot


# --------------------------------------------------------------------------- events


@transaction.atomic
def check_create_event(
    *,
    actor: User,
    kind: str,
    topic: str,
    description: str,
    department: str,
    district: str,
    place: str,
    starts_at: datetime | None,
    capacity: int,
) -> Event:
    access.require_staff(actor)
    if kind not in Event.Kind.values:
        raise InvalidInput(
            "invalid_kind",
            _("Choose the kind of event."),
            {"allowed": Event.Kind.values},
            field="kind",
        )
    topic = _text(topic, "topic", minimum=3, maximum=200, label=_("The topic"))
    place = _text(place, "place", minimum=2, maximum=200, label=_("The place"))
    dept, dist = _department(department), _district(district)
    if not (access.is_bureau_admin(actor) or is_department_staff(actor, dept.pk)):
        raise NotAllowed(
            _("Staff organise events for their own department."), code="not_department_staff"
        )
    if starts_at is None or starts_at < timezone.now():
        raise InvalidInput(
            "starts_in_past", _("The event must start in the future."), field="starts_at"
        )
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise InvalidInput("invalid_capacity", _("Give from 1 to 10,000 places."), field="capacity")
    event = Event.objects.create(
        kind=kind,
        topic=topic,
        description=(description or "").strip()[:5000],
        department=dept,
        district=dist,
        place=place,
        starts_at=starts_at,
        capacity=capacity,
        created_by=actor,
    )
    audit.record(actor, "voice.event.created", event)
    return event


def _can_run_event(user, event: Event) -> bool:
    return access.is_bureau_admin(user) or is_department_staff(user, event.department_id)


@transaction.atomic
def check_register(*, user: User, event: Event) -> Registration:
    """Take a place, or a place on the waiting list when the event is full."""
    access.require_login(user)
    event = Event.objects.select_for_update().get(pk=event.pk)  # serialise sign-ups per event
    if event.cancelled_at:
        raise Conflict("event_cancelled", _("The event was cancelled."))
    if event.starts_at <= timezone.now():
        raise Conflict("event_started", _("Sign-up closed when the event started."))
    reg = Registration.objects.filter(event=event, user=user).first()
    if reg and reg.state != Registration.State.CANCELLED:
        raise Conflict("already_registered", _("You are already signed up."), {"state": reg.state})
    taken = Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).count()
    state = (
        Registration.State.CONFIRMED if taken < event.capacity else Registration.State.WAITLISTED
    )
    if reg:
        reg.state, reg.created_at, reg.attended = state, timezone.now(), None
        reg.save(update_fields=["state", "created_at", "attended"])
    else:
        reg = Registration.objects.create(event=event, user=user, state=state)
    return reg


@transaction.atomic
def check_cancel_registration(*, user: User, event: Event) -> Registration | None:
    """Give up a place; the first on the waiting list takes it. Returns who was promoted."""
    access.require_login(user)
    event = Event.objects.select_for_update().get(pk=event.pk)
    reg = (
        Registration.objects.filter(event=event, user=user)
        .exclude(state=Registration.State.CANCELLED)
        .first()
    )
    if reg is None:
        raise Conflict("not_registered", _("You are not signed up."))
    was_confirmed = reg.state == Registration.State.CONFIRMED
    reg.state = Registration.State.CANCELLED
    reg.save(update_fields=["state"])
    if not was_confirmed or event.starts_at <= timezone.now():
        return None
    nxt = (
        Registration.objects.filter(event=event, state=Registration.State.WAITLISTED)
        .order_by("created_at", "id")
        .select_related("user")
        .first()
    )
    if nxt is None:
        return None
    nxt.state = Registration.State.CONFIRMED
    nxt.save(update_fields=["state"])
    notify(
        [nxt.user],
        kind="voice.waitlist_promoted",
        title=_("A place opened for you: %(topic)s") % {"topic": event.topic},
        url=reverse("voice:event-detail", args=[event.pk]),
    )
    return nxt


@transaction.atomic
def check_record_attendance(*, actor: User, event: Event, attended_user_ids: list[int]) -> int:
    access.require_login(actor)
    if not _can_run_event(actor, event):
        raise NotAllowed(
            _("Staff of the organising department record attendance."), code="not_department_staff"
        )
    if event.starts_at > timezone.now():
        raise Conflict("event_not_started", _("Attendance is recorded once the event has started."))
    confirmed = set(
        Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    ids = set(attended_user_ids or [])
    unknown = ids - confirmed
    if unknown:
        raise InvalidInput(
            "not_registered",
            _("Some people were not signed up with a place."),
            {"user_ids": sorted(unknown)},
            field="attended",
        )
    Registration.objects.filter(
        event=event, state=Registration.State.CONFIRMED, user_id__in=ids
    ).update(attended=True)
    Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).exclude(
        user_id__in=ids
    ).update(attended=False)
    audit.record(actor, "voice.event.attendance", event, attended=len(ids))
    return len(ids)


@transaction.atomic
def check_record_event_outcome(
    *, actor: User, event: Event, outcome: str, proposal_ids: list[int]
) -> Event:
    access.require_login(actor)
    if not _can_run_event(actor, event):
        raise NotAllowed(
            _("Staff of the organising department record outcomes."), code="not_department_staff"
        )
    outcome = _text(outcome, "outcome", minimum=5, maximum=10_000, label=_("The outcome"))
    ids = set(proposal_ids or [])
    found = set(Proposal.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise InvalidInput(
            "unknown_proposal",
            _("Some proposals do not exist."),
            {"ids": sorted(ids - found)},
            field="proposals",
        )
    event.outcome = outcome
    event.save(update_fields=["outcome"])
    new = ids - set(event.proposals.values_list("pk", flat=True))
    event.proposals.add(*new)
    for p in Proposal.objects.filter(pk__in=new):
        _event(
            p,
            TimelineEvent.Kind.LINKED_EVENT,
            event.topic,
            actor=actor,
            department=event.department,
            event=event.pk,
        )
    audit.record(actor, "voice.event.outcome", event, proposals=sorted(ids))
    return event


@transaction.atomic
def check_cancel_event(*, actor: User, event: Event) -> Event:
    access.require_login(actor)
    if not _can_run_event(actor, event):
        raise NotAllowed(
            _("Staff of the organising department cancel events."), code="not_department_staff"
        )
    if event.cancelled_at:
        raise Conflict("event_cancelled", _("The event was cancelled."))
    event.cancelled_at = timezone.now()
    event.save(update_fields=["cancelled_at"])
    users = User.objects.filter(
        pk__in=Registration.objects.filter(event=event)
        .exclude(state=Registration.State.CANCELLED)
        .values("user_id")
    )
    notify(
        users,
        kind="voice.event_cancelled",
        title=_("Cancelled: %(topic)s") % {"topic": event.topic},
    )
    audit.record(actor, "voice.event.cancelled", event)
    return event


def officers_of(department_id: int | None) -> list[User]:
    if not department_id:
        return []
    ids = RoleAssignment.objects.filter(
        department_id=department_id, role__in=DEPARTMENT_ROLES
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))
