"""Story grouping on a process of its own, for a poll that brings more new items than one core can
sign, group and store in good time.

On a first poll of 1,000 feeds, signing and grouping the new items took two fifths of the poll's
process while the second core stood idle. Here a worker process (``story_worker_process``) owns
the story index: the poll sends each feed's new items (their cleaned title and summary) as it
plans the feed's write, the worker signs them and decides their stories
(``StoryAssigner.decide``) while the poll writes the feeds before (up to ``PIPELINE_DEPTH``
of them), and the poll's write then uses the decisions. The worker handles requests in the order
they are sent, which is the order of the writes, so the index learns each commit before it decides
the feeds sent after it.

Decided ahead means a batch may be decided while those before it are not yet stored: an item may
join a story such a batch founds, under a provisional id that the poll replaces with the stored one
once that batch commits. When a write fails, the batches decided after it (which may have joined
the failed one's stories) are taken back and decided again.

The worker has no database handle (SQLAlchemy is a third of a process's memory): this process
reads what it needs (the stored window, the snapshot's checks) and sends it. If the worker cannot
start, fails or dies, the poll goes on in its own process with an assigner rebuilt from the
database (what was stored is all it needs: nothing undecided was written), and says so once.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any

import db
from monitor.pipeline import story_snapshot
from monitor.pipeline.story_assigner import (
    FOUNDS,
    JOINS,
    STORY,
    StagedStories,
    StoredItem,
    StoryAssigner,
    stored_item,
    window_horizon,
)
from monitor.pipeline.story_worker_process import WorkerItem
from scenarios import StoryPolicy

log = logging.getLogger(__name__)

Decided = tuple[list[str], list[tuple[int, int]]]

# Feeds planned and sent to the worker before the first of them is written: enough to even out
# feeds that take the worker longer than their write takes here, and the other way round.
PIPELINE_DEPTH = 4
# Stored items sent to the worker at a time, as the database gives them
_LEARN_BATCH = 2_000
# Batches waiting in the worker's queue from which this process signs the next one itself.
SIGN_HERE_BACKLOG = 3


class WorkerStoppedError(Exception):
    """The worker exited, or answered with an error (never leaves this module: the poll then
    groups in its own process)."""


class _Channel:
    """Requests to the worker process and, for those answered, a future each, resolved in order
    by a thread that reads every reply as it comes (a worker blocked writing a large reply would
    stop reading the next request)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.pipeline.story_worker_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # the worker's stderr is this process's: a crash report goes where this poll's log goes
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._requests: IO[bytes] = self._proc.stdin
        self._replies: IO[bytes] = self._proc.stdout
        self._waiting: deque[Future[Any]] = deque()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="story-worker-replies", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        failure: BaseException
        try:
            while True:
                reply = pickle.load(self._replies)
                with self._lock:
                    future = self._waiting.popleft()
                if isinstance(reply, tuple) and reply[:1] == ("error",):
                    future.set_exception(WorkerStoppedError(f"the story worker failed: {reply[1]}"))
                else:
                    future.set_result(reply)
        except EOFError:
            failure = WorkerStoppedError(f"the story worker exited (status {self._proc.wait()})")
        except Exception as exc:  # a broken reply: nothing after it can be trusted
            failure = WorkerStoppedError(f"the story worker's reply could not be read: {exc!r}")
        with self._lock:
            pending, self._waiting = list(self._waiting), deque()
        for future in pending:
            future.set_exception(failure)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def send(self, *request: Any) -> None:
        with self._lock:
            self._write(request)

    def call(self, *request: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            self._waiting.append(future)
            self._write(request)
        return future

    def _write(self, request: tuple[Any, ...]) -> None:
        try:
            pickle.dump(request, self._requests, pickle.HIGHEST_PROTOCOL)
            self._requests.flush()
        except (OSError, ValueError) as exc:
            raise WorkerStoppedError(f"the story worker does not take requests ({exc})") from exc

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a worker gone already
            self._requests.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)
        self._replies.close()


@dataclass
class Ticket:
    """One feed's batch, sent to be decided: what to decide again if it must be."""

    feed_id: int
    fetched_at: datetime
    writes: list[db.ItemWrite]
    token: int
    generation: int
    future: Future[Decided] | None  # None: to be decided in this process


@dataclass
class WorkerStaged:
    """A batch decided, its writes ready to store (signatures and stories filled in)."""

    writes: list[db.ItemWrite]
    token: int
    founded: dict[int, int]  # provisional story id -> write number
    local: StagedStories | None = None  # decided in this process (the worker stopped)


class StoryWorker:
    """The poll's handle on the worker (``monitor.feeds.poll.PipelinedStories``): ``submit`` a
    feed's writes, ``resolve`` them just before writing, then ``commit`` or ``discard``; all from
    one thread, in the order of the writes. The process starts at :meth:`start` (the poll calls
    it when it claims many new feeds) or at the first ``submit``."""

    depth = PIPELINE_DEPTH

    def __init__(
        self,
        database: db.Database,
        now: Callable[[], datetime],
        signature_of: Callable[[str, str], str],
        policy: StoryPolicy | None = None,
    ) -> None:
        self._database = database
        self._now = now
        self._signature_of = signature_of
        self._policy = policy or StoryPolicy()
        self._channel: _Channel | None = None
        self._started: Future[Any] | None = None
        self._local: StoryAssigner | None = None
        self._next_token = 0
        self._generation = 0  # bumped by each discard: batches decided before it are decided again
        # provisional story id -> stored item id, for the batches committed lately: a batch is
        # decided at most PIPELINE_DEPTH batches ahead of its write, so older ones are not asked for
        self._founded: dict[int, int] = {}
        self._founded_by_batch: deque[list[int]] = deque()
        self._in_flight: deque[Future[Decided]] = deque()  # sent, not yet answered (or just answered)
        self._saving: Future[Any] | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, while batches go to it (None before the first and after a
        fallback to this process)."""
        return self._channel.pid if self._channel is not None else None

    def start(self) -> None:
        """Start the worker now rather than at the first ``submit``: it reads its index while the
        poll fetches the first feeds."""
        if self._channel is None and self._local is None:
            try:
                self._start()
            except (WorkerStoppedError, OSError) as exc:
                self._stop(exc)

    def submit(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> Ticket:
        self._next_token += 1
        while self._in_flight and self._in_flight[0].done():
            self._in_flight.popleft()
        if len(self._in_flight) >= SIGN_HERE_BACKLOG:
            # The worker is behind (the batches before are still in its queue): this process
            # signs this one, so the two share the work whichever has more of it.
            writes = [self._signed(w) for w in writes]
        ticket = Ticket(feed_id, fetched_at, list(writes), self._next_token, self._generation, None)
        if self._local is None:
            ticket.future = self._send(ticket)
            if ticket.future is not None:
                self._in_flight.append(ticket.future)
        return ticket

    def _signed(self, write: db.ItemWrite) -> db.ItemWrite:
        if write.item.signature is not None:
            return write
        signed = self._signature_of(write.item.title, write.item.summary)
        return replace(write, item=replace(write.item, signature=signed))

    def _send(self, ticket: Ticket) -> Future[Decided] | None:
        try:
            channel = self._channel or self._start()
            return channel.call(
                "decide", ticket.token, ticket.feed_id, ticket.fetched_at, self._items(ticket)
            )
        except (WorkerStoppedError, OSError) as exc:  # could not start, or gone: the poll goes on here
            self._stop(exc)
            return None

    def _start(self) -> _Channel:
        """Start the worker and send it the index to begin from: the snapshot (checked here, read
        there) and the items stored since, or the stored window, in batches."""
        horizon = window_horizon(self._policy, self._now())
        found = story_snapshot.usable_head(self._database)
        self._channel = channel = _Channel()
        snapshot = (str(found[0]), found[1]) if found is not None else None
        self._started = channel.call("start", snapshot, self._policy)
        after = int(found[1]["last_id"]) if found is not None else 0
        batch: list[StoredItem] = []
        for m in db.recent_story_items(self._database, horizon, after_id=after):
            batch.append(stored_item(m))
            if len(batch) >= _LEARN_BATCH:
                channel.send("learn", horizon, batch, False)
                batch = []
        channel.send("learn", horizon, batch, True)
        return channel

    def _wait_started(self) -> None:
        """The worker's answer to ``start``: a snapshot replaced in between (by another process's
        poll) leaves the grouping to this process."""
        if self._started is None:
            return
        started, self._started = self._started, None
        kind, note = started.result()
        if note:
            log.info("%s", note)
        if kind == "stale":
            raise WorkerStoppedError("the story index snapshot changed while the worker read it")
        log.debug("story worker: started")

    def _stop(self, exc: BaseException) -> None:
        """Go on in this process: the index rebuilt from what is stored."""
        if self._channel is not None or self._local is None:
            log.warning("poll: the story worker stopped (%s); grouping stories in this process", exc)
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._started = None
        self._local = StoryAssigner.load(self._database, self._now(), self._policy)

    def resolve(self, ticket: Ticket) -> WorkerStaged:
        """The batch's writes with their signatures and stories: decided on the worker (again,
        when a discard since may have changed them), or here when the worker stopped."""
        if self._local is None and ticket.future is not None:
            try:
                self._wait_started()
                if ticket.generation != self._generation:
                    assert self._channel is not None
                    ticket.future.result()  # answered before it is taken back
                    self._channel.send("discard", ticket.token)
                    self._next_token += 1
                    ticket.token, ticket.generation = self._next_token, self._generation
                    ticket.future = self._send(ticket)
                if ticket.future is not None:
                    return self._staged(ticket, *ticket.future.result())
            except (WorkerStoppedError, OSError) as exc:
                self._stop(exc)
        assert self._local is not None  # no answer to wait for: the worker stopped
        local = self._local.stage(ticket.feed_id, ticket.fetched_at, [self._signed(w) for w in ticket.writes])
        return WorkerStaged(local.writes, ticket.token, dict(local.provisional), local)

    @staticmethod
    def _items(ticket: Ticket) -> list[WorkerItem]:
        return [
            (w.existing_id is None, w.item.signature, w.item.title, w.item.summary, w.item.published_at)
            for w in ticket.writes
        ]

    def _staged(
        self, ticket: Ticket, signatures: list[str], decisions: list[tuple[int, int]]
    ) -> WorkerStaged:
        if len(signatures) != len(ticket.writes) or len(decisions) != len(ticket.writes):
            raise WorkerStoppedError(
                f"the story worker answered {len(decisions)} items for {len(ticket.writes)}"
            )
        writes: list[db.ItemWrite] = []
        founded: dict[int, int] = {}
        for number, (write, text, (kind, value)) in enumerate(
            zip(ticket.writes, signatures, decisions, strict=True)
        ):
            item = replace(write.item, signature=text)
            if kind == FOUNDS:
                founded[value] = number
                writes.append(replace(write, item=item))
            elif kind == JOINS:
                writes.append(replace(write, item=item, joins=value))
            elif kind == STORY:
                story = self._founded.get(value) if value < 0 else value
                if story is None:  # a batch this process does not know: trust none of its answers
                    raise WorkerStoppedError(f"the story worker named an unknown provisional story {value}")
                writes.append(replace(write, item=item, story_id=story))
            else:
                writes.append(replace(write, item=item))
        return WorkerStaged(writes, ticket.token, founded)

    def commit(self, staged: WorkerStaged, summary: db.PollSummary) -> None:
        self._founded.update((p, summary.item_ids[n]) for p, n in staged.founded.items())
        self._founded_by_batch.append(list(staged.founded))
        if len(self._founded_by_batch) > 2 * PIPELINE_DEPTH:
            for provisional in self._founded_by_batch.popleft():
                del self._founded[provisional]
        if staged.local is not None:
            if self._local is not None:
                self._local.commit(staged.local, summary)
        elif self._channel is not None:
            try:
                self._channel.send("commit", staged.token, list(summary.item_ids))
            except WorkerStoppedError as exc:
                self._stop(exc)

    def discard(self, staged: WorkerStaged) -> None:
        self._generation += 1
        if staged.local is not None:
            if self._local is not None:
                self._local.discard(staged.local)
        elif self._channel is not None:
            try:
                self._channel.send("discard", staged.token)
            except WorkerStoppedError as exc:
                self._stop(exc)

    def save_soon(self) -> None:
        """Start saving the index for the next poll: the head is made here, the file written by
        the worker while this process goes on (``close`` waits for it)."""
        if self._local is not None:
            try:
                story_snapshot.save(self._database, self._local)
            except db.StorageError as exc:
                log.warning("story index not saved: %s (the next poll rebuilds it)", exc)
            return
        path = story_snapshot.snapshot_path(self._database)
        if self._channel is None or path is None:
            return
        try:
            self._wait_started()
            state = self._channel.call("state").result()
            if state is None:
                return
            newest, last_id, own = state
            head = story_snapshot.head_for(self._database, newest, last_id, own)
            if head is not None:
                self._saving = self._channel.call("save", str(path), head)
        except (WorkerStoppedError, db.StorageError) as exc:
            log.warning("story index not saved: %s (the next poll rebuilds it)", exc)

    def close(self) -> None:
        """Wait for a save in progress, and stop the worker."""
        if self._saving is not None:
            try:
                error = self._saving.result()
            except WorkerStoppedError as exc:
                error = str(exc)
            if error:
                log.warning("story index not saved: %s (the next poll rebuilds it)", error)
            self._saving = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
