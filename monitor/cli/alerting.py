"""``monitor alerts``: send a test message through every channel, list recent alerts."""

from __future__ import annotations

import json
import os

import click

from indicators.errors import MonitorError
from monitor.cli.app import AppContext, console, err_console, pass_ctx, utcnow


@click.group(name="alerts")
def alerts_group() -> None:
    """Immediate alerts: test the channels, list what was sent."""


@alerts_group.command(name="test")
@pass_ctx
def test_command(obj: AppContext) -> None:
    """Send a test message through every channel in alerts.channels; exits 1 naming each one that failed."""
    from monitor.alerts import send_test

    config = obj.config
    if not config.alerts.channels:
        raise MonitorError(
            "no alert channel is configured: list email and/or webhook under alerts.channels in the config"
        )
    results = send_test(config, now=utcnow(), env=os.environ)
    for result in results:
        if result.error is None:
            console.print(f"{result.channel}: sent", markup=False, highlight=False)
        else:
            err_console.print(f"{result.channel}: FAILED: {result.error}", markup=False, highlight=False)
    failed = [r.channel for r in results if r.error is not None]
    if failed:
        raise MonitorError(f"the test alert could not be sent through: {', '.join(failed)}")


@alerts_group.command(name="list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
@pass_ctx
def list_command(obj: AppContext, limit: int, as_json: bool) -> None:
    """Recent alerts, newest first, with each channel's delivery state (sent, pending with the next
    retry, or failed) and its last error."""
    handle = obj.database()
    try:
        import db

        alerts = db.recent_alerts(handle, limit=limit)
    finally:
        handle.close()
    if as_json:
        out = [
            {
                "id": a.key,
                "created_at": a.created_at.isoformat(),
                "scenario": a.scenario_id,
                "kind": a.kind.value,
                "level": a.level,
                "previous_level": a.previous_level,
                "index": a.index,
                "day": a.day.isoformat(),
                "deliveries": [
                    {
                        "channel": d.channel,
                        "status": d.status.value,
                        "attempts": d.attempts,
                        "last_error": d.last_error,
                        "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
                        "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                    }
                    for d in a.deliveries
                ],
            }
            for a in alerts
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not alerts:
        console.print("no alert yet")
        return
    for a in alerts:
        what = f"{a.previous_level} → {a.level}" if a.kind.value == "level" else f"spike at {a.level}"
        _line(f"{a.created_at.strftime('%Y-%m-%d %H:%M')} UTC  {a.scenario_id}  {what}  index {a.index:.1f}")
        for d in a.deliveries:
            state = (
                f"    {d.channel}: {d.status.value} ({d.attempts} attempt{'' if d.attempts == 1 else 's'})"
            )
            if d.status.value == "pending" and d.next_attempt_at:
                state += f", next {d.next_attempt_at.strftime('%Y-%m-%d %H:%M')} UTC"
            if d.last_error and d.status.value != "sent":
                state += f": {d.last_error}"
            _line(state)


def _line(text: str) -> None:
    # Plain text: a scenario id or a server's answer must not be read as Rich markup.
    console.print(text, markup=False, highlight=False, soft_wrap=True)
