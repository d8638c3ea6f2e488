"""``monitor items`` and ``monitor export`` after an import: the filters, item numbers as #id, text
from feeds shown as text (never Rich markup), CSV cells that a spreadsheet will not run, and exports
that stream to standard output or replace a file only once complete."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import monitor, monitor_command, process_env, rows, write_config
from tests.helpers.imports import history, jsonl


def imported(tmp_path: Path) -> Path:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history(tmp_path)))
    return config


def listed(config: Path, *args: str) -> list[dict[str, Any]]:
    out = monitor(config, "items", "--json", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_items_filters_and_contributions(tmp_path: Path) -> None:
    config = imported(tmp_path)
    everything = listed(config)
    assert len(everything) == 7
    assert [i["day"] for i in everything] == sorted((i["day"] for i in everything), reverse=True)
    ids = dict(rows(config, "select guid, id from items"))
    assert {i["guid"]: i["id"] for i in everything} == ids
    wire2 = next(i for i in everything if i["guid"] == "wire-2")
    assert wire2["contributions"]["airspace_nato"] > 0 and wire2["relevant_to"] == ["airspace_nato"]
    assert wire2["indicators"] and wire2["feed"] == "wire"

    relevant = listed(config, "--scenario", "airspace_nato", "--relevant")
    assert sorted(i["guid"] for i in relevant) == sorted(g for g in ids if g != "wire-3")
    assert [i["guid"] for i in listed(config, "--relevant")] == [i["guid"] for i in relevant]
    assert [i["guid"] for i in listed(config, "--search", "FOOTBALL")] == ["wire-3"]
    assert sorted(i["guid"] for i in listed(config, "--feed", "wire")) == ["wire-1", "wire-2", "wire-3"]
    assert [i["day"] for i in listed(config, "--since", "2026-11-12", "--until", "2026-11-12")] == [
        "2026-11-12",
        "2026-11-12",
    ]
    assert len(listed(config, "--limit", "3")) == 3


def test_unknown_scenario_or_feed_is_a_usage_error_naming_the_known_ones(tmp_path: Path) -> None:
    config = imported(tmp_path)
    feed = monitor(config, "items", "--feed", "wires", check=False)
    assert feed.exit_code == 2 and "no feed named 'wires'" in feed.stderr and "wire" in feed.stderr
    scenario = monitor(config, "items", "--scenario", "airspace", check=False)
    assert scenario.exit_code == 2 and "airspace_nato" in scenario.stderr
    days = monitor(config, "items", "--since", "2026-11-13", "--until", "2026-11-12", check=False)
    assert days.exit_code == 2 and "is after" in days.stderr


def test_text_output_numbers_items_escapes_markup_and_is_limited(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    records: list[dict[str, object]] = [
        {"id": f"n{n}", "source": "wire", "title": f"note {n}", "published": f"2026-10-{1 + n % 28:02d}"}
        for n in range(55)
    ]
    records.append({"id": "x", "source": "wire", "title": "[red]x[/]", "published": "2026-10-30"})
    monitor(config, "import", str(jsonl(tmp_path / "many.jsonl", records)))
    text = monitor(config, "items")
    (hostile,) = rows(config, "select id from items where guid = 'x'")
    assert f"#{hostile[0]}" in text.stdout and "[red]x[/]" in text.stdout
    shown = [line for line in text.stdout.splitlines() if line.startswith("│ #")]
    assert len(shown) == 50 and "showing the first 50" in text.stderr
    assert (
        len(
            [
                line
                for line in monitor(config, "items", "--limit", "60").stdout.splitlines()
                if line.startswith("│ #")
            ]
        )
        == 56
    )
    explained = monitor(config, "explain", f"#{hostile[0]}")
    assert "[red]x[/]" in explained.stdout


def test_csv_is_safe_against_formula_injection(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    records: list[dict[str, object]] = [
        {"id": "f1", "source": "=cmd", "title": '=HYPERLINK("http://evil.example","x")', "published": "2026-10-01"},
        {"id": "f2", "source": "wire", "title": "+1 and -2", "summary": "@SUM(A1)", "published": "2026-10-02"},
        {"id": "f3", "source": "wire", "title": "Belarus agrees to release prisoners", "published": "2026-10-03"},
    ]  # fmt: skip
    monitor(config, "import", str(jsonl(tmp_path / "f.jsonl", records)))
    out = monitor(config, "items", "--csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    by_guid = {r["guid"]: r for r in table}
    assert (
        by_guid["f1"]["title"] == '\'=HYPERLINK("http://evil.example","x")'
        and by_guid["f1"]["feed"] == "'=cmd"
    )
    assert by_guid["f2"]["title"] == "'+1 and -2" and by_guid["f2"]["summary"] == "'@SUM(A1)"
    assert by_guid["f3"]["title"] == "Belarus agrees to release prisoners"
    # numbers stay numbers, negative ones included
    values = [float(r["contribution_belarus_war"]) for r in table]
    assert min(values) < 0
    assert all(not r["contribution_belarus_war"].startswith("'") for r in table)
    assert list(table[0])[:3] == ["id", "guid", "day"]


def test_export_streams_trend_items_and_matches(tmp_path: Path) -> None:
    config = imported(tmp_path)
    trend = monitor(config, "export", "trend", "--csv", "--scenario", "airspace_nato", "--since", "2026-11-10", "--until", "2026-11-12").stdout  # fmt: skip
    days = list(csv.DictReader(io.StringIO(trend)))
    assert [(d["scenario"], d["day"]) for d in days] == [("airspace_nato", f"2026-11-1{n}") for n in range(3)]
    assert int(days[0]["items"]) == 5 and int(days[0]["stories"]) == 1

    items = [json.loads(line) for line in monitor(config, "export", "items", "--json").stdout.splitlines()]
    assert len(items) == 7 and [i["day"] for i in items] == sorted(i["day"] for i in items)

    weights = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]["energy_cutoff"][
        "indicators"
    ]
    matches = monitor(config, "export", "matches", "--json", "--scenario", "airspace_nato").stdout
    found = [json.loads(line) for line in matches.splitlines()]
    stored = rows(config, "select count(*) from matches m where m.indicator_id like 'an\\_%' escape '\\'")
    assert len(found) == stored[0][0] > 0
    assert all(m["indicator"] not in weights and m["terms"] and m["polarity"] == "escalation" for m in found)


def test_export_to_a_file_and_a_format_is_required(tmp_path: Path) -> None:
    config = imported(tmp_path)
    target = tmp_path / "out" / "items.csv"
    target.parent.mkdir()
    target.write_text("the last good export\n", encoding="utf-8")
    result = monitor(config, "export", "items", "--csv", "--out", str(target))
    assert result.stdout == "" and "wrote 7 items rows" in result.stderr
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == 7
    assert sorted(p.name for p in target.parent.iterdir()) == ["items.csv"]
    bad = monitor(config, "export", "items", "--csv", "--scenario", "nope", "--out", str(target), check=False)
    assert (
        bad.exit_code == 2 and len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == 7
    )
    assert sorted(p.name for p in target.parent.iterdir()) == ["items.csv"]
    missing = monitor(config, "export", "items", check=False)
    assert missing.exit_code == 2 and "--csv or --json" in missing.output


def test_a_reader_that_stops_early_ends_the_export_without_a_traceback(tmp_path: Path) -> None:
    """`monitor export items --json | head -1` in a real process: more rows than a pipe holds."""
    config = write_config(tmp_path / "monitor.yaml", [])
    filler = "x" * 400
    records: list[dict[str, object]] = [
        {"id": f"n{n}", "source": "wire", "title": f"note {n}", "summary": filler, "published": "2026-10-01"}
        for n in range(600)
    ]
    monitor(config, "import", str(jsonl(tmp_path / "many.jsonl", records)))
    with subprocess.Popen(
        monitor_command(config, "export", "items", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=process_env(),
    ) as export:
        assert export.stdout is not None and export.stderr is not None
        first = json.loads(export.stdout.readline())
        export.stdout.close()
        errors = export.stderr.read().decode()
        assert export.wait() == 0, errors
    assert first["guid"] == "n0" and "Traceback" not in errors and "BrokenPipe" not in errors
