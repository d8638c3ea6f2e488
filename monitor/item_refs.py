"""How a stored item is named to the analyst: ``#123`` (its number in the database) everywhere an
item is shown, and what a command accepts as ITEM: ``123``, ``#123`` or the item's own id (guid).

One display form, so an id copied from `monitor trend`, the digest or `monitor explain` can be pasted
into `monitor explain` or `monitor label` as it is."""

from __future__ import annotations

import db
from indicators.errors import MonitorError
from monitor.redaction import redact_url

PREFIX = "#"
# A guid made of digits would read as a number: written as guid:12345 it is taken as a guid.
GUID_PREFIX = "guid:"


def item_ref(item_id: int) -> str:
    """The display form of a stored item's number."""
    return f"{PREFIX}{item_id}"


def parse_item_ref(text: str) -> int | str:
    """``123`` or ``#123`` → the number 123; anything else (``guid:`` removed) → a guid to look up."""
    value = text.strip()
    if value.startswith(GUID_PREFIX):
        return value[len(GUID_PREFIX) :]
    number = value.removeprefix(PREFIX)
    if number.isascii() and number.isdigit():
        return int(number)
    return value


def resolve_item(database: db.Database, text: str) -> int:
    """The stored item ``text`` names. Raises MonitorError when none does, or several (one guid in
    several feeds), listing their numbers."""
    ref = parse_item_ref(text)
    if isinstance(ref, int):
        if db.get_item(database, ref) is None:
            raise MonitorError(f"no item {item_ref(ref)} in {redact_url(database.url)}")
        return ref
    found = db.items_with_guid(database, ref) if ref else []
    if len(found) > 1:
        raise MonitorError(
            f"{len(found)} stored items have the id {ref!r} (one per feed): "
            f"give one of their numbers instead: {', '.join(map(item_ref, found[:10]))}"
        )
    if not found:
        raise MonitorError(
            f"no item {text!r} in {redact_url(database.url)}: give a number as shown by `monitor trend` "
            "(123 or #123) or the item's own id (its guid)"
        )
    return found[0]
