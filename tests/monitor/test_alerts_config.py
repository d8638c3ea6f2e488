"""The ``alerts:`` section: defaults, every form it accepts, and errors naming line, key and fix."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from indicators.errors import ConfigError
from monitor.config.model import load_config

SMTP = "digest: {smtp: {host: h, from: a@b.org, to: [a@b.org]}}\n"


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "monitor.yaml"
    path.write_text("feeds: []\n" + text, encoding="utf-8")
    return load_config(path)


def error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return info.value


def test_alerts_are_off_by_default(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert config.alerts.channels == ()
    assert config.alerts.cooldown == timedelta(hours=6)
    assert config.alerts.webhook is None


def test_a_full_alerts_section_loads(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        SMTP + "alerts:\n"
        "  channels: [email, webhook]\n"
        "  min_level: warning\n"
        "  spikes: false\n"
        "  cooldown: 2h\n"
        "  rearm_margin: 1.5\n"
        "  webhook: {url: 'https://hooks.example.org/x', token_env: HOOK_TOKEN, timeout: 3s}\n"
        "  retry_base: 30s\n"
        "  retry_cap: 10m\n"
        "  max_attempts: 4\n"
        "  digest_url: https://intranet.example.org/digests/\n",
    )
    alerts = config.alerts  # type: ignore[attr-defined]
    assert alerts.channels == ("email", "webhook")
    assert (alerts.min_level, alerts.spikes, alerts.cooldown) == ("warning", False, timedelta(hours=2))
    assert alerts.webhook.token({"HOOK_TOKEN": "t"}) == "t"
    assert alerts.webhook.timeout == timedelta(seconds=3)
    assert (alerts.retry_base, alerts.retry_cap, alerts.max_attempts) == (
        timedelta(seconds=30),
        timedelta(minutes=10),
        4,
    )


def test_a_missing_token_variable_says_which_one(tmp_path: Path) -> None:
    config = load(tmp_path, "alerts: {webhook: {url: 'https://h.example/x', token_env: HOOK_TOKEN}}\n")
    with pytest.raises(ConfigError, match="HOOK_TOKEN, which is not set"):
        config.alerts.webhook.token({})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("alerts: {cooldwn: 1h}\n", "alerts.cooldwn", "is not a known key (did you mean cooldown?)"),
        (
            "alerts: {webhook: {url: 'https://h.example/x', token: abc}}\n",
            "alerts.webhook.token",
            "never write the token in the config",
        ),
        ("alerts: {channels: [sms]}\n", "alerts.channels[0]", "expected one of 'email' or 'webhook'"),
        (
            "alerts: {channels: [webhook, webhook], webhook: {url: 'https://h.example/x'}}\n",
            "alerts.channels",
            "each channel once",
        ),
        ("alerts: {channels: [email]}\n", "alerts.channels", "there is no digest.smtp section"),
        ("alerts: {channels: [webhook]}\n", "alerts.channels", "alerts.webhook is not set"),
        (
            "alerts: {webhook: {url: 'ftp://h.example/x'}}\n",
            "alerts.webhook.url",
            "expected an http:// or https:// URL",
        ),
        ("alerts: {cooldown: soon}\n", "alerts.cooldown", "expected a duration"),
        (
            "alerts: {webhook: {url: 'https://h.example/x', timeout: 10m}}\n",
            "alerts.webhook.timeout",
            "is 10m; expected at most 2m",
        ),
        (
            "alerts: {retry_base: 2h, retry_cap: 1h}\n",
            "alerts.retry_base",
            "longer than alerts.retry_cap (1h)",
        ),
        ("alerts: {max_attempts: 0}\n", "alerts.max_attempts", "expected a number of at least 1"),
        ("alerts: {rearm_margin: -1}\n", "alerts.rearm_margin", "expected a number of at least 0"),
        ("alerts: {min_level: Warning!}\n", "alerts.min_level", "expected an id of lowercase letters"),
    ],
)
def test_bad_alerts_settings_name_line_key_and_expected_form(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    found = error(tmp_path, text)
    assert found.key == key
    assert f"line 2: {key}" in str(found)
    assert expected in str(found)
