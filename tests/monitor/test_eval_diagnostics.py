"""``monitor eval --by lang / --part / --errors``, ``explain --text`` scoring like eval, and the
coverage table of ``monitor scenarios --check``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from scenarios import split_part

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
SMALL = FIXTURES / "small.jsonl"


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    config = tmp_path / "monitor.yaml"
    if not config.exists():
        config.write_text(f"database: {{url: 'sqlite:///{tmp_path / 'm.db'}'}}\nfeeds: []\n")
    result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_eval_by_language_json_and_table(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "eval", str(SMALL), "--by", "lang", "--json")
    assert code == 0
    payload = json.loads(out)
    langs = {json.loads(line)["lang"] for line in SMALL.read_text().splitlines() if line.strip()}
    assert set(payload["by_lang"]) == langs
    for figures in payload["by_lang"].values():
        assert 0.0 <= figures["macro_f1"] <= 1.0 and figures["items"] >= 1
    code, out, _ = _run(tmp_path, "eval", str(SMALL), "--by", "lang")
    assert code == 0 and "by language" in out and "macro-F1" in out


def test_eval_part_splits_by_a_hash_of_the_id(tmp_path: Path) -> None:
    ids = [json.loads(line)["id"] for line in SMALL.read_text().splitlines() if line.strip()]
    counts = {}
    for part in ("tune", "blind"):
        code, out, _ = _run(tmp_path, "eval", str(SMALL), "--part", part, "--json", "--errors")
        assert code == 0
        errors = json.loads(out)["errors"]
        assert all(split_part(error["id"]) == part for error in errors)
        counts[part] = sum(split_part(i) == part for i in ids)
    assert counts["tune"] + counts["blind"] == len(ids)
    assert split_part("item-0") == split_part("item-0")  # depends on the id alone


def test_errors_show_the_nearest_partial_match_and_fired_terms(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    rows = [
        # a miss: Belarus and troops and the border, but no movement verb
        {"id": "m1", "lang": "en", "title": "", "summary": "Belarusian troops and the border with Ukraine",
         "scenario": "belarus_war", "polarity": "escalation"},
        # a false positive: troops really moved, labelled none to provoke one
        {"id": "f1", "lang": "en", "title": "Belarus moves troops to the border with Ukraine", "summary": "",
         "scenario": "none", "polarity": "neutral"},
    ]  # fmt: skip
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = _run(tmp_path, "eval", str(labelled), "--json", "--errors")
    assert code == 0
    errors = {e["id"]: e for e in json.loads(out)["errors"]}
    nearest = errors["m1"]["nearest"]
    assert nearest and nearest[0]["missing"] and nearest[0]["matched"]
    assert "belarus" in nearest[0]["matched"]
    assert errors["f1"]["fired_terms"]
    code, out, _ = _run(tmp_path, "eval", str(labelled), "--errors")
    assert "nearest:" in out and "fired terms:" in out


def test_explain_text_scores_like_eval(tmp_path: Path) -> None:
    title = "Lukashenko orders troops to the Ukrainian border"
    summary = "Minsk said the units were moved after Russian drills."
    labelled = tmp_path / "one.jsonl"
    labelled.write_text(
        json.dumps({"id": "x", "lang": "en", "title": title, "summary": summary,
                    "scenario": "belarus_war", "polarity": "escalation"}) + "\n"
    )  # fmt: skip
    _, out, _ = _run(tmp_path, "eval", str(labelled), "--json", "--errors")
    assert json.loads(out)["scenarios"]["belarus_war"]["tp"] == 1
    _, out, _ = _run(tmp_path, "explain", "--title", title, "--text", summary, "--json")
    explained = json.loads(out)
    assert explained["fields"] == {"title": title, "summary": summary}
    assert explained["scenarios"]["belarus_war"]["relevant"] is True
    code, _, err = _run(tmp_path, "explain", "--title", title)
    assert code != 0 and "--title goes with --text" in err


def test_scenarios_check_prints_the_coverage_table(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "indicators:\n"
        "  - id: my_flood\n    label: Floods\n    polarity: escalation\n"
        "    terms: {flood: {terms: {en: [flood*]}}}\n    all: [flood]\n"
    )
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'm.db'}'}}\nfeeds: []\ndefinitions: ['{extra}']\n"
    )
    code, _, err = _run(tmp_path, "scenarios", "--check")
    assert code == 0
    assert "terms per vocabulary and language" in err
    assert "my_flood.flood" in err
    assert "vocabulary 'my_flood.flood' has no terms in fr, de, ru, uk, be, pl, lt, lv" in " ".join(
        err.split()
    )
