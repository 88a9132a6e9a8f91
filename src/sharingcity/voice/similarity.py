"""Similar-proposal suggestions: word and character-bigram overlap, database-agnostic.

Korean words carry particles (버스를, 버스가, 버스는), so whole-word overlap misses obvious
duplicates; overlapping Hangul syllable bigrams catch them (the trigram idea of pg_trgm, scaled
down to Korean's dense syllables). Scores are Dice coefficients over the two feature sets, in
[0, 1]. Plain functions over strings: no Django here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"\w+", re.UNICODE)

#: Words too common in proposals to say anything about their subject.
STOP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "please",
        "should",
        "we",
        "our",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "city",
        "seoul",
        "서울",
        "서울시",
        "시",
        "제안",
        "제안합니다",
        "부탁드립니다",
        "합니다",
        "있습니다",
        "바랍니다",
        "좀",
        "더",
        "및",
        "등",
    ]
)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without stop words, NFC-normalised. O(len(text))."""
    text = unicodedata.normalize("NFC", text).casefold()
    return [w for w in _WORD.findall(text) if w not in STOP_WORDS and len(w) > 1]


def features(text: str) -> set[str]:
    """Words plus the syllable bigrams inside each word (so 버스를 shares 버스 with 버스가)."""
    out: set[str] = set()
    for w in words(text):
        out.add(w)
        if len(w) > 2:
            out.update("~" + w[i : i + 2] for i in range(len(w) - 1))
        else:
            out.add("~" + w)
    return out


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    """Dice similarity of two texts' features, in [0, 1]."""
    return dice(features(a), features(b))


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def stem(word: str) -> str:
    """Drop a trailing syllable from Korean words of three or more syllables, where a particle
    usually sits (버스를 -> 버스, 심야버스는 -> 심야버스), so prefix matching finds other forms."""
    if len(word) >= 3 and _is_hangul(word[-1]):
        return word[:-1]
    return word


def search_terms(text: str, *, limit: int = 6) -> list[str]:
    """The longest distinct word stems of ``text``: the ones worth asking the database about."""
    seen: dict[str, None] = {}
    for w in words(text):
        seen.setdefault(stem(w)[:12], None)
    return sorted(seen, key=len, reverse=True)[:limit]


def rank_similar(
    query: str, candidates: Iterable[tuple[int, str]], *, threshold: float = 0.2, limit: int = 5
) -> list[tuple[int, float]]:
    """Rank ``(id, text)`` candidates by similarity to ``query``; keep those above ``threshold``.

    O(n * m) for n candidates of m features each; the caller keeps n small (a few hundred)."""
    q = features(query)
    scored = [(pk, dice(q, features(text))) for pk, text in candidates]
    scored = [(pk, s) for pk, s in scored if s >= threshold]
    scored.sort(key=lambda p: (-p[1], -p[0]))
    return scored[:limit]
