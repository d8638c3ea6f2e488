"""Secrets in feed URLs never reach the terminal, the JSON, the logs or the digest."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.redaction import redact_errors, redact_url
from tests.helpers import FEED_A, conditional, monitor, write_config
from tests.helpers.feed_server import FeedServer


def test_passwords_and_token_parameters_are_masked() -> None:
    assert redact_url("http://user:secret@host.example/feed") == "http://user:***@host.example/feed"
    assert redact_url("https://only-token@host.example/f") == "https://***@host.example/f"
    assert (
        redact_url("https://h.example/rss?api_key=abc123&lang=de")
        == "https://h.example/rss?api_key=***&lang=de"
    )
    assert redact_url("https://h.example/rss?lang=de") == "https://h.example/rss?lang=de"  # untouched
    assert (
        redact_errors("HTTP 410 Gone at http://u:pw@h.example/x; retry")
        == "HTTP 410 Gone at http://u:***@h.example/x; retry"
    )


def test_monitor_feeds_and_the_poll_log_never_show_the_password(tmp_path: Path) -> None:
    with FeedServer() as server:
        url = server.route("/a.xml", conditional(FEED_A)).replace("http://", "http://analyst:s3cr3t-pw@")
        config = write_config(tmp_path / "monitor.yaml", [("private", url)])
        polled = monitor(config, "-vv", "poll", check=False)
        table = monitor(config, "feeds").output
        listed = monitor(config, "feeds", "--json").stdout
        digest = monitor(config, "digest", check=False).output
    for shown in (polled.output, table, listed, digest):
        assert "s3cr3t-pw" not in shown
    assert "analyst:***@" in polled.output  # the fetch's debug line names the URL, masked
    feed = json.loads(listed)["feeds"][0]
    assert feed["url"].startswith("http://analyst:***@")
    for page in (tmp_path / "digests").glob("*"):
        assert "s3cr3t-pw" not in page.read_text(encoding="utf-8")
