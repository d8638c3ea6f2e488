"""Small hand-made indicator sets and scenario files, so every expected number can be worked out by hand."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import IndicatorSet, Matcher, load_indicators
from scenarios import ScenarioSet, load_scenarios, predict, score_item

# Three escalation indicators and two de-escalation ones, each fired by one made-up word, so a
# test text fires exactly the indicators whose words it contains.
INDICATORS_YAML = """
vocabularies:
  alpha: {terms: ["alphaword"]}
  beta: {terms: ["betaword"]}
  gamma: {terms: ["gammaword"]}
  delta: {terms: ["deltaword"]}
  omega: {terms: ["omegaword"]}
negation:
  window: 3
  cues: ["not"]
indicators:
  - {id: ind_a, label: A, polarity: escalation, source: test, all: [alpha]}
  - {id: ind_b, label: B, polarity: escalation, source: test, all: [beta]}
  - {id: ind_c, label: C, polarity: escalation, source: test, all: [gamma], negation: {counter: ind_d}}
  - {id: ind_d, label: D, polarity: deescalation, source: test, all: [delta]}
  - {id: ind_e, label: E, polarity: deescalation, source: test, all: [omega]}
"""

# s_one: A 2, C 3, D 1.5 (relevance 1); s_two: B 1, C 1, E 0.5 (relevance 2).
SCENARIOS_YAML = """
scenarios:
  s_one:
    title: Scenario one
    description: the first test scenario
    relevance_threshold: 1.0
    half_life_days: 7
    thresholds:
      - {level: watch, up: 2.0, down: 1.0}
      - {level: alert, up: 5.0, down: 3.0}
    indicators:
      ind_a: 2
      ind_c: 3.0
      ind_d: 1.5
  s_two:
    title: Scenario two
    relevance_threshold: 2.0
    half_life_days: 3
    thresholds:
      - {level: watch, up: 1.0, down: 0.5}
    indicators:
      ind_b: 1.0
      ind_c: 1.0
      ind_e: 0.5
"""

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write dedented YAML to ``tmp_path/name`` and return its path."""

    def _write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def indicator_set(write: WriteFile) -> IndicatorSet:
    return load_indicators([write("indicators.yaml", INDICATORS_YAML)], include_shipped=False)


@pytest.fixture
def matcher(indicator_set: IndicatorSet) -> Matcher:
    return Matcher(indicator_set)


@pytest.fixture
def scenario_file(write: WriteFile) -> Path:
    return write("scenarios.yaml", SCENARIOS_YAML)


@pytest.fixture
def scenario_set(indicator_set: IndicatorSet, scenario_file: Path) -> ScenarioSet:
    return load_scenarios(indicator_set, [scenario_file], include_shipped=False)


@pytest.fixture(scope="session")
def shipped() -> tuple[Matcher, ScenarioSet]:
    """The shipped indicators and scenarios, built once for the sentence suites."""
    indicators = load_indicators()
    return Matcher(indicators), load_scenarios(indicators)


@pytest.fixture(scope="session")
def check_sentence(shipped: tuple[Matcher, ScenarioSet]) -> Callable[[str, str, str], None]:
    """Asserts that a headline is predicted as ``expected`` ("none" or a scenario) with the sign
    ``sign`` ("+" escalation, "-" de-escalation); the failure message shows the evidence."""
    matcher, scenario_set = shipped

    def check(expected: str, sign: str, text: str) -> None:
        result = matcher.match({"title": text})
        contributions = score_item(result, scenario_set)
        predicted = predict(contributions) or "none"
        evidence = {m.indicator_id: [e.text for e in m.evidence] for m in result.matches}
        assert predicted == expected, evidence
        if expected != "none":
            assert (contributions[predicted].value > 0) == (sign == "+"), evidence

    return check
