"""Mailing the digest to a real SMTP server (aiosmtpd) on 127.0.0.1: plain, login, STARTTLS, implicit TLS."""

from __future__ import annotations

import contextlib
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from monitor.config.model import SmtpConfig
from monitor.digest.render import render_html, render_text
from monitor.digest.send import DigestSendError, send_digest
from tests.helpers.digest_data import build_digest
from tests.helpers.smtp import PASSWORD, USER, Inbox, free_port

SUBJECT = "Digest 2025-11-20 — Беларусь: WARNING ▲ 11.8"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@contextlib.contextmanager
def _serve(inbox: Inbox, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate, **options
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def plain_server(inbox: Inbox) -> Iterator[int]:
    with _serve(inbox, auth_require_tls=False) as port:
        yield port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip(
            "the openssl command is needed to make a test certificate (Debian: apt-get install openssl)"
        )
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def _config(port: int, **changes: Any) -> SmtpConfig:
    data: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": "Scenario monitor <monitor@example.org>",
        "to": ["analyst@example.org", "Duty Desk <desk@example.org>"],
    }
    data.update(changes)
    return SmtpConfig.model_validate(data)


def _send(config: SmtpConfig, env: dict[str, str] | None = None, **kwargs: Any) -> None:
    d = build_digest()
    send_digest(config, subject=SUBJECT, html=render_html(d), text=render_text(d), env=env or {}, **kwargs)


def _check_message(inbox: Inbox) -> None:
    assert len(inbox.messages) == 1
    envelope, message = inbox.messages[0]
    assert envelope.mail_from == "monitor@example.org"
    assert sorted(envelope.rcpt_tos) == ["analyst@example.org", "desk@example.org"]
    assert message["From"] == "Scenario monitor <monitor@example.org>"
    assert message["To"] == "analyst@example.org, Duty Desk <desk@example.org>"
    assert message["Subject"] == SUBJECT  # decoded from its RFC 2047 UTF-8 form
    assert "=?utf-8?" in (envelope.original_content or b"").decode("ascii").lower()  # the wire form is 7-bit
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    d = build_digest()
    text, html = (p.get_content() for p in parts)
    assert isinstance(text, str) and isinstance(html, str)
    # SMTP carries CRLF line ends; the content is otherwise exactly what was rendered.
    assert text.replace("\r\n", "\n").rstrip("\n") == render_text(d).rstrip("\n")
    assert html.replace("\r\n", "\n").rstrip("\n") == render_html(d).rstrip("\n")
    assert "Лукашенко" in text and "Białorusi" in html


def test_sends_multipart_alternative_text_first(inbox: Inbox, plain_server: int) -> None:
    _send(_config(plain_server))
    _check_message(inbox)
    assert inbox.logins == []


def test_logs_in_with_the_password_from_the_environment(inbox: Inbox, plain_server: int) -> None:
    config = _config(plain_server, username=USER, password_env="MONITOR_SMTP_PASSWORD")
    _send(config, env={"MONITOR_SMTP_PASSWORD": PASSWORD})
    assert inbox.logins == [(USER, PASSWORD)]
    _check_message(inbox)


def test_wrong_password_is_a_send_error(inbox: Inbox, plain_server: int) -> None:
    config = _config(plain_server, username=USER, password_env="MONITOR_SMTP_PASSWORD")
    with pytest.raises(
        DigestSendError, match=rf"logging in as {USER} at SMTP server 127\.0\.0\.1:{plain_server}"
    ):
        _send(config, env={"MONITOR_SMTP_PASSWORD": "wrong"})
    assert inbox.messages == []


def test_missing_password_variable_is_a_send_error(inbox: Inbox, plain_server: int) -> None:
    config = _config(plain_server, username=USER, password_env="MONITOR_SMTP_PASSWORD")
    with pytest.raises(DigestSendError, match="MONITOR_SMTP_PASSWORD") as caught:
        _send(config, env={})
    assert caught.value.port == plain_server and caught.value.host == "127.0.0.1"
    assert inbox.messages == []


def test_starttls(inbox: Inbox, certificate: tuple[Path, Path]) -> None:
    with _serve(inbox, require_starttls=True, tls_context=_server_context(certificate)) as port:
        config = _config(port, security="starttls", username=USER, password_env="PW")
        _send(config, env={"PW": PASSWORD}, ssl_context=_client_context(certificate))
    assert inbox.logins == [(USER, PASSWORD)]
    _check_message(inbox)


def test_starttls_refuses_an_untrusted_certificate(inbox: Inbox, certificate: tuple[Path, Path]) -> None:
    context = _server_context(certificate)
    with (
        _serve(inbox, require_starttls=True, tls_context=context) as port,
        pytest.raises(DigestSendError) as caught,
    ):
        _send(_config(port, security="starttls"))  # the system trust store does not know the test CA
    assert f"starting TLS (STARTTLS) at SMTP server 127.0.0.1:{port}" in str(caught.value)
    assert "certificate" in str(caught.value).lower()
    assert inbox.messages == []


def test_starttls_not_offered_is_a_send_error(inbox: Inbox, plain_server: int) -> None:
    with pytest.raises(DigestSendError, match="does not offer STARTTLS"):
        _send(_config(plain_server, security="starttls"))
    assert inbox.messages == []


def test_implicit_tls(inbox: Inbox, certificate: tuple[Path, Path]) -> None:
    with _serve(inbox, server_hostname="127.0.0.1", ssl_context=_server_context(certificate)) as port:
        _send(_config(port, security="ssl"), ssl_context=_client_context(certificate))
    _check_message(inbox)


def test_dead_port_names_host_and_port() -> None:
    port = free_port()  # nothing listens there once the probe socket is closed
    with pytest.raises(DigestSendError) as caught:
        _send(_config(port), timeout=5)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "connecting" in message
    assert (caught.value.host, caught.value.port) == ("127.0.0.1", port)
