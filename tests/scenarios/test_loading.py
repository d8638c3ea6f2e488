"""Loading scenario files into frozen values, and every way a definition can be wrong."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from indicators import DefinitionError, IndicatorSet
from scenarios import Level, Scenario, ScenarioSet, Threshold, load_scenarios
from tests.helpers import WriteFile


def test_loads_values_as_written(scenario_set: ScenarioSet, scenario_file: Path) -> None:
    one = scenario_set.scenarios["s_one"]
    assert list(scenario_set.scenarios) == ["s_one", "s_two"]
    assert one.title == "Scenario one"
    assert one.description == "the first test scenario"
    assert dict(one.weights) == {"ind_a": 2.0, "ind_c": 3.0, "ind_d": 1.5}
    assert one.thresholds == (Threshold(Level("watch"), 2.0, 1.0), Threshold(Level("alert"), 5.0, 3.0))
    assert one.half_life_days == 7.0
    assert one.relevance_threshold == 1.0
    assert one.file == str(scenario_file)
    assert one.line == 4
    assert scenario_set.scenarios["s_two"].description == ""


def test_values_are_frozen(scenario_set: ScenarioSet) -> None:
    one = scenario_set.scenarios["s_one"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.half_life_days = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        one.weights["ind_a"] = 9.0  # type: ignore[index]
    with pytest.raises(TypeError):
        scenario_set.scenarios["x"] = one  # type: ignore[index]


def test_relevance_threshold_defaults_to_one(indicator_set: IndicatorSet, write: WriteFile) -> None:
    path = write(
        "s.yaml",
        """
        scenarios:
          plain:
            title: Plain
            half_life_days: 5
            thresholds: [{level: watch, up: 1, down: 0}]
            indicators: {ind_a: 1}
        """,
    )
    scenario = load_scenarios(indicator_set, [path], include_shipped=False).scenarios["plain"]
    assert scenario.relevance_threshold == 1.0


def test_a_file_without_scenarios_is_accepted(indicator_set: IndicatorSet, write: WriteFile) -> None:
    # A user file may hold only indicators; the scenarios loader reads only `scenarios`.
    path = write("only_indicators.yaml", "vocabularies:\n  extra: {terms: [x]}\n")
    assert load_scenarios(indicator_set, [path], include_shipped=False).scenarios == {}


BASE = """
scenarios:
  broken:
    title: Broken
    half_life_days: 7
    thresholds:
      - {level: watch, up: 2.0, down: 1.0}
      - {level: alert, up: 5.0, down: 3.0}
    indicators:
      ind_a: 2.0
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("ind_a: 2.0", "ind_zz: 2.0", 10, ["'ind_zz' is not defined"]),
        ("ind_a: 2.0", "ind_aa: 2.0", 10, ["did you mean 'ind_a'"]),
        ("ind_a: 2.0", "ind_a: 0", 10, ["weight of 'ind_a'", "> 0"]),
        ("ind_a: 2.0", "ind_a: -1", 10, ["weight of 'ind_a'", "> 0"]),
        ("ind_a: 2.0", "ind_a: heavy", 10, ["weight of 'ind_a'", "str 'heavy'"]),
        ("ind_a: 2.0", "ind_a: true", 10, ["weight of 'ind_a'", "boolean"]),
        ("ind_a: 2.0", "ind_a: .nan", 10, ["weight of 'ind_a'"]),
        ("ind_a: 2.0", "ind_a:", 10, ["weight of 'ind_a'", "null"]),
        ("up: 5.0, down: 3.0", "up: 1.5, down: 1.2", 8, ["must ascend", "'alert'"]),
        ("up: 5.0, down: 3.0", "up: 5.0, down: 0.5", 8, ["must ascend", "down"]),
        ("up: 2.0, down: 1.0", "up: 2.0, down: 2.0", 7, ["down (2) must be below up (2)"]),
        ("up: 2.0, down: 1.0", "up: 2.0, down: 3.0", 7, ["down (3) must be below up (2)"]),
        ("level: watch", "level: calm", 7, ["base level"]),
        ("level: alert", "level: watch", 8, ["appears twice"]),
        ("{level: watch, up: 2.0, down: 1.0}", "{level: watch, up: 2.0}", 7, ["no 'down'"]),
        (
            "{level: watch, up: 2.0, down: 1.0}",
            "{level: watch, up: 2.0, down: 1.0, colour: red}",
            7,
            ["unknown key 'colour'"],
        ),
        ("half_life_days: 7", "half_life_days: 0", 5, ["'half_life_days'", "> 0"]),
        (
            "half_life_days: 7",
            "half_life: 7",
            5,
            ["unknown key 'half_life'", "did you mean 'half_life_days'"],
        ),
        ("half_life_days: 7", "half_life_days: 7\n    relevance_threshold: -2", 6, ["'relevance_threshold'"]),
        ("title: Broken", "title: ''", 4, ["'title' must be a non-empty string"]),
        ("    indicators:\n      ind_a: 2.0", "    indicators: {}", 9, ["non-empty mapping of indicator id"]),
        (
            "    indicators:\n      ind_a: 2.0",
            "    indicators: [ind_a]",
            9,
            ["non-empty mapping of indicator id"],
        ),
        (
            "    thresholds:\n"
            "      - {level: watch, up: 2.0, down: 1.0}\n"
            "      - {level: alert, up: 5.0, down: 3.0}\n",
            "    thresholds: []\n",
            6,
            ["non-empty list"],
        ),
    ],
)
def test_invalid_scenarios_name_file_scenario_and_line(
    indicator_set: IndicatorSet, write: WriteFile, old: str, new: str, line: int, words: list[str]
) -> None:
    assert old in BASE
    path = write("broken.yaml", BASE.replace(old, new, 1))
    with pytest.raises(DefinitionError) as caught:
        load_scenarios(indicator_set, [path], include_shipped=False)
    message = str(caught.value)
    assert str(path) in message
    assert "'broken'" in message
    assert f"line {line}:" in message
    for word in words:
        assert word in message
    assert caught.value.file == str(path)
    assert caught.value.id == "broken"


def test_missing_required_key(indicator_set: IndicatorSet, write: WriteFile) -> None:
    path = write("s.yaml", BASE.replace("    half_life_days: 7\n", ""))
    with pytest.raises(DefinitionError, match=r"line 4: scenario 'broken' has no 'half_life_days'"):
        load_scenarios(indicator_set, [path], include_shipped=False)


def test_unknown_top_level_key(indicator_set: IndicatorSet, write: WriteFile) -> None:
    path = write("s.yaml", BASE + "weights: {}\n")
    with pytest.raises(DefinitionError, match=r"line 11: unknown key 'weights' in the top level"):
        load_scenarios(indicator_set, [path], include_shipped=False)


def test_duplicate_scenario_id_across_files(indicator_set: IndicatorSet, write: WriteFile) -> None:
    first = write("a.yaml", BASE)
    second = write("b.yaml", BASE)
    with pytest.raises(DefinitionError) as caught:
        load_scenarios(indicator_set, [first, second], include_shipped=False)
    message = str(caught.value)
    assert message.startswith(f"{second}: id 'broken': line 3:")
    assert f"already defined in {first} (line 4)" in message


def test_duplicate_scenario_id_in_one_file(indicator_set: IndicatorSet, write: WriteFile) -> None:
    body = BASE.split("scenarios:\n", 1)[1]
    path = write("s.yaml", BASE + body)
    with pytest.raises(DefinitionError, match=r"line 11: invalid YAML: key 'broken' appears twice .*line 3"):
        load_scenarios(indicator_set, [path], include_shipped=False)


def test_invalid_yaml_reports_the_line(indicator_set: IndicatorSet, write: WriteFile) -> None:
    path = write("s.yaml", "scenarios:\n  x: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"line \d+: invalid YAML"):
        load_scenarios(indicator_set, [path], include_shipped=False)


def test_missing_file(indicator_set: IndicatorSet, tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read the definition file"):
        load_scenarios(indicator_set, [tmp_path / "absent.yaml"], include_shipped=False)


@pytest.mark.parametrize("content", ["scenarios: [a, b]\n", "- just a list\n", "scenarios:\n  bad id!: {}\n"])
def test_wrong_shapes(indicator_set: IndicatorSet, write: WriteFile, content: str) -> None:
    with pytest.raises(DefinitionError):
        load_scenarios(indicator_set, [write("s.yaml", content)], include_shipped=False)


def test_threshold_value_checks_itself() -> None:
    with pytest.raises(DefinitionError, match="down"):
        Threshold(Level("watch"), 1.0, 1.0)
    with pytest.raises(DefinitionError, match="finite number"):
        Threshold(Level("watch"), float("inf"), 1.0)


def test_scenario_freezes_its_weights() -> None:
    weights = {"a": 1.0}
    scenario = Scenario("x", "X", "", weights, (Threshold(Level("w"), 1, 0),), 1.0, 1.0, "f")
    weights["a"] = 5.0
    assert scenario.weights["a"] == 1.0
