from __future__ import annotations

from indicators._errors import MonitorError


class StorageError(MonitorError):
    """The database cannot be opened, migrated or written; the message says which URL and why."""
