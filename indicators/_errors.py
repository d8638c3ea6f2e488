"""The root of scenario-monitor's one exception hierarchy.

It lives in the lowest layer so that every layer can subclass it without importing upward;
``monitor.errors`` re-exports the whole tree for users of the package.
"""

from __future__ import annotations

from pathlib import Path


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
