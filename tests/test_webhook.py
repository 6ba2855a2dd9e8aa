"""Webhook mode in-process: the secret header is checked, /healthz answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.webhook import create_webhook_app, serve_webhook
from storage.database import create_engine
from tests.harness import BotHarness
from fake_telegram.recording import recording_bot

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


async def test_stopping_lets_the_update_in_flight_finish(settings: Settings, engine: AsyncEngine) -> None:
    """What SIGTERM does in webhook mode: no new requests, the running one completes and is answered."""
    release, handled = asyncio.Event(), []
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def slow(message: Message) -> None:
        await release.wait()
        handled.append(message.text)

    bot, _session = recording_bot()
    webhook = _webhook_settings(settings).model_copy(
        update={"webhook_host": "127.0.0.1", "webhook_port": _free_port()}
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(dispatcher, bot, webhook, engine, stop))
    url = f"http://127.0.0.1:{webhook.webhook_port}/tg/hook"
    async with aiohttp.ClientSession() as http:
        for _ in range(100):  # until the server listens
            try:
                async with http.get(f"http://127.0.0.1:{webhook.webhook_port}/healthz"):
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        request = asyncio.create_task(
            http.post(url, json=start_update(), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        )
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.sleep(0.2)
        assert not serving.done()  # waiting for the handler
        release.set()
        response = await request
        assert response.status == 200
        response.release()
    await asyncio.wait_for(serving, 10)
    assert handled == ["/start"]
    await bot.session.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
