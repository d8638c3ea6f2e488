"""The user's configuration: found, read and validated once, at the edge, into frozen typed objects.

Where the config comes from (first that applies): ``--config PATH``, ``$MONITOR_CONFIG``, ``./monitor.yaml``,
else the built-in defaults, which are the shipped starter file (``monitor/starter.yaml``, also what
``monitor init`` writes). A config without a ``feeds:`` key uses the starter's feed list; ``feeds: []``
means no feeds.

Every problem in a file is reported at once, one line each, naming the file, the line, the key path
(``feeds[3].reliability``), the bad value and the expected form. Relative paths in the config (a SQLite
database file, ``definitions``, ``digest.output_dir``) resolve against the config file's directory, or the
current directory when there is no file.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import json
import re
import types
import typing
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from indicators import canonical_sha256, plural
from indicators.errors import ConfigError
from monitor.config import DEFAULT_CONFIG_NAME
from monitor.config.yaml_document import KeyPath, YamlDocument, YamlSyntaxError, format_key_path, parse_yaml
from monitor.feeds.fetch_settings import BackoffSettings, FetchSettings

if TYPE_CHECKING:
    from scenarios import ScenarioOverride

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_NAME",
    "AlertsConfig",
    "Config",
    "DatabaseConfig",
    "DigestConfig",
    "FeedConfig",
    "FetchConfig",
    "ScenarioOverrideConfig",
    "ScheduleConfig",
    "SmtpConfig",
    "ThresholdConfig",
    "WebhookConfig",
    "default_config_text",
    "load_config",
    "parse_duration",
    "resolve_config_path",
    "write_starter",
]

CONFIG_ENV_VAR = "MONITOR_CONFIG"
_BUILTIN_LABEL = "<built-in defaults (monitor/starter.yaml)>"
# validate_default: defaults go through the same validators, so default relative paths get resolved too.
_MODEL = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, validate_default=True)


# --- scalar forms --------------------------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_DURATION_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_DURATION_FORM = "a duration such as 30s, 15m, 2h, 1d, 1h30m, or a number of seconds"


def parse_duration(value: object) -> timedelta:
    """``"15m"``, ``"2h"``, ``"1h30m"``, ``"30s"``, ``"1d"``, ``900`` or ``"900"`` (seconds) → timedelta."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and re.fullmatch(rf"(?:{_DURATION_PART.pattern})+", text, re.IGNORECASE):
            seconds = sum(float(n) * _DURATION_UNITS[u.lower()] for n, u in _DURATION_PART.findall(text))
        else:
            raise PydanticCustomError("duration", f"expected {_DURATION_FORM}")
    else:
        raise PydanticCustomError("duration", f"expected {_DURATION_FORM}")
    if not seconds > 0:
        raise PydanticCustomError("duration", f"expected a duration longer than zero ({_DURATION_FORM})")
    return timedelta(seconds=seconds)


def _poll_floor(value: timedelta) -> timedelta:
    # Polling a news feed more often than once a minute gains nothing and gets clients blocked.
    if value < timedelta(minutes=1):
        raise PydanticCustomError(
            "duration", "expected at least 1m: polling more often than once a minute is impolite"
        )
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PollInterval = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_poll_floor)]

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}
_SIZE_FORM = "a size in bytes such as 10485760, 512KB, 10MB or 10MiB"


def _parse_size(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (m := _SIZE.fullmatch(value.strip())):
        size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
    else:
        raise PydanticCustomError("size", f"expected {_SIZE_FORM}")
    if size <= 0:
        raise PydanticCustomError("size", f"expected a size larger than zero ({_SIZE_FORM})")
    return size


ByteSize = Annotated[int, BeforeValidator(_parse_size)]


def _parse_clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (m := re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())):
        return time(int(m.group(1)), int(m.group(2)))
    raise PydanticCustomError("clock", 'expected a local time of day as "HH:MM", 24-hour, e.g. "07:00"')


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "timezone", "expected an IANA time zone name such as UTC, Europe/Vilnius or Europe/Kyiv"
        ) from None
    return value


# ISO 639-1 two-letter codes; feeds are tagged with these so digests and vocabularies can group by language.
_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee
el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is
it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms
mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk
sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu
"""
_ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
# Country codes and three-letter codes people write by habit, mapped to the code they meant.
_LANGUAGE_HINTS = {
    "ua": "uk", "by": "be", "cz": "cs", "dk": "da", "gr": "el", "jp": "ja", "rs": "sr",
    "bel": "be", "ukr": "uk", "rus": "ru", "pol": "pl", "lit": "lt", "lav": "lv", "est": "et",
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
}  # fmt: skip


def _check_language(value: str) -> str:
    code = value.strip().lower()
    if code in _ISO_639_1:
        return code
    hint = _LANGUAGE_HINTS.get(code) or (code[:2] if re.fullmatch(r"[a-z]{2}[-_][a-z]{2,}", code) else None)
    expected = "expected a two-letter ISO 639-1 language code such as en, ru, uk, be, pl, lt, de, fr"
    raise PydanticCustomError("language", f"{expected} (did you mean {hint}?)" if hint else expected)


def _check_feed_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or re.search(r"\s", value):
        raise PydanticCustomError("feed_url", "expected an http:// or https:// URL of an RSS or Atom feed")
    return value


def _check_reliability(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise PydanticCustomError(
            "reliability", "expected a number from 0 to 1 (1 = fully trusted; lower it for state media)"
        )
    return value


def _check_identifier(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise PydanticCustomError(
            "identifier", "expected an id of lowercase letters, digits and _, e.g. belarus_war"
        )
    return value


def _check_env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise PydanticCustomError(
            "env_name",
            "expected the NAME of an environment variable holding the password, e.g. MONITOR_SMTP_PASSWORD",
        )
    return value


def _check_address(value: str) -> str:
    _, address = parseaddr(value)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address):
        raise PydanticCustomError(
            "email", 'expected an e-mail address such as analyst@example.org or "Name <a@b.org>"'
        )
    return value


FeedUrl = Annotated[str, AfterValidator(_check_feed_url)]
Language = Annotated[str, AfterValidator(_check_language)]
Reliability = Annotated[float, AfterValidator(_check_reliability)]
Identifier = Annotated[str, AfterValidator(_check_identifier)]
EnvName = Annotated[str, AfterValidator(_check_env_name)]
Address = Annotated[str, AfterValidator(_check_address)]


def _base_dir(info: ValidationInfo) -> Path:
    context = info.context if isinstance(info.context, Mapping) else {}
    base = context.get("base_dir")
    return Path(base) if base is not None else Path.cwd()


def _resolve_sqlite_url(url: str, base_dir: Path) -> str:
    """Make a relative SQLite file path absolute against ``base_dir``; leave every other URL untouched."""
    m = re.fullmatch(r"(sqlite(?:\+\w+)?):///([^?]*)(\?.*)?", url)
    if m is None:
        return url
    scheme, file, query = m.group(1), m.group(2), m.group(3) or ""
    if not file or file == ":memory:" or file.startswith("file:") or Path(file).is_absolute():
        return url
    return f"{scheme}:///{(base_dir / file).absolute()}{query}"


# --- sections -------------------------------------------------------------------------------------


class DatabaseConfig(BaseModel):
    """Where items and scores are stored. ``url`` is resolved: a relative SQLite path is made absolute."""

    model_config = _MODEL

    url: str = "sqlite:///data/monitor.db"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        if value.startswith("postgres://"):
            raise PydanticCustomError(
                "db_url", "expected postgresql://… (SQLAlchemy does not accept postgres://)"
            )
        if not re.match(r"(sqlite|postgresql)(\+\w+)?://", value):
            raise PydanticCustomError(
                "db_url",
                "expected a database URL such as sqlite:///data/monitor.db or "
                "postgresql+psycopg://user@host/dbname",
            )
        return _resolve_sqlite_url(value, _base_dir(info))


class FeedConfig(BaseModel):
    """One RSS/Atom feed to poll."""

    model_config = _MODEL

    url: FeedUrl
    name: str = Field(min_length=1)
    language: Language
    reliability: Reliability = 1.0
    poll_interval: Duration | None = None
    enabled: bool = True

    @field_validator("poll_interval")
    @classmethod
    def _interval(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        # A feed on this machine (a local mirror, a test server) may be polled every few seconds:
        # the once-a-minute floor is politeness toward other people's servers.
        host = (urlsplit(str(info.data.get("url", ""))).hostname or "").lower()
        if value is None or (host in _LOOPBACK_HOSTS and value >= timedelta(seconds=1)):
            return value
        return _poll_floor(value)


class ScheduleConfig(BaseModel):
    model_config = _MODEL

    poll_interval: PollInterval = timedelta(minutes=15)
    # Feeds one daemon claims per tick at most (the most overdue first): daemons sharing a database
    # then share the due feeds instead of the first one to wake taking them all.
    claim_batch: Annotated[int, Field(ge=1)] = 200
    digest_time: Annotated[time, BeforeValidator(_parse_clock)] = time(7, 0)
    timezone: Annotated[str, AfterValidator(_check_timezone)] = "UTC"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


_FETCH, _BACKOFF = FetchSettings(), BackoffSettings()


class FetchConfig(BaseModel):
    """HTTP politeness and safety limits for polling feeds."""

    model_config = _MODEL

    # The defaults are those of the settings this section builds (monitor.feeds.fetch_settings).
    connect_timeout: Duration = timedelta(seconds=_FETCH.connect_timeout)
    read_timeout: Duration = timedelta(seconds=_FETCH.read_timeout)
    deadline: Duration = timedelta(seconds=_FETCH.deadline)  # whole fetch, however slowly bytes trickle
    max_body_bytes: ByteSize = _FETCH.max_body_bytes
    max_redirects: int = Field(default=_FETCH.max_redirects, ge=0, le=20)
    per_host_concurrency: int = Field(default=_FETCH.per_host_concurrency, ge=1)
    concurrency: int = Field(default=_FETCH.concurrency, ge=1)
    user_agent: str = Field(default=_FETCH.user_agent, min_length=1)
    backoff_base: Duration = timedelta(seconds=_BACKOFF.base_seconds)
    backoff_cap: Duration = timedelta(seconds=_BACKOFF.cap_seconds)
    # cap on Cache-Control max-age / Retry-After
    max_server_delay: Duration = timedelta(seconds=_BACKOFF.max_delay_seconds)
    # worker processes that analyse new items during a poll of many feeds (0: the poll's own process)
    analysis_workers: int = Field(default=0, ge=0, le=16)
    # `monitor poll` signs and groups the stories of a poll that brings many new feeds on a worker
    # process (None: when the machine has more than one core)
    story_worker: bool | None = None

    def fetch_settings(self) -> FetchSettings:
        return FetchSettings(
            connect_timeout=self.connect_timeout.total_seconds(),
            read_timeout=self.read_timeout.total_seconds(),
            deadline=self.deadline.total_seconds(),
            max_body_bytes=self.max_body_bytes,
            max_redirects=self.max_redirects,
            user_agent=self.user_agent,
            per_host_concurrency=self.per_host_concurrency,
            concurrency=self.concurrency,
        )

    def backoff_settings(self) -> BackoffSettings:
        return BackoffSettings(
            base_seconds=self.backoff_base.total_seconds(),
            cap_seconds=self.backoff_cap.total_seconds(),
            max_delay_seconds=self.max_server_delay.total_seconds(),
        )


class SmtpConfig(BaseModel):
    """Optional e-mailing of the digest; the password comes from the environment variable ``password_env``."""

    model_config = ConfigDict(**_MODEL, populate_by_name=True)

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: EnvName | None = None
    sender: Address = Field(alias="from")
    to: tuple[Address, ...] = Field(min_length=1)

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]

    def password(self, env: Mapping[str, str]) -> str | None:
        """The password from ``env[password_env]``; None when no password is configured."""
        if self.password_env is None:
            return None
        try:
            return env[self.password_env]
        except KeyError:
            raise ConfigError(
                f"digest.smtp.password_env names the environment variable {self.password_env}, "
                "which is not set; export it before sending the digest",
                key="digest.smtp.password_env",
            ) from None


class DigestConfig(BaseModel):
    model_config = _MODEL

    output_dir: Path = Path("digests")
    smtp: SmtpConfig | None = None

    @field_validator("output_dir")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        return (_base_dir(info) / value.expanduser()).absolute()


class WebhookConfig(BaseModel):
    """Where alerts are POSTed as JSON; a bearer token, if any, comes from the variable ``token_env``."""

    model_config = _MODEL

    url: FeedUrl
    token_env: EnvName | None = None
    timeout: Duration = timedelta(seconds=10)

    def token(self, env: Mapping[str, str]) -> str | None:
        """The token from ``env[token_env]``; None when no token is configured."""
        if self.token_env is None:
            return None
        try:
            return env[self.token_env]
        except KeyError:
            raise ConfigError(
                f"alerts.webhook.token_env names the environment variable {self.token_env}, "
                "which is not set; export it before the daemon sends alerts",
                key="alerts.webhook.token_env",
            ) from None


AlertChannel = Literal["email", "webhook"]


class AlertsConfig(BaseModel):
    """Immediate alerts when a scenario's level rises or a spike fires (``monitor.alerts``)."""

    model_config = _MODEL

    # email: through digest.smtp; webhook: alerts.webhook. No channel: no alert is recorded.
    channels: tuple[AlertChannel, ...] = ()
    # The lowest level whose entry alerts (a scenario without it: any rise alerts).
    min_level: Identifier | None = None
    spikes: bool = True
    # After an alert, a rise back to a level already notified in this window sends nothing.
    cooldown: Duration = timedelta(hours=6)
    # A level is re-armed once the index falls this many points below the level's ``down``.
    rearm_margin: Annotated[float, Field(ge=0)] = 0.0
    webhook: WebhookConfig | None = None
    retry_base: Duration = timedelta(minutes=1)
    retry_cap: Duration = timedelta(hours=1)
    max_attempts: int = Field(default=10, ge=1)
    # Base address of the published digests, for the link in an alert (``<digest_url><date>.html``).
    digest_url: FeedUrl | None = None

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("channels", "expected each channel once")
        return value


class ThresholdConfig(BaseModel):
    """A level of a scenario: entered when the index reaches ``up``, left when it falls below ``down``."""

    model_config = _MODEL

    level: Identifier
    up: float
    down: float

    @model_validator(mode="after")
    def _hysteresis(self) -> ThresholdConfig:
        from scenarios.types import BASE_LEVEL  # lazily: only a config that sets thresholds needs it

        if self.level == BASE_LEVEL:
            raise PydanticCustomError(
                "threshold", f"{BASE_LEVEL} is the base level and needs no threshold; remove it"
            )
        if not self.down < self.up:
            raise PydanticCustomError(
                "threshold",
                f"expected down < up (got up {self.up}, down {self.down}); down is where the level is left",
            )
        return self


def _check_thresholds(value: tuple[ThresholdConfig, ...] | None) -> tuple[ThresholdConfig, ...] | None:
    if value is None:
        return None
    levels = [t.level for t in value]
    if len(set(levels)) != len(levels):
        raise PydanticCustomError("thresholds", "expected each level once; a level is repeated")
    if any(b.up <= a.up for a, b in itertools.pairwise(value)):
        raise PydanticCustomError("thresholds", "expected levels in ascending order of up")
    return value


def _positive_number(kind: str) -> Any:
    def check(value: float) -> float:
        if not value > 0:
            raise PydanticCustomError("positive", f"expected {kind} greater than 0")
        return value

    return AfterValidator(check)


class ScenarioOverrideConfig(BaseModel):
    """What the user changes in one shipped (or user-defined) scenario; unset fields keep the definition's."""

    model_config = _MODEL

    weights: dict[Identifier, Annotated[float, _positive_number("a weight")]] = Field(default_factory=dict)
    thresholds: Annotated[tuple[ThresholdConfig, ...] | None, AfterValidator(_check_thresholds)] = None
    half_life_days: Annotated[float, _positive_number("a number of days")] | None = None
    relevance_threshold: Annotated[float, _positive_number("a number")] | None = None
    stacking_share: Annotated[float, AfterValidator(_check_stacking_share)] | None = None


def _check_stacking_share(value: float) -> float:
    if not 0 <= value <= 1:
        raise PydanticCustomError(
            "stacking_share",
            "expected a number from 0 to 1: what each further indicator of one sign adds in one item "
            "(1 adds them all, 0 keeps only the strongest)",
        )
    return value


def _empty_section() -> Any:
    return {}


# --- the whole config ----------------------------------------------------------------------------


class Config(BaseModel):
    """The validated configuration. Build it with ``load_config``; no code reads raw YAML after that."""

    model_config = _MODEL

    # Section defaults are empty mappings validated like user input, so their relative paths get resolved.
    database: DatabaseConfig = Field(default_factory=_empty_section)
    schedule: ScheduleConfig = Field(default_factory=_empty_section)
    fetch: FetchConfig = Field(default_factory=_empty_section)
    digest: DigestConfig = Field(default_factory=_empty_section)
    alerts: AlertsConfig = Field(default_factory=_empty_section)
    feeds: tuple[FeedConfig, ...] = ()
    scenarios: dict[Identifier, ScenarioOverrideConfig] = Field(default_factory=dict)
    definitions: tuple[Path, ...] = ()

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("definitions", mode="after")
    @classmethod
    def _resolve_definitions(cls, value: tuple[Path, ...], info: ValidationInfo) -> tuple[Path, ...]:
        resolved = tuple((_base_dir(info) / p.expanduser()).absolute() for p in value)
        missing = [str(p) for p in resolved if not p.is_file()]
        if missing:
            raise PydanticCustomError(
                "definitions",
                "expected paths of existing YAML definition files; not found: {missing}",
                {"missing": ", ".join(missing)},
            )
        return resolved

    @property
    def source(self) -> Path | None:
        """The file this config was read from; None for the built-in defaults."""
        return self._source

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path resolved against the config file's directory."""
        return self.database.url

    @property
    def enabled_feeds(self) -> tuple[FeedConfig, ...]:
        return tuple(feed for feed in self.feeds if feed.enabled)

    def poll_interval_for(self, feed: FeedConfig) -> timedelta:
        """The feed's own ``poll_interval``, else the schedule's."""
        return feed.poll_interval or self.schedule.poll_interval

    def fingerprint(self) -> str:
        """sha256 hex over the parsed config: equal iff every setting is equal (comments and layout ignored).

        It covers the paths listed in ``definitions``, not those files' contents.
        """
        return canonical_sha256(self.model_dump(mode="json", by_alias=True))

    def section_fingerprints(self) -> dict[str, str]:
        """One fingerprint per top-level section, so a watcher can tell what changed."""
        return {
            name: canonical_sha256(value)
            for name, value in self.model_dump(mode="json", by_alias=True).items()
        }

    def changed_sections(self, other: Config) -> frozenset[str]:
        """Top-level sections (``feeds``, ``schedule`` …) whose settings differ between the two configs."""
        mine, theirs = self.section_fingerprints(), other.section_fingerprints()
        return frozenset(name for name in mine if mine[name] != theirs.get(name))

    def to_overrides(self) -> dict[str, ScenarioOverride]:
        """The ``scenarios:`` section as ``scenarios.ScenarioOverride`` values for ``load_scenarios``."""
        from scenarios import Level, ScenarioOverride, Threshold  # lazily: config loads without scenarios

        return {
            scenario_id: ScenarioOverride(
                weights=dict(override.weights),
                thresholds=None
                if override.thresholds is None
                else tuple(
                    Threshold(level=Level(t.level), up=t.up, down=t.down) for t in override.thresholds
                ),
                half_life_days=override.half_life_days,
                relevance_threshold=override.relevance_threshold,
                stacking_share=override.stacking_share,
            )
            for scenario_id, override in self.scenarios.items()
        }


# --- finding, loading, writing -------------------------------------------------------------------


def resolve_config_path(cli_value: str | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """``--config``, else ``$MONITOR_CONFIG``, else ``cwd/monitor.yaml`` if it exists, else None (defaults).

    A file named by the flag or the variable must exist: a typo there must not silently fall back to defaults.
    """
    for value, origin in ((cli_value, "--config"), (env.get(CONFIG_ENV_VAR) or None, f"${CONFIG_ENV_VAR}")):
        if value is None:
            continue
        path = Path(value).expanduser()
        path = path if path.is_absolute() else cwd / path
        if path.is_dir():
            raise ConfigError(
                f"{path} (given by {origin}) is a directory; name the YAML config file", path=str(path)
            )
        if not path.is_file():
            raise ConfigError(
                f"config file {path} (given by {origin}) does not exist; check the path, "
                "or create one with `monitor init`",
                path=str(path),
            )
        return path
    candidate = cwd / DEFAULT_CONFIG_NAME
    return candidate if candidate.is_file() else None


def default_config_text() -> str:
    """The shipped starter config (commented YAML); also the built-in defaults and feed list."""
    # Next to this module rather than importlib.resources: the latter fails on namespace packages in 3.11.
    return Path(__file__).with_name("starter.yaml").read_text(encoding="utf-8")


def write_starter(path: Path, force: bool) -> None:
    """Write the starter config to ``path``; an existing file is only replaced when ``force`` is true."""
    if path.is_dir():
        raise ConfigError(f"{path} is a directory; name the config file to create", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w" if force else "x", encoding="utf-8") as out:
            out.write(default_config_text())
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists and was left unchanged; use --force to replace it with the starter",
            path=str(path),
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", path=str(path)) from exc


def load_config(path: Path | None, *, cwd: Path | None = None) -> Config:
    """Read and validate the config at ``path``, or the built-in defaults when ``path`` is None.

    ``cwd`` is the directory relative paths resolve against when there is no file (default: the process's).
    Raises ConfigError listing every problem found, each with file, line and key.
    """
    if path is None:
        label, text, base_dir = _BUILTIN_LABEL, default_config_text(), cwd or Path.cwd()
    else:
        label = str(path)
        base_dir = path.expanduser().absolute().parent
        try:
            text = path.expanduser().read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist", path=label) from None
        except IsADirectoryError:
            raise ConfigError(f"{path} is a directory, not a config file", path=label) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path} is not UTF-8 text ({exc.reason}); save it as UTF-8", path=label
            ) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}", path=label) from exc
    config = _config_from_text(text, label, base_dir)
    config._source = None if path is None else path
    return config


def _config_from_text(text: str, label: str, base_dir: Path) -> Config:
    try:
        doc = parse_yaml(text)
    except YamlSyntaxError as exc:
        where = f"{label}, line {exc.line}" if exc.line is not None else label
        excerpt = f"\n{exc.excerpt}" if exc.excerpt else ""
        raise ConfigError(f"{where}: not valid YAML: {exc.problem}{excerpt}", path=label) from exc
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}, line 1: expected a mapping of sections (database:, schedule:, feeds: …) "
            f"at the top level, found {_kind(data)}",
            path=label,
        )
    if "feeds" not in data:
        data = {**data, "feeds": _starter_feeds()}
    issues = [
        _Issue(path, f"is written twice (first at line {first}); keep one", line=line)
        for path, line, first in doc.duplicates
    ]
    issues += _duplicate_feed_issues(data.get("feeds"))
    config: Config | None = None
    try:
        config = Config.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        issues += [_issue_from_pydantic(error, data) for error in exc.errors(include_url=False)]
    if config is not None:
        issues += _cross_field_issues(config)
    if issues:
        raise _config_error(label, doc, issues)
    assert config is not None
    return config


@functools.cache
def _starter_feeds() -> list[Any]:
    feeds = parse_yaml(default_config_text()).data["feeds"]
    assert isinstance(feeds, list)
    return feeds


# --- error reporting -----------------------------------------------------------------------------

_NO_VALUE = object()


@dataclass(frozen=True)
class _Issue:
    path: KeyPath
    message: str  # the expected form, or what to do
    value: object = _NO_VALUE
    line: int | None = None  # when the path's own line is not the one at fault (a repeated key)


def _config_error(label: str, doc: YamlDocument, issues: list[_Issue]) -> ConfigError:
    def line_of(issue: _Issue) -> int:
        return issue.line or doc.line_of(issue.path) or 0

    issues = sorted(issues, key=line_of)
    rendered = [f"line {line_of(issue)}: {_describe(issue)}" for issue in issues]
    if len(issues) == 1:
        message = f"{label}, {rendered[0]}"
    else:
        message = f"{label}: {len(issues)} problems:\n" + "\n".join(f"  {line}" for line in rendered)
    return ConfigError(message, path=label, key=format_key_path(issues[0].path))


def _describe(issue: _Issue) -> str:
    key = format_key_path(issue.path)
    if issue.value is _NO_VALUE:
        return f"{key}: {issue.message}" if issue.message.startswith("expected") else f"{key} {issue.message}"
    return f"{key} is {_show(issue.value)}; {issue.message}"


def _show(value: object) -> str:
    if isinstance(value, timedelta):
        return _human_duration(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):
        text = f"a list of {plural(len(value), 'entry')}" if value else "an empty list"
    elif isinstance(value, dict):
        text = "a mapping"
    elif value is None:
        text = "empty"
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _human_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit in ("d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "empty value" if value is None else type(value).__name__


_EXPECTED: dict[str, str] = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text (quote it if it looks like a number)",
    "tuple_type": "expected a list (lines starting with - , or [a, b])",
    "list_type": "expected a list (lines starting with - , or [a, b])",
    "dict_type": "expected a mapping of key: value lines",
    "model_type": "expected a mapping of key: value lines",
    "model_attributes_type": "expected a mapping of key: value lines",
    "greater_than": "expected a number greater than {gt}",
    "greater_than_equal": "expected a number of at least {ge}",
    "less_than": "expected a number less than {lt}",
    "less_than_equal": "expected a number of at most {le}",
    "string_too_short": "expected non-empty text",
    "literal_error": "expected one of {expected}",
}


def _issue_from_pydantic(error: Any, data: object) -> _Issue:
    path = _data_path(tuple(error["loc"]), data)
    kind = error["type"]
    if kind == "missing":
        return _Issue(path, "is required but missing")
    if kind == "extra_forbidden":
        return _Issue(path, _unknown_key_message(path))
    if path and path[-1] == "[key]":
        return _Issue(path[:-1], f"is not a valid key; {_expected(error)}")
    value = error.get("input", _NO_VALUE)
    # A whole mapping says nothing useful in one line; the key path already points at it.
    return _Issue(path, _expected(error), _NO_VALUE if isinstance(value, dict) else value)


def _expected(error: Any) -> str:
    if error["type"] == "too_short":
        least = error.get("ctx", {}).get("min_length", 1)
        return "expected a non-empty list" if least == 1 else f"expected a list of at least {least} entries"
    template = _EXPECTED.get(error["type"])
    if template is not None:
        try:
            return template.format(**error.get("ctx", {}))
        except (KeyError, IndexError):
            pass
    message = str(error["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _data_path(loc: tuple[Any, ...], data: object) -> KeyPath:
    """Pydantic's ``loc`` restricted to keys that exist in the data (drops union/validator tags).

    The last element is kept even when absent, since it names a missing or unknown key.
    """
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and part in node:  # noqa: SIM114 - merged, mypy loses the narrowing
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif last or part == "[key]":
            node = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _unknown_key_message(path: KeyPath) -> str:
    allowed = _allowed_keys(path[:-1])
    key = str(path[-1])
    if key in ("password", "token") and f"{key}_env" in allowed:
        return (
            f"is not allowed: never write the {key} in the config; put it in an environment variable "
            f"and give that variable's name as {key}_env"
        )
    message = "is not a known key"
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        message += f" (did you mean {close[0]}?)"
    if allowed:
        message += f"; allowed here: {', '.join(allowed)}"
    return message


def _allowed_keys(path: KeyPath) -> list[str]:
    """The keys accepted at ``path`` according to the models (walks field annotations)."""
    annotation: Any = Config
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {(f.alias or name): f for name, f in annotation.model_fields.items()}
            if part not in fields:
                return []
            annotation = fields[str(part)].annotation
        elif typing.get_origin(annotation) in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _duplicate_feed_issues(feeds: object) -> list[_Issue]:
    if not isinstance(feeds, list):
        return []
    issues: list[_Issue] = []
    seen_urls: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for index, feed in enumerate(feeds):
        if not isinstance(feed, dict):
            continue
        url, name = feed.get("url"), feed.get("name")
        if isinstance(url, str) and url.strip():
            key = _url_key(url)
            if key in seen_urls:
                issues.append(
                    _Issue(
                        ("feeds", index, "url"),
                        f"feeds[{seen_urls[key]}] has the same URL; list each feed once",
                        url,
                    )
                )
            else:
                seen_urls[key] = index
        if isinstance(name, str) and name.strip():
            key = name.strip().casefold()
            if key in seen_names:
                issues.append(
                    _Issue(
                        ("feeds", index, "name"),
                        f"feeds[{seen_names[key]}] has the same name; give each feed its own",
                        name,
                    )
                )
            else:
                seen_names[key] = index
    return issues


def _url_key(url: str) -> str:
    # Scheme and host are case-insensitive and a trailing slash rarely names a different feed.
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def _cross_field_issues(config: Config) -> list[_Issue]:
    issues: list[_Issue] = []
    fetch = config.fetch
    if fetch.backoff_base > fetch.backoff_cap:
        issues.append(
            _Issue(
                ("fetch", "backoff_base"),
                f"is longer than fetch.backoff_cap ({_human_duration(fetch.backoff_cap)}); lower it",
                fetch.backoff_base,
            )
        )
    if fetch.per_host_concurrency > fetch.concurrency:
        issues.append(
            _Issue(
                ("fetch", "per_host_concurrency"),
                f"exceeds fetch.concurrency ({fetch.concurrency}); expected at most that",
                fetch.per_host_concurrency,
            )
        )
    if fetch.deadline < max(fetch.connect_timeout, fetch.read_timeout):
        issues.append(
            _Issue(
                ("fetch", "deadline"),
                "is shorter than connect_timeout or read_timeout; expected at least the longer of the two",
                fetch.deadline,
            )
        )
    smtp = config.digest.smtp
    if smtp is not None and smtp.username is not None and smtp.password_env is None:
        issues.append(
            _Issue(
                ("digest", "smtp", "username"),
                "is set but password_env is not; name the variable holding the password",
            )
        )
    alerts = config.alerts
    if "email" in alerts.channels and smtp is None:
        issues.append(
            _Issue(
                ("alerts", "channels"),
                "names email, but there is no digest.smtp section: alerts are mailed through it; add it",
            )
        )
    if "webhook" in alerts.channels and alerts.webhook is None:
        issues.append(
            _Issue(("alerts", "channels"), "names webhook, but alerts.webhook is not set; give its url")
        )
    if alerts.webhook is not None and alerts.webhook.timeout > timedelta(minutes=2):
        issues.append(
            _Issue(
                ("alerts", "webhook", "timeout"),
                "expected at most 2m: a delivery is claimed for 5m and must be done by then",
                alerts.webhook.timeout,
            )
        )
    if alerts.retry_base > alerts.retry_cap:
        issues.append(
            _Issue(
                ("alerts", "retry_base"),
                f"is longer than alerts.retry_cap ({_human_duration(alerts.retry_cap)}); lower it",
                alerts.retry_base,
            )
        )
    return issues
