"""The /_fake/ control API over HTTP, an aiogram Dispatcher polling the fake, and the standalone server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from fake_telegram import FakeTelegram

REPO_ROOT = Path(__file__).resolve().parents[2]


async def call(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Any:
    async with http.request(method, url, **kwargs) as response:
        body = await response.json()
        assert response.status == 200, body
        assert body["ok"], body
        return body["result"]


async def test_control_api_mirrors_the_python_api(tg: FakeTelegram, bot: Bot) -> None:
    base = f"{tg.url}/_fake"
    async with aiohttp.ClientSession() as http:
        profile = await call(
            http, "POST", f"{base}/users/1001", json={"first_name": "Aigerim", "language_code": "kk"}
        )
        assert profile["first_name"] == "Aigerim"
        update = await call(http, "POST", f"{base}/users/1001/send", json={"text": "/start"})
        assert update["message"]["text"] == "/start"
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Иә", callback_data="yes")]]
        )
        # A long poll for messages, answered when the bot sends one.
        waiting = asyncio.create_task(
            call(http, "GET", f"{base}/users/1001/messages", params={"after": 1, "timeout": 5})
        )
        await asyncio.sleep(0.05)
        await bot.send_message(1001, "<b>Сұрақ</b>?", parse_mode="HTML", reply_markup=markup)
        result = await waiting
        assert [(m["text"], m["buttons"]) for m in result["messages"]] == [("Сұрақ?", [["Иә"]])]
        pressed = await call(http, "POST", f"{base}/users/1001/press", json={"text": "Иә"})
        assert pressed["callback_query"]["data"] == "yes"
        forged = await call(http, "POST", f"{base}/users/1001/press_data", json={"data": "evil"})
        assert forged["callback_query"]["data"] == "evil"
        contact = await call(http, "POST", f"{base}/users/1001/contact", json={"phone": "+77010000001"})
        assert contact["message"]["contact"]["phone_number"] == "+77010000001"
        location = await call(
            http, "POST", f"{base}/users/1001/location", json={"latitude": 43.2, "longitude": 76.9}
        )
        assert location["message"]["location"]["latitude"] == 43.2
        sticker = await call(http, "POST", f"{base}/users/1001/sticker", json={"emoji": "🌳"})
        assert sticker["message"]["sticker"]["emoji"] == "🌳"
        voice = await call(http, "POST", f"{base}/users/1001/voice", json={"duration": 4})
        assert voice["message"]["voice"]["duration"] == 4
        edited = await call(http, "POST", f"{base}/users/1001/edit", json={"text": "/help", "message_id": 1})
        assert (edited["edited_message"]["message_id"], edited["edited_message"]["text"]) == (1, "/help")
        events = await call(http, "GET", f"{base}/users/1001/events", params={"after": 0})
        assert [e["type"] for e in events["events"]][:3] == ["user_message", "message", "callback_query"]
        limits = await call(
            http, "POST", f"{base}/limits", json={"global_per_second": 30, "per_chat_per_second": 1}
        )
        assert limits["global_per_second"] == 30
        assert tg.limits.per_chat_per_second == 1
        assert await call(http, "POST", f"{base}/block/1001") is True
        assert 1001 in tg.bot_state().blocked
        await call(http, "POST", f"{base}/unblock/1001")
        stats = await call(http, "GET", f"{base}/stats")
        assert stats["sent"] == {"sendMessage": 1}
        requests = await call(http, "GET", f"{base}/requests")
        assert requests[-1]["method"] == "sendMessage"
        raw = await call(http, "POST", f"{base}/updates", json={"message": {"bogus": True}})
        assert raw == {"update_id": tg.pending_updates()[-1]["update_id"], "message": {"bogus": True}}
        async with http.post(f"{base}/updates", json={"update_id": "x"}) as response:
            assert response.status == 400
        info = await call(http, "GET", f"{base}/")
        assert info["bots"][0]["id"] == 123456789
        # Errors are JSON, and a forged Host (DNS rebinding) or a non-JSON POST is refused.
        async with http.post(f"{base}/users/1001/press", json={"text": "nope"}) as response:
            assert response.status == 400
            assert "no button 'nope'" in (await response.json())["description"]
        async with http.get(f"{base}/stats", headers={"Host": "evil.example"}) as response:
            assert response.status == 403
        async with http.post(f"{base}/users/1001/send", data="text=hi") as response:
            assert response.status == 415


async def test_dispatcher_polling_end_to_end(tg: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Қазақша", callback_data="lang:kk")]]
        )
        await message.answer("Тілді таңдаңыз", reply_markup=markup)

    @dp.callback_query(F.data.startswith("lang:"))
    async def choose(query: CallbackQuery) -> None:
        await query.answer("✓")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Қазақ тілі таңдалды")

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        await tg.wait_polling(timeout=5)
        user = tg.user(1001, first_name="Aigerim", language_code="kk")
        await user.send("/start")
        menu = await user.wait_message()
        assert menu.buttons == [["Қазақша"]]
        await user.press("Қазақша")
        edited = await user.wait_edit()
        assert edited.text == "Қазақ тілі таңдалды"
        assert user.answers[-1].text == "✓"
        await user.send("сәлем")
        assert (await user.wait_message()).text == "echo: сәлем"
        assert tg.unanswered_callbacks() == []
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    # Everything the bot handled was confirmed or is confirmed by the next poll.
    assert tg.confirmed_update_id >= 2


async def test_standalone_server_runs_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fake_telegram",
        "--port",
        "0",
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert line.startswith("fake Telegram Bot API listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        async with aiohttp.ClientSession() as http:
            await call(http, "POST", f"{url}/_fake/users/7/send", json={"text": "/start"})
            async with http.get(f"{url}/bot123:AAAAAAAAAAAAAAAAAAAAAAAA/getUpdates") as response:
                updates = (await response.json())["result"]
                assert updates[0]["message"]["text"] == "/start"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        _, stderr = await process.communicate()
        assert b"Traceback" not in stderr, stderr.decode()


ECHO_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()

@dp.message(F.text)
async def echo(message: Message) -> None:
    await message.answer("<b>echo</b>: " + message.html_text, parse_mode="HTML")

async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    await dp.start_polling(bot, polling_timeout=5)

asyncio.run(main())
"""


async def test_bot_in_a_subprocess_like_the_real_one(tg: FakeTelegram, token: str, tmp_path: Path) -> None:
    script = tmp_path / "echo_bot.py"
    script.write_text(ECHO_BOT)
    env = {**os.environ, "TELEGRAM_API_URL": tg.url, "BOT_TOKEN": token}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await tg.wait_polling(timeout=10)
        user = tg.user(1001)
        await user.send("Сәлем <дос>")
        reply = await user.wait_message(timeout=5)
        assert reply.text == "echo: Сәлем <дос>"
        assert reply.html == "<b>echo</b>: Сәлем &lt;дос&gt;"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
        await tg.wait_confirmed(timeout=1)
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        _, stderr = await process.communicate()
        assert b"Traceback" not in stderr, stderr.decode()
