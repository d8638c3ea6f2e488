"""The story worker process (``python -m monitor.pipeline.story_worker_process``): it holds a story
index, signs and groups the batches the poll sends, and reads and writes the index's snapshot file.

It imports the grouping and nothing of the database, the HTTP client or the config: everything it
needs from the database (the stored window, the snapshot's checks) the poll's process reads and
sends (``story_worker``). Requests and replies are pickles on its stdin and stdout, sent only by
the poll's process that started it; requests are handled in order, one at a time. Its own stdout
is moved to stderr, so that nothing printed can break a reply.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from indicators.errors import MonitorError
from monitor.pipeline import story_index_file
from monitor.pipeline.story_assigner import DecidedBatch, StoredItem, StoryAssigner
from scenarios import StoryPolicy, StorySignature, signature

# One item as the worker receives it: (grouped: a new item, not a changed one; its signature when
# the poll has it already; cleaned title; cleaned summary; published time)
WorkerItem = tuple[bool, str | None, str, str, datetime | None]


class _Worker:
    def __init__(self) -> None:
        self.assigner: StoryAssigner | None = None
        self.batches: dict[int, DecidedBatch] = {}

    def start(
        self, snapshot: tuple[str, dict[str, Any]] | None, policy: StoryPolicy
    ) -> tuple[str, str | None]:
        """Load the index from the snapshot whose head the poll checked (``(path, head)``), or
        begin an empty one; the stored items since follow (:meth:`learn`). ``("stale", ...)``:
        the snapshot was replaced since its check."""
        if snapshot is None:
            self.assigner = StoryAssigner.empty(policy)
            return ("started", None)
        path, head = snapshot
        try:
            self.assigner = story_index_file.read_assigner(Path(path), head, policy)
        except (OSError, EOFError, ValueError, TypeError, MonitorError) as exc:
            return ("stale", f"story index snapshot {path} not used: {exc}")
        index = self.assigner.index
        return ("started", f"story index read from {path}: {len(index)} items, {index.stories} stories")

    def learn(self, horizon: datetime, stored: Sequence[StoredItem], last: bool) -> None:
        """Stored items since the snapshot (or the whole window), some thousands at a time: a
        window of 100,000 sent at once was 30 MB on each side."""
        if self.assigner is not None:  # None: the start failed, and the poll groups itself
            self.assigner.learn(horizon, stored, last=last)

    def decide(
        self, token: int, feed_id: int, fetched_at: datetime, items: Sequence[WorkerItem]
    ) -> tuple[list[str], list[tuple[int, int]]]:
        if self.assigner is None:
            raise RuntimeError("decide before start")
        signatures: list[str] = []
        grouped: list[tuple[StorySignature | None, datetime | None]] = []
        for new, text, title, summary, published_at in items:
            if text is None:
                text = signature(title, summary).to_text()
            signatures.append(text)
            # Read back from the text, as in the poll's process: its tokens interned, one string
            # per word for the whole index (2.6 KB an item held, not 0.6, without).
            grouped.append((StorySignature.from_text(text) if new else None, published_at))
        batch = self.assigner.decide(feed_id, fetched_at, grouped)
        self.batches[token] = batch
        return signatures, batch.decisions

    def commit(self, token: int, item_ids: Sequence[int]) -> None:
        if self.assigner is not None:
            self.assigner.commit_ids(self.batches.pop(token), item_ids)

    def discard(self, token: int) -> None:
        batch = self.batches.pop(token, None)
        if batch is not None and self.assigner is not None:
            self.assigner.discard(batch)

    def state(self) -> tuple[int, int, list[int]] | None:
        """What the snapshot's head needs: (newest id, last id read, own ids), or None."""
        state = self.assigner.snapshot_state() if self.assigner is not None else None
        if state is None or self.batches:
            return None
        return state.newest_id, state.last_id, sorted(state.own)

    def save(self, path: str, head: dict[str, Any]) -> str | None:
        """Write the snapshot; the error, if any, for the poll to log."""
        state = self.assigner.snapshot_state() if self.assigner is not None else None
        if state is None:
            return "the index changed since its state was asked"
        try:
            story_index_file.write(Path(path), head, state.index)
        except (OSError, ValueError) as exc:
            return str(exc)
        return None


# request name -> whether it is answered
ANSWERED = {
    "start": True,
    "learn": False,
    "decide": True,
    "commit": False,
    "discard": False,
    "state": True,
    "save": True,
}


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Handle requests until the poll closes the pipe. An exception in a request is its reply
    (``("error", text)``), and the worker goes on."""
    worker = _Worker()
    while True:
        try:
            name, *args = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: Any = getattr(worker, name)(*args)
        except Exception as exc:
            if not ANSWERED[name]:
                # A commit or discard that failed leaves an index the poll cannot trust: stop,
                # and the poll, finding the pipe closed, groups in its own process.
                print(f"story worker: {name} failed: {exc!r}", file=sys.stderr)
                raise SystemExit(3) from exc
            reply = ("error", f"{type(exc).__name__}: {exc}")  # the poll decides in its own process
        if ANSWERED[name]:
            pickle.dump(reply, replies, pickle.HIGHEST_PROTOCOL)
            replies.flush()


def main() -> None:
    # Ctrl-C or a service stop reaches the whole process group: the poll finishes what it is
    # writing, with this worker's answers, and this process ends when the poll closes its pipe
    # (or dies: the pipe closes then too).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
