"""SQLite through aiosqlite, with one trip to the connection's thread per statement.

aiosqlite runs each SQLite connection in a thread of its own; every call is a trip there and back
(a queue put, a wake-up of the event loop). SQLAlchemy's adapter makes three or four per statement (a
cursor, execute, fetchall, close) and one for `BEGIN IMMEDIATE` on its own. This adapter does the same
work in one trip: the statement runs, its rows are fetched and its cursor closed in the thread, and a
write transaction's `BEGIN IMMEDIATE` goes out with its first statement. A transaction that ran no
statement sends nothing at all, and a commit or rollback with no transaction open makes no trip.

The SQL is the same; only the number of trips changes. It is plugged in as the DBAPI module of the
`sqlite+aiosqlite` dialect (`create_async_engine(..., module=dbapi())`), so URLs stay as they are.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"

# What one trip brings back: the cursor's description, its rows, rowcount and lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for `create_async_engine("sqlite+aiosqlite:///...", module=dbapi())`."""
    return _OneTripDBAPI(aiosqlite, sqlite3)


def begin_immediate(dbapi_connection: Any) -> None:
    """Begin a write transaction: `BEGIN IMMEDIATE` is sent with the next statement, in its trip."""
    if isinstance(dbapi_connection, OneTripConnection):
        dbapi_connection.begin_pending = True
    else:  # another adapter (not expected): begin at once
        dbapi_connection.cursor().execute(BEGIN_IMMEDIATE)


def _run(
    connection: sqlite3.Connection, begin: bool, operation: str, parameters: Sequence[Any] | None
) -> _Outcome:
    """In the connection's thread: (begin,) execute, fetch everything, close the cursor."""
    if begin:
        connection.execute(BEGIN_IMMEDIATE)
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(
    connection: sqlite3.Connection, begin: bool, operation: str, parameters: Sequence[Sequence[Any]]
) -> _Outcome:
    if begin:
        connection.execute(BEGIN_IMMEDIATE)
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and close make one trip; no SQLite cursor is kept open."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no trip for a cursor
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        """Nothing to close: the SQLite cursor was closed in the statement's trip."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            outcome = await self._trip(_run, operation, parameters)
        self._take(outcome)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            outcome = await self._trip(_run_many, operation, seq_of_parameters)
        self._take(outcome)

    async def _trip(self, function: Any, operation: Any, parameters: Any) -> _Outcome:
        adapt: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        begin, adapt.begin_pending = adapt.begin_pending, False
        try:
            outcome: _Outcome = await self._connection._execute(
                function, self._connection._conn, begin, operation, parameters
            )
        except Exception:
            # The trip is over: if its BEGIN failed, the next statement tries it again. (A cancelled
            # trip may still be running in the thread: SQLAlchemy then closes the connection.)
            driver = self._connection._connection
            adapt.begin_pending = begin and not (driver is not None and driver.in_transaction)
            raise
        return outcome

    def _take(self, outcome: _Outcome) -> None:
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Defers `BEGIN IMMEDIATE` to the first statement; commits and rolls back only what is open."""

    __slots__ = ("begin_pending",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.begin_pending = False

    def _open(self) -> bool:
        """Whether SQLite has a transaction open, read on the loop's side with no trip (no trip is
        running: a connection's statements are awaited one at a time)."""
        self.begin_pending = False  # a transaction that never ran a statement ends here, unsent
        driver = self._connection._connection
        return driver is not None and driver.in_transaction

    def commit(self) -> None:
        if self._open():
            super().commit()

    def rollback(self) -> None:
        if self._open():
            super().rollback()


class _OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's own adapter does
        return OneTripConnection(self, await_(connection))
