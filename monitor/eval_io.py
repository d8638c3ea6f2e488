"""Read a labelled evaluation set (JSON Lines) into :class:`scenarios.LabelledItem` values.

One JSON object per line with at least the keys ``id``, ``lang``, ``title``, ``summary``,
``scenario`` and ``polarity`` (strings; other keys such as ``source``, ``url`` or ``rationale`` are
ignored). Blank lines are skipped. Every problem raises :class:`LabelledFileError` naming the file
and the line, and saying what to fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from indicators.errors import LabelledFileError
from scenarios import LABEL_POLARITIES, LabelledItem

__all__ = ["REQUIRED_KEYS", "LabelledFileError", "load_labelled"]

REQUIRED_KEYS = ("id", "lang", "title", "summary", "scenario", "polarity")


def load_labelled(path: Path | str) -> list[LabelledItem]:
    """All items of ``path`` in file order. Raises LabelledFileError on the first bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelledFileError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledFileError(f"cannot read the file: {exc}", path=path) from exc
    items: list[LabelledItem] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise LabelledFileError(
                f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object",
                path=path,
                line=number,
            ) from None
        if not isinstance(record, dict):
            raise LabelledFileError(
                f"expected a JSON object, found {type(record).__name__}", path=path, line=number
            )
        missing = [key for key in REQUIRED_KEYS if key not in record]
        if missing:
            raise LabelledFileError(
                f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}; "
                f"every item needs {', '.join(REQUIRED_KEYS)}",
                path=path,
                line=number,
            )
        for key in REQUIRED_KEYS:
            if not isinstance(record[key], str):
                raise LabelledFileError(
                    f"key {key!r} must be a string, not {json.dumps(record[key])}", path=path, line=number
                )
        if not record["id"].strip():
            raise LabelledFileError("key 'id' is empty", path=path, line=number)
        if record["id"] in first_line:
            raise LabelledFileError(
                f"id {record['id']!r} already used on line {first_line[record['id']]}; ids must be unique",
                path=path,
                line=number,
            )
        if record["polarity"] not in LABEL_POLARITIES:
            raise LabelledFileError(
                f"polarity {record['polarity']!r} is not one of {', '.join(LABEL_POLARITIES)}",
                path=path,
                line=number,
            )
        if not record["scenario"].strip():
            raise LabelledFileError(
                "key 'scenario' is empty; use 'none' for items about no scenario", path=path, line=number
            )
        if not (record["title"].strip() or record["summary"].strip()):
            raise LabelledFileError("the item has neither a title nor a summary", path=path, line=number)
        first_line[record["id"]] = number
        items.append(LabelledItem(*(record[key] for key in REQUIRED_KEYS)))
    return items
