"""``monitor poll``: one poll cycle over the feeds, with each feed's outcome as a table."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from indicators.errors import ConfigError
from monitor.cli.app import AppContext, console, err_console, pass_ctx, utcnow
from monitor.redaction import redact_errors

# Exit statuses of `monitor poll` (README, Commands): 0 every feed answered, 1/2 an error before
# polling (1: storage or definitions, 2: config), 3 some feeds failed, 4 every feed failed.
EXIT_SOME_FAILED = 3
EXIT_ALL_FAILED = 4


@click.command(name="poll")
@click.option(
    "--due-only", is_flag=True, help="Only feeds whose next poll time has come (default: every enabled feed)."
)
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@pass_ctx
def poll_command(obj: AppContext, due_only: bool, names: tuple[str, ...]) -> None:
    """Fetch feeds once, store new and changed items, and print each feed's outcome.

    Exits 0 when every feed answered, 3 when some failed and 4 when all did (1 or 2 for an error
    before any feed was polled), so a cron job or a script can tell."""
    from monitor.pipeline.poll_cycle import poll_and_refresh
    from monitor.pipeline.poll_settings import feed_specs

    config = obj.config
    known = {feed.name for feed in config.feeds}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"no feed named {', '.join(map(repr, unknown))} in the config; `monitor feeds` lists them"
        )
    definitions = obj.definitions()
    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(config), utcnow())
        report = poll_and_refresh(handle, config, definitions, now=utcnow, due_only=due_only, names=names)
    finally:
        handle.close()
    if not report.feeds:
        console.print("no feed to poll" + (" (none is due)" if due_only else ""))
        return
    table = Table("feed", "outcome", "status", "new", "updated", "error", title=f"poll run {report.run_id}")
    for result in sorted(report.feeds, key=lambda r: r.name):
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
    console.print(table)
    feeds = len(report.feeds)
    console.print(
        f"{feeds} feed{'s' if feeds != 1 else ''}, {report.failed} failed, {report.items_new} new "
        f"item{'s' if report.items_new != 1 else ''}" + (" (stopped early)" if report.stopped else "")
    )
    if report.failed and report.failed == feeds:
        unreachable = sum(
            1 for r in report.feeds if "not found" in (r.error or "") or "refused" in (r.error or "")
        )
        hint = (
            " (every host unreachable: is this machine offline?)"
            if unreachable == feeds and feeds > 1
            else ""
        )
        err_console.print(f"[red]every feed failed{hint}[/]")
        sys.exit(EXIT_ALL_FAILED)
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)
