"""Home-share pages: older hosts with a spare room and students sign up with their preferences;
the coordinator asks for suggestions, reads why each pair fits and takes a match through
interviews, a home visit, the agreement, the trial month and the follow-up. The software
suggests (``services.homeshare.check_propose``); the coordinator decides
(``check_advance``)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sharingcity.core import access

from . import rules, selectors
from .forms import AdvanceForm, HostForm, ProposeForm, StudentForm
from .models import HomeShareMatch
from .pages import posted, submit
from .services import homeshare
from .services.homeshare import HELP


def _forbidden(request):
    return render(request, "core/forbidden.html", status=403)


# ``matching.compatibility`` explains each pair in fixed English sentences (stored with the
# match); the pages say them in the reader's language.
REASONS = [
    (
        re.compile(r"^district is the student's choice no\. (?P<n>\d+) \(\+(?P<p>\d+)\)$"),
        lambda m: _("the district is the student's choice no. %(n)s (+%(p)s)") % m,
    ),
    (
        re.compile(r"^rent (?P<rent>\d+) within budget (?P<budget>\d+) \(\+(?P<p>\d+)\)$"),
        lambda m: _("rent %(rent)s KRW within the budget of %(budget)s KRW (+%(p)s)") % m,
    ),
    (
        re.compile(r"^same daily rhythm \(\+(?P<p>\d+)\)$"),
        lambda m: _("the same daily rhythm (+%(p)s)") % m,
    ),
    (
        re.compile(r"^different daily rhythms \(\+(?P<p>\d+)\)$"),
        lambda m: _("different daily rhythms (+%(p)s)") % m,
    ),
    (
        re.compile(r"^help offered that is wanted: (?P<help>.*) \(\+(?P<p>\d+)\)$"),
        lambda m: (
            _("help offered that the host wants: %(help)s (+%(p)s)")
            % {"help": _help_names(m["help"]), "p": m["p"]}
        ),
    ),
    (
        re.compile(r"^room free (?P<free>\S+), move-in (?P<move>\S+) \(\+(?P<p>\d+)\)$"),
        lambda m: _("the room is free on %(free)s, the student moves in on %(move)s (+%(p)s)") % m,
    ),
    (re.compile(r"^best overall assignment$"), lambda m: _("part of the best overall pairing")),
]


def _help_names(text: str) -> str:
    if text == "none":
        return _("none")
    return ", ".join(str(HELP.get(h.strip(), h.strip())) for h in text.split(","))


def explain(reason: str) -> str:
    for pattern, say in REASONS:
        m = pattern.match(reason)
        if m:
            return say(m.groupdict())
    return reason


def help_labels(codes: list[str]) -> str:
    return ", ".join(str(HELP.get(c, c)) for c in codes)


# --------------------------------------------------------------------------- hosts and students


def join(request):
    mine = selectors.homeshare_of(request.user)
    return render(
        request,
        "sharing/homeshare_join.html",
        mine,
    )


def _sign_up(request, *, form_class, initial, register, page):
    form = form_class(posted(request), initial=initial)
    done = submit(
        request,
        form,
        register,
        success=_("Saved. A coordinator will contact you."),
        to="sharing:homeshare",
    )
    if done:
        return done
    return render(
        request,
        "sharing/homeshare_signup.html",
        {"form": form, **page},
        status=400 if form.errors else 200,
    )


HOST_FIELDS = (
    "birth_year",
    "room",
    "rent",
    "available_from",
    "smoker",
    "pets",
    "early_riser",
    "help_wanted",
    "active",
)
STUDENT_FIELDS = (
    "university",
    "max_rent",
    "move_in",
    "smoker",
    "ok_with_pets",
    "early_riser",
    "help_offered",
    "active",
)


@login_required
def host(request):
    instance = selectors.homeshare_of(request.user)["host"]
    if instance is not None:
        initial = {f: getattr(instance, f) for f in HOST_FIELDS}
        initial["district"] = instance.district.code
    else:
        profile = access.resident_profile(request.user)
        initial = (
            {"district": profile.district.code, "birth_year": profile.birth_year} if profile else {}
        )
    return _sign_up(
        request,
        form_class=HostForm,
        initial=initial,
        register=homeshare.check_register_host,
        page={
            "title": _("Offer a room to a student"),
            "intro": _(
                "Tell us about the room and how you live; a coordinator reads it before "
                "suggesting anyone."
            ),
            "form_id": "host-form",
        },
    )


@login_required
def student(request):
    instance = selectors.homeshare_of(request.user)["student"]
    initial = {}
    if instance is not None:
        initial = {f: getattr(instance, f) for f in STUDENT_FIELDS}
        initial.update({f"district_{i}": c for i, c in enumerate(instance.districts, start=1)})
    return _sign_up(
        request,
        form_class=StudentForm,
        initial=initial,
        register=homeshare.check_register_student,
        page={
            "title": _("Look for a room with an older host"),
            "intro": _("Choose up to three districts in order of preference."),
            "form_id": "student-form",
        },
    )


# --------------------------------------------------------------------------- the coordinator


@login_required
def coordinator(request):
    if not rules.is_coordinator(request.user):
        return _forbidden(request)
    form = ProposeForm(posted(request))
    done = submit(
        request,
        form,
        homeshare.check_propose,
        success=lambda made: _("%(n)d new suggestions.") % {"n": len(made)},
        to="sharing:homeshare-coordinator",
    )
    if done:
        return done
    stage = request.GET.get("stage", "")
    if stage not in HomeShareMatch.Stage.values:
        stage = ""
    page = Paginator(selectors.homeshare_matches(stage), 50).get_page(request.GET.get("page"))
    for m in page:
        m.reasons = [explain(r) for r in m.explanation]
    return render(
        request,
        "sharing/homeshare_coordinator.html",
        {
            "form": form,
            "page": page,
            "stage": stage,
            "stages": HomeShareMatch.Stage.choices,
            "query": urlencode({"stage": stage}) if stage else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
def people(request, who: str):
    if not rules.is_coordinator(request.user):
        return _forbidden(request)
    qs = selectors.homeshare_hosts() if who == "hosts" else selectors.homeshare_students()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if who == "hosts":
        for p in page:
            p.help_shown = help_labels(p.help_wanted)
    else:
        codes = sorted({c for p in page for c in p.districts})
        names = dict(zip(codes, selectors.district_names(codes), strict=True))
        for p in page:
            p.help_shown = help_labels(p.help_offered)
            p.district_names = [names.get(c, c) for c in p.districts]
    return render(request, "sharing/homeshare_people.html", {"page": page, "who": who})


@login_required
def match_detail(request, pk: int):
    if not rules.is_coordinator(request.user):
        return _forbidden(request)
    match = get_object_or_404(
        HomeShareMatch.objects.select_related(
            "host__user", "host__district", "student__user", "coordinator"
        ),
        pk=pk,
    )
    allowed = homeshare.FLOW.get(match.stage, ())
    form = AdvanceForm(posted(request), allowed=allowed) if allowed else None
    if form is not None:
        done = submit(
            request,
            form,
            homeshare.check_advance,
            success=lambda m: _("The match is now at: %(s)s.") % {"s": m.get_stage_display()},
            to=reverse("sharing:homeshare-match", args=[match.pk]),
            match=match,
        )
        if done:
            return done
    others = (
        selectors.homeshare_matches(HomeShareMatch.Stage.PROPOSED)
        .filter(host=match.host)
        .exclude(pk=match.pk)[:10]
    )
    return render(
        request,
        "sharing/homeshare_match.html",
        {
            "match": match,
            "form": form,
            "reasons": [explain(r) for r in match.explanation],
            "notes": selectors.homeshare_notes(match),
            "host_help": help_labels(match.host.help_wanted),
            "student_help": help_labels(match.student.help_offered),
            "student_districts": selectors.district_names(match.student.districts),
            "others": others,
        },
        status=400 if form is not None and form.errors else 200,
    )
