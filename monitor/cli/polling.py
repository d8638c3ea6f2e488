"""``monitor poll``: one poll cycle over the feeds, with each feed's outcome as a table."""

from __future__ import annotations

import click
from rich.table import Table

from indicators.errors import ConfigError
from monitor.cli.app import AppContext, console, pass_ctx, utcnow


@click.command(name="poll")
@click.option(
    "--due-only", is_flag=True, help="Only feeds whose next poll time has come (default: every enabled feed)."
)
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@pass_ctx
def poll_command(obj: AppContext, due_only: bool, names: tuple[str, ...]) -> None:
    """Fetch feeds once, store new and changed items, and print each feed's outcome."""
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
            result.name,
            result.outcome,
            str(result.status or "-"),
            str(result.items_new),
            str(result.items_updated),
            result.error or "",
            style=style,
        )
    console.print(table)
    console.print(
        f"{len(report.feeds)} feeds, {report.failed} failed, {report.items_new} new items"
        + (" (stopped early)" if report.stopped else "")
    )
