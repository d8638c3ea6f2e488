"""``monitor feeds``: every feed's health as a table or as JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from monitor.cli.app import AppContext, console, pass_ctx, utcnow
from monitor.redaction import redact_errors, redact_url

if TYPE_CHECKING:
    import db
    from monitor.feed_health import FeedStatus


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    delta = value - now
    seconds = int(abs(delta.total_seconds()))
    if seconds < 90:
        span = f"{seconds}s"
    elif seconds < 5400:
        span = f"{seconds // 60}m"
    elif seconds < 172800:
        span = f"{seconds // 3600}h"
    else:
        span = f"{seconds // 86400}d"
    return f"in {span}" if delta.total_seconds() > 0 else f"{span} ago"


_STYLE = {
    "healthy": "green",
    "failing": "red",
    "silent": "yellow",
    "disabled": "yellow",
    "never_polled": "",
    "not_in_config": "dim",
    "imported": "dim",
}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@click.option("--all", "show_all", is_flag=True, help="Also list the sources of imported files (not polled).")
@pass_ctx
def feeds(obj: AppContext, as_json: bool, show_all: bool) -> None:
    """Show every feed's health: never polled, healthy, failing (with the error and the next retry),
    silent beyond its usual cadence, or disabled; the same classification the digest uses."""
    from monitor.feed_health import CADENCE_WINDOW, FeedHealth, classify_feed
    from monitor.pipeline.poll_settings import feed_specs

    now = utcnow()
    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(obj.config), now)
        states = db.list_feeds(handle)
        recent = db.new_items_per_feed(handle, now - CADENCE_WINDOW)
    finally:
        handle.close()
    rows = [
        (s, classify_feed(s, now, recent_items=recent.get(s.id, 0), window=CADENCE_WINDOW)) for s in states
    ]
    if not show_all:
        rows = [(s, status) for s, status in rows if status.health is not FeedHealth.IMPORTED]
    if as_json:
        listed = [{**_feed_json(s), "health": st.health.value, "health_detail": st.detail} for s, st in rows]
        click.echo(json.dumps({"feeds": listed}, indent=2, ensure_ascii=False))
        return
    table = Table("feed", "lang", "state", "last success", "fails", "next poll", "items", "last error")
    for s, status in rows:
        polled = s.enabled and s.in_config and status.health is not FeedHealth.NEVER_POLLED
        table.add_row(
            f"{escape(s.name)}\n[dim]{escape(redact_url(s.url))}[/]",
            escape(s.language or "-"),
            escape(_state(status)),
            _when(s.last_success_at, now),
            str(s.consecutive_failures),
            _when(s.next_poll_at, now)
            if polled
            else ("now" if status.health is FeedHealth.NEVER_POLLED else "-"),
            str(s.items),
            escape(redact_errors(s.last_error or "")),
            style=_STYLE.get(status.health.value, ""),
        )
    console.print(table)
    hidden = sum(1 for s in states if s.imported) if not show_all else 0
    if hidden:
        console.print(
            f"[dim]{hidden} imported source{'s' if hidden != 1 else ''} not shown (--all lists them)[/]"
        )


def _state(status: FeedStatus) -> str:
    """The state column: the health in words; the error has a column of its own."""
    from monitor.feed_health import FeedHealth  # db, and SQLAlchemy, only once a command needs them

    if status.health is FeedHealth.FAILING:
        return "failing"
    if status.health in (FeedHealth.SILENT, FeedHealth.DISABLED):
        return f"{status.health.value}: {status.detail}"
    return status.health.value.replace("_", " ")


def _feed_json(s: db.FeedState) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": s.name,
        "url": redact_url(s.url),
        "config_url": redact_url(s.config_url),
        "language": s.language,
        "reliability": s.reliability,
        "in_config": s.in_config,
        "enabled": s.enabled,
        "disabled_reason": s.disabled_reason,
        "last_success_at": iso(s.last_success_at),
        "last_attempt_at": iso(s.last_attempt_at),
        "last_status": s.last_status,
        "consecutive_failures": s.consecutive_failures,
        "last_error": redact_errors(s.last_error) if s.last_error else None,
        "next_poll_at": iso(s.next_poll_at),
        "items": s.items,
    }
