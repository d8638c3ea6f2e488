"""``monitor db upgrade``."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import monitor, write_config


def test_db_upgrade_reports_revision(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    assert "upgraded from empty" in monitor(config, "db", "upgrade").stdout
    assert "already up to date" in monitor(config, "db", "upgrade").stdout
