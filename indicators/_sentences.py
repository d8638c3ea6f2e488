"""Sentence and clause boundaries, as word positions of the matcher's normalised text.

Normalisation turns punctuation into spaces, so boundaries are found in the cleaned fields and
carried over to word indexes. A *sentence* ends at ``.``, ``!``, ``?`` or ``…`` followed by space
and a capital letter, digit or opening quote, unless the word before the stop is a single letter
("U.S.", "A. Lukashenko"), a number (German, Latvian and Lithuanian write ordinals and dates as
"10. September", "2025. gada") or a common abbreviation. A *clause* also ends at a comma, semicolon,
colon, bracket or a dash between spaces. Each field (title, summary) is a sentence of its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from indicators._text import SEPARATOR, OffsetMap

_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"»”’)\]]*\s+[\"«„“(]*(?=\w)")
# A comma before "that" / "что" / "że" / "dass" / "que" / "kad" / "ka" opens the object of the verb
# before it ("did not say, that ..."), not a side clause: it is no boundary.
_COMPLEMENTISERS = "that|что|чтобы|що|щоб|што|каб|że|żeby|iż|dass|daß|ob|que|qu|kad|jog|ka|lai"
_CLAUSE_RE = re.compile(
    rf"[,](?!\d)(?!\s*(?:{_COMPLEMENTISERS})\b)|[;:](?!\d)|[()\[\]]|\s[-–—]\s", re.IGNORECASE
)
_WORD_BEFORE_RE = re.compile(r"(\w+)\W*$")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "sgt",
        "st",
        "vs",
        "etc",
        "no",
        "nr",
        "ca",
        "approx",
        "inc",
        "ltd",
        "jr",
        "sr",
        "hr",
        "fr",
        "dz",
        "ks",
        "pan",
        "np",
        "tzw",
        "ul",
        "gen",
        "plk",
        "ген",
        "г",
        "гг",
        "им",
        "ул",
        "ст",
        "тыс",
        "млн",
        "млрд",
        "др",
        "пр",
        "т.е",
        "z.b",
        "bzw",
        "vgl",
        "ggf",
        "u.a",
        "d.h",
        "nr",
        "s",
        "k",
        "pvz",
        "plg",
        "a.k",
    ]
)


class Boundaries:
    """Sentence and clause numbers of the words of one joined, normalised text."""

    __slots__ = ("_clauses", "_sentences")

    def __init__(self, text: str, cleaned: Sequence[str], field_starts: Sequence[int]) -> None:
        sentence_offsets: list[int] = []
        clause_offsets: list[int] = []
        for clean, start in zip(cleaned, field_starts, strict=True):
            mapping = OffsetMap(clean)
            for found in _SENTENCE_END_RE.finditer(clean):
                if _ends_sentence(clean, found.start(), found.end()):
                    sentence_offsets.append(start + mapping.to_norm(found.start()))
            for found in _CLAUSE_RE.finditer(clean):
                clause_offsets.append(start + mapping.to_norm(found.start()))
        separator = text.find(SEPARATOR)
        while separator >= 0:
            sentence_offsets.append(separator)
            separator = text.find(SEPARATOR, separator + 1)
        self._sentences = _words_before(text, sorted(sentence_offsets))
        self._clauses = _words_before(text, sorted({*sentence_offsets, *clause_offsets}))

    def sentence(self, word: int) -> int:
        return bisect_right(self._sentences, word)

    def clause(self, word: int) -> int:
        return bisect_right(self._clauses, word)


def _ends_sentence(clean: str, stop: int, after: int) -> bool:
    following = clean[after : after + 1]
    if not (following.isupper() or following.isdigit() or not following.isalpha()):
        return False
    before = _WORD_BEFORE_RE.search(clean[:stop])
    if before is None or clean[stop] != ".":
        return True
    word = before.group(1)
    return not (len(word) == 1 or word.isdigit() or word.lower() in _ABBREVIATIONS)


def _words_before(text: str, offsets: list[int]) -> list[int]:
    """For each offset (ascending), how many words of ``text`` lie wholly before it."""
    out: list[int] = []
    previous = 0
    words = 0
    for offset in offsets:
        segment = text[previous:offset]
        words += len(segment.split())
        # a word cut by the offset is not wholly before it
        if segment and not segment[-1].isspace() and offset < len(text) and not text[offset].isspace():
            words -= 1
        previous = offset
        out.append(words)
    return out
