"""``monitor digest``: write the daily digest files and optionally mail them."""

from __future__ import annotations

import os
from pathlib import Path

import click

from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, parse_day, pass_ctx, utcnow


@click.command(name="digest")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day to write (default: today, local time).")
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: digest.output_dir from the config).",
)
@click.option(
    "--send",
    is_flag=True,
    help="Also mail it (and any digest a failed send left behind) by SMTP as configured.",
)
@pass_ctx
def digest_command(obj: AppContext, day: str | None, out_dir: Path | None, send: bool) -> None:
    """Write the daily digest for a date as DIR/DATE.html and DIR/DATE.md, and optionally mail it."""
    from monitor.digest.publish import send_pending, write_digest
    from monitor.pipeline.trend_refresh import local_day

    config = obj.config
    when = parse_day(day) or local_day(utcnow(), config.schedule.tzinfo)
    definitions = obj.definitions()
    handle = obj.database()
    try:
        files = write_digest(handle, config, definitions, when, now=utcnow(), out_dir=out_dir)
        console.print(
            f"wrote {files.html} and {files.text}"
            + ("" if files.digest.has_data else " (no data for this date)")
        )
        if send:
            failed = send_pending(handle, config, files, env=os.environ, out_dir=out_dir)
            if failed:
                raise MonitorError(
                    f"the digest files were written, but mailing failed for {', '.join(failed)}; the next --send retries"
                )
            console.print(f"mailed to {', '.join(config.digest.smtp.to) if config.digest.smtp else '-'}")
    finally:
        handle.close()
