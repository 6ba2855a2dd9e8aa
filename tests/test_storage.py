"""Storage on real SQLite files: migrations, connection settings, UTC times, the FSM storage."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.database import create_engine, create_session_maker
from storage.fsm import SQLStorage
from storage.migrate import alembic_config, downgrade, upgrade
from storage.repositories.users import UserRepository


def test_migrations_stairway(tmp_path: Path) -> None:
    """Every revision upgrades, downgrades and upgrades again."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stairway.sqlite3'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = list(reversed(list(script.walk_revisions())))
    assert revisions
    for revision in revisions:
        upgrade(url, revision.revision)
        downgrade(url, revision.down_revision or "base")
        upgrade(url, revision.revision)


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    from storage.models import Base

    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert set(Base.metadata.tables) <= tables


async def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
        assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == 1  # NORMAL


async def test_times_are_stored_in_utc_and_come_back_aware(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    almaty_noon = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    async with session_maker() as session:
        users = UserRepository(session)
        await users.add(1, consent_at=almaty_noon)
        await session.commit()
    async with session_maker() as session:
        raw = (await session.execute(text("SELECT consent_at FROM users WHERE id = 1"))).scalar()
        user = await UserRepository(session).get(1)
    assert str(raw).startswith("2026-11-24 07:00:00")
    assert user is not None
    assert user.consent_at == almaty_noon
    assert user.consent_at is not None
    assert user.consent_at.tzinfo == UTC


async def test_naive_times_are_refused(session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        await UserRepository(session).add(2)
        with pytest.raises(Exception, match="naive datetime"):
            await UserRepository(session).update(2, consent_at=datetime(2026, 1, 1))


KEY = StorageKey(bot_id=42, chat_id=1001, user_id=1001)


class ProfileForm(StatesGroup):
    name = State()


async def test_fsm_state_and_data_survive_a_restart(settings_url_engine: tuple[str, AsyncEngine]) -> None:
    url, engine = settings_url_engine
    storage = SQLStorage(create_session_maker(engine))
    await storage.set_state(KEY, ProfileForm.name)
    await storage.set_data(KEY, {"draft": "Айгерім <b>", "step": 2})
    await engine.dispose()

    reopened = create_engine(url)
    try:
        storage = SQLStorage(create_session_maker(reopened))
        assert await storage.get_state(KEY) == "ProfileForm:name"
        assert await storage.get_data(KEY) == {"draft": "Айгерім <b>", "step": 2}
        assert await storage.update_data(KEY, {"step": 3}) == {"draft": "Айгерім <b>", "step": 3}
        async with reopened.connect() as connection:
            stored = (await connection.execute(text("SELECT data FROM fsm_states"))).scalar()
        assert stored == '{"draft": "Айгерім <b>", "step": 3}'  # JSON, readable, not pickle
    finally:
        await reopened.dispose()


async def test_fsm_rows_are_removed_when_empty(session_maker: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLStorage(session_maker)
    await storage.set_state(KEY, "ProfileForm:name")
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    async with session_maker() as session:
        assert (await session.execute(text("SELECT count(*) FROM fsm_states"))).scalar() == 0
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_fsm_refuses_what_json_cannot_hold(session_maker: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLStorage(session_maker)
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"when": object()})


async def test_fsm_concurrent_writers_to_new_keys(session_maker: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLStorage(session_maker)
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(40)]
    await asyncio.gather(*(storage.set_state(key, f"s{key.user_id}") for key in keys))
    states = await asyncio.gather(*(storage.get_state(key) for key in keys))
    assert states == [f"s{n}" for n in range(40)]
    async with session_maker() as session:
        assert (await session.execute(text("SELECT count(*) FROM fsm_states"))).scalar() == 40


@pytest.fixture
async def settings_url_engine(database_url: str) -> tuple[str, AsyncEngine]:
    return database_url, create_engine(database_url)


async def test_cached_fsm_reads_once_and_skips_writes_that_change_nothing(
    engine: AsyncEngine, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    storage = SQLStorage(session_maker, cache=True)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    await storage.set_state(KEY, None)  # what clear() does for a user with no conversation
    await storage.set_data(KEY, {})
    assert [s.split()[0] for s in statements if not s.startswith("BEGIN")] == ["SELECT"]
    statements.clear()
    await storage.set_state(KEY, "ProfileForm:name")
    assert any(s.startswith("UPDATE") for s in statements)
    statements.clear()
    assert await storage.get_state(KEY) == "ProfileForm:name"
    assert statements == []  # served from memory
    # ... and written through: a storage without the cache reads the same from the database.
    assert await SQLStorage(session_maker).get_state(KEY) == "ProfileForm:name"


async def test_the_fsm_cache_is_bounded(session_maker: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLStorage(session_maker, cache=True, cache_size=3)
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(5)]
    for key in keys:
        await storage.set_data(key, {"n": key.user_id})
    assert len(storage._cache or {}) <= 3
    assert [await storage.get_data(key) for key in keys] == [{"n": n} for n in range(5)]


async def test_user_cache_follows_commits_and_rollbacks(
    engine: AsyncEngine, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with session_maker() as session:
        await UserRepository(session).add(5, region="astana")
        await session.commit()

    async def region_read() -> tuple[str | None, int]:
        statements.clear()
        async with session_maker() as session:
            user = await UserRepository(session).get(5)
            await session.commit()
        assert user is not None
        return user.region, len([s for s in statements if s.startswith("SELECT")])

    assert await region_read() == ("astana", 0)  # published by the commit of the insert

    async with session_maker() as session:
        await UserRepository(session).update(5, region="aktobe")
        await session.rollback()
    assert await region_read() == ("astana", 1)  # forgotten: read from the database
    assert await region_read() == ("astana", 0)  # and cached again

    async with session_maker() as session:
        users = UserRepository(session)
        await users.update(5, region="shymkent")
        inside = await users.get(5)  # its own write, read inside its transaction
        assert inside is not None
        assert inside.region == "shymkent"
        await session.commit()
    assert await region_read() == ("shymkent", 0)

    async with session_maker() as session:
        await UserRepository(session).delete(5)
        await session.commit()
    async with session_maker() as session:
        assert await UserRepository(session).get(5) is None


async def test_a_read_inside_a_writing_transaction_does_not_fill_the_cache(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_maker() as session:
        await UserRepository(session).add(6, region="astana")
        await session.commit()
    async with session_maker() as session:
        users = UserRepository(session)
        assert users.cache is not None
        users.cache.forget(6)  # so that the read below goes to the database
        await users.update(6, region="aktobe")
        await users.get(6)  # reads the uncommitted change
        await session.rollback()
    async with session_maker() as session:
        user = await UserRepository(session).get(6)
    assert user is not None
    assert user.region == "astana"
