"""Home-share: the coordinator's workflow around the suggested shortlist."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import audit
from sharingcity.core.errors import Conflict, InvalidInput
from sharingcity.core.models import User
from sharingcity.core.notifications import notify

from .. import matching, rules
from ..models import HomeShareHost, HomeShareMatch, HomeShareStudent

Stage = HomeShareMatch.Stage
FLOW = {
    Stage.PROPOSED: (Stage.INTERVIEW, Stage.DECLINED),
    Stage.INTERVIEW: (Stage.HOME_VISIT, Stage.DECLINED),
    Stage.HOME_VISIT: (Stage.AGREEMENT, Stage.DECLINED),
    Stage.AGREEMENT: (Stage.TRIAL, Stage.DECLINED),
    Stage.TRIAL: (Stage.FOLLOW_UP, Stage.ENDED),
    Stage.FOLLOW_UP: (Stage.LIVING, Stage.ENDED),
    Stage.LIVING: (Stage.ENDED,),
}
TRIAL_DAYS = 30


def _host(h: HomeShareHost) -> matching.Host:
    return matching.Host(
        h.pk,
        h.district.code,
        h.rent,
        h.smoker,
        h.pets,
        h.early_riser,
        tuple(h.help_wanted),
        h.available_from,
    )


def _student(s: HomeShareStudent) -> matching.Student:
    return matching.Student(
        s.pk,
        tuple(s.districts),
        s.max_rent,
        s.smoker,
        s.ok_with_pets,
        s.early_riser,
        tuple(s.help_offered),
        s.move_in,
    )


def check_propose(*, actor: User, per_person: int = 3) -> list[HomeShareMatch]:
    """Compute the shortlist over active hosts and students not already paired."""
    rules.require_coordinator(actor)
    busy = Stage.DECLINED, Stage.ENDED
    taken_h = HomeShareMatch.objects.exclude(stage__in=busy + (Stage.PROPOSED,)).values("host")
    taken_s = HomeShareMatch.objects.exclude(stage__in=busy + (Stage.PROPOSED,)).values("student")
    hosts = list(
        HomeShareHost.objects.filter(active=True).exclude(pk__in=taken_h).select_related("district")
    )
    students = list(HomeShareStudent.objects.filter(active=True).exclude(pk__in=taken_s))
    pairs = matching.shortlist(
        [_host(h) for h in hosts], [_student(s) for s in students], per_person=per_person
    )
    existing = set(HomeShareMatch.objects.values_list("host_id", "student_id"))
    with transaction.atomic():
        made = HomeShareMatch.objects.bulk_create(
            [
                HomeShareMatch(
                    host_id=h,
                    student_id=s,
                    score=c.score,
                    explanation=c.reasons + (["best overall assignment"] if best else []),
                )
                for h, s, c, best in pairs
                if (h, s) not in existing
            ]
        )
        audit.record(actor, "sharing.homeshare.proposed", None, pairs=len(made))
    return made


def check_advance(
    *, actor: User, match: HomeShareMatch, stage: str, note: str = ""
) -> HomeShareMatch:
    rules.require_coordinator(actor)
    if stage not in FLOW.get(match.stage, ()):
        raise Conflict(
            "invalid_transition",
            _("A match at %(a)s cannot move to %(b)s.")
            % {"a": match.get_stage_display(), "b": stage},
            {"allowed": list(FLOW.get(match.stage, ()))},
        )
    if stage == Stage.DECLINED and not note.strip():
        raise InvalidInput("reason_required", _("Say why the match is declined."), field="note")
    with transaction.atomic():
        if stage == Stage.INTERVIEW:
            active = HomeShareMatch.objects.filter(
                host=match.host, stage__in=[s for s in FLOW if s != Stage.PROPOSED]
            ).exclude(pk=match.pk)
            if active.exists():
                raise Conflict("host_in_process", _("This host is already in another match."))
        match.stage = stage
        match.coordinator = actor
        if stage == Stage.TRIAL:
            match.trial_ends = timezone.localdate() + timedelta(days=TRIAL_DAYS)
        match.notes = [
            *match.notes,
            {
                "at": timezone.now().isoformat(),
                "stage": stage,
                "by": actor.pk,
                "note": note.strip(),
            },
        ]
        match.save(update_fields=["stage", "coordinator", "trial_ends", "notes"])
        audit.record(actor, "sharing.homeshare." + stage, match, note=note)
        notify(
            [match.host.user, match.student.user],
            kind="sharing.homeshare",
            title=_("Home-share: %(s)s") % {"s": match.get_stage_display()},
            body=note,
        )
    return match
