"""How hard and how politely to fetch (``FetchSettings``) and to back off (``BackoffSettings``).

The one place their defaults are written: the config model (``monitor.config.model.FetchConfig``)
takes its defaults from these classes and builds them, so the daemon, library users and tests all
start from the same values. A leaf module with no project imports (and no httpx), so the config
model can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_USER_AGENT", "BackoffSettings", "FetchSettings"]

DEFAULT_USER_AGENT = "scenario-monitor/0.1 (RSS reader; polite polling)"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How hard and how politely to fetch. Times are seconds; every value must be positive."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # the whole fetch, every redirect hop and the streamed body included
    max_body_bytes: int = 10 * 1024 * 1024  # 10 MiB
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    per_host_concurrency: int = 2
    concurrency: int = 16

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"FetchSettings.{name} must be a number of seconds > 0, got {value!r}")
        for name in ("max_body_bytes", "per_host_concurrency", "concurrency"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"FetchSettings.{name} must be an integer >= 1, got {value!r}")
        if not (isinstance(self.max_redirects, int) and self.max_redirects >= 0):
            raise ValueError(
                f"FetchSettings.max_redirects must be an integer >= 0, got {self.max_redirects!r}"
            )
        if not self.user_agent.strip():
            raise ValueError("FetchSettings.user_agent must not be empty; name the tool and a contact URL")


@dataclass(frozen=True, slots=True)
class BackoffSettings:
    """Backoff bounds in seconds (see ``monitor.feeds.schedule_policy``). ``max_delay_seconds`` also
    caps a server's ``Cache-Control: max-age`` and ``Retry-After``; ``jitter_ratio`` is the largest
    fraction added by ``jitter``."""

    base_seconds: float = 300.0
    cap_seconds: float = 6 * 3600.0
    max_delay_seconds: float = 6 * 3600.0
    jitter_ratio: float = 0.1

    def __post_init__(self) -> None:
        for name in ("base_seconds", "cap_seconds", "max_delay_seconds"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"BackoffSettings.{name} must be a number of seconds > 0, got {value!r}")
        if self.cap_seconds < self.base_seconds:
            raise ValueError(
                f"BackoffSettings.cap_seconds ({self.cap_seconds}) must be >= "
                f"base_seconds ({self.base_seconds})"
            )
        if not 0 <= self.jitter_ratio <= 1:
            raise ValueError(f"BackoffSettings.jitter_ratio must be within [0, 1], got {self.jitter_ratio!r}")
