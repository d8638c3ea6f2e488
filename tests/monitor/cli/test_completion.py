"""Shell completion as the README documents it: the entry point is `monitor`, and click's
``_MONITOR_COMPLETE=bash_source monitor`` prints a completion script that completes its commands."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner

from monitor.cli import main
from tests.helpers import REPO_ROOT


def test_the_documented_completion_command_prints_a_script() -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"monitor": "monitor.cli:main"}
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_MONITOR_COMPLETE=bash_source monitor)"' in readme
    script = CliRunner().invoke(main, [], prog_name="monitor", env={"_MONITOR_COMPLETE": "bash_source"})
    assert script.exit_code == 0 and "_monitor_completion" in script.output
    words = CliRunner().invoke(
        main,
        [],
        prog_name="monitor",
        env={"_MONITOR_COMPLETE": "bash_complete", "COMP_WORDS": "monitor ex", "COMP_CWORD": "1"},
    )
    assert words.exit_code == 0
    assert {line.split(",", 1)[1] for line in words.output.splitlines()} == {"explain", "export"}
