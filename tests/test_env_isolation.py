"""The suite never reads a deployer's `.env`: `make test` in a project folder whose .env says
RUN_MODE=webhook (or anything else) tests the same bot as a clean clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from tests.test_settings import run_bot

# What a deployer's .env may well say; every line of it would change what the tests see.
HOSTILE_ENV = """\
BOT_TOKEN=999:hostile-token-from-the-deployers-env-file
RUN_MODE=webhook
WEBHOOK_URL=https://deployer.example.kz/telegram/webhook
WEBHOOK_SECRET=deployers-secret
DATABASE_URL=postgresql+asyncpg://deployer@db.example.kz/belsendi
ADMIN_IDS=1,2,3
DEFAULT_LOCALE=ru
LOG_LEVEL=nonsense
THROTTLE_RATE=0.001
"""


@pytest.fixture
def hostile_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a hostile .env, made the working folder."""
    (tmp_path / ".env").write_text(HOSTILE_ENV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_in_the_tests_ignore_the_env_file(hostile_env: Path, request: pytest.FixtureRequest) -> None:
    # What the bot's own entry point reads, called from inside the suite.
    loaded = load_settings()
    assert (loaded.bot_token, loaded.run_mode, loaded.default_locale) == (None, "polling", "kk")
    assert loaded.database_url == "sqlite+aiosqlite:///./data/bot.sqlite3"
    # The in-process fixture, built after the .env appeared in the working folder.
    settings: Settings = request.getfixturevalue("settings")
    assert (settings.run_mode, settings.admin_ids, settings.throttle_rate) == ("polling", frozenset({777}), 0)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    # Built directly, Settings reads no file at all.
    assert Settings().run_mode == "polling"


def test_a_bot_process_started_by_the_tests_ignores_the_env_file_of_its_folder(hostile_env: Path) -> None:
    # `make run` starts the bot in the project folder, beside the deployer's .env; here, beside this one.
    result = run_bot(hostile_env, "migrate", DATABASE_URL="sqlite+aiosqlite:///./data/test.sqlite3")
    assert result.returncode == 0, result.stderr
    assert (hostile_env / "data" / "test.sqlite3").exists()
