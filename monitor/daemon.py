"""``monitor run``: the APScheduler 3 daemon with the poll job, the digest slot and the config watcher.

Jobs run in the scheduler's thread pool; the main thread only waits for a stop signal. SIGINT and
SIGTERM set one event that the poll job checks between feeds, then the scheduler shuts down waiting
for the running job, so a stop never cuts a feed's transaction in half.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import db
from indicators import plural
from indicators.errors import MonitorError, StorageBusyError
from monitor import logs
from monitor.alerts import deliver_pending, evaluate_alerts
from monitor.analysis import Definitions
from monitor.config.model import Config, load_config
from monitor.digest.publish import send_pending, write_digest
from monitor.feeds.poll import PollReport
from monitor.feeds.reachability import Change, OfflineWatch
from monitor.pipeline.poll_cycle import poll_and_refresh
from monitor.pipeline.poll_settings import feed_specs
from monitor.pipeline.rescore import rescore
from monitor.pipeline.story_assigner import StoryAssigner
from monitor.pipeline.trend_refresh import local_day
from monitor.process_identity import worker_identity
from monitor.storage_retry import retry_busy

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# The poll job wakes at most this often and claims only the feeds that are due, so each feed keeps
# its own interval; a tick missed by more than its own length is skipped (the next one covers it).
MAX_TICK = timedelta(seconds=60)
MIN_TICK = timedelta(seconds=1)
WATCH_EVERY = timedelta(seconds=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _State:
    config: Config
    definitions: Definitions
    file_digest: str | None
    # The config file could not be read (deleted, moved): logged once until it is back.
    missing: bool = False


def _file_digest(path: Path | None, extra: tuple[Path, ...] = ()) -> str | None:
    """Digest of the config file and the definition files it names: a change to either reloads."""
    if path is None:
        return None
    digest = hashlib.sha256()
    for file in (path, *extra):
        try:
            digest.update(file.read_bytes())
        except OSError:
            if file == path:
                return None
            digest.update(b"missing:" + str(file).encode())
    return digest.hexdigest()


def _added_feeds(old: Config, new: Config) -> list[str]:
    """The names of feeds enabled in ``new`` and not in ``old``, by URL: a changed URL is a new
    feed row, due at once, as a new name is."""
    before = {str(feed.url) for feed in old.enabled_feeds}
    return sorted(feed.name for feed in new.enabled_feeds if str(feed.url) not in before)


class Daemon:
    def __init__(self, config: Config, *, now: Clock = utcnow, stop: threading.Event | None = None) -> None:
        self.stop = stop or threading.Event()
        self.now = now
        self.database = db.open_database(config.database_url)
        self.worker = worker_identity()
        self._lock = threading.Lock()
        # Polls in a row that found the database busy (locked, full): the first is logged as an
        # error with what to do, the recovery once; the ones between only at debug level.
        self._busy_polls = 0
        # One story index per process, loaded at the first poll that stores something and kept
        # current after that (see StoryAssigner), not re-read at every poll.
        self.stories = StoryAssigner.empty()
        self.state = _State(config, Definitions.from_config(config), _file_digest(config.source))
        self.offline = OfflineWatch()
        # A reload that adds a feed asks for a poll now instead of at the next tick; when a poll is
        # running, it goes round once more instead (a second job instance would only be skipped).
        self._polling = False
        self._poll_again = False
        db.sync_feeds(self.database, feed_specs(config), now())
        self.scheduler = BackgroundScheduler(
            timezone=config.schedule.timezone,
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    # --- jobs ---------------------------------------------------------------------------------

    def poll_job(self) -> None:
        if self.stop.is_set():
            return
        with self._lock:
            self._polling, self._poll_again = True, False
        while True:
            self._poll_once()
            with self._lock:
                if not self._poll_again or self.stop.is_set():
                    self._polling = False
                    break
                self._poll_again = False
        self.alert_job()

    def _poll_once(self) -> None:
        with self._lock:
            state = self.state
        try:
            report = poll_and_refresh(
                self.database,
                state.config,
                state.definitions,
                now=self.now,
                due_only=True,
                stop=self.stop,
                worker=self.worker,
                stories=self.stories,
                due_grace=self._tick() / 2,
                claim_limit=state.config.schedule.claim_batch,
            )
        except StorageBusyError as exc:
            # Nothing is lost: feeds not stored stay due and the next tick tries again; a
            # lock held for minutes must not fill the log with one error per tick.
            self._busy_polls += 1
            if self._busy_polls == 1:
                log.error("poll failed: %s. The feeds stay due; every tick tries again", exc)
            else:
                log.debug("poll %d in a row found the database busy: %s", self._busy_polls, exc)
            return
        except MonitorError as exc:
            log.error("poll failed: %s", exc)
        except Exception:  # the daemon's job boundary: a bug in one poll must not stop the next
            log.exception("poll failed with an unexpected error; the daemon keeps running")
        else:
            if self._busy_polls:
                log.warning("the database is available again after %d busy poll(s)", self._busy_polls)
                self._busy_polls = 0
            self._watch_reachability(report, state.config)

    def _watch_reachability(self, report: PollReport, config: Config) -> None:
        enabled = [feed.name for feed in config.enabled_feeds]
        change = self.offline.observe(report.feeds, enabled)
        if change is Change.OFFLINE:
            log.warning(
                "every feed failed (%s): no host could be resolved or connected to. Is this machine "
                "offline? Check its network and DNS; the feeds are retried with backoff",
                plural(len(enabled), "feed"),
            )
        elif change is Change.ONLINE:
            log.info("feeds reachable again")

    def _poll_soon(self) -> None:
        with self._lock:
            running, self._poll_again = self._polling, True
        if not running and self.scheduler.running:
            self.scheduler.modify_job("poll", next_run_time=datetime.now(UTC))

    def alert_job(self) -> None:
        """After each poll tick: store the alerts the trend makes, then send what is due (new alerts
        and retries). Also catches level changes that a CLI poll or import stored."""
        if self.stop.is_set():
            return
        with self._lock:
            state = self.state
        try:
            evaluate_alerts(self.database, state.config, state.definitions, now=self.now())
            deliver_pending(self.database, state.config, now=self.now, worker=self.worker, env=os.environ)
        except MonitorError as exc:
            log.error("alerts failed: %s", exc)
        except Exception:  # the daemon's job boundary, as for polls
            log.exception("alerts failed with an unexpected error; the daemon keeps running")

    def digest_job(self) -> None:
        """Write today's digest and mail it (with any earlier one whose sending failed)."""
        with self._lock:
            state = self.state
        config = state.config
        day = local_day(self.now(), config.schedule.tzinfo)
        try:
            # One digest (and one mail) per day and database, however many daemons share it: the
            # first daemon to claim the day writes and mails it (and retries its failed sends).
            owner = db.claim_once(self.database, f"digest_claim:{day.isoformat()}", self.worker)
            if owner != self.worker:
                log.info("digest day=%s is written by another daemon (%s) on this database", day, owner)
                return
            files = write_digest(self.database, config, state.definitions, day, now=self.now())
            if config.digest.smtp is not None:
                send_pending(self.database, config, files, env=os.environ)
        except MonitorError as exc:
            log.error("digest failed: %s", exc)
        except Exception:  # the daemon's job boundary, as for polls
            log.exception("digest failed with an unexpected error; the daemon keeps running")

    def watch_config(self) -> None:
        """Reload the config file when its content changes; keep the last good one on error."""
        source = self.state.config.source
        if source is None:
            return
        digest = _file_digest(source, self.state.config.definitions)
        if digest is None:
            if not self.state.missing:
                log.error(
                    "config file %s cannot be read (deleted or moved?); keeping the last good config "
                    "until it is back",
                    source,
                )
                self.state.missing = True
            return
        if self.state.missing:
            self.state.missing = False
            if digest == self.state.file_digest:
                log.info("config file %s is back, unchanged", source)
        if digest == self.state.file_digest:
            return
        try:
            config = load_config(source)
            definitions = Definitions.from_config(config)
        except MonitorError as exc:
            log.error("config reload failed; keeping the last good config. %s", exc)
            self.state.file_digest = digest  # report each bad version once, not every few seconds
            return
        old, old_hash = self.state.config, self.state.definitions.scenarios.config_hash
        if config.database_url != old.database_url:
            # Switching storage under a running poll would split a run, its claims and the story
            # index across two databases; the URL takes effect at the next start.
            log.error(
                "config: database.url changed to %s; restart the daemon to use it (it keeps %s until then)",
                db.create_db_engine(config.database_url).url.render_as_string(hide_password=True),
                self.database.url,
            )
        changed = sorted(old.changed_sections(config))
        with self._lock:
            self.state = _State(config, definitions, _file_digest(source, config.definitions))
        try:
            retry_busy(
                lambda: db.sync_feeds(self.database, feed_specs(config), self.now()),
                what="config reload: storing the feed list",
                stop=self.stop,
            )
        except MonitorError as exc:
            log.error("config reload: the feed list could not be stored (the next change retries): %s", exc)
            self.state.file_digest = None
        if "schedule" in changed:
            self._schedule_digest(config)
            logs.use_timezone(config.schedule.tzinfo)
        if "schedule" in changed or "feeds" in changed:
            self._reschedule_poll()
        added = _added_feeds(old, config)
        if added:
            # sync_feeds made them due now; without this they would wait for the next tick (after the
            # reschedule above, which sets the next run a whole tick away)
            log.info("config adds feeds %s; polling them now", ", ".join(map(repr, added)))
            self._poll_soon()
        log.info("config reloaded from %s changed=%s", source, ",".join(changed) or "definitions")
        if definitions.scenarios.config_hash != old_hash or "schedule" in changed:
            self._rescore()

    def _rescore(self) -> None:
        with self._lock:
            state = self.state
        try:
            report = rescore(self.database, state.config, state.definitions, now=self.now())
        except MonitorError as exc:
            log.error("rescore after the config change failed: %s", exc)
            return
        log.info(
            "rescored after config change rematched=%d days_changed=%d config_hash=%s",
            report.rematched,
            len(report.changes),
            report.new_hash[:12],
        )

    # --- wiring -------------------------------------------------------------------------------

    def _tick(self) -> timedelta:
        """The poll job's period: the shortest interval of any enabled feed, at most a minute."""
        config = self.state.config
        intervals = [config.poll_interval_for(feed) for feed in config.enabled_feeds]
        return max(MIN_TICK, min([MAX_TICK, config.schedule.poll_interval, *intervals]))

    def _reschedule_poll(self) -> None:
        tick = self._tick()
        if self.scheduler.running and self.scheduler.get_job("poll") is not None:
            self.scheduler.reschedule_job("poll", trigger=IntervalTrigger(seconds=tick.total_seconds()))

    def _schedule_digest(self, config: Config) -> None:
        at = config.schedule.digest_time
        self.scheduler.add_job(
            self.digest_job,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=config.schedule.timezone),
            id="digest",
            replace_existing=True,
            # A digest an hour late is still worth writing; one a day late is not.
            misfire_grace_time=3600,
        )

    def start(self) -> None:
        tick = self._tick()
        self.scheduler.add_job(
            self.poll_job,
            IntervalTrigger(seconds=tick.total_seconds()),
            id="poll",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=int(tick.total_seconds()),
        )
        self._schedule_digest(self.state.config)
        self.scheduler.add_job(
            self.watch_config,
            IntervalTrigger(seconds=WATCH_EVERY.total_seconds()),
            id="config-watcher",
            misfire_grace_time=int(WATCH_EVERY.total_seconds()),
        )
        self.scheduler.start()
        config = self.state.config
        log.info(
            "daemon started database=%s feeds=%d tick=%ss digest_at=%s tz=%s alerts=%s config=%s",
            self.database.url,
            len(config.enabled_feeds),
            int(tick.total_seconds()),
            config.schedule.digest_time.strftime("%H:%M"),
            config.schedule.timezone,
            ",".join(config.alerts.channels) or "off",
            config.source or "built-in defaults",
        )

    def shutdown(self) -> None:
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        try:
            retry_busy(lambda: db.release_claims(self.database, self.worker), what="stop: releasing claims")
        except MonitorError as exc:
            log.error("stop: claims not released (they expire with their lease): %s", exc)
        self.database.close()
        log.info("daemon stopped")

    def run_forever(self) -> None:
        """Start, wait for SIGINT/SIGTERM, stop cleanly."""

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s; stopping after the feeds in flight", signal.Signals(signum).name)
            self.stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            while not self.stop.wait(1.0):
                pass
        finally:
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
