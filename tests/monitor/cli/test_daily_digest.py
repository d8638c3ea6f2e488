"""``monitor digest``: both files written, a day without data says so, --send without SMTP fails."""

from __future__ import annotations

from pathlib import Path

from bench import history
from tests.helpers import monitor, write_config


def test_cli_writes_both_files_and_says_when_there_is_no_data(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history.write(tmp_path / "history.jsonl")))
    out = monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d")).stdout
    html, text = tmp_path / "d" / "2026-10-30.html", tmp_path / "d" / "2026-10-30.md"
    assert (
        html.is_file() and text.is_file() and "2026-10-30.html" in out.replace("\n", "")
    )  # rich wraps long paths at 80 columns
    first = text.read_text(encoding="utf-8")
    monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d"))
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["2026-10-30.html", "2026-10-30.md"]
    assert text.read_text(encoding="utf-8").splitlines()[0] == first.splitlines()[0]
    empty = monitor(config, "digest", "--date", "2020-01-01", "--out", str(tmp_path / "d")).stdout
    assert "no data" in empty
    assert "no data" in (tmp_path / "d" / "2020-01-01.md").read_text(encoding="utf-8").lower()
    send = monitor(
        config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d"), "--send", check=False
    )
    assert send.exit_code == 1 and "no digest.smtp" in send.stderr
