"""scenario-monitor's one exception hierarchy: every error the tool reports to its user.

    MonitorError                        root; catch this to handle anything the tool reports
    ├── DefinitionError(file, id)       an indicator, vocabulary or scenario definition is invalid
    │   └── OverrideError(id, key)      a config override names an unknown scenario or indicator
    ├── LabelError                      a labelled item names an unknown scenario or polarity
    ├── LabelledFileError(path, line)   a labelled eval file cannot be read
    ├── ConfigError(path, key)          the config file is missing, unreadable or invalid
    ├── StorageError                    the database cannot be opened, migrated, read or written
    │   ├── StorageRefusedError         it refused these values (the data is at fault)
    │   └── StorageBusyError            locked by another program, or its disk is full: try later
    ├── ImportFileError                 a history file to import is invalid; nothing was stored
    ├── UsageError                      a command's argument names something that does not exist
    ├── DigestSendError(host, port)     the digest could not be mailed; its files are written
    └── AlertSendError(channel)         an alert could not be sent through a channel; it is retried

A leaf: it imports nothing of the project, so every layer (``indicators``, ``scenarios``, ``db``,
``monitor``) can raise these without importing upward. It sits in ``indicators`` only because that
is the lowest layer. The CLI prints ``str(error)`` without a traceback and exits non-zero, so each
message says what to change.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AlertSendError",
    "ConfigError",
    "DefinitionError",
    "DigestSendError",
    "ImportFileError",
    "LabelError",
    "LabelledFileError",
    "MonitorError",
    "OverrideError",
    "StorageBusyError",
    "StorageError",
    "StorageRefusedError",
    "UsageError",
]


class MonitorError(Exception):
    """Anything scenario-monitor reports to its user. Messages say what to change."""


class DefinitionError(MonitorError, ValueError):
    """An indicator, vocabulary or scenario definition is invalid.

    Carries the file and the id at fault so the message points straight at the line to edit.
    """

    def __init__(self, message: str, *, file: Path | str | None = None, id: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.id = id
        where = []
        if self.file:
            where.append(self.file)
        if id:
            where.append(f"id {id!r}")
        prefix = f"{': '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{message}")


class OverrideError(DefinitionError):
    """A ``scenarios:`` override in the config does not fit the definitions (an unknown scenario or
    indicator, a bad value). The scenario layer knows no config file: ``key`` is the path under
    ``scenarios:`` at fault (``("belarus_warr",)``, ``("belarus_war", "weights", "x")``), so the
    config layer can name the file and line."""

    def __init__(self, message: str, *, id: str, key: tuple[str, ...]) -> None:
        self.reason = message
        self.key = key
        super().__init__(message, id=id)


class LabelError(MonitorError, ValueError):
    """A labelled item names a scenario or polarity the evaluation does not know."""


class LabelledFileError(MonitorError, ValueError):
    """A labelled set cannot be read; carries the file and (when known) the 1-based line."""

    def __init__(self, message: str, *, path: Path | str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ConfigError(MonitorError, ValueError):
    """The configuration file cannot be used; the message names file, line, key and expected form."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        super().__init__(message)


class StorageError(MonitorError):
    """The database cannot be opened, migrated, read or written; the message says which URL and why."""


class StorageRefusedError(StorageError):
    """The database is working but refused these values (too long for a column, out of range, a
    constraint): the fault is in the data being written, so other writes may still succeed."""


class StorageBusyError(StorageError):
    """The database is fine but cannot take this write now: another program holds its lock longer
    than the busy timeout, or its disk is full. The same write may succeed later, so callers that
    run unattended (the daemon) retry with backoff; ``reason`` is ``"locked"`` or ``"full"``."""

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class ImportFileError(MonitorError, ValueError):
    """The file to import cannot be read; nothing was stored."""


class UsageError(MonitorError, ValueError):
    """A command's argument or option names something that does not exist (a scenario, a feed)."""


class DigestSendError(MonitorError):
    """The digest could not be mailed; the message names host, port and the failed step."""

    def __init__(self, message: str, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        super().__init__(message)


class AlertSendError(MonitorError):
    """An alert could not be sent through one channel (``email``, ``webhook``); the message says
    where and why. The daemon retries the delivery with backoff."""

    def __init__(self, message: str, *, channel: str) -> None:
        self.channel = channel
        super().__init__(message)
