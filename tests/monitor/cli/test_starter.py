"""``monitor init``: the starter config."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from tests.helpers import _as_a_process, monitor


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "monitor.yaml"
    monitor(target, "init")
    assert target.read_text(encoding="utf-8").startswith("#")
    again = monitor(target, "init", check=False)
    assert again.exit_code == 2 and "already exists" in again.stderr
    feeds = json.loads(monitor(target, "feeds", "--json").stdout)["feeds"]
    assert len(feeds) >= 15 and len({f["language"] for f in feeds}) >= 5


def test_init_prints_the_exact_next_command(tmp_path: Path) -> None:
    runner = CliRunner()
    with _as_a_process(tmp_path):  # the cwd, and the log handlers restored afterwards
        default = runner.invoke(main, ["init"], env={"MONITOR_CONFIG": None})
        assert default.exit_code == 0, default.output
        assert default.output.rstrip().endswith("then run `monitor run`")

        other = runner.invoke(main, ["init", "conf/my monitor.yaml"], env={"MONITOR_CONFIG": None})
        assert other.output.rstrip().endswith("then run `monitor --config 'conf/my monitor.yaml' run`")

        flagged = runner.invoke(main, ["--config", "b.yaml", "init"], env={"MONITOR_CONFIG": None})
        assert flagged.output.rstrip().endswith("then run `monitor --config b.yaml run`")

        from_env = runner.invoke(main, ["init"], env={"MONITOR_CONFIG": "env.yaml"})
        assert (tmp_path / "env.yaml").is_file() and from_env.output.rstrip().endswith("`monitor run`")

        # the printed command finds the file it names
        assert runner.invoke(main, ["--config", "conf/my monitor.yaml", "scenarios"]).exit_code == 0
