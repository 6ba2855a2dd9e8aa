"""The inbox in the real bot process: nothing lost when it is killed, nothing stalled by a bad update,
nothing handled twice when Telegram sends an update again."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from fake_telegram import FakeTelegram
from tests.e2e.conftest import BotFactory, Conversation, until
from tests.e2e.test_bot_process import free_port

pytestmark = pytest.mark.e2e

GREETING = "Belsendi сізбен қай тілде сөйлессін?"


async def test_updates_being_handled_when_the_process_is_killed_are_handled_after_the_restart(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    first = await start_bot()
    tg.set_limits(global_per_second=0, retry_after=5)  # every reply refused for now: handlers wait
    users = [tg.user(5300 + n, language_code="kk") for n in range(10)]
    for user in users:
        await user.send("/start")
    await tg.wait_confirmed(timeout=20)  # stored in the inbox, so confirmed to Telegram
    await asyncio.sleep(0.3)
    await first.stop(signal.SIGKILL)  # kill -9: no drain, no goodbye
    assert all(not user.messages for user in users)

    tg.set_limits()
    second = await start_bot()
    for user in users:
        await Conversation(tg, user).expect(GREETING, timeout=20)
    assert "Resuming 10 update(s) left unfinished" in second.output()
    assert tg.pending_updates() == []
    assert await second.stop() == 0, second.output()


async def test_an_update_the_bot_cannot_parse_is_recorded_and_does_not_stall_anyone(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot()
    broken = tg.inject_raw_update({"message": {"bogus": True}})
    user = tg.user(5320, language_code="kk")
    await user.send("/start")
    await Conversation(tg, user).expect(GREETING)
    await tg.wait_confirmed(timeout=10)
    assert await bot.stop() == 0, bot.output()

    report = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "inbox", cwd=tmp_path, env=bot.env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await report.communicate()
    assert report.returncode == 0
    text = out.decode()
    assert "failed: 1" in text
    assert f"{broken['update_id']}" in text
    assert "unparsable" in text


async def test_webhook_answers_at_once_and_an_update_sent_twice_is_handled_once(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    port = free_port()
    secret = "e2e_webhook-secret"
    await start_bot(
        RUN_MODE="webhook",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
        WEBHOOK_SECRET=secret,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    user = tg.user(5330, first_name="Арман", language_code="kk")
    await user.send("/help")  # through Telegram (the fake) first: a bot may write only to who wrote to it
    await Conversation(tg, user).expect("Belsendi")
    update = {
        "update_id": 900_001,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": 5330, "type": "private", "first_name": "Арман"},
            "from": {"id": 5330, "is_bot": False, "first_name": "Арман", "language_code": "kk"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # Telegram retries when it did not get our answer
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        async with http.post(url, data=b"{not json", headers=headers) as response:
            assert response.status == 400  # a malformed body is the sender's fault, not a 500
    await until(lambda: any(GREETING in message.text for message in user.messages))
    await asyncio.sleep(0.5)
    assert sum(GREETING in message.text for message in user.messages) == 1
