"""Database base class, constraint naming, UTC timestamps and SQLite hardening."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, DateTime, Engine, MetaData, Result, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable names let Alembic alter constraints, and SQLite batch mode needs them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Python-side clock, so frozen time in tests reaches stored timestamps."""
    return datetime.now(UTC)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. (`Session.execute` is typed as returning a plain `Result`; for
    those statements it is a `CursorResult`, which has the count.)"""
    return cast("CursorResult[Any]", result).rowcount or 0


def new_public_id() -> str:
    """An unguessable identifier for URLs (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo in _UTC_ZONES:
            # PostgreSQL sends times in the connection's zone, UTC: relabelled, not converted (a conversion runs
            # for every time of every row read, and costs several times more).
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Zones that are UTC under another name (as the database driver labels times of a connection in UTC).
_UTC_ZONES = frozenset({UTC, ZoneInfo("UTC"), ZoneInfo("Etc/UTC")})


# How long an SQLite connection waits for another writer before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Foreign keys are off by default in SQLite; and let SQLAlchemy manage transactions so
        # SAVEPOINT works (pysqlite's own transaction handling breaks it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers go on while one connection writes; writers queue on the busy timeout instead of
        # failing at once. (An in-memory database keeps its own "memory" journal; the pragma is harmless.)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


# One lock per SQLite file, per process: threads of one server queue for the write lock here, in turn, instead
# of polling SQLite's busy handler (which sleeps between tries and lets late arrivals overtake, so under load
# a few requests wait very long). Other processes are still held off by SQLite's own lock and busy timeout.
_file_locks: dict[str, threading.Lock] = {}
_file_locks_guard = threading.Lock()


def _file_lock(conn: Any) -> threading.Lock | None:
    database = conn.engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    with _file_locks_guard:
        return _file_locks.setdefault(database, threading.Lock())


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        lock = _file_lock(conn)
        if lock is not None and lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            conn.info["holds_file_lock"] = lock
        # IMMEDIATE takes the write lock at the start, waiting (busy timeout) for it. A plain BEGIN reads first
        # and fails with "database is locked" when it later needs to write after another writer committed,
        # and even a page that only reads a family writes an audit row. Readers outside the app (backups,
        # reports) still read alongside thanks to WAL.
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _release_file_lock(conn)
            raise


def _release_file_lock(conn: Any) -> None:
    lock = conn.info.pop("holds_file_lock", None)
    if lock is not None:
        lock.release()


@event.listens_for(Engine, "commit")
def _sqlite_on_commit(conn: Any) -> None:
    _release_file_lock(conn)


@event.listens_for(Engine, "rollback")
def _sqlite_on_rollback(conn: Any) -> None:
    _release_file_lock(conn)
