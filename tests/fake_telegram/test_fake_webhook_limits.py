"""Webhook delivery to a local aiohttp app, and rate limits with Telegram's 429 penalty."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from fake_telegram import FakeTelegram
from fake_telegram.limits import Limits, RateLimiter, Refusal

MakeBot = Callable[..., Bot]


class Receiver:
    """A tiny webhook endpoint that records what it gets and can be told to fail."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_next = 0
        self.reply: dict[str, Any] | None = None
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        if self.reply is not None:
            return web.json_response(self.reply)
        return web.json_response({})

    async def wait(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield rec
    finally:
        await runner.cleanup()


class GatedReceiver:
    """A webhook that holds every request until the test answers it, to see what arrives at once."""

    def __init__(self) -> None:
        self.url = ""
        self.in_flight: dict[str, asyncio.Future[int]] = {}  # message text -> the status to answer
        self.answered: list[tuple[str, int]] = []
        self._changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        text = update["message"]["text"]
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.in_flight[text] = future
        self._changed.set()
        return web.json_response({}, status=await future)

    async def wait_for(self, *texts: str) -> None:
        """Until requests with these texts are all being held."""
        async with asyncio.timeout(5):
            while not set(texts) <= set(self.in_flight):
                self._changed.clear()
                await self._changed.wait()

    def answer(self, text: str, status: int = 200) -> None:
        self.in_flight.pop(text).set_result(status)
        self.answered.append((text, status))

    def release_all(self) -> None:
        for text in list(self.in_flight):
            self.answer(text)


@pytest.fixture
async def gated() -> AsyncIterator[GatedReceiver]:
    rec = GatedReceiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield rec
    finally:
        rec.release_all()
        await runner.cleanup()


async def test_webhook_runs_up_to_max_connections_requests_at_once(
    tg: FakeTelegram, bot: Bot, gated: GatedReceiver
) -> None:
    await bot.set_webhook(gated.url, max_connections=3)
    for user_id in range(1, 6):
        await tg.user(user_id).send(f"u{user_id}")
    await gated.wait_for("u1", "u2", "u3")
    await asyncio.sleep(0.1)  # room for a fourth request, which must not come
    assert sorted(gated.in_flight) == ["u1", "u2", "u3"]
    gated.answer("u2")
    await gated.wait_for("u4")  # the freed connection takes the next update
    assert sorted(gated.in_flight) == ["u1", "u3", "u4"]
    gated.release_all()
    await gated.wait_for("u5")
    gated.release_all()
    await tg.wait_confirmed()
    assert tg.stats.webhook_peak_connections == 3
    assert tg.stats.webhook_deliveries == 5


async def test_webhook_sends_a_chats_next_update_after_the_previous_answer(
    tg: FakeTelegram, bot: Bot, gated: GatedReceiver
) -> None:
    await bot.set_webhook(gated.url)  # Telegram's default max_connections, 40
    first, second = tg.user(1), tg.user(2)
    await first.send("a1")
    await first.send("a2")
    await second.send("b1")
    await gated.wait_for("a1", "b1")  # two chats at once ...
    await asyncio.sleep(0.1)
    assert sorted(gated.in_flight) == ["a1", "b1"]  # ... but a2 waits for a1's answer
    gated.answer("b1")
    gated.answer("a1", status=500)
    await gated.wait_for("a1")  # the retry; a2 still waits behind it
    assert sorted(gated.in_flight) == ["a1"]
    gated.answer("a1")
    await gated.wait_for("a2")
    gated.answer("a2")
    await tg.wait_confirmed()
    assert gated.answered == [("b1", 200), ("a1", 500), ("a1", 200), ("a2", 200)]


async def test_webhook_delivers_in_order_with_secret(tg: FakeTelegram, bot: Bot, receiver: Receiver) -> None:
    user = tg.user(1001)
    await user.send("before the webhook")
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t_Token", drop_pending_updates=True)
    assert tg.webhook is not None
    assert tg.webhook.url == receiver.url
    await user.send("one")
    await user.send("two")
    await receiver.wait(2)
    assert [(u["message"]["text"], secret) for u, secret in receiver.received] == [
        ("one", "s3cr3t_Token"),
        ("two", "s3cr3t_Token"),
    ]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert await bot.delete_webhook()
    assert tg.webhook is None


async def test_webhook_retries_failures(tg: FakeTelegram, bot: Bot, receiver: Receiver) -> None:
    receiver.fail_next = 2
    await bot.set_webhook(receiver.url)
    await tg.user(1001).send("retry me")
    await receiver.wait(1)
    assert receiver.received[0][0]["message"]["text"] == "retry me"
    await tg.wait_confirmed(timeout=2)  # confirmed once the 200 reached the fake
    assert tg.stats.webhook_failures == 2
    assert tg.stats.webhook_deliveries == 1
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_webhook_reply_method_is_executed(tg: FakeTelegram, bot: Bot, receiver: Receiver) -> None:
    receiver.reply = {
        "method": "sendMessage",
        "chat_id": 1001,
        "text": "<b>from the webhook reply</b>",
        "parse_mode": "HTML",
    }
    await bot.set_webhook(receiver.url)
    user = tg.user(1001)
    await user.send("/start")
    message = await user.wait_message()
    assert message.text == "from the webhook reply"


async def test_aiogram_webhook_mode_with_method_in_the_response(tg: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def shout(message: Message) -> SendMessage:
        # Returned, not awaited: aiogram puts the call in the webhook response (multipart), Telegram runs it.
        return message.answer(f"<b>{message.text}</b>!", parse_mode="HTML")

    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token="abc_123").register(
        app, path="/wh"
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/wh", secret_token="abc_123")
        user = tg.user(1001)
        await user.send("сәлем")
        reply = await user.wait_message()
        assert (reply.text, reply.entities[0]["type"]) == ("сәлем!", "bold")
        await tg.wait_confirmed()
    finally:
        await runner.cleanup()


async def test_a_raw_update_is_posted_to_the_webhook(tg: FakeTelegram, bot: Bot, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url)
    tg.inject_raw_update({"update_id": 5, "message": {"bogus": True}})
    await receiver.wait(1)
    assert receiver.received[0][0] == {"update_id": 5, "message": {"bogus": True}}
    await tg.wait_confirmed()


async def test_webhook_only_on_loopback(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as info:
        await bot.set_webhook("https://example.com/hook")
    assert info.value.message.startswith("Bad Request: bad webhook: ")
    with pytest.raises(TelegramBadRequest, match="bad webhook"):
        await bot.set_webhook("ftp://127.0.0.1/hook")


async def test_429_past_the_global_rate_with_penalty(make_bot: MakeBot) -> None:
    async with FakeTelegram(global_per_second=3) as tg:
        bot = make_bot(tg)
        for user_id in (1, 2):
            await tg.user(user_id).send("/start")
        for n in range(3):
            await bot.send_message(1 + n % 2, f"#{n}")
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(1, "too fast")
        assert info.value.retry_after >= 1
        assert "Original description: Too Many Requests: retry after " in info.value.message
        # While penalised, every send is refused, to any chat.
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(2, "still too fast")
        assert tg.stats.too_many_requests == 2
        assert tg.stats.sent["sendMessage"] == 3
        body = tg.calls("sendMessage")[-1].response
        assert body["error_code"] == 429
        assert body["parameters"]["retry_after"] >= 1
        tg.set_limits()  # off again, penalty forgiven
        await bot.send_message(1, "fine")


async def test_per_chat_rate_and_run_time_limits(tg: FakeTelegram, bot: Bot) -> None:
    for user_id in (1, 2):
        await tg.user(user_id).send("/start")
    tg.set_limits(per_chat_per_second=1, retry_after=7)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")  # another chat is fine
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(1, "c")
    assert info.value.retry_after == 7


def test_rate_limiter_sliding_window() -> None:
    limiter = RateLimiter()
    limits = Limits(global_per_second=2)
    for t in (0.0, 0.5):
        assert limiter.check(limits, 1, t) is None
        limiter.record(limits, 1, t)
    assert limiter.check(limits, 1, 0.9) == Refusal("global", 1)  # penalty until 1.9
    assert limiter.check(limits, 2, 1.5) == Refusal("global", 1)  # for every chat
    assert limiter.check(limits, 1, 2.0) is None  # both old sends left the window


async def test_json_in_request_log_is_decoded(tg: FakeTelegram, bot: Bot) -> None:
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    await tg.user(1001).send("/start")
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
    await bot.send_message(1001, "x", reply_markup=markup)
    params = tg.calls("sendMessage")[-1].params
    assert params["reply_markup"] == json.loads(markup.model_dump_json(exclude_none=True))
