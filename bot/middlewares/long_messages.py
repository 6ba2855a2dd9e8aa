"""Sends a text over Telegram's 4096-unit limit as several messages, so no screen is ever refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.text import TEXT_LIMIT, split_html, utf16_length

if TYPE_CHECKING:
    from aiogram import Bot


class SplitLongMessages(BaseRequestMiddleware):
    """Bot-session middleware: the keyboard goes with the last part, a reply-to with the first."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if not isinstance(method, SendMessage) or utf16_length(method.text) <= TEXT_LIMIT:
            return await make_request(bot, method)
        parts = split_html(method.text)
        for index, part in enumerate(parts[:-1]):
            update: dict[str, Any] = {"text": part, "reply_markup": None}
            if index > 0:
                update["reply_parameters"] = None
            await make_request(bot, method.model_copy(update=update))  # type: ignore[arg-type]
        last: dict[str, Any] = {"text": parts[-1]}
        if len(parts) > 1:
            last["reply_parameters"] = None
        return await make_request(bot, method.model_copy(update=last))  # type: ignore[arg-type]
