"""Shared fixtures: a real SQLite file per test (copied from one migrated template), and the
production application (composition root, dispatcher, inbox) over a recording bot session.

The suite never reads the deployer's settings: not the .env in the working folder, not bot variables
exported in the shell. Child processes inherit that (and `bot_environment` says so again)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Application, build_application
from bot.clock import ManualClock
from bot.i18n import Catalogs
from bot.settings import ENV_FILE_VARIABLE, ENVIRONMENT_VARIABLES, Settings
from bot.timezones import use_packaged_tzdata
from fake_telegram.recording import TOKEN, RecordingSession
from storage.database import Database
from storage.migrate import upgrade
from tests.harness import BotHarness

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
def catalogs() -> Catalogs:
    return Catalogs("kk", Settings(_env_file=None).tz)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[Application]:
    session = RecordingSession()
    application = build_application(
        settings,
        clock=clock,
        bot_session=session,
        # No real pauses between attempts, and finished updates marked at once.
        inbox_options={"retry_delays": (0.0,), "done_flush_delay": 0.0},
        # Telegram's 429s ridden out on the session's instant clock.
        bot_options={"sleep": session.clock.sleep, "monotonic": session.clock},
        # The sender's pace and backoff on the same instant clock.
        sender_options={"sleep": session.clock.sleep, "monotonic": session.clock},
    )
    yield application
    await application.sender.stop(drain_timeout=5)
    await application.inbox.stop(drain_timeout=5)
    await application.close()


@pytest.fixture
def database(app: Application) -> Database:
    return app.database


@pytest.fixture
def harness(app: Application) -> BotHarness:
    return BotHarness(app)
