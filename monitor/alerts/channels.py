"""Sending one alert body through one channel: ``email`` (the digest's SMTP settings) or ``webhook``
(an HTTP POST of the JSON body). Every failure is an ``AlertSendError`` naming the channel.

The webhook gets ``Content-Type: application/json``, ``X-Monitor-Alert: <id>`` (the same on every
retry, so a receiver can drop a repeat) and, when ``token_env`` is set, ``Authorization: Bearer``
with that variable's value; the token is never stored, logged or shown.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from indicators.errors import AlertSendError, ConfigError, DigestSendError
from monitor.alerts.payload import mail_parts
from monitor.config.model import Config
from monitor.digest.send import send_digest
from monitor.redaction import redact_errors, redact_url

__all__ = ["send_through"]

# An answer body kept in the error: the start of what the receiver said, not its whole page.
ANSWER_CHARS = 200


def send_through(
    channel: str,
    config: Config,
    body: Mapping[str, Any],
    *,
    env: Mapping[str, str],
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    if channel == "email":
        _send_email(config, body, env=env, ssl_context=ssl_context)
    elif channel == "webhook":
        _send_webhook(config, body, env=env)
    else:
        raise AlertSendError(f"unknown alert channel {channel!r}; expected email or webhook", channel=channel)


def _send_email(
    config: Config, body: Mapping[str, Any], *, env: Mapping[str, str], ssl_context: ssl.SSLContext | None
) -> None:
    smtp = config.digest.smtp
    if smtp is None:
        raise AlertSendError(
            "the email channel needs digest.smtp in the config, which is not set", channel="email"
        )
    subject, text, html = mail_parts(body)
    subject = " ".join(subject.split())  # a title with a line break would be refused as a header
    try:
        send_digest(
            smtp, subject=subject, html=html, text=text, env=env, ssl_context=ssl_context, what="the alert"
        )
    except DigestSendError as exc:
        raise AlertSendError(f"email: {exc}", channel="email") from exc


def _send_webhook(config: Config, body: Mapping[str, Any], *, env: Mapping[str, str]) -> None:
    hook = config.alerts.webhook
    if hook is None:
        raise AlertSendError(
            "the webhook channel needs alerts.webhook in the config, which is not set", channel="webhook"
        )
    where = redact_url(hook.url)
    try:
        token = hook.token(env)
    except ConfigError as exc:
        raise AlertSendError(f"webhook {where}: {exc}", channel="webhook") from exc
    headers = {"Content-Type": "application/json", "X-Monitor-Alert": str(body["id"])}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    seconds = hook.timeout.total_seconds()
    try:
        answer = httpx.post(
            hook.url,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers=headers,
            timeout=seconds,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        detail = redact_errors(str(exc) or type(exc).__name__)
        raise AlertSendError(
            f"webhook {where} could not be reached: {detail}; the delivery is retried", channel="webhook"
        ) from exc
    if not answer.is_success:
        # The receiver's words end up in logs and `monitor alerts list`: printable characters only.
        said = " ".join("".join(c if c.isprintable() else " " for c in answer.text[:ANSWER_CHARS]).split())
        raise AlertSendError(
            f"webhook {where} answered HTTP {answer.status_code}"
            + (f" ({said})" if said else "")
            + "; the delivery is retried",
            channel="webhook",
        )
