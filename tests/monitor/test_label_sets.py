"""Item references and the labelled set built from stored labels: what a command accepts as ITEM,
label checks, and an export that ``monitor eval``'s reader reads back exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import db
from indicators.errors import LabelError
from monitor.eval_io import load_labelled
from monitor.item_refs import item_ref, parse_item_ref
from monitor.label_sets import check_label, labelled_set

AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
SCENARIOS = ("belarus_war", "airspace_nato")


@pytest.mark.parametrize(
    ("text", "ref"),
    [("123", 123), ("#123", 123), (" #7 ", 7), ("item-0042", "item-0042"), ("guid:123", "123"),
     ("#abc", "#abc"), ("١٢", "١٢"), ("https://x.example/a#1", "https://x.example/a#1")],
)  # fmt: skip
def test_an_item_is_named_by_its_number_with_or_without_hash_or_by_guid(text: str, ref: int | str) -> None:
    assert parse_item_ref(text) == ref
    assert item_ref(123) == "#123" and parse_item_ref(item_ref(123)) == 123


def test_check_label_defaults_to_neutral_and_names_what_is_allowed() -> None:
    assert check_label("belarus_war", None, SCENARIOS) == "neutral"
    assert check_label("none", None, SCENARIOS) == "neutral"
    assert check_label("airspace_nato", "deescalation", SCENARIOS) == "deescalation"
    with pytest.raises(LabelError, match="use one of: belarus_war, airspace_nato, none"):
        check_label("energy", "escalation", SCENARIOS)
    with pytest.raises(LabelError, match="not one of escalation, deescalation, neutral"):
        check_label("belarus_war", "up", SCENARIOS)
    with pytest.raises(LabelError, match="about no scenario"):
        check_label("none", "escalation", SCENARIOS)


def _stored(item_id: int, guid: str, title: str, summary: str = "", **kw: object) -> db.StoredLabel:
    return db.StoredLabel(
        item_id=item_id,
        scenario=str(kw.get("scenario", "none")),
        polarity=str(kw.get("polarity", "neutral")),
        note=None,
        labelled_at=AT,
        source=db.LabelSource.ANALYST,
        guid=guid,
        feed_name="wire",
        language=None,
        title=title,
        summary=summary,
        url=None,
        published_at=None,
    )


def test_the_export_reads_back_as_the_same_items(tmp_path: Path) -> None:
    labels = [
        # characters str.splitlines() breaks at, inside the text of one record
        _stored(1, "a", "Line\u2028separator and\x85next line", "para\u2029graph \x0b\x1c form feeds"),
        _stored(2, "shared", "One guid in two feeds", scenario="belarus_war", polarity="escalation"),
        _stored(3, "shared", "", "The other feed's item"),
        _stored(4, "empty", " ", ""),
        _stored(5, "shared#2", "A guid that reads like the export's own"),
    ]
    labelled = labelled_set(labels)
    assert [r.id for r in labelled.records] == ["a", "shared#2", "shared#3", "shared#2#5"]
    assert [s.item_id for s in labelled.skipped] == [4]
    path = tmp_path / "export.jsonl"
    path.write_text(labelled.jsonl(), encoding="utf-8")
    assert len(path.read_text(encoding="utf-8").splitlines()) == 4
    assert load_labelled(path) == labelled.items()


# Any text a database hands back (no lone surrogates), as title, summary and guid.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


# Guids shared by several feeds, and guids that read like the export's "guid#number".
GUID = st.one_of(TEXT.filter(str.strip), st.sampled_from(["a", "a#1", "a#2", "a#2#3", "b"]))


@given(st.lists(st.tuples(GUID, TEXT, TEXT), max_size=5))
def test_any_stored_text_reads_back_as_it_was(labels: list[tuple[str, str, str]]) -> None:
    labelled = labelled_set(
        [_stored(n, guid, title, summary) for n, (guid, title, summary) in enumerate(labels, start=1)]
    )
    items = labelled.items()
    assert len(items) + len(labelled.skipped) == len(labels)
    assert len({item.id for item in items}) == len(items)
    lines = labelled.jsonl().splitlines()
    assert len(lines) == len(items)
    import json

    from monitor.eval_io import REQUIRED_KEYS

    for line, item in zip(lines, items, strict=True):
        record = json.loads(line)
        assert tuple(record[key] for key in REQUIRED_KEYS) == (
            item.id, item.lang, item.title, item.summary, item.scenario, item.polarity
        )  # fmt: skip
