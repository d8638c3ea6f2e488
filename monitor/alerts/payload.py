"""The alert as a JSON body (what a webhook receives and what is stored) and as a mail.

The body (``version`` 1) is documented in the README; keep the two in step. Titles and links come
from feeds: the mail's HTML part escapes them, and only http(s) links are linked.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import db

__all__ = ["PAYLOAD_VERSION", "alert_payload", "mail_parts", "test_payload"]

PAYLOAD_VERSION = 1


def alert_payload(
    *,
    key: str,
    kind: db.AlertKind,
    scenario_id: str,
    title: str,
    level: str,
    previous_level: str,
    row_index: float,
    day: date,
    spike: bool,
    stories_today: int,
    created_at: datetime,
    stories: Sequence[db.TopStory],
    digest_url: str | None,
) -> dict[str, Any]:
    return {
        "version": PAYLOAD_VERSION,
        "id": key,
        "kind": kind.value,
        "scenario": {"id": scenario_id, "title": title},
        "level": level,
        "previous_level": previous_level,
        "index": round(row_index, 3),
        "day": day.isoformat(),
        "spike": spike,
        "stories_today": stories_today,
        "created_at": created_at.isoformat(),
        "top_stories": [
            {
                "item_id": s.item_id,
                "title": s.title,
                "url": s.url,
                "feed": s.feed_name,
                "day": s.day.isoformat(),
                "contribution": round(s.value, 3),
                "sources": s.sources,
                "indicators": list(s.indicator_ids),
            }
            for s in stories
        ],
        "digest": digest_url,
    }


def test_payload(now: datetime) -> dict[str, Any]:
    return {
        "version": PAYLOAD_VERSION,
        "id": f"test:{now.isoformat()}",
        "kind": "test",
        "scenario": None,
        "level": None,
        "previous_level": None,
        "index": None,
        "day": now.date().isoformat(),
        "spike": False,
        "stories_today": 0,
        "created_at": now.isoformat(),
        "top_stories": [],
        "digest": None,
    }


def _subject(body: Mapping[str, Any]) -> str:
    if body["kind"] == "test":
        return "Scenario monitor: test alert"
    title = body["scenario"]["title"]
    if body["kind"] == db.AlertKind.SPIKE.value:
        return (
            f"Alert: {title}: spike of {body['stories_today']} stories ({body['level']}, {body['index']:.1f})"
        )
    return f"Alert: {title} rose to {body['level']} (was {body['previous_level']}), index {body['index']:.1f}"


def _link(url: object) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def mail_parts(body: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the mail for ``body``."""
    subject = _subject(body)
    if body["kind"] == "test":
        text = (
            "This is a test alert from scenario-monitor (`monitor alerts test`).\n"
            "If you read it, alerts reach you through this channel.\n"
        )
        return subject, text, f"<p>{html.escape(text)}</p>"
    lines = [subject, "", f"Day {body['day']}, index {body['index']:.2f}, level {body['level']}."]
    if body["spike"]:
        lines.append(f"Spike: {body['stories_today']} stories today, far above the recent rate.")
    parts = [f"<h1>{html.escape(subject)}</h1>", f"<p>{html.escape(lines[2])}</p>"]
    if body["spike"]:
        parts.append(f"<p>{html.escape(lines[3])}</p>")
    if body["top_stories"]:
        lines += ["", "Strongest stories:"]
        parts.append("<ol>")
        for story in body["top_stories"]:
            link = _link(story["url"])
            lines.append(f"- {story['contribution']:+.2f} {story['title']} ({story['feed']}, {story['day']})")
            if link:
                lines.append(f"  {link}")
            title = html.escape(story["title"])
            shown = f'<a href="{html.escape(link, quote=True)}">{title}</a>' if link else title
            parts.append(
                f"<li>{story['contribution']:+.2f} {shown} "
                f"({html.escape(story['feed'])}, {html.escape(story['day'])})</li>"
            )
        parts.append("</ol>")
    digest = _link(body.get("digest"))
    if digest:
        lines += ["", f"Digest: {digest}"]
        parts.append(f'<p><a href="{html.escape(digest, quote=True)}">The latest digest</a></p>')
    return subject, "\n".join(lines) + "\n", "\n".join(parts)
