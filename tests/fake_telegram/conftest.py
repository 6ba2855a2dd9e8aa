"""Fixtures: a started FakeTelegram and real aiogram Bots pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from fake_telegram import FakeTelegram

TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijkl"

MakeBot = Callable[..., Bot]


@pytest.fixture
def token() -> str:
    """The default test bot's token (bot id 123456789)."""
    return TOKEN


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(bot_username="belsendi_bot") as fake:
        yield fake


@pytest.fixture
async def make_bot() -> AsyncIterator[MakeBot]:
    """Build Bots talking to a fake exactly like the real bot does; their sessions close at teardown."""
    bots: list[Bot] = []

    def make(fake: FakeTelegram, token: str = TOKEN) -> Bot:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.url)))
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.session.close()


@pytest.fixture
def bot(tg: FakeTelegram, make_bot: MakeBot) -> Bot:
    return make_bot(tg)
