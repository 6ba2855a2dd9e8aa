"""Fixtures: a started FakeTelegram and a real aiogram Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from fake_telegram import FakeTelegram

TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijkl"


def make_bot(tg: FakeTelegram, token: str = TOKEN) -> Bot:
    """A Bot talking to the fake exactly like the real bot does."""
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(bot_username="belsendi_bot") as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg)
    try:
        yield bot
    finally:
        await bot.session.close()
