"""Matching on sentences written for these tests, in the languages the feeds come in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import Evidence, IndicatorSet, Matcher, Polarity, load_indicators
from tests.helpers import assert_spans, fired

TROOPS = "by_troops_to_border"


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Belarusian troops were deployed to the border with Ukraine on Tuesday"),
        ("fr", "Des troupes biélorusses déployées près de la frontière ukrainienne"),
        ("ru", "Минобороны Беларуси направило войска к границе с Украиной"),
        ("uk", "Білорусь перекинула війська до кордону з Україною, повідомляє прикордонна служба"),
        ("be", "Беларусь перакідвае войскі да мяжы з Украінай"),
        ("pl", "Białoruś wysłała wojska w pobliże granicy z Ukrainą"),
        ("lt", "Baltarusija dislokuoja karius Ukrainos pasienyje"),
        ("de", "Belarussische Truppen an die Grenze zur Ukraine verlegt"),
    ],
)
def test_troop_movement_in_every_language(matcher: Matcher, lang: str, title: str) -> None:
    fields = {"title": title}
    result = matcher.match(fields)
    assert fired(result) == {TROOPS}, lang
    assert result.matches[0].polarity is Polarity.ESCALATION
    assert len(result.matches[0].evidence) == 4
    assert_spans(fields, result)


@pytest.mark.parametrize(
    "title",
    [
        "Lukashenko warns of a threat to the west",
        "Лукашенко угрожает соседям",
        "Лукашэнка казаў пра пагрозу з захаду",
        "Loukachenko menace ses voisins",
        "Łukaszenka grozi sąsiadom",
        "Lukašenka grasina kaimynams",
        "LUKASHENKO THREATENS NEIGHBOURS",
    ],
)
def test_lukashenko_in_each_script(matcher: Matcher, title: str) -> None:
    assert fired(matcher.match({"title": title})) == {"lukashenko_threat"}


@pytest.mark.parametrize(
    "title",
    [
        "Lukashenk threatens",  # the bare prefix is a word too
        "Lukashenkovich threatens",
    ],
)
def test_prefix_matches_the_prefix_itself_and_longer_words(matcher: Matcher, title: str) -> None:
    assert fired(matcher.match({"title": title})) == {"lukashenko_threat"}


def test_prefix_must_start_a_word(matcher: Matcher) -> None:
    assert matcher.match({"title": "Antilukashenko rally, threats made"}).matches == ()


def test_exact_term_needs_the_whole_word(matcher: Matcher) -> None:
    # "war" is an exact term: "warning" and "warsaw" are not wars
    assert matcher.match({"title": "Belarus joins the Warsaw warning system"}).matches == ()
    assert fired(matcher.match({"title": "Belarus joins the war"})) == {"by_joins_war"}


def test_evidence_spans_and_terms(matcher: Matcher) -> None:
    fields = {"title": "<b>Belarus</b> joins the WAR", "summary": "Officials in Minsk confirmed it."}
    result = matcher.match(fields)
    (match,) = result.matches
    assert match.evidence == (
        Evidence("title", 0, 7, "Bélarus", "Belarus"),  # the exact term before the prefix "Belarus*"
        Evidence("title", 8, 13, "join*", "joins"),
        Evidence("title", 18, 21, "war", "WAR"),
    )
    assert_spans(fields, result)


def test_prefix_evidence_covers_the_whole_word(matcher: Matcher) -> None:
    result = matcher.match({"title": "Лукашенко угрожает Западу"})
    assert [(e.term, e.text) for e in result.matches[0].evidence] == [
        ("Лукашенк*", "Лукашенко"),
        ("угрож*", "угрожает"),
    ]


def test_evidence_maps_through_irregular_characters(matcher: Matcher) -> None:
    fields = {"title": "Straße, Maß: Weißrussland tritt in den Krieg ein, sagt Lukaše\u0301nka"}
    result = matcher.match(fields)
    assert fired(result) == {"by_joins_war"}
    texts = [e.text for e in result.matches[0].evidence]
    assert texts == ["Weißrussland", "tritt in", "Krieg"]
    assert_spans(fields, result)


def test_groups_combine_across_fields(matcher: Matcher) -> None:
    fields = {"title": "Minsk makes a decision", "summary": "It will join the war, officials say."}
    result = matcher.match(fields)
    assert fired(result) == {"by_joins_war"}
    assert [e.field for e in result.matches[0].evidence] == ["title", "summary", "summary"]
    assert_spans(fields, result)


def test_phrase_does_not_span_two_fields(matcher: Matcher) -> None:
    split = {"title": "Belarusian soldiers were sent", "summary": "to the border near Brest"}
    joined = {"title": "Belarusian soldiers were sent to the border near Brest"}
    assert matcher.match(split).matches == ()
    assert fired(matcher.match(joined)) == {TROOPS}


def test_phrase_stops_at_punctuation_but_not_at_hyphens(matcher: Matcher) -> None:
    assert fired(matcher.match({"title": "Zapad-2025 begins"})) == {"zapad_exercise"}
    assert fired(matcher.match({"title": "Zapad–2025 begins"})) == {"zapad_exercise"}
    assert fired(matcher.match({"title": "Zapad 2025 begins"})) == {"zapad_exercise"}
    assert fired(matcher.match({"title": "Запад-2025 начались"})) == {"zapad_exercise"}
    result = matcher.match({"title": "Belarusian soldiers were sent, to the border"})
    assert result.matches == ()


@pytest.mark.parametrize(
    "title",
    [
        "Belarus\u00a0joins\u2009the\u00a0war",
        "Belarus&nbsp;joins the&#160;war",
        "Bela\u00adrus joins the war",
        "Belarus joins the <i>war</i>",
        "BELARUS JOINS THE WAR",
        "belarus joins the war",
    ],
)
def test_typography_never_breaks_a_match(matcher: Matcher, title: str) -> None:
    fields = {"title": title}
    result = matcher.match(fields)
    assert fired(result) == {"by_joins_war"}
    assert_spans(fields, result)


@pytest.mark.parametrize(
    "title",
    [
        "Lukashenko says Belarus won’t join the war",
        "Lukashenko says Belarus won't join the war",
        "Lukashenko says Belarus wonʼt join the war",
    ],
)
def test_apostrophe_variants_of_a_cue(matcher: Matcher, title: str) -> None:
    result = matcher.match({"title": title})
    assert "by_joins_war" not in fired(result)
    assert [s.cue.term for s in result.suppressed] == ["won't"]


def test_within_limits_the_window(matcher: Matcher) -> None:
    near = "Belarus will join the war"
    far = (
        "Belarus will, after months of talks, many statements and several summits with partners, join the war"
    )
    assert fired(matcher.match({"title": near})) == {"by_joins_war"}
    assert matcher.match({"title": far}).matches == ()


def test_within_counts_words_from_first_to_last(basic_set: IndicatorSet) -> None:
    # lukashenko_threat: within 8 -> the threat word may be the 8th word, not the 9th
    matcher = Matcher(basic_set)
    eight = "Lukashenko one two three four five six threatens"
    nine = "Lukashenko one two three four five six seven threatens"
    assert fired(matcher.match({"title": eight})) == {"lukashenko_threat"}
    assert matcher.match({"title": nine}).matches == ()


def test_none_vetoes_the_whole_item(matcher: Matcher) -> None:
    assert fired(matcher.match({"title": "Zapad-2025 drills continue near Grodno"})) == {"zapad_exercise"}
    ended = {"title": "Zapad-2025 drills continue", "summary": "Officially the exercises ended on Sunday."}
    assert matcher.match(ended).matches == ()
    assert matcher.match({"title": "Учения «Запад-2025» завершены: учения завершились в срок"}).matches == ()


# --- negation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "cue"),
    [
        ("en", "Lukashenko insists Belarus will never join the war", "never"),
        ("en", "Minsk denies it will join the war", "denies"),
        ("fr", "La Biélorussie n’entrera jamais dans la guerre, assure Minsk", "n'"),
        ("ru", "Минск не собирается вступать в войну", "не"),
        ("uk", "Білорусь не вступить у війну, заявили в Мінську", "не"),
        ("be", "Беларусь не ўступае ў вайну", "не"),
        ("pl", "Białoruś nie przyłączy się do wojny", "nie"),
        ("de", "Weißrussland wird nicht in den Krieg eintreten", "nicht"),
    ],
)
def test_negated_escalation_counts_for_the_counter_indicator(
    matcher: Matcher, lang: str, title: str, cue: str
) -> None:
    fields = {"title": title}
    result = matcher.match(fields)
    assert "by_joins_war" not in fired(result), lang
    (suppressed,) = [s for s in result.suppressed if s.indicator_id == "by_joins_war"]
    assert suppressed.cue.term == cue
    assert suppressed.counted_as == "by_stays_out"
    (stays_out,) = result.matches
    assert stays_out.indicator_id == "by_stays_out"
    assert stays_out.polarity is Polarity.DEESCALATION
    assert stays_out.via_negation == "by_joins_war"
    assert suppressed.cue in stays_out.evidence
    assert_spans(fields, result)


def test_direct_counter_match_stands(matcher: Matcher) -> None:
    result = matcher.match({"title": "Lukashenko says Belarus will not join the war"})
    (match,) = result.matches
    assert (match.indicator_id, match.via_negation) == ("by_stays_out", None)
    assert [(s.indicator_id, s.counted_as) for s in result.suppressed] == [("by_joins_war", "by_stays_out")]


@pytest.mark.parametrize(
    "title",
    [
        "Lukashenko does not threaten anyone, he says",
        "Лукашенко никому не угрожает",
        "Łukaszenka nie grozi Polsce",
        "Лукашенко нікому не погрожує",
    ],
)
def test_suppress_drops_a_negated_escalation(matcher: Matcher, title: str) -> None:
    result = matcher.match({"title": title})
    assert result.matches == ()
    (suppressed,) = result.suppressed
    assert (suppressed.indicator_id, suppressed.counted_as) == ("lukashenko_threat", None)


def test_negation_window_is_counted_in_words(matcher: Matcher) -> None:
    # window 5: the cue must be at most 5 words before the first trigger word
    inside = "Not one two three four Lukashenko threatens"
    outside = "Not one two three four five Lukashenko threatens"
    assert matcher.match({"title": inside}).matches == ()
    assert fired(matcher.match({"title": outside})) == {"lukashenko_threat"}


def test_cue_after_the_hit_does_not_negate(matcher: Matcher) -> None:
    assert fired(matcher.match({"title": "Lukashenko threatens Poland, not Lithuania"})) == {
        "lukashenko_threat"
    }


def test_unnegated_second_mention_fires(matcher: Matcher) -> None:
    text = "Lukashenko did not threaten Vilnius on Monday. On Tuesday Lukashenko threatened Warsaw."
    result = matcher.match({"title": text})
    assert fired(result) == {"lukashenko_threat"}
    assert [e.text for e in result.matches[0].evidence] == ["Lukashenko", "threatened"]
    assert result.suppressed == ()


def test_ignore_policy_fires_despite_a_cue(matcher: Matcher) -> None:
    # nuclear_in_belarus has negation: ignore
    assert fired(matcher.match({"title": "No, there are not any nuclear weapons in Belarus"})) == {
        "nuclear_in_belarus"
    }


def test_deescalation_terms_with_cue_words_are_not_negated(matcher: Matcher) -> None:
    # by_stays_out's own phrase contains "not"; de-escalation ignores negation by default
    result = matcher.match({"title": "Belarus will not join, Minsk says"})
    assert fired(result) == {"by_stays_out"}


def test_cue_inside_a_trigger_phrase_does_not_negate_it(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(
        "negation: {cues: [не, not]}\n"
        "indicators:\n  - id: hedged\n    label: x\n    polarity: escalation\n"
        "    terms: {who: [Минск], hedge: ['не исключает', 'does not rule out']}\n    all: [who, hedge]\n"
    )
    matcher = Matcher(load_indicators([path], include_shipped=False))
    assert fired(matcher.match({"title": "Минск не исключает удара"})) == {"hedged"}
    assert matcher.match({"title": "Минск не говорит, что не исключает"}).matches == ()


def test_empty_and_missing_fields(matcher: Matcher) -> None:
    assert matcher.match({}).matches == ()
    assert matcher.match({"title": "", "summary": "   "}).matches == ()
    assert fired(matcher.match({"title": "", "summary": "Belarus joins the war"})) == {"by_joins_war"}


def test_matcher_without_indicators(write_yaml: Callable[..., Path]) -> None:
    empty = Matcher(load_indicators([write_yaml("vocabularies:\n  x: [y]\n")], include_shipped=False))
    assert empty.match({"title": "y"}).matches == ()


def test_each_indicator_once_in_definition_independent_order(matcher: Matcher) -> None:
    text = "Belarus joins the war; Belarus joins the war again and Lukashenko threatens; nuclear Belarus"
    result = matcher.match({"title": text})
    ids = [m.indicator_id for m in result.matches]
    assert ids == sorted(set(ids)) == ["by_joins_war", "lukashenko_threat", "nuclear_in_belarus"]


def test_same_span_from_two_terms_is_reported_once(matcher: Matcher) -> None:
    # "Minsk" is both an exact term and under the Минск*/Mińsk* family: one evidence span
    result = matcher.match({"title": "Minsk joins the war"})
    assert [e.text for e in result.matches[0].evidence] == ["Minsk", "joins", "war"]


def test_negation_exceptions_keep_a_hedge_from_negating(write_yaml: Callable[..., Path]) -> None:
    """ "does not rule out" contains the cue "not" but hedges toward the escalation: with the phrase
    listed under negation.exceptions the hit fires; without it, it is suppressed."""
    base = (
        "vocabularies:\n"
        "  who: {terms: [Lukashenk*, Лукашенк*, Łukaszenk*]}\n"
        "  send: {terms: [send*, отправ*, wysła*]}\n"
        "  troops: {terms: [troops, войск*, wojsk*]}\n"
        "negation:\n  window: 5\n  cues: [not, не, nie]\n"
    )
    rule = (
        "indicators:\n  - id: sends_troops\n    label: x\n    polarity: escalation\n"
        "    description: x\n    source: x\n    all: [who, send, troops]\n    within: 10\n"
    )
    texts = [
        "Lukashenko does not rule out sending troops",
        "Лукашенко не исключает отправки войск",
        "Łukaszenka nie wyklucza wysłania wojsk",
    ]
    without = Matcher(load_indicators([write_yaml(base + rule, "a.yaml")], include_shipped=False))
    assert all(not without.match({"title": t}).matches for t in texts)
    hedges = '  exceptions: ["not rule out", "не исключает", "nie wyklucza"]\n'
    with_exceptions = load_indicators([write_yaml(base + hedges + rule, "b.yaml")], include_shipped=False)
    assert with_exceptions.fingerprint != without.indicators.fingerprint
    matcher = Matcher(with_exceptions)
    for text in texts:
        result = matcher.match({"title": text})
        assert fired(result) == {"sends_troops"} and result.suppressed == (), text
    # A plain negation next to the hedge-free wording still suppresses.
    assert matcher.match({"title": "Lukashenko will not send troops"}).matches == ()
