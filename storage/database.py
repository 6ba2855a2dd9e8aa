"""Engine and session factory, with the SQLite settings the bot relies on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.cache import CACHE_KEY, CachingSession, UserCache

# Writers wait this long for a lock instead of failing at once with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite: WAL, synchronous=NORMAL, busy_timeout and foreign keys on."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, **kwargs)
    # SQLite has one writer at a time, and every transaction here takes the write lock. A single
    # connection makes transactions queue in the pool, in order; with several, the losers wait in
    # SQLite's busy handler, which sleeps 1, 2, 5 ... 100 ms between tries (p95 of 92 ms measured).
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we emit BEGIN
        # ourselves (below) so that transactions mean what SQLAlchemy says they mean.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers wait on busy_timeout instead of
        # one of them failing with SQLITE_BUSY when it upgrades a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit, so data objects can be built from them.

    On SQLite, which one process owns through one connection, they share a cache of users.
    """
    info = {CACHE_KEY: UserCache()} if engine.dialect.name == "sqlite" else {}
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=CachingSession, info=info)
