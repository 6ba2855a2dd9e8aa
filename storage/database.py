"""The database: one writer and a small pool of readers on SQLite, an ordinary pool on PostgreSQL.

SQLite has one writer at a time. A single writer connection makes write transactions queue in the
pool, in order (`BEGIN IMMEDIATE`); with several, the losers wait in SQLite's busy handler, which sleeps
1, 2, 5 ... 100 ms between tries (p95 of 92 ms measured). Reads need no lock under WAL: they run on
their own connections (`query_only`, so a read can never take the write lock) beside the writer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage import sqlite
from storage.unit_of_work import UnitOfWork

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bot.sqlite3"
# Writers wait this long for a lock held by another process (a migration, the CLI) before failing.
SQLITE_BUSY_TIMEOUT_MS = 5000
# Reader connections on SQLite: each is a thread in aiosqlite; more than the cores buys nothing.
SQLITE_READERS = 4


class Database:
    """Hands out units of work: `transaction()` to change data, `reading()` to only look."""

    def __init__(self, url: str, *, readers: int = SQLITE_READERS, pool_size: int | None = None) -> None:
        """`pool_size`: connections of PostgreSQL's pool (SQLAlchemy's default 5, plus 10 overflow)."""
        self.url = url
        options: dict[str, Any] = (
            {}
            if pool_size is None or make_url(url).get_backend_name() == "sqlite"
            else {"pool_size": pool_size}
        )
        self.writer = create_engine(url, **options)
        self._writer_turns: asyncio.Lock | None = None
        self._reader_turns: asyncio.Semaphore | None = None
        if self.writer.dialect.name == "sqlite":
            self.reader = create_engine(url, readonly=True, pool_size=readers)
            # Units of work wait for a connection here, in order, rather than in the pool's queue,
            # which makes every waiter a greenlet switch and a timeout of its own.
            self._writer_turns = asyncio.Lock()
            self._reader_turns = asyncio.Semaphore(readers)
        else:
            self.reader = self.writer  # PostgreSQL: MVCC, its ordinary pool serves both

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def transaction(self) -> UnitOfWork:
        """One unit of work that commits once at its end, or leaves nothing behind."""
        return UnitOfWork(self.writer, turns=self._writer_turns)

    def reading(self) -> UnitOfWork:
        """A read-only unit of work: a consistent snapshot, never the write lock."""
        return UnitOfWork(self.reader, read_only=True, turns=self._reader_turns)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def create_engine(database_url: str, *, readonly: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite: WAL, synchronous=NORMAL, busy_timeout and foreign keys on.

    SQLite writers (the default) are one connection that begins with `BEGIN IMMEDIATE`; readers
    (`readonly=True`) are a pool of `query_only` connections in autocommit: each statement is a snapshot.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, **kwargs)
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    # A unit of work always ends its transaction (commit or rollback) before it gives the connection
    # back; the pool's own rollback on return would be one more trip to SQLite's thread for nothing.
    kwargs.setdefault("pool_reset_on_return", None)
    if url.get_driver_name() == "aiosqlite":
        kwargs.setdefault("module", sqlite.dbapi())  # one trip to SQLite's thread per statement
    engine = create_async_engine(url, **kwargs)
    _configure_sqlite(engine, readonly=readonly)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, readonly: bool) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we emit BEGIN
        # ourselves (below) so that transactions mean what SQLAlchemy says they mean.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # persistent; a no-op once the file is in WAL mode
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if readonly:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    if readonly:
        # Readers send no BEGIN: each statement reads its own consistent snapshot and takes no lock,
        # and a read costs one trip to SQLite's thread less.
        return

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock before the transaction's first statement, so a writer never
        # fails upgrading a read lock; it is sent with that statement, in the same trip.
        sqlite.begin_immediate(connection.connection.dbapi_connection)
