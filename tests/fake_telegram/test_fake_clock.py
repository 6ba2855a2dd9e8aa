"""The fake's clock: dates and callback query age follow it, and a driver moves it forward."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from fake_telegram import Clock, FakeTelegram

MakeBot = Callable[..., Bot]
START = 1_767_225_600  # 2026-01-01 00:00 UTC


def test_clock_moves_only_forward() -> None:
    clock = Clock(start=START, frozen=True)
    assert clock.now() == START
    assert clock.advance(90.5) == START + 90.5
    assert clock.timestamp() == START + 90
    assert clock.set(START + 3600) == START + 3600
    with pytest.raises(ValueError, match="only moves forward"):
        clock.set(START)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    clock.resume()
    assert not clock.frozen
    assert START + 3600 <= clock.now() < START + 3601  # runs on from where it stood


def test_real_time_by_default() -> None:
    import time

    clock = Clock()
    assert not clock.frozen
    assert abs(clock.now() - time.time()) < 1
    clock.advance(86_400)
    assert abs(clock.now() - time.time() - 86_400) < 1


async def test_dates_follow_the_clock(make_bot: MakeBot) -> None:
    clock = Clock(start=START, frozen=True)
    async with FakeTelegram(clock=clock) as tg:
        bot = make_bot(tg)
        user = tg.user(1001)
        first = await user.send("/start")
        assert first["message"]["date"] == START
        clock.advance(3600)
        sent = await bot.send_message(1001, "hello")
        assert sent.date.timestamp() == START + 3600
        clock.advance(60)
        edited = await bot.edit_message_text("hello again", chat_id=1001, message_id=sent.message_id)
        assert not isinstance(edited, bool)
        assert edited.edit_date == START + 3660
        tg.block(1001)
        assert tg.pending_updates()[-1]["my_chat_member"]["date"] == START + 3660


async def test_callback_queries_age_by_the_clock(make_bot: MakeBot) -> None:
    clock = Clock(start=START, frozen=True)
    async with FakeTelegram(clock=clock, callback_timeout=15) as tg:
        bot = make_bot(tg)
        user = tg.user(1001)
        await user.send("/start")
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
        await bot.send_message(1001, "?", reply_markup=markup)
        fresh = await user.press("A")
        stale = await user.press("A")
        clock.advance(10)
        assert await bot.answer_callback_query(fresh["callback_query"]["id"])
        clock.advance(6)  # 16 s after the press: too late, with no real waiting
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(stale["callback_query"]["id"])


async def test_control_api_moves_the_clock(make_bot: MakeBot) -> None:
    async with FakeTelegram(clock=Clock(start=START, frozen=True)) as tg, aiohttp.ClientSession() as http:
        base = f"{tg.url}/_fake/clock"
        async with http.get(base) as response:
            assert (await response.json())["result"] == {"now": START, "timestamp": START, "frozen": True}
        async with http.post(base, json={"advance": 120}) as response:
            assert (await response.json())["result"]["timestamp"] == START + 120
        async with http.post(base, json={"set": START + 7200, "frozen": False}) as response:
            result = (await response.json())["result"]
            assert result["frozen"] is False
            assert START + 7200 <= result["now"] < START + 7201
        assert (await tg.user(1).send("hi"))["message"]["date"] >= START + 7200
        for bad in ({"set": START}, {"advance": "soon"}, {"frozen": "yes"}, {"advance": 1, "set": START}):
            async with http.post(base, json=bad) as response:
                assert response.status == 400, bad
