"""Small hand-made indicator sets and scenario files, so every expected number can be worked out by hand."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import IndicatorSet, Matcher, load_indicators
from scenarios import ScenarioSet, load_scenarios, predict, score_item
from tests.helpers import INDICATORS_YAML, SCENARIOS_YAML, WriteFile


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
def shipped(shipped_indicators: IndicatorSet) -> tuple[Matcher, ScenarioSet]:
    """The shipped indicators and scenarios, built once for the sentence suites."""
    return Matcher(shipped_indicators), load_scenarios(shipped_indicators)


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
