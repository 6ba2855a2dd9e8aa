"""Keeps pydantic's models built for what the bot receives and calls, and the `Response[T]` classes
of their answers.

aiogram's models are built on first use (bot/telegram/lazy_models.py). The ones the bot uses are built
here when its session is made, before any update: no reply waits for a build (a first `sendMessage`
would take tens of milliseconds longer, enough to land a message to a chat less than the second
Telegram asks after the one before it, though the pacer spaced them a second apart).

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
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    DeleteMyCommands,
    DeleteWebhook,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    SendVenue,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Update

# Every method the bot calls (the fake Telegram serves these and a few more).
METHODS_IN_USE: tuple[type[TelegramMethod[Any]], ...] = (
    GetMe,
    GetUpdates,
    SetWebhook,
    DeleteWebhook,
    SendMessage,
    EditMessageText,
    EditMessageReplyMarkup,
    EditMessageCaption,
    AnswerCallbackQuery,
    DeleteMessage,
    SetMyCommands,
    DeleteMyCommands,
    SendDocument,
    SendPhoto,
    SendVenue,
    SendLocation,
    CopyMessage,
)


class KeepResponseTypes(BaseRequestMiddleware):
    """Bot-session middleware: the models in use built at once, and `Response[T]` for each method's
    `T`, built once and held."""

    def __init__(self) -> None:
        self._held: dict[Any, Any] = {}
        Update.model_rebuild()  # a webhook's update is parsed without a Response
        for method in METHODS_IN_USE:
            method.model_rebuild()
            self._hold(method.__returning__)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        self._hold(method.__returning__)
        return await make_request(bot, method)

    def _hold(self, returning: Any) -> None:
        if returning not in self._held:
            self._held[returning] = Response[returning]
