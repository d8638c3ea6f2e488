"""One canonical hash for definitions: equal values hash equal whatever their key order."""

from __future__ import annotations

import hashlib
import json


def canonical_sha256(value: object) -> str:
    """sha256 hex of ``value`` as sorted, compact JSON (the form every fingerprint here uses)."""
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
