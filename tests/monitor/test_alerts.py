"""Alerts end to end with real parts: a feed server, SQLite and PostgreSQL, an SMTP server (aiosmtpd)
and an HTTP receiver on 127.0.0.1, and the daemon's own jobs.

A level rise sends one mail and one webhook call; a flap inside the cooldown sends nothing; a dead
channel is retried until it answers (and given up after ``max_attempts``); two daemons on one
PostgreSQL database send one alert.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

import db
from monitor.alerts import deliver_pending, evaluate_alerts
from monitor.config.model import Config, load_config
from monitor.daemon import Daemon
from monitor.digest.build import build_digest
from monitor.digest.render import render_html, render_text
from scenarios import DailyTrend, Level
from tests.helpers import RSS, definitions_for, monitor, rss
from tests.helpers.feed_server import FeedServer, Reply
from tests.helpers.smtp import Inbox, free_port
from tests.helpers.webhook import WebhookReceiver

TOKEN_ENV, TOKEN = "MONITOR_TEST_HOOK_TOKEN", "hook-t0ken"
ENV = {TOKEN_ENV: TOKEN}
# The feed items are dated 2026-11-01 08:00 UTC (tests.helpers.rss); the daemons' clock is that morning.
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY = T0.date()
# Three separate stories for belarus_war: 3 + 2 + 3, at reliability 0.9: 7.2, above watch's up (4).
RISING = rss(
    "Wire",
    [
        ("w-1", 'Russia deploys nuclear missiles in Belarus, Minsk confirms &amp; warns "Kyiv"', "Sunday."),
        ("w-2", "Belarus and Russia start joint military exercises near the Polish border", "Drills."),
        ("w-3", "Missiles launched from Belarusian territory struck Kyiv overnight", "Air raid alert."),
        ("w-4", "Weather in Minsk <b>snow</b>", "Snow expected."),
    ],
)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@contextlib.contextmanager
def smtp_server(inbox: Inbox, port: int | None = None) -> Iterator[int]:
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def write_config(
    folder: Path,
    database_url: str,
    *,
    smtp_port: int,
    hook_url: str,
    feed_url: str | None = None,
    alerts: str = "",
) -> Config:
    feeds = (
        f"feeds:\n  - {{name: wire, url: '{feed_url}', language: en, reliability: 0.9}}\n"
        if feed_url
        else "feeds: []\n"
    )
    text = (
        f"database: {{url: '{database_url}'}}\n"
        "schedule: {poll_interval: 1m, timezone: UTC}\n"
        "fetch: {connect_timeout: 2s, read_timeout: 5s, deadline: 10s}\n"
        "digest:\n"
        "  output_dir: digests\n"
        f"  smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, from: 'Monitor <monitor@example.org>',"
        " to: [analyst@example.org]}\n"
        "alerts:\n"
        "  channels: [email, webhook]\n"
        "  cooldown: 6h\n"
        "  retry_base: 1m\n"
        f"  webhook: {{url: '{hook_url}', token_env: {TOKEN_ENV}, timeout: 5s}}\n"
        f"{alerts}"
        f"{feeds}"
    )
    path = folder / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def set_trend(database: db.Database, config: Config, levels: list[tuple[date, str, float]]) -> None:
    """Store belarus_war's trend as these (day, level, index) rows: what a poll would have left."""
    config_hash = definitions_for(config).scenarios.config_hash
    rows = [
        DailyTrend("belarus_war", day, index, index, Level(level), False, 1, 1, (), (), config_hash)
        for day, level, index in levels
    ]
    db.replace_trend(database, rows, [], since=None)


def look(database: db.Database, config: Config, at: datetime) -> list[db.DeliveryState]:
    """What the daemon does after each poll tick: evaluate, then deliver what is due."""
    evaluate_alerts(database, config, definitions_for(config), now=at)
    return deliver_pending(database, config, now=lambda: at, worker="test-worker", env=ENV)


def test_a_level_rise_sends_one_mail_and_one_webhook_call(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    inbox = Inbox()
    with FeedServer() as feeds, WebhookReceiver() as hook, smtp_server(inbox) as port:
        feeds.route("/wire.xml", Reply(200, RISING, (("Content-Type", RSS),)))
        config = write_config(
            tmp_path, database_url, smtp_port=port, hook_url=hook.url(), feed_url=feeds.url("/wire.xml")
        )
        clock = Clock(T0)
        daemon = Daemon(config, now=clock)
        try:
            daemon.poll_job()  # polls, refreshes the trend, evaluates and delivers
            clock.at += timedelta(minutes=1)
            daemon.poll_job()  # nothing new: no second alert
            clock.at += timedelta(hours=1)
            daemon.alert_job()
            alerts = db.recent_alerts(daemon.database)
            digest = build_digest(daemon.database, config, definitions_for(config), DAY, now=clock.at)
        finally:
            daemon.shutdown()

    assert len(inbox.messages) == 1
    envelope, message = inbox.messages[0]
    assert envelope.rcpt_tos == ["analyst@example.org"]
    assert message["Subject"].startswith("Alert: Belarus enters the war")
    assert "rose to watch (was calm)" in message["Subject"]
    text = message.get_body(("plain",))
    assert text is not None and "Missiles launched from Belarusian territory" in text.get_content()
    html = message.get_body(("html",))
    assert html is not None
    # Feed text is escaped in the HTML part and linked only to its http(s) address.
    assert "Minsk confirms &amp; warns &quot;Kyiv&quot;</a>" in html.get_content()
    assert '<a href="https://news.example/w-1">' in html.get_content()

    assert len(hook.received) == 1
    call = hook.received[0]
    assert call.path == "/hook"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["content-type"] == "application/json"
    body = call.body
    assert call.headers["x-monitor-alert"] == body["id"]
    assert body["version"] == 1 and body["kind"] == "level"
    assert body["scenario"]["id"] == "belarus_war"
    assert (body["level"], body["previous_level"], body["day"]) == ("watch", "calm", "2026-11-01")
    assert body["index"] == pytest.approx(7.2)
    titles = {s["title"] for s in body["top_stories"]}
    assert 'Russia deploys nuclear missiles in Belarus, Minsk confirms & warns "Kyiv"' in titles
    assert all(isinstance(s["item_id"], int) and s["url"].startswith("https://") for s in body["top_stories"])

    assert [(a.kind, a.level, a.previous_level) for a in alerts] == [(db.AlertKind.LEVEL, "watch", "calm")]
    assert {(d.channel, d.status, d.attempts) for d in alerts[0].deliveries} == {
        ("email", db.DeliveryStatus.SENT, 1),
        ("webhook", db.DeliveryStatus.SENT, 1),
    }
    assert [(n.scenario, n.level, n.deliveries) for n in digest.alerts] == [
        ("Belarus enters the war against Ukraine", "watch", "email sent · webhook sent")
    ]
    assert "## Alerts since the last digest" in render_text(digest)
    assert 'id="alerts"' in render_html(digest)


def test_a_flap_inside_the_cooldown_sends_none(sqlite_url: str, tmp_path: Path) -> None:
    inbox = Inbox()
    yesterday = DAY - timedelta(days=1)
    with WebhookReceiver() as hook, smtp_server(inbox) as port:
        config = write_config(tmp_path, sqlite_url, smtp_port=port, hook_url=hook.url())
        database = db.open_database(config.database_url)
        try:
            set_trend(database, config, [(yesterday, "calm", 1.0), (DAY, "calm", 1.0)])
            assert look(database, config, T0) == []
            set_trend(database, config, [(yesterday, "calm", 1.0), (DAY, "watch", 4.5)])
            assert len(look(database, config, T0 + timedelta(minutes=1))) == 2
            # The index falls below watch's down (2) and climbs back within the 6 h cooldown.
            set_trend(database, config, [(yesterday, "calm", 1.0), (DAY, "calm", 1.8)])
            assert look(database, config, T0 + timedelta(hours=1)) == []
            set_trend(database, config, [(yesterday, "calm", 1.0), (DAY, "watch", 4.1)])
            assert look(database, config, T0 + timedelta(hours=2)) == []
            assert look(database, config, T0 + timedelta(hours=7)) == []  # and not late either
            assert len(db.recent_alerts(database)) == 1
        finally:
            database.close()
    assert len(inbox.messages) == 1
    assert len(hook.received) == 1


def test_a_dead_channel_is_retried_until_it_answers(sqlite_url: str, tmp_path: Path) -> None:
    inbox = Inbox()
    dead_smtp = free_port()  # nobody listens yet
    with WebhookReceiver() as hook:
        hook.statuses = [503]
        config = write_config(tmp_path, sqlite_url, smtp_port=dead_smtp, hook_url=hook.url())
        database = db.open_database(config.database_url)
        try:
            set_trend(database, config, [(DAY - timedelta(days=1), "calm", 0.0), (DAY, "warning", 11.0)])
            first = look(database, config, T0)
            assert {(d.channel, d.status, d.attempts) for d in first} == {
                ("email", db.DeliveryStatus.PENDING, 1),
                ("webhook", db.DeliveryStatus.PENDING, 1),
            }
            errors = {d.channel: d.last_error or "" for d in first}
            assert f"127.0.0.1:{dead_smtp}" in errors["email"] and "connecting" in errors["email"]
            assert "HTTP 503" in errors["webhook"] and "busy, try later" in errors["webhook"]
            assert all(d.next_attempt_at == T0 + timedelta(minutes=1) for d in first)
            # Not due yet: nothing is tried.
            assert look(database, config, T0 + timedelta(seconds=30)) == []
            # The mail server comes up on that port; the webhook answers 200 now.
            with smtp_server(inbox, dead_smtp):
                second = look(database, config, T0 + timedelta(minutes=2))
            assert {(d.channel, d.status, d.attempts) for d in second} == {
                ("email", db.DeliveryStatus.SENT, 2),
                ("webhook", db.DeliveryStatus.SENT, 2),
            }
            assert look(database, config, T0 + timedelta(hours=1)) == []
        finally:
            database.close()
    assert len(inbox.messages) == 1
    assert len(hook.received) == 2  # the 503 and the one that got through
    assert hook.received[0].body["id"] == hook.received[1].body["id"]


def test_a_delivery_is_given_up_after_max_attempts(sqlite_url: str, tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        hook.statuses = [500, 500, 500]
        config = write_config(
            tmp_path, sqlite_url, smtp_port=free_port(), hook_url=hook.url(), alerts="  max_attempts: 2\n"
        )
        database = db.open_database(config.database_url)
        try:
            set_trend(database, config, [(DAY - timedelta(days=1), "calm", 0.0), (DAY, "watch", 5.0)])
            look(database, config, T0)
            final = look(database, config, T0 + timedelta(minutes=5))
            assert {(d.channel, d.status, d.attempts) for d in final} == {
                ("email", db.DeliveryStatus.FAILED, 2),
                ("webhook", db.DeliveryStatus.FAILED, 2),
            }
            assert look(database, config, T0 + timedelta(days=1)) == []
        finally:
            database.close()
    assert len(hook.received) == 2


def together(daemons: list[Daemon], job: str) -> None:
    """Run ``job`` on every daemon at the same moment, each in its own thread, as two processes would."""
    start = threading.Barrier(len(daemons))
    errors: list[BaseException] = []

    def run(daemon: Daemon) -> None:
        try:
            start.wait(timeout=30)
            getattr(daemon, job)()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in daemons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


@pytest.mark.postgres
def test_two_daemons_on_one_postgresql_send_one_alert(
    postgres_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    inbox = Inbox()
    with FeedServer() as feeds, WebhookReceiver() as hook, smtp_server(inbox) as port:
        feeds.route("/wire.xml", Reply(200, RISING, (("Content-Type", RSS),)))
        config = write_config(
            tmp_path,
            postgres_schema_url,
            smtp_port=port,
            hook_url=hook.url(),
            feed_url=feeds.url("/wire.xml"),
        )
        clock = Clock(T0)
        daemons = [Daemon(config, now=clock), Daemon(config, now=clock)]
        try:
            for _ in range(3):  # ticks: both daemons poll (one gets the feed), evaluate and deliver
                together(daemons, "poll_job")
                together(daemons, "alert_job")
                clock.at += timedelta(minutes=2)
            alerts = db.recent_alerts(daemons[0].database)
        finally:
            for daemon in daemons:
                daemon.shutdown()
    assert [(a.level, a.previous_level) for a in alerts] == [("watch", "calm")]
    assert {(d.channel, d.status, d.attempts) for d in alerts[0].deliveries} == {
        ("email", db.DeliveryStatus.SENT, 1),
        ("webhook", db.DeliveryStatus.SENT, 1),
    }
    assert len(inbox.messages) == 1
    assert len(hook.received) == 1


@pytest.mark.postgres
def test_two_daemons_seeing_one_change_at_once_store_and_send_it_once(
    postgres_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    inbox = Inbox()
    with WebhookReceiver() as hook, smtp_server(inbox) as port:
        config = write_config(tmp_path, postgres_schema_url, smtp_port=port, hook_url=hook.url())
        clock = Clock(T0)
        daemons = [Daemon(config, now=clock) for _ in range(3)]
        try:
            yesterday = DAY - timedelta(days=1)
            set_trend(daemons[0].database, config, [(yesterday, "calm", 0.0), (DAY, "calm", 1.0)])
            together(daemons, "alert_job")
            # A `monitor poll` elsewhere raised the level: every daemon sees it on its next tick.
            set_trend(daemons[0].database, config, [(yesterday, "calm", 0.0), (DAY, "warning", 12.0)])
            for _ in range(3):
                clock.at += timedelta(minutes=1)
                together(daemons, "alert_job")
            alerts = db.recent_alerts(daemons[0].database)
        finally:
            for daemon in daemons:
                daemon.shutdown()
    assert [(a.level, a.previous_level) for a in alerts] == [("warning", "calm")]
    assert len(inbox.messages) == 1
    assert len(hook.received) == 1


def test_alerts_test_sends_through_every_channel_and_names_the_failing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    inbox = Inbox()
    with WebhookReceiver() as hook, smtp_server(inbox) as port:
        write_config(tmp_path, "sqlite:///data/monitor.db", smtp_port=port, hook_url=hook.url())
        path = tmp_path / "monitor.yaml"
        ok = monitor(path, "alerts", "test")
        assert "email: sent" in ok.output and "webhook: sent" in ok.output
        hook.statuses = [500]
        failed = monitor(path, "alerts", "test", check=False)
    assert failed.exit_code == 1
    assert "webhook: FAILED" in failed.output and "HTTP 500" in failed.output
    assert "could not be sent through: webhook" in failed.output
    assert [m["Subject"] for _, m in inbox.messages] == ["Scenario monitor: test alert"] * 2
    assert [r.body["kind"] for r in hook.received] == ["test", "test"]
    listed = monitor(path, "alerts", "list")
    assert "no alert yet" in listed.output  # a test message is not an alert


def test_alerts_list_shows_each_channels_state(sqlite_url: str, tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        hook.statuses = [503]
        config = write_config(tmp_path, sqlite_url, smtp_port=free_port(), hook_url=hook.url())
        database = db.open_database(config.database_url)
        try:
            set_trend(database, config, [(DAY - timedelta(days=1), "calm", 0.0), (DAY, "warning", 11.0)])
            look(database, config, T0)
        finally:
            database.close()
    listed = monitor(tmp_path / "monitor.yaml", "alerts", "list")
    assert "belarus_war" in listed.output and "calm → warning" in listed.output
    assert "webhook: pending (1 attempt)" in listed.output
    as_json = monitor(tmp_path / "monitor.yaml", "alerts", "list", "--json")
    assert '"status": "pending"' in as_json.output and "HTTP 503" in as_json.output
