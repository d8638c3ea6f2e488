"""The root group (monitor.cli.app): every command and option explains itself, and a config error is
one paragraph naming file, line and key, with exit status 2 and no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main
from tests.helpers import monitor

DESIGN_COMMANDS = {
    "init",
    "run",
    "poll",
    "digest",
    "scenarios",
    "trend",
    "explain",
    "rescore",
    "feeds",
    "import",
    "eval",
    "db",
}


def walk(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, (*path, name))


COMMANDS = list(walk(main))


def test_every_design_command_exists() -> None:
    assert set(main.commands) >= DESIGN_COMMANDS


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "monitor" for p, _ in COMMANDS])
def test_command_and_its_options_have_help(path: tuple[str, ...], command: click.Command) -> None:
    assert (command.help or "").strip(), f"`monitor {' '.join(path)}` has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), (
                f"option {param.opts} of `monitor {' '.join(path)}` has no help"
            )
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_broken_config_is_one_paragraph_naming_file_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "schedule:\n  poll_interval: 15m\nfeeds:\n  - name: a\n    url: http://127.0.0.1:1/a.xml\n"
        "    language: en\n    reliability: 7\n",
        encoding="utf-8",
    )
    result = monitor(config, "poll", check=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert (
        str(config) in result.stderr and "line 7" in result.stderr and "feeds[0].reliability" in result.stderr
    )
    assert "7" in result.stderr


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("schedule:\n  poll_intervall: 15m\n", encoding="utf-8")
    result = monitor(config, "feeds", check=False)
    assert result.exit_code == 2 and "poll_intervall" in result.stderr and "line 2" in result.stderr


def test_yaml_syntax_error_in_plain_words_with_the_line_and_a_caret(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        'schedule:\n  poll_interval: 15m\n  digest_time: "07:00"\n timezone: [UTC]\n', encoding="utf-8"
    )
    result = monitor(config, "scenarios", check=False)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {config}, line 4: not valid YAML: this line is indented differently")
    # the quoted line keeps its brackets (not read as console markup), with a caret under the fault
    assert lines[1:3] == ["  4 |  timezone: [UTC]", "    |  ^"]
    assert "<block" not in result.stderr


def test_parse_day_allows_up_to_tomorrow_in_the_configured_zone() -> None:
    from datetime import date

    from monitor.cli.app import parse_day

    today = date(2026, 12, 2)
    assert parse_day("2026-12-03", today=today) == date(2026, 12, 3)
    assert parse_day("2020-01-01", today=today) == date(2020, 1, 1)
    with pytest.raises(click.BadParameter, match=r"2026-12-04 is in the future .*today is 2026-12-02"):
        parse_day("2026-12-04", today=today)
