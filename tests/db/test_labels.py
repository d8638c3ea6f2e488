"""The labels table on a SQLite file and on PostgreSQL: one label per item, a relabel replaces it,
an import leaves the analyst's own label alone, and a label goes with its item."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

import db
from db._models import Feed, Label
from tests.helpers import T0, spec

ANALYST, IMPORT = db.LabelSource.ANALYST, db.LabelSource.IMPORT


def _items(database: db.Database, *guids: str) -> list[int]:
    feed_id = db.ensure_feed(database, spec("wire"), T0)
    writes = [
        db.ItemWrite(
            db.NewItem(
                guid=guid,
                url=f"https://wire.example/{guid}",
                title=f"Title {guid}",
                summary="Summary",
                language="en",
                published_at=T0 - timedelta(hours=1),
                content_hash=f"hash-{guid}",
            )
        )
        for guid in guids
    ]
    db.store_items(database, feed_id, writes, fetched_at=T0)
    return [db.items_with_guid(database, guid)[0] for guid in guids]


def _label(
    item_id: int,
    scenario: str,
    polarity: str,
    source: db.LabelSource,
    note: str | None = None,
    minutes: int = 0,
) -> db.LabelWrite:
    return db.LabelWrite(item_id, scenario, polarity, note, T0 + timedelta(minutes=minutes), source)


def test_a_relabel_replaces_the_items_label(database: db.Database) -> None:
    a, b = _items(database, "a", "b")
    assert db.put_labels(database, [_label(a, "belarus_war", "escalation", ANALYST, note="troops")]) == 1
    assert (
        db.put_labels(
            database, [_label(a, "none", "neutral", ANALYST, minutes=5), _label(b, "none", "neutral", IMPORT)]
        )
        == 2
    )
    stored = db.list_labels(database)
    assert [(s.item_id, s.scenario, s.polarity, s.note, s.source) for s in stored] == [
        (a, "none", "neutral", None, ANALYST),
        (b, "none", "neutral", None, IMPORT),
    ]
    first = stored[0]
    assert first.labelled_at == T0 + timedelta(minutes=5)
    assert (first.guid, first.feed_name, first.title, first.url) == (
        "a",
        "wire",
        "Title a",
        "https://wire.example/a",
    )
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Label)) == 2


def test_an_import_leaves_the_analysts_own_label_alone(database: db.Database) -> None:
    a, b = _items(database, "a", "b")
    db.put_labels(
        database, [_label(a, "airspace_nato", "escalation", ANALYST), _label(b, "none", "neutral", IMPORT)]
    )
    written = db.put_labels(
        database,
        [_label(a, "none", "neutral", IMPORT), _label(b, "energy_cutoff", "escalation", IMPORT)],
        keep=ANALYST,
    )
    assert written == 1
    assert [(s.scenario, s.source) for s in db.list_labels(database)] == [
        ("airspace_nato", ANALYST),
        ("energy_cutoff", IMPORT),
    ]


def test_remove_and_cascade(database: db.Database) -> None:
    a, b = _items(database, "a", "b")
    db.put_labels(database, [_label(a, "none", "neutral", ANALYST), _label(b, "none", "neutral", ANALYST)])
    assert db.remove_label(database, a) is True
    assert db.remove_label(database, a) is False
    with database.session(write=True) as session:
        session.execute(delete(Feed))  # the feed's items go, and their labels with them
    assert db.list_labels(database) == []


def test_item_for_guid_or_url_falls_back_to_the_link(database: db.Database) -> None:
    (a,) = _items(database, "a")
    feed_id = db.ensure_feed(database, spec("wire"), T0)
    assert db.item_for_guid_or_url(database, feed_id, "a", None) == a
    assert db.item_for_guid_or_url(database, feed_id, "other-id", "https://wire.example/a") == a
    assert db.item_for_guid_or_url(database, feed_id, "other-id", "https://wire.example/zzz") is None
