"""Logging set-up for the CLI: one handler on the ``monitor`` tree, key=value lines."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, tzinfo

from monitor.redaction import redact_errors

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RedactingFormatter(logging.Formatter):
    """Every line with the secrets of the URLs in it masked (``monitor.redaction``), whichever
    library wrote it: a feed URL may carry a password or a token.

    Times are written in ``zone`` with its offset (``2026-12-02T07:00:03+02:00``): the days, the
    digest time and the schedule are all in the configured time zone, so the log speaks it too,
    whatever the machine's own zone is. UTC until the config is loaded (``use_timezone``)."""

    zone: tzinfo = UTC

    def format(self, record: logging.LogRecord) -> str:
        return redact_errors(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="seconds")


_formatter = RedactingFormatter(FORMAT)


def use_timezone(zone: tzinfo) -> None:
    """Write log times in ``zone`` from now on (the configured ``schedule.timezone``)."""
    _formatter.zone = zone


def configure(verbosity: int) -> None:
    """0 = INFO (one line per feed per poll), 1+ = DEBUG, -1 = WARNING, -2 = ERROR only."""
    level = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    if verbosity < -2:
        level = logging.CRITICAL
    _formatter.zone = UTC
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter)
    for name in ("monitor", "db", "indicators", "scenarios"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    # Third-party chatter only when asked for.
    for name in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    if verbosity >= 2:
        logging.getLogger("apscheduler").addHandler(handler)
