"""``monitor rescore`` and ``monitor import``: rewrite the stored history after a config change, or
backfill it from a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from indicators import plural
from monitor.cli.app import AppContext, console, err_console, parse_day, pass_ctx, utcnow
from monitor.cli.exit_codes import import_exit_code

# The --undated choices, without importing the pipeline for `--help` (the test for help checks them).
UNDATED = ("skip", "today", "fail")

if TYPE_CHECKING:
    from monitor.pipeline.rescore import RescoreReport
    from scenarios import DailyTrend


@click.command(name="rescore")
@click.option(
    "--since", metavar="YYYY-MM-DD", help="Rewrite the trend from this day on (default: all of it)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--verbose", is_flag=True, help="Also print the table of every changed day.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary and every changed day as JSON.")
@pass_ctx
def rescore_command(obj: AppContext, since: str | None, dry_run: bool, verbose: bool, as_json: bool) -> None:
    """Recompute contributions and the trend from stored matches after a config change.

    Items matched with other patterns than the current ones are matched again from their stored text
    (no re-fetch). Prints, per scenario, how many days change, the level changes with their dates
    and the largest index changes; with --dry-run nothing is written.
    """
    from monitor.cli.progress import progress_bar
    from monitor.pipeline.rescore import rescore
    from monitor.pipeline.trend_refresh import local_day

    since_day = parse_day(since, today=local_day(utcnow(), obj.config.schedule.tzinfo))
    definitions = obj.definitions()
    handle = obj.database()
    try:
        with progress_bar("re-matching stored items") as advance:
            report = rescore(
                handle,
                obj.config,
                definitions,
                now=utcnow(),
                since=since_day,
                dry_run=dry_run,
                progress=advance,
            )
    finally:
        handle.close()
    scenario_ids = tuple(definitions.scenarios.scenarios)
    if as_json:
        click.echo(json.dumps(rescore_json(report, scenario_ids), indent=2, ensure_ascii=False))
    else:
        _print_rescore(report, scenario_ids, verbose=verbose)


def _print_rescore(report: RescoreReport, scenario_ids: tuple[str, ...], *, verbose: bool) -> None:
    from monitor.pipeline.rescore import index_delta, shown, summarise

    verb = "would change" if report.dry_run else "changed"
    if report.rematched:
        console.print(
            f"{plural(report.rematched, 'item')} {'would be' if report.dry_run else 'were'} matched again "
            "(patterns changed)",
            highlight=False,
        )
    summaries = summarise(report.changes, scenario_ids)
    if not any(summary.days for summary in summaries):
        console.print(
            f"nothing {verb}: the stored trend already matches config {report.new_hash[:12]}", highlight=False
        )
    changed_any = any(summary.days for summary in summaries)
    for summary in summaries:
        if not summary.days:
            if changed_any:
                console.print(f"[bold]{escape(summary.scenario_id)}[/]: no day {verb}", highlight=False)
            continue
        days = summary.days
        span = f"{days[0].day.isoformat()} to {days[-1].day.isoformat()}"
        console.print(
            f"[bold]{escape(summary.scenario_id)}[/]: {plural(len(days), 'day')} {verb} ({span})",
            highlight=False,
        )
        if summary.level_changes:
            console.print("  level changes:", highlight=False)
            for level in summary.level_changes:
                console.print(
                    f"    {level.day.isoformat()}  {level.old or '-'} → {level.new or '-'}", highlight=False
                )
        else:
            console.print("  no level changes", highlight=False)
        if summary.largest:
            console.print("  largest index changes:", highlight=False)
            for change in summary.largest:
                delta = index_delta(change)
                console.print(
                    f"    {change.day.isoformat()}  {_pair(change.old, change.new, 'index', '.3f')}"
                    f"  ({'+' if delta > 0 else ''}{shown(delta)})",
                    highlight=False,
                )
        if verbose:
            table = Table(
                "day",
                "index",
                "level",
                "raw",
                title=f"{summary.scenario_id}, day by day",
                title_justify="left",
            )
            for c in days:
                table.add_row(
                    c.day.isoformat(),
                    _pair(c.old, c.new, "index", ".3f"),
                    _pair(c.old, c.new, "level", ""),
                    _pair(c.old, c.new, "raw", ".3f"),
                )
            console.print(table)
    if report.dry_run:
        if changed_any:
            hint = "" if verbose else " (--verbose lists every changed day)"
            console.print(f"nothing written: run `monitor rescore` to apply{hint}", highlight=False)
    else:
        console.print(
            f"{plural(report.days_written, 'daily row')} written with config {report.new_hash[:12]}",
            highlight=False,
        )


def _pair(old: DailyTrend | None, new: DailyTrend | None, attr: str, fmt: str) -> str:
    from monitor.pipeline.rescore import shown

    def show(row: DailyTrend | None) -> str:
        if row is None:
            return "-"
        value = getattr(row, attr)
        return shown(value) if fmt else str(value)

    before, after = show(old), show(new)
    return after if before == after else f"{before} → {after}"


def rescore_json(report: RescoreReport, scenario_ids: tuple[str, ...]) -> dict[str, Any]:
    """The rescore's outcome for other tools: the summary per scenario and every changed day, with
    the values at full precision (days unchanged at the shown precision are left out, as in the text)."""
    from monitor.pipeline.rescore import index_delta, summarise

    def row(trend: DailyTrend | None) -> dict[str, Any] | None:
        if trend is None:
            return None
        return {
            "index": trend.index,
            "level": trend.level,
            "raw": trend.raw,
            "spike": trend.spike,
            "items": trend.items,
            "stories": trend.stories,
        }

    return {
        "dry_run": report.dry_run,
        "rematched": report.rematched,
        "config_hash": report.new_hash,
        "days_written": report.days_written,
        "scenarios": {
            summary.scenario_id: {
                "days_changed": len(summary.days),
                "level_changes": [
                    {"day": c.day.isoformat(), "from": c.old, "to": c.new} for c in summary.level_changes
                ],
                "largest_index_changes": [
                    {"day": c.day.isoformat(), "change": index_delta(c)} for c in summary.largest
                ],
                "days": [
                    {"day": c.day.isoformat(), "old": row(c.old), "new": row(c.new)} for c in summary.days
                ],
            }
            for summary in summarise(report.changes, scenario_ids)
        },
    }


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
    from monitor.cli.progress import progress_bar
    from monitor.pipeline.importer import Undated, import_file

    definitions = obj.definitions()
    handle = obj.database()
    try:
        with progress_bar(f"importing {file.name}") as advance:
            report = import_file(
                handle,
                obj.config,
                definitions,
                file,
                now=utcnow(),
                progress=advance,
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
    skipped = f", {report.skipped_undated:,} skipped (no date)" if report.skipped_undated else ""
    console.print(
        f"{plural(report.read, 'item')} read from {plural(len(report.sources), 'source')}: "
        f"{report.new:,} new, {report.updated:,} updated, {report.already_stored:,} already stored{skipped}",
        markup=False,
        highlight=False,
    )
    if report.labels or report.labels_kept:
        kept = f"; {report.labels_kept:,} left as the analyst labelled them" if report.labels_kept else ""
        console.print(
            f"{plural(report.labels, 'label')} stored (see `monitor labels`){kept}", highlight=False
        )
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    sys.exit(int(code))
