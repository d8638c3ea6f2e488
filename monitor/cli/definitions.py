"""``monitor scenarios``, ``explain`` and ``eval``: the definitions in force, why an item scores as it
does, and how well the indicators do on a labelled set."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.markup import escape
from rich.table import Table

from indicators import plural
from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, err_console, pass_ctx
from monitor.redaction import redact_url

if TYPE_CHECKING:
    from monitor.config.model import Config
    from scenarios import LabelledItem

T = TypeVar("T")


@click.command(name="scenarios")
@click.option("--json", "as_json", is_flag=True, help="Print the effective scenarios as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Also print the vocabulary x language coverage table and warn about weak definitions and empty "
    "cells (exit 0; on stderr).",
)
@pass_ctx
def scenarios_command(obj: AppContext, as_json: bool, check: bool) -> None:
    """List scenarios, their indicators and effective weights (shipped definitions plus config overrides)."""
    from scenarios import check as check_scenarios

    definitions = obj.definitions()
    scenario_set = definitions.scenarios
    indicators = definitions.indicators.indicators
    if as_json:
        payload = {
            "scenarios": {
                sid: {
                    "title": sc.title,
                    "indicators": dict(sc.weights),
                    "thresholds": [{"level": t.level, "up": t.up, "down": t.down} for t in sc.thresholds],
                    "half_life_days": sc.half_life_days,
                    "relevance_threshold": sc.relevance_threshold,
                    "stacking_share": sc.stacking_share,
                    "supporting": list(sc.supporting),
                }
                for sid, sc in scenario_set.scenarios.items()
            },
            "config_hash": scenario_set.config_hash,
            "patterns_hash": scenario_set.patterns_hash,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for sid, sc in scenario_set.scenarios.items():
            levels = ", ".join(f"{t.level} ≥{t.up:g} (<{t.down:g} to leave)" for t in sc.thresholds)
            table = Table(
                "indicator",
                "polarity",
                "weight",
                "label",
                title=f"[bold]{sid}[/]: {sc.title}",
                caption=(
                    f"half-life {sc.half_life_days:g} d · relevance ≥{sc.relevance_threshold:g} · "
                    f"stacking share {sc.stacking_share:g} · levels: {levels}"
                ),
                title_justify="left",
                caption_justify="left",
            )
            for indicator_id, weight in sorted(sc.weights.items(), key=lambda kv: -kv[1]):
                ind = indicators[indicator_id]
                polarity = "escalation" if int(ind.polarity) > 0 else "de-escalation"
                table.add_row(indicator_id, polarity, f"{weight:g}", ind.label)
            console.print(table)
        console.print(
            f"config hash {scenario_set.config_hash[:12]} · patterns hash {scenario_set.patterns_hash[:12]}"
        )
    if check:
        from indicators import coverage, coverage_warnings, indicator_warnings
        from monitor.diagnostics import coverage_table

        rows = coverage(definitions.indicators)
        err_console.print(coverage_table(rows))
        warnings = [
            *check_scenarios(scenario_set),
            *indicator_warnings(definitions.indicators),
            *coverage_warnings(rows),
        ]
        for warning in warnings:
            err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
        if not warnings:
            err_console.print("no warnings")


@click.command(name="explain")
@click.argument("item_id", required=False, metavar="ITEM")
@click.option(
    "--text", metavar="TEXT", help="Explain this text (as an item's summary) instead of a stored item."
)
@click.option("--title", metavar="TEXT", help="With --text: the item's title.")
@click.option("--lang", metavar="CODE", help="Language of --text (shown; matching covers every language).")
@click.option(
    "--reliability", type=float, default=1.0, show_default=True, help="Feed reliability for --text."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@pass_ctx
def explain_command(
    obj: AppContext,
    item_id: str | None,
    text: str | None,
    title: str | None,
    lang: str | None,
    reliability: float,
    as_json: bool,
) -> None:
    """Show why an item (or --text) moves each scenario: fired indicators, matched phrases, negations.

    ITEM is a stored item's number as `monitor trend`, the digest and `monitor explain` show it
    (#123, or 123) or its id in its feed or import file (the guid; e.g. a labelled set's ``item-…``
    id after `monitor import`; guid:123 for a guid made of digits)."""
    from monitor.explain import explain, render, to_json

    if title is not None and text is None:
        raise click.UsageError("--title goes with --text")
    if (item_id is None) == (text is None):
        raise click.UsageError("give either an ITEM_ID or --text (one of them)")
    definitions = obj.definitions()
    if text is not None:
        # the fields eval scores: a labelled item's title and summary (here: --title and --text)
        fields = {"title": title or "", "summary": text}
        source: dict[str, Any] = {"lang": lang}
    else:
        from monitor.item_refs import resolve_item

        assert item_id is not None
        handle = obj.database()
        try:
            import db

            stored = db.get_item(handle, resolve_item(handle, item_id))
        finally:
            handle.close()
        if stored is None:  # deleted between the two reads
            raise MonitorError(f"no item {item_id!r} in {redact_url(obj.config.database_url)}")
        fields = {"title": stored.title, "summary": stored.summary}
        reliability = stored.reliability
        source = {
            "item": stored.id,
            "guid": stored.guid,
            "feed": stored.feed_name,
            "lang": stored.language,
            "published": stored.published_at.isoformat() if stored.published_at else None,
            "url": stored.url,
        }
        stored_ids = sorted(m.indicator_id for m in stored.matches)
    exp = explain(definitions, fields, reliability=reliability, source=source)
    if text is None:
        now_ids = sorted(m.indicator_id for m in exp.result.matches)
        if now_ids != stored_ids:
            err_console.print(
                f"[yellow]note:[/] the stored matches ({', '.join(stored_ids) or 'none'}) differ from the current "
                f"definitions ({', '.join(now_ids) or 'none'}); `monitor rescore` will re-match stored items",
                highlight=False,
            )
    if as_json:
        click.echo(json.dumps(to_json(exp, definitions), indent=2, ensure_ascii=False))
    else:
        console.print(render(exp, definitions))


@click.command(name="eval")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--labels",
    "from_labels",
    is_flag=True,
    help="Evaluate on the labels stored in the database (`monitor label`) instead of a FILE.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--errors",
    is_flag=True,
    help="List misses (with the nearest partial match) and false positives (with the terms that fired).",
)
@click.option(
    "--by", "by", type=click.Choice(["lang"]), help="Also give the figures per language of the items."
)
@click.option(
    "--part",
    type=click.Choice(["tune", "blind"]),
    help="Only the tuning part or the blind part of the file (a fixed split by a hash of each id).",
)
@pass_ctx
def eval_command(
    obj: AppContext,
    file: Path | None,
    from_labels: bool,
    as_json: bool,
    errors: bool,
    by: str | None,
    part: str | None,
) -> None:
    """Measure the indicators on a labelled JSON Lines file (or, with --labels, on the analyst's
    stored labels): precision, recall, F1 per scenario."""
    from monitor.cli.progress import progress_bar
    from monitor.diagnostics import language_json, language_table
    from monitor.eval_io import load_labelled
    from monitor.evaluation import render_errors, render_report
    from scenarios import evaluate, evaluate_by_language, split_part

    if (file is None) == (not from_labels):
        raise click.UsageError("give either a FILE or --labels (one of them)")
    items = load_labelled(file) if file is not None else _stored_labels(obj)
    if part is not None:
        items = [item for item in items if split_part(item.id) == part]
    definitions = obj.definitions()
    with progress_bar(f"evaluating {file.name if file else 'stored labels'}") as advance:
        report = evaluate(_reporting(items, advance), definitions.matcher, definitions.scenarios)
    by_language = (
        evaluate_by_language(items, definitions.matcher, definitions.scenarios) if by == "lang" else None
    )
    overrides = config_overrides(obj.config)
    if as_json:
        payload = {**report.to_json(), "config_overrides": overrides}
        if by_language is not None:
            payload = {**payload, "by_lang": language_json(by_language)}
        if errors:
            payload = {**payload, "errors": render_errors(report, definitions.matcher, as_json=True)}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    console.print(render_report(report, len(items)))
    _print_overrides(overrides)
    if by_language is not None:
        console.print(language_table(by_language))
    if errors:
        for renderable in render_errors(report, definitions.matcher, as_json=False):
            # one error per block, lines unbroken: they are read side by side and grepped
            console.print(renderable, soft_wrap=True)


def _stored_labels(obj: AppContext) -> list[LabelledItem]:
    import db
    from monitor.label_sets import labelled_set

    handle = obj.database()
    try:
        labelled = labelled_set(db.list_labels(handle))
    finally:
        handle.close()
    if labelled.skipped:
        err_console.print(
            f"[yellow]note:[/] {plural(len(labelled.skipped), 'labelled item')} "
            f"{'has' if len(labelled.skipped) == 1 else 'have'} neither a title nor a summary "
            "and are left out",
            highlight=False,
        )
    if not labelled.records:
        raise MonitorError("no labels stored yet: `monitor label ITEM SCENARIO` stores one")
    return labelled.items()


def _reporting(items: Sequence[T], advance: Callable[[int, int], None], every: int = 200) -> Iterator[T]:
    """``items`` one by one, telling ``advance`` how far along they are every ``every`` items."""
    for done, item in enumerate(items, start=1):
        if done % every == 0 or done == len(items):
            advance(done, len(items))
        yield item


def config_overrides(config: Config) -> dict[str, Any]:
    """What the config changes in the shipped definitions, as eval's figures depend on it: the
    ``scenarios:`` overrides (only the keys set) and the extra definition files."""
    scenarios: dict[str, Any] = {}
    for scenario_id, override in config.scenarios.items():
        entry: dict[str, Any] = {}
        if override.weights:
            entry["weights"] = dict(override.weights)
        if override.thresholds is not None:
            entry["thresholds"] = [
                {"level": t.level, "up": t.up, "down": t.down} for t in override.thresholds
            ]
        for key in ("half_life_days", "relevance_threshold"):
            if getattr(override, key) is not None:
                entry[key] = getattr(override, key)
        scenarios[scenario_id] = entry
    return {"scenarios": scenarios, "definitions": [str(path) for path in config.definitions]}


def _print_overrides(overrides: dict[str, Any]) -> None:
    if not overrides["scenarios"] and not overrides["definitions"]:
        console.print(
            "config overrides in effect: none (the shipped definitions as they are)", highlight=False
        )
        return
    console.print("config overrides in effect:", highlight=False)
    for scenario_id, entry in overrides["scenarios"].items():
        parts = []
        for key, value in entry.items():
            if key == "weights":
                parts.append("weights " + ", ".join(f"{i} {w:g}" for i, w in value.items()))
            elif key == "thresholds":
                parts.append(
                    "thresholds " + ", ".join(f"{t['level']} {t['up']:g}/{t['down']:g}" for t in value)
                )
            else:
                parts.append(f"{key} {value:g}")
        console.print(f"  {escape(scenario_id)}: {escape('; '.join(parts))}", highlight=False)
    for path in overrides["definitions"]:
        console.print(f"  definitions: {escape(path)}", highlight=False)
