"""``monitor label`` and ``monitor labels``: the analyst's corrections, stored per item, listed,
removed and exported as a labelled set for ``monitor eval``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from indicators import plural
from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, err_console, pass_ctx, utcnow

POLARITIES = ("escalation", "deescalation", "neutral")
TITLE_CHARS = 70


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.command(name="label")
@click.argument("item", metavar="ITEM")
@click.argument("scenario", required=False)
@click.option(
    "--polarity",
    type=click.Choice(POLARITIES),
    help="The label's polarity (default: neutral; an item labelled none is always neutral).",
)
@click.option("--note", metavar="TEXT", help="Why: kept with the label, exported as its rationale.")
@click.option("--clear", is_flag=True, help="Remove the item's label instead of setting one.")
@pass_ctx
def label_command(
    obj: AppContext, item: str, scenario: str | None, polarity: str | None, note: str | None, clear: bool
) -> None:
    """Label a stored item: the SCENARIO it is mainly about, or `none` when it is about no scenario.

    ITEM is the item's number as `monitor trend`, the digest and `monitor explain` show it (#123 or
    123) or its own id (guid). A new label replaces the item's old one. The labels are a regression
    set: `monitor eval --labels` measures the indicators on them, `monitor labels export` writes them.
    """
    import db
    from monitor.item_refs import item_ref, resolve_item
    from monitor.label_sets import check_label

    if clear and (scenario is not None or polarity is not None or note is not None):
        raise click.UsageError("--clear takes only the ITEM")
    if not clear and scenario is None:
        raise click.UsageError("give the SCENARIO the item is about (or none), or --clear")
    stored_polarity = ""
    if scenario is not None:
        stored_polarity = check_label(scenario, polarity, obj.definitions().scenarios.scenarios)
    handle = obj.database()
    try:
        item_id = resolve_item(handle, item)
        if clear:
            removed = db.remove_label(handle, item_id)
            console.print(
                f"{item_ref(item_id)}: label removed" if removed else f"{item_ref(item_id)} had no label"
            )
            return
        assert scenario is not None
        db.put_labels(
            handle,
            [
                db.LabelWrite(
                    item_id, scenario, stored_polarity, note or None, utcnow(), db.LabelSource.ANALYST
                )
            ],
        )
        stored = db.get_item(handle, item_id)
    finally:
        handle.close()
    title = escape(_short(stored.title or stored.summary)) if stored else ""
    console.print(f"{item_ref(item_id)} labelled {scenario} ({stored_polarity}): {title}", highlight=False)


@click.group(name="labels", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the labels as JSON for other tools.")
@click.pass_context
def labels(ctx: click.Context, as_json: bool) -> None:
    """List the stored labels (the analyst's and imported ones); `export` and `remove` them."""
    if ctx.invoked_subcommand is not None:
        return
    import db

    obj = ctx.find_object(AppContext)
    assert obj is not None
    handle = obj.database()
    try:
        stored = db.list_labels(handle)
    finally:
        handle.close()
    if as_json:
        payload = [
            {
                "item_id": label.item_id,
                "guid": label.guid,
                "feed": label.feed_name,
                "title": label.title,
                "scenario": label.scenario,
                "polarity": label.polarity,
                "note": label.note,
                "labelled_at": label.labelled_at.isoformat(),
                "source": label.source.value,
            }
            for label in stored
        ]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not stored:
        console.print("no labels yet: `monitor label ITEM SCENARIO` stores one")
        return
    from monitor.item_refs import item_ref

    table = Table(box=None, pad_edge=False)
    for name in ("item", "scenario", "polarity", "labelled", "by"):
        table.add_column(name, no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("note", ratio=1)
    for label in stored:
        table.add_row(
            item_ref(label.item_id),
            label.scenario,
            label.polarity,
            f"{label.labelled_at:%Y-%m-%d}",
            label.source.value,
            escape(_short(label.title or label.summary)),
            escape(label.note or ""),
        )
    console.print(table)
    console.print(f"{len(stored)} label{'' if len(stored) == 1 else 's'}", highlight=False)


@labels.command(name="export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_ctx
def export_command(obj: AppContext, out: Path | None) -> None:
    """Write the labels as JSON Lines in the format of the shared eval sets (id, lang, source, date,
    url, title, summary, scenario, polarity, rationale): `monitor eval FILE` reads it back, and
    `monitor import FILE` restores it into another database."""
    import db
    from monitor.item_refs import item_ref
    from monitor.label_sets import labelled_set

    handle = obj.database()
    try:
        labelled = labelled_set(db.list_labels(handle))
    finally:
        handle.close()
    text = labelled.jsonl()
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise MonitorError(f"cannot write {out}: {exc.strerror or exc}") from exc
    for label in labelled.skipped:
        err_console.print(
            f"[yellow]warning:[/] {item_ref(label.item_id)} left out: it has neither a title nor a summary",
            highlight=False,
        )
    err_console.print(f"{plural(len(labelled.records), 'label')} exported", highlight=False)


@labels.command(name="remove")
@click.argument("items", nargs=-1, required=True, metavar="ITEM...")
@pass_ctx
def remove_command(obj: AppContext, items: tuple[str, ...]) -> None:
    """Remove the labels of these items (numbers as shown, #123 or 123, or guids)."""
    import db
    from monitor.item_refs import item_ref, resolve_item

    handle = obj.database()
    try:
        for item in items:
            item_id = resolve_item(handle, item)
            removed = db.remove_label(handle, item_id)
            console.print(
                f"{item_ref(item_id)}: label removed" if removed else f"{item_ref(item_id)} had no label"
            )
    finally:
        handle.close()
