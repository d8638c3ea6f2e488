from __future__ import annotations

import re

import pytest

import indicators
from bench import __main__ as bench_main
from bench import match as bench_match
from tests.helpers import BASIC

CONTRACT = {
    "MonitorError", "DefinitionError", "Polarity", "Evidence", "Match", "Suppressed", "MatchResult",
    "Vocabulary", "Indicator", "IndicatorSet", "load_indicators", "Matcher", "clean_text",
}  # fmt: skip


def test_public_names_are_exported_and_exist() -> None:
    assert set(indicators.__all__) >= CONTRACT
    for name in indicators.__all__:
        assert getattr(indicators, name) is not None
    assert sorted(indicators.__all__) == indicators.__all__


def test_values_are_frozen() -> None:
    evidence = indicators.Evidence("title", 0, 5, "Minsk", "Minsk")
    with pytest.raises(AttributeError):
        evidence.start = 1  # type: ignore[misc]
    # an IntEnum: a polarity is its sign (mypy does not know that an IntEnum member equals an int)
    assert indicators.Polarity.ESCALATION == 1  # type: ignore[comparison-overlap]
    assert indicators.Polarity.DEESCALATION == -1  # type: ignore[comparison-overlap]


def test_loaded_mappings_are_read_only() -> None:
    loaded = indicators.load_indicators([BASIC], include_shipped=False)
    with pytest.raises(TypeError):
        loaded.indicators["x"] = loaded.indicators["by_joins_war"]  # type: ignore[index]


def test_bench_match_prints_one_figure_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["match", str(BASIC), "--no-shipped", "--items", "300", "--re-items", "30", "--rounds", "1"]
    assert bench_main.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(re.fullmatch(r"\S+ \S+ \S+", line) for line in lines), lines
    names = {line.split()[0] for line in lines}
    assert {"match_items_per_s", "re_items_per_s", "match_vs_re", "definitions_given"} <= names


def test_bench_corpus_is_deterministic() -> None:
    loaded = indicators.load_indicators([BASIC], include_shipped=False)
    first = bench_match.build_corpus(loaded, 50, seed=7)
    assert first == bench_match.build_corpus(loaded, 50, seed=7)
    assert first != bench_match.build_corpus(loaded, 50, seed=8)
    sizes = [len(item["title"]) + len(item["summary"]) for item in first]
    assert 250 <= sum(sizes) / len(sizes) <= 650


def test_bench_unknown_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main.main(["nope"]) == 2
    assert "match" in capsys.readouterr().out
