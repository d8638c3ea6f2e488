"""The analyst's labels as a labelled set: checked against the scenarios in force, written in the
format of the shared eval files (``monitor labels export``) and read back for ``monitor eval``.

Export and ``monitor eval --labels`` build their items with the same function from the same stored
text, so evaluating an exported file gives the figures ``--labels`` gives on the database."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import db
from indicators.errors import LabelError
from scenarios import LABEL_POLARITIES, NO_SCENARIO, LabelledItem

NEUTRAL = "neutral"
# Characters str.splitlines() breaks a line at that json.dumps leaves raw: a reader that splits the
# file into lines would cut a record in two.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def check_label(scenario: str, polarity: str | None, scenario_ids: Iterable[str]) -> str:
    """The polarity to store for this label (``neutral`` when none is given); LabelError naming the
    known scenarios or polarities when the label cannot be stored."""
    known = list(scenario_ids)
    if scenario != NO_SCENARIO and scenario not in known:
        raise LabelError(f"no scenario {scenario!r}; use one of: {', '.join([*known, NO_SCENARIO])}")
    if polarity is None:
        return NEUTRAL
    if polarity not in LABEL_POLARITIES:
        raise LabelError(f"polarity {polarity!r} is not one of {', '.join(LABEL_POLARITIES)}")
    if scenario == NO_SCENARIO and polarity != NEUTRAL:
        raise LabelError(
            f"an item labelled {NO_SCENARIO!r} is about no scenario, so its polarity is {NEUTRAL!r}, "
            f"not {polarity!r}"
        )
    return polarity


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    """One stored label as one line of a labelled set."""

    label: db.StoredLabel
    id: str  # the item's guid; with its number appended when another labelled item shares the guid

    def item(self) -> LabelledItem:
        return LabelledItem(
            self.id,
            self.label.language or "",
            self.label.title,
            self.label.summary,
            self.label.scenario,
            self.label.polarity,
        )

    def to_json(self) -> dict[str, Any]:
        label = self.label
        return {
            "id": self.id,
            "lang": label.language or "",
            "source": label.feed_name,
            "date": label.published_at.date().isoformat() if label.published_at else "",
            "url": label.url or "",
            "title": label.title,
            "summary": label.summary,
            "scenario": label.scenario,
            "polarity": label.polarity,
            "rationale": label.note or "",
        }


@dataclass(frozen=True, slots=True)
class LabelledSet:
    records: tuple[LabelledRecord, ...]
    # items with neither title nor summary: nothing to evaluate, and a labelled set refuses them
    skipped: tuple[db.StoredLabel, ...]

    def items(self) -> list[LabelledItem]:
        return [record.item() for record in self.records]

    def jsonl(self) -> str:
        lines = []
        for record in self.records:
            line = json.dumps(record.to_json(), ensure_ascii=False)
            for char, escaped in _LINE_BREAKS.items():
                line = line.replace(char, escaped)
            lines.append(line + "\n")
        return "".join(lines)


def labelled_set(labels: Sequence[db.StoredLabel]) -> LabelledSet:
    """The stored labels as a labelled set, in the order given (``db.list_labels``: item order)."""
    shared = Counter(label.guid for label in labels)
    records: list[LabelledRecord] = []
    skipped: list[db.StoredLabel] = []
    used: set[str] = set()
    for label in labels:
        if not (label.title.strip() or label.summary.strip()):
            skipped.append(label)
            continue
        ident = label.guid if shared[label.guid] == 1 else f"{label.guid}#{label.item_id}"
        while ident in used:  # a guid that reads like another's "guid#number"
            ident = f"{ident}#{label.item_id}"
        used.add(ident)
        records.append(LabelledRecord(label, ident))
    return LabelledSet(tuple(records), tuple(skipped))
