"""``monitor label`` / ``labels`` / ``eval --labels`` on SQLite and PostgreSQL: labels from an import
and from the analyst, a relabel replacing, an import leaving the analyst's label alone, the export
reading back into ``monitor eval`` and ``monitor import`` with the same figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from monitor.cli.labelling import POLARITIES
from scenarios import LABEL_POLARITIES
from tests.helpers import monitor, write_config
from tests.helpers.imports import jsonl

# Written for these tests: two items the shipped indicators score, one they miss, one about nothing.
LABELLED: list[dict[str, Any]] = [
    {"id": "lab-1", "lang": "en", "source": "wire", "date": "2026-10-01", "url": "https://wire.example/1",
     "title": "Lukashenko orders troops to the Ukrainian border",
     "summary": "Belarusian army units moved south toward the border with Ukraine on Tuesday.",
     "scenario": "belarus_war", "polarity": "escalation", "rationale": "troops to the border"},
    {"id": "lab-2", "lang": "en", "source": "wire", "date": "2026-10-02", "url": "https://wire.example/2",
     "title": "Drone from Belarus violates Lithuanian airspace",
     "summary": "Vilnius airport closed for two hours as jets scrambled.",
     "scenario": "airspace_nato", "polarity": "escalation", "rationale": "incursion"},
    {"id": "lab-3", "lang": "en", "source": "daily", "date": "2026-10-03", "url": "",
     "title": "Minsk hosts an ice hockey tournament",
     "summary": "The national team won its opening game on Sunday evening.",
     "scenario": "none", "polarity": "neutral", "rationale": "sport"},
    {"id": "lab-4", "lang": "en", "source": "daily", "date": "",
     "title": "", "summary": "Officials in Minsk [bold]met[/bold] a delegation from the region to talk about grain.",
     "scenario": "none", "polarity": "neutral", "rationale": ""},
]  # fmt: skip


def _config(path: Path, database_url: str) -> Path:
    path.write_text(f"database: {{url: '{database_url}'}}\nfeeds: []\n", encoding="utf-8")
    return path


def _listing(config: Path) -> dict[str, dict[str, Any]]:
    return {row["guid"]: row for row in json.loads(monitor(config, "labels", "--json").stdout)}


def _figures(result: Result) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_labels_from_import_and_analyst_export_and_evaluate_alike(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path / "monitor.yaml", database_url)
    source = jsonl(tmp_path / "labelled.jsonl", LABELLED)
    assert "4 labels stored" in monitor(config, "import", str(source)).stdout
    listed = _listing(config)
    assert {guid: (r["scenario"], r["source"]) for guid, r in listed.items()} == {
        "lab-1": ("belarus_war", "import"),
        "lab-2": ("airspace_nato", "import"),
        "lab-3": ("none", "import"),
        "lab-4": ("none", "import"),
    }
    before = _figures(monitor(config, "eval", "--labels", "--json"))
    assert before == _figures(monitor(config, "eval", str(source), "--json"))

    # The analyst corrects two items: by number with '#', and by guid; a relabel replaces.
    n2, n3 = listed["lab-2"]["item_id"], listed["lab-3"]["item_id"]
    out = monitor(config, "label", f"#{n2}", "none").stdout
    assert f"#{n2} labelled none (neutral)" in out
    monitor(config, "label", "lab-3", "belarus_war", "--polarity", "deescalation", "--note", "a first try")
    monitor(config, "label", str(n3), "airspace_nato", "--polarity", "escalation", "--note", "on reflection")
    listed = _listing(config)
    assert (listed["lab-2"]["scenario"], listed["lab-2"]["polarity"], listed["lab-2"]["source"]) == (
        "none",
        "neutral",
        "analyst",
    )
    assert (listed["lab-3"]["scenario"], listed["lab-3"]["note"]) == ("airspace_nato", "on reflection")
    human = monitor(config, "labels").stdout
    assert f"#{n3}" in human and "on reflection" in human and "4 labels" in human

    exported = tmp_path / "mine.jsonl"
    monitor(config, "labels", "export", "--out", str(exported))
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["lab-1", "lab-2", "lab-3", "lab-4"]
    assert set(records[0]) == {"id", "lang", "source", "date", "url", "title", "summary", "scenario",
                               "polarity", "rationale"}  # fmt: skip
    assert (records[2]["scenario"], records[2]["rationale"], records[2]["date"]) == (
        "airspace_nato",
        "on reflection",
        "2026-10-03",
    )
    assert monitor(config, "labels", "export").stdout == exported.read_text(encoding="utf-8")
    from_db = _figures(monitor(config, "eval", "--labels", "--json"))
    assert from_db == _figures(monitor(config, "eval", str(exported), "--json"))
    assert from_db != before  # the corrections changed what is measured
    assert from_db["scenarios"]["airspace_nato"]["fp"] == 1  # lab-2 fires, labelled none now
    assert from_db["scenarios"]["airspace_nato"]["fn"] == 1  # lab-3 is missed

    # Importing the file again restores its labels but leaves the analyst's own alone.
    again = monitor(config, "import", str(source)).stdout
    assert "2 labels stored" in again and "2 left as the analyst labelled them" in again
    assert _listing(config)["lab-2"]["scenario"] == "none"

    # The export restores the labels into another database, with the same figures.
    other = _config(tmp_path / "other.yaml", f"sqlite:///{tmp_path / 'other.db'}")
    monitor(other, "import", str(exported))
    assert _figures(monitor(other, "eval", "--labels", "--json")) == from_db

    monitor(config, "labels", "remove", "lab-1")
    assert "label removed" in monitor(config, "label", f"#{n2}", "--clear").stdout
    assert "had no label" in monitor(config, "label", f"#{n2}", "--clear").stdout
    assert sorted(_listing(config)) == ["lab-3", "lab-4"]


def test_a_label_the_analyst_cannot_mean_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(jsonl(tmp_path / "one.jsonl", LABELLED[:1])))
    unknown = monitor(config, "label", "1", "belarus_warr", check=False)
    assert unknown.exit_code == 1 and "no scenario 'belarus_warr'" in unknown.stderr
    assert "airspace_nato, belarus_war, energy_cutoff, none" in unknown.stderr
    none = monitor(config, "label", "1", "none", "--polarity", "escalation", check=False)
    assert none.exit_code == 1 and "polarity is 'neutral'" in none.stderr
    missing = monitor(config, "label", "#77", "none", check=False)
    assert missing.exit_code == 1 and "no item #77" in missing.stderr
    usage = monitor(config, "label", "1", check=False)
    assert usage.exit_code == 2 and "SCENARIO" in usage.stderr
    assert "Traceback" not in unknown.stderr + none.stderr + missing.stderr
    assert [r["scenario"] for r in json.loads(monitor(config, "labels", "--json").stdout)] == ["belarus_war"]
    (tmp_path / "empty").mkdir()
    empty = write_config(tmp_path / "empty" / "monitor.yaml", [])
    no_labels = monitor(empty, "eval", "--labels", check=False)
    assert no_labels.exit_code == 1 and "no labels stored yet" in no_labels.stderr
    both = monitor(config, "eval", "--labels", str(tmp_path / "one.jsonl"), check=False)
    assert both.exit_code == 2


def test_the_cli_offers_the_polarities_eval_knows() -> None:
    assert POLARITIES == LABEL_POLARITIES


def test_one_label_exported_is_singular(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(jsonl(tmp_path / "one.jsonl", LABELLED[:1])))
    result = monitor(config, "labels", "export", "--out", str(tmp_path / "out.jsonl"))
    assert "1 label exported" in result.stderr
