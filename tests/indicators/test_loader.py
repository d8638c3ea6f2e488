from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import (
    DefinitionError,
    IndicatorSet,
    MonitorError,
    NegationMode,
    Polarity,
    load_indicators,
    shipped_definition_files,
)
from tests.helpers import BASIC

VOCAB = """\
vocabularies:
  belarus: {terms: [Belarus*, Беларус*]}
  war: {terms: [war, войн*]}
"""
DEESCALATION = """\
  - id: stays_out
    label: stays out
    polarity: deescalation
    terms: {out: ["stay out"]}
    all: [belarus, out]
"""


def load(*paths: Path) -> IndicatorSet:
    return load_indicators(paths, include_shipped=False)


def indicator(body: str, ident: str = "by_war") -> str:
    head = f"indicators:\n  - id: {ident}\n    label: a label\n    polarity: escalation\n"
    return VOCAB + head + body


def expect_error(path: Path, ident: str | None, *fragments: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    assert caught.value.file == str(path)
    if ident is not None:
        assert f"id {ident!r}" in message
        assert caught.value.id == ident
    for fragment in fragments:
        assert fragment in message
    return caught.value


Writer = Callable[..., Path]


def test_fixture_loads(write_yaml: Writer) -> None:
    loaded = load_indicators([BASIC], include_shipped=False)
    assert loaded.indicators["by_joins_war"].polarity is Polarity.ESCALATION
    assert loaded.indicators["by_joins_war"].negation.counter == "by_stays_out"
    assert loaded.indicators["by_stays_out"].negation.mode is NegationMode.IGNORE
    assert loaded.indicators["lukashenko_threat"].negation.mode is NegationMode.SUPPRESS
    assert loaded.indicators["by_no_troops"].vocabularies["refusal"].name == "by_no_troops.refusal"
    assert loaded.indicators["zapad_exercise"].rule.within == 20
    assert loaded.negation.window == 5
    assert "Лукашенк*" in loaded.vocabularies["lukashenko"].terms
    assert loaded.files == (str(BASIC),)


def test_shipped_definitions_load() -> None:
    # whatever is shipped at the moment must load on its own, in sorted order
    loaded = load_indicators()
    assert list(loaded.files) == [str(p) for p in shipped_definition_files()]
    assert shipped_definition_files() == sorted(shipped_definition_files())


def test_user_file_adds_to_the_definitions(write_yaml: Writer) -> None:
    user = write_yaml(
        "indicators:\n  - id: user_lukashenko_war\n    label: mine\n    polarity: escalation\n"
        "    all: [lukashenko, war]\n"
    )
    loaded = load_indicators([BASIC, user], include_shipped=False)
    assert loaded.indicators["user_lukashenko_war"].file == str(user)


def test_user_file_cannot_redefine_an_indicator(write_yaml: Writer) -> None:
    user = write_yaml(
        "indicators:\n  - id: by_joins_war\n    label: mine\n    polarity: escalation\n    all: [war]\n"
    )
    with pytest.raises(DefinitionError) as caught:
        load_indicators([BASIC, user], include_shipped=False)
    message = str(caught.value)
    assert str(user) in message and "'by_joins_war'" in message
    assert str(BASIC) in message and "already defined" in message and "line 2" in message


def test_user_file_cannot_redefine_a_vocabulary(write_yaml: Writer) -> None:
    user = write_yaml("vocabularies:\n  war: {terms: [Krieg]}\n")
    with pytest.raises(DefinitionError) as caught:
        load_indicators([BASIC, user], include_shipped=False)
    assert caught.value.id == "war"
    assert str(user) in str(caught.value) and str(BASIC) in str(caught.value)
    assert "already defined" in str(caught.value)


def test_duplicate_indicator_in_one_file(write_yaml: Writer) -> None:
    text = (
        indicator("    all: [belarus, war]\n")
        + "  - id: by_war\n    label: again\n    polarity: escalation\n    all: [war]\n"
    )
    expect_error(write_yaml(text), "by_war", "already defined", "line 9", "(line 5)")


def test_duplicate_yaml_key(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [belarus]\n    all: [war]\n")), None, "appears twice", "line 9"
    )


def test_invalid_yaml(write_yaml: Writer) -> None:
    expect_error(write_yaml("vocabularies:\n  war: [war\n"), None, "invalid YAML", "line")


def test_unknown_top_level_key(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(VOCAB + "vocabulary:\n  x: [y]\n"),
        None,
        "unknown key 'vocabulary'",
        "did you mean",
        "line 4",
    )


def test_scenarios_key_is_accepted(write_yaml: Writer) -> None:
    loaded = load_indicators([write_yaml(VOCAB + "scenarios:\n  anything: {}\n")], include_shipped=False)
    assert set(loaded.vocabularies) == {"belarus", "war"}


def test_unknown_indicator_key(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [belarus, war]\n    whithin: 5\n")),
        "by_war",
        "unknown key 'whithin'",
        "line 9",
    )


def test_unknown_vocabulary_key(write_yaml: Writer) -> None:
    expect_error(write_yaml("vocabularies:\n  war: {terms: [war], lang: en}\n"), "war", "unknown key 'lang'")


def test_unknown_vocabulary_name(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [belarus, wars]\n")),
        "by_war",
        "unknown vocabulary 'wars'",
        "did you mean 'war'",
        "line 8",
    )


def test_unknown_vocabulary_in_none(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [belarus]\n    none: [peace]\n")),
        "by_war",
        "unknown vocabulary 'peace'",
    )


def test_empty_vocabulary(write_yaml: Writer) -> None:
    expect_error(write_yaml("vocabularies:\n  war: {terms: []}\n"), "war", "non-empty list of terms")


def test_empty_local_vocabulary(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    terms: {move: []}\n    all: [belarus, move]\n")),
        "by_war",
        "local vocabulary 'move'",
    )


def test_vocabulary_without_terms(write_yaml: Writer) -> None:
    expect_error(write_yaml("vocabularies:\n  war: {description: wars}\n"), "war", "no 'terms'")


def test_term_that_normalises_to_nothing(write_yaml: Writer) -> None:
    expect_error(
        write_yaml("vocabularies:\n  war:\n    terms: [war, '--']\n"), "war", "'--'", "never match", "line 3"
    )


def test_term_with_inner_star(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    terms: {move: ['dep*loy']}\n    all: [belarus, move]\n")),
        "by_war",
        "'dep*loy'",
    )


def test_yaml_boolean_term(write_yaml: Writer) -> None:
    expect_error(write_yaml("negation:\n  cues: [not, no]\n"), "negation", "boolean", "quotes")


def test_number_term_is_read_as_digits(write_yaml: Writer) -> None:
    loaded = load(write_yaml("vocabularies:\n  year: [2025]\n"))
    assert loaded.vocabularies["year"].terms == ("2025",)


def test_bad_polarity(write_yaml: Writer) -> None:
    text = VOCAB + "indicators:\n  - id: by_war\n    label: x\n    polarity: up\n    all: [war]\n"
    expect_error(
        write_yaml(text), "by_war", "polarity must be 'escalation' or 'deescalation'", "'up'", "line 7"
    )


def test_missing_required_key(write_yaml: Writer) -> None:
    text = VOCAB + "indicators:\n  - id: by_war\n    polarity: escalation\n    all: [war]\n"
    expect_error(write_yaml(text), "by_war", "no 'label'")


def test_indicator_without_id(write_yaml: Writer) -> None:
    expect_error(write_yaml(VOCAB + "indicators:\n  - label: x\n"), None, "no 'id'", "line 5")


def test_bad_within(write_yaml: Writer) -> None:
    expect_error(write_yaml(indicator("    all: [belarus, war]\n    within: 0\n")), "by_war", "within")


def test_counter_to_unknown_indicator(write_yaml: Writer) -> None:
    text = indicator("    all: [belarus, war]\n    negation: {counter: stays_ot}\n") + DEESCALATION
    expect_error(
        write_yaml(text),
        "by_war",
        "'stays_ot' is not a known indicator",
        "did you mean 'stays_out'",
        "line 9",
    )


def test_counter_to_escalation_indicator(write_yaml: Writer) -> None:
    text = indicator("    all: [belarus, war]\n    negation: {counter: other}\n")
    text += "  - id: other\n    label: x\n    polarity: escalation\n    all: [war]\n"
    expect_error(write_yaml(text), "by_war", "'other' must be a deescalation indicator")


def test_counter_on_deescalation_indicator(write_yaml: Writer) -> None:
    text = VOCAB + "indicators:\n" + DEESCALATION + "    negation: {counter: stays_out}\n"
    expect_error(write_yaml(text), "stays_out", "for escalation indicators")


def test_bad_negation_policy(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [war]\n    negation: drop\n")), "by_war", "'suppress', 'ignore'"
    )


def test_local_vocabulary_shadowing_a_global_one(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    terms: {war: [battle]}\n    all: [belarus, war]\n")),
        "by_war",
        "local vocabulary 'war'",
        "rename",
    )


def test_same_vocabulary_in_all_and_none(write_yaml: Writer) -> None:
    expect_error(
        write_yaml(indicator("    all: [belarus, war]\n    none: [war]\n")), "by_war", "both 'all' and 'none'"
    )


def test_bad_name(write_yaml: Writer) -> None:
    expect_error(write_yaml("vocabularies:\n  'bad name': [war]\n"), "bad name", "not a valid name")


def test_negation_windows_must_agree(write_yaml: Writer) -> None:
    first = write_yaml("negation:\n  window: 5\n  cues: [not]\n", "a.yaml")
    second = write_yaml("negation:\n  window: 3\n  cues: [nie, not]\n", "b.yaml")
    with pytest.raises(DefinitionError) as caught:
        load(first, second)
    assert str(second) in str(caught.value) and str(first) in str(caught.value)
    merged = load(first, write_yaml("negation:\n  cues: [nie, not]\n", "c.yaml"))
    assert merged.negation.cues.terms == ("not", "nie")


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DefinitionError, match="cannot read"):
        load(missing)


def test_definition_error_is_a_monitor_error() -> None:
    assert issubclass(DefinitionError, MonitorError)


def test_fingerprint_tracks_what_matching_uses(write_yaml: Writer) -> None:
    base = indicator("    all: [belarus, war]\n    description: first\n")
    relabelled = base.replace("label: a label", "label: another").replace("first", "second")
    more_terms = base.replace("[war, войн*]", "[war, войн*, Krieg*]")
    wider = base.replace("    description", "    within: 3\n    description")
    prints = [
        load(write_yaml(text, f"{n}.yaml")).fingerprint
        for n, text in enumerate([base, relabelled, more_terms, wider])
    ]
    assert prints[0] == prints[1]
    assert len({prints[0], prints[2], prints[3]}) == 3
    assert len(prints[0]) == 64 and int(prints[0], 16) >= 0
