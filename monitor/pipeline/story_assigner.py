"""Groups new items into stories as they are stored, across feeds and polls.

A story's id is the id of its first item. The index of recent stories is rebuilt from the database
at the start of each poll or import, so several processes agree on what is stored.
"""

from __future__ import annotations

from datetime import datetime

import db
from scenarios import StoryIndex, StoryPolicy, StorySignature


class StoryAssigner:
    def __init__(self, index: StoryIndex, policy: StoryPolicy) -> None:
        self.index = index
        self.policy = policy

    @classmethod
    def load(cls, database: db.Database, now: datetime, policy: StoryPolicy | None = None) -> StoryAssigner:
        policy = policy or StoryPolicy()
        index = StoryIndex(policy)
        # Twice the window: an item published late may still join a story begun a window earlier.
        for story_id, signature, at, feed_id in db.recent_story_items(database, now - 2 * policy.window):
            index.add(story_id, StorySignature.from_text(signature), at, feed_id)
        return cls(index, policy)

    def for_feed(self, feed_id: int, fetched_at: datetime) -> db.AssignStory:
        def assign(item_id: int, item: db.NewItem) -> int:
            if item.signature is None:
                return item_id
            signature = StorySignature.from_text(item.signature)
            at = item.published_at or fetched_at
            story = self.index.find(signature, at, feed_id)
            story_id = story if story is not None else item_id
            self.index.add(story_id, signature, at, feed_id)
            return story_id

        return assign
