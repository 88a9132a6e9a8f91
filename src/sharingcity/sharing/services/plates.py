"""Korean vehicle registration plates (자동차 등록번호판).

Current private plates read ``12가3456`` (2008-) or ``123가4567`` (2019-): two or three digits,
one Hangul syllable for the use, four digits. Older plates carry the region first
(``서울12가3456``). Commercial and rental plates use 아 바 사 자 and 허 하 호 (rental)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from sharingcity.core.errors import InvalidInput

# The syllables issued on plates: private (가–주 series), commercial, rental, diplomatic-free.
USE_SYLLABLES = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자배허하호"
REGIONS = (
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
)
PLATE = re.compile(
    rf"^(?P<region>{'|'.join(REGIONS)})?(?P<class>\d{{2,3}})(?P<use>[{USE_SYLLABLES}])(?P<serial>\d{{4}})$"
)


def normalise_plate(text: str) -> str:
    """Return the plate without spaces, or raise ``InvalidInput(code="invalid_plate")``."""
    plate = re.sub(r"[\s-]", "", text or "")
    m = PLATE.match(plate)
    if m is None or (m["region"] and len(m["class"]) != 2):
        raise InvalidInput(
            "invalid_plate",
            _("Give the vehicle's plate as on the car, e.g. 12가3456 or 123가4567."),
            {"given": (text or "")[:20]},
            field="vehicle_plate",
        )
    return plate
