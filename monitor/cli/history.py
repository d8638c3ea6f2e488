"""``monitor rescore`` and ``monitor import``: rewrite the stored history after a config change, or
backfill it from a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from indicators import plural
from monitor.cli.app import AppContext, console, err_console, parse_day, pass_ctx, utcnow

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
@pass_ctx
def import_command(obj: AppContext, file: Path) -> None:
    """Backfill history from a JSON Lines file (id, title, summary, url, source, lang, published) or an
    RSS/Atom file, keeping the original dates; re-importing the same file adds nothing."""
    from rich.progress import Progress

    from monitor.pipeline.importer import import_file

    definitions = obj.definitions()
    handle = obj.database()
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)
            report = import_file(
                handle,
                obj.config,
                definitions,
                file,
                now=utcnow(),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        handle.close()
    console.print(
        f"{report.read} items read from {len(report.sources)} sources: {report.new} new, "
        f"{report.updated} updated, {report.already_stored} already stored"
    )
    if report.labels or report.labels_kept:
        kept = f"; {report.labels_kept} left as the analyst labelled them" if report.labels_kept else ""
        console.print(f"{report.labels} labels stored (see `monitor labels`){kept}", highlight=False)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
