"""``monitor init``: the starter config."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import monitor


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "monitor.yaml"
    monitor(target, "init")
    assert target.read_text(encoding="utf-8").startswith("#")
    again = monitor(target, "init", check=False)
    assert again.exit_code == 2 and "already exists" in again.stderr
    feeds = json.loads(monitor(target, "feeds", "--json").stdout)["feeds"]
    assert len(feeds) >= 15 and len({f["language"] for f in feeds}) >= 5
