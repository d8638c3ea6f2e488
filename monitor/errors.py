"""Errors that scenario-monitor reports to its users.

    MonitorError                    root; catch this to handle anything the tool reports
    ├── DefinitionError(file, id)   an indicator, vocabulary or scenario definition is invalid
    ├── LabelError / LabelledFileError(path, line)   a labelled eval file is invalid (scenarios, eval_io)
    ├── ImportFileError             a history file to import is invalid; nothing was stored (importer)
    ├── DigestSendError(host, port) the digest could not be mailed; files are written (digest_send)
    ├── StorageError                the database cannot be opened, migrated or written
    ├── ConfigError(path, key)      the config file is missing, unreadable or invalid
    └── FeedError(url)              one feed could not be fetched or parsed

The CLI prints ``str(error)`` without a traceback and exits non-zero.
"""

from __future__ import annotations

from db import StorageError
from indicators import DefinitionError, MonitorError

__all__ = [
    "ConfigError",
    "DefinitionError",
    "FeedError",
    "MonitorError",
    "StorageError",
]


class ConfigError(MonitorError, ValueError):
    """The configuration file cannot be used; the message names file, line, key and expected form."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        super().__init__(message)


class FeedError(MonitorError):
    """One feed failed; carries the feed's URL. Other feeds are unaffected."""

    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"{url}: {message}")
