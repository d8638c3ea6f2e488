"""``monitor items`` and ``monitor export``: find stored items, and stream the trend, items or
matches out as CSV or JSON Lines (rows and writers in ``monitor.export_rows``)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click
from rich.markup import escape
from rich.table import Table

from indicators.errors import MonitorError, UsageError
from monitor.cli.app import AppContext, console, err_console, parse_day, pass_ctx

if TYPE_CHECKING:
    from monitor.item_finder import FoundItem, ItemFilter

HEADLINE_CHARS = 100  # of the summary, for an item without a title
TEXT_LIMIT = 50  # a terminal shows a page; --limit asks for more, --json and --csv give everything


def _day_options(command: Any) -> Any:
    for option in (
        click.option("--until", metavar="YYYY-MM-DD", help="Up to this local day (included)."),
        click.option("--since", metavar="YYYY-MM-DD", help="From this local day on (included)."),
        click.option("--scenario", metavar="S", help="Only items (rows) that this scenario weighs."),
    ):
        command = option(command)
    return command


def _format_option(command: Any) -> Any:
    command = click.option("--json", "fmt", flag_value="json", help="JSON Lines: one object per row.")(
        command
    )
    return click.option("--csv", "fmt", flag_value="csv", help="CSV with a header row.")(command)


@click.command(name="items")
@_day_options
@click.option(
    "--feed", metavar="NAME", help="Only this feed's items (a configured feed or an imported source)."
)
@click.option("--search", metavar="TEXT", help="Only items whose title or summary contains TEXT (any case).")
@click.option(
    "--relevant", is_flag=True, help="Only items relevant to the scenario (to any, without --scenario)."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"At most N items (default: {TEXT_LIMIT} as text, all with --json or --csv).",
)
@_format_option
@pass_ctx
def items_command(
    obj: AppContext,
    scenario: str | None,
    since: str | None,
    until: str | None,
    feed: str | None,
    search: str | None,
    relevant: bool,
    limit: int | None,
    fmt: str | None,
) -> None:
    """List stored items, newest first: number (#id), day, feed, title, contribution per scenario
    and the indicators that fired. `monitor explain #ID` (or ID) shows why."""
    from monitor.export_rows import flat_item_row, item_fields, item_row, write_csv, write_jsonl
    from monitor.item_finder import ItemFilter

    definitions = obj.definitions()
    shown = limit if limit is not None or fmt else TEXT_LIMIT
    wanted = ItemFilter(
        scenario=scenario,
        since=parse_day(since),
        until=parse_day(until),
        feed=feed,
        search=search,
        relevant=relevant,
        # one more than shown, to tell whether there are more
        limit=None if shown is None else shown + (0 if fmt else 1),
    )
    with _found(obj, wanted) as found:
        if fmt == "json":
            with _stdout() as stream:
                write_jsonl(stream, (item_row(f) for f in found))
            return
        if fmt == "csv":
            fields = item_fields(list(definitions.scenarios.scenarios))
            with _stdout() as stream:
                write_csv(stream, fields, (flat_item_row(item_row(f)) for f in found))
            return
        page = list(found)
    assert shown is not None
    _print_items(page[:shown], scenario)
    if len(page) > shown:
        err_console.print(f"showing the first {shown}; --limit N for more, --json or --csv for all")


def _print_items(page: list[FoundItem], scenario: str | None) -> None:
    from monitor.item_refs import item_ref

    if not page:
        console.print("no stored item matches")
        return
    table = Table("item", "day", "feed", "title", "contribution", "indicators", title_justify="left")
    for found in page:
        contributions = [
            f"{sid} {c.value:+.2f}" + ("" if c.relevant else " (below threshold)")
            for sid, c in found.contributions.items()
            if c.parts and (scenario is None or sid == scenario)
        ]
        table.add_row(
            item_ref(found.item.id),
            found.item.day.isoformat(),
            escape(found.item.feed_name),
            _headline(found.item.title, found.item.summary),
            "\n".join(contributions) or "-",
            escape(" ".join(found.indicator_ids)) or "-",
        )
    console.print(table)


def _headline(title: str, summary: str) -> str:
    if title:
        return escape(title)
    start = summary[:HEADLINE_CHARS] + ("…" if len(summary) > HEADLINE_CHARS else "")
    return f"[dim]{escape(start)}[/]" if start else "-"


@contextlib.contextmanager
def _found(obj: AppContext, wanted: ItemFilter, *, evidence: bool = False) -> Iterator[Iterator[FoundItem]]:
    from monitor.item_finder import check_filter, find_items

    definitions = obj.definitions()
    handle = obj.database()
    try:
        check_filter(handle, definitions, wanted)
        yield find_items(handle, definitions, wanted, evidence=evidence)
    finally:
        handle.close()


@click.command(name="export")
@click.argument("what", type=click.Choice(["trend", "items", "matches"]))
@_day_options
@_format_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE (replaced only once complete) instead of standard output.",
)
@pass_ctx
def export_command(
    obj: AppContext,
    what: str,
    scenario: str | None,
    since: str | None,
    until: str | None,
    fmt: str | None,
    out: Path | None,
) -> None:
    """Stream the daily trend, the stored items (with contributions) or their matches (with the
    matched terms) as CSV or JSON Lines, oldest first, a row at a time.

    CSV cells that start with = + - @ get a leading ' so a spreadsheet does not run them."""
    if fmt is None:
        raise click.UsageError("choose a format: --csv or --json")
    since_day, until_day = parse_day(since), parse_day(until)
    with _destination(out) as stream:
        count = _export(obj, what, fmt, stream, scenario, since_day, until_day)
    if out is not None:
        err_console.print(f"wrote {count} {what} rows to {escape(str(out))}", highlight=False)


def _export(
    obj: AppContext, what: str, fmt: str, stream: TextIO, scenario: str | None, since: Any, until: Any
) -> int:
    from monitor.export_rows import (
        MATCH_FIELDS,
        TREND_FIELDS,
        flat_item_row,
        item_fields,
        item_row,
        match_rows,
        trend_row,
        write_csv,
        write_jsonl,
    )
    from monitor.item_finder import ItemFilter

    definitions = obj.definitions()
    known = definitions.scenarios.scenarios
    if what == "trend":
        if scenario is not None and scenario not in known:
            raise UsageError(f"no scenario {scenario!r}; known: {', '.join(known)}")
        import db

        handle = obj.database()
        try:
            rows = (
                trend_row(r) for r in db.iter_trend(handle, scenario_id=scenario, since=since, until=until)
            )
            return write_csv(stream, TREND_FIELDS, rows) if fmt == "csv" else write_jsonl(stream, rows)
        finally:
            handle.close()
    wanted = ItemFilter(scenario=scenario, since=since, until=until, newest_first=False)
    with _found(obj, wanted, evidence=what == "matches") as found:
        if what == "items":
            rows = (item_row(f) for f in found)
            if fmt == "csv":
                return write_csv(stream, item_fields(list(known)), (flat_item_row(r) for r in rows))
            return write_jsonl(stream, rows)
        weighed = frozenset(known[scenario].weights) if scenario is not None else None
        rows = (row for f in found for row in match_rows(f, weighed))
        return write_csv(stream, MATCH_FIELDS, rows) if fmt == "csv" else write_jsonl(stream, rows)


@contextlib.contextmanager
def _destination(out: Path | None) -> Iterator[TextIO]:
    """Standard output, or a temporary file beside ``out`` renamed over it once the export is
    complete: a failed export never leaves half a file where the last good one was."""
    if out is None:
        with _stdout() as stream:
            yield stream
        return
    folder = out.absolute().parent
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise MonitorError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        Path(name).replace(out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _stdout() -> Iterator[TextIO]:
    """Standard output for a stream of rows. A reader that stops early (`| head`, a pager) closes
    the pipe: that ends the export, successfully, without a traceback."""
    try:
        yield sys.stdout
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
