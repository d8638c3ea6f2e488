"""scenario-monitor's application layer: config, feed fetching and parsing, the poll pipeline, the
digest, immediate alerts (``alerts``), feed health (``feed_health``), the daemon and the CLI. The pure layers below are ``scenarios``, ``indicators`` and ``db``.

The error classes are re-exported here for users of the package; they live in ``indicators.errors``.
"""

from indicators.errors import ConfigError, DefinitionError, MonitorError, StorageError

__all__ = ["ConfigError", "DefinitionError", "MonitorError", "StorageError"]
