"""``monitor poll``: one poll cycle over the feeds, with each feed's outcome as a table."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from indicators import plural
from indicators.errors import UsageError
from monitor.cli.app import AppContext, console, err_console, pass_ctx, utcnow
from monitor.cli.exit_codes import ExitCode, poll_exit_code
from monitor.redaction import redact_errors


@click.command(name="poll")
@click.option(
    "--due-only", is_flag=True, help="Only feeds whose next poll time has come (default: every enabled feed)."
)
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@click.option(
    "--once", is_flag=True, hidden=True, help="Accepted for old scripts: a poll is always one round."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary (per feed and totals) instead.")
@click.option(
    "--all",
    "list_all",
    is_flag=True,
    help="List every feed polled, also those with nothing new (default: not).",
)
@pass_ctx
def poll_command(
    obj: AppContext, due_only: bool, names: tuple[str, ...], once: bool, as_json: bool, list_all: bool
) -> None:
    """Fetch feeds once, store new and changed items, and print each feed's outcome.

    Exits 0 when every feed answered, 1 when some failed and 3 when all did (2 for a usage or
    configuration error before any feed was polled), so a cron job or a script can tell."""
    del once  # one round is all `poll` does; the flag stays valid for scripts written before
    from monitor.pipeline.poll_cycle import poll_and_refresh
    from monitor.pipeline.poll_settings import feed_specs

    config = obj.config
    known = {feed.name for feed in config.feeds}
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(f"no feed named {', '.join(map(repr, unknown))} in the config; configured: {listed}")
    definitions = obj.definitions()
    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(config), utcnow())
        report = poll_and_refresh(handle, config, definitions, now=utcnow, due_only=due_only, names=names)
    finally:
        handle.close()
    code = poll_exit_code(len(report.feeds), report.failed)
    if as_json:
        click.echo(json.dumps(_summary(report, code), indent=2, ensure_ascii=False))
        sys.exit(int(code))
    if not report.feeds:
        console.print("no feed to poll" + (" (none is due)" if due_only else ""))
        return
    # Feeds that failed, changed or warned; the quiet ones are counted: a table of 1,000 unchanged
    # feeds tells nothing and took longer to draw than the 304 re-poll itself. Past
    # TABLE_ROWS_OF_NEWS feeds that only brought items (a first poll, a busy hour), those are counted
    # too, and the table keeps what needs a look: failures and warnings.
    shown = [r for r in report.feeds if list_all or _noteworthy(r)]
    quiet = len(report.feeds) - len(shown)
    news = [r for r in shown if r.outcome.succeeded and not r.error]
    news_not_listed = 0
    if not list_all and len(news) > TABLE_ROWS_OF_NEWS:
        shown = [r for r in shown if not r.outcome.succeeded or r.error]
        news_not_listed = len(news)
    table = Table("feed", "outcome", "status", "new", "updated", "error", title=f"poll run {report.run_id}")
    for result in sorted(shown, key=lambda r: r.name):
        style = "" if result.outcome.succeeded else "red"
        table.add_row(
            escape(result.name),
            result.outcome,
            str(result.status or "-"),
            str(result.items_new),
            str(result.items_updated),
            escape(redact_errors(result.error or "")),
            style=style,
        )
    if shown:
        console.print(table)
    if news_not_listed:
        console.print(
            f"{plural(news_not_listed, 'feed')} with new or changed items not listed "
            f"(`monitor poll --all` lists them)"
        )
    if quiet:
        console.print(
            f"{plural(quiet, 'feed')} with nothing new not listed (`monitor poll --all` lists them)"
        )
    feeds = len(report.feeds)
    console.print(
        f"{feeds} feed{'s' if feeds != 1 else ''}, {report.failed} failed, {report.items_new} new "
        f"item{'s' if report.items_new != 1 else ''}" + (" (stopped early)" if report.stopped else "")
    )
    if code is ExitCode.NOTHING_WORKED:
        from monitor.feeds.reachability import OFFLINE_HINT, every_feed_unreachable

        hint = f" ({OFFLINE_HINT})" if every_feed_unreachable(report.feeds) else ""
        err_console.print(f"[red]every feed failed{hint}[/]")
    sys.exit(int(code))


TABLE_ROWS_OF_NEWS = 50


def _noteworthy(result: Any) -> bool:
    return bool(not result.outcome.succeeded or result.items_new or result.items_updated or result.error)


def _summary(report: Any, code: ExitCode) -> dict[str, Any]:
    return {
        "run_id": report.run_id,
        "feeds": [
            {
                "name": r.name,
                "outcome": str(r.outcome),
                "status": r.status,
                "new": r.items_new,
                "updated": r.items_updated,
                "error": redact_errors(r.error) if r.error else None,
            }
            for r in sorted(report.feeds, key=lambda r: r.name)
        ],
        "feeds_total": len(report.feeds),
        "feeds_failed": report.failed,
        "items_new": report.items_new,
        "items_updated": sum(r.items_updated for r in report.feeds),
        "stopped_early": report.stopped,
        "exit_code": int(code),
    }
