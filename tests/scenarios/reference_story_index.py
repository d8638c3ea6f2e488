"""The story index as it was before its entries were made compact (each entry a ``_Prepared`` of
frozensets, a heap of (time, item) for pruning): the reference that ``test_story_index_compact.py``
holds the index's decisions to. Only the index is kept here; signatures, ``_prepare`` and
``_compare`` are the module's own.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from scenarios.story_grouping import (
    _BEAT_KEYS,
    _POSTING_TAIL,
    _PROBE_BUDGET,
    DEFAULT_POLICY,
    StoryMatch,
    StoryPolicy,
    StorySignature,
    _compare,
    _conflict,
    _index_keys,
    _prepare,
    _Prepared,
)
from scenarios.types import StoryRule


def _decide(
    a: _Prepared,
    b: _Prepared,
    policy: StoryPolicy,
    same_feed: bool,
    shared_title: int,
    shared_lead: int,
    apart: timedelta | None = None,
) -> tuple[StoryRule | None, float]:
    """``(rule, score)`` of :func:`_compare` without building a :class:`StoryMatch`, each measure
    computed only when its rule is reached (``tests/scenarios/test_stories.py`` checks the two agree):
    the index compares a query with dozens of candidates, and keeps one."""
    sa, sb = a.sig, b.sig
    title_union = len(sa.title) + len(sb.title) - shared_title
    title = shared_title / title_union if title_union else 0.0
    if same_feed:
        if title >= policy.same_feed_title and shared_title >= policy.min_shared and not _conflict(a, b):
            return StoryRule.TITLE, title
        return None, 0.0
    conflict: bool | None = None
    if title >= policy.title_jaccard and shared_title >= policy.min_shared:
        conflict = _conflict(a, b)
        if not conflict:
            return StoryRule.TITLE, title
    smaller_lead = min(len(sa.lead), len(sb.lead))
    lead = shared_lead / smaller_lead if smaller_lead else 0.0
    if lead >= policy.lead_overlap and shared_lead >= policy.min_lead_shared:
        covered = min(
            len(sa.title & sb.lead) / len(sa.title) if sa.title else 0.0,
            len(sb.title & sa.lead) / len(sb.title) if sb.title else 0.0,
        )
        if covered >= policy.title_covered:
            if conflict is None:
                conflict = _conflict(a, b)
            if not conflict:
                return StoryRule.LEAD, lead
    shared_anchors = len(a.anchors & b.anchors)
    if shared_anchors < min(policy.min_anchors, policy.min_place_names + policy.min_place_numbers):
        return None, 0.0
    numbers = len(a.strong_numbers & b.strong_numbers)
    fewer_numbers = min(len(a.strong_numbers), len(b.strong_numbers))
    anchors = numbers / fewer_numbers if fewer_numbers else 0.0
    if anchors < policy.anchor_overlap:
        return None, 0.0
    if shared_anchors >= policy.min_anchors and numbers >= policy.min_anchor_numbers:
        return StoryRule.ANCHORS, anchors
    if (
        numbers >= policy.min_place_numbers
        and (apart is None or apart <= min(policy.place_window, policy.window))
        and sum(key not in _BEAT_KEYS for key in a.name_keys & b.name_keys) >= policy.min_place_names
    ):
        if conflict is None:
            conflict = _conflict(a, b)
        if not conflict:
            return StoryRule.PLACES, anchors
    return None, 0.0


class _Entry:
    # No copy of the index keys: they are derived again on the rare rebuild of the postings, and
    # an index of 50,000 items would otherwise hold 50,000 more tuples.
    __slots__ = ("at", "feed_id", "prepared", "story_id")

    def __init__(self, prepared: _Prepared, at: datetime, feed_id: int, story_id: int) -> None:
        self.prepared = prepared
        self.at = at
        self.feed_id = feed_id
        self.story_id = story_id


class ReferenceStoryIndex:
    """Incremental grouping: stories seen recently, with an inverted index over tokens so finding
    candidates is fast (a poll adds a few hundred items; an import may add 100,000s).

    Usage, per item in any order of time: ``story = index.find(sig, at, feed)``; if None, the caller
    makes a new story id; then ``index.add(story, sig, at, feed)``. Call :meth:`prune` now and then
    with ``now - policy.window`` to bound memory. Times must all be aware or all naive.
    """

    def __init__(self, policy: StoryPolicy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self._entries: dict[int, _Entry] = {}
        self._next = 0
        self._postings: dict[str, list[int]] = {}
        self._stories: dict[int, list[int]] = {}  # story id -> its items, in order of addition
        self._by_time: list[tuple[datetime, int]] = []  # heap of (time, item) for pruning
        self._dead = 0  # dropped items still in postings
        self._last_prepared: _Prepared | None = None

    def __len__(self) -> int:
        """Items held."""
        return len(self._entries)

    @property
    def stories(self) -> int:
        """Stories held."""
        return len(self._stories)

    def add(self, story_id: int, sig: StorySignature, at: datetime, feed_id: int) -> int:
        """Register an item of story ``story_id`` (a new id starts a story); returns the entry's
        number, which :meth:`discard` takes back."""
        entry = _Entry(self._prepared(sig), at, feed_id, story_id)
        number = self._next
        self._next += 1
        self._entries[number] = entry
        self._stories.setdefault(story_id, []).append(number)
        heapq.heappush(self._by_time, (at, number))
        postings = self._postings
        for key in _index_keys(entry.prepared):
            posting = postings.get(key)
            if posting is None:
                postings[key] = [number]
            else:
                posting.append(number)
        return number

    def discard(self, numbers: Iterable[int]) -> None:
        """Take back entries added by :meth:`add` (items whose storing failed), as if never added."""
        for number in numbers:
            entry = self._entries.pop(number, None)
            if entry is None:
                continue
            members = self._stories.get(entry.story_id, [])
            if number in members:
                members.remove(number)
            if not members:
                self._stories.pop(entry.story_id, None)
            self._dead += 1  # still in its postings and the time heap; both skip missing entries

    def rename(self, old: int, new: int) -> None:
        """Give story ``old`` the id ``new`` (a provisional id replaced by the stored one)."""
        members = self._stories.pop(old, None)
        if members is None:
            return
        for number in members:
            self._entries[number].story_id = new
        self._stories.setdefault(new, []).extend(members)

    def find(self, sig: StorySignature, at: datetime, feed_id: int) -> int | None:
        """The story this item belongs to, else None.

        The best match (highest :func:`similarity`, then nearest in time, then lowest story id)
        among items within ``policy.window`` of ``at`` that :func:`compare_stories` groups with it, in a
        story that holds no item of ``feed_id`` with a different title.
        """
        best = self.explain(sig, at, feed_id)
        return None if best is None else best[0]

    def explain(self, sig: StorySignature, at: datetime, feed_id: int) -> tuple[int, StoryMatch] | None:
        """Like :meth:`find`, with the comparison that decided."""
        policy = self.policy
        prepared = self._prepared(sig)
        window = policy.window
        entries = self._entries
        lead, title, anchors = sig.lead, sig.title, prepared.anchors
        len_title, len_lead = len(title), len(lead)
        title_floor = min(policy.title_jaccard, policy.same_feed_title)
        anchor_floor = min(policy.min_anchors, policy.min_place_names + policy.min_place_numbers)
        best: tuple[float, timedelta, int] | None = None
        best_entry: _Entry | None = None
        for number in self._candidates(prepared):
            entry = entries.get(number)
            if entry is None:  # pruned, still in a posting until the next compaction
                continue
            distance = abs(entry.at - at)
            if distance > window:
                continue
            other = entry.prepared
            # Cheap bounds first: most candidates share a few common words and fail every rule.
            shared_title = len(title & other.sig.title)
            shared_lead = len(lead & other.sig.lead)
            if not (
                (
                    shared_title >= policy.min_shared
                    and shared_title >= title_floor * (len_title + len(other.sig.title) - shared_title)
                )
                or (
                    shared_lead >= policy.min_lead_shared
                    and shared_lead >= policy.lead_overlap * min(len_lead, len(other.sig.lead))
                )
                or len(anchors & other.anchors) >= anchor_floor
            ):
                continue
            rule, score = _decide(
                prepared, other, policy, entry.feed_id == feed_id, shared_title, shared_lead, distance
            )
            if rule is None:
                continue
            rank = (-score, distance, entry.story_id)
            if best is not None and rank >= best:
                continue
            if not self._feed_allows(entry.story_id, prepared, feed_id):
                continue
            best, best_entry = rank, entry
        if best is None or best_entry is None:
            return None
        # The full comparison, for the one candidate that decided (a query compares dozens).
        return best[2], _compare(
            prepared, best_entry.prepared, policy, best_entry.feed_id == feed_id, abs(best_entry.at - at)
        )

    def _prepared(self, sig: StorySignature) -> _Prepared:
        """``_prepare(sig)``, once for the find and the add of one item."""
        last = self._last_prepared
        if last is not None and last.sig is sig:
            return last
        self._last_prepared = prepared = _prepare(sig)
        return prepared

    def _candidates(self, prepared: _Prepared) -> list[int]:
        """Items sharing at least two probed keys with the query, most shared first.

        Probed: the ``probe_keys`` rarest tokens (a reprint shares many rare words; a common word
        would bring in every item of the week) and the rarest ``probe_keys`` anchors (numbers and
        names, what the cross-language rule lives on). Of a long posting only the most recent
        ``_POSTING_TAIL`` items are read: a story reprinted a thousand times is found through its
        latest reprints.
        """
        policy = self.policy
        postings = self._postings
        words: list[tuple[int, str]] = []
        anchors: list[tuple[int, str]] = []
        numbers = prepared.sig.numbers
        for key in _index_keys(prepared):
            posting = postings.get(key)
            if posting is not None:
                (anchors if key[0] == "~" or key in numbers else words).append((len(posting), key))
        if not words and not anchors:
            return []
        probe = sorted(
            heapq.nsmallest(policy.probe_keys, words) + heapq.nsmallest(policy.probe_keys, anchors)
        )
        counts: Counter[int] = Counter()
        budget = _PROBE_BUDGET
        for rank, (size, key) in enumerate(probe):
            if budget <= 0 and rank >= 3:
                break
            posting = postings[key]
            counts.update(posting if size <= _POSTING_TAIL else posting[-_POSTING_TAIL:])
            budget -= size
        # Two shared probed keys, unless the query has so few keys that one is all it can share.
        floor = 2 if len(probe) > 1 else 1
        found = [number for number, count in counts.items() if count >= floor]
        if len(found) > policy.max_candidates:
            found = heapq.nlargest(policy.max_candidates, found, key=counts.__getitem__)
        return found

    def _feed_allows(self, story_id: int, prepared: _Prepared, feed_id: int) -> bool:
        """No item of ``feed_id`` in the story, or only near-identical titles."""
        for number in self._stories[story_id]:
            entry = self._entries[number]
            if entry.feed_id == feed_id:
                match = _compare(prepared, entry.prepared, self.policy, same_feed=True)
                if match.rule is None:
                    return False
        return True

    def prune(self, before: datetime) -> None:
        """Forget every item older than ``before``, and so every story whose last item is.

        With ``before = now - policy.window`` nothing is lost for items at or after ``now``.
        """
        heap = self._by_time
        stories: set[int] = set()
        dropped: set[int] = set()
        while heap and heap[0][0] < before:
            number = heapq.heappop(heap)[1]
            entry = self._entries.pop(number, None)
            if entry is None:  # discarded earlier
                continue
            dropped.add(number)
            stories.add(entry.story_id)
        for story_id in stories:
            kept = [n for n in self._stories[story_id] if n not in dropped]
            if kept:
                self._stories[story_id] = kept
            else:
                del self._stories[story_id]
        # Postings keep dropped items until they make up half of them; then one rebuild, whose
        # cost is paid for by the items dropped since the last one.
        self._dead += len(dropped)
        if self._dead > len(self._entries):
            postings: dict[str, list[int]] = {}
            for number, entry in self._entries.items():  # in order of addition, as add() appends
                for key in _index_keys(entry.prepared):
                    posting = postings.get(key)
                    if posting is None:
                        postings[key] = [number]
                    else:
                        posting.append(number)
            self._postings = postings
            self._dead = 0
