"""Mail the digest over SMTP: one multipart/alternative message, plain text first, HTML second.

Any failure (connection, TLS, login, refused recipients, a missing password variable) becomes a
``DigestSendError`` naming the server and the step that failed; the caller logs it and retries on the next
run. The password is read from the environment variable the config names, never from the config file.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from indicators.errors import ConfigError, DigestSendError
from monitor.config.model import SmtpConfig

__all__ = ["DEFAULT_TIMEOUT", "DigestSendError", "build_message", "send_digest"]

DEFAULT_TIMEOUT = 30.0


def build_message(smtp: SmtpConfig, *, subject: str, html: str, text: str) -> EmailMessage:
    """The message: text/plain first, text/html second, both UTF-8 (the last part is the preferred one)."""
    message = EmailMessage()
    message["Subject"] = subject  # non-ASCII is RFC 2047-encoded as UTF-8 by the default policy
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.to)
    message["Date"] = formatdate(localtime=True)
    # An explicit domain: make_msgid would otherwise look up this host's FQDN, which can stall on DNS.
    message["Message-ID"] = make_msgid(domain=parseaddr(smtp.sender)[1].rpartition("@")[2] or "localhost")
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send_digest(
    smtp: SmtpConfig,
    *,
    subject: str,
    html: str,
    text: str,
    env: Mapping[str, str],
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    what: str = "the digest",
) -> None:
    """Send the digest to ``smtp.to``. ``ssl_context`` defaults to the system's trust store (tests pass one
    that trusts their own certificate); ``what`` names the message in errors (alerts use it too)."""
    host, port = smtp.host, smtp.effective_port
    where = f"SMTP server {host}:{port} ({smtp.security})"

    def fail(step: str, error: BaseException | str) -> DigestSendError:
        detail = (str(error) or type(error).__name__) if isinstance(error, BaseException) else error
        return DigestSendError(
            f"could not mail {what}: {step} at {where} failed: {detail}; "
            "check digest.smtp in the config; the next run will try again",
            host=host,
            port=port,
        )

    try:
        password = smtp.password(env) if smtp.username else None
    except ConfigError as error:
        raise fail("reading the password", error) from error
    message = build_message(smtp, subject=subject, html=html, text=text)
    context = ssl_context or ssl.create_default_context()

    step = "connecting"
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            step = "greeting (EHLO)"
            client.ehlo()
            if smtp.security == "starttls":
                step = "starting TLS (STARTTLS)"
                if not client.has_extn("starttls"):
                    raise fail(step, "the server does not offer STARTTLS (set security: ssl or none)")
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                step = f"logging in as {smtp.username}"
                try:
                    client.login(smtp.username, password or "")
                except UnicodeEncodeError:
                    # smtplib sends credentials as ASCII only; say so rather than "codec can't encode".
                    raise fail(step, "the user name and password must be ASCII for SMTP login") from None
            step = "sending the message"
            refused = client.send_message(message)
            if refused:
                raise fail(step, f"recipients refused: {', '.join(sorted(refused))}")
    except DigestSendError:
        raise
    except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError, UnicodeError) as error:
        raise fail(step, error) from error
