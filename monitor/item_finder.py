"""Finding stored items by scenario, day, feed and text (``monitor items``, ``monitor export``).

Each item's contribution per scenario is computed from its stored matches and the weights in force,
as the trend computes it (``scenarios.score_item``): weights are not stored, so a list made after a
weight change shows the new figures without a rescore. The database narrows the items first (days,
feed, text, and with a scenario the items on which one of its indicators fired); relevance, which
depends on the weights, is decided here, page by page, so a ``limit`` stops the reading early.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import db
from indicators import Match, MatchResult, Polarity
from indicators.errors import UsageError
from monitor.analysis import Definitions
from scenarios import Contribution, score_item


@dataclass(frozen=True)
class ItemFilter:
    """What to find; ``relevant`` keeps the items relevant to ``scenario`` (to any scenario without one)."""

    scenario: str | None = None
    since: date | None = None
    until: date | None = None
    feed: str | None = None
    search: str | None = None
    relevant: bool = False
    limit: int | None = None
    newest_first: bool = True


@dataclass(frozen=True)
class FoundItem:
    item: db.ListedItem
    contributions: Mapping[str, Contribution]  # every scenario, in definition order

    @property
    def relevant_to(self) -> tuple[str, ...]:
        return tuple(sid for sid, c in self.contributions.items() if c.relevant)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(m.indicator_id for m in self.item.matches)


def contributions_of(item: db.ListedItem, definitions: Definitions) -> dict[str, Contribution]:
    result = MatchResult(
        matches=tuple(
            Match(m.indicator_id, Polarity(m.polarity), m.evidence, m.via_negation, factor=m.factor)
            for m in item.matches
        ),
        suppressed=(),
    )
    return score_item(result, definitions.scenarios, item.reliability)


def check_filter(database: db.Database, definitions: Definitions, wanted: ItemFilter) -> None:
    """UsageError for a scenario or feed that does not exist, naming the ones that do: a typo must
    not look like an empty history."""
    known = definitions.scenarios.scenarios
    if wanted.scenario is not None and wanted.scenario not in known:
        raise UsageError(f"no scenario {wanted.scenario!r}; known: {', '.join(known)}")
    if wanted.feed is not None:
        names = db.feed_names(database)
        if wanted.feed not in names:
            listed = ", ".join(names[:30]) + (" …" if len(names) > 30 else "") if names else "none stored"
            raise UsageError(f"no feed named {wanted.feed!r} in the database; feeds: {listed}")
    if wanted.since is not None and wanted.until is not None and wanted.since > wanted.until:
        raise UsageError(f"--since {wanted.since} is after --until {wanted.until}")


def find_items(
    database: db.Database, definitions: Definitions, wanted: ItemFilter, *, evidence: bool = False
) -> Iterator[FoundItem]:
    """The stored items ``wanted`` selects, with their contributions; check_filter first."""
    scenario = wanted.scenario
    weighed = tuple(definitions.scenarios.scenarios[scenario].weights) if scenario is not None else None
    query = db.ItemQuery(
        since=wanted.since,
        until=wanted.until,
        feed=wanted.feed,
        search=wanted.search,
        indicator_ids=weighed,
        matched_only=wanted.relevant,
        newest_first=wanted.newest_first,
    )
    found = 0
    if wanted.limit is not None and wanted.limit <= 0:
        return
    for item in db.iter_listed_items(database, query, evidence=evidence):
        contributions = contributions_of(item, definitions)
        if wanted.relevant:
            if scenario is not None and not contributions[scenario].relevant:
                continue
            if scenario is None and not any(c.relevant for c in contributions.values()):
                continue
        yield FoundItem(item, contributions)
        found += 1
        if wanted.limit is not None and found >= wanted.limit:
            return
