"""What the test modules share (no test module imports another): where things are, the ``monitor``
command run in this process, the feeds and configs the CLI tests use, and small assertion helpers.

The HTTP server is in ``tests.helpers.feed_server``, the SMTP inbox in ``tests.helpers.smtp`` and the
in-memory digest in ``tests.helpers.digest_data``; pytest fixtures stay in the conftest files.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

import db
from indicators import MatchResult, clean_text
from monitor.analysis import Definitions
from monitor.cli import main
from monitor.config.model import Config
from tests.helpers.feed_server import Recorded, Reply

# --- where things are ------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ENV = "MONITOR_TEST_POSTGRES_URL"
NO_SKIP_ENV = "MONITOR_NO_SKIP"
#: ``shared/`` (corpora, eval sets, seeds): $MONITOR_SHARED_DIR, else beside the repository. CI has it.
SHARED_DIR = Path(os.environ.get("MONITOR_SHARED_DIR") or REPO_ROOT.parent / "shared")
INDICATOR_FIXTURES = REPO_ROOT / "tests" / "indicators" / "fixtures"
BASIC = INDICATOR_FIXTURES / "basic.yaml"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


# --- the monitor command ---------------------------------------------------------------------------

# The loggers ``monitor.logs.configure`` sets up for each invocation.
_CLI_LOGGERS = ("monitor", "db", "indicators", "scenarios", "httpx", "httpcore", "apscheduler", "alembic")
_DEFINITIONS: dict[tuple[object, ...], Definitions] = {}
_from_config = Definitions.from_config


def definitions_for(config: Config) -> Definitions:
    """``Definitions.from_config``, built once per set of definition files and overrides: the
    definitions are immutable, and building them is most of what a short command costs."""
    files = tuple((str(path), path.read_bytes()) for path in config.definitions)
    key = (files, repr(sorted(config.to_overrides().items())))
    if key not in _DEFINITIONS:
        _DEFINITIONS[key] = _from_config(config)
    return _DEFINITIONS[key]


@contextlib.contextmanager
def _as_a_process(folder: Path) -> Iterator[None]:
    """What a fresh process would have: the folder as cwd, and logging as it was before the command
    (the command points its log handlers at its own stderr)."""
    loggers = [logging.getLogger(name) for name in _CLI_LOGGERS]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    try:
        with contextlib.chdir(folder):
            yield
    finally:
        for lg, handlers, level, propagate in saved:
            lg.handlers[:] = handlers
            lg.setLevel(level)
            lg.propagate = propagate


def monitor(config: Path, *args: str, check: bool = True) -> Result:
    """``monitor --config CONFIG ARGS`` in this process (click's runner), from the config's folder and
    without $MONITOR_CONFIG. An exception the CLI does not turn into a message is raised here, where a
    real process would print a traceback; ``check`` fails the test on a non-zero exit."""
    original = Definitions.__dict__["from_config"]
    Definitions.from_config = staticmethod(definitions_for)  # type: ignore[method-assign]
    try:
        with _as_a_process(config.parent):
            result = CliRunner().invoke(
                main, ["--config", str(config), *args], env={"MONITOR_CONFIG": None}, catch_exceptions=False
            )
    finally:
        Definitions.from_config = original  # type: ignore[method-assign]
    if check and result.exit_code != 0:
        raise AssertionError(f"monitor {' '.join(args)} exited {result.exit_code}:\n{result.output}")
    return result


def monitor_command(config: Path, *args: str) -> list[str]:
    """The argv of ``monitor`` as a real process, for the tests that need one (signals, the daemon)."""
    return [sys.executable, "-m", "monitor", "--config", str(config), *args]


def process_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}


# --- feeds, configs and the stored rows ------------------------------------------------------------

RSS = "application/rss+xml; charset=utf-8"


def rss(channel: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<description>{summary}</description><pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate></item>"
        for guid, title, summary in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{channel}</title>'
        f"<link>https://news.example/</link><description>test</description>{entries}</channel></rss>"
    ).encode()


def conditional(body: bytes) -> Callable[[Recorded], Reply]:
    """200 with an ETag, 304 when the client sends it back."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    def reply(request: Recorded) -> Reply:
        if request.header("If-None-Match") == etag:
            return Reply(304, b"", (("ETag", etag),))
        return Reply(200, body, (("Content-Type", RSS), ("ETag", etag)))

    return reply


FEED_A = rss(
    "Wire A",
    [
        ("a-1", "Lukashenko meets Putin in Moscow", "Talks on the Union State &amp; energy prices."),
        ("a-2", "Drone crossed into Lithuania from Belarus", "Vilnius airport was closed for an hour."),
        ("a-3", "Weather in Minsk", "Snow expected."),
    ],
)
FEED_B = rss(
    "Wire B",
    [
        ("b-1", "Gas talks between Minsk and Moscow", "Gazprom price for 2027."),
        ("b-2", "Poland scrambles jets", "<p>Jets were <b>scrambled</b> after a drone alert.</p>"),
    ],
)


def write_config(path: Path, feeds: list[tuple[str, str]], *, interval: str = "15m") -> Path:
    """A config with a SQLite file in ``data/`` beside it and these (name, url) feeds."""
    lines = [
        "database:",
        "  url: sqlite:///data/monitor.db",
        "schedule:",
        f"  poll_interval: {interval}",
        "fetch:",
        "  connect_timeout: 2s",
        "  read_timeout: 5s",
        "  deadline: 10s",
        "feeds:" if feeds else "feeds: []",
    ]
    for name, url in feeds:
        lines += [f"  - name: {name}", f"    url: {url}", "    language: en", "    reliability: 0.9"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(config: Path, query: str) -> list[tuple[Any, ...]]:
    """Rows of the SQLite file a ``write_config`` config stores into."""
    with contextlib.closing(sqlite3.connect(config.parent / "data" / "monitor.db")) as conn:
        return conn.execute(query).fetchall()


# --- storage records -------------------------------------------------------------------------------

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def spec(name: str, url: str | None = None, **kw: object) -> db.FeedSpec:
    values: dict[str, object] = {
        "config_url": url or f"http://127.0.0.1:1/{name}.xml",
        "name": name,
        "language": "en",
        "reliability": 0.8,
        "poll_interval_seconds": 900,
    }
    values.update(kw)
    return db.FeedSpec(**values)  # type: ignore[arg-type]


def ok(at: datetime = T0, **kw: object) -> db.PollUpdate:
    """A successful poll's update, 15 minutes until the next."""
    values: dict[str, object] = {
        "attempted_at": at,
        "outcome": "ok",
        "status": 200,
        "next_poll_at": at + timedelta(minutes=15),
        "consecutive_failures": 0,
        "etag": '"v1"',
        "last_modified": "Sun, 01 Nov 2026 07:00:00 GMT",
    }
    values.update(kw)
    return db.PollUpdate(**values)  # type: ignore[arg-type]


# --- matching --------------------------------------------------------------------------------------


def fired(result: MatchResult) -> set[str]:
    return {match.indicator_id for match in result.matches}


def assert_spans(fields: dict[str, str], result: MatchResult) -> None:
    """Every evidence span slices its cleaned field to exactly its text."""
    evidence = [e for m in result.matches for e in m.evidence]
    evidence += [e for s in result.suppressed for e in (s.cue, *s.evidence)]
    for item in evidence:
        assert clean_text(fields[item.field])[item.start : item.end] == item.text


# --- hand-made definitions (tests/scenarios) --------------------------------------------------------

# Three escalation indicators and two de-escalation ones, each fired by one made-up word, so a
# test text fires exactly the indicators whose words it contains.
INDICATORS_YAML = """
vocabularies:
  alpha: {terms: ["alphaword"]}
  beta: {terms: ["betaword"]}
  gamma: {terms: ["gammaword"]}
  delta: {terms: ["deltaword"]}
  omega: {terms: ["omegaword"]}
negation:
  window: 3
  cues: ["not"]
indicators:
  - {id: ind_a, label: A, polarity: escalation, source: test, all: [alpha]}
  - {id: ind_b, label: B, polarity: escalation, source: test, all: [beta]}
  - {id: ind_c, label: C, polarity: escalation, source: test, all: [gamma], negation: {counter: ind_d}}
  - {id: ind_d, label: D, polarity: deescalation, source: test, all: [delta]}
  - {id: ind_e, label: E, polarity: deescalation, source: test, all: [omega]}
"""

# s_one: A 2, C 3, D 1.5 (relevance 1); s_two: B 1, C 1, E 0.5 (relevance 2).
SCENARIOS_YAML = """
scenarios:
  s_one:
    title: Scenario one
    description: the first test scenario
    relevance_threshold: 1.0
    half_life_days: 7
    thresholds:
      - {level: watch, up: 2.0, down: 1.0}
      - {level: alert, up: 5.0, down: 3.0}
    indicators:
      ind_a: 2
      ind_c: 3.0
      ind_d: 1.5
  s_two:
    title: Scenario two
    relevance_threshold: 2.0
    half_life_days: 3
    thresholds:
      - {level: watch, up: 1.0, down: 0.5}
    indicators:
      ind_b: 1.0
      ind_c: 1.0
      ind_e: 0.5
    supporting: [ind_b, ind_c, ind_e]   # relevant only together: 2.0 needs two of them
"""

WriteFile = Callable[[str, str], Path]


__all__ = [
    "BASIC",
    "FEED_A",
    "FEED_B",
    "INDICATORS_YAML",
    "NO_SKIP_ENV",
    "POSTGRES_ENV",
    "REPO_ROOT",
    "RSS",
    "SCENARIOS_YAML",
    "SHARED_DIR",
    "T0",
    "WriteFile",
    "assert_spans",
    "conditional",
    "definitions_for",
    "fired",
    "monitor",
    "monitor_command",
    "ok",
    "postgres_url",
    "process_env",
    "rows",
    "rss",
    "spec",
    "write_config",
]
