"""What an analysis worker process runs (``monitor.feeds.poll.AnalysisOffload``): the definitions'
matcher, built once per process from the same files as the poll's, and per feed the cleaning,
story signature and matches of each new item's text.

Kept apart from ``monitor.analysis`` so that a worker imports the indicators and the story
signatures and nothing else (no SQLAlchemy, no HTTP client): each worker is a whole interpreter,
and its memory counts against the daemon's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indicators import Matcher, clean_text, load_indicators
from indicators.errors import DefinitionError
from scenarios import signature

_matcher: Matcher | None = None

# monitor.feeds.poll.AnalysedText, spelled out: this module imports nothing of the poll's.
Analysed = tuple[str, str, str | None, tuple[tuple[Any, ...], ...] | None]


def setup(definition_files: tuple[str, ...], fingerprint: str) -> None:
    """Build this worker's matcher from the poll's definition files; refuse definitions that are not
    the poll's (a file edited since the poll loaded it), so that every item of one poll is matched
    with one set of patterns."""
    global _matcher
    indicators = load_indicators(definition_files)
    if indicators.fingerprint != fingerprint:
        raise DefinitionError(
            "the definition files changed since the poll loaded them; the poll analyses in its own process"
        )
    _matcher = Matcher(indicators)


def analyse(pairs: Sequence[tuple[str, str]]) -> list[Analysed]:
    """For each raw (title, summary): the cleaned title and summary, the story signature, and each
    match as ``db.MatchRecord`` arguments, as ``Definitions.analyser`` gives them in the poll's process."""
    if _matcher is None:
        raise RuntimeError("analyse() before setup(): not an analysis worker")
    out: list[Analysed] = []
    for raw_title, raw_summary in pairs:
        title, summary = clean_text(raw_title), clean_text(raw_summary)
        result = _matcher.match({"title": title, "summary": summary})
        out.append(
            (
                title,
                summary,
                signature(title, summary).to_text(),
                tuple(
                    (m.indicator_id, int(m.polarity), m.evidence, m.via_negation, m.factor)
                    for m in result.matches
                ),
            )
        )
    return out
