"""Progress bars: drawn on a terminal's stderr, absent from pipes (``monitor.cli.progress``), and
used by ``monitor eval`` on a real pseudo-terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import tempfile
from pathlib import Path

from rich.console import Console

from monitor.cli.progress import progress_bar
from tests.helpers import monitor, monitor_command, process_env, write_config


def test_the_bar_draws_on_a_terminal_and_stays_silent_elsewhere() -> None:
    screen = io.StringIO()
    with progress_bar(
        "re-matching stored items", console=Console(file=screen, force_terminal=True)
    ) as advance:
        advance(5, 10)
    assert "re-matching stored items" in screen.getvalue() and "5/10" in screen.getvalue()

    pipe = io.StringIO()
    with progress_bar("re-matching stored items", console=Console(file=pipe)) as advance:
        advance(5, 10)
    assert pipe.getvalue() == ""


def _labelled(path: Path, count: int) -> Path:
    rows = [
        {
            "id": f"p-{n}",
            "lang": "en",
            "title": f"Farm fair number {n} opens in Grodno",
            "summary": "Tractors and cheese were on show.",
            "scenario": "none",
            "polarity": "neutral",
        }
        for n in range(count)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _stderr_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``args`` with stderr on a pseudo-terminal; its exit code, stdout and what the terminal got."""
    leader, follower = pty.openpty()
    # stdout to a file, not a pipe: a pipe nobody reads while the terminal is read fills up and
    # blocks a command with a long output
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(
            args, cwd=cwd, env=process_env(), stdout=stdout, stderr=follower, stdin=subprocess.DEVNULL
        )
        os.close(follower)
        screen = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the process closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            elif proc.poll() is not None:
                break
        proc.wait()
        stdout.seek(0)
        out = stdout.read().decode()
    os.close(leader)
    return proc.returncode, out, screen.decode(errors="replace")


def test_eval_of_a_large_file_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    labelled = _labelled(tmp_path / "set.jsonl", 500)
    code, out, screen = _stderr_on_a_terminal(
        monitor_command(config, "eval", str(labelled), "--json"), tmp_path
    )
    assert code == 0 and json.loads(out)["none_false_positive_rate"] == 0
    assert "evaluating set.jsonl" in screen and "/500" in screen

    piped = monitor(config, "eval", str(labelled), "--json")
    assert "evaluating" not in piped.stderr and "macro_f1" in json.loads(piped.stdout)


def test_import_and_rescore_of_many_items_show_the_shared_bar_on_a_terminal_only(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    # brackets that Rich would read as markup: the bar shows the name as it is
    big = tmp_path / "fairs[red].jsonl"
    big.write_text(
        "".join(
            json.dumps({"id": f"f-{n}", "source": "Farm weekly", "date": "2024-05-01", "title": f"Fair {n}"})
            + "\n"
            for n in range(600)
        ),
        encoding="utf-8",
    )
    code, out, screen = _stderr_on_a_terminal(monitor_command(config, "import", str(big), "--json"), tmp_path)
    assert code == 0 and json.loads(out)["new"] == 600
    assert "importing fairs[red].jsonl" in screen and "600/600" in screen

    piped = monitor(config, "import", str(big))
    assert "importing" not in piped.stderr and "600 already stored" in piped.stdout

    # new patterns: every stored item is matched again, with the bar
    (tmp_path / "mine.yaml").write_text(
        "indicators:\n  - id: my_fair\n    label: Fair\n    polarity: escalation\n"
        "    description: test\n    source: own\n    terms: {fair: [fair]}\n    all: [fair]\n"
        "scenarios:\n  my_fairs:\n    title: Fairs\n    description: test\n    relevance_threshold: 1\n"
        "    half_life_days: 5\n    thresholds: [{level: watch, up: 2, down: 1}]\n    indicators: {my_fair: 2}\n",
        encoding="utf-8",
    )
    config.write_text(config.read_text() + "definitions: [mine.yaml]\n")
    code, out, screen = _stderr_on_a_terminal(
        monitor_command(config, "rescore", "--dry-run", "--json"), tmp_path
    )
    assert code == 0 and json.loads(out)["rematched"] == 600
    assert "re-matching stored items" in screen and "600/600" in screen
