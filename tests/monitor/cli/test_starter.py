"""``monitor init``: the starter config."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from monitor.analysis import Definitions
from monitor.cli import main
from monitor.config.model import load_config
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


def uncomment_examples(text: str) -> tuple[str, int]:
    """The starter with every commented example made live, and how many there were.

    An example is the run of ``# `` lines after a comment that says "uncomment"; a placeholder
    line just before it with the same key (``scenarios: {}``) is what the example replaces."""
    lines = text.splitlines()
    out: list[str] = []
    examples = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        if not (line.lstrip().startswith("#") and "uncomment" in line):
            continue
        placeholder = None
        if index < len(lines) and re.fullmatch(r"\w+: (\{\}|\[\])", lines[index]):
            placeholder = lines[index].split(":")[0]
            index += 1
        block = []
        while index < len(lines) and re.match(r"\s*# ", lines[index]):
            block.append(re.sub(r"^(\s*)# ", r"\1", lines[index]))
            index += 1
        assert block, f"nothing to uncomment after: {line}"
        if placeholder is not None:
            assert block[0] == f"{placeholder}:", f"the example does not replace {placeholder}"
        examples += 1
        out.extend(block)
    return "\n".join(out) + "\n", examples


def test_every_starter_example_loads_and_shows_the_shipped_values(tmp_path: Path) -> None:
    target = tmp_path / "monitor.yaml"
    monitor(target, "init")
    live, examples = uncomment_examples(target.read_text(encoding="utf-8"))
    assert examples == 4  # smtp, alerts, scenarios, definitions
    # nothing that looks like a commented-out key is left behind
    assert not [line for line in live.splitlines() if re.match(r"\s*#\s+[a-z_]+:(\s|$)", line)]
    target.write_text(live, encoding="utf-8")
    (tmp_path / "my-indicators.yaml").write_text("vocabularies: {}\n", encoding="utf-8")
    config = load_config(target)
    assert config.digest.smtp is not None and config.definitions == (tmp_path / "my-indicators.yaml",)
    assert config.alerts.webhook is not None and config.alerts.min_level == "warning"
    assert set(config.scenarios) == {"belarus_war"}
    # the example's values are the shipped ones: the effective scenarios are the shipped scenarios
    effective = Definitions.from_config(config).scenarios
    shipped = Definitions.from_config(load_config(None, cwd=tmp_path)).scenarios
    assert effective.config_hash == shipped.config_hash
    assert effective.scenarios["belarus_war"] == shipped.scenarios["belarus_war"]
