"""scenario-monitor's application layer: config, feed fetching and parsing, the poll pipeline, the
daemon and the CLI. The pure layers below are ``scenarios``, ``indicators`` and ``db``."""

from monitor.errors import (
    ConfigError,
    DefinitionError,
    FeedError,
    MonitorError,
    StorageError,
)

__all__ = ["ConfigError", "DefinitionError", "FeedError", "MonitorError", "StorageError"]
