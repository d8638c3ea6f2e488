"""The root ``monitor`` group: global options, the per-invocation context, the consoles and the error
handling every command shares (a ``MonitorError`` becomes one paragraph and a non-zero exit)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from indicators.errors import ConfigError, MonitorError
from monitor import logs
from monitor.config import DEFAULT_CONFIG_NAME

if TYPE_CHECKING:
    import db
    from monitor.analysis import Definitions
    from monitor.config.model import Config

console = Console()
err_console = Console(stderr=True)
# Piped output is read by grep, editors and wide windows: a line broken at column 80 breaks a
# sentence (and a search for it). Tables still take only the width their cells need.
PIPED_WIDTH = 1000


def fit_consoles() -> None:
    """Size both consoles for where their output goes now: a terminal's own width, or, when piped,
    lines that are never wrapped ($COLUMNS, which a shell may export with its window's width, is not
    a reason to break lines for a file or another program)."""
    for each in (console, err_console):
        each.width = None  # type: ignore[assignment]  # back to measuring the terminal
        piped = not each.is_terminal
        each.soft_wrap = piped
        if piped:
            each.width = PIPED_WIDTH


def utcnow() -> datetime:
    return datetime.now(UTC)


class ErrorHandlingGroup(click.Group):
    """Turns MonitorError into a one-paragraph message and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            fail(exc)


def fail(exc: MonitorError) -> NoReturn:
    # escaped: a message may quote a config or feed line, whose brackets are not markup
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(2 if isinstance(exc, ConfigError) else 1)


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
            logs.use_timezone(self._config.schedule.tzinfo)
        return self._config

    def database(self) -> db.Database:
        import db

        return db.open_database(self.config.database_url)

    def definitions(self) -> Definitions:
        from monitor.analysis import Definitions

        return Definitions.from_config(self.config)


pass_ctx = click.make_pass_decorator(AppContext)


def parse_day(value: str | None, *, today: date | None = None) -> date | None:
    """A YYYY-MM-DD option; with ``today`` (the local day in the configured time zone), a day more
    than one day after it is refused: there is nothing stored for it, so the command could only
    write an empty digest or trend under a wrong date (one day ahead is allowed: time zones)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; expected YYYY-MM-DD") from None
    if today is not None and day > today + timedelta(days=1):
        raise click.BadParameter(
            f"{day.isoformat()} is in the future (today is {today.isoformat()} in the configured time "
            "zone); give a day up to tomorrow"
        )
    return day


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
    fit_consoles()
    ctx.obj = AppContext(config_flag)
