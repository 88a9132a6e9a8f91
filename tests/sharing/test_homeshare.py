from __future__ import annotations

from datetime import date

import pytest

from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.sharing import matching
from sharingcity.sharing.models import HomeShareHost, HomeShareMatch, HomeShareStudent
from sharingcity.sharing.services import homeshare
from tests import factories as f


def H(i, **kw):
    base = dict(
        id=i,
        district="jongno",
        rent=250000,
        smoker=False,
        pets=False,
        early_riser=True,
        help_wanted=("shopping", "technology"),
        available_from=date(2030, 3, 1),
    )
    base.update(kw)
    return matching.Host(**base)


def S(i, **kw):
    base = dict(
        id=i,
        districts=("jongno", "mapo"),
        max_rent=300000,
        smoker=False,
        ok_with_pets=True,
        early_riser=True,
        help_offered=("technology",),
        move_in=date(2030, 3, 10),
    )
    base.update(kw)
    return matching.Student(**base)


@pytest.mark.parametrize(
    ("host", "student", "why"),
    [
        (H(1, district="gangnam"), S(1), "district"),
        (H(1, rent=400000), S(1), "budget"),
        (H(1, smoker=True), S(1), "smokes"),
        (H(1, pets=True), S(1, ok_with_pets=False), "pets"),
    ],
)
def test_hard_rules_exclude(host, student, why):
    c = matching.compatibility(host, student)
    assert c.score == 0 and why in c.excluded


def test_score_is_explained_and_ordered():
    good = matching.compatibility(H(1), S(1))
    worse = matching.compatibility(H(1), S(1, districts=("mapo", "jongno"), early_riser=False))
    assert good.score > worse.score > 0
    assert len(good.reasons) == 5 and "choice no. 1" in good.reasons[0]


def test_shortlist_uses_max_weight_assignment():
    # host 1 fits both students, host 2 only student 1: the best assignment gives host 2
    # student 1 and host 1 student 2 (greedy would pair host 1 with student 1 and strand host 2)
    hosts = [H(1), H(2, district="mapo")]
    students = [S(1), S(2, districts=("jongno",))]
    best = [(h, s) for h, s, _c, b in matching.shortlist(hosts, students) if b]
    assert sorted(best) == [(1, 2), (2, 1)]
    assert matching.shortlist([], students) == []


@pytest.mark.django_db
def test_coordinator_workflow():
    d = f.district()
    f.district("mapo", name_ko="마포구", name_en="Mapo-gu")
    host = HomeShareHost.objects.create(
        user=f.resident(),
        district=d,
        birth_year=1950,
        rent=250000,
        room="방",
        help_wanted=["technology"],
        available_from=date(2030, 3, 1),
    )
    HomeShareStudent.objects.create(
        user=f.resident(),
        university="서울대",
        districts=["jongno"],
        max_rent=300000,
        early_riser=True,
        help_offered=["technology"],
        move_in=date(2030, 3, 5),
    )
    with pytest.raises(NotAllowed):
        homeshare.check_propose(actor=f.resident())
    coordinator = f.officer()
    made = homeshare.check_propose(actor=coordinator)
    assert len(made) == 1 and made[0].host_id == host.pk
    assert homeshare.check_propose(actor=coordinator) == []  # proposals are not duplicated
    m = HomeShareMatch.objects.get()
    with pytest.raises(Conflict):
        homeshare.check_advance(actor=coordinator, match=m, stage="trial")
    for stage in ("interview", "home_visit", "agreement", "trial"):
        homeshare.check_advance(actor=coordinator, match=m, stage=stage, note=stage)
    assert m.trial_ends is not None and len(m.notes) == 4
    with pytest.raises(InvalidInput):
        m2 = HomeShareMatch(stage="proposed")
        homeshare.check_advance(actor=coordinator, match=m2, stage="declined", note="")


@pytest.mark.django_db
def test_sign_up_rules():
    d = f.district()
    young = f.resident()
    kw = dict(district=d, rent=200000, room="방", available_from=date(2030, 3, 1))
    with pytest.raises(InvalidInput) as e:
        homeshare.check_register_host(actor=young, birth_year=1990, **kw)
    assert e.value.code == "too_young" and e.value.field == "birth_year"
    with pytest.raises(NotAllowed):
        homeshare.check_register_host(actor=f.user(), birth_year=1950, **kw)
    with pytest.raises(InvalidInput) as e:
        homeshare.check_register_host(actor=young, birth_year=1950, help_wanted=["golf"], **kw)
    assert e.value.code == "invalid_help"
    host = homeshare.check_register_host(actor=young, birth_year=1950, **kw)
    again = homeshare.check_register_host(actor=young, birth_year=1950, **{**kw, "rent": 1})
    assert again.pk == host.pk and again.rent == 1
    with pytest.raises(Conflict):
        homeshare.check_register_student(
            actor=young, university="U", districts=["jongno"], max_rent=1, move_in=date.today()
        )
    student = dict(university="U", max_rent=1, move_in=date.today())
    for districts, code in [
        ([], "districts_required"),
        (["jongno", "jongno"], "invalid_districts"),
        (["jongno", "a", "b", "c"], "invalid_districts"),
        (["atlantis"], "unknown_district"),
    ]:
        with pytest.raises(InvalidInput) as e:
            homeshare.check_register_student(actor=f.user(), districts=districts, **student)
        assert e.value.code == code
    with pytest.raises(InvalidInput):
        homeshare.check_register_student(
            actor=f.user(), districts=["jongno"], **{**student, "max_rent": -1}
        )
