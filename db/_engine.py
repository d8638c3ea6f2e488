"""Engine set-up for SQLite (the embedded default) and PostgreSQL, and schema migrations on open."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from indicators.errors import StorageBusyError, StorageError, StorageRefusedError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration's id. Every command checks the stored revision against it; knowing it here
# spares the alembic import (most of a command's start-up) when the schema is already current.
# tests/db check that it names alembic's head, so a new migration cannot forget to move it.
HEAD_REVISION = "0006"
SQLITE_BUSY_TIMEOUT_MS = 10_000


# What a busy or full database says, by backend: SQLite's messages, PostgreSQL's SQLSTATEs (55P03
# lock_not_available, 40P01 deadlock, 57014 a statement cancelled by lock_timeout; class 53 is
# insufficient resources: disk full, out of memory, too many connections).
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database schema is locked")
_SQLITE_FULL = ("database or disk is full", "disk i/o error", "no space left")
_PG_LOCKED = {"55P03", "40P01", "57014"}


def busy_reason(exc: BaseException) -> str | None:
    """``"locked"`` or ``"full"`` when ``exc`` (a driver or SQLAlchemy error) says the database is
    busy or out of space, a state that passes, rather than broken; else None."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(code, str):
        if code in _PG_LOCKED:
            return "locked"
        if code.startswith("53"):
            return "full"
    text_ = str(orig).lower()
    if any(marker in text_ for marker in _SQLITE_LOCKED):
        return "locked"
    if any(marker in text_ for marker in _SQLITE_FULL):
        return "full"
    return None


def busy_error(url: str, exc: BaseException, reason: str) -> StorageBusyError:
    orig = getattr(exc, "orig", exc)
    if reason == "locked":
        advice = (
            "another program holds its lock (a long transaction, a backup, an open sqlite3 shell with a "
            "pending write); finish or close it, then try again (the daemon retries by itself)"
        )
    else:
        advice = "its disk (or the PostgreSQL server's) is full; free some space, then try again (the daemon retries by itself)"
    return StorageBusyError(f"the database at {url} is busy ({orig}): {advice}", reason=reason)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # WAL lets the digest and CLI read while the daemon writes; the busy timeout makes a second
    # writer wait instead of failing at once; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _fold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _sqlite_functions(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # SQLite's lower() folds ASCII only; a search for "лукашенко" must find "Лукашенко".
    dbapi_connection.create_function("monitor_fold", 1, _fold, deterministic=True)


def _sqlite_begin(conn: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; taking control makes every transaction
    # explicit, so one feed's poll is exactly one BEGIN ... COMMIT. Writers take the write lock up
    # front (IMMEDIATE): a deferred transaction that reads and then writes can fail with "database is
    # locked" at once when another writer got in between, whatever the busy timeout.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and their pragmas set."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"database URL {url!r} is not valid: {exc}. Expected e.g. sqlite:///data/monitor.db"
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "connect", _sqlite_functions)
            event.listen(engine, "connect", _disable_pysqlite_autobegin)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise StorageError(f"database URL {url!r} names a driver that is not installed: {exc}") from exc
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"database URL {url!r} needs the Python package {exc.name!r}; "
            "install it (for PostgreSQL: pip install 'scenario-monitor[postgres]')"
        ) from exc


def _disable_pysqlite_autobegin(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The head of the migration scripts, as alembic reads them (``HEAD_REVISION`` is its copy)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database, or None before the first migration.

    Read with plain SQL from alembic's version table, so checking the schema costs no alembic import.
    """
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except OperationalError as exc:
        raise StorageError(f"cannot open the database at {_safe_url(engine)}: {exc.orig}") from exc
    if len(rows) > 1:
        raise StorageError(
            f"the database at {_safe_url(engine)} has {len(rows)} schema revisions (branches); "
            "run `monitor db upgrade` or repair the alembic_version table"
        )
    return str(rows[0]) if rows else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply pending migrations; each runs in its own transaction."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        reason = busy_reason(exc)
        if reason is not None:
            raise busy_error(_safe_url(engine), exc, reason) from exc
        raise StorageError(f"cannot migrate the database at {_safe_url(engine)}: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"migration failed on {_safe_url(engine)}: {exc}") from exc


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class Database:
    """An engine and its session factory; the one handle the rest of the program holds."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(write=True)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return _safe_url(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception.

        Pass ``write=True`` for a transaction that writes, so SQLite takes its write lock at BEGIN.
        """
        factory = self._write_sessions if write else self._sessions
        with self._translated_errors(), factory() as session, session.begin():
            yield session

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """:meth:`session` for Core statements alone, on a plain connection: the poll's per-feed
        queries and writes (two transactions for each of 1,000 feeds) spent as long in the ORM
        session's set-up and dispatch as in SQLite."""
        engine = self._write_engine if write else self.engine
        with self._translated_errors(), engine.begin() as connection:
            yield connection

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            reason = busy_reason(exc)
            if reason is not None:
                raise busy_error(self.url, exc, reason) from exc
            raise StorageError(
                f"the database at {self.url} failed: {exc.orig}. Check that it is reachable, not full "
                "and not locked by another program, then run the command again"
            ) from exc
        except (DataError, IntegrityError) as exc:
            raise StorageRefusedError(
                f"the database at {self.url} refused a value: {exc.orig}".rstrip()[:1000]
            ) from exc
        except SQLAlchemyError as exc:
            raise StorageError(
                f"a query on the database at {self.url} failed: {exc}. If the schema was changed by "
                "hand, run `monitor db upgrade`; otherwise please report this"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open ``url`` and bring its schema to the newest migration (unless ``migrate`` is false)."""
    engine = create_db_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        reason = busy_reason(exc)
        if reason is not None:
            raise busy_error(_safe_url(engine), exc, reason) from exc
        raise StorageError(f"cannot open the database at {_safe_url(engine)}: {exc.orig}") from exc
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = busy_reason(exc)
        if reason is not None:
            raise busy_error(_safe_url(engine), exc, reason) from exc
        raise StorageError(f"cannot read the schema revision of {_safe_url(engine)}: {exc}") from exc
    if current == HEAD_REVISION:
        pass
    elif migrate:
        upgrade(engine)
    else:
        engine.dispose()
        raise StorageError(
            f"the database at {_safe_url(engine)} is not at the current schema; run `monitor db upgrade`"
        )
    return Database(engine)
