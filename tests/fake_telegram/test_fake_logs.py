"""Bounded logs: the request log and each chat's logs keep the newest N entries; readers keep their place."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest
from aiogram import Bot

from fake_telegram import FakeTelegram
from fake_telegram.state import BoundedLog

MakeBot = Callable[..., Bot]


def test_bounded_log_keeps_the_newest_with_absolute_positions() -> None:
    log: BoundedLog[int] = BoundedLog(3)
    for n in range(5):
        log.append(n)
    assert list(log) == [2, 3, 4]
    assert (len(log), log.total, log.first) == (3, 5, 2)
    assert (log[0], log[-1], log[-2:]) == (2, 4, [3, 4])
    assert log.since(0) == [2, 3, 4]  # what was forgotten is skipped
    assert log.since(4) == [4]
    assert log.since(5) == []
    unbounded: BoundedLog[int] = BoundedLog(None)
    for n in range(20_000):
        unbounded.append(n)
    assert len(unbounded) == 20_000
    with pytest.raises(ValueError, match="at least 1"):
        BoundedLog(0)


async def test_logs_are_bounded_and_readers_keep_their_place(make_bot: MakeBot) -> None:
    async with FakeTelegram(log_limit=3) as tg:
        bot = make_bot(tg)
        user = tg.user(1001)
        await user.send("/start")
        for n in range(5):
            await bot.send_message(1001, f"m{n}")
        assert [call.params["text"] for call in tg.requests] == ["m2", "m3", "m4"]
        assert tg.requests.total == 5
        assert len(user.messages) == 5  # the chat itself is state, not a log: nothing is forgotten
        # The user had read nothing: the two messages the log forgot are skipped, the rest come in order.
        assert [(await user.wait_message()).text for _ in range(3)] == ["m2", "m3", "m4"]
        assert user.pending_messages() == []
        await bot.send_message(1001, "m5")
        assert (await user.wait_message()).text == "m5"
        chat = user.chat
        assert [event["seq"] for event in chat.events] == [5, 6, 7]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{tg.url}/_fake/users/1001/events", params={"after": 0}) as response:
                events = (await response.json())["result"]
            assert [e["seq"] for e in events["events"]] == [5, 6, 7]
            assert events["last_seq"] == 7
            async with http.get(f"{tg.url}/_fake/users/1001/events", params={"after": 6}) as response:
                assert [e["message"]["text"] for e in (await response.json())["result"]["events"]] == ["m5"]
            async with http.get(f"{tg.url}/_fake/requests", params={"after": 5}) as response:
                assert [c["params"]["text"] for c in (await response.json())["result"]] == ["m5"]
