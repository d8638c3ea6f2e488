"""Every command and option of the CLI explains itself (a command without help text fails here)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main

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
