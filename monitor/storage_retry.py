"""Retrying a database step that failed because the database was busy (locked, disk full).

Such a failure passes: the lock is released, space is freed. A step whose failure would leave
state behind (claims held for the whole lease, a run left "running") is retried with capped
exponential backoff for a bounded time, and the fault is logged once with what to do, not at every
attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from indicators.errors import StorageBusyError

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY = 0.5
MAX_DELAY = 8.0
# Each attempt itself waits for the busy timeout (10 s on SQLite) before it fails, so two minutes
# cover a lock held by a backup or a forgotten shell for about that long.
BUDGET = 120.0


def retry_busy(
    step: Callable[[], T],
    *,
    what: str,
    budget: float = BUDGET,
    stop: threading.Event | None = None,
) -> T:
    """``step()``, retried while it raises ``StorageBusyError`` for at most ``budget`` seconds (or
    until ``stop`` is set); the last error is raised when the budget runs out."""
    deadline = time.monotonic() + budget
    delay = FIRST_DELAY
    attempts = 0
    while True:
        try:
            result = step()
        except StorageBusyError as exc:
            attempts += 1
            if time.monotonic() + delay > deadline or (stop is not None and stop.is_set()):
                raise
            if attempts == 1:
                log.error("%s: %s; retrying with backoff for up to %.0fs", what, exc, budget)
            if stop is not None:
                stop.wait(delay)
            else:
                time.sleep(delay)
            delay = min(MAX_DELAY, delay * 2)
            continue
        if attempts:
            log.warning("%s: done after %d busy attempt%s", what, attempts, "s" if attempts > 1 else "")
        return result
