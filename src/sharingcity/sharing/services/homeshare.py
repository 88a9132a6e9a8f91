"""Home-share: the coordinator's workflow around the suggested shortlist."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import District, User
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
HOST_MIN_AGE = 60  # the hosts are older residents with a spare room
MAX_DISTRICTS = 3
HELP = {
    "shopping": gettext_lazy("Shopping"),
    "technology": gettext_lazy("Phones and computers"),
    "cleaning": gettext_lazy("Cleaning"),
    "company": gettext_lazy("Company and conversation"),
    "cooking": gettext_lazy("Cooking"),
}


def _check_help(values: list[str], field: str) -> list[str]:
    unknown = [v for v in values if v not in HELP]
    if unknown:
        raise InvalidInput(
            "invalid_help",
            _("Unknown kinds of help: %(h)s.") % {"h": ", ".join(unknown)},
            {"allowed": list(HELP)},
            field=field,
        )
    return list(dict.fromkeys(values))


def _check_rent(amount: int, field: str) -> int:
    if amount < 0:
        raise InvalidInput("invalid_rent", _("The rent cannot be negative."), field=field)
    return amount


def check_register_host(
    *,
    actor: User,
    district: District,
    birth_year: int,
    rent: int,
    room: str,
    available_from: date,
    smoker: bool = False,
    pets: bool = False,
    early_riser: bool = True,
    help_wanted: list[str] | None = None,
    active: bool = True,
    today: date | None = None,
) -> HomeShareHost:
    """An older resident offers a spare room (or changes what they offered)."""
    today = today or timezone.localdate()
    access.require_login(actor)
    if access.resident_profile(actor) is None:
        raise NotAllowed(_("Only residents of the city may host."), code="not_a_resident")
    if HomeShareStudent.objects.filter(user=actor, active=True).exists():
        raise Conflict("already_student", _("You are signed up as a student already."))
    if not 1900 <= birth_year <= today.year - HOST_MIN_AGE:
        raise InvalidInput(
            "too_young",
            _("Hosts are %(n)d years old or older.") % {"n": HOST_MIN_AGE},
            field="birth_year",
        )
    if not room.strip():
        raise InvalidInput("room_required", _("Describe the room."), field="room")
    values = {
        "district": district,
        "birth_year": birth_year,
        "rent": _check_rent(rent, "rent"),
        "room": room.strip()[:300],
        "smoker": smoker,
        "pets": pets,
        "early_riser": early_riser,
        "help_wanted": _check_help(help_wanted or [], "help_wanted"),
        "available_from": available_from,
        "active": active,
    }
    host, _created = HomeShareHost.objects.update_or_create(user=actor, defaults=values)
    return host


def check_register_student(
    *,
    actor: User,
    university: str,
    districts: list[str],
    max_rent: int,
    move_in: date,
    smoker: bool = False,
    ok_with_pets: bool = True,
    early_riser: bool = False,
    help_offered: list[str] | None = None,
    active: bool = True,
) -> HomeShareStudent:
    """A student looking for a room says where, for how much and what help they offer."""
    access.require_login(actor)
    if HomeShareHost.objects.filter(user=actor, active=True).exists():
        raise Conflict("already_host", _("You are signed up as a host already."))
    if not university.strip():
        raise InvalidInput("university_required", _("Name your university."), field="university")
    codes = [c for c in districts if c]
    if not codes:
        raise InvalidInput(
            "districts_required", _("Choose at least one district."), field="districts"
        )
    if len(codes) > MAX_DISTRICTS or len(set(codes)) != len(codes):
        raise InvalidInput(
            "invalid_districts",
            _("Choose up to %(n)d different districts.") % {"n": MAX_DISTRICTS},
            field="districts",
        )
    known = set(District.objects.filter(code__in=codes).values_list("code", flat=True))
    if known != set(codes):
        raise InvalidInput("unknown_district", _("Unknown district."), field="districts")
    values = {
        "university": university.strip()[:200],
        "districts": codes,
        "max_rent": _check_rent(max_rent, "max_rent"),
        "smoker": smoker,
        "ok_with_pets": ok_with_pets,
        "early_riser": early_riser,
        "help_offered": _check_help(help_offered or [], "help_offered"),
        "move_in": move_in,
        "active": active,
    }
    student, _created = HomeShareStudent.objects.update_or_create(user=actor, defaults=values)
    return student


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
