"""An index exported in parts and restored answers every later query as the one it came from."""

from __future__ import annotations

import marshal
from typing import Any

import pytest

from scenarios import StoryIndex, StoryPolicy
from tests.scenarios.test_story_index_compact import BENCH, DEFAULT_WINDOW, replay


def plain_copy(index: StoryIndex) -> list[tuple[str, Any]]:
    """The parts as a later process reads them: through marshal, which takes plain data only."""
    return [marshal.loads(marshal.dumps(part, 4)) for part in index.export_parts()]


def test_a_restored_index_goes_on_exactly_as_the_original() -> None:
    half = len(BENCH) // 2
    original = StoryIndex()
    replay(original, BENCH[:half])
    assert len(original) > 500 and original.stories < len(original)  # stories of several items
    restored = StoryIndex.restore(plain_copy(original), StoryPolicy())
    assert list(restored.records()) == list(original.records())
    assert (len(restored), restored.stories) == (len(original), original.stories)
    # the rest of the arrivals, with prunes, discards and renames, gets the same answers
    assert replay(restored, BENCH[half:], DEFAULT_WINDOW) == replay(original, BENCH[half:], DEFAULT_WINDOW)


def test_an_empty_index_round_trips() -> None:
    restored = StoryIndex.restore(plain_copy(StoryIndex()))
    assert len(restored) == 0 and restored.stories == 0


def test_an_index_made_for_another_policy_is_refused() -> None:
    index = StoryIndex(StoryPolicy(max_candidates=4))
    replay(index, BENCH[:200])
    with pytest.raises(ValueError, match="for this policy"):
        StoryIndex.restore(plain_copy(index), StoryPolicy())


@pytest.mark.parametrize("cut", ["records", "postings"])
def test_a_snapshot_cut_short_is_refused(cut: str) -> None:
    index = StoryIndex()
    replay(index, BENCH[:200])
    parts = [part for part in plain_copy(index) if part[0] != cut]
    with pytest.raises(ValueError, match="cut short"):
        StoryIndex.restore(parts)


def test_parts_of_an_unknown_kind_or_a_broken_head_are_refused() -> None:
    index = StoryIndex()
    replay(index, BENCH[:50])
    head, *rest = plain_copy(index)
    with pytest.raises(ValueError, match="unknown part"):
        StoryIndex.restore([head, ("code", "print('hi')"), *rest])
    broken = (head[0], {**head[1], "at": 12})
    with pytest.raises(ValueError, match="broken head"):
        StoryIndex.restore([broken, *rest])
    with pytest.raises(ValueError, match="not a story index snapshot"):
        StoryIndex.restore([])
