"""``monitor digest``: write the daily digest files and optionally mail them."""

from __future__ import annotations

import dataclasses
import enum
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, parse_day, pass_ctx, utcnow
from monitor.redaction import redact_url

if TYPE_CHECKING:
    from monitor.digest.publish import DigestFiles


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
@click.option(
    "--json", "as_json", is_flag=True, help="Print the files written and the digest's content as JSON."
)
@pass_ctx
def digest_command(obj: AppContext, day: str | None, out_dir: Path | None, send: bool, as_json: bool) -> None:
    """Write the daily digest for a date as DIR/DATE.html and DIR/DATE.md, and optionally mail it."""
    from monitor.digest.publish import send_pending, write_digest
    from monitor.pipeline.trend_refresh import local_day

    config = obj.config
    today = local_day(utcnow(), config.schedule.tzinfo)
    when = parse_day(day, today=today) or today
    definitions = obj.definitions()
    handle = obj.database()
    try:
        files = write_digest(handle, config, definitions, when, now=utcnow(), out_dir=out_dir)
        if not as_json:
            console.print(
                f"wrote {files.html} and {files.text}"
                + ("" if files.digest.has_data else " (no data for this date)"),
                highlight=False,
            )
        mailed_to: list[str] = []
        if send:
            failed = send_pending(handle, config, files, env=os.environ, out_dir=out_dir)
            if failed:
                raise MonitorError(
                    f"the digest files were written, but mailing failed for {', '.join(failed)}; the next --send retries"
                )
            mailed_to = list(config.digest.smtp.to) if config.digest.smtp else []
            if not as_json:
                console.print(f"mailed to {', '.join(mailed_to) or '-'}", highlight=False)
    finally:
        handle.close()
    if as_json:
        click.echo(json.dumps(digest_json(files, mailed_to if send else None), indent=2, ensure_ascii=False))


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def digest_json(files: DigestFiles, mailed_to: list[str] | None) -> dict[str, Any]:
    """The files written and everything the digest shows, as the templates get it (``Digest``), for
    other tools; a failing feed's URL is shown with its credentials masked, as everywhere."""
    digest = dataclasses.asdict(files.digest)
    for problem in digest["feed_problems"]:
        problem["url"] = redact_url(problem["url"])
    payload: dict[str, Any] = {"day": files.day, "html": files.html, "text": files.text}
    if mailed_to is not None:
        payload["mailed_to"] = mailed_to
    payload.update(digest)
    result: dict[str, Any] = _plain(payload)
    return result
