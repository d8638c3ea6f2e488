"""Every command's exit status against the README's table (parsed here, so the two cannot drift):
a broken config is a usage error everywhere, a database that cannot be reached is "nothing worked",
and poll, import, overrides and definitions exit as the table says."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from monitor.cli import main
from monitor.cli.exit_codes import ExitCode
from tests.helpers import FEED_A, REPO_ROOT, conditional, monitor, write_config
from tests.helpers.feed_server import FeedServer, dead_port
from tests.helpers.imports import history, jsonl

MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.PARTIAL: "partial failure",
    ExitCode.USAGE: "usage or configuration error",
    ExitCode.NOTHING_WORKED: "nothing worked",
}


def readme_table() -> dict[str, int]:
    """The README's "Exit codes" table: meaning -> status."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d) \| ([^|]+?) \|", section, flags=re.MULTILINE)
    return {meaning: int(status) for status, meaning in rows}


TABLE = readme_table()


def status(meaning: str) -> int:
    return TABLE[meaning]


def test_the_readme_table_is_the_exit_code_enum() -> None:
    assert {MEANINGS[code]: int(code) for code in ExitCode} == TABLE


def leaf_commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(command, click.Group):
        if command.invoke_without_command:
            yield path
        for name, sub in command.commands.items():
            if not sub.hidden:
                yield from leaf_commands(sub, (*path, name))
    else:
        yield path


# The smallest invocation of each command that reads the config (FILE: an import or eval file).
INVOCATIONS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("init",): ("init",),  # over the existing config, without --force
    ("run",): ("run",),
    ("poll",): ("poll",),
    ("feeds",): ("feeds",),
    ("scenarios",): ("scenarios",),
    ("explain",): ("explain", "--text", "Drones cross from Belarus"),
    ("eval",): ("eval", "FILE"),
    ("trend",): ("trend",),
    ("items",): ("items",),
    ("export",): ("export", "trend", "--csv"),
    ("rescore",): ("rescore",),
    ("import",): ("import", "FILE"),
    ("digest",): ("digest",),
    ("label",): ("label", "1", "none"),
    ("labels",): ("labels",),
    ("labels", "export"): ("labels", "export"),
    ("labels", "remove"): ("labels", "remove", "1"),
    ("alerts", "test"): ("alerts", "test"),
    ("alerts", "list"): ("alerts", "list"),
    ("db", "upgrade"): ("db", "upgrade"),
}
USES_DATABASE = [
    p
    for p in INVOCATIONS
    if p not in {("init",), ("run",), ("scenarios",), ("explain",), ("eval",), ("alerts", "test")}
]


def test_every_command_has_an_exit_code_case() -> None:
    assert sorted(leaf_commands(main)) == sorted(INVOCATIONS)


def args(path: tuple[str, ...], tmp_path: Path) -> list[str]:
    data = jsonl(
        tmp_path / "items.jsonl",
        [
            {
                "id": "1",
                "source": "s",
                "lang": "en",
                "title": "t",
                "summary": "",
                "date": "2026-01-01",
                "scenario": "none",
                "polarity": "neutral",
            }
        ],
    )
    return [str(data) if a == "FILE" else a for a in INVOCATIONS[path]]


@pytest.mark.parametrize("path", sorted(INVOCATIONS), ids=" ".join)
def test_a_broken_config_is_a_usage_error(path: tuple[str, ...], tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("schedule:\n  poll_interval: often\n", encoding="utf-8")
    result = monitor(config, *args(path, tmp_path), check=False)
    assert result.exit_code == status("usage or configuration error"), result.output
    assert "Traceback" not in result.output
    assert str(config) in result.stderr and ("line 2" in result.stderr or "already exists" in result.stderr)


@pytest.mark.parametrize("path", USES_DATABASE, ids=" ".join)
def test_a_database_out_of_reach_is_nothing_worked(path: tuple[str, ...], tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    unreachable = f"postgresql://postgres@127.0.0.1:{dead_port()}/monitor"
    config.write_text(config.read_text().replace("sqlite:///data/monitor.db", unreachable))
    result = monitor(config, *args(path, tmp_path), check=False)
    assert result.exit_code == status("nothing worked"), result.output
    assert "cannot open the database" in result.stderr and "Traceback" not in result.output


def test_poll_some_failed_is_partial_all_failed_is_nothing_worked(tmp_path: Path) -> None:
    with FeedServer() as server:
        for folder in ("some", "all"):
            (tmp_path / folder).mkdir()
        some = write_config(
            tmp_path / "some" / "monitor.yaml",
            [
                ("alive", server.route("/a.xml", conditional(FEED_A))),
                ("dead", f"http://127.0.0.1:{dead_port()}/"),
            ],
        )
        result = monitor(some, "poll", "--json", check=False)
        summary = json.loads(result.stdout)
        assert result.exit_code == summary["exit_code"] == status("partial failure")
        assert (summary["feeds_total"], summary["feeds_failed"], summary["items_new"]) == (2, 1, 3)
        assert [f["name"] for f in summary["feeds"]] == ["alive", "dead"]
        assert summary["feeds"][1]["outcome"] == "error" and "refused" in summary["feeds"][1]["error"]
        assert monitor(some, "poll", "--once", "--feed", "alive").exit_code == status("success")
    down = write_config(tmp_path / "all" / "monitor.yaml", [("dead", f"http://127.0.0.1:{dead_port()}/")])
    assert monitor(down, "poll", check=False).exit_code == status("nothing worked")


def test_poll_of_an_unknown_feed_is_a_usage_error_listing_the_configured_ones(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "monitor.yaml", [("wire-a", "http://127.0.0.1:9/a"), ("wire-b", "http://127.0.0.1:9/b")]
    )
    result = monitor(config, "poll", "--feed", "wire-c", check=False)
    assert result.exit_code == status("usage or configuration error")
    assert "'wire-c'" in result.stderr and "configured: wire-a, wire-b" in result.stderr


def test_import_exits_partial_when_lines_were_skipped_and_usage_when_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    assert monitor(config, "import", str(history(tmp_path))).exit_code == status("success")
    undated = jsonl(tmp_path / "undated.jsonl", [{"id": "u", "source": "s", "title": "no date"}])
    assert monitor(config, "import", str(undated), check=False).exit_code == status("partial failure")
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "b", "title": "no source", "date": "2026-01-01"}])
    refused = monitor(config, "import", str(bad), check=False)
    assert refused.exit_code == status("usage or configuration error") and f"{bad}:1:" in refused.stderr


def test_an_override_of_an_unknown_scenario_names_file_line_and_the_likely_one(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(config.read_text() + "scenarios:\n  belarus_warr:\n    half_life_days: 7\n")
    result = monitor(config, "trend", check=False)
    assert result.exit_code == status("usage or configuration error")
    message = " ".join(result.stderr.split())
    line = config.read_text().splitlines().index("  belarus_warr:") + 1
    assert f"{config}, line {line}: scenarios.belarus_warr:" in message, message
    assert "did you mean 'belarus_war'?" in message and "Traceback" not in result.output


def test_an_override_of_an_unknown_indicator_names_its_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(
        config.read_text() + "scenarios:\n  belarus_war:\n    weights:\n      bw_troops_into_ukrain: 2\n"
    )
    result = monitor(config, "scenarios", check=False)
    assert result.exit_code == status("usage or configuration error")
    message = " ".join(result.stderr.split())
    line = config.read_text().splitlines().index("      bw_troops_into_ukrain: 2") + 1
    assert f"{config}, line {line}: scenarios.belarus_war.weights.bw_troops_into_ukrain:" in message, message
    assert "did you mean 'bw_troops_into_ukraine'?" in message


def test_an_invalid_definition_file_names_file_and_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "scenarios:\n  my_sport:\n    title: Sport\n    description: test\n    relevance_threshold: 1\n"
        "    half_life_days: 5\n    thresholds: [{level: watch, up: 2, down: 1}]\n    indicators: {no_such: 2}\n",
        encoding="utf-8",
    )
    config.write_text(config.read_text() + "definitions: [mine.yaml]\n")
    result = monitor(config, "scenarios", check=False)
    assert result.exit_code == status("usage or configuration error")
    assert str(mine) in result.stderr and "line 8" in result.stderr and "no_such" in result.stderr


def test_db_is_the_one_listed_name_and_database_still_works(tmp_path: Path) -> None:
    listed = monitor(write_config(tmp_path / "monitor.yaml", []), "--help").stdout
    commands = listed.split("Commands:", 1)[1]
    assert re.search(r"^\s+db\s", commands, flags=re.MULTILINE) and not re.search(
        r"^\s+database\s", commands, flags=re.MULTILINE
    )
    config = tmp_path / "monitor.yaml"
    assert "database upgraded" in monitor(config, "db", "upgrade").stdout
    assert "database at revision" in monitor(config, "database", "upgrade").stdout
