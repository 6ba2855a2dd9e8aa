"""The same models, migrations and queries on PostgreSQL, the path beyond one machine.

Needs PostgreSQL at 127.0.0.1:5432 (trust auth, database `test`); each test gets a database of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.utils.i18n import I18n
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatcher import create_dispatcher
from bot.settings import Settings
from storage.database import create_engine, create_session_maker
from storage.fsm import SQLStorage
from storage.migrate import alembic_config, downgrade, upgrade
from storage.repositories.users import UserRepository
from tests.harness import BotHarness
from fake_telegram.recording import TOKEN, recording_bot

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"

asyncpg = pytest.importorskip("asyncpg", reason="asyncpg is not installed (pip install -e '.[postgres]')")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test", timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated database; dropped afterwards."""
    name = f"belsendi_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({error})")
    url = f"{SERVER}/{name}"
    try:
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade, pg_url)
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


async def test_migrations_stairway_on_postgres(pg_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(pg_url))
    for revision in reversed(list(script.walk_revisions())):
        await asyncio.to_thread(upgrade, pg_url, revision.revision)
        await asyncio.to_thread(downgrade, pg_url, revision.down_revision or "base")
        await asyncio.to_thread(upgrade, pg_url, revision.revision)


async def test_users_and_utc_times_on_postgres(pg_engine: AsyncEngine) -> None:
    session_maker = create_session_maker(pg_engine)
    # Several processes may share PostgreSQL: no process-local cache of users there.
    assert "user_cache" not in session_maker.kw["info"]
    almaty_noon = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    async with session_maker() as session:
        await UserRepository(session).add(10**12, consent_at=almaty_noon, name="Айгерім")
        await session.commit()
    async with session_maker() as session:
        user = await UserRepository(session).get(10**12)  # a BigInteger id, as Telegram's grow
    assert user is not None
    assert user.consent_at == almaty_noon
    assert user.consent_at is not None
    assert user.consent_at.tzinfo == UTC


async def test_fsm_storage_on_postgres(pg_engine: AsyncEngine) -> None:
    storage = SQLStorage(create_session_maker(pg_engine))
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(20)]
    await asyncio.gather(*(storage.set_data(key, {"n": key.user_id, "name": "Ерлан"}) for key in keys))
    assert await storage.get_data(keys[7]) == {"n": 7, "name": "Ерлан"}
    await storage.set_state(keys[7], "ProfileForm:name")
    assert await storage.get_state(keys[7]) == "ProfileForm:name"


async def test_onboarding_on_postgres(pg_engine: AsyncEngine, pg_url: str, i18n: I18n) -> None:
    settings = Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=pg_url,
        throttle_rate=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    session_maker = create_session_maker(pg_engine)
    bot, session = recording_bot()
    harness = BotHarness(create_dispatcher(settings, session_maker, i18n), bot, session)
    await harness.user(7001, language_code="ru").onboard("ru", role="organizer", region="shymkent")
    async with session_maker() as db:
        user = await UserRepository(db).get(7001)
    assert user is not None
    assert (user.language, user.role, user.requested_role, user.region) == (
        "ru",
        "volunteer",
        "organizer",
        "shymkent",
    )
    await bot.session.close()
