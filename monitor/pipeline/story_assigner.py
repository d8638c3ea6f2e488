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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import db
from scenarios import StoryIndex, StoryPolicy, StorySignature


@dataclass
class StagedStories:
    """The index entries added for one batch, with the provisional story ids to resolve."""

    writes: list[db.ItemWrite]
    entries: list[int] = field(default_factory=list)
    provisional: dict[int, int] = field(default_factory=dict)  # provisional story id -> write number


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
        # Twice the window: an item published late may still join a story begun a window earlier.
        horizon = now - 2 * self.policy.window
        self.index.prune(horizon)
        added = 0
        for memory in db.recent_story_items(database, horizon, after_id=self._last_id):
            self._last_id = max(self._last_id, memory.item_id)
            if memory.item_id in self._own:
                continue
            self.index.add_text(memory.story_id, memory.signature, memory.at, memory.feed_id)
            added += 1
        self._own.clear()
        return added

    def stage(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> StagedStories:
        """The writes with each new item's story decided (``story_id`` or ``joins``)."""
        staged = StagedStories(list(writes))
        self._open += 1
        for number, write in enumerate(staged.writes):
            item = write.item
            if write.existing_id is not None or item.signature is None:
                continue
            signature = StorySignature.from_text(item.signature)
            at = item.published_at or fetched_at
            found = self.index.find(signature, at, feed_id)
            if found is None:
                story = self._next_provisional
                self._next_provisional -= 1
                staged.provisional[story] = number
            elif found < 0:
                story = found
                staged.writes[number] = replace(write, joins=staged.provisional[found])
            else:
                story = found
                staged.writes[number] = replace(write, story_id=found)
            staged.entries.append(self.index.add(story, signature, at, feed_id))
        return staged

    def commit(self, staged: StagedStories, summary: db.PollSummary) -> None:
        """The batch is stored: its provisional stories take the ids of their first items."""
        for provisional, number in staged.provisional.items():
            self.index.rename(provisional, summary.item_ids[number])
        self._own.update(summary.item_ids)
        self._open -= 1

    def discard(self, staged: StagedStories) -> None:
        """The batch was not stored: the index forgets it."""
        self.index.discard(staged.entries)
        self._open -= 1
