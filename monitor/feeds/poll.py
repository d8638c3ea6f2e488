"""One poll: claim the due feeds, fetch them concurrently, parse, clean, match and store each feed.

Each feed's outcome is stored in its own transaction as soon as its fetch completes, so a crash or a
kill in the middle of a poll leaves every feed either fully stored or untouched (it stays due and is
fetched again, with its old validators, by the next poll).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

import db
from monitor.feeds.fetch import FetchOutcome, FetchRequest, FetchSettings, fetch_all
from monitor.feeds.parse import ParsedFeed, ParsedItem, parse_feed
from monitor.feeds.schedule_policy import BackoffSettings, plan_next, stable_jitter
from monitor.feeds.strict_parse import parse_strict
from monitor.process_identity import host_name, pid_alive, worker_identity
from monitor.redaction import redact_url
from monitor.storage_retry import retry_busy

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class PollSettings:
    fetch: FetchSettings
    backoff: BackoffSettings
    # A claim outlives the longest fetch by a margin, so a dead worker's feeds come free soon after.
    lease: timedelta = timedelta(minutes=10)
    # Parsing is most of a large poll's CPU: with at least ``parse_pool_min_feeds`` feeds claimed,
    # bodies are parsed on this many worker processes while the poll stores what is parsed. 0: inline.
    parse_workers: int = field(
        default_factory=lambda: min(4, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0
    )
    parse_pool_min_feeds: int = 50
    # With ``parse_pool_min_feeds`` feeds claimed, new items are cleaned, matched and given their
    # story signatures on this many worker processes (when the analyser can be offloaded), while
    # this process fetches, parses, groups stories and stores. 0 (the default): all here. One
    # worker on two cores: a first poll of 1,000 feeds a fifth faster, and 40 MB more at its peak.
    analysis_workers: int = 0
    # With ``parse_pool_min_feeds`` feeds claimed that were never polled successfully (a first
    # poll, feeds added: their whole bodies are new), stories are signed and grouped on a worker
    # process while this one stores, when the caller offers one (``poll(pipelined=...)``). A poll
    # of known feeds brings a few new items each, for which a second process is memory for
    # little: 1,000 feeds polled again stay below 200 MB only without it.
    story_worker: bool = field(default_factory=lambda: (os.cpu_count() or 1) > 1)
    # Fetched bodies not yet stored, at most: fetching outruns storing, and on a 1,000-feed poll
    # the waiting bodies were a third of the peak memory.
    max_unstored_bodies: int = 32


class Staged(Protocol):
    @property
    def writes(self) -> list[db.ItemWrite]: ...


S = TypeVar("S", bound=Staged)


class StoryStaging(Protocol[S]):
    """Decides the stories of a batch before it is written, and learns the outcome of the write."""

    def stage(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> S: ...

    def commit(self, staged: S, summary: db.PollSummary) -> None: ...

    def discard(self, staged: S) -> None: ...


T = TypeVar("T")


class PipelinedStories(Protocol[T, S]):
    """Story staging that decides feeds' stories while the feeds before them are written (on
    another process): ``submit`` when the feed's writes are known, ``resolve`` just before its
    write (the writes with their signatures and stories), then ``commit`` or ``discard``. Calls
    come from one thread, in the order of the writes; up to ``depth`` feeds are submitted before
    the first of them is written. The writes it is given have no signatures: it signs them."""

    @property
    def depth(self) -> int: ...

    def start(self) -> None:
        """Get ready for the first ``submit`` (the poll is about to fetch)."""

    def submit(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> T: ...

    def resolve(self, ticket: T) -> S: ...

    def commit(self, staged: S, summary: db.PollSummary) -> None: ...

    def discard(self, staged: S) -> None: ...


# What an analysis worker gives for one (title, summary): the cleaned title and summary, the story
# signature, and the matches as ``db.MatchRecord`` arguments (indicator id, polarity, evidence,
# indicator negated into it, factor), in the types the worker's own layers use.
AnalysedText = tuple[str, str, str | None, tuple[tuple[Any, ...], ...] | None]


@dataclass(frozen=True, slots=True)
class AnalysisOffload:
    """How a worker process does what an :class:`Analyser` does to an item's text (cleaning,
    signature, matching), so that a large poll analyses on another core while this one fetches,
    parses and stores: ``setup(*setup_args)`` once in each worker, then ``analyse(pairs)`` per feed,
    which must give, for each ``(title, summary)``, what ``clean``, ``signature_of`` and ``match``
    give in this process (``tests/monitor/test_analysis_pool.py`` checks the two agree). Both are
    module-level functions, so the worker imports them by name rather than receiving them."""

    setup: Callable[..., None]
    setup_args: tuple[object, ...]
    analyse: Callable[[Sequence[tuple[str, str]]], list[AnalysedText]]


@dataclass(frozen=True, slots=True)
class Analyser:
    """What happens to each new or changed item before it is stored: cleaning, matching
    (``patterns_hash`` says with which definitions), its local day and its story signature.
    ``offload``: the same work on a worker process, for large polls (None: always here)."""

    clean: Callable[[str], str]
    match: Callable[[str, str], Sequence[db.MatchRecord]] | None
    patterns_hash: str | None
    day_of: Callable[[datetime], date] | None = None
    signature_of: Callable[[str, str], str] | None = None
    offload: AnalysisOffload | None = None

    def prepare(self, parsed: ParsedItem, feed_language: str | None, fetched_at: datetime) -> db.NewItem:
        title, summary = self.clean(parsed.title), self.clean(parsed.summary)
        return self._item(
            parsed,
            title,
            summary,
            self.signature_of(title, summary) if self.signature_of else None,
            feed_language,
            fetched_at,
        )

    def _item(
        self,
        parsed: ParsedItem,
        title: str,
        summary: str,
        signature: str | None,
        feed_language: str | None,
        fetched_at: datetime,
    ) -> db.NewItem:
        return db.NewItem(
            guid=parsed.guid,
            url=parsed.link,
            title=title,
            summary=summary,
            language=parsed.language or feed_language,
            published_at=parsed.published,
            content_hash=parsed.content_hash,
            signature=signature,
            day=self.day_of(parsed.published or fetched_at) if self.day_of else None,
        )

    @staticmethod
    def pending(
        parsed: Sequence[ParsedItem], known: Mapping[str, db.KnownItem]
    ) -> list[tuple[ParsedItem, db.KnownItem | None]]:
        """The entries to analyse and store: not stored yet, or stored with other content. An entry
        already stored as it is costs a dictionary lookup, not a cleaning, signature or match."""
        found: list[tuple[ParsedItem, db.KnownItem | None]] = []
        seen: set[str] = set()
        for entry in parsed:
            if entry.guid in seen:  # a feed that repeats a guid means the first one
                continue
            seen.add(entry.guid)
            stored = known.get(entry.guid)
            if stored is not None and stored.content_hash == entry.content_hash:
                continue
            found.append((entry, stored))
        return found

    def writes(
        self,
        parsed: Sequence[ParsedItem],
        known: Mapping[str, db.KnownItem],
        feed_language: str | None,
        fetched_at: datetime,
    ) -> list[db.ItemWrite]:
        """The items to store (:meth:`pending`), analysed here."""
        writes: list[db.ItemWrite] = []
        for entry, stored in self.pending(parsed, known):
            item = self.prepare(entry, feed_language, fetched_at)
            matches = tuple(self.match(item.title, item.summary)) if self.match is not None else None
            writes.append(db.ItemWrite(item, matches, existing_id=stored.id if stored is not None else None))
        return writes

    def writes_from(
        self,
        pending: Sequence[tuple[ParsedItem, db.KnownItem | None]],
        analysed: Sequence[AnalysedText],
        feed_language: str | None,
        fetched_at: datetime,
    ) -> list[db.ItemWrite]:
        """:meth:`writes`, from what :attr:`offload` gave for ``pending``."""
        if len(analysed) != len(pending):
            raise ValueError(f"the analysis worker gave {len(analysed)} results for {len(pending)} items")
        writes: list[db.ItemWrite] = []
        for (entry, stored), (title, summary, signature, matches) in zip(pending, analysed, strict=True):
            item = self._item(entry, title, summary, signature, feed_language, fetched_at)
            records = tuple(db.MatchRecord(*m) for m in matches) if matches is not None else None
            writes.append(db.ItemWrite(item, records, existing_id=stored.id if stored is not None else None))
        return writes


@dataclass(frozen=True, slots=True)
class FeedResult:
    feed_id: int
    name: str
    outcome: db.PollOutcome
    status: int | None
    items_new: int
    items_updated: int
    error: str | None
    earliest_day: date | None = None  # the earliest day whose items this poll changed


@dataclass(frozen=True, slots=True)
class PollReport:
    run_id: int | None
    feeds: tuple[FeedResult, ...]
    stopped: bool

    @property
    def items_new(self) -> int:
        return sum(f.items_new for f in self.feeds)

    @property
    def earliest_day(self) -> date | None:
        """The earliest day whose stored items changed in this poll (where the trend must be redone)."""
        return min((f.earliest_day for f in self.feeds if f.earliest_day is not None), default=None)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.feeds if not f.outcome.succeeded)


def poll(
    database: db.Database,
    settings: PollSettings,
    analyser: Analyser,
    *,
    now: Clock,
    stories: StoryStaging[Any] | None = None,
    due_only: bool = True,
    names: Sequence[str] = (),
    stop: threading.Event | None = None,
    worker: str | None = None,
    due_grace: timedelta = timedelta(0),
    claim_limit: int | None = None,
    pipelined: PipelinedStories[Any, Any] | None = None,
) -> PollReport:
    """Poll the feeds that are due (or all enabled ones) once and store what they return.

    ``pipelined``: used instead of ``stories`` when ``settings.parse_pool_min_feeds`` claimed feeds
    or more were never polled successfully (``PollSettings.story_worker``): each feed's stories
    are decided while the feeds before it are written.

    ``claim_limit``: claim at most this many feeds (the most overdue first), so that daemons
    sharing a database share the due feeds rather than the first one taking them all.

    ``due_grace``: feeds due within this much after now count as due. The daemon passes half its
    tick: a feed polled just after one tick is due again just after the tick one interval later,
    and without the grace it would wait for the tick after that (a 60 s interval polled every 120 s).
    """
    worker = worker or worker_identity()
    db.mark_dead_runs(database, now(), host=host_name(), alive=pid_alive)
    if db.recover_worker(database, worker, now()):
        log.warning("poll: closed a run of this process that a database failure had left open")
    claimed_at = now()
    feeds = db.claim_feeds(
        database,
        now=claimed_at,
        worker=worker,
        lease=settings.lease,
        due_only=due_only,
        names=names,
        due_by=claimed_at + due_grace,
        limit=claim_limit,
    )
    if not feeds:
        log.debug("poll: no feed is due")
        return PollReport(None, (), False)
    by_id = {feed.id: feed for feed in feeds}
    run_id: int | None = None
    results: list[FeedResult] = []
    outcome = db.RunOutcome.FAILED
    outcomes: _Outcomes | None = None
    try:
        run = db.start_run(database, db.RunKind.POLL, now(), worker=worker)
        run_id = run
        batch = outcomes = _Outcomes(database, run, now)
        requests = [FetchRequest(f.id, f.url, f.etag, f.last_modified) for f in feeds]

        def guarded(feed: db.FeedState, attempted: datetime, work: Callable[[], FeedResult | None]) -> None:
            try:
                result = work()
            except db.StorageError as exc:
                if not isinstance(exc, db.StorageRefusedError):
                    raise  # the database is at fault, not this feed: no other feed would fare better
                log.error("feed=%r: the database refused its items: %s", feed.name, exc)
                result = _store_failure(settings, feed, attempted, exc, batch)
            except Exception as exc:  # a job boundary: one feed's fault stays that feed's problem
                log.exception("feed=%r: its items could not be stored; the poll goes on", feed.name)
                result = _store_failure(settings, feed, attempted, exc, batch)
            if result is not None:
                results.append(result)

        def store(fetched: FetchOutcome, body: _Body) -> None:
            feed = by_id[fetched.feed_id]
            guarded(
                feed,
                body.attempted,
                lambda: _store_outcome(
                    database, settings, analyser, stories, feed, fetched, body, now, run, batch
                ),
            )

        large = len(feeds) >= settings.parse_pool_min_feeds
        backlog = sum(1 for f in feeds if f.last_success_at is None)
        pipeline = (
            _Pipeline(database, replace(analyser, signature_of=None), pipelined, now, run, guarded)
            if pipelined is not None and settings.story_worker and backlog >= settings.parse_pool_min_feeds
            else None
        )

        def store_pipelined(fetched: FetchOutcome, body: _Body) -> None:
            assert pipeline is not None
            pipeline.stored += 1
            feed = by_id[fetched.feed_id]
            guarded(
                feed,
                body.attempted,
                lambda: pipeline.plan(
                    _plan_outcome(database, settings, pipeline.analyser, feed, fetched, body, batch)
                ),
            )
            pipeline.write_ready()

        workers = settings.parse_workers if large else 0
        offload = analyser.offload if large and settings.analysis_workers > 0 else None
        with _parse_pool(workers) as pool, _analysis_pool(offload, settings.analysis_workers) as analysis:
            asyncio.run(
                _fetch_and_store(
                    requests,
                    settings,
                    by_id,
                    store if pipeline is None else store_pipelined,
                    pool,
                    workers,
                    _Analysis(database, analyser, analysis) if analysis is not None else None,
                    now=now,
                    should_stop=(stop.is_set if stop is not None else None),
                    arrived=pipeline.arrived if pipeline is not None else None,
                )
            )
        if pipeline is not None:
            pipeline.write_all()
        batch.flush()
        stopped = stop is not None and stop.is_set() and len(results) < len(feeds)
        failed = sum(1 for r in results if not r.outcome.succeeded)
        outcome = (
            db.RunOutcome.INTERRUPTED
            if stopped
            else (db.RunOutcome.OK if failed == 0 else db.RunOutcome.PARTIAL)
        )
        return PollReport(run_id, tuple(results), stopped)
    finally:
        _close_poll(database, worker, run_id, outcome, results, len(feeds), now, outcomes)


class _Pipeline:
    """The store thread's side of :class:`PipelinedStories`: each planned feed is submitted for its
    stories at once, and written once ``depth`` feeds after it are planned (its stories decided
    meanwhile on the other side), or at once when no other fetched body is on its way to the store."""

    def __init__(
        self,
        database: db.Database,
        analyser: Analyser,
        stories: PipelinedStories[Any, Any],
        now: Clock,
        run_id: int,
        guarded: Callable[[db.FeedState, datetime, Callable[[], FeedResult | None]], None],
    ) -> None:
        self.analyser = analyser
        self._database = database
        self._stories = stories
        self._now = now
        self._run_id = run_id
        self._guarded = guarded
        self._queue: deque[tuple[_Planned, Any, datetime]] = deque()
        # Bodies fetched (counted on the event loop's thread) and bodies whose store began (on
        # the store thread): while the first is ahead, another feed will be planned soon.
        self._arrived = 0
        self.stored = 0
        self.depth = stories.depth
        stories.start()  # its process starts while the first feeds are fetched

    def arrived(self) -> None:
        self._arrived += 1

    def plan(self, planned: FeedResult | _Planned) -> FeedResult | None:
        if isinstance(planned, FeedResult):
            return planned
        attempted = planned.update.attempted_at
        self._queue.append(
            (planned, self._stories.submit(planned.feed.id, attempted, planned.writes), attempted)
        )
        return None

    def write_ready(self) -> None:
        keep = self.depth if self._arrived > self.stored else 0
        while len(self._queue) > keep:
            self._write_next()

    def write_all(self) -> None:
        while self._queue:
            self._write_next()

    def _write_next(self) -> None:
        planned, ticket, attempted = self._queue.popleft()

        def write() -> FeedResult:
            staged = self._stories.resolve(ticket)
            return _write_planned(
                self._database, self.analyser, self._stories, planned, staged, self._now, self._run_id
            )

        self._guarded(planned.feed, attempted, write)


def _close_poll(
    database: db.Database,
    worker: str,
    run_id: int | None,
    outcome: db.RunOutcome,
    results: Sequence[FeedResult],
    claimed: int,
    now: Clock,
    outcomes: _Outcomes | None,
) -> None:
    """Store what the poll learnt, give its claims back and close its run, even after a database
    fault: a busy database (locked, full) is waited for with backoff, so a failed poll does not
    leave its feeds claimed for the whole lease nor its run "running"."""
    if outcome is db.RunOutcome.FAILED:
        log.error("poll run=%s failed after %d of %d feeds", run_id, len(results), claimed)
    if outcomes is not None:
        try:
            # the feeds polled before a failure keep their new state
            retry_busy(outcomes.flush, what=f"poll run={run_id}: storing the state of the polled feeds")
        except db.StorageError as exc:
            log.error(
                "poll run=%s: the state of %d polled feeds was not stored: %s", run_id, len(results), exc
            )
    failed = sum(1 for r in results if not r.outcome.succeeded)

    def close() -> None:
        db.release_claims(database, worker)
        if run_id is not None:
            db.finish_run(
                database,
                run_id,
                now(),
                outcome,
                feeds_total=claimed,
                feeds_ok=len(results) - failed,
                feeds_failed=failed,
                items_new=sum(r.items_new for r in results),
                items_updated=sum(r.items_updated for r in results),
                detail=None
                if outcome is not db.RunOutcome.INTERRUPTED
                else f"stopped after {len(results)} of {claimed} feeds",
            )

    try:
        retry_busy(close, what=f"poll run={run_id}: releasing its claims and closing the run")
    except db.StorageError as exc:
        # The next poll of this worker (recover_worker) or any poll on this host once this process
        # is gone (mark_dead_runs) closes it; other hosts wait for the lease.
        log.error("poll run=%s could not be closed: %s", run_id, exc)


@dataclass(frozen=True, slots=True)
class _Analysed:
    """A feed's items worked out before its store: which are stored already, and the writes."""

    known: Mapping[str, db.KnownItem]
    writes: list[db.ItemWrite]


@dataclass(frozen=True, slots=True)
class _Body:
    """A fetched body's fate: its hash (None without a 200 body), what parsing it gave (None when
    it was not parsed: the same body as last time), and its analysed items, when an analysis
    worker did them (None: the store analyses)."""

    attempted: datetime
    hash: str | None
    parsed: ParsedFeed | None
    analysed: _Analysed | None = None


# Bodies up to this size are read by the strict parser in the event loop's thread (about 1 ms per
# 50 KB); larger ones go to feedparser off the loop, so one huge document never holds up the fetches.
_INLINE_STRICT_BYTES = 1 << 20


def _parse_inline(fetched: FetchOutcome, attempted: datetime) -> ParsedFeed | None:
    """The strict parser's reading of a small body, or None (a large body, or one it leaves to
    feedparser)."""
    assert fetched.body is not None
    if len(fetched.body) > _INLINE_STRICT_BYTES:
        return None
    return parse_strict(
        fetched.body,
        url=fetched.final_url or fetched.url,
        content_type=fetched.content_type,
        fetched_at=attempted,
        content_language=fetched.content_language,
    )


def _parse(fetched: FetchOutcome, attempted: datetime) -> ParsedFeed:
    """feedparser's reading, for what the strict parser left (or, over 1 MB, was not given: a long
    document is cut at its 1,000th entry before feedparser reads it, which a whole tree would not
    be)."""
    assert fetched.body is not None
    return parse_feed(
        fetched.body,
        url=fetched.final_url or fetched.url,
        content_type=fetched.content_type,
        fetched_at=attempted,
        content_language=fetched.content_language,
    )


class _LazyPool:
    """A process pool made at its first use: most bodies are read by the strict parser in this
    process, and a pool made up front costs a process even unused (multiprocessing's resource
    tracker, 12 MB)."""

    def __init__(self, make: Callable[[], ProcessPoolExecutor]) -> None:
        self._make = make
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._make()
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _parse_pool(workers: int) -> Iterator[_LazyPool | None]:
    if workers <= 0:
        yield None
        return

    def make() -> ProcessPoolExecutor:
        # forkserver: the poll runs beside the scheduler's and the event loop's threads, which a
        # plain fork would copy mid-state into the children.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["monitor.feeds.parse"])
        return ProcessPoolExecutor(max_workers=workers, mp_context=context)

    pool = _LazyPool(make)
    try:
        yield pool
    finally:
        pool.shutdown()


@contextmanager
def _analysis_pool(offload: AnalysisOffload | None, workers: int) -> Iterator[_OffloadPool | None]:
    if offload is None or workers <= 0:
        yield None
        return
    # spawn: a fresh interpreter that imports only the analysis. A fork would copy the event loop's
    # and the scheduler's threads mid-state, and a forkserver would be one more process to hold.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=offload.setup, initargs=offload.setup_args
    )
    try:
        yield _OffloadPool(offload, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _OffloadPool:
    offload: AnalysisOffload
    executor: ProcessPoolExecutor


class _Analysis:
    """A feed's items analysed before its store: the stored ones looked up on the store thread, the
    others cleaned, matched and signed on a worker process while the store thread stores other
    feeds. Any failure here leaves the feed to the store, which analyses it itself (and meets and
    reports whatever fault there is, as it would without workers)."""

    def __init__(self, database: db.Database, analyser: Analyser, pool: _OffloadPool) -> None:
        self._database = database
        self._analyser = analyser
        self._pool = pool
        self.broken = False

    async def run(
        self,
        loop: asyncio.AbstractEventLoop,
        storer: ThreadPoolExecutor,
        feed: db.FeedState,
        parsed: ParsedFeed,
        attempted: datetime,
    ) -> _Analysed | None:
        if self.broken:
            return None
        try:
            known = await loop.run_in_executor(
                storer, db.known_items, self._database, feed.id, [p.guid for p in parsed.items]
            )
            pending = Analyser.pending(parsed.items, known)
            if not pending:
                return _Analysed(known, [])
            analysed = await loop.run_in_executor(
                self._pool.executor, self._pool.offload.analyse, [(e.title, e.summary) for e, _ in pending]
            )
            return _Analysed(known, self._analyser.writes_from(pending, analysed, feed.language, attempted))
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory) or could not start: the rest of the poll
            # analyses in this process.
            if not self.broken:  # said once, though every feed in flight meets it
                log.warning("poll: the analysis workers stopped (%s); analysing in this process", exc)
            self.broken = True
        except db.StorageError as exc:
            # The store reads the same rows again, meets the same fault and handles it as a fault
            # of the database or of this feed: nothing to decide here.
            log.debug("feed=%r: looking up its stored items failed (%s); the store retries", feed.name, exc)
        except Exception:
            log.exception("feed=%r: the analysis worker failed; analysing in this process", feed.name)
        return None


async def _fetch_and_store(
    requests: Sequence[FetchRequest],
    settings: PollSettings,
    feeds: Mapping[int, db.FeedState],
    store: Callable[[FetchOutcome, _Body], None],
    pool: _LazyPool | None,
    workers: int,
    analysis: _Analysis | None,
    *,
    now: Clock,
    should_stop: Callable[[], bool] | None,
    arrived: Callable[[], None] | None = None,
) -> None:
    """Fetch concurrently; parse each new body (on the pool, if any) and store each feed, one at a
    time, on one thread beside the event loop: a document that takes seconds to parse, analyse or
    store (100,000 entries, a database waiting for a lock) delays only itself, while the other
    fetches go on within their own deadlines. At most two bodies per worker wait for or are in
    parsing, so a slow parse holds back the fetches rather than letting bodies pile up in memory;
    and at most ``settings.max_unstored_bodies`` bodies are fetched and not yet stored.

    With ``analysis``, a feed's new items are analysed on a worker process before its store, and
    the feeds in between are fetched, parsed and stored meanwhile."""
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(max(1, 2 * workers))
    admit = asyncio.Semaphore(max(1, settings.max_unstored_bodies))
    pending: set[asyncio.Task[None]] = set()
    failures: list[BaseException] = []
    broken = False
    # One thread: feeds are stored one at a time, in completion order, as before.
    storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-store")

    def spawn(work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        pending.add(task)

        def done(task: asyncio.Task[None]) -> None:
            pending.discard(task)
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())  # type: ignore[arg-type]

        task.add_done_callback(done)

    async def finish(fetched: FetchOutcome, attempted: datetime, body_hash: str, parsed: ParsedFeed) -> None:
        """Analyse a parsed body's new items on a worker (if any), then store the feed."""
        analysed = None
        if analysis is not None and parsed.items and not parsed.problem:
            analysed = await analysis.run(loop, storer, feeds[fetched.feed_id], parsed, attempted)
        await loop.run_in_executor(storer, store, fetched, _Body(attempted, body_hash, parsed, analysed))

    def parse_inline_then_store(fetched: FetchOutcome, attempted: datetime, body_hash: str) -> None:
        store(fetched, _Body(attempted, body_hash, _parse(fetched, attempted)))

    async def parse_then_store(fetched: FetchOutcome, attempted: datetime, body_hash: str) -> None:
        nonlocal broken
        try:
            if pool is None or broken:
                parsed = await loop.run_in_executor(storer, _parse, fetched, attempted)
            else:
                try:
                    parsed = await loop.run_in_executor(pool.get(), _parse, fetched, attempted)
                except BrokenProcessPool:
                    # A parser process died (killed, out of memory) on some document; the rest of
                    # the poll parses inline.
                    broken = True
                    parsed = await loop.run_in_executor(storer, _parse, fetched, attempted)
            await finish(fetched, attempted, body_hash, parsed)
        finally:
            if pool is not None:
                slots.release()
            admit.release()

    async def store_later(work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            admit.release()

    async def on_result(fetched: FetchOutcome) -> None:
        if failures:  # a store failed on the database: no other feed would fare better
            admit.release()
            raise failures[0]
        if arrived is not None:
            arrived()
        attempted = now()
        body_hash = (
            hashlib.sha256(fetched.body).hexdigest()
            if fetched.kind is db.PollOutcome.OK and fetched.body is not None
            else None
        )
        # With analysis workers, a parsed body goes on in a task, so that the next bodies are
        # parsed and stored while its items are analysed; otherwise its store is awaited here.
        waited = True
        try:
            if body_hash is None or body_hash == feeds[fetched.feed_id].body_hash:
                await loop.run_in_executor(storer, store, fetched, _Body(attempted, body_hash, None))
            elif (strict := _parse_inline(fetched, attempted)) is not None:
                if analysis is not None and not analysis.broken:
                    waited = False
                    spawn(store_later(finish(fetched, attempted, body_hash, strict)))
                elif arrived is not None:
                    # Not awaited: the next bodies reach the store's queue meanwhile, and the store
                    # keeps planned feeds back while more are on their way (``arrived``).
                    waited = False
                    spawn(
                        store_later(
                            loop.run_in_executor(storer, store, fetched, _Body(attempted, body_hash, strict))
                        )
                    )
                else:
                    await loop.run_in_executor(storer, store, fetched, _Body(attempted, body_hash, strict))
            elif (pool is None or broken) and (analysis is None or analysis.broken):
                await loop.run_in_executor(storer, parse_inline_then_store, fetched, attempted, body_hash)
            else:
                if pool is not None:
                    await slots.acquire()
                waited = False
                spawn(parse_then_store(fetched, attempted, body_hash))
        finally:
            if waited:
                admit.release()

    try:
        await fetch_all(
            requests, settings.fetch, now=now, on_result=on_result, should_stop=should_stop, admit=admit
        )
        while pending:
            await asyncio.gather(*pending)
        if failures:
            raise failures[0]
    except BaseException:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        raise
    finally:
        # A store in progress finishes (its transaction is never cut in half); queued ones are dropped.
        storer.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _Planned:
    """A feed's outcome up to its write: the items to store and the state to record."""

    feed: db.FeedState
    fetched: FetchOutcome
    kind: db.PollOutcome
    update: db.PollUpdate
    writes: list[db.ItemWrite]
    seen: int | None
    earliest: date | None
    error: str | None


def _store_outcome(
    database: db.Database,
    settings: PollSettings,
    analyser: Analyser,
    stories: StoryStaging[Any] | None,
    feed: db.FeedState,
    fetched: FetchOutcome,
    body: _Body,
    now: Clock,
    run_id: int,
    outcomes: _Outcomes,
) -> FeedResult:
    planned = _plan_outcome(database, settings, analyser, feed, fetched, body, outcomes)
    if isinstance(planned, FeedResult):
        return planned
    staged = stories.stage(feed.id, body.attempted, planned.writes) if stories is not None else None
    return _write_planned(database, analyser, stories, planned, staged, now, run_id)


def _plan_outcome(
    database: db.Database,
    settings: PollSettings,
    analyser: Analyser,
    feed: db.FeedState,
    fetched: FetchOutcome,
    body: _Body,
    outcomes: _Outcomes,
) -> FeedResult | _Planned:
    """What to write for the feed, or its result when there is no item to write (its state is
    then batched with other such feeds')."""
    attempted = body.attempted
    kind = fetched.kind
    error = fetched.error
    writes: list[db.ItemWrite] = []
    earliest: date | None = None
    seen: int | None = None
    body_hash = body.hash
    parsed = body.parsed
    if body_hash is not None and parsed is None:
        # The server ignored the validators and sent what was stored last time: nothing to parse.
        error, seen = feed.last_error, 0
    elif parsed is not None:
        if parsed.problem:
            # The server answered but sent nothing usable: a failure for backoff and health,
            # with validators dropped so the next poll fetches the document in full.
            kind, error = db.PollOutcome.ERROR, parsed.problem
        else:
            if body.analysed is not None:
                known, writes = body.analysed.known, body.analysed.writes
            else:
                known = db.known_items(database, feed.id, (p.guid for p in parsed.items))
                writes = analyser.writes(parsed.items, known, feed.language, attempted)
            changed_days = [w.item.day for w in writes] + [
                known[w.item.guid].day for w in writes if w.existing_id is not None
            ]
            earliest = min((day for day in changed_days if day is not None), default=None)
            seen = len({p.guid for p in parsed.items})
            error = parsed.warning
    plan = plan_next(
        kind,
        fetched.status,
        feed.consecutive_failures,
        feed.poll_interval_seconds,
        fetched.retry_after_seconds,
        fetched.max_age_seconds,
        _schedule_base(feed, attempted) if kind.succeeded else attempted,
        settings.backoff,
        jitter=stable_jitter(feed.config_url),
    )
    update = db.PollUpdate(
        attempted_at=attempted,
        outcome=kind,
        status=fetched.status,
        next_poll_at=plan.next_poll_at,
        consecutive_failures=plan.consecutive_failures,
        error=error,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        moved_to=fetched.moved_to if fetched.moved_to and fetched.moved_to != feed.url else None,
        disable_reason=f"HTTP 410 Gone at {redact_url(fetched.final_url or fetched.url)}"
        if plan.disabled
        else None,
        body_hash=body_hash if kind is db.PollOutcome.OK else None,
    )
    if not writes:
        # Nothing to store but the feed's state: batched with other such feeds (see _Outcomes).
        summary = db.PollSummary(feed.id, seen or 0, 0, 0)
        outcomes.add(update, summary)
        _log_feed(feed, kind, fetched, summary, plan.next_poll_at, update.moved_to, error)
        return FeedResult(feed.id, feed.name, kind, fetched.status, 0, 0, error, None)
    return _Planned(feed, fetched, kind, update, writes, seen, earliest, error)


def _write_planned(
    database: db.Database,
    analyser: Analyser,
    stories: StoryStaging[Any] | PipelinedStories[Any, Any] | None,
    planned: _Planned,
    staged: Staged | None,
    now: Clock,
    run_id: int,
) -> FeedResult:
    """Write a planned feed (with its stories staged, if grouped), and tell ``stories`` the outcome."""
    feed, update = planned.feed, planned.update
    try:
        summary = db.record_poll(
            database,
            feed.id,
            update,
            staged.writes if staged is not None else planned.writes,
            items_seen=planned.seen,
            run_id=run_id,
            finished_at=now(),
            patterns_hash=analyser.patterns_hash,
            mark_trend_stale=True,
            stale_from=planned.earliest,
        )
    except BaseException:
        if stories is not None and staged is not None:
            stories.discard(staged)
        raise
    if stories is not None and staged is not None:
        stories.commit(staged, summary)
    _log_feed(
        feed, planned.kind, planned.fetched, summary, update.next_poll_at, update.moved_to, planned.error
    )
    return FeedResult(
        feed.id,
        feed.name,
        planned.kind,
        planned.fetched.status,
        summary.items_new,
        summary.items_updated,
        planned.error,
        planned.earliest,
    )


def _schedule_base(feed: db.FeedState, attempted: datetime) -> datetime:
    """What a successful poll's next time counts from: the time the feed was due, when this poll
    is its regular one, so the fetch time and the tick it waited for do not add up into drift (a
    60 s interval is 60 s). A feed polled early (``monitor poll``) or an interval late counts from
    the attempt, so it neither keeps its old phase nor catches up with a burst."""
    due = feed.next_poll_at
    if due is None:
        return attempted
    interval = timedelta(seconds=feed.poll_interval_seconds)
    return due if attempted - interval < due <= attempted + interval / 2 else attempted


def _store_failure(
    settings: PollSettings, feed: db.FeedState, attempted: datetime, exc: Exception, outcomes: _Outcomes
) -> FeedResult:
    """Record a feed whose answer could not be stored (a date out of range, a value the database
    refuses...) as failed, with backoff, so it is retried later rather than at every poll."""
    error = f"its items could not be stored ({type(exc).__name__}: {exc}); they will be tried again"
    plan = plan_next(
        db.PollOutcome.ERROR,
        None,
        feed.consecutive_failures,
        feed.poll_interval_seconds,
        None,
        None,
        attempted,
        settings.backoff,
        jitter=stable_jitter(feed.config_url),
    )
    update = db.PollUpdate(
        attempted_at=attempted,
        outcome=db.PollOutcome.ERROR,
        status=None,
        next_poll_at=plan.next_poll_at,
        consecutive_failures=plan.consecutive_failures,
        error=error[:2000],
    )
    outcomes.add(update, db.PollSummary(feed.id, 0, 0, 0))
    return FeedResult(feed.id, feed.name, db.PollOutcome.ERROR, None, 0, 0, error, None)


def _log_feed(
    feed: db.FeedState,
    kind: db.PollOutcome,
    fetched: FetchOutcome,
    summary: db.PollSummary,
    next_poll_at: datetime,
    moved_to: str | None,
    error: str | None,
) -> None:
    # A failure is a warning: `monitor -q run` (warnings and up) must still show which feeds fail.
    log.log(
        logging.INFO if kind.succeeded else logging.WARNING,
        "feed=%r outcome=%s status=%s items=%d new=%d updated=%d elapsed=%.2fs next=%s%s%s",
        feed.name,
        kind,
        fetched.status if fetched.status is not None else "-",
        summary.items_seen,
        summary.items_new,
        summary.items_updated,
        fetched.elapsed_seconds,
        next_poll_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        f" moved_to={redact_url(moved_to)}" if moved_to else "",
        f" error={error!r}" if error else "",
    )


class _Outcomes:
    """Polls that stored nothing but the feed's state, written a few hundred at a time in one
    transaction: a 304 re-poll of 1,000 feeds cost a transaction per feed. A crash before a flush
    loses only those state updates; the feeds stay due and are polled again."""

    FLUSH_AT = 200

    def __init__(self, database: db.Database, run_id: int, now: Clock) -> None:
        self._database = database
        self._run_id = run_id
        self._now = now
        self._pending: list[tuple[db.PollUpdate, db.PollSummary]] = []

    def add(self, update: db.PollUpdate, summary: db.PollSummary) -> None:
        self._pending.append((update, summary))
        if len(self._pending) >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        # Kept until written: a flush that failed on a busy database is retried with the same rows.
        pending = self._pending
        if not pending:
            return
        try:
            db.record_polls(self._database, pending, run_id=self._run_id, finished_at=self._now())
        except db.StorageRefusedError:
            # One feed's state holds a value the database refuses (a 5 KB ETag...): store the
            # others one by one, and that one as failed, without the refused values.
            for update, summary in pending:
                try:
                    db.record_polls(self._database, [(update, summary)], run_id=self._run_id)
                except db.StorageRefusedError as exc:
                    refused = replace(
                        update,
                        outcome=db.PollOutcome.ERROR,
                        etag=None,
                        last_modified=None,
                        moved_to=None,
                        body_hash=None,
                        error=f"the database refused this feed's state: {exc}"[:2000],
                    )
                    db.record_polls(self._database, [(refused, summary)], run_id=self._run_id)
        self._pending = []
