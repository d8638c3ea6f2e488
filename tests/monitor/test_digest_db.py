"""The digest built from a real database: a fixed 60-day history imported into SQLite, rendered to
text and compared with a golden file; the CLI writes both files; a day without data says so."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

import db
from bench import history
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.digest.build import build_digest
from monitor.digest.publish import write_digest
from monitor.digest.render import render_html, render_text
from monitor.pipeline.importer import import_file
from tests.helpers import definitions_for, monitor, write_config
from tests.helpers.smtp import Inbox, free_port

GOLDEN = Path(__file__).parent / "golden" / "digest_db.md"
NOW = datetime(2026, 10, 30, 18, 0, tzinfo=UTC)
DAY = date(2026, 10, 30)


@pytest.fixture(scope="module")
def imported_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config folder whose SQLite file holds the fixed history, imported once for the module."""
    folder = tmp_path_factory.mktemp("history")
    config = load_config(write_config(folder / "monitor.yaml", []))
    database = db.open_database(config.database_url)
    try:
        import_file(
            database, config, definitions_for(config), history.write(folder / "history.jsonl"), now=NOW
        )
    finally:
        database.close()
    return folder


@pytest.fixture
def fixture_db(tmp_path: Path, imported_history: Path) -> tuple[Path, db.Database, Definitions]:
    """A copy of the imported history for one test (the SQLite path is relative to the config)."""
    folder = shutil.copytree(imported_history, tmp_path / "history")
    config_path = folder / "monitor.yaml"
    config = load_config(config_path)
    return config_path, db.open_database(config.database_url), definitions_for(config)


def test_digest_text_matches_golden(fixture_db: tuple[Path, db.Database, Definitions]) -> None:
    """Regenerate with UPDATE_GOLDEN=1 after an intended change, and read the diff before committing."""
    config_path, database, definitions = fixture_db
    digest = build_digest(database, load_config(config_path), definitions, DAY, now=NOW)
    text = render_text(digest).replace(digest.config_hash, "<config-hash>")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    database.close()


def test_digest_reflects_the_history(fixture_db: tuple[Path, db.Database, Definitions]) -> None:
    config_path, database, definitions = fixture_db
    digest = build_digest(database, load_config(config_path), definitions, DAY, now=NOW)
    assert digest.has_data and {s.id for s in digest.scenarios} == {
        "belarus_war",
        "airspace_nato",
        "energy_cutoff",
    }
    war = next(s for s in digest.scenarios if s.id == "belarus_war")
    assert digest.scenarios[0].id == "belarus_war"  # the build-up of the last ten days is the most urgent
    assert war.level != "calm" and war.index > 0 and len(war.history) == 60
    assert war.stories and all(s.sources >= 1 for s in war.stories)
    assert any(s.sources > 1 for s in war.stories)  # reprints grouped: corroboration shows
    assert any(p.field == "title" for s in war.stories for p in s.phrases)
    html = render_html(digest)
    assert html.count("<svg") >= 3 and "<script" not in html
    # every story line names its stored item as `monitor explain` and `monitor label` take it
    for story in (*war.stories, *war.holding):
        assert story.item_id is not None and db.get_item(database, story.item_id) is not None
        assert f'<span class="id">#{story.item_id}</span>' in html
    database.close()


def test_hostile_feed_text_is_inert_in_the_digest(tmp_path: Path) -> None:
    config_path = write_config(tmp_path / "monitor.yaml", [])
    config = load_config(config_path)
    definitions = definitions_for(config)
    database = db.open_database(config.database_url)
    hostile = {
        "id": "x1",
        "title": "<script>document.title='pwned'</script> Belarus moves Iskander launchers toward the Ukrainian border",
        "summary": "Minsk ordered missile units to the border with Ukraine.",
        "url": "javascript:alert(1)",
        "source": "Evil Feed",
        "lang": "en",
        "published": "2026-10-30T08:00:00+00:00",
    }
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    import_file(database, config, definitions, path, now=NOW)
    files = write_digest(database, config, definitions, DAY, now=NOW, out_dir=tmp_path / "out")
    html = files.html.read_text(encoding="utf-8")
    text = files.text.read_text(encoding="utf-8")
    # Tags are stripped when the item is stored, and whatever text remains is escaped on output.
    assert "<script" not in html and "Iskander" in html and "pwned" not in html
    assert 'href="javascript:' not in html and "](javascript:" not in text
    assert "<script" not in text
    database.close()


def _mailing_history(tmp_path: Path, port: int) -> Path:
    """A config that mails the digest to 127.0.0.1:``port``, over the imported 60-day history."""
    config_path = write_config(tmp_path / "monitor.yaml", [])
    config_path.write_text(
        config_path.read_text()
        + f"digest:\n  output_dir: out\n  smtp:\n    host: 127.0.0.1\n    port: {port}\n    security: none\n"
        "    from: monitor@example.org\n    to: [analyst@example.org]\n",
        encoding="utf-8",
    )
    history.write(tmp_path / "history.jsonl")
    monitor(config_path, "import", str(tmp_path / "history.jsonl"))
    return config_path


def test_failed_send_keeps_files_and_is_retried_on_the_next_run(tmp_path: Path) -> None:
    """The daemon's daily job: write, mail; a dead SMTP server is logged and the next run resends."""
    from threading import Event

    from monitor.daemon import Daemon

    port = free_port()
    config_path = _mailing_history(tmp_path, port)
    daemon = Daemon(load_config(config_path), now=lambda: NOW, stop=Event())
    try:
        daemon.digest_job()  # nobody listens on the port: the send fails, the files stay
        assert (tmp_path / "out" / "2026-10-30.html").is_file() and (
            tmp_path / "out" / "2026-10-30.md"
        ).is_file()
        assert json.loads(db.get_setting(daemon.database, "digest_unsent") or "[]") == ["2026-10-30"]
        inbox = Inbox()
        with _serve_on(inbox, port):
            daemon.digest_job()
        assert len(inbox.messages) == 1
        _, message = inbox.messages[0]
        assert "2026-10-30" in str(message["Subject"])
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        assert json.loads(db.get_setting(daemon.database, "digest_unsent") or "[]") == []
    finally:
        daemon.database.close()


@contextlib.contextmanager
def _serve_on(inbox: object, port: int) -> Iterator[int]:
    """A real SMTP server (aiosmtpd) on a port chosen before it started."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_a_database_where_no_feed_was_ever_polled_says_so(tmp_path: Path) -> None:
    """Configured feeds that were never polled are not called healthy, and the sources of the
    imported history are not counted as feeds."""
    from monitor.pipeline.poll_settings import feed_specs

    feeds = [(f"Feed {n}", f"https://feed{n}.example/rss") for n in range(3)]
    config_path = write_config(tmp_path / "monitor.yaml", feeds)
    config = load_config(config_path)
    definitions = Definitions.from_config(config)
    database = db.open_database(config.database_url)
    try:
        db.sync_feeds(database, feed_specs(config), NOW)
        import_file(database, config, definitions, history.write(tmp_path / "history.jsonl"), now=NOW)
        assert sum(1 for f in db.list_feeds(database) if f.imported) > 0
        digest = build_digest(database, config, definitions, DAY, now=NOW)
        assert (digest.feeds_total, digest.feeds_never_polled, digest.feed_problems) == (3, 3, ())
        assert digest.thin_languages == ("en",)
        text, html = render_text(digest), render_html(digest)
        for page in (text, html):
            assert "3 feeds, 0 with problems, 3 never polled" in page
            assert "None of the 3 configured feeds has ever been polled" in page
            assert "0 of 3 feeds healthy; 3 never polled." in page
            assert "feeds are healthy" not in page
        empty = build_digest(database, config, definitions, date(2020, 1, 1), now=NOW)
        assert not empty.has_data and "None of the 3 configured feeds has ever been polled" in render_text(
            empty
        )
    finally:
        database.close()


def test_every_level_above_calm_shows_what_holds_it_up(
    fixture_db: tuple[Path, db.Database, Definitions],
) -> None:
    config_path, database, definitions = fixture_db
    digest = build_digest(database, load_config(config_path), definitions, DAY, now=NOW)
    raised = [s for s in digest.scenarios if s.level != "calm"]
    assert raised, "the fixture history raises at least one scenario above calm"
    for scenario in raised:
        assert scenario.holding, f"{scenario.id} is at {scenario.level} with no reason listed"
        shares = [st.contribution for st in scenario.holding]
        assert shares == sorted(shares, reverse=True) and all(share > 0 for share in shares)
    war = next(s for s in digest.scenarios if s.id == "belarus_war")
    # The Iskander story of a week before the digest's day still holds the level up, with its day;
    # "what moved it" (the last two days) does not list it.
    old = [st for st in war.holding if "Iskander" in st.title and (DAY - st.day).days >= 4]
    assert old and all(st.day < DAY for st in old)
    assert all((DAY - st.day).days <= 1 for st in war.stories)


def test_daemons_sharing_a_database_mail_one_digest_a_day(tmp_path: Path) -> None:
    from threading import Event

    from monitor.daemon import Daemon

    inbox = Inbox()
    port = free_port()
    config_path = _mailing_history(tmp_path, port)
    daemons = [Daemon(load_config(config_path), now=lambda: NOW, stop=Event()) for _ in range(3)]
    for n, daemon in enumerate(daemons):
        daemon.worker = f"vm:1:daemon{n}"  # three containers, one database
    try:
        with _serve_on(inbox, port):
            for daemon in daemons:
                daemon.digest_job()
        assert len(inbox.messages) == 1
    finally:
        for daemon in daemons:
            daemon.database.close()
