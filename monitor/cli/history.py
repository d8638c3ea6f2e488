"""``monitor rescore`` and ``monitor import``: rewrite the stored history after a config change, or
backfill it from a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from monitor.cli.app import AppContext, console, err_console, parse_day, pass_ctx, utcnow
from monitor.cli.exit_codes import import_exit_code

# The --undated choices, without importing the pipeline for `--help` (the test for help checks them).
UNDATED = ("skip", "today", "fail")


@click.command(name="rescore")
@click.option(
    "--since", metavar="YYYY-MM-DD", help="Rewrite the trend from this day on (default: all of it)."
)
@click.option("--dry-run", is_flag=True, help="Show, day by day, what would change; write nothing.")
@pass_ctx
def rescore_command(obj: AppContext, since: str | None, dry_run: bool) -> None:
    """Recompute contributions and the trend from stored matches after a config change.

    Items matched with other patterns than the current ones are matched again from their stored text
    (no re-fetch). With --dry-run, the difference in index and level is printed and nothing is written.
    """
    from rich.progress import Progress

    from monitor.pipeline.rescore import rescore

    since_day = parse_day(since)
    definitions = obj.definitions()
    handle = obj.database()
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("re-matching stored items", total=None)
            report = rescore(
                handle,
                obj.config,
                definitions,
                now=utcnow(),
                since=since_day,
                dry_run=dry_run,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        handle.close()
    _print_rescore(report)


def _print_rescore(report: Any) -> None:
    verb = "would change" if report.dry_run else "changed"
    if report.rematched:
        console.print(
            f"{report.rematched} items {'would be' if report.dry_run else 'were'} matched again (patterns changed)"
        )
    if not report.changes:
        console.print(f"nothing {verb}: the stored trend already matches config {report.new_hash[:12]}")
    by_scenario: dict[str, list[Any]] = {}
    for change in report.changes:
        by_scenario.setdefault(change.scenario_id, []).append(change)
    for scenario_id, changes in by_scenario.items():
        table = Table(
            "day",
            "index",
            "level",
            "raw",
            title=f"{scenario_id}: {len(changes)} days {verb}",
            title_justify="left",
        )
        for c in changes:
            table.add_row(
                c.day.isoformat(),
                _pair(c.old, c.new, "index", ".3f"),
                _pair(c.old, c.new, "level", ""),
                _pair(c.old, c.new, "raw", ".3f"),
            )
        console.print(table)
    if not report.dry_run:
        console.print(f"{report.days_written} daily rows written with config {report.new_hash[:12]}")


def _pair(old: Any, new: Any, attr: str, fmt: str) -> str:
    before = format(getattr(old, attr), fmt) if old is not None else "-"
    after = format(getattr(new, attr), fmt) if new is not None else "-"
    return after if before == after else f"{before} → {after}"


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--feed",
    metavar="NAME",
    help="The configured feed the file's items belong to (default: JSON lines name their source, "
    "an RSS/Atom file is a source named after its channel title).",
)
@click.option(
    "--undated",
    type=click.Choice(UNDATED),
    default="skip",
    show_default=True,
    help="Items without a publication date: leave them out (counted), count them on the day of the "
    "import, or refuse the file naming the first one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead.")
@pass_ctx
def import_command(obj: AppContext, file: Path, feed: str | None, undated: str, as_json: bool) -> None:
    """Backfill history from a JSON Lines file (id, title, summary, url, source, lang, published or
    date: YYYY, YYYY-MM, YYYY-MM-DD or a full time) or an RSS/Atom file, keeping the original dates;
    every line is checked before anything is stored, and re-importing the same file adds nothing.

    Exits 1 when undated items were skipped, 2 when the file (or --feed) is refused."""
    from rich.progress import Progress

    from monitor.pipeline.importer import Undated, import_file

    definitions = obj.definitions()
    handle = obj.database()
    try:
        with Progress(console=err_console, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"importing {escape(file.name)}", total=None)
            report = import_file(
                handle,
                obj.config,
                definitions,
                file,
                now=utcnow(),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                feed=feed,
                undated_policy=Undated(undated),
            )
    finally:
        handle.close()
    code = import_exit_code(report.skipped_undated)
    if as_json:
        summary = {
            "file": str(file),
            "read": report.read,
            "new": report.new,
            "updated": report.updated,
            "already_stored": report.already_stored,
            "skipped_undated": report.skipped_undated,
            "undated_counted_today": report.undated,
            "labels": report.labels,
            "labels_kept": report.labels_kept,
            "sources": list(report.sources),
            "warnings": list(report.warnings),
            "exit_code": int(code),
        }
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        sys.exit(int(code))
    skipped = f", {report.skipped_undated} skipped (no date)" if report.skipped_undated else ""
    console.print(
        f"{report.read} items read from {len(report.sources)} sources: {report.new} new, "
        f"{report.updated} updated, {report.already_stored} already stored{skipped}",
        markup=False,
    )
    if report.labels or report.labels_kept:
        kept = f"; {report.labels_kept} left as the analyst labelled them" if report.labels_kept else ""
        console.print(f"{report.labels} labels stored (see `monitor labels`){kept}", highlight=False)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    sys.exit(int(code))
