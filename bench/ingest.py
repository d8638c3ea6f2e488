"""``python -m bench ingest``: polling N feeds end to end, as real processes, against the reader library.

Feeds: N generated feeds (default 1000) of 50 items, every other one Atom, in nine languages
(``bench.ingest_feeds``: deterministic from the seed, 300-800-character summaries, about 20 % of the
items with a sentence built from the definitions' actor and event words). The share the project's
matcher really fires on is measured and printed (``generated_matching_share``).

Server: ``bench._feed_server`` in its own process (its CPU is charged to neither side), a threaded
HTTP server on 16 loopback addresses (one port), so a per-host politeness limit sees 16 hosts rather
than one; ETag and Last-Modified give 304s, a switch ignores the validators (200, same body), and a
round switch adds 10 items to every feed (the body keeps 50, the oldest dropped).

Each side is a real process. Ours: a config listing the feeds and a fresh SQLite file, ``monitor db
upgrade`` (not timed), then ``monitor poll`` (one poll of every enabled feed, matching, stories and
trend included) with the project's default fetch settings. The peer: ``bench._reader_peer``, the
reader library on a fresh SQLite file, every feed added, ``update_feeds(workers=8, scheduled=False)``.
Both are timed as whole processes (interpreter start-up included): wall time, CPU time (user + sys
from ``os.wait4``, which counts the reaped children too) and peak RSS, from a sampler thread that
reads ``/proc`` every 20 ms: the process's own ``VmHWM``, or, if the sampler saw child processes,
the largest sampled sum of the tree's ``VmRSS`` when that is larger (``tree_processes_max`` says how
many processes were seen; psutil is not needed). ``ru_maxrss`` is not used: Linux carries the
harness's own high-water mark over ``execve`` into it.

One run, ours and reader's interleaved (ours, reader, ours, reader ...):

1. first poll, every feed new (``ingest_*``, ``peak_rss_mb_first``);
2. five rounds of 10 new items per feed on the same databases (``steady_*``: the per-round median;
   ``peak_rss_mb_after_rounds``: the largest peak of those five polls);
3. all feeds unchanged, the server answers 304 (``repoll_304_s``);
4. validators ignored, the same bodies with 200 (``repoll_same_body_s``);
5. the first poll again, on a copy of a database already holding 30 days of history for the same
   feeds (``history_cost_ratio`` = that poll's wall time / the first poll's on an empty database;
   ``peak_rss_mb_history``: that poll's peak RSS);
6. ``monitor --version`` five times (``startup_s``: the median).

Each figure is the median over ``--runs`` runs (a ratio: the median of the per-run ratios); ``--json``
also gives every run's raw figures for both sides.

History: built once per session, in this process (untimed), through the project's own storage
path as ``monitor import`` uses it (clean, match, story, ``db.store_items``, then one trend refresh),
one call per feed rather than importing a JSONL file: the importer stores in publication order
across sources, which for 1000 feeds means one transaction per item and minutes of set-up. Each feed
gets ``--history-per-day`` (default 10) items a day over the 30 days before the served items.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from bench import ingest_feeds as gen

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.02
STARTUP_RUNS = 5
READER_WORKERS = 8


@dataclass
class Measured:
    """One child process: wall and CPU seconds, peak RSS (MB), what it printed."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    processes: int
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)


def _tree_memory_kb(root: int) -> tuple[int, int, int]:
    """``root``'s VmHWM (its peak RSS so far), the summed VmRSS of it and its descendants (kB), and
    how many processes that is."""
    hwm = total = count = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            with Path(f"/proc/{pid}/status").open(encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmHWM:") and pid == root:
                        hwm = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            count += 1
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text(encoding="ascii")
                pending.extend(int(c) for c in children.split())
        except (OSError, ValueError):
            continue
    return hwm, total, count


def measure(cmd: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` to completion and measure it (see the module docstring).

    Peak RSS is sampled from ``/proc``, not taken from ``ru_maxrss``: the kernel carries the forking
    process's high-water mark over ``execve``, so a child's ``ru_maxrss`` is never below this
    harness's own size.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        peak = {"hwm": 0, "tree": 0, "processes": 1}
        done = threading.Event()

        def sample() -> None:
            while True:
                hwm, tree, count = _tree_memory_kb(proc.pid)
                if count:  # gone (or a zombie without memory figures) once count is 0
                    peak["hwm"] = max(peak["hwm"], hwm)
                    peak["tree"] = max(peak["tree"], tree)
                    peak["processes"] = max(peak["processes"], count)
                if done.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        tree_kb = peak["tree"] if peak["processes"] > 1 else 0
        return Measured(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=max(peak["hwm"], tree_kb) / 1024,
            processes=peak["processes"],
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


# --- the feed server ------------------------------------------------------------------------------


class FeedServer:
    """``bench._feed_server`` as a child process; ``control(round=..., validators=...)`` switches it."""

    def __init__(self, feeds: int, seed: int, t0: datetime, hosts: int, keepalive: bool = True) -> None:
        self._proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "bench._feed_server", "--feeds", str(feeds), "--seed", str(seed)),
                *("--t0", t0.isoformat(), "--hosts", str(hosts)),
                *(() if keepalive else ("--no-keepalive",)),
            ],
            cwd=REPO_ROOT,
            env=_child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("the feed server did not start")
        info = json.loads(line)
        self.port: int = info["port"]
        self.hosts: list[str] = info["hosts"]

    def url(self, feed: int) -> str:
        return f"http://{self.hosts[feed % len(self.hosts)]}:{self.port}/feed/{feed}.xml"

    def control(self, **settings: object) -> dict[str, Any]:
        query = "&".join(f"{k}={int(v) if isinstance(v, bool) else v}" for k, v in settings.items())
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_control?{query}", timeout=600) as reply:
            answer: dict[str, Any] = json.loads(reply.read())
            return answer

    def close(self) -> None:
        stdin: IO[bytes] | None = self._proc.stdin
        if stdin is not None:
            stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("MONITOR_CONFIG", None)
    return env


# --- our side -------------------------------------------------------------------------------------


def monitor_command() -> list[str]:
    script = Path(sys.executable).with_name("monitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "monitor"]


# ``--analysis-workers``: the config's ``fetch.analysis_workers`` (0, the default, is left out)
ANALYSIS_WORKERS = 0


def write_config(workdir: Path, server: FeedServer, feeds: int) -> Path:
    lines = [
        "# written by python -m bench ingest",
        "database: {url: 'sqlite:///monitor.db'}",
        "schedule: {timezone: UTC}",
        "digest: {output_dir: digests}",
        *((f"fetch: {{analysis_workers: {ANALYSIS_WORKERS}}}",) if ANALYSIS_WORKERS else ()),
        "feeds:",
    ]
    lines += [
        f"  - {{name: '{gen.feed_name(f)}', url: '{server.url(f)}', language: {gen.feed_language(f)}}}"
        for f in range(feeds)
    ]
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "monitor.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class PollFigures:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    processes: int
    items_stored: int  # in the database after the poll
    items_matched: int
    feeds_failed: int | None  # from the poll's closing line
    log_problems: int  # stderr lines at WARNING or above, or tracebacks


_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|Traceback)\b")
_SUMMARY = re.compile(r"(\d+) feeds?, (\d+) failed, (\d+) new items?")


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def ours_poll(config: Path, log: Path) -> PollFigures:
    run = measure([*monitor_command(), "--config", str(config), "poll"], cwd=config.parent, env=_child_env())
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"--- monitor poll: rc={run.returncode}\n{run.stdout[-2000:]}\n{run.stderr}\n")
    # 1: some feeds failed, which the figures count (feeds_failed); anything else stops the run.
    if run.returncode not in (0, 1):
        raise RuntimeError(f"monitor poll failed (rc={run.returncode}): {run.stderr[-2000:]}")
    summary = _SUMMARY.search(run.stdout)
    database = config.parent / "monitor.db"
    return PollFigures(
        wall_s=run.wall_s,
        cpu_s=run.cpu_s,
        peak_rss_mb=run.peak_rss_mb,
        processes=run.processes,
        items_stored=_count(database, "SELECT count(*) FROM items"),
        items_matched=_count(database, "SELECT count(DISTINCT item_id) FROM matches"),
        feeds_failed=int(summary.group(2)) if summary else None,
        log_problems=sum(1 for line in run.stderr.splitlines() if _PROBLEM.search(line)),
    )


def ours_fresh(workdir: Path, server: FeedServer, feeds: int) -> Path:
    config = write_config(workdir, server, feeds)
    for stale in workdir.glob("monitor.db*"):
        stale.unlink()
    upgrade = subprocess.run(
        [*monitor_command(), "--config", str(config), "db", "upgrade"],
        cwd=workdir,
        env=_child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if upgrade.returncode != 0:
        raise RuntimeError(f"monitor db upgrade failed: {upgrade.stderr[-2000:]}")
    return config


def build_history(
    workdir: Path, server: FeedServer, feeds: int, seed: int, t0: datetime, per_day: int
) -> int:
    """A database holding 30 days of history for the benchmark's feeds; returns the items stored."""
    import db
    from monitor.analysis import Definitions
    from monitor.config.model import load_config
    from monitor.feeds.parse import ParsedItem
    from monitor.pipeline import trend_refresh as trend
    from monitor.pipeline.poll_settings import feed_specs
    from monitor.pipeline.story_assigner import StoryAssigner

    config_path = ours_fresh(workdir, server, feeds)
    config = load_config(config_path)
    definitions = Definitions.from_config(config)
    database = db.open_database(config.database_url)
    count = per_day * gen.HISTORY_DAYS
    now = datetime.now(UTC)
    stored = 0
    try:
        tz = config.schedule.tzinfo
        trend.ensure_days(database, tz)
        specs = feed_specs(config)
        db.sync_feeds(database, specs, now)
        stories = StoryAssigner.load(database, now)
        analyser = definitions.analyser(tz=tz)
        for feed, spec in enumerate(specs):
            feed_id = db.ensure_feed(database, spec, now)
            by_day: dict[date, list[ParsedItem]] = {}
            for k in range(-count, 0):
                it = gen.item(seed, feed, k, t0, count)
                digest = hashlib.sha256(f"{it.title}\0{it.summary}\0{it.link}".encode()).hexdigest()
                parsed = ParsedItem(it.guid, it.link, it.title, it.summary, it.published, digest, None)
                by_day.setdefault(it.published.date(), []).append(parsed)
            # Stored as a daemon would have stored them: each day's items fetched on that day, so
            # the history is history (out of the story index's window), not 30 days fetched today.
            for items in by_day.values():
                fetched = max(p.published or now for p in items)
                writes = analyser.writes(items, {}, spec.language, fetched)
                staged = stories.stage(feed_id, fetched, writes)
                summary = db.store_items(
                    database, feed_id, staged.writes, fetched_at=fetched, patterns_hash=analyser.patterns_hash
                )
                stories.commit(staged, summary)
                stored += summary.items_new
        trend.refresh(database, definitions, tz=tz, now=now)
    finally:
        database.close()
    return stored


# --- the peer -------------------------------------------------------------------------------------


def reader_available() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import reader"], capture_output=True, env=_child_env(), check=False
    )
    return probe.returncode == 0


@dataclass
class PeerFigures:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    processes: int
    entries: int
    broken_feeds: int
    update_s: float  # inside the process: update_feeds alone


def reader_update(database: Path, feeds_file: Path, log: Path) -> PeerFigures:
    run = measure(
        [sys.executable, "-m", "bench._reader_peer", str(database), str(feeds_file), str(READER_WORKERS)],
        cwd=REPO_ROOT,
        env=_child_env(),
    )
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"--- reader peer: rc={run.returncode}\n{run.stdout}\n{run.stderr}\n")
    if run.returncode != 0:
        raise RuntimeError(f"the reader peer failed (rc={run.returncode}): {run.stderr[-2000:]}")
    report = json.loads(run.stdout.strip().splitlines()[-1])
    return PeerFigures(
        wall_s=run.wall_s,
        cpu_s=run.cpu_s,
        peak_rss_mb=run.peak_rss_mb,
        processes=run.processes,
        entries=int(report["entries"]),
        broken_feeds=int(report["broken_feeds"]),
        update_s=float(report["update_s"]),
    )


# --- one run --------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """A progress line on stderr (a full-size run takes many minutes)."""
    print(f"bench ingest: {message}", file=sys.stderr, flush=True)


def _served(server: FeedServer) -> dict[str, int]:
    stats: dict[str, int] = server.control(reset_stats=1)["stats"]
    return stats


def one_run(
    index: int, work: Path, server: FeedServer, feeds: int, history_db: Path, with_reader: bool, keep: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One interleaved run; returns (ours, reader) raw figures. Its databases are deleted unless
    ``keep``."""
    log = work / "poll.log"
    run_dir = work / f"run{index}"
    ours: dict[str, Any] = {}
    peer: dict[str, Any] = {}
    feeds_file = run_dir / "reader-feeds.txt"
    run_dir.mkdir(parents=True, exist_ok=True)
    feeds_file.write_text("".join(server.url(f) + "\n" for f in range(feeds)), encoding="utf-8")
    reader_db = run_dir / "reader.sqlite"
    for stale in run_dir.glob("reader.sqlite*"):
        stale.unlink()

    server.control(round=0, validators=1, reset_stats=1)
    config = ours_fresh(run_dir / "ours", server, feeds)
    ours["first"] = asdict(ours_poll(config, log))
    ours["first"]["served"] = _served(server)
    progress(f"run {index + 1}: first poll, ours {ours['first']['wall_s']:.1f} s")
    if with_reader:
        peer["first"] = asdict(reader_update(reader_db, feeds_file, log))
        peer["first"]["served"] = _served(server)
        progress(f"run {index + 1}: first poll, the reader library {peer['first']['wall_s']:.1f} s")

    ours["rounds"] = []
    if with_reader:
        peer["rounds"] = []
    for round_ in range(1, gen.ROUNDS + 1):
        server.control(round=round_, reset_stats=1)
        ours["rounds"].append(asdict(ours_poll(config, log)) | {"served": _served(server)})
        if with_reader:
            peer["rounds"].append(
                asdict(reader_update(reader_db, feeds_file, log)) | {"served": _served(server)}
            )
        progress(f"run {index + 1}: round {round_} of {gen.ROUNDS} done")

    ours["repoll_304"] = asdict(ours_poll(config, log)) | {"served": _served(server)}
    if with_reader:
        peer["repoll_304"] = asdict(reader_update(reader_db, feeds_file, log)) | {"served": _served(server)}
    server.control(validators=0, reset_stats=1)
    ours["repoll_same_body"] = asdict(ours_poll(config, log)) | {"served": _served(server)}
    if with_reader:
        peer["repoll_same_body"] = asdict(reader_update(reader_db, feeds_file, log)) | {
            "served": _served(server)
        }

    server.control(round=0, validators=1, reset_stats=1)
    history_dir = run_dir / "history"
    history_dir.mkdir(exist_ok=True)
    for stale in history_dir.glob("monitor.db*"):
        stale.unlink()
    shutil.copy(history_db, history_dir / "monitor.db")
    history_config = write_config(history_dir, server, feeds)
    ours["history"] = asdict(ours_poll(history_config, log)) | {"served": _served(server)}
    progress(f"run {index + 1}: repolls and the poll on the history database done")

    startups = []
    for _ in range(STARTUP_RUNS):
        run = measure([*monitor_command(), "--version"], cwd=run_dir, env=_child_env())
        startups.append(run.wall_s)
    ours["startup_s"] = statistics.median(startups)
    if not keep:
        shutil.rmtree(run_dir / "ours", ignore_errors=True)
        shutil.rmtree(history_dir, ignore_errors=True)
        reader_db.unlink(missing_ok=True)
    return ours, peer


def run_figures(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, float]:
    """The figures of one run (the session's are the medians of these)."""
    first = ours["first"]
    steady = statistics.median(r["wall_s"] for r in ours["rounds"])
    figures = {
        "ingest_s": first["wall_s"],
        "ingest_items_per_s": (first["items_stored"] / first["wall_s"]) if first["wall_s"] else 0.0,
        "ingest_cpu_s": first["cpu_s"],
        "steady_poll_s": steady,
        "steady_cpu_s": statistics.median(r["cpu_s"] for r in ours["rounds"]),
        "repoll_304_s": ours["repoll_304"]["wall_s"],
        "repoll_304_cpu_s": ours["repoll_304"]["cpu_s"],
        "repoll_same_body_s": ours["repoll_same_body"]["wall_s"],
        "repoll_same_body_cpu_s": ours["repoll_same_body"]["cpu_s"],
        "peak_rss_mb_first": first["peak_rss_mb"],
        "peak_rss_mb_after_rounds": max(r["peak_rss_mb"] for r in ours["rounds"]),
        "startup_s": ours["startup_s"],
        "history_poll_s": ours["history"]["wall_s"],
        "history_cost_ratio": ours["history"]["wall_s"] / first["wall_s"],
        "peak_rss_mb_history": ours["history"]["peak_rss_mb"],
        "tree_processes_max": max(
            [first["processes"], ours["history"]["processes"]] + [r["processes"] for r in ours["rounds"]]
        ),
    }
    if peer:
        p_first = peer["first"]
        p_steady = statistics.median(r["wall_s"] for r in peer["rounds"])
        figures |= {
            "ingest_vs_reader": p_first["wall_s"] / first["wall_s"],
            "steady_vs_reader": p_steady / steady,
            "reader_ingest_s": p_first["wall_s"],
            "reader_ingest_cpu_s": p_first["cpu_s"],
            "reader_steady_poll_s": p_steady,
            "reader_steady_cpu_s": statistics.median(r["cpu_s"] for r in peer["rounds"]),
            "reader_repoll_304_s": peer["repoll_304"]["wall_s"],
            "reader_repoll_same_body_s": peer["repoll_same_body"]["wall_s"],
            "reader_peak_rss_mb_first": p_first["peak_rss_mb"],
            "reader_peak_rss_mb_after_rounds": max(r["peak_rss_mb"] for r in peer["rounds"]),
        }
    return figures


# name -> (unit, format); the order is the printing order
FIGURES: dict[str, tuple[str, str]] = {
    "ingest_items_per_s": ("items/s", ".0f"),
    "ingest_s": ("s", ".2f"),
    "ingest_cpu_s": ("s", ".2f"),
    "reader_ingest_s": ("s", ".2f"),
    "reader_ingest_cpu_s": ("s", ".2f"),
    "ingest_vs_reader": ("x", ".2f"),
    "steady_poll_s": ("s", ".2f"),
    "steady_cpu_s": ("s", ".2f"),
    "reader_steady_poll_s": ("s", ".2f"),
    "reader_steady_cpu_s": ("s", ".2f"),
    "steady_vs_reader": ("x", ".2f"),
    "repoll_304_s": ("s", ".2f"),
    "repoll_304_cpu_s": ("s", ".2f"),
    "reader_repoll_304_s": ("s", ".2f"),
    "repoll_same_body_s": ("s", ".2f"),
    "repoll_same_body_cpu_s": ("s", ".2f"),
    "reader_repoll_same_body_s": ("s", ".2f"),
    "peak_rss_mb_first": ("MB", ".1f"),
    "peak_rss_mb_after_rounds": ("MB", ".1f"),
    "reader_peak_rss_mb_first": ("MB", ".1f"),
    "reader_peak_rss_mb_after_rounds": ("MB", ".1f"),
    "tree_processes_max": ("processes", ".0f"),
    "startup_s": ("s", ".3f"),
    "history_poll_s": ("s", ".2f"),
    "history_cost_ratio": ("x", ".2f"),
    "peak_rss_mb_history": ("MB", ".1f"),
}
READER_FIGURES = tuple(name for name in FIGURES if "reader" in name)


def matching_share(feeds: int, seed: int, t0: datetime) -> tuple[int, float]:
    """How many items the first poll serves, and the share the project's matcher fires on."""
    from indicators import Matcher, load_indicators

    matcher = Matcher(load_indicators())
    items = [it for f in range(feeds) for it in gen.window(seed, f, 0, t0)]
    fired = sum(1 for it in items if matcher.match({"title": it.title, "summary": it.summary}).matches)
    return len(items), fired / len(items)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="generated feeds of 50 items (default 1000)")
    parser.add_argument(
        "--runs", type=int, default=3, help="interleaved runs; medians are printed (default 3)"
    )
    parser.add_argument("--seed", type=int, default=20261201, help="feed content seed")
    parser.add_argument("--hosts", type=int, default=16, help="loopback addresses the feeds are spread over")
    parser.add_argument(
        "--history-per-day", type=int, default=10, help="history items per feed and day, 30 days (default 10)"
    )
    parser.add_argument(
        "--no-keepalive",
        action="store_true",
        help="the server speaks HTTP/1.0, one request per connection (default: HTTP/1.1 keep-alive)",
    )
    parser.add_argument(
        "--analysis-workers",
        type=int,
        default=0,
        help="the config's fetch.analysis_workers: processes that analyse new items (default 0)",
    )
    parser.add_argument("--skip-reader", action="store_true", help="leave out the reader library's side")
    parser.add_argument("--json", action="store_true", help="print one JSON document with the raw runs")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="work in DIR and keep every database and poll.log (default: a temp dir, removed)",
    )
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.runs < 1:
        parser.error("--feeds and --runs must be at least 1")
    if args.analysis_workers < 0:
        parser.error("--analysis-workers must be at least 0")
    global ANALYSIS_WORKERS
    ANALYSIS_WORKERS = args.analysis_workers

    notes: list[str] = []
    with_reader = not args.skip_reader
    if with_reader and not reader_available():
        with_reader = False
        notes.append(
            "the reader library is not installed (pip install -e '.[bench]'): its figures are skipped"
        )
    elif not with_reader:
        notes.append("--skip-reader: the reader library's figures are skipped")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = gen.epoch()
    settings: dict[str, float] = {
        "feeds": args.feeds,
        "runs": args.runs,
        "analysis_workers": args.analysis_workers,
    }
    served_items, share = matching_share(args.feeds, args.seed, t0)
    settings["generated_items"] = served_items
    settings["generated_matching_share"] = share
    server = FeedServer(args.feeds, args.seed, t0, args.hosts, keepalive=not args.no_keepalive)
    raw_ours: list[dict[str, Any]] = []
    raw_peer: list[dict[str, Any]] = []
    per_run: list[dict[str, float]] = []
    try:
        started = time.perf_counter()
        history_items = build_history(
            work / "history-template", server, args.feeds, args.seed, t0, args.history_per_day
        )
        settings["history_items"] = history_items
        settings["history_build_s"] = time.perf_counter() - started
        progress(f"history database built: {history_items} items in {settings['history_build_s']:.0f} s")
        for index in range(args.runs):
            ours, peer = one_run(
                index,
                work,
                server,
                args.feeds,
                work / "history-template" / "monitor.db",
                with_reader,
                keep=bool(args.keep),
            )
            raw_ours.append(ours)
            raw_peer.append(peer)
            per_run.append(run_figures(ours, peer))
    finally:
        server.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    last = raw_ours[-1]
    checks: dict[str, float] = {
        "items_stored_first": last["first"]["items_stored"],
        "items_served_first": last["first"]["served"]["items_served"],
        "stored_matching_share": last["first"]["items_matched"] / max(last["first"]["items_stored"], 1),
        "items_stored_after_rounds": last["rounds"][-1]["items_stored"],
        "feeds_failed": max(
            (p["feeds_failed"] or 0)
            for p in [
                last["first"],
                *last["rounds"],
                last["repoll_304"],
                last["repoll_same_body"],
                last["history"],
            ]
        ),
        "server_connection_errors": sum(
            p["served"]["connection_errors"]
            for run in raw_ours + raw_peer
            for p in [
                run.get("first"),
                *run.get("rounds", []),
                run.get("repoll_304"),
                run.get("repoll_same_body"),
                run.get("history"),
            ]
            if p
        ),
        "poll_log_problems": sum(
            p["log_problems"]
            for p in [last["first"], *last["rounds"], last["repoll_304"], last["repoll_same_body"]]
        ),
        "responses_304_on_repoll": last["repoll_304"]["served"]["304"],
    }
    if with_reader:
        peer_last = raw_peer[-1]
        checks["reader_entries_first"] = peer_last["first"]["entries"]
        checks["reader_entries_after_rounds"] = peer_last["rounds"][-1]["entries"]
        checks["reader_broken_feeds"] = peer_last["first"]["broken_feeds"]
    figures = {name: statistics.median(run[name] for run in per_run) for name in per_run[0]}

    document = {
        "settings": settings,
        "checks": checks,
        "figures": {
            name: {"value": figures[name], "unit": unit}
            for name, (unit, _) in FIGURES.items()
            if name in figures
        },
        "runs": {"ours": raw_ours, "reader": raw_peer if with_reader else []},
        "per_run_figures": per_run,
        "notes": notes,
    }
    print(json.dumps(document, indent=2) if args.json else "\n".join(render_lines(document)))
    return 0


# the settings and checks printed before the figures: name -> (unit, format)
COUNTS: dict[str, tuple[str, str]] = {
    "feeds": ("feeds", ".0f"),
    "runs": ("runs", ".0f"),
    "analysis_workers": ("processes", ".0f"),
    "generated_items": ("items", ".0f"),
    "generated_matching_share": ("fraction", ".3f"),
    "history_items": ("items", ".0f"),
    "history_build_s": ("s", ".1f"),
    "items_stored_first": ("items", ".0f"),
    "items_served_first": ("items", ".0f"),
    "stored_matching_share": ("fraction", ".3f"),
    "items_stored_after_rounds": ("items", ".0f"),
    "feeds_failed": ("feeds", ".0f"),
    "server_connection_errors": ("connections", ".0f"),
    "poll_log_problems": ("lines", ".0f"),
    "responses_304_on_repoll": ("responses", ".0f"),
    "reader_entries_first": ("items", ".0f"),
    "reader_entries_after_rounds": ("items", ".0f"),
    "reader_broken_feeds": ("feeds", ".0f"),
}


def render_lines(document: dict[str, Any]) -> list[str]:
    """The ``name value unit`` lines of a ``--json`` document, as printed without ``--json``."""
    lines = []
    for name, value in [*document["settings"].items(), *document["checks"].items()]:
        unit, fmt = COUNTS[name]
        lines.append(f"{name} {value:{fmt}} {unit}")
    for name, figure in document["figures"].items():
        lines.append(f"{name} {figure['value']:{FIGURES[name][1]}} {figure['unit']}")
    return lines
