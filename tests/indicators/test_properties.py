"""Invariants of the matcher, checked on generated texts built from the fixture's own terms."""

from __future__ import annotations

import unicodedata
from typing import Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import IndicatorSet, Matcher, MatchResult, clean_text, load_indicators, normalise
from indicators._text import parse_pattern
from tests.helpers import BASIC, assert_spans, fired

SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # hypothesis: no lone surrogates

SET: IndicatorSet = load_indicators([BASIC], include_shipped=False)
MATCHER = Matcher(SET)
ALL_TERMS = sorted(
    {t for v in SET.vocabularies.values() for t in v.terms}
    | {t for i in SET.indicators.values() for v in i.vocabularies.values() for t in v.terms}
    | set(SET.negation.cues.terms)
)
ENDINGS = ["", "", "o", "a", "ian", "ом", "ы", "ę", "ų", "en"]
# Letters no term contains, so words made of them can neither match nor complete a phrase.
FILLER = st.text(alphabet="qxyQXYщъюЩ", min_size=1, max_size=8)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def realised_term(draw: st.DrawFn) -> str:
    term = draw(st.sampled_from(ALL_TERMS)).strip('"')
    if term.endswith("*"):
        term = term[:-1] + draw(st.sampled_from(ENDINGS))
    return term


WORDS = st.lists(st.one_of(realised_term(), FILLER, st.sampled_from([",", ".", "—", "«", "»"])), max_size=25)


def texts() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({"title": WORDS.map(" ".join), "summary": WORDS.map(" ".join)})


def facts(result: MatchResult) -> list[tuple[object, ...]]:
    """What a match says, without character offsets (which move when text is added before)."""
    return [
        (m.indicator_id, m.polarity, m.via_negation, tuple((e.field, e.term, e.text) for e in m.evidence))
        for m in result.matches
    ]


@SETTINGS
@given(texts(), st.lists(FILLER, min_size=1, max_size=6), st.lists(FILLER, min_size=1, max_size=6))
def test_text_outside_the_terms_changes_nothing(
    fields: dict[str, str], before: list[str], after: list[str]
) -> None:
    result = MATCHER.match(fields)
    padded = {
        "title": " ".join(before) + " " + fields["title"],
        "summary": fields["summary"] + " " + " ".join(after),
    }
    assert facts(MATCHER.match(padded)) == facts(result)


@SETTINGS
@given(texts(), st.data())
def test_markup_and_spacing_between_words_change_nothing(fields: dict[str, str], data: st.DataObject) -> None:
    result = MATCHER.match(fields)
    noise = st.sampled_from(
        [" ", "  ", "\u00a0", "\t\n", " <b> ", " </p><p> ", "&nbsp;", " &#8201; ", "\u2009"]
    )
    title = "".join(data.draw(noise) if char == " " else char for char in fields["title"])
    changed = MATCHER.match({"title": title, "summary": fields["summary"]})
    assert facts(changed) == facts(result)


SENTENCES = [
    "Belarusian troops were deployed to the border with Ukraine on Tuesday",
    "Des troupes biélorusses déployées près de la frontière ukrainienne",
    "Минобороны Беларуси направило войска к границе с Украиной",
    "Білорусь перекинула війська до кордону з Україною",
    "Беларусь перакідвае войскі да мяжы з Украінай",
    "Białoruś wysłała wojska w pobliże granicy z Ukrainą",
    "Baltarusija dislokuoja karius Ukrainos pasienyje",
    "Weißrussland wird nicht in den Krieg eintreten",
    "La Biélorussie n’entrera jamais dans la guerre, assure Minsk",
    "Łukaszenka grozi Polsce",
    "Lukašenka grasina kaimynams",
    "Zapad-2025: Лукашенко угрожает соседям",
]


def strip_latin_accents(text: str) -> str:
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)
        out.append(base[0] if base[0].isascii() and base[0].isalpha() else char)
    return "".join(out)


@SETTINGS
@given(st.sampled_from(SENTENCES), st.data())
def test_case_accent_and_space_variants_match_alike(sentence: str, data: st.DataObject) -> None:
    expected = fired(MATCHER.match({"title": sentence}))
    assert expected
    words = []
    for word in sentence.split(" "):
        case = data.draw(st.sampled_from([str.upper, str.lower, str.title, str.casefold, lambda w: w]))
        words.append(case(word))
    text = "".join(
        word + data.draw(st.sampled_from([" ", "\u00a0", "   ", "\n", "\u2009", "&nbsp;"])) for word in words
    )
    if data.draw(st.booleans()):
        text = strip_latin_accents(text)
    if data.draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    assert fired(MATCHER.match({"title": text})) == expected


def group_present(norm_words: list[str], terms: tuple[str, ...]) -> bool:
    for term in terms:
        pattern = parse_pattern(term)
        n = len(pattern.words)
        for i in range(len(norm_words) - n + 1):
            window = norm_words[i : i + n]
            if window[:-1] == list(pattern.words[:-1]) and (
                window[-1].startswith(pattern.words[-1])
                if pattern.prefix
                else window[-1] == pattern.words[-1]
            ):
                return True
    return False


@SETTINGS
@given(texts())
def test_a_rule_never_fires_without_every_group(fields: dict[str, str]) -> None:
    result = MATCHER.match(fields)
    words = normalise(clean_text(fields["title"]) + " \x00 " + clean_text(fields["summary"])).split()
    for match in result.matches:
        indicator = SET.indicators[match.via_negation or match.indicator_id]
        for name in indicator.rule.all:
            vocabulary = indicator.vocabularies.get(name) or SET.vocabularies[name]
            assert group_present(words, vocabulary.terms), (match.indicator_id, name)
        for name in indicator.rule.none:
            vocabulary = indicator.vocabularies.get(name) or SET.vocabularies[name]
            assert not group_present(words, vocabulary.terms)


NOISY = st.text(
    alphabet=st.characters(exclude_categories=SURROGATES) | st.sampled_from(list("ßœ\u0301İﬁ’— ")), max_size=4
)


@SETTINGS
@given(
    st.lists(st.one_of(realised_term(), NOISY), max_size=20),
    st.lists(st.one_of(realised_term(), NOISY), max_size=20),
)
def test_evidence_always_slices_the_cleaned_field(title: list[str], summary: list[str]) -> None:
    fields = {"title": " ".join(title), "summary": " ".join(summary)}
    assert_spans(fields, MATCHER.match(fields))
