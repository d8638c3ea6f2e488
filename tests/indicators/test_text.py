from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import clean_text, normalise
from indicators._text import _TOKENS, OffsetMap, clean_and_encode, decode_normalised, parse_pattern

SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # hypothesis: no lone surrogates


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Belarus\u00a0 moves\t\ttroops\n", "Belarus moves troops"),
        ("<p>Minsk</p><p>denies</p>", "Minsk denies"),
        ("<b>Luka</b>shenko", "Lukashenko"),
        ("Tom &amp; Jerry &nbsp;&laquo;Zapad&raquo;", "Tom & Jerry «Zapad»"),
        ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;", "bold"),
        ("a < b and c > d", "a < b and c > d"),
        ("AT&T", "AT&T"),
        ("Lu\u00adka\u200bshen\ufeffko", "Lukashenko"),
        ("Bie\u0301lorussie", "Biélorussie"),
        ("<script>var x = '<b>';</script>Minsk<!-- comment -->", "Minsk"),
        ("line\u2028break\u3000wide\u2009thin", "line break wide thin"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(
    st.text(
        alphabet=st.sampled_from(list("ab <>/&;#x1lt pamp\u00a0\u00ad\u0301e\n")) | st.characters(),
        max_size=60,
    )
)
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Łukaszenka", "lukaszenka"),
        ("BIÉLORUSSIE", "bielorussie"),
        ("Weißrussland", "weissrussland"),
        ("manœuvres", "manoeuvres"),
        ("Ёлка", "елка"),
        ("Майдан", "майдан"),  # й stays й
        ("Київ", "київ"),  # ї stays ї
        ("ўступіць", "уступіць"),
        ("won’t", "won t"),
        ("Zapad-2025", "zapad 2025"),
        ("Zapad–2025", "zapad 2025"),
        ("«Запад»", " запад "),
        ("Baltarusijos kariuomenė", "baltarusijos kariuomene"),
        ("Lukašenka", "lukasenka"),
    ],
)
def test_normalise(text: str, normal: str) -> None:
    assert normalise(clean_text(text)) == normal


CHARS = st.characters(exclude_categories=SURROGATES)
# the letters the one-byte fast path knows, plus others that force the word-cache path
LATIN_CYRILLIC = st.sampled_from(list("aZ09 -’«»—…éÉçąŁłėŠšäÖßœЁёЙйЇїЎўҐґАяІі\u0301ǅİﬁ,.!?"))


@given(st.text(alphabet=LATIN_CYRILLIC | CHARS, max_size=80))
def test_fast_and_word_cache_paths_agree(text: str) -> None:
    clean = clean_text(text)
    expected = " ".join(_TOKENS[token] for token in clean.split(" "))
    assert normalise(clean) == expected


@given(st.text(alphabet=LATIN_CYRILLIC | CHARS, max_size=80))
def test_offset_map_slices_every_word(text: str) -> None:
    clean = clean_text(text)
    norm = normalise(clean)
    offsets = OffsetMap(clean)
    position = 0
    for word in norm.split():
        start = norm.index(word, position)
        end = start + len(word)
        position = end
        original = clean[offsets.start(start) : offsets.end(end)]
        # the original slice normalises to the word, give or take marks that vanish at its edges
        assert normalise(original).strip() == word


def test_offset_map_irregular_characters() -> None:
    clean = "Die Straße nach Weißrussland, Лукаше\u0301нко"
    norm = normalise(clean)
    offsets = OffsetMap(clean)
    start = norm.index("weissrussland")
    assert clean[offsets.start(start) : offsets.end(start + len("weissrussland"))] == "Weißrussland"
    start = norm.index("лукашенко")
    assert clean[offsets.start(start) : offsets.end(start + len("лукашенко"))] == "Лукаше\u0301нко"


@pytest.mark.parametrize(
    ("term", "words", "prefix"),
    [
        ("Lukashenk*", ("lukashenk",), True),
        ('"sent to"', ("sent", "to"), False),
        ("sent to", ("sent", "to"), False),
        ('"Zapad 202*"', ("zapad", "202"), True),
        ("Zapad-2025", ("zapad", "2025"), False),
        ("won't", ("won", "t"), False),
        ("n'", ("n",), False),
        ("Łukaszenk*", ("lukaszenk",), True),
        ("  Minsk  ", ("minsk",), False),
    ],
)
def test_parse_pattern(term: str, words: tuple[str, ...], prefix: bool) -> None:
    pattern = parse_pattern(term)
    assert (pattern.words, pattern.prefix) == (words, prefix)


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("", "no letters or digits"),
        ("*", "no letters or digits"),
        ("--", "no letters or digits"),
        ("\u0301", "no letters or digits"),
        ("dep*loy", "only allowed at the very start"),
        ("deploy**", "only allowed at the very start"),
        ("**deploy", "only allowed at the very start"),
        ("*gas*", "compound part"),
        ("*-drohn", "must directly precede a letter"),
        ('"sent to', "unbalanced or inner double quote"),
        ('say "no"', "unbalanced or inner double quote"),
        ("Zapad-*", "must directly follow a letter or digit"),
        ("Zapad *", "must directly follow a letter or digit"),
        ("a*", "at least 2 letters"),
    ],
)
def test_parse_pattern_rejects(term: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pattern(term)


def test_nfc_and_nfd_input_normalise_alike() -> None:
    composed = "Biélorussie, Майдан, ёлка"
    decomposed = unicodedata.normalize("NFD", composed)
    assert normalise(clean_text(decomposed)) == normalise(clean_text(composed))


HTMLISH = st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<br/>", '<a href="x">', "</a>", "&nbsp;", "&amp;", "&amp;lt;i&amp;gt;",
     "&shy;", "&#769;", "&#9;", "<!-- c -->", "<script>x</script>", "  ", " ", "\u00a0", "\x00", "ß", "œ",
     "Æ", "a < b"]
)  # fmt: skip
WORDS = st.sampled_from(["Minsk", "Лукашенко", "Biélorussie", "Weißrussland", "kariuomenė", "Łódź", "x"])


@given(st.lists(HTMLISH | WORDS | st.text(max_size=3), max_size=12))
def test_fast_path_cleans_and_normalises_like_the_general_one(parts: list[str]) -> None:
    raw = "".join(parts)
    clean, encoded = clean_and_encode(raw)
    assert clean == clean_text(raw)
    if encoded is not None:
        assert decode_normalised(encoded) == normalise(clean)
