"""The poller against the fake Telegram server over HTTP: nothing confirmed before it is handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bot.polling import Poller
from fake_telegram import FakeTelegram

TOKEN = "777001:poller-test-token-abcdefghijklmnop"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    yield bot
    await bot.session.close()


def slow_echo(release: asyncio.Event, handled: list[str]) -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await release.wait()  # a handler still at work: waiting on the database, say
        handled.append(message.text or "")
        await message.answer(message.text or "")

    return dispatcher


async def test_sigterm_waits_for_handlers_in_flight(tg: FakeTelegram, bot: Bot) -> None:
    release, stop, handled = asyncio.Event(), asyncio.Event(), []
    poller = Poller(slow_echo(release, handled), bot, polling_timeout=1)
    running = asyncio.create_task(poller.run(stop))
    user = tg.user(1, language_code="kk")
    await user.send("сәлем")
    while not poller.in_flight:
        await asyncio.sleep(0.01)
    stop.set()  # what SIGTERM does
    await asyncio.sleep(0.2)
    assert not running.done()  # still waiting for the handler
    assert tg.pending_updates()  # and the update is not confirmed yet
    release.set()
    await asyncio.wait_for(running, 5)
    assert handled == ["сәлем"]
    assert (await user.wait_message()).text == "сәлем"
    assert tg.pending_updates() == []  # confirmed on the way out


async def test_a_crash_mid_handler_gets_the_update_again(tg: FakeTelegram, bot: Bot) -> None:
    never, stop, handled = asyncio.Event(), asyncio.Event(), []
    crashed = Poller(slow_echo(never, handled), bot, polling_timeout=1)
    running = asyncio.create_task(crashed.run(stop))
    user = tg.user(2, language_code="ru")
    await user.send("первое")
    while not crashed.in_flight:
        await asyncio.sleep(0.01)
    await user.send("второе")
    await asyncio.sleep(0.3)  # the poller polls again meanwhile, with the first still running
    running.cancel()  # the process dies: no drain, no goodbye
    await asyncio.gather(running, return_exceptions=True)
    for task in list(crashed.in_flight.values()):
        task.cancel()
    assert handled == []

    release, stop = asyncio.Event(), asyncio.Event()
    release.set()
    restarted = Poller(slow_echo(release, handled), bot, polling_timeout=1)
    running = asyncio.create_task(restarted.run(stop))
    await tg.wait_confirmed(timeout=5)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert handled == ["первое", "второе"]


async def test_finished_updates_behind_a_slow_one_are_not_handled_twice(tg: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()
    release, stop = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    @dispatcher.message()
    async def handler(message: Message) -> None:
        if message.text == "slow":
            await release.wait()
        handled.append(message.text or "")

    poller = Poller(dispatcher, bot, polling_timeout=1)
    running = asyncio.create_task(poller.run(stop))
    await tg.user(3).send("slow")
    for n in range(5):
        await tg.user(10 + n).send(f"fast {n}")
    while len(handled) < 5:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # getUpdates keeps returning the fast ones while "slow" holds the offset
    assert sorted(handled) == [f"fast {n}" for n in range(5)]
    release.set()
    await tg.wait_confirmed(timeout=5)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert sorted(handled) == sorted(["slow", *[f"fast {n}" for n in range(5)]])
