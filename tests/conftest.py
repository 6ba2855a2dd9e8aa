"""Shared fixtures: a real SQLite file per test (copied from one migrated template), the production
dispatcher over a recording bot session.

The suite never reads the deployer's settings: not the .env in the working folder, not bot variables
exported in the shell. Child processes inherit that (and `bot_environment` says so again)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import use_packaged_tzdata
from bot.dispatcher import create_dispatcher
from bot.i18n import create_i18n
from bot.settings import ENV_FILE_VARIABLE, ENVIRONMENT_VARIABLES, Settings
from storage.database import create_engine, create_session_maker
from storage.migrate import upgrade
from tests.harness import BotHarness
from tests.recording_bot import TOKEN, recording_bot

use_packaged_tzdata()

for _name in ENVIRONMENT_VARIABLES:
    os.environ.pop(_name, None)
os.environ[ENV_FILE_VARIABLE] = ""


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    path = tmp_path / "bot.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=database_url,
        admin_ids=frozenset({777}),
        throttle_rate=0,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def i18n() -> I18n:
    return create_i18n("kk")


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_maker(engine)


@pytest.fixture
async def harness(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], i18n: I18n
) -> AsyncIterator[BotHarness]:
    bot, session = recording_bot()
    dispatcher = create_dispatcher(settings, session_maker, i18n)
    yield BotHarness(dispatcher, bot, session)
    await dispatcher.storage.close()
    await bot.session.close()
