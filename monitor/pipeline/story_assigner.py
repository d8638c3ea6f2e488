"""Groups new items into stories across feeds and polls, around storage rather than inside it.

A story's id is the id of its first item. One assigner lives as long as its process: it loads the
recent stories once, then only reads what other processes stored since (items with a higher id), and
forgets what falls out of the window, so its cost does not grow with history.

Per feed, :meth:`StoryAssigner.stage` decides the story of each new item before the write (items of
one batch may found a story that later items of the same batch join); once the write commits,
:meth:`StoryAssigner.commit` makes the decisions part of the index under the stored ids; if the write
fails, :meth:`StoryAssigner.discard` takes them back, so the index never holds an unstored item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from scenarios import StoryIndex, StoryPolicy, StorySignature

if TYPE_CHECKING:
    # Imported where used: a story worker process (``story_worker_process``) holds an assigner
    # without SQLAlchemy, whose import is a third of that process's memory.
    import db

# A stored item as the index learns it: (item id, story id, signature text, time, feed id)
StoredItem = tuple[int, int, str, datetime, int]


@dataclass
class StagedStories:
    """The index entries added for one batch, with the provisional story ids to resolve."""

    writes: list[db.ItemWrite]
    entries: list[int] = field(default_factory=list)
    provisional: dict[int, int] = field(default_factory=dict)  # provisional story id -> write number


# What decide() says of each item: (kind, value)
UNGROUPED = 0  # not grouped (value 0)
FOUNDS = 1  # founds a story; value: its provisional id
JOINS = 2  # joins the story founded by the batch's item number value
STORY = 3  # joins story value: a stored story, or (negative) one an earlier open batch founded
_UNGROUPED = (UNGROUPED, 0)


def stored_item(memory: db.StoryMemory) -> StoredItem:
    return (memory.item_id, memory.story_id, memory.signature, memory.at, memory.feed_id)


def window_horizon(policy: StoryPolicy, now: datetime) -> datetime:
    """The oldest time an index keeps: twice the window, as an item published late may still join
    a story begun a window earlier."""
    return now - 2 * policy.window


@dataclass
class DecidedBatch:
    """What :meth:`StoryAssigner.decide` did for one batch: each item's decision, the index
    entries added, and the provisional story ids it founded (id -> item number)."""

    decisions: list[tuple[int, int]] = field(default_factory=list)
    entries: list[int] = field(default_factory=list)
    provisional: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AssignerState:
    """An assigner's state as a snapshot keeps it: its index, the highest id it read from the
    database, the ids it stored itself since, and the newest item id it knows."""

    index: StoryIndex
    last_id: int
    own: frozenset[int]
    newest_id: int


class StoryAssigner:
    def __init__(self, index: StoryIndex, policy: StoryPolicy) -> None:
        self.index = index
        self.policy = policy
        self._last_id = 0
        self._own: set[int] = set()  # ids this process stored since the last refresh
        self._next_provisional = -1
        self._open = 0  # batches staged and neither committed nor discarded

    @classmethod
    def empty(cls, policy: StoryPolicy | None = None) -> StoryAssigner:
        """An assigner that loads the recent stories at its first :meth:`refresh`."""
        policy = policy or StoryPolicy()
        return cls(StoryIndex(policy), policy)

    @classmethod
    def from_snapshot(
        cls, index: StoryIndex, policy: StoryPolicy, *, last_id: int, own: set[int]
    ) -> StoryAssigner:
        """The assigner whose :meth:`snapshot_state` gave these (see ``story_snapshot``)."""
        assigner = cls(index, policy)
        assigner._last_id = last_id
        assigner._own = set(own)
        return assigner

    def snapshot_state(self) -> AssignerState | None:
        """What a later process needs to go on from here, or None while a batch is unresolved (its
        provisional story ids are in the index) or the index knows no stored item."""
        newest = max(self._last_id, max(self._own, default=0))
        if self._open or not newest:
            return None
        return AssignerState(self.index, self._last_id, frozenset(self._own), newest)

    @classmethod
    def load(cls, database: db.Database, now: datetime, policy: StoryPolicy | None = None) -> StoryAssigner:
        assigner = cls.empty(policy)
        assigner.refresh(database, now)
        return assigner

    def refresh(self, database: db.Database, now: datetime) -> int:
        """Forget stories older than the window and add the items other processes stored since the
        last refresh; returns how many were added."""
        import db

        horizon = window_horizon(self.policy, now)
        memories = db.recent_story_items(database, horizon, after_id=self._last_id)
        return self.learn(horizon, map(stored_item, memories))

    def learn(self, horizon: datetime, stored: Iterable[StoredItem], *, last: bool = True) -> int:
        """:meth:`refresh` from the stored items it would read (``recent_story_items`` above the
        last id read), read by someone else: a story worker process has no database. The items
        may come in several calls, all but the last with ``last=False``."""
        self.index.prune(horizon)
        added = 0
        for item_id, story_id, text, at, feed_id in stored:
            self._last_id = max(self._last_id, item_id)
            if item_id in self._own:
                continue
            self.index.add_text(story_id, text, at, feed_id)
            added += 1
        if last:
            self._own.clear()
        return added

    def stage(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> StagedStories:
        """The writes with each new item's story decided (``story_id`` or ``joins``)."""
        staged = StagedStories(list(writes))
        batch = self.decide(
            feed_id,
            fetched_at,
            [
                (
                    StorySignature.from_text(w.item.signature)
                    if w.existing_id is None and w.item.signature is not None
                    else None,
                    w.item.published_at,
                )
                for w in writes
            ],
        )
        staged.entries, staged.provisional = batch.entries, batch.provisional
        for number, (kind, value) in enumerate(batch.decisions):
            if kind == JOINS:
                staged.writes[number] = replace(staged.writes[number], joins=value)
            elif kind == STORY:
                if value < 0:
                    # only decide() with a batch still open gives another batch's story
                    raise RuntimeError("stage() while another batch is unresolved; use decide()")
                staged.writes[number] = replace(staged.writes[number], story_id=value)
        return staged

    def decide(
        self,
        feed_id: int,
        fetched_at: datetime,
        items: Sequence[tuple[StorySignature | None, datetime | None]],
    ) -> DecidedBatch:
        """The story of each item of a batch (``(signature, published_at)``; None: not to be
        grouped, a stored item whose content changed), decided and added to the index under
        provisional story ids until :meth:`commit_ids` or :meth:`discard`.

        Batches may overlap: one may be decided before the one before it is committed (a poll
        that groups one feed's items while it stores the previous feed's). An item may then join
        a story that the earlier batch founded: its decision is ``(STORY, provisional id)``, which
        the caller replaces with the stored id once that batch is stored, and the rename at that
        batch's commit carries this item along in the index."""
        batch = DecidedBatch()
        self._open += 1
        for number, (signature, published_at) in enumerate(items):
            if signature is None:
                batch.decisions.append(_UNGROUPED)
                continue
            at = published_at or fetched_at
            found = self.index.find(signature, at, feed_id)
            if found is None:
                story = self._next_provisional
                self._next_provisional -= 1
                batch.provisional[story] = number
                batch.decisions.append((FOUNDS, story))
            elif found in batch.provisional:
                story = found
                batch.decisions.append((JOINS, batch.provisional[found]))
            else:
                story = found
                batch.decisions.append((STORY, found))
            batch.entries.append(self.index.add(story, signature, at, feed_id))
        return batch

    def commit(self, staged: StagedStories | DecidedBatch, summary: db.PollSummary) -> None:
        """The batch is stored: its provisional stories take the ids of their first items."""
        self.commit_ids(staged, summary.item_ids)

    def commit_ids(self, staged: StagedStories | DecidedBatch, item_ids: Sequence[int]) -> None:
        """:meth:`commit` from the stored ids of the batch's items, in order."""
        for provisional, number in staged.provisional.items():
            self.index.rename(provisional, item_ids[number])
        self._own.update(item_ids)
        self._open -= 1

    def discard(self, staged: StagedStories | DecidedBatch) -> None:
        """The batch was not stored: the index forgets it."""
        self.index.discard(staged.entries)
        self._open -= 1
