"""evaluate() on a tiny labelled set whose every figure is worked out by hand, and the JSONL reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators import IndicatorSet, Matcher, MonitorError
from monitor.eval_io import LabelledFileError, load_labelled
from scenarios import (
    Contribution,
    LabelError,
    LabelledItem,
    ScenarioOverride,
    ScenarioSet,
    evaluate,
    load_scenarios,
    predict,
)


@pytest.fixture
def lenient(indicator_set: IndicatorSet, scenario_file: Path) -> ScenarioSet:
    # s_two's relevance threshold lowered to 1 so a lone "betaword" (+1) predicts it
    return load_scenarios(
        indicator_set,
        [scenario_file],
        {"s_two": ScenarioOverride(relevance_threshold=1.0)},
        include_shipped=False,
    )


def item(number: int, scenario: str, polarity: str, text: str) -> LabelledItem:
    return LabelledItem(f"i{number}", "en", text, "", scenario, polarity)


# s_one weighs a +2, c +3, d -1.5 (relevance 1); s_two weighs b +1, c +1, e -0.5 (relevance 1 here)
ITEMS = [
    item(1, "s_one", "escalation", "alphaword"),  # s_one +2: TP, sign right
    item(2, "s_one", "deescalation", "deltaword"),  # s_one -1.5: TP, sign right
    item(3, "s_one", "escalation", "deltaword alphaword alphaword"),  # s_one +0.5 < 1: predicted none, FN
    item(4, "s_one", "deescalation", "alphaword"),  # s_one +2: TP, sign wrong
    item(5, "s_one", "neutral", "gammaword"),  # s_one +3 beats s_two +1: TP, not in polarity figure
    item(6, "s_two", "escalation", "betaword"),  # s_two +1: TP, sign right
    item(7, "s_two", "escalation", "gammaword betaword"),  # s_one +3 beats s_two +2: FN s_two, FP s_one
    item(8, "none", "neutral", "filler text"),  # nothing fires: right
    item(9, "none", "neutral", "betaword"),  # s_two +1: FP s_two, none false positive
    item(10, "none", "neutral", "omegaword"),  # s_two -0.5 < 1: right
    item(11, "none", "neutral", "not gammaword"),  # negated c counts as d: s_one -1.5: FP s_one
]


def test_hand_computed_metrics(matcher: Matcher, lenient: ScenarioSet) -> None:
    report = evaluate(ITEMS, matcher, lenient)
    one, two = report.scenarios["s_one"], report.scenarios["s_two"]
    assert (one.tp, one.fp, one.fn) == (4, 2, 1)  # TP 1 2 4 5, FP 7 11, FN 3
    assert one.precision == pytest.approx(4 / 6)
    assert one.recall == pytest.approx(4 / 5)
    assert one.f1 == pytest.approx(8 / 11)
    assert (two.tp, two.fp, two.fn) == (1, 1, 1)  # TP 6, FP 9, FN 7
    assert (two.precision, two.recall, two.f1) == (0.5, 0.5, 0.5)
    assert report.macro_f1 == pytest.approx((8 / 11 + 0.5) / 2)
    assert report.none_false_positive_rate == 0.5  # 9 and 11 of 8, 9, 10, 11
    assert report.polarity_accuracy == 0.75  # 1, 2, 6 right, 4 wrong; 5 is neutral
    assert (report.items, report.none_items, report.polarity_items) == (11, 4, 4)


def test_errors_list_misses_false_positives_and_wrong_signs(matcher: Matcher, lenient: ScenarioSet) -> None:
    report = evaluate(ITEMS, matcher, lenient)
    assert [(e.item.id, e.kind, e.predicted) for e in report.errors] == [
        ("i3", "miss", None),
        ("i4", "polarity", "s_one"),
        ("i7", "miss", "s_one"),
        ("i9", "false_positive", "s_two"),
        ("i11", "false_positive", "s_one"),
    ]
    negated = report.errors[-1]
    assert negated.result.matches[0].via_negation == "ind_c"
    text = negated.describe()
    assert "i11 [en] false_positive: labelled none/neutral, predicted s_one" in text
    assert "s_one: -1.50 (relevant)" in text
    assert "ind_d (negated ind_c): 'not', 'gammaword'" in text
    missed = report.errors[0].describe()
    assert "s_one: +0.50 (below threshold)" in missed
    assert "ind_a: 'alphaword'" in missed and "ind_d: 'deltaword'" in missed


def test_to_json_has_exactly_the_agreed_keys(matcher: Matcher, lenient: ScenarioSet) -> None:
    data = evaluate(ITEMS, matcher, lenient).to_json()
    assert set(data) == {"scenarios", "macro_f1", "none_false_positive_rate", "polarity_accuracy"}
    assert list(data["scenarios"]) == ["s_one", "s_two"]
    assert data["scenarios"]["s_two"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "tp": 1,
        "fp": 1,
        "fn": 1,
    }
    assert json.loads(json.dumps(data)) == data


def test_empty_set_gives_zeros(matcher: Matcher, lenient: ScenarioSet) -> None:
    report = evaluate([], matcher, lenient)
    assert report.macro_f1 == 0.0
    assert report.none_false_positive_rate == 0.0
    assert report.polarity_accuracy == 0.0
    assert report.errors == ()


def test_perfect_set(matcher: Matcher, lenient: ScenarioSet) -> None:
    perfect = [ITEMS[0], ITEMS[1], ITEMS[5], ITEMS[7]]
    report = evaluate(perfect, matcher, lenient)
    assert report.to_json()["macro_f1"] == 1.0
    assert report.polarity_accuracy == 1.0
    assert report.errors == ()


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (item(1, "s_three", "escalation", "x"), "scenario 's_three', which is not defined"),
        (item(1, "s_one", "up", "x"), "polarity 'up'"),
    ],
)
def test_unknown_labels_are_refused(
    matcher: Matcher, lenient: ScenarioSet, bad: LabelledItem, words: str
) -> None:
    with pytest.raises(LabelError, match=words):
        evaluate([bad], matcher, lenient)
    assert issubclass(LabelError, MonitorError)


def test_prediction_takes_largest_magnitude_then_first_defined() -> None:
    def contribution(scenario_id: str, value: float, relevant: bool = True) -> Contribution:
        return Contribution(scenario_id, value, (), relevant)

    assert predict({"a": contribution("a", 2.0), "b": contribution("b", -3.0)}) == "b"
    assert predict({"a": contribution("a", 2.0), "b": contribution("b", -2.0)}) == "a"
    assert predict({"a": contribution("a", 9.0, relevant=False), "b": contribution("b", 1.0)}) == "b"
    assert predict({"a": contribution("a", 9.0, relevant=False)}) is None


# --- monitor/eval_io ----------------------------------------------------------------------------------

GOOD = {"id": "x1", "lang": "en", "title": "T", "summary": "S", "scenario": "none", "polarity": "neutral"}


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_items_skipping_blank_lines_and_extra_keys(tmp_path: Path) -> None:
    second = {**GOOD, "id": "x2", "title": "", "rationale": "why", "url": "u"}
    path = write_lines(tmp_path / "set.jsonl", json.dumps(GOOD), "", json.dumps(second, ensure_ascii=False))
    assert load_labelled(path) == [
        LabelledItem("x1", "en", "T", "S", "none", "neutral"),
        LabelledItem("x2", "en", "", "S", "none", "neutral"),
    ]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, found list"),
        (
            json.dumps({k: v for k, v in GOOD.items() if k not in ("lang", "polarity")}),
            "missing keys 'lang', 'polarity'",
        ),
        (json.dumps({**GOOD, "id": "x6", "title": 3}), "key 'title' must be a string, not 3"),
        (json.dumps({**GOOD, "id": "x5", "polarity": "up"}), "polarity 'up' is not one of"),
        (json.dumps({**GOOD, "id": "x1"}), "id 'x1' already used on line 1"),
        (json.dumps({**GOOD, "id": "x3", "title": "", "summary": " "}), "neither a title nor a summary"),
        (json.dumps({**GOOD, "id": "x4", "scenario": ""}), "key 'scenario' is empty"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, words: str) -> None:
    path = write_lines(tmp_path / "set.jsonl", json.dumps(GOOD), "", line)
    with pytest.raises(LabelledFileError) as caught:
        load_labelled(path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert words in str(caught.value)
    assert caught.value.line == 3
    assert caught.value.path == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LabelledFileError, match="no such file"):
        load_labelled(tmp_path / "absent.jsonl")
