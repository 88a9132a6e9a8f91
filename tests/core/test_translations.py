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


@pytest.mark.django_db(transaction=True)
def test_panel_page_names_features_and_summary_in_korean(client):
    from sharingcity.budgeting import panels
    from sharingcity.budgeting.models import Panel
    from tests import factories as f

    admin = f.bureau_admin()
    panel = panels.check_create_panel(actor=admin, title="Panel", size=4, seed_source="Lotto")
    pool = "id,gender,age\n" + "\n".join(
        f"r{i},{'female' if i % 2 else 'male'},{'young' if i % 3 else 'old'}" for i in range(20)
    )
    panels.check_import_pool(actor=admin, panel=panel, data=pool)
    quotas = [{"feature": "gender", "value": g, "min": 2, "max": 2} for g in ("female", "male")]
    panels.check_set_quotas(actor=admin, panel=panel, quotas=quotas)
    panels.check_publish_lottery(actor=admin, panel=panel)  # runs inline under tests
    panels.check_draw(actor=admin, panel=Panel.objects.get(pk=panel.pk), seed="3 11 19 27 38 42")
    page = client.get(f"/ko/budget/panels/{panel.pk}/").text
    # the volunteer form's words for its own features; the answers of the volunteers are counted
    assert "<td>성별</td><td>여성</td>" in page and "<td>gender</td>" not in page
    assert "중앙값" in page and "최저 확률인 지원자 수" in page and "at_minimum" not in page
    assert '<th scope="row">지원자 수</th><td>20</td>' in page


def test_one_english_message_has_one_korean_translation_across_apps():
    """Django looks a message up in one merged catalogue (the project's, then the apps' in
    INSTALLED_APPS order): when two apps translate the same English (and context) differently,
    one of them silently shows the other's Korean. Words that mean different things in different
    places need a context (``pgettext``, ``{% translate ... context ... %}``)."""
    seen: dict[tuple, dict[str, str]] = {}
    for path in [
        ROOT / "locale/ko/LC_MESSAGES/django.po",
        *ROOT.glob("*/locale/ko/LC_MESSAGES/django.po"),
    ]:
        for m in _read(path):
            if m.id and isinstance(m.id, str):
                seen.setdefault((m.context, m.id), {})[path.parts[-5]] = m.string
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not clashes, "\n".join(f"{k}: {v}" for k, v in sorted(clashes.items(), key=str))
