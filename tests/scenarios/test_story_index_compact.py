"""The compact story index decides exactly as the index it replaced.

``ReferenceStoryIndex`` (``reference_story_index.py``) is the index as it was when every entry held its
signature's frozensets: the same candidate selection, the same bounds, ``_decide`` on sets. Both are
driven through the same operations (find, add, rename of provisional stories, discard of failed
writes, prune as the assigner does) and every answer, with the comparison that decided it, must be
the same: same stories for the same input order, not merely as good a grouping.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import ingest_feeds as gen
from scenarios import StoryIndex, StoryMatch, StoryPolicy, StorySignature, compare_stories, signature
from scenarios.story_grouping import _HEAD, _decide, _prepare, _prepared_of, _Record, _record
from tests.scenarios.reference_story_index import ReferenceStoryIndex
from tests.scenarios.test_stories import ALL_ITEMS

Arrival = tuple[StorySignature, datetime, int]  # signature, time, feed
DEFAULT_WINDOW = StoryPolicy().window


class _Index(Protocol):
    def explain(self, sig: StorySignature, at: datetime, feed_id: int) -> tuple[int, StoryMatch] | None: ...
    def add(self, story_id: int, sig: StorySignature, at: datetime, feed_id: int) -> int: ...
    def discard(self, numbers: Iterable[int]) -> None: ...
    def rename(self, old: int, new: int) -> None: ...
    def prune(self, before: datetime) -> None: ...
    def __len__(self) -> int: ...
    @property
    def stories(self) -> int: ...


Answer = tuple[tuple[int, StoryMatch] | None, int, int]  # explain, then items and stories held


def replay(index: _Index, arrivals: Sequence[Arrival], window: timedelta = DEFAULT_WINDOW) -> list[Answer]:
    """Every answer of the index over ``arrivals``, driven as the story assigner drives it (which
    prunes what is two windows old)."""
    log: list[Answer] = []
    provisional = -1
    for position, (sig, at, feed) in enumerate(arrivals):
        if position % 40 == 0:
            index.prune(at - 2 * window)
        explained = index.explain(sig, at, feed)
        if explained is None:
            story, provisional = provisional, provisional - 1
        else:
            story = explained[0]
        number = index.add(story, sig, at, feed)
        if position % 37 == 36:
            index.discard([number])  # the write failed
        elif story < 0 and position % 3:
            index.rename(story, 100_000 + position)  # the write committed: the stored id
        log.append((explained, len(index), index.stories))
    return log


def bench_arrivals(feeds: int) -> list[Arrival]:
    """The ingest benchmark's items (near-duplicates within a language, many feeds), each feed three
    hours after the one before so that the window and pruning matter, in order of time."""
    t0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    arrivals = [
        (
            StorySignature.from_text(signature(item.title, item.summary).to_text()),
            item.published + timedelta(hours=3 * feed),
            feed,
        )
        for feed in range(feeds)
        for item in gen.window(7, feed, 0, t0)
    ]
    return sorted(arrivals, key=lambda arrival: arrival[1])


BENCH = bench_arrivals(36)
FIXTURES = [(item.sig, item.at, item.feed) for item in sorted(ALL_ITEMS, key=lambda i: (i.at, i.id))]


@pytest.mark.parametrize(
    "arrivals",
    [
        pytest.param(BENCH, id="bench-items"),
        pytest.param(BENCH[::-1], id="bench-items-reversed"),
        pytest.param(FIXTURES, id="fixtures"),
        pytest.param(FIXTURES[::-1], id="fixtures-reversed"),
        pytest.param([(s, at.replace(tzinfo=None), f) for s, at, f in FIXTURES], id="fixtures-naive"),
    ],
)
def test_the_compact_index_answers_exactly_as_the_reference(arrivals: list[Arrival]) -> None:
    compact = replay(StoryIndex(), arrivals)
    reference = replay(ReferenceStoryIndex(), arrivals)
    assert compact == reference
    joined = sum(explained is not None for explained, _, _ in compact)
    assert joined >= len(arrivals) // 10, joined  # the grouping is not trivial: many items join


def test_a_narrow_policy_answers_as_the_reference_too() -> None:
    policy = StoryPolicy(window=timedelta(hours=4), max_candidates=4, probe_keys=2)
    compact = replay(StoryIndex(policy), BENCH, policy.window)
    assert compact == replay(ReferenceStoryIndex(policy), BENCH, policy.window)
    assert max(held for _, held, _ in compact) < len(BENCH) // 4  # pruned all along, postings rebuilt


def test_a_record_gives_back_the_prepared_signature_it_was_made_of() -> None:
    for sig, _, _ in itertools.chain(FIXTURES, BENCH[:500]):
        prepared = _prepare(sig)
        assert _prepared_of(_record(prepared)) == prepared


_WORDS = [
    "Belarus", "Lukashenko", "Putin", "Minsk", "Vilnius", "Zapad", "drone", "drones", "troops", "border",
    "13,000", "96", "2025", "7", "14 km", "10 September", "Lithuania", "gas", "$128.52", "meet", "in",
]  # fmt: skip
_TEXT = st.lists(st.sampled_from(_WORDS), min_size=0, max_size=10).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, _TEXT, _TEXT, st.booleans(), st.sampled_from([None, 1, 30]))
def test_the_decision_on_an_entry_agrees_with_the_full_comparison(
    t1: str, s1: str, t2: str, s2: str, same_feed: bool, hours: int | None
) -> None:
    a, b = signature(t1, s1), signature(t2, s2)
    apart = None if hours is None else timedelta(hours=hours)
    full = compare_stories(a, b, same_feed=same_feed, apart=apart)
    entry = _record(_prepare(b))
    shared_title, shared_lead = len(a.title & b.title), len(a.lead & b.lead)
    rule, score = _decide(_prepare(a), entry, StoryPolicy(), same_feed, shared_title, shared_lead, apart)
    assert rule is full.rule
    if rule is not None:
        assert score == full.score


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, st.integers(0, 150), st.integers(1, 3)), min_size=1, max_size=40))
def test_any_sequence_is_answered_as_the_reference_answers_it(items: list[tuple[str, str, int, int]]) -> None:
    t0 = datetime(2026, 9, 10, 8, 0, tzinfo=UTC)
    arrivals = [
        (signature(title, summary), t0 + timedelta(hours=hours), feed)
        for title, summary, hours, feed in items
    ]
    policy = StoryPolicy(window=timedelta(hours=24))
    assert replay(StoryIndex(policy), arrivals, policy.window) == replay(
        ReferenceStoryIndex(policy), arrivals, policy.window
    )


def _record_fields(held: tuple[_Record, int, int, int]) -> tuple[object, ...]:
    """A held item as sets: the order inside its record is the order of the sets it was made of."""
    record, at, feed, story = held
    title_end, tokens_end, strong_end, anchors_end, numbers_end = record[:_HEAD]
    return (
        record[:_HEAD],
        frozenset(record[_HEAD:title_end]),
        frozenset(record[title_end:tokens_end]),
        frozenset(record[tokens_end:strong_end]),
        frozenset(record[strong_end:anchors_end]),
        frozenset(record[anchors_end:numbers_end]),
        frozenset(record[numbers_end:]),
        len(record),
        at,
        feed,
        story,
    )


def test_an_entry_made_from_the_stored_text_is_the_entry_made_from_the_signature() -> None:
    from_sig, from_text = StoryIndex(), StoryIndex()
    for story, (sig, at, feed) in enumerate(itertools.chain(FIXTURES, BENCH)):
        from_sig.add(story % 97, sig, at, feed)
        from_text.add_text(story % 97, sig.to_text(), at, feed)
    assert [_record_fields(held) for held in from_sig.records()] == [
        _record_fields(held) for held in from_text.records()
    ]
    assert {k: list(v) for k, v in from_sig._postings.items()} == {
        k: list(v) for k, v in from_text._postings.items()
    }
    assert from_sig._stories == from_text._stories


def test_an_index_loaded_from_stored_texts_answers_as_the_reference() -> None:
    loaded, arriving = BENCH[: len(BENCH) // 2], BENCH[len(BENCH) // 2 :]
    compact, reference = StoryIndex(), ReferenceStoryIndex()
    for story, (sig, at, feed) in enumerate(loaded):
        compact.add_text(story // 3, sig.to_text(), at, feed)
        reference.add(story // 3, sig, at, feed)
    assert replay(compact, arriving) == replay(reference, arriving)


def test_a_stored_text_that_is_no_signature_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="recompute it from the item's title and summary"):
        StoryIndex().add_text(1, "s0|a|b", datetime(2026, 1, 1, tzinfo=UTC), 1)
