"""Telegram's limits, each on its own: per chat (with bursts), per group, overall; all off by default."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from fake_telegram import Clock, FakeTelegram, Limits
from fake_telegram.limits import RateLimiter, Refusal

MakeBot = Callable[..., Bot]
START = 1_767_225_600.0


async def test_a_flood_in_one_chat_does_not_stop_the_others(make_bot: MakeBot) -> None:
    async with FakeTelegram(per_chat_per_second=1, clock=Clock(start=START, frozen=True)) as tg:
        bot = make_bot(tg)
        for user_id in (1, 2):
            await tg.user(user_id).send("/start")
        await bot.send_message(1, "a")
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(1, "b")
        assert info.value.retry_after == 1
        body = tg.calls("sendMessage")[-1].response
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        await bot.send_message(2, "another chat is not penalised")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(1, "still penalised")
        tg.clock.advance(1)
        await bot.send_message(1, "after retry_after")
        assert tg.stats.too_many_requests_by_scope == {"chat": 2}


async def test_a_chat_may_get_a_short_burst_then_its_rate(make_bot: MakeBot) -> None:
    limits = Limits(per_chat_per_second=1, per_chat_burst=3)
    async with FakeTelegram(limits=limits, clock=Clock(start=START, frozen=True)) as tg:
        bot = make_bot(tg)
        await tg.user(1).send("/start")
        for n in range(3):
            await bot.send_message(1, f"burst {n}")
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(1, "one too many")
        assert info.value.retry_after == 1
        tg.clock.advance(1)
        await bot.send_message(1, "one a second")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(1, "not two")
        tg.clock.advance(10)  # a quiet chat earns its whole burst back, no more
        for n in range(3):
            await bot.send_message(1, f"burst again {n}")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(1, "past the burst")


async def test_edits_count_towards_the_chat_limit(make_bot: MakeBot) -> None:
    async with FakeTelegram(per_chat_per_second=1, clock=Clock(start=START, frozen=True)) as tg:
        bot = make_bot(tg)
        await tg.user(1).send("/start")
        sent = await bot.send_message(1, "v1")
        with pytest.raises(TelegramRetryAfter):
            await bot.edit_message_text("v2", chat_id=1, message_id=sent.message_id)


def test_group_limit_is_per_group_per_minute() -> None:
    limiter = RateLimiter()
    limits = Limits(per_group_per_minute=20)
    for n in range(20):
        now = n * 0.5
        assert limiter.check(limits, -100, now, group=True) is None
        limiter.record(limits, -100, now, group=True)
    assert limiter.check(limits, -100, 10.0, group=True) == Refusal(
        "group", 50
    )  # the first send leaves at 60
    assert limiter.check(limits, -200, 10.0, group=True) is None  # another group
    assert limiter.check(limits, 7, 10.0) is None  # a private chat has no group limit
    assert limiter.check(limits, -100, 59.0, group=True) == Refusal("group", 1)  # the penalty runs
    assert limiter.check(limits, -100, 60.0, group=True) is None


def test_the_overall_limit_outranks_a_chat_and_limits_off_let_everything_through() -> None:
    limiter = RateLimiter()
    both = Limits(global_per_second=1, per_chat_per_second=1)
    assert limiter.check(both, 1, 0.0) is None
    limiter.record(both, 1, 0.0)
    assert limiter.check(both, 1, 0.1) == Refusal("global", 1)
    off = Limits()
    fresh = RateLimiter()
    for n in range(1000):
        assert fresh.check(off, 1, n / 1000) is None
        fresh.record(off, 1, n / 1000)


def test_limits_are_checked() -> None:
    assert not Limits().enabled
    assert Limits(per_group_per_minute=20).enabled
    assert Limits(per_chat_per_second=2.5).chat_burst == 3
    with pytest.raises(ValueError, match="per_chat_burst"):
        Limits(per_chat_per_second=1, per_chat_burst=0)
    with pytest.raises(ValueError, match="global_per_second"):
        Limits(global_per_second=-1)
    with pytest.raises(TypeError, match="not both"):
        FakeTelegram(limits=Limits(global_per_second=30), global_per_second=30)


async def test_control_api_sets_every_limit(tg: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        wanted = {
            "global_per_second": 30,
            "per_chat_per_second": 0.5,
            "per_chat_burst": 3,
            "per_group_per_minute": 20,
            "retry_after": None,
        }
        async with http.post(f"{tg.url}/_fake/limits", json=wanted) as response:
            assert (await response.json())["result"] == wanted
        assert tg.limits == Limits(30, 0.5, None, 3, 20)
        async with http.post(f"{tg.url}/_fake/limits", json={"per_chat_burst": 0}) as response:
            assert response.status == 400
        async with http.post(f"{tg.url}/_fake/limits", json={}) as response:
            assert (await response.json())["result"]["global_per_second"] is None
        assert not tg.limits.enabled
