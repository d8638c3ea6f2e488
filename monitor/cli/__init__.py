"""The ``monitor`` command: thin click wrappers over library functions, rich output for people.

Every command has help text (a test fails otherwise). Errors the user can fix are printed as one
paragraph without a traceback, and the exit status is non-zero: 2 for configuration, 1 otherwise.

The top of the house: may use every other part of ``monitor`` and the layers below; nothing imports
it except ``monitor.__main__`` and the ``monitor`` entry point. ``trend_view`` renders the trend.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from indicators.errors import ConfigError, MonitorError
from monitor import logs
from monitor.config import DEFAULT_CONFIG_NAME

if TYPE_CHECKING:
    import db
    from monitor.config.model import Config

console = Console()
err_console = Console(stderr=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Group(click.Group):
    """Turns MonitorError into a one-paragraph message and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            _fail(exc)


def _fail(exc: MonitorError) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(2 if isinstance(exc, ConfigError) else 1)


class _Context:
    def __init__(self, config_flag: str | None) -> None:
        self.config_flag = config_flag
        self._config: Config | None = None

    def config_path(self) -> Path | None:
        from monitor.config.model import resolve_config_path

        return resolve_config_path(self.config_flag, os.environ, Path.cwd())

    @property
    def config(self) -> Config:
        if self._config is None:
            from monitor.config.model import load_config

            self._config = load_config(self.config_path())
        return self._config

    def database(self) -> db.Database:
        import db

        return db.open_database(self.config.database_url)


pass_ctx = click.make_pass_decorator(_Context)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_flag",
    metavar="PATH",
    help=f"Config file. Default: $MONITOR_CONFIG, else ./{DEFAULT_CONFIG_NAME}, else built-in defaults.",
)
@click.option("-v", "--verbose", count=True, help="More log detail (-vv includes HTTP and scheduler).")
@click.option("-q", "--quiet", count=True, help="Less log detail (-q warnings, -qq errors only).")
@click.version_option(package_name="scenario-monitor")
@click.pass_context
def main(ctx: click.Context, config_flag: str | None, verbose: int, quiet: int) -> None:
    """Watch news feeds for signs that a crisis scenario is tipping.

    Polls RSS/Atom feeds, scores every item against scenarios made of weighted indicators, keeps the
    evidence and the daily trend in a database, and writes a daily digest.
    """
    logs.configure(verbose - quiet)
    ctx.obj = _Context(config_flag)


# --- set-up ---------------------------------------------------------------------------------------


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_ctx
def init(obj: _Context, path: Path | None, force: bool) -> None:
    """Write a commented starter config (default: the --config path, else ./monitor.yaml)."""
    target = path or Path(obj.config_flag or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG_NAME)
    from monitor.config.model import load_config, write_starter

    write_starter(target, force)
    load_config(target)  # the starter must always be valid; fail loudly here if it is not
    console.print(f"wrote {target}: edit the feeds and schedule, then run `monitor run`")


@main.group(cls=_Group)
def database() -> None:
    """Database maintenance: schema migrations."""


main.add_command(database, name="db")


@database.command()
@pass_ctx
def upgrade(obj: _Context) -> None:
    """Apply pending schema migrations to the configured database."""
    import db

    engine = db.create_db_engine(obj.config.database_url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        console.print(f"database at revision {after}: already up to date")
    else:
        console.print(f"database upgraded from {before or 'empty'} to {after}")


# --- polling --------------------------------------------------------------------------------------


@main.command()
@pass_ctx
def run(obj: _Context) -> None:
    """Run the daemon: poll feeds on schedule, write the daily digest, reload a changed config.

    Stops cleanly on SIGINT or SIGTERM, after the feeds being fetched are stored.
    """
    from monitor.daemon import Daemon

    Daemon(obj.config).run_forever()


@main.command(name="poll")
@click.option(
    "--due-only", is_flag=True, help="Only feeds whose next poll time has come (default: every enabled feed)."
)
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@pass_ctx
def poll_command(obj: _Context, due_only: bool, names: tuple[str, ...]) -> None:
    """Fetch feeds once, store new and changed items, and print each feed's outcome."""
    from monitor.analysis import Definitions
    from monitor.pipeline.poll_cycle import poll_and_refresh
    from monitor.pipeline.poll_settings import feed_specs

    config = obj.config
    known = {feed.name for feed in config.feeds}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"no feed named {', '.join(map(repr, unknown))} in the config; `monitor feeds` lists them"
        )
    definitions = Definitions.from_config(config)
    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(config), utcnow())
        report = poll_and_refresh(handle, config, definitions, now=utcnow, due_only=due_only, names=names)
    finally:
        handle.close()
    if not report.feeds:
        console.print("no feed to poll" + (" (none is due)" if due_only else ""))
        return
    table = Table("feed", "outcome", "status", "new", "updated", "error", title=f"poll run {report.run_id}")
    for result in sorted(report.feeds, key=lambda r: r.name):
        style = "" if result.outcome.succeeded else "red"
        table.add_row(
            result.name,
            result.outcome,
            str(result.status or "-"),
            str(result.items_new),
            str(result.items_updated),
            result.error or "",
            style=style,
        )
    console.print(table)
    console.print(
        f"{len(report.feeds)} feeds, {report.failed} failed, {report.items_new} new items"
        + (" (stopped early)" if report.stopped else "")
    )


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    delta = value - now
    seconds = int(abs(delta.total_seconds()))
    if seconds < 90:
        span = f"{seconds}s"
    elif seconds < 5400:
        span = f"{seconds // 60}m"
    elif seconds < 172800:
        span = f"{seconds // 3600}h"
    else:
        span = f"{seconds // 86400}d"
    return f"in {span}" if delta.total_seconds() > 0 else f"{span} ago"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@pass_ctx
def feeds(obj: _Context, as_json: bool) -> None:
    """Show every feed's health: last success, consecutive failures, last error and next poll."""
    from monitor.pipeline.poll_settings import feed_specs

    handle = obj.database()
    try:
        import db

        db.sync_feeds(handle, feed_specs(obj.config), utcnow())
        states = db.list_feeds(handle)
    finally:
        handle.close()
    if as_json:
        click.echo(json.dumps({"feeds": [_feed_json(s) for s in states]}, indent=2, ensure_ascii=False))
        return
    now = utcnow()
    table = Table("feed", "lang", "state", "last success", "fails", "next poll", "items", "last error")
    for s in states:
        if not s.in_config:
            state, style = "not in config", "dim"
        elif not s.enabled:
            state, style = "disabled" + (f": {s.disabled_reason}" if s.disabled_reason else ""), "yellow"
        elif s.consecutive_failures:
            state, style = "failing", "red"
        elif s.last_success_at is None:
            state, style = "never polled", ""
        else:
            state, style = "ok", "green"
        table.add_row(
            f"{s.name}\n[dim]{s.url}[/]",
            s.language or "-",
            state,
            _when(s.last_success_at, now),
            str(s.consecutive_failures),
            _when(s.next_poll_at, now) if s.enabled and s.in_config else "-",
            str(s.items),
            s.last_error or "",
            style=style,
        )
    console.print(table)


def _feed_json(s: db.FeedState) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": s.name,
        "url": s.url,
        "config_url": s.config_url,
        "language": s.language,
        "reliability": s.reliability,
        "in_config": s.in_config,
        "enabled": s.enabled,
        "disabled_reason": s.disabled_reason,
        "last_success_at": iso(s.last_success_at),
        "last_attempt_at": iso(s.last_attempt_at),
        "last_status": s.last_status,
        "consecutive_failures": s.consecutive_failures,
        "last_error": s.last_error,
        "next_poll_at": iso(s.next_poll_at),
        "items": s.items,
    }


# --- indicators and scenarios ----------------------------------------------------------------------


def _definitions(obj: _Context) -> Any:
    from monitor.analysis import Definitions

    return Definitions.from_config(obj.config)


@main.command(name="scenarios")
@click.option("--json", "as_json", is_flag=True, help="Print the effective scenarios as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Also print the vocabulary x language coverage table and warn about weak definitions and empty "
    "cells (exit 0; on stderr).",
)
@pass_ctx
def scenarios_command(obj: _Context, as_json: bool, check: bool) -> None:
    """List scenarios, their indicators and effective weights (shipped definitions plus config overrides)."""
    from scenarios import check as check_scenarios

    definitions = _definitions(obj)
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
                caption=f"half-life {sc.half_life_days:g} d · relevance ≥{sc.relevance_threshold:g} · levels: {levels}",
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
        from indicators import coverage, coverage_warnings
        from monitor.diagnostics import coverage_table

        rows = coverage(definitions.indicators)
        err_console.print(coverage_table(rows))
        warnings = [*check_scenarios(scenario_set), *coverage_warnings(rows)]
        for warning in warnings:
            err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        if not warnings:
            err_console.print("no warnings")


@main.command(name="explain")
@click.argument("item_id", required=False, type=int)
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
    obj: _Context,
    item_id: int | None,
    text: str | None,
    title: str | None,
    lang: str | None,
    reliability: float,
    as_json: bool,
) -> None:
    """Show why an item (or --text) moves each scenario: fired indicators, matched phrases, negations."""
    from monitor.explain import explain, render, to_json

    if title is not None and text is None:
        raise click.UsageError("--title goes with --text")
    if (item_id is None) == (text is None):
        raise click.UsageError("give either an ITEM_ID or --text (one of them)")
    definitions = _definitions(obj)
    if text is not None:
        # the fields eval scores: a labelled item's title and summary (here: --title and --text)
        fields = {"title": title or "", "summary": text}
        source: dict[str, Any] = {"lang": lang}
    else:
        handle = obj.database()
        try:
            import db

            stored = db.get_item(handle, item_id)  # type: ignore[arg-type]
        finally:
            handle.close()
        if stored is None:
            raise MonitorError(f"no item with id {item_id} in {obj.config.database_url}")
        fields = {"title": stored.title, "summary": stored.summary}
        reliability = stored.reliability
        source = {
            "item": stored.id,
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


@main.command(name="eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
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
    obj: _Context, file: Path, as_json: bool, errors: bool, by: str | None, part: str | None
) -> None:
    """Measure the indicators on a labelled JSON Lines file: precision, recall, F1 per scenario."""
    from monitor.diagnostics import language_json, language_table
    from monitor.eval_io import load_labelled
    from monitor.evaluation import render_errors, render_report
    from scenarios import evaluate, evaluate_by_language, split_part

    items = load_labelled(file)
    if part is not None:
        items = [item for item in items if split_part(item.id) == part]
    definitions = _definitions(obj)
    report = evaluate(items, definitions.matcher, definitions.scenarios)
    by_language = (
        evaluate_by_language(items, definitions.matcher, definitions.scenarios) if by == "lang" else None
    )
    if as_json:
        payload = report.to_json()
        if by_language is not None:
            payload = {**payload, "by_lang": language_json(by_language)}
        if errors:
            payload = {**payload, "errors": render_errors(report, definitions.matcher, as_json=True)}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    console.print(render_report(report, len(items)))
    if by_language is not None:
        console.print(language_table(by_language))
    if errors:
        for renderable in render_errors(report, definitions.matcher, as_json=False):
            # one error per block, lines unbroken: they are read side by side and grepped
            console.print(renderable, soft_wrap=True)


# --- trend, rescore, import ---------------------------------------------------------------------


@main.command(name="trend")
@click.argument("scenario", required=False)
@click.option(
    "--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="How many days to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@click.option(
    "--top", type=click.IntRange(0, 100), default=5, show_default=True, help="Top stories per scenario."
)
@pass_ctx
def trend_command(obj: _Context, scenario: str | None, days: int, as_json: bool, top: int) -> None:
    """Show each scenario's daily index as a chart, its level, spikes and the top stories."""
    from monitor.cli.trend_view import days_window, render, trend_json
    from monitor.pipeline.trend_refresh import local_day

    definitions = _definitions(obj)
    known = definitions.scenarios.scenarios
    if scenario is not None and scenario not in known:
        raise MonitorError(f"no scenario {scenario!r}; known: {', '.join(known)}")
    since = days_window(local_day(utcnow(), obj.config.schedule.tzinfo), days)
    handle = obj.database()
    try:
        import db

        stored = db.load_trend(handle, scenario_id=scenario, since=since)
        stories = db.top_stories(handle, since=since, scenario_id=scenario, limit=top)
    finally:
        handle.close()
    ids = [scenario] if scenario else list(known)
    rows = {sid: [r for r in stored if r.scenario_id == sid] for sid in ids}
    by_scenario = {sid: [s for s in stories if s.scenario_id == sid] for sid in ids}
    if as_json:
        click.echo(json.dumps(trend_json(rows, by_scenario), indent=2, ensure_ascii=False))
        return
    console.print(render(rows, by_scenario, {sid: sc.title for sid, sc in known.items()}))
    hashes = {r.config_hash for r in stored}
    if hashes and hashes != {definitions.scenarios.config_hash}:
        err_console.print(
            "[yellow]note:[/] the stored trend was computed with another config; run `monitor rescore`"
        )


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; expected YYYY-MM-DD") from None


@main.command(name="rescore")
@click.option(
    "--since", metavar="YYYY-MM-DD", help="Rewrite the trend from this day on (default: all of it)."
)
@click.option("--dry-run", is_flag=True, help="Show, day by day, what would change; write nothing.")
@pass_ctx
def rescore_command(obj: _Context, since: str | None, dry_run: bool) -> None:
    """Recompute contributions and the trend from stored matches after a config change.

    Items matched with other patterns than the current ones are matched again from their stored text
    (no re-fetch). With --dry-run, the difference in index and level is printed and nothing is written.
    """
    from rich.progress import Progress

    from monitor.pipeline.rescore import rescore

    since_day = _parse_day(since)
    definitions = _definitions(obj)
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


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def import_command(obj: _Context, file: Path) -> None:
    """Backfill history from a JSON Lines file (id, title, summary, url, source, lang, published) or an
    RSS/Atom file, keeping the original dates; re-importing the same file adds nothing."""
    from rich.progress import Progress

    from monitor.pipeline.importer import import_file

    definitions = _definitions(obj)
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
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")


# --- digest ---------------------------------------------------------------------------------------


@main.command(name="digest")
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
def digest_command(obj: _Context, day: str | None, out_dir: Path | None, send: bool) -> None:
    """Write the daily digest for a date as DIR/DATE.html and DIR/DATE.md, and optionally mail it."""
    from monitor.digest.publish import send_pending, write_digest
    from monitor.pipeline.trend_refresh import local_day

    config = obj.config
    when = _parse_day(day) or local_day(utcnow(), config.schedule.tzinfo)
    definitions = _definitions(obj)
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


if __name__ == "__main__":  # pragma: no cover
    main()
