"""User overrides of weights, thresholds, half-lives and relevance; the config and patterns hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators import DefinitionError, IndicatorSet, load_indicators
from scenarios import Level, ScenarioOverride, ScenarioSet, Threshold, config_hash, load_scenarios
from tests.helpers import INDICATORS_YAML, WriteFile


def load(indicators: IndicatorSet, path: Path, **overrides: ScenarioOverride) -> ScenarioSet:
    return load_scenarios(indicators, [path], overrides, include_shipped=False)


def test_override_changes_adds_and_removes_weights(indicator_set: IndicatorSet, scenario_file: Path) -> None:
    loaded = load(
        indicator_set, scenario_file, s_one=ScenarioOverride(weights={"ind_a": 4, "ind_b": 0.5, "ind_d": 0})
    )
    assert dict(loaded.scenarios["s_one"].weights) == {"ind_a": 4.0, "ind_c": 3.0, "ind_b": 0.5}
    assert dict(loaded.scenarios["s_two"].weights) == {"ind_b": 1.0, "ind_c": 1.0, "ind_e": 0.5}


def test_override_thresholds_half_life_and_relevance(
    indicator_set: IndicatorSet, scenario_file: Path
) -> None:
    override = ScenarioOverride(
        thresholds=(Threshold(Level("high"), 10.0, 8.0),), half_life_days=2.5, relevance_threshold=0.25
    )
    scenario = load(indicator_set, scenario_file, s_two=override).scenarios["s_two"]
    assert scenario.thresholds == (Threshold(Level("high"), 10.0, 8.0),)
    assert scenario.half_life_days == 2.5
    assert scenario.relevance_threshold == 0.25
    assert scenario.title == "Scenario two"


def test_empty_override_changes_nothing(indicator_set: IndicatorSet, scenario_file: Path) -> None:
    plain = load(indicator_set, scenario_file)
    same = load(indicator_set, scenario_file, s_one=ScenarioOverride())
    assert same.scenarios == plain.scenarios
    assert same.config_hash == plain.config_hash


def test_unknown_indicator_in_override_names_the_scenario(
    indicator_set: IndicatorSet, scenario_file: Path
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load(indicator_set, scenario_file, s_two=ScenarioOverride(weights={"ind_x": 1.0}))
    assert caught.value.id == "s_two"
    assert "override for scenario 's_two'" in str(caught.value)
    assert "'ind_x' is not defined" in str(caught.value)


def test_unknown_scenario_in_override(indicator_set: IndicatorSet, scenario_file: Path) -> None:
    with pytest.raises(DefinitionError, match=r"unknown scenario 's_on'.*did you mean 's_one'"):
        load(indicator_set, scenario_file, s_on=ScenarioOverride())


@pytest.mark.parametrize(
    ("override", "words"),
    [
        (ScenarioOverride(weights={"ind_a": -1.0}), "weight of 'ind_a'"),
        (ScenarioOverride(weights={"ind_a": float("nan")}), "weight of 'ind_a'"),
        (
            ScenarioOverride(weights={"ind_a": 0, "ind_c": 0, "ind_d": 0}),
            "every indicator was given weight 0",
        ),
        (ScenarioOverride(half_life_days=0), "half_life_days"),
        (ScenarioOverride(relevance_threshold=-1), "relevance_threshold"),
        (ScenarioOverride(stacking_share=1.5), "stacking_share"),
        (ScenarioOverride(stacking_share=-0.1), "stacking_share"),
        (
            ScenarioOverride(thresholds=(Threshold(Level("a"), 5, 1), Threshold(Level("b"), 3, 2))),
            "must ascend",
        ),
        (ScenarioOverride(thresholds=()), "non-empty list"),
    ],
)
def test_invalid_overrides(
    indicator_set: IndicatorSet, scenario_file: Path, override: ScenarioOverride, words: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load(indicator_set, scenario_file, s_one=override)
    assert caught.value.id == "s_one"
    assert words in str(caught.value)


def test_override_weights_are_frozen() -> None:
    weights = {"ind_a": 1.0}
    override = ScenarioOverride(weights=weights)
    weights["ind_a"] = 2.0
    assert override.weights["ind_a"] == 1.0
    with pytest.raises(TypeError):
        override.weights["ind_a"] = 3.0  # type: ignore[index]


# --- hashes -------------------------------------------------------------------------------------------


def test_weight_change_changes_config_hash_not_patterns_hash(
    indicator_set: IndicatorSet, scenario_file: Path
) -> None:
    plain = load(indicator_set, scenario_file)
    heavier = load(indicator_set, scenario_file, s_one=ScenarioOverride(weights={"ind_a": 2.5}))
    assert heavier.config_hash != plain.config_hash
    assert heavier.patterns_hash == plain.patterns_hash == indicator_set.fingerprint
    assert len(plain.config_hash) == 64


@pytest.mark.parametrize(
    "override",
    [
        ScenarioOverride(half_life_days=6.0),
        ScenarioOverride(relevance_threshold=1.5),
        ScenarioOverride(stacking_share=0.75),
        ScenarioOverride(
            thresholds=(Threshold(Level("watch"), 2.0, 0.5), Threshold(Level("alert"), 5.0, 3.0))
        ),
        ScenarioOverride(weights={"ind_b": 1.0}),
        ScenarioOverride(weights={"ind_d": 0}),
    ],
)
def test_every_scoring_setting_enters_config_hash(
    indicator_set: IndicatorSet, scenario_file: Path, override: ScenarioOverride
) -> None:
    assert (
        load(indicator_set, scenario_file, s_one=override).config_hash
        != load(indicator_set, scenario_file).config_hash
    )


def test_same_numbers_written_differently_hash_alike(
    indicator_set: IndicatorSet, scenario_file: Path
) -> None:
    # the file says `ind_a: 2`; an override of 2.0 is the same configuration
    plain = load(indicator_set, scenario_file)
    assert load(indicator_set, scenario_file, s_one=ScenarioOverride(weights={"ind_a": 2.0})).config_hash == (
        plain.config_hash
    )


def test_titles_and_descriptions_do_not_enter_config_hash(
    indicator_set: IndicatorSet, scenario_file: Path, write: WriteFile
) -> None:
    text = scenario_file.read_text(encoding="utf-8")
    renamed = write("renamed.yaml", text.replace("Scenario one", "Another title").replace("the first", "a"))
    assert load(indicator_set, renamed).config_hash == load(indicator_set, scenario_file).config_hash


def test_pattern_change_changes_both_hashes(
    indicator_set: IndicatorSet, scenario_file: Path, write: WriteFile
) -> None:
    other_terms = load_indicators(
        [write("other.yaml", INDICATORS_YAML.replace('"alphaword"', '"alphaword*"'))], include_shipped=False
    )
    plain = load(indicator_set, scenario_file)
    changed = load(other_terms, scenario_file)
    assert changed.patterns_hash != plain.patterns_hash
    assert changed.config_hash != plain.config_hash


def test_config_hash_ignores_definition_order(indicator_set: IndicatorSet, scenario_file: Path) -> None:
    scenarios = load(indicator_set, scenario_file).scenarios
    reversed_order = dict(reversed(list(scenarios.items())))
    assert config_hash(reversed_order, "p") == config_hash(dict(scenarios), "p")
    assert config_hash(dict(scenarios), "p") != config_hash(dict(scenarios), "q")
