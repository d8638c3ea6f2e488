"""The story index snapshot's file: a head, then the index's parts, as ``marshal`` values.

What ``story_snapshot`` writes and reads, without the database checks around it (which head to
write, whether a head still matches the database): a story worker process reads and writes the
file itself, and has no database handle (``story_worker_process``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from monitor.pipeline.story_assigner import StoryAssigner
from scenarios import StoryIndex, StoryPolicy, story_grouping

FORMAT = "scenario-monitor story index 1"
# marshal's own format version, fixed so that a Python upgrade reads what the last one wrote (or
# fails to and rebuilds).
_MARSHAL_VERSION = 4

Head = dict[str, Any]


@cache
def code_hash() -> str:
    """The grouping code's hash: a record's layout is that code's, and a changed layout in an old
    snapshot would mislead every query."""
    return hashlib.sha256(Path(story_grouping.__file__).read_bytes()).hexdigest()


def read_head(path: Path) -> object:
    """The file's head as stored (not checked). OSError, EOFError or ValueError when unreadable."""
    with path.open("rb") as handle:
        return marshal.load(handle)


def read_index(path: Path, head: object, policy: StoryPolicy) -> StoryIndex:
    """The index of the file whose head is ``head`` (as checked by the caller); ValueError if the
    file holds another head now (replaced since), and the errors of :func:`read_head`."""
    with path.open("rb") as handle:
        if marshal.load(handle) != head:
            raise ValueError("the snapshot was replaced since its head was checked")
        return StoryIndex.restore(_parts(handle), policy)


def read_assigner(path: Path, head: Head, policy: StoryPolicy) -> StoryAssigner:
    """The assigner the file holds (:func:`read_index`, and the ids its head keeps), with the
    errors of :func:`read_index`."""
    index = read_index(path, head, policy)
    return StoryAssigner.from_snapshot(index, policy, last_id=int(head["last_id"]), own=set(head["own"]))


def _parts(handle: BinaryIO) -> Iterator[tuple[str, Any]]:
    while True:
        try:
            part = marshal.load(handle)
        except EOFError:
            return
        if not isinstance(part, tuple) or len(part) != 2:
            raise ValueError("a part that is not (kind, payload)")
        yield part


def write(path: Path, head: Head, index: StoryIndex) -> None:
    """Write through a temporary file and a rename, so a reader never sees half of one; on
    OSError or ValueError no file is left behind and the error is raised."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            marshal.dump(head, handle, _MARSHAL_VERSION)
            for part in index.export_parts():
                marshal.dump(part, handle, _MARSHAL_VERSION)
        temporary.replace(path)
    except (OSError, ValueError):
        temporary.unlink(missing_ok=True)
        raise
