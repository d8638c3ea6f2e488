"""What the fault tests share: configs for real processes, running ``monitor`` as a child process
with its peak memory, and reading the stored state back."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.helpers import monitor_command, process_env


def fault_config(
    path: Path,
    feeds: list[tuple[str, str]],
    *,
    database_url: str | None = None,
    interval: str | None = None,
    deadline: str = "15s",
    backoff_base: str = "1m",
    extra: str = "",
) -> Path:
    """A config for the fault tests: a SQLite file beside it unless ``database_url`` says otherwise;
    ``interval`` is set per feed (loopback feeds may poll every few seconds)."""
    lines = [
        "database:",
        f"  url: {database_url or 'sqlite:///data/monitor.db'}",
        "fetch:",
        "  connect_timeout: 2s",
        "  read_timeout: 5s",
        f"  deadline: {deadline}",
        f"  backoff_base: {backoff_base}",
        extra.rstrip(),
        "feeds:" if feeds else "feeds: []",
    ]
    for name, url in feeds:
        lines += [f"  - name: {name}", f'    url: "{url}"', "    language: en", "    reliability: 0.9"]
        if interval:
            lines.append(f"    poll_interval: {interval}")
    path.write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Finished:
    returncode: int
    output: str
    peak_rss_mb: float
    seconds: float


# The child whose peak is measured is forked from this small launcher, not from the test process:
# Linux carries a process's peak RSS across exec, and a fork of a pytest worker starts with the
# worker's hundreds of megabytes mapped.
_LAUNCH = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
sys.stdout.flush()
print(f"peak_rss_kb={usage.ru_maxrss}", flush=True)
sys.exit(os.waitstatus_to_exitcode(status))
"""
_PEAK = re.compile(r"^peak_rss_kb=(\d+)$", re.MULTILINE)


def run_monitor(config: Path, *args: str) -> Finished:
    """``monitor ARGS`` as a child process; its peak resident memory from the kernel (``wait4``)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *monitor_command(config, *args)],
        cwd=config.parent,
        env={**process_env(), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    output = done.stdout.decode("utf-8", "replace")
    peaks = _PEAK.findall(output)
    assert peaks, output
    return Finished(done.returncode, _PEAK.sub("", output), int(peaks[-1]) / 1024, time.monotonic() - started)


def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def sqlite_url(config: Path) -> str:
    return f"sqlite:///{config.parent / 'data' / 'monitor.db'}"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
