"""aiogram's bare echo bot, as in aiogram's examples/echo_bot.py, for the end-to-end baseline.

``python -m bench.echo_bot --api http://127.0.0.1:PORT --token 123:ABC...``: a plain `Dispatcher()`
with one handler, `Bot` over aiohttp, aiogram's own `start_polling` (it stops on SIGTERM), INFO logging
as in aiogram's example (the production bot logs at INFO too).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

dispatcher = Dispatcher()


@dispatcher.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "")


async def main(api: str, token: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api))
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    await dispatcher.start_polling(bot)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.echo_bot", description=__doc__)
    parser.add_argument("--api", required=True, help="the fake Telegram server's base URL (loopback only)")
    parser.add_argument("--token", required=True)
    arguments = parser.parse_args(argv)
    if urlsplit(arguments.api).hostname not in LOOPBACK:
        parser.error("--api must be a loopback URL: this bot is for the fake Telegram server only")
    return arguments


if __name__ == "__main__":
    arguments = _arguments(sys.argv[1:])
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(main(arguments.api, arguments.token))
