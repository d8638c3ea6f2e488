"""``monitor trend``: each scenario's daily index, level, spikes and top stories (drawn by ``trend_view``)."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, err_console, pass_ctx, utcnow


@click.command(name="trend")
@click.argument("scenario", required=False)
@click.option(
    "--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="How many days to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@click.option(
    "--top", type=click.IntRange(0, 100), default=5, show_default=True, help="Top stories per scenario."
)
@pass_ctx
def trend_command(obj: AppContext, scenario: str | None, days: int, as_json: bool, top: int) -> None:
    """Show each scenario's daily index as a chart, its level, spikes and the top stories."""
    from monitor.cli.trend_view import days_window, render, trend_json
    from monitor.digest.build import HISTORY_DAYS, holding_stories
    from monitor.pipeline.trend_refresh import local_day

    definitions = obj.definitions()
    known = definitions.scenarios.scenarios
    if scenario is not None and scenario not in known:
        raise MonitorError(f"no scenario {scenario!r}; known: {', '.join(known)}")
    since = days_window(local_day(utcnow(), obj.config.schedule.tzinfo), days)
    handle = obj.database()
    try:
        import db

        stored = db.load_trend(handle, scenario_id=scenario, since=since)
        stories = db.top_stories(handle, since=since, scenario_id=scenario, limit=top)
        last_day = max((r.day for r in stored), default=None)
        scores = (
            db.story_scores(handle, since=last_day - timedelta(days=HISTORY_DAYS - 1), until=last_day)
            if last_day is not None
            else []
        )
    finally:
        handle.close()
    holding = holding_stories(scores, definitions, last_day) if last_day is not None else {}
    ids = [scenario] if scenario else list(known)
    rows = {sid: [r for r in stored if r.scenario_id == sid] for sid in ids}
    by_scenario = {sid: [s for s in stories if s.scenario_id == sid] for sid in ids}
    if as_json:
        click.echo(json.dumps(trend_json(rows, by_scenario, holding), indent=2, ensure_ascii=False))
        return
    titles = {sid: sc.title for sid, sc in known.items()}
    thresholds = {sid: sc.thresholds for sid, sc in known.items()}
    console.print(render(rows, by_scenario, titles, holding, thresholds))
    hashes = {r.config_hash for r in stored}
    if hashes and hashes != {definitions.scenarios.config_hash}:
        err_console.print(
            "[yellow]note:[/] the stored trend was computed with another config; run `monitor rescore`"
        )
