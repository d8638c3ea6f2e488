"""``monitor run``: the long-running daemon (the scheduler itself is ``monitor.daemon``)."""

from __future__ import annotations

import click

from monitor.cli.app import AppContext, pass_ctx


@click.command()
@pass_ctx
def run(obj: AppContext) -> None:
    """Run the daemon: poll feeds on schedule, write the daily digest, reload a changed config.

    Stops cleanly on SIGINT or SIGTERM, after the feeds being fetched are stored.
    """
    from monitor.daemon import Daemon

    Daemon(obj.config).run_forever()
