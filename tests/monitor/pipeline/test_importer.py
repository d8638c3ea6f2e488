"""Backfilling in this process (``import_file``): JSON Lines and RSS files into a real SQLite file,
original dates kept, reprints grouped into one story, re-importing adds nothing, a bad line stores
nothing and names file and line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import db
from indicators.errors import MonitorError
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.pipeline.importer import import_file
from tests.helpers import rows, write_config
from tests.helpers.imports import history, jsonl

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_jsonl_import_groups_reprints_and_is_idempotent(
    tmp_path: Path, shipped_definitions: Definitions
) -> None:
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        report = import_file(database, config, shipped_definitions, history(tmp_path), now=NOW)
        assert (report.read, report.new, report.updated, report.already_stored) == (7, 7, 0, 0)
        assert len(report.sources) == 5 and report.warnings == ()
        trend = db.load_trend(database, scenario_id="airspace_nato")
        again = import_file(database, config, shipped_definitions, history(tmp_path), now=NOW)
        assert (again.new, again.already_stored) == (0, 7)
        assert db.load_trend(database, scenario_id="airspace_nato") == trend
    finally:
        database.close()
    assert rows(path, "select count(*) from items") == [(7,)]
    assert rows(path, "select count(distinct story_id) from items where guid like '%-1'") == [(1,)]
    day = next(r for r in trend if r.day == date(2026, 11, 10))
    assert (day.items, day.stories) == (5, 1)


def test_rss_import_keeps_the_original_dates(tmp_path: Path, shipped_definitions: Definitions) -> None:
    feed = tmp_path / "archive.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Archive</title>'
        "<link>https://archive.example/</link><description>x</description>"
        "<item><guid>a1</guid><title>Gazprom threatens to cut gas supplies to Belarus over debt</title>"
        "<link>https://archive.example/a1</link><description>Moscow demands that Minsk pay its arrears.</description>"
        "<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        report = import_file(database, config, shipped_definitions, feed, now=NOW)
        energy = db.load_trend(database, scenario_id="energy_cutoff")
    finally:
        database.close()
    assert report.new == 1
    assert rows(path, "select day, published_at from items") == [("2026-03-02", "2026-03-02 09:00:00.000000")]
    assert [r.day for r in energy if r.items] == [date(2026, 3, 2)]


def test_a_bad_line_names_file_and_line_and_stores_nothing(
    tmp_path: Path, shipped_definitions: Definitions
) -> None:
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "1", "title": "ok", "source": "s"}])
    bad.write_text(bad.read_text() + '{"id": "2", "title": "x"}\n', encoding="utf-8")
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        with pytest.raises(MonitorError, match=r"source") as raised:
            import_file(database, config, shipped_definitions, bad, now=NOW)
    finally:
        database.close()
    assert f"{bad}:2:" in str(raised.value)
    assert rows(path, "select count(*) from items") == [(0,)]


def test_the_labelled_sets_format_imports_as_it_is(tmp_path: Path, shipped_definitions: Definitions) -> None:
    """../shared/eval/*.jsonl: `date` (also an ISO month) and the label keys are accepted."""
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    labelled = jsonl(
        tmp_path / "dev.jsonl",
        [
            {"id": "a", "lang": "en", "source": "wire", "date": "2022-10", "title": "Belarus moves troops to the border",
             "summary": "", "scenario": "belarus_war", "polarity": "escalation", "rationale": "troops"},
            {"id": "b", "lang": "en", "source": "wire", "date": "2025-09-10", "title": "Drones cross into Poland",
             "scenario": "airspace_nato", "polarity": "escalation", "rationale": "incursion"},
        ],
    )  # fmt: skip
    database = db.open_database(config.database_url)
    try:
        report = import_file(database, config, shipped_definitions, labelled, now=NOW)
        assert (report.read, report.new, report.undated) == (2, 2, 0)
    finally:
        database.close()
    assert sorted(rows(path, "select guid, day from items")) == [("a", "2022-10-01"), ("b", "2025-09-10")]
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "c", "source": "w", "title": "t", "date": "2022-13"}])
    database = db.open_database(config.database_url)
    try:
        with pytest.raises(MonitorError, match=r"bad.jsonl:1: .*month 13 does not exist"):
            import_file(database, config, shipped_definitions, bad, now=NOW)
    finally:
        database.close()


def test_a_hostile_import_file_is_refused_line_by_line_and_stores_nothing(
    tmp_path: Path, shipped_definitions: Definitions
) -> None:
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    good = {"id": "ok", "source": "wire", "title": "Belarus moves troops", "published": "2026-11-01"}
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "list", "title": ["a", "b"]}),
        json.dumps({**good, "id": "number", "summary": 12}),
        "[" * 200_000 + "]" * 200_000,
        json.dumps({**good, "id": "long", "summary": "x" * 2_000_000}),
        json.dumps({**good, "id": "year1", "published": "0001-01-01T00:00:00-05:00"}),
        json.dumps({**good, "id": "future", "published": "9999-12-31"}),
    ]
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = db.open_database(config.database_url)
    try:
        with pytest.raises(MonitorError) as refused:
            import_file(database, config, shipped_definitions, hostile, now=NOW)
        message = str(refused.value)
        assert "6 bad lines, nothing was imported" in message
        for number, reason in (
            (2, "'title' must be text, not list"),
            (3, "'summary' must be text, not int"),
            (4, "nested too deeply"),
            (5, "at most 1,000,000 are read"),
            (6, ":6: "),
            (7, "in the future"),
        ):
            assert f"hostile.jsonl:{number}: " in message and reason in message, (number, reason, message)
        assert db.count_items(database) == 0
        # A byte-order mark is no reason to refuse a file; an id too long to be a key is hashed.
        ok = tmp_path / "bom.jsonl"
        ok.write_bytes(b"\xef\xbb\xbf" + json.dumps({**good, "id": "i" * 5_000}).encode() + b"\n")
        assert import_file(database, config, shipped_definitions, ok, now=NOW).new == 1
        (guid,) = [g for (g,) in rows(path, "select guid from items")]
        assert guid.startswith("sha256:") and len(guid) < 100
    finally:
        database.close()


def test_a_labelled_sets_labels_are_stored_and_checked(
    tmp_path: Path, shipped_definitions: Definitions
) -> None:
    """The label keys become labels (source import, rationale as note); an unknown scenario or a
    polarity without a scenario stores nothing and names the line."""
    path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(path)
    labelled = jsonl(
        tmp_path / "dev.jsonl",
        [
            {"id": "a", "lang": "en", "source": "wire", "date": "2025-09-10", "title": "Belarus moves troops",
             "scenario": "belarus_war", "polarity": "escalation", "rationale": "troops"},
            {"id": "b", "lang": "en", "source": "wire", "date": "2025-09-11", "title": "Hockey in Minsk",
             "scenario": "none", "polarity": ""},
            {"id": "c", "lang": "en", "source": "wire", "date": "2025-09-12", "title": "Not labelled"},
        ],
    )  # fmt: skip
    bad = jsonl(
        tmp_path / "bad.jsonl",
        [
            {"id": "d", "source": "wire", "title": "t", "scenario": "belarus_war", "polarity": "escalation"},
            {"id": "e", "source": "wire", "title": "t", "scenario": "belarus_warr", "polarity": "escalation"},
        ],
    )  # fmt: skip
    orphan = jsonl(
        tmp_path / "orphan.jsonl", [{"id": "f", "source": "wire", "title": "t", "polarity": "neutral"}]
    )
    database = db.open_database(config.database_url)
    try:
        report = import_file(database, config, shipped_definitions, labelled, now=NOW)
        assert (report.new, report.labels, report.labels_kept) == (3, 2, 0)
        stored = {label.guid: label for label in db.list_labels(database)}
        assert sorted(stored) == ["a", "b"]
        assert (stored["a"].scenario, stored["a"].polarity, stored["a"].note) == (
            "belarus_war",
            "escalation",
            "troops",
        )
        assert (stored["b"].polarity, stored["b"].source, stored["b"].labelled_at) == (
            "neutral",
            "import",
            NOW,
        )
        with pytest.raises(MonitorError, match=r"bad.jsonl:2: no scenario 'belarus_warr'"):
            import_file(database, config, shipped_definitions, bad, now=NOW)
        with pytest.raises(MonitorError, match=r"orphan.jsonl:1: has a 'polarity' but no 'scenario'"):
            import_file(database, config, shipped_definitions, orphan, now=NOW)
    finally:
        database.close()
    assert rows(path, "select count(*) from items") == [(3,)]
