"""``monitor init``: write a commented starter config."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from monitor.cli.app import AppContext, console, pass_ctx
from monitor.config import DEFAULT_CONFIG_NAME


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_ctx
def init(obj: AppContext, path: Path | None, force: bool) -> None:
    """Write a commented starter config (default: the --config path, else ./monitor.yaml)."""
    target = path or Path(obj.config_flag or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG_NAME)
    from monitor.config.model import load_config, write_starter

    write_starter(target, force)
    load_config(target)  # the starter must always be valid; fail loudly here if it is not
    console.print(
        f"wrote {target}: edit the feeds and schedule, then run `{next_command(target, obj.config_flag)}`",
        highlight=False,
        markup=False,
    )


def next_command(target: Path, config_flag: str | None) -> str:
    """The command that starts the daemon with the file just written: plain ``monitor run`` only
    when that finds the file by itself ($MONITOR_CONFIG naming it, or ./monitor.yaml with neither
    a flag nor the variable set), else with ``--config PATH``."""
    env = os.environ.get("MONITOR_CONFIG")
    found_by_default = Path(env) if env else Path(DEFAULT_CONFIG_NAME)
    if config_flag is None and target.absolute() == found_by_default.absolute():
        return "monitor run"
    return f"monitor --config {shlex.quote(str(target))} run"
