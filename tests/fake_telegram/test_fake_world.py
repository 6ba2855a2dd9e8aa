"""The layers on their own: a World answers Bot API calls with no server; a transport serves any World."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot

from fake_telegram import HttpTransport, Limits, World
from fake_telegram.params import Params

MakeBot = Callable[..., Bot]
TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijkl"


async def test_a_world_answers_bot_api_calls_without_a_server() -> None:
    world = World(token=TOKEN, limits=Limits(per_chat_per_second=1))
    bot = world.bot_state()
    user = world.user(1001)
    await user.send("/start")
    status, body = await world.call(bot, "getUpdates", Params({"timeout": 0}))
    assert (status, [u["message"]["text"] for u in body["result"]]) == (200, ["/start"])
    status, body = await world.call(
        bot, "sendMessage", Params({"chat_id": "1001", "text": "<b>Сәлем</b>", "parse_mode": "HTML"})
    )
    assert (status, body["result"]["text"]) == (200, "Сәлем")
    status, body = await world.call(bot, "sendMessage", Params({"chat_id": 1001, "text": "again"}))
    assert (status, body["error_code"]) == (429, 429)
    assert (await user.wait_message()).text == "Сәлем"
    status, body = await world.call(bot, "noSuchMethod", Params({}))
    assert (status, body["description"]) == (404, "Not Found")
    # Without a transport a webhook is stored, and nothing delivers to it.
    status, _ = await world.call(bot, "setWebhook", Params({"url": "http://127.0.0.1:9/hook"}))
    assert status == 200
    assert world.webhook is not None


async def test_a_transport_serves_a_world_of_its_own(make_bot: MakeBot) -> None:
    world = World(bot_username="sandbox_bot")
    transport = HttpTransport(world)
    await transport.start()
    try:
        bot = make_bot(transport, TOKEN)
        assert (await bot.get_me()).username == "sandbox_bot"
        await world.user(7).send("/start")
        assert [u.message.text for u in await bot.get_updates(timeout=0) if u.message] == ["/start"]
    finally:
        await transport.stop()
    assert world.stopping
