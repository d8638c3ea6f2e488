"""The root ``monitor`` group: global options, the per-invocation context, the consoles and the error
handling every command shares (a ``MonitorError`` becomes one paragraph and a non-zero exit)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from indicators.errors import ConfigError, MonitorError, StorageBusyError
from monitor import logs
from monitor.config import DEFAULT_CONFIG_NAME

if TYPE_CHECKING:
    import db
    from monitor.analysis import Definitions
    from monitor.config.model import Config

console = Console()
err_console = Console(stderr=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ErrorHandlingGroup(click.Group):
    """Turns MonitorError into a one-paragraph message and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            fail(exc)


# A database busy (locked by another program, disk full): nothing is wrong with the command and it
# can simply be run again later; sysexits' EX_TEMPFAIL, so a cron job or a script can tell.
EXIT_DATABASE_BUSY = 75


def fail(exc: MonitorError) -> NoReturn:
    # The message may quote outside text (a feed's URL, a database's error): never read as markup.
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(
        2 if isinstance(exc, ConfigError) else EXIT_DATABASE_BUSY if isinstance(exc, StorageBusyError) else 1
    )


class AppContext:
    """What one invocation shares between the root group and its command: the config, loaded once."""

    def __init__(self, config_flag: str | None) -> None:
        self.config_flag = config_flag
        self._config: Config | None = None

    def config_path(self) -> Path | None:
        from monitor.config.model import resolve_config_path

        return resolve_config_path(self.config_flag, os.environ, Path.cwd())

    @property
    def config(self) -> Config:
        if self._config is None:
            from monitor.config.model import load_config

            self._config = load_config(self.config_path())
        return self._config

    def database(self) -> db.Database:
        import db

        return db.open_database(self.config.database_url)

    def definitions(self) -> Definitions:
        from monitor.analysis import Definitions

        return Definitions.from_config(self.config)


pass_ctx = click.make_pass_decorator(AppContext)


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; expected YYYY-MM-DD") from None


@click.group(cls=ErrorHandlingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_flag",
    metavar="PATH",
    help=f"Config file. Default: $MONITOR_CONFIG, else ./{DEFAULT_CONFIG_NAME}, else built-in defaults.",
)
@click.option("-v", "--verbose", count=True, help="More log detail (-vv includes HTTP and scheduler).")
@click.option("-q", "--quiet", count=True, help="Less log detail (-q warnings, -qq errors only).")
@click.version_option(package_name="scenario-monitor")
@click.pass_context
def main(ctx: click.Context, config_flag: str | None, verbose: int, quiet: int) -> None:
    """Watch news feeds for signs that a crisis scenario is tipping.

    Polls RSS/Atom feeds, scores every item against scenarios made of weighted indicators, keeps the
    evidence and the daily trend in a database, and writes a daily digest.
    """
    logs.configure(verbose - quiet)
    ctx.obj = AppContext(config_flag)
