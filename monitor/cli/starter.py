"""``monitor init``: write a commented starter config."""

from __future__ import annotations

import os
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
    console.print(f"wrote {target}: edit the feeds and schedule, then run `monitor run`")
