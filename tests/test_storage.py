"""Storage on real SQLite files: migrations, the whole schema, connections, units of work, UTC times,
the FSM storage, and no state kept in one process that another could make stale."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.dispatcher import NetworkInTransactionError, create_bot
from bot.settings import Settings
from fake_telegram.recording import RecordingSession
from storage.database import Database
from storage.fsm import SQLStorage
from storage.migrate import alembic_config, downgrade, upgrade
from storage.unit_of_work import NestedTransactionError, in_transaction
from tests.harness import schema_differences

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
KEY = StorageKey(bot_id=42, chat_id=1001, user_id=1001)


class ProfileForm(StatesGroup):
    name = State()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def test_migrations_stairway(tmp_path: Path) -> None:
    """Every revision upgrades, downgrades and upgrades again."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stairway.sqlite3'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = list(reversed(list(script.walk_revisions())))
    assert len(revisions) >= 2
    for revision in revisions:
        upgrade(url, revision.revision)
        downgrade(url, revision.down_revision or "base")
        upgrade(url, revision.revision)


async def test_migrated_schema_is_the_models_schema(db: Database) -> None:
    """Tables, columns with their types and nullability, indexes, keys: what autogenerate compares."""
    async with db.reading() as uow:
        differences = await uow.connection.run_sync(schema_differences)
    assert differences == []


async def test_a_schema_difference_is_noticed(db: Database) -> None:
    # The check above can fail: an index the models do not have is a difference.
    async with db.transaction() as uow:
        await uow.connection.execute(text("CREATE INDEX ix_extra ON users (region)"))
    async with db.reading() as uow:
        differences = await uow.connection.run_sync(schema_differences)
    assert any("ix_extra" in str(difference) for difference in differences)


async def test_writer_and_readers_run_with_wal_busy_timeout_and_foreign_keys(db: Database) -> None:
    for unit in (db.transaction(), db.reading()):
        async with unit as uow:
            pragma = uow.connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() == 5000
            assert (await pragma("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert (await pragma("PRAGMA query_only")).scalar() == (1 if unit.read_only else 0)


async def test_a_reader_never_writes(db: Database) -> None:
    with pytest.raises(OperationalError, match="readonly"):
        async with db.reading() as uow:
            await uow.users.add(1, now=NOW)


async def test_reads_run_beside_an_open_write_transaction(db: Database) -> None:
    async with db.transaction() as uow:
        await uow.users.add(1, now=NOW, region="astana")
    writer_holds_the_lock = asyncio.Event()
    release = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as uow:
            await uow.users.update(1, now=NOW, region="aktobe")
            writer_holds_the_lock.set()
            await release.wait()

    writer = asyncio.create_task(slow_writer())
    await writer_holds_the_lock.wait()
    async with asyncio.timeout(2), db.reading() as uow:  # would wait for the writer if it needed the lock
        user = await uow.users.get(1)
    assert user is not None
    assert user.region == "astana"  # the snapshot: the write is not committed yet
    release.set()
    await writer
    async with db.reading() as uow:
        user = await uow.users.get(1)
    assert user is not None
    assert user.region == "aktobe"


async def test_a_use_case_that_fails_half_way_leaves_nothing_behind(db: Database) -> None:
    async def register_then_fail() -> None:
        async with db.transaction() as uow:
            await uow.users.add(1, now=NOW, region="astana")
            await uow.fsm.put("fsm:1:1:default", now=NOW, state="ProfileForm:name")
            raise RuntimeError("failed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await register_then_fail()
    async with db.reading() as uow:
        assert await uow.users.get(1) is None
        assert await uow.fsm.get("fsm:1:1:default") == (None, "{}")
    assert not in_transaction()


async def test_a_write_transaction_takes_the_write_lock_with_its_first_statement(
    db: Database, database_url: str
) -> None:
    # BEGIN IMMEDIATE goes out with the first statement (in its trip to SQLite's thread), and even a
    # first statement that only reads takes the write lock: a writer never fails upgrading a read lock.
    other = sqlite3.connect(make_url(database_url).database or "", timeout=0)  # another process
    try:
        async with db.transaction() as uow:
            await uow.users.get(1)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released with the commit
        other.rollback()
    finally:
        other.close()


async def test_a_statement_cancelled_before_it_ran_leaves_nothing_for_the_next_unit_of_work(
    db: Database,
) -> None:
    # A trip to SQLite's thread cannot be called back: when its task is cancelled before the thread
    # ran it, the thread still begins the transaction and inserts afterwards. What it did must be rolled
    # back, not left open on the one writer connection for the next unit of work.
    gate = threading.Event()
    queued = asyncio.Event()

    async def register() -> None:
        async with db.transaction() as uow:
            raw = await uow.connection.get_raw_connection()
            thread_busy = asyncio.ensure_future(raw.driver_connection._execute(gate.wait))  # type: ignore[union-attr]
            await asyncio.sleep(0)
            queued.set()
            try:
                await uow.users.add(1, now=NOW)  # queued behind the gate
            finally:
                await asyncio.shield(thread_busy)

    task = asyncio.create_task(register())
    await queued.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.05)
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(2), db.transaction() as uow:
        assert await uow.users.get(1) is None
        await uow.users.add(2, now=NOW)
    async with db.reading() as uow:
        assert await uow.users.get(1) is None
        assert await uow.users.get(2) is not None


async def test_writers_take_their_turns_in_the_order_they_came(db: Database) -> None:
    order: list[int] = []

    async def write(user_id: int) -> None:
        async with db.transaction() as uow:
            order.append(user_id)
            await uow.users.add(user_id, now=NOW)
            await asyncio.sleep(0)  # let the others line up while this one holds the writer

    await asyncio.gather(*(write(user_id) for user_id in range(1, 31)))
    assert order == list(range(1, 31))
    with pytest.raises(RuntimeError):  # a unit of work that fails gives its turn back
        async with db.transaction() as uow:
            raise RuntimeError
    async with asyncio.timeout(2), db.transaction() as uow:
        assert await uow.users.get(30) is not None


async def test_a_unit_of_work_inside_another_fails_at_once(db: Database) -> None:
    async with asyncio.timeout(2), db.transaction():
        with pytest.raises(NestedTransactionError):
            async with db.transaction():
                pass
        with pytest.raises(NestedTransactionError):
            async with db.reading():
                pass
    async with db.transaction():  # the outer one closed cleanly
        assert in_transaction()


async def test_a_bot_api_call_inside_a_transaction_fails_loudly(db: Database, settings: Settings) -> None:
    session = RecordingSession()
    bot = create_bot(settings, session)
    async with db.transaction():
        with pytest.raises(NetworkInTransactionError, match="inside a unit of work"):
            await bot.send_message(1, "hello")
    assert session.requests == []  # nothing went out
    await bot.send_message(1, "hello")  # outside: fine
    assert len(session.requests) == 1


async def test_nothing_is_cached_in_one_process_that_another_changes(database_url: str) -> None:
    """Two Database objects on one file stand for two processes (a replica, the CLI, the sender)."""
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.transaction() as uow:
            await uow.users.add(1, now=NOW, region="astana")
        async with first.reading() as uow:
            assert (await uow.users.get(1)).region == "astana"  # type: ignore[union-attr]
        async with second.transaction() as uow:
            await uow.users.update(1, now=NOW, region="aktobe")
        async with first.reading() as uow:
            assert (await uow.users.get(1)).region == "aktobe"  # type: ignore[union-attr]

        one, other = SQLStorage(first), SQLStorage(second)
        assert await one.get_state(KEY) is None
        await other.set_state(KEY, ProfileForm.name)
        assert await one.get_state(KEY) == "ProfileForm:name"
        await other.clear(KEY)
        assert await one.get_state(KEY) is None
    finally:
        await first.dispose()
        await second.dispose()


async def test_times_are_stored_in_utc_and_come_back_aware(db: Database) -> None:
    almaty_noon = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    async with db.transaction() as uow:
        await uow.users.add(1, now=NOW, consent_at=almaty_noon)
    async with db.reading() as uow:
        raw = (await uow.connection.execute(text("SELECT consent_at FROM users WHERE id = 1"))).scalar()
        user = await uow.users.get(1)
    assert str(raw).startswith("2026-11-24 07:00:00")
    assert user is not None
    assert user.consent_at == almaty_noon
    assert user.consent_at is not None
    assert user.consent_at.tzinfo == UTC


async def test_naive_times_are_refused(db: Database) -> None:
    async with db.transaction() as uow:
        await uow.users.add(2, now=NOW)
    with pytest.raises(Exception, match="naive datetime"):
        async with db.transaction() as uow:
            await uow.users.update(2, now=NOW, consent_at=datetime(2026, 1, 1))


async def test_fsm_state_and_data_survive_a_restart(database_url: str) -> None:
    first = Database(database_url)
    storage = SQLStorage(first)
    await storage.set_state(KEY, ProfileForm.name)
    await storage.set_data(KEY, {"draft": "Айгерім <b>", "step": 2})
    await first.dispose()

    reopened = Database(database_url)
    try:
        storage = SQLStorage(reopened)
        assert await storage.get_state(KEY) == "ProfileForm:name"
        assert await storage.get_data(KEY) == {"draft": "Айгерім <b>", "step": 2}
        assert await storage.update_data(KEY, {"step": 3}) == {"draft": "Айгерім <b>", "step": 3}
        async with reopened.reading() as uow:
            stored = (await uow.connection.execute(text("SELECT data FROM fsm_states"))).scalar()
        assert stored == '{"draft": "Айгерім <b>", "step": 3}'  # JSON, readable, not pickle
    finally:
        await reopened.dispose()


async def _fsm_rows(db: Database) -> int:
    async with db.reading() as uow:
        return int((await uow.connection.execute(text("SELECT count(*) FROM fsm_states"))).scalar() or 0)


async def test_fsm_rows_are_removed_when_empty(db: Database) -> None:
    storage = SQLStorage(db)
    await storage.set_state(KEY, "ProfileForm:name")
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await _fsm_rows(db) == 0
    await storage.set_data(KEY, {"x": 1})
    await storage.clear(KEY)
    assert await _fsm_rows(db) == 0
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_fsm_refuses_what_json_cannot_hold(db: Database) -> None:
    storage = SQLStorage(db)
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"when": object()})


async def test_fsm_concurrent_writers_to_new_keys(db: Database) -> None:
    storage = SQLStorage(db)
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(40)]
    await asyncio.gather(*(storage.set_state(key, f"s{key.user_id}") for key in keys))
    states = await asyncio.gather(*(storage.get_state(key) for key in keys))
    assert states == [f"s{n}" for n in range(40)]
    assert await _fsm_rows(db) == 40
