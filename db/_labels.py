"""Queries on the analyst's labels: one per item, replaced by a relabel, gone with its item."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from db._engine import Database
from db._models import Feed, Item, Label
from db.types import LabelSource, LabelWrite, StoredLabel


def put_labels(db: Database, labels: Sequence[LabelWrite], *, keep: LabelSource | None = None) -> int:
    """Store ``labels`` (one per item; a stored label is replaced) in one transaction.

    A stored label given by ``keep`` is left as it is: an import must not undo the analyst's own
    correction. Returns how many labels were written."""
    if not labels:
        return 0
    written = 0
    with db.session(write=True) as session:
        item_ids = [label.item_id for label in labels]
        stored = {
            row.item_id: row
            for start in range(0, len(item_ids), 500)
            for row in session.scalars(select(Label).where(Label.item_id.in_(item_ids[start : start + 500])))
        }
        for label in labels:
            row = stored.get(label.item_id)
            if row is None:
                row = Label(item_id=label.item_id)
                session.add(row)
                stored[label.item_id] = row
            elif keep is not None and row.source == keep.value:
                continue
            row.scenario = label.scenario
            row.polarity = label.polarity
            row.note = label.note
            row.labelled_at = label.labelled_at
            row.source = label.source.value
            written += 1
    return written


def remove_label(db: Database, item_id: int) -> bool:
    """Delete the item's label; False when it had none."""
    with db.session(write=True) as session:
        removed = session.execute(delete(Label).where(Label.item_id == item_id))
        return bool(removed.rowcount)  # type: ignore[attr-defined]


def list_labels(db: Database) -> list[StoredLabel]:
    """Every label with its item's text, in item order (the order an export writes them)."""
    with db.session() as session:
        rows = session.execute(
            select(Label, Item, Feed.name)
            .join(Item, Item.id == Label.item_id)
            .join(Feed, Feed.id == Item.feed_id)
            .order_by(Item.id)
        ).all()
        return [
            StoredLabel(
                item_id=item.id,
                scenario=label.scenario,
                polarity=label.polarity,
                note=label.note,
                labelled_at=label.labelled_at,
                source=LabelSource(label.source),
                guid=item.guid,
                feed_name=feed_name,
                language=item.language,
                title=item.title,
                summary=item.summary,
                url=item.url,
                published_at=item.published_at,
            )
            for label, item, feed_name in rows
        ]


def item_for_guid_or_url(db: Database, feed_id: int, guid: str, url: str | None) -> int | None:
    """The feed's item with this guid, else with this link (an import stores a known link once)."""
    with db.session() as session:
        found = session.scalar(select(Item.id).where(Item.feed_id == feed_id, Item.guid == guid))
        if found is None and url:
            found = session.scalar(
                select(Item.id).where(Item.feed_id == feed_id, Item.url == url).order_by(Item.id).limit(1)
            )
        return int(found) if found is not None else None
