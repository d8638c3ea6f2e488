"""Config: where it is found, what it accepts, and how it reports what it rejects."""

from __future__ import annotations

import re
import shutil
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from indicators.errors import ConfigError
from monitor.config.model import (
    CONFIG_ENV_VAR,
    Config,
    default_config_text,
    load_config,
    parse_duration,
    resolve_config_path,
    write_starter,
)
from monitor.config.yaml_document import format_key_path, parse_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "config"


def fixture(name: str, tmp_path: Path) -> Path:
    """A copy of a fixture in tmp_path, so relative paths in it resolve somewhere harmless."""
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    extra = tmp_path / "extra" / "indicators.yaml"  # the definition file valid_full.yaml names
    extra.parent.mkdir(exist_ok=True)
    extra.write_text("indicators: []\n", encoding="utf-8")
    return target


def marked_lines(path: Path) -> list[int]:
    """1-based numbers of the lines carrying an ``# ERROR`` marker."""
    return [n for n, line in enumerate(path.read_text().splitlines(), start=1) if "# ERROR" in line]


def load_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


# --- the shipped starter --------------------------------------------------------------------------


def test_starter_is_the_builtin_default_and_every_feed_validates(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert 20 <= len(config.feeds) <= 30
    assert config.source is None
    for feed in config.feeds:
        parts = urlsplit(feed.url)
        assert parts.scheme == "https", feed.url
        assert parts.hostname and "example" not in parts.hostname, feed.url
        assert 0 < feed.reliability <= 1
        assert feed.enabled
    assert len({f.url for f in config.feeds}) == len({f.name for f in config.feeds}) == len(config.feeds)


def test_starter_covers_the_scenarios_languages_and_outlet_types(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert {"be", "uk", "ru", "pl", "lt", "en", "fr", "de"} <= {f.language for f in config.feeds}
    hosts = {urlsplit(f.url).hostname for f in config.feeds}
    for expected in (
        "nashaniva.com",
        "news.zerkalo.io",
        "kyivindependent.com",
        "www.lrt.lt",
        "meduza.io",
        "feeds.bbci.co.uk",
        "rss.dw.com",
        "www.rferl.org",
        "notesfrompoland.com",
    ):
        assert expected in hosts
    state = [f for f in config.feeds if "(state)" in f.name]
    others = [f for f in config.feeds if "(state)" not in f.name]
    assert state, "state media are listed, with low reliability"
    assert max(f.reliability for f in state) < min(f.reliability for f in others)


def test_starter_text_shows_the_model_defaults(tmp_path: Path) -> None:
    # The starter documents the defaults; if a default changes in code, the starter must change too.
    starter = load_config(None, cwd=tmp_path)
    from_code = Config.model_validate({}, context={"base_dir": tmp_path})
    for section in ("database", "schedule", "fetch", "digest", "alerts", "scenarios", "definitions"):
        assert getattr(starter, section) == getattr(from_code, section), section


def test_starter_documents_duration_forms() -> None:
    text = default_config_text()
    assert "30s, 15m, 2h, 1d" in text
    assert text.startswith("#")


def test_write_starter_writes_a_loadable_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "monitor.yaml"
    write_starter(target, force=False)
    assert target.read_text(encoding="utf-8") == default_config_text()
    loaded = load_config(target)
    assert loaded.source == target
    assert loaded.database_url == f"sqlite:///{tmp_path / 'sub' / 'data' / 'monitor.db'}"

    target.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"already exists.*--force") as info:
        write_starter(target, force=False)
    assert info.value.path == str(target)
    assert target.read_text(encoding="utf-8") == "# mine\n"

    write_starter(target, force=True)
    assert target.read_text(encoding="utf-8") == default_config_text()


def test_file_equal_to_starter_has_the_same_fingerprint_as_no_file(tmp_path: Path) -> None:
    write_starter(tmp_path / "monitor.yaml", force=False)
    assert (
        load_config(tmp_path / "monitor.yaml").fingerprint() == load_config(None, cwd=tmp_path).fingerprint()
    )


# --- finding the file -----------------------------------------------------------------------------


@pytest.fixture
def three_configs(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name / "monitor.yaml" for name in ("flag", "env", "cwd")}
    for path in paths.values():
        path.parent.mkdir()
        path.write_text("feeds: []\n")
    return paths


def test_flag_beats_env_beats_cwd(three_configs: dict[str, Path]) -> None:
    flag, env, cwd = three_configs["flag"], three_configs["env"], three_configs["cwd"].parent
    assert resolve_config_path(str(flag), {CONFIG_ENV_VAR: str(env)}, cwd) == flag
    assert resolve_config_path(None, {CONFIG_ENV_VAR: str(env)}, cwd) == env
    assert resolve_config_path(None, {}, cwd) == cwd / "monitor.yaml"
    assert resolve_config_path(None, {CONFIG_ENV_VAR: ""}, cwd) == cwd / "monitor.yaml"


def test_no_file_anywhere_means_builtin_defaults(tmp_path: Path) -> None:
    assert resolve_config_path(None, {}, tmp_path) is None


def test_relative_flag_resolves_against_cwd(three_configs: dict[str, Path]) -> None:
    root = three_configs["flag"].parent.parent
    assert resolve_config_path("flag/monitor.yaml", {}, root) == three_configs["flag"]
    assert resolve_config_path(None, {CONFIG_ENV_VAR: "env/monitor.yaml"}, root) == three_configs["env"]


@pytest.mark.parametrize(
    ("flag", "env", "origin"),
    [("nope.yaml", {}, "--config"), (None, {CONFIG_ENV_VAR: "nope.yaml"}, "$MONITOR_CONFIG")],
)
def test_missing_explicit_file_is_an_error_naming_it(
    tmp_path: Path, flag: str | None, env: dict[str, str], origin: str
) -> None:
    (tmp_path / "monitor.yaml").write_text("feeds: []\n")  # must not be used as a fallback
    with pytest.raises(ConfigError) as info:
        resolve_config_path(flag, env, tmp_path)
    assert str(tmp_path / "nope.yaml") in str(info.value)
    assert origin in str(info.value)
    assert info.value.path == str(tmp_path / "nope.yaml")


def test_load_config_of_a_missing_path_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "gone.yaml"))):
        load_config(tmp_path / "gone.yaml")


# --- valid forms ----------------------------------------------------------------------------------


def test_fetch_defaults_are_the_settings_defaults_and_the_daemons_values(tmp_path: Path) -> None:
    from monitor.feeds.fetch_settings import BackoffSettings, FetchSettings
    from monitor.pipeline.poll_settings import poll_settings

    path = tmp_path / "monitor.yaml"
    path.write_text("feeds: []\n", encoding="utf-8")
    config = load_config(path)
    settings = poll_settings(config)
    # One set of defaults: an empty config gives exactly what the dataclasses give on their own.
    assert settings.fetch == FetchSettings() == config.fetch.fetch_settings()
    assert settings.backoff == BackoffSettings() == config.fetch.backoff_settings()
    # ... and they are the values the daemon has always run with.
    assert (settings.fetch.read_timeout, settings.fetch.max_body_bytes, settings.fetch.concurrency) == (
        30.0,
        10 * 1024 * 1024,
        16,
    )
    assert settings.fetch.user_agent == "scenario-monitor/0.1 (RSS reader; polite polling)"
    assert settings.backoff.max_delay_seconds == 6 * 3600


def test_every_section_loads_from_a_full_file(tmp_path: Path) -> None:
    config = load_config(fixture("valid_full.yaml", tmp_path))
    assert config.database_url == f"sqlite:///{tmp_path / 'state' / 'monitor.db'}"
    assert config.schedule.poll_interval == timedelta(hours=1, minutes=30)
    assert config.schedule.digest_time == time(7, 30)
    assert config.schedule.tzinfo.key == "Europe/Vilnius"
    fetch = config.fetch
    assert (fetch.connect_timeout, fetch.read_timeout, fetch.deadline) == (
        timedelta(seconds=5),
        timedelta(seconds=20),
        timedelta(seconds=90),
    )
    assert fetch.max_body_bytes == 512_000
    assert (fetch.max_redirects, fetch.per_host_concurrency, fetch.concurrency) == (0, 1, 4)
    assert (fetch.backoff_base, fetch.backoff_cap, fetch.max_server_delay) == (
        timedelta(seconds=30),
        timedelta(days=1),
        timedelta(hours=2),
    )
    built = fetch.fetch_settings()
    assert (built.connect_timeout, built.read_timeout, built.deadline, built.max_body_bytes) == (
        5,
        20,
        90,
        512_000,
    )
    assert (built.max_redirects, built.per_host_concurrency, built.concurrency) == (0, 1, 4)
    assert built.user_agent == fetch.user_agent
    backoff = fetch.backoff_settings()
    assert (backoff.base_seconds, backoff.cap_seconds, backoff.max_delay_seconds) == (30, 86400, 7200)
    assert config.digest.output_dir == tmp_path / "out" / "digests"
    smtp = config.digest.smtp
    assert smtp is not None
    assert (smtp.host, smtp.security, smtp.effective_port, smtp.sender) == (
        "smtp.example.org",
        "ssl",
        465,
        "Monitor <monitor@example.org>",
    )
    assert smtp.to == ("analyst@example.org", "team@example.org")
    war = config.scenarios["belarus_war"]
    assert war.weights == {"by_troops_to_ua_border": 2.5, "by_mobilisation": 1.0}
    assert war.thresholds is not None and [t.level for t in war.thresholds] == ["watch", "alert"]
    assert (war.half_life_days, war.relevance_threshold, war.stacking_share) == (3.5, 0.5, 0.25)
    assert config.to_overrides()["belarus_war"].stacking_share == 0.25
    energy = config.scenarios["energy_leverage"]
    assert (energy.weights, energy.thresholds, energy.half_life_days) == ({}, None, 14)
    assert config.definitions == (tmp_path / "extra" / "indicators.yaml",)
    plain, everything, _ = config.feeds
    assert (plain.reliability, plain.enabled, plain.poll_interval) == (1.0, True, None)
    assert (everything.language, everything.reliability, everything.enabled) == ("no", 0.0, False)
    assert config.enabled_feeds == (config.feeds[0], config.feeds[2])


def test_effective_poll_interval_is_the_feeds_own_else_the_schedules(tmp_path: Path) -> None:
    config = load_config(fixture("valid_full.yaml", tmp_path))
    plain, everything, _ = config.feeds
    assert config.poll_interval_for(plain) == timedelta(hours=1, minutes=30)
    assert config.poll_interval_for(everything) == timedelta(hours=2)


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("1.5m", 90),
        ("2H", 7200),
        (900, 900),
        ("900", 900),
        (2.5, 2.5),
    ],
)
def test_duration_forms(written: object, seconds: float) -> None:
    assert parse_duration(written) == timedelta(seconds=seconds)


@pytest.mark.parametrize("written", ["0", 0, -5, "5x", "", "m", "1h-30m", True, None, [30]])
def test_invalid_durations_are_rejected(written: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(written)


@given(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from([("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]),
)
def test_duration_unit_arithmetic(count: int, unit: tuple[str, int]) -> None:
    assert parse_duration(f"{count}{unit[0]}") == timedelta(seconds=count * unit[1])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite:///{base}/data/x.db"),
        ("sqlite+pysqlite:///x.db?timeout=5", "sqlite+pysqlite:///{base}/x.db?timeout=5"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite://", "sqlite://"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url_resolution(tmp_path: Path, url: str, expected: str) -> None:
    config_file = tmp_path / "conf" / "monitor.yaml"
    config_file.parent.mkdir()
    config_file.write_text(f"database: {{url: '{url}'}}\nfeeds: []\n")
    assert load_config(config_file).database_url == expected.format(base=tmp_path / "conf")


def test_relative_paths_resolve_against_cwd_without_a_file(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'monitor.db'}"
    assert config.digest.output_dir == tmp_path / "digests"


def test_missing_feeds_key_means_the_starter_feeds_and_empty_list_means_none(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("schedule: {poll_interval: 5m}\n")
    (tmp_path / "b.yaml").write_text("feeds: []\n")
    (tmp_path / "c.yaml").write_text("")
    starter_feeds = load_config(None, cwd=tmp_path).feeds
    assert load_config(tmp_path / "a.yaml").feeds == starter_feeds
    assert load_config(tmp_path / "b.yaml").feeds == ()
    assert load_config(tmp_path / "c.yaml").feeds == starter_feeds


def test_yaml_scalars_follow_yaml_1_2(tmp_path: Path) -> None:
    doc = parse_yaml("a: 7:30\nb: no\nc: on\nd: 010\ne: 0x1f\nf: 2024-01-01\ng: true\nh: ~\ni: 1.5e3\n")
    assert doc.data == {
        "a": "7:30",
        "b": "no",
        "c": "on",
        "d": 10,
        "e": 31,
        "f": "2024-01-01",
        "g": True,
        "h": None,
        "i": 1500.0,
    }


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    with pytest.raises(ValidationError):
        config.schedule.timezone = "Europe/Minsk"
    with pytest.raises(ValidationError):
        config.feeds[0].reliability = 0.1


def test_smtp_password_comes_from_the_named_environment_variable(tmp_path: Path) -> None:
    smtp = load_config(fixture("valid_full.yaml", tmp_path)).digest.smtp
    assert smtp is not None
    assert smtp.password({"MONITOR_SMTP_PASSWORD": "s3cret"}) == "s3cret"
    with pytest.raises(ConfigError, match=r"MONITOR_SMTP_PASSWORD.*not set"):
        smtp.password({})


# --- fingerprint ----------------------------------------------------------------------------------


def test_fingerprint_ignores_comments_and_layout_but_not_values(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("schedule: {poll_interval: 15m}\nfeeds: []\n")
    (tmp_path / "b.yaml").write_text("# a comment\nfeeds: []\n\nschedule:\n  poll_interval: 900\n")
    (tmp_path / "c.yaml").write_text("schedule: {poll_interval: 16m}\nfeeds: []\n")
    a, b, c = (load_config(tmp_path / f"{name}.yaml") for name in "abc")
    assert a.fingerprint() == b.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", a.fingerprint())
    assert a.fingerprint() != c.fingerprint()
    assert a.changed_sections(c) == {"schedule"}
    assert a.changed_sections(b) == frozenset()


@pytest.mark.parametrize(
    "change",
    ["feeds[0].reliability: 0.5", "feeds[0].enabled: false", "scenarios: weight", "fetch.user_agent"],
)
def test_fingerprint_changes_with_any_setting(tmp_path: Path, change: str) -> None:
    base = "feeds:\n  - {name: A, url: 'https://a.example/rss', language: en}\n"
    edited = {
        "feeds[0].reliability: 0.5": base.replace("language: en", "language: en, reliability: 0.5"),
        "feeds[0].enabled: false": base.replace("language: en", "language: en, enabled: false"),
        "scenarios: weight": base + "scenarios: {belarus_war: {weights: {x: 2}}}\n",
        "fetch.user_agent": base + "fetch: {user_agent: other}\n",
    }[change]
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "edited.yaml").write_text(edited)
    assert (
        load_config(tmp_path / "base.yaml").fingerprint()
        != load_config(tmp_path / "edited.yaml").fingerprint()
    )


def test_to_overrides_converts_to_the_scenarios_types(tmp_path: Path) -> None:
    scenarios = pytest.importorskip("scenarios")
    if not hasattr(scenarios, "ScenarioOverride"):
        pytest.skip("scenarios.ScenarioOverride is not written yet")
    overrides = load_config(fixture("valid_full.yaml", tmp_path)).to_overrides()
    war = overrides["belarus_war"]
    assert isinstance(war, scenarios.ScenarioOverride)
    assert dict(war.weights) == {"by_troops_to_ua_border": 2.5, "by_mobilisation": 1.0}
    assert war.thresholds == (scenarios.Threshold("watch", 2.0, 1.0), scenarios.Threshold("alert", 9.0, 7.0))
    assert overrides["energy_leverage"].thresholds is None


# --- error messages -------------------------------------------------------------------------------

SINGLE_ERRORS = [
    ("bad_reliability.yaml", "feeds[1].reliability", "is 1.5; expected a number from 0 to 1"),
    ("bad_timezone.yaml", "schedule.timezone", 'is "Europe/Kiev2"; expected an IANA time zone'),
    ("unknown_top_key.yaml", "feed", "is not a known key (did you mean feeds?)"),
    ("unknown_feed_key.yaml", "feeds[0].reliabilty", "did you mean reliability?"),
    ("bad_url.yaml", "feeds[1].url", 'is "ftp://two.example/rss"; expected an http:// or https:// URL'),
    (
        "bad_language.yaml",
        "feeds[0].language",
        "ISO 639-1 language code such as en, ru, uk, be, pl, lt, de, fr (did you mean uk?)",
    ),
    ("bad_duration.yaml", "fetch.read_timeout", 'is "10 minutes"; expected a duration such as 30s, 15m'),
    ("bad_digest_time.yaml", "schedule.digest_time", 'is "25:00"; expected a local time of day as "HH:MM"'),
    ("password_in_config.yaml", "digest.smtp.password", "never write the password in the config"),
    ("bad_threshold.yaml", "scenarios.belarus_war.thresholds[1]", "expected down < up"),
    ("duplicate_feed_url.yaml", "feeds[1].url", "feeds[0] has the same URL"),
    ("duplicate_feed_name.yaml", "feeds[1].name", "feeds[0] has the same name"),
    ("duplicate_yaml_key.yaml", "schedule.poll_interval", "is written twice (first at line 2)"),
    ("missing_language.yaml", "feeds[1].language", "is required but missing"),
    ("bad_backoff.yaml", "fetch.backoff_base", "is 1d; is longer than fetch.backoff_cap (6h)"),
]


@pytest.mark.parametrize(("name", "key", "expected"), SINGLE_ERRORS, ids=[case[0] for case in SINGLE_ERRORS])
def test_error_names_file_line_key_value_and_expected_form(
    tmp_path: Path, name: str, key: str, expected: str
) -> None:
    path = fixture(name, tmp_path)
    (line,) = marked_lines(path)
    error = load_error(path)
    message = str(error)
    assert re.match(rf"{re.escape(f'{path}, line {line}: {key}')}[ :]", message), message
    assert expected in message
    assert "\n" not in message, "one error is one paragraph"
    assert (error.path, error.key) == (str(path), key)


def test_several_errors_are_all_listed_one_line_each_in_file_order(tmp_path: Path) -> None:
    path = fixture("many_errors.yaml", tmp_path)
    text = path.read_text().splitlines()
    expected = [(n, line.split("# ERROR ")[1]) for n, line in enumerate(text, start=1) if "# ERROR" in line]
    header, *lines = str(load_error(path)).splitlines()
    assert header == f"{path}: {len(expected)} problems:"
    assert [ln.strip().split(" ", 3)[:3] for ln in lines] == [["line", f"{n}:", key] for n, key in expected]


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = fixture("syntax_error.yaml", tmp_path)
    (line,) = marked_lines(path)
    message = str(load_error(path))
    assert message.startswith(f"{path}, line {line}: not valid YAML")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = fixture("top_level_list.yaml", tmp_path)
    assert str(load_error(path)).startswith(f"{path}, line 1: expected a mapping of sections")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("databse: {url: 'sqlite://'}\n", "databse"),
        ("schedule: {poll_every: 5m}\n", "schedule.poll_every"),
        ("fetch: {timeout: 5s}\n", "fetch.timeout"),
        (
            "digest: {smtp: {host: h, from: a@b.org, to: [a@b.org], port_number: 25}}\n",
            "digest.smtp.port_number",
        ),
        ("scenarios: {belarus_war: {weight: {x: 1}}}\n", "scenarios.belarus_war.weight"),
        (
            "scenarios: {belarus_war: {thresholds: [{level: a, up: 2, down: 1, colour: red}]}}\n",
            "scenarios.belarus_war.thresholds[0].colour",
        ),
        ("feeds: [{name: A, url: 'https://a.example/', language: en, country: BY}]\n", "feeds[0].country"),
    ],
)
def test_unknown_keys_are_rejected_everywhere(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(text)
    error = load_error(path)
    assert error.key == key
    assert f"line 1: {key} is not a known key" in str(error)
    assert "allowed here:" in str(error)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("fetch: {max_redirects: many}\n", "fetch.max_redirects", 'is "many"; expected a whole number'),
        ("fetch: {concurrency: 0}\n", "fetch.concurrency", "is 0; expected a number of at least 1"),
        ("fetch: {max_body_bytes: lots}\n", "fetch.max_body_bytes", "expected a size in bytes"),
        (
            "fetch: {per_host_concurrency: 20}\n",
            "fetch.per_host_concurrency",
            "exceeds fetch.concurrency (16)",
        ),
        ("fetch: {deadline: 5s}\n", "fetch.deadline", "is shorter than connect_timeout or read_timeout"),
        ("feeds: {a: 1}\n", "feeds", "expected a list"),
        (
            "feeds: [{name: '', url: 'https://a.example/', language: en}]\n",
            "feeds[0].name",
            "expected non-empty",
        ),
        (
            "feeds: [{name: A, url: 'https://a.example/', language: en, enabled: maybe}]\n",
            "feeds[0].enabled",
            "expected true or false",
        ),
        (
            "feeds: [{name: A, url: 'https://a.example/', language: en, poll_interval: 30s}]\n",
            "feeds[0].poll_interval",
            "expected at least 1m",
        ),
        ("database: {url: 'postgres://u@h/db'}\n", "database.url", "expected postgresql://"),
        (
            "digest: {smtp: {host: h, from: a@b.org, to: [a@b.org], security: tls}}\n",
            "digest.smtp.security",
            "expected one of 'starttls', 'ssl' or 'none'",
        ),
        (
            "digest: {smtp: {host: h, from: a@b.org, to: []}}\n",
            "digest.smtp.to",
            "is an empty list; expected a non-empty",
        ),
        (
            "digest: {smtp: {host: h, from: a@b.org, to: [a@b.org], password_env: 'my password'}}\n",
            "digest.smtp.password_env",
            "expected the NAME of an environment variable",
        ),
        (
            "digest: {smtp: {host: h, from: a@b.org, to: [a@b.org], username: me}}\n",
            "digest.smtp.username",
            "password_env is not",
        ),
        ("scenarios: {Belarus War: {}}\n", "scenarios['Belarus War']", "is not a valid key; expected an id"),
        (
            "scenarios: {belarus_war: {weights: {x: 0}}}\n",
            "scenarios.belarus_war.weights.x",
            "is 0; expected a weight greater than 0",
        ),
        (
            "scenarios: {belarus_war: {half_life_days: -1}}\n",
            "scenarios.belarus_war.half_life_days",
            "expected a number of days greater than 0",
        ),
        (
            "scenarios: {belarus_war: {stacking_share: 1.5}}\n",
            "scenarios.belarus_war.stacking_share",
            "expected a number from 0 to 1",
        ),
        (
            "scenarios: {belarus_war: {thresholds: [{level: b, up: 5, down: 4},"
            " {level: a, up: 3, down: 2}]}}",
            "scenarios.belarus_war.thresholds",
            "ascending order",
        ),
        (
            "scenarios: {belarus_war: {thresholds: [{level: calm, up: 5, down: 4}]}}\n",
            "scenarios.belarus_war.thresholds[0]",
            "calm is the base level",
        ),
    ],
)
def test_value_errors_name_key_value_and_expected_form(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(text)
    error = load_error(path)
    assert error.key == key
    assert str(error).startswith(f"{path}, line 1: {key}")
    assert expected in str(error)


def test_bad_builtin_file_errors_name_a_line_beyond_the_file_never(tmp_path: Path) -> None:
    # A line number always points into the file the user has, even for a key that is missing.
    path = tmp_path / "monitor.yaml"
    path.write_text("\n\nfeeds:\n  - name: A\n")
    message = str(load_error(path))
    assert all(int(n) <= 4 for n in re.findall(r"line (\d+)", message))


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_bytes(b"feeds: []\n# caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("feeds", 3, "reliability"), "feeds[3].reliability"),
        (("scenarios", "a b", "weights"), "scenarios['a b'].weights"),
        ((), "(top level)"),
    ],
)
def test_key_path_format(path: tuple[str | int, ...], text: str) -> None:
    assert format_key_path(path) == text


def test_missing_definition_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text("feeds: []\ndefinitions:\n  - nope.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and "line 2" in message and str(tmp_path / "nope.yaml") in message


def test_a_wrong_list_is_counted_in_good_english(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text("schedule:\n  poll_interval: [15m]\n", encoding="utf-8")
    assert "schedule.poll_interval is a list of 1 entry; expected a duration" in str(load_error(path))
    path.write_text("schedule:\n  poll_interval: [15m, 30m]\n", encoding="utf-8")
    assert "is a list of 2 entries;" in str(load_error(path))
