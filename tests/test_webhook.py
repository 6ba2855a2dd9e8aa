"""Webhook mode in-process: the secret header is checked, /healthz answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.webhook import create_webhook_app
from storage.database import create_engine
from tests.harness import BotHarness

SECRET = "hook-secret_123"


@pytest.fixture
async def client(
    harness: BotHarness, settings: Settings, engine: AsyncEngine
) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_webhook_app(harness.dispatcher, harness.bot, _webhook_settings(settings), engine)
    async with TestClient(TestServer(app)) as client:
        yield client


def _webhook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "run_mode": "webhook",
            "webhook_url": "https://bot.example.kz/tg/hook",
            "webhook_secret": SecretStr(SECRET),
        }
    )


def start_update(update_id: int = 1) -> dict[str, Any]:
    user = {"id": 3001, "is_bot": False, "first_name": "Арман", "language_code": "kk"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": 3001, "type": "private", "first_name": "Арман"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_updates_without_the_secret_are_refused(
    client: TestClient[Any, Any], harness: BotHarness, header: str | None
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    response = await client.post("/tg/hook", json=start_update(), headers=headers)
    assert response.status == 401
    assert harness.session.requests == []  # nothing was handled


async def test_an_update_with_the_secret_is_handled_before_the_answer(
    client: TestClient[Any, Any], harness: BotHarness
) -> None:
    response = await client.post(
        "/tg/hook", json=start_update(), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    sent = [r for r in harness.session.requests if isinstance(r, SendMessage)]
    assert sent
    assert "Belsendi" in sent[0].text


async def test_healthz(client: TestClient[Any, Any]) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_healthz_reports_a_database_without_its_schema(
    harness: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    # An unmigrated file (a wrong DATABASE_URL, say). A path that cannot be opened at all would do
    # too, but aiosqlite then finishes its worker thread after the test's loop is gone.
    broken = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    webhook = _webhook_settings(settings)
    app = create_webhook_app(harness.dispatcher, harness.bot, webhook, broken)
    try:
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/healthz")
            assert response.status == 503
    finally:
        await broken.dispose()
