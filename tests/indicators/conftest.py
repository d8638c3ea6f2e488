from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import IndicatorSet, Matcher, MatchResult, clean_text, load_indicators

FIXTURES = Path(__file__).parent / "fixtures"
BASIC = FIXTURES / "basic.yaml"


@pytest.fixture(scope="session")
def basic_set() -> IndicatorSet:
    return load_indicators([BASIC], include_shipped=False)


@pytest.fixture(scope="session")
def matcher(basic_set: IndicatorSet) -> Matcher:
    return Matcher(basic_set)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a definition file into the test's directory and return its path."""

    def write(text: str, name: str = "defs.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def fired(result: MatchResult) -> set[str]:
    return {match.indicator_id for match in result.matches}


def assert_spans(fields: dict[str, str], result: MatchResult) -> None:
    """Every evidence span slices its cleaned field to exactly its text."""
    evidence = [e for m in result.matches for e in m.evidence]
    evidence += [e for s in result.suppressed for e in (s.cue, *s.evidence)]
    for item in evidence:
        assert clean_text(fields[item.field])[item.start : item.end] == item.text
