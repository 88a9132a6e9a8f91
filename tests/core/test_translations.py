"""The Korean catalogues of the project, core, budgeting and plans are complete and used.

Korean is the default language: an empty or fuzzy entry would show English on a Korean page, and a
lost placeholder would raise at run time or print a raw ``%(n)s``.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import sharingcity

ROOT = Path(sharingcity.__file__).parent
CATALOGUES = [
    ROOT / "locale/ko/LC_MESSAGES/django.po",
    ROOT / "core/locale/ko/LC_MESSAGES/django.po",
    ROOT / "budgeting/locale/ko/LC_MESSAGES/django.po",
    ROOT / "plans/locale/ko/LC_MESSAGES/django.po",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")


def _read(path: Path):
    with path.open("rb") as po:
        return read_po(po, locale="ko")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_korean_catalogue_is_complete(path):
    raw = path.read_text(encoding="utf-8")
    assert "Plural-Forms: nplurals=1; plural=0;" in raw and "Language: ko" in raw
    catalogue = _read(path)
    entries = [m for m in catalogue if m.id]
    assert entries, f"{path} has no entries"
    problems = []
    for m in entries:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if len(strings) != 1 or not strings[0]:
            problems.append(f"untranslated or not one plural form: {ids[0]!r}")
            continue
        if sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {ids[0]!r} -> {strings[0]!r}")
        if not re.search("[가-힣]", strings[0]) and strings[0] != ids[0]:
            problems.append(f"no Korean in {strings[0]!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "korean", "english"),
    [
        ("/{}/", "본문 바로가기", "Skip to content"),
        ("/{}/login/", "아직 계정이 없으십니까? 회원가입", "No account yet? Sign up"),
        ("/{}/budget/", "아직 주민참여예산 과정이 없습니다.", "No budget process yet."),
        ("/{}/budget/panels/", "아직 시민패널이 없습니다.", "No panel yet."),
    ],
)
def test_pages_speak_korean_and_english(client, url, korean, english):
    stale = [
        p
        for p in CATALOGUES
        if not p.with_suffix(".mo").exists()
        or p.with_suffix(".mo").stat().st_mtime < p.stat().st_mtime
    ]
    if stale:
        pytest.fail(
            f"compile the catalogues first (python -m sharingcity compile_translations): {stale}"
        )
    ko = client.get(url.format("ko"))
    en = client.get(url.format("en"))
    assert ko.status_code == en.status_code == 200
    assert korean in ko.text and english not in ko.text
    assert english in en.text and korean not in en.text
