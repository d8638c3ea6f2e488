"""Vocabularies by language, derived Belarusian spellings, compound parts, rule scope, clauses and
modality cues (denial, conditional, look back), near misses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import (
    SUPPORTED_LANGUAGES,
    CueKind,
    DefinitionError,
    IndicatorSet,
    Matcher,
    Polarity,
    coverage,
    coverage_warnings,
    load_indicators,
)
from indicators._languages import classical_variant, lacinka
from indicators._sentences import Boundaries
from indicators._text import normalise

Writer = Callable[..., Path]

CUES = """
negation:
  window: 5
  cues:
    en: ["not", "no"]
  denial:
    en: ["denies", "denied"]
  conditional:
    en: ["if", "would"]
  retrospective:
    en: ["a year ago", "in 2022"]
"""


def _set(write_yaml: Writer, indicators: str, vocabularies: str = "", cues: str = CUES) -> Matcher:
    text = cues + "\nvocabularies:\n" + (vocabularies or "  _unused:\n    terms: {en: ['zzzz']}\n")
    text += "\nindicators:\n" + indicators
    return Matcher(load_indicators([write_yaml(text)], include_shipped=False))


TROOPS = """
  - id: troops
    label: troops to the border
    polarity: escalation
    terms:
      actor: {en: ["Belarus*", "Lukashenko"]}
      move: {en: ["ordered", "sent", "moved"]}
      where: {en: ["border"]}
    all: [actor, move, where]
    within: {within}
    negation: {counter: calm}
  - id: calm
    label: calm
    polarity: deescalation
    terms:
      quiet: {en: ["quiet"]}
    all: [quiet]
"""


def _troops(write_yaml: Writer, within: str = "8", extra: str = "") -> Matcher:
    return _set(write_yaml, TROOPS.replace("{within}", within) + extra)


# --- vocabularies by language ---------------------------------------------------------------------


def test_terms_by_language_and_shared_keys(write_yaml: Writer) -> None:
    path = write_yaml(
        """
vocabularies:
  drone:
    terms:
      en: ["drone*"]
      "lt lv": ["dron*"]
      de: ["*drohn*"]
    no_terms:
      fr: "tested without French"
"""
    )
    vocabulary = load_indicators([path], include_shipped=False).vocabularies["drone"]
    assert vocabulary.languages["lt"] == vocabulary.languages["lv"] == ("dron*",)
    assert vocabulary.terms == ("drone*", "dron*", "*drohn*")
    assert dict(vocabulary.no_terms) == {"fr": "tested without French"}


@pytest.mark.parametrize(
    ("terms", "fragments"),
    [
        ('{xx: ["a1"]}', ["line 4", "'xx' is not a language code", "lv"]),
        ('{en: ["drone"]}\n    no_terms: {en: "none"}', ["lists terms for 'en'", "no_terms"]),
        ('["drone"]\n    no_terms: {lv: "none"}', ["'no_terms' needs the terms listed by language"]),
        ('{en: ["drone"]}\n    no_terms: {lv: 3}', ["reason", "non-empty string"]),
        ("{en: []}", ["non-empty list of terms"]),
    ],
)
def test_language_errors_name_file_and_line(write_yaml: Writer, terms: str, fragments: list[str]) -> None:
    path = write_yaml(f"\nvocabularies:\n  drone:\n    terms: {terms}\n")
    with pytest.raises(DefinitionError) as caught:
        load_indicators([path], include_shipped=False)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_coverage_reports_every_empty_cell(write_yaml: Writer) -> None:
    path = write_yaml(
        """
vocabularies:
  actor:
    terms: {"en de fr ru uk be pl lt": ["Belarus*"]}
  event:
    terms: {en: ["sent"]}
    no_terms: {"fr de ru uk be pl lt": "test", lv: "test"}
  plain: ["anything"]
indicators:
  - id: one
    label: one
    polarity: escalation
    all: [actor, event]
    none: [plain]
"""
    )
    rows = {row.vocabulary: row for row in coverage(load_indicators([path], include_shipped=False))}
    assert rows["actor"].empty() == ("lv",)
    assert rows["event"].empty() == ()
    assert rows["actor"].used_by == ("one",)
    warnings = coverage_warnings(tuple(rows.values()))
    assert any("'actor' has no terms in lv" in w for w in warnings)
    assert any("'plain' lists its terms without languages" in w for w in warnings)
    assert not any("'event'" in w for w in warnings)


def test_shipped_vocabularies_cover_every_language(shipped_indicators: IndicatorSet) -> None:
    """Every vocabulary a shipped indicator uses has terms in all nine languages, or says why not."""
    rows = coverage(shipped_indicators)
    gaps = {row.vocabulary: row.empty() for row in rows if row.empty() or not row.by_language}
    assert gaps == {}
    assert len(SUPPORTED_LANGUAGES) == 9


# --- Belarusian spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "classical"),
    [("свет", "сьвет"), ("снег", "сьнег"), ("пасля", "пасьля"), ("дзве", "дзьве"), ("войск*", None)],
)
def test_classical_spelling_marks_assimilated_softness(official: str, classical: str | None) -> None:
    assert classical_variant(official) == classical


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Лукашэнк*", "lukasenk*"),
        ("Беларус*", "bielarus*"),
        ("вайна", "vajna"),
        ("войск*", "vojsk*"),
        ("ляцяць", "laciac"),
        ("Ёсць", "josc"),
        ("Україна", None),  # not Belarusian letters
    ],
)
def test_lacinka_in_its_normalised_form(cyrillic: str, latin: str | None) -> None:
    assert lacinka(cyrillic) == latin


def test_belarusian_terms_read_all_three_spellings(write_yaml: Writer) -> None:
    matcher = _set(
        write_yaml,
        """
  - id: war
    label: war
    polarity: escalation
    terms:
      actor: {be: ["Лукашэнк*"]}
      world: {be: ["свет*"]}
    all: [actor, world]
""",
    )
    for text in ("Лукашэнка і свет", "Лукашэнка і сьвет", "Łukašenka i śviet"):
        assert [m.indicator_id for m in matcher.match({"title": text}).matches] == ["war"], text


# --- compound parts ------------------------------------------------------------------------------------


def test_compound_part_matches_inside_a_word_and_spans_the_word(write_yaml: Writer) -> None:
    matcher = _set(
        write_yaml,
        """
  - id: drones
    label: drones
    polarity: escalation
    terms:
      drone: {de: ["*drohn*"]}
      where: {de: ["Litauen"]}
    all: [drone, where]
""",
    )
    result = matcher.match({"title": "Kampfdrohnen über Litauen gesichtet"})
    assert [e.text for e in result.matches[0].evidence] == ["Kampfdrohnen", "Litauen"]
    assert matcher.match({"title": "Drohnenabwehr in Litauen"}).matches
    assert not matcher.match({"title": "Drohung gegen Litauen"}).matches


# --- scope ----------------------------------------------------------------------------------------------------


LONG = (
    "Belarus, the ministry said in a long statement read out on state television, moved troops to the border"
)


def test_sentence_scope_reaches_across_a_long_sentence_but_not_past_its_end(write_yaml: Writer) -> None:
    assert not _troops(write_yaml, "8").match({"title": "", "summary": LONG}).matches
    sentence = _troops(write_yaml, "sentence")
    assert [m.indicator_id for m in sentence.match({"summary": LONG}).matches] == ["troops"]
    split = "Belarus held talks today. Later, troops were moved to the border."
    assert not sentence.match({"summary": split}).matches
    assert _troops(write_yaml, "item").match({"summary": split}).matches


def test_sentence_boundaries_ignore_ordinals_initials_and_abbreviations() -> None:
    clean = "Am 10. September sagte A. Lukaschenko, die U.S. Armee sei da. Dann kam nichts."
    text = " " + normalise(clean) + " "
    boundaries = Boundaries(text, [clean], [1])
    words = text.split()
    last_of_first = words.index("da")
    assert boundaries.sentence(0) == boundaries.sentence(last_of_first)
    assert boundaries.sentence(words.index("dann")) == boundaries.sentence(0) + 1
    assert boundaries.clause(words.index("die")) == boundaries.clause(0) + 1


def test_item_scope_joins_title_and_summary(write_yaml: Writer) -> None:
    matcher = _troops(write_yaml, "item")
    assert matcher.match(
        {"title": "Lukashenko speaks", "summary": "Troops were moved to the border."}
    ).matches


# --- negation and clauses -----------------------------------------------------------------------------


def test_negation_does_not_cross_into_the_main_clause(write_yaml: Writer) -> None:
    matcher = _troops(write_yaml, "sentence")
    side = matcher.match({"title": "Lukashenko, who did not attend the summit, ordered troops to the border"})
    assert [m.indicator_id for m in side.matches] == ["troops"]
    main = matcher.match({"title": "Lukashenko has not ordered troops to the border"})
    assert [m.indicator_id for m in main.matches] == ["calm"]
    assert main.suppressed[0].kind is CueKind.NEGATION


def test_a_denial_credits_the_denial_counter(write_yaml: Writer) -> None:
    extra = """
  - id: denied
    label: denied
    polarity: deescalation
    terms:
      nothing: {en: ["zzzzz"]}
    all: [nothing]
"""
    matcher = _set(
        write_yaml,
        TROOPS.replace("{within}", "10").replace("{counter: calm}", "suppress\n    denial: {counter: denied}")
        + extra,
    )
    result = matcher.match({"title": "Minsk denies Belarus moved troops to the border"})
    assert [m.indicator_id for m in result.matches] == ["denied"]
    match = result.matches[0]
    assert match.polarity is Polarity.DEESCALATION
    assert match.modality is CueKind.DENIAL and match.cue is not None and match.cue.text == "denies"
    assert result.suppressed[0].counted_as == "denied"
    # a plain negation still follows the negation policy (suppress)
    assert not matcher.match({"title": "Belarus has not moved troops to the border"}).matches


def test_conditional_policy_suppresses_or_scales(write_yaml: Writer) -> None:
    text = {"title": "If Belarus moved troops to the border, Kyiv would answer"}
    assert [m.indicator_id for m in _troops(write_yaml).match(text).matches] == ["troops"]  # default ignore
    suppress = _set(
        write_yaml,
        TROOPS.replace("{within}", "8").replace(
            "polarity: escalation", "polarity: escalation\n    conditional: suppress", 1
        ),
    )
    result = suppress.match(text)
    assert not result.matches and result.suppressed[0].kind is CueKind.CONDITIONAL
    scaled = _set(
        write_yaml,
        TROOPS.replace("{within}", "8").replace(
            "polarity: escalation", "polarity: escalation\n    conditional: 0.5", 1
        ),
    )
    match = scaled.match(text).matches[0]
    assert (match.indicator_id, match.modality, match.factor) == ("troops", CueKind.CONDITIONAL, 0.5)


def test_a_look_back_suppresses_an_escalation_by_default(write_yaml: Writer) -> None:
    matcher = _troops(write_yaml, "sentence")
    result = matcher.match({"title": "A year ago Belarus moved troops to the border"})
    assert not result.matches and result.suppressed[0].kind is CueKind.RETROSPECTIVE
    after = matcher.match({"title": "Belarus moved troops to the border in 2022"})
    assert not after.matches
    assert matcher.match({"title": "Belarus moved troops to the border. Kyiv recalled it in 2022."}).matches


@pytest.mark.parametrize("value", ["sometimes", 0, 1, 1.5, True])
def test_modality_policy_errors(write_yaml: Writer, value: object) -> None:
    bad = TROOPS.replace("{within}", "8").replace(
        "polarity: escalation", f"polarity: escalation\n    conditional: {value}", 1
    )
    with pytest.raises(DefinitionError, match="conditional must be 'ignore', 'suppress' or a factor"):
        _set(write_yaml, bad)


def test_within_errors(write_yaml: Writer) -> None:
    with pytest.raises(DefinitionError, match="'sentence'"):
        _troops(write_yaml, "paragraph")


# --- near misses ----------------------------------------------------------------------------------------


def test_near_misses_say_which_groups_matched_and_how_far_apart(write_yaml: Writer) -> None:
    matcher = _troops(write_yaml, "3")
    near = matcher.near_misses({"title": "", "summary": "Belarus sent many more of its troops to the border"})
    assert near[0].indicator_id == "troops"
    assert near[0].missing == ()
    assert near[0].span is not None and near[0].span > 3
    assert near[0].scope == "3 words"
    partial = matcher.near_misses({"summary": "Lukashenko spoke at the border"})
    assert partial[0].missing == ("move",)
    assert [group for group, _ in partial[0].matched] == ["actor", "where"]
