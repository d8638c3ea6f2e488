"""``monitor feeds``: every feed's health as a table or as JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from monitor.cli.app import AppContext, console, pass_ctx, utcnow

if TYPE_CHECKING:
    import db


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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@pass_ctx
def feeds(obj: AppContext, as_json: bool) -> None:
    """Show every feed's health: last success, consecutive failures, last error and next poll."""
    from monitor.pipeline.poll_settings import feed_specs

    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(obj.config), utcnow())
        states = db.list_feeds(handle)
    finally:
        handle.close()
    if as_json:
        click.echo(json.dumps({"feeds": [_feed_json(s) for s in states]}, indent=2, ensure_ascii=False))
        return
    now = utcnow()
    table = Table("feed", "lang", "state", "last success", "fails", "next poll", "items", "last error")
    for s in states:
        if not s.in_config:
            state, style = "not in config", "dim"
        elif not s.enabled:
            state, style = "disabled" + (f": {s.disabled_reason}" if s.disabled_reason else ""), "yellow"
        elif s.consecutive_failures:
            state, style = "failing", "red"
        elif s.last_success_at is None:
            state, style = "never polled", ""
        else:
            state, style = "ok", "green"
        table.add_row(
            f"{s.name}\n[dim]{s.url}[/]",
            s.language or "-",
            state,
            _when(s.last_success_at, now),
            str(s.consecutive_failures),
            _when(s.next_poll_at, now) if s.enabled and s.in_config else "-",
            str(s.items),
            s.last_error or "",
            style=style,
        )
    console.print(table)


def _feed_json(s: db.FeedState) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": s.name,
        "url": s.url,
        "config_url": s.config_url,
        "language": s.language,
        "reliability": s.reliability,
        "in_config": s.in_config,
        "enabled": s.enabled,
        "disabled_reason": s.disabled_reason,
        "last_success_at": iso(s.last_success_at),
        "last_attempt_at": iso(s.last_attempt_at),
        "last_status": s.last_status,
        "consecutive_failures": s.consecutive_failures,
        "last_error": s.last_error,
        "next_poll_at": iso(s.next_poll_at),
        "items": s.items,
    }
