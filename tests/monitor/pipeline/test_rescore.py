"""Rescoring in this process (``rescore``): after a weight change the dry run reports the change and
writes nothing, the real run makes the trend what a fresh import with the new config gives, and the
parallel re-match stores what the in-process one does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import db
from monitor.config.model import Config, load_config
from monitor.pipeline.importer import import_file
from monitor.pipeline.rescore import rescore
from scenarios import DailyTrend, Level
from tests.helpers import definitions_for, rows, write_config
from tests.helpers.imports import history

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def import_history(path: Path, tmp_path: Path) -> None:
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        import_file(database, config, definitions_for(config), history(tmp_path), now=NOW)
    finally:
        database.close()


def _trend(config: Config) -> list[DailyTrend]:
    database = db.open_database(config.database_url)
    try:
        return db.load_trend(database)
    finally:
        database.close()


def _without_hash(trend: list[DailyTrend]) -> list[tuple[object, ...]]:
    return [(r.scenario_id, r.day, round(r.raw, 9), round(r.index, 9), r.level, r.items) for r in trend]


def test_dry_run_writes_nothing_and_the_rescore_equals_a_fresh_import(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    path = write_config(old_dir / "monitor.yaml", [])
    import_history(path, tmp_path)
    before = _trend(load_config(path))
    fired = rows(
        path, "select indicator_id from matches m join items i on i.id = m.item_id where i.guid = 'wire-2'"
    )
    indicator = sorted(i for (i,) in fired)[0]
    weight = definitions_for(load_config(path)).scenarios.scenarios["airspace_nato"].weights[indicator]
    override = f"scenarios:\n  airspace_nato:\n    weights: {{{indicator}: {weight + 2}}}\n"
    path.write_text(path.read_text() + override)
    config = load_config(path)
    definitions = definitions_for(config)

    database = db.open_database(config.database_url)
    try:
        dry = rescore(database, config, definitions, now=NOW, dry_run=True)
        assert dry.dry_run and dry.rematched == 0 and dry.days_written == 0
        assert any(c.scenario_id == "airspace_nato" and c.day == date(2026, 11, 12) for c in dry.changes)
        assert db.load_trend(database) == before  # nothing written
        done = rescore(database, config, definitions, now=NOW)
        assert done.days_written > 0 and done.new_hash == definitions.scenarios.config_hash
        after = db.load_trend(database)
        again = rescore(database, config, definitions, now=NOW, dry_run=True)
        assert again.changes == ()
    finally:
        database.close()
    changed = next(r for r in after if r.scenario_id == "airspace_nato" and r.day == date(2026, 11, 12))
    old = next(r for r in before if r.scenario_id == "airspace_nato" and r.day == date(2026, 11, 12))
    assert changed.raw - old.raw == pytest.approx(2.0)  # one fired indicator, reliability 1.0

    fresh = write_config(new_dir / "monitor.yaml", [])
    fresh.write_text(fresh.read_text() + override)
    import_history(fresh, tmp_path)
    assert _without_hash(_trend(load_config(fresh))) == _without_hash(after)


def test_parallel_rematch_stores_the_same_matches_as_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large re-match runs in worker processes; it must store exactly what the in-process path does."""
    from monitor.pipeline import rescore as rescore_module

    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "indicators:\n  - id: my_drone\n    label: Drones\n    polarity: escalation\n"
        "    description: test\n    source: own\n    terms: {d: [drone*]}\n    all: [d]\n",
        encoding="utf-8",
    )
    stored: list[list[tuple[object, ...]]] = []
    for parallel in (False, True):
        folder = tmp_path / ("parallel" if parallel else "here")
        folder.mkdir()
        config = write_config(folder / "monitor.yaml", [])
        import_history(config, tmp_path)
        config.write_text(config.read_text() + f"definitions: [{extra}]\n")
        loaded = load_config(config)
        definitions = definitions_for(loaded)
        database = db.open_database(loaded.database_url)
        monkeypatch.setattr(rescore_module, "PARALLEL_FROM", 1 if parallel else 10**9)
        report = rescore_module.rescore(database, loaded, definitions, now=datetime.now(UTC))
        assert report.rematched == 7
        database.close()
        stored.append(
            rows(config, "select item_id, indicator_id, polarity, evidence from matches order by 1, 2")
        )
    assert stored[0] == stored[1] and any(r[1] == "my_drone" for r in stored[0])


def _day(index: float, raw: float = 0.0, level: str = "calm", day: int = 1) -> DailyTrend:
    return DailyTrend("s", date(2026, 11, day), raw, index, Level(level), False, 1, 1, (), (), "h")


def test_changes_below_the_shown_precision_are_neither_listed_nor_counted() -> None:
    from monitor.pipeline.rescore import DayChange, shown, summarise

    noise = DayChange("s", date(2026, 11, 1), _day(-0.00001), _day(0.00002))  # "-0.000" vs "0.000"
    rise = DayChange("s", date(2026, 11, 2), _day(1.0, day=2), _day(4.5, level="watch", day=2))
    small = DayChange("s", date(2026, 11, 3), _day(1.0, day=3), _day(1.25, day=3))
    (summary,) = summarise([noise, rise, small], ["s"])
    assert summary.days == (rise, small)
    assert [(c.day.day, c.old, c.new) for c in summary.level_changes] == [(2, "calm", "watch")]
    assert summary.largest == (rise, small)
    assert shown(-0.00001) == "0.000" and shown(-0.0006) == "-0.001"
    assert summarise([], ["s", "t"])[1].days == ()
