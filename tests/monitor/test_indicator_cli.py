"""``monitor scenarios``, ``explain`` and ``eval`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_dir
from tests.monitor.conftest_feeds import FeedServer, Reply
from tests.monitor.test_poll_cli import RSS, monitor, rows, rss, write_config

FIXTURES = Path(__file__).parent / "fixtures" / "eval"


def test_scenarios_json_has_the_documented_shape_and_applies_overrides(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    shipped = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]
    assert set(shipped) == {"belarus_war", "airspace_nato", "energy_cutoff"}
    for scenario in shipped.values():
        assert {"title", "indicators", "thresholds", "half_life_days"} <= set(scenario)
        assert all(isinstance(w, float | int) and w > 0 for w in scenario["indicators"].values())
    indicator = sorted(shipped["belarus_war"]["indicators"])[0]
    config.write_text(
        config.read_text()
        + f"scenarios:\n  belarus_war:\n    weights: {{{indicator}: 9.5}}\n    half_life_days: 3\n"
    )
    effective = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]["belarus_war"]
    assert effective["indicators"][indicator] == 9.5 and effective["half_life_days"] == 3


def test_override_of_unknown_indicator_names_scenario_and_id(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(
        config.read_text() + "scenarios:\n  belarus_war:\n    weights: {no_such_indicator: 2}\n"
    )
    result = monitor(config, "scenarios", check=False)
    assert result.returncode != 0 and "no_such_indicator" in result.stderr and "belarus_war" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_warns_about_a_scenario_without_counter_indicators(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "indicators:\n"
        "  - id: my_flood\n    label: Floods in Polesia\n    polarity: escalation\n"
        "    description: test\n    source: own\n    terms: {flood: [flood*, повен*]}\n    all: [flood]\n"
        "scenarios:\n  my_scenario:\n    title: Floods\n    description: test\n    relevance_threshold: 1\n"
        "    half_life_days: 5\n    thresholds: [{level: watch, up: 2, down: 1}]\n    indicators: {my_flood: 2}\n",
        encoding="utf-8",
    )
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(config.read_text() + "definitions: [mine.yaml]\n")
    result = monitor(config, "scenarios", "--check")
    assert "my_scenario" in result.stdout
    assert "my_scenario" in result.stderr and "counter" in result.stderr


def test_explain_text_shows_negation_turned_into_counter_indicator(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    text = "Lukashenko says Belarus will not send troops to fight in Ukraine"
    out = json.loads(monitor(config, "explain", "--text", text, "--lang", "en", "--json").stdout)
    war = out["scenarios"]["belarus_war"]
    assert war["contribution"] < 0 and war["relevant"]
    assert all(m["polarity"] == "deescalation" for m in out["matches"])
    for match in out["matches"]:
        for ev in match["evidence"]:
            assert out["fields"][ev["field"]][ev["start"] : ev["end"]] == ev["text"]
    human = monitor(config, "explain", "--text", text).stdout
    assert "belarus_war" in human and "negat" in human


def test_explain_stored_item_after_a_poll(tmp_path: Path) -> None:
    body = rss(
        "Wire",
        [
            (
                "x-1",
                "Drone from Belarus violates Lithuanian airspace",
                "Vilnius airport closed as jets scrambled.",
            )
        ],
    )
    with FeedServer() as server:
        config = write_config(
            tmp_path / "monitor.yaml",
            [("wire", server.route("/f.xml", Reply(200, body, (("Content-Type", RSS),))))],
        )
        monitor(config, "poll")
    ((item_id, patterns_hash),) = rows(config, "select id, patterns_hash from items")
    stored = rows(config, "select indicator_id, polarity from matches")
    assert stored and patterns_hash
    out = json.loads(monitor(config, "explain", str(item_id), "--json").stdout)
    assert out["source"]["feed"] == "wire" and out["reliability"] == 0.9
    assert out["scenarios"]["airspace_nato"]["contribution"] > 0
    assert sorted(m["indicator"] for m in out["matches"]) == sorted(i for i, _ in stored)
    missing = monitor(config, "explain", "999", check=False)
    assert missing.returncode == 1 and "no item with id 999" in missing.stderr


def test_eval_json_on_own_fixture(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    out = json.loads(monitor(config, "eval", str(FIXTURES / "small.jsonl"), "--json").stdout)
    assert set(out) >= {"scenarios", "macro_f1", "none_false_positive_rate", "polarity_accuracy"}
    assert set(out["scenarios"]) == {"belarus_war", "airspace_nato", "energy_cutoff"}
    for metrics in out["scenarios"].values():
        assert set(metrics) == {"precision", "recall", "f1", "tp", "fp", "fn"}
    assert out["none_false_positive_rate"] == 0.0
    assert out["macro_f1"] >= 0.8


def test_eval_reports_bad_lines_with_file_and_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    bad = tmp_path / "bad.jsonl"
    good = {"id": "a", "lang": "en", "title": "", "summary": "x", "scenario": "none", "polarity": "neutral"}
    bad.write_text(json.dumps(good) + "\n{oops\n")
    result = monitor(config, "eval", str(bad), check=False)
    assert result.returncode != 0 and f"{bad}:2:" in result.stderr


def test_dev_set_meets_the_acceptance_figures(tmp_path: Path) -> None:
    shared = shared_dir()
    if shared is None or not (shared / "eval" / "dev.jsonl").is_file():
        pytest.skip("../shared/eval/dev.jsonl is not here (CI has it)")
    config = write_config(tmp_path / "monitor.yaml", [])
    out = json.loads(monitor(config, "eval", str(shared / "eval" / "dev.jsonl"), "--json").stdout)
    assert out["macro_f1"] >= 0.85
    assert out["none_false_positive_rate"] <= 0.05
    assert out["polarity_accuracy"] >= 0.90
