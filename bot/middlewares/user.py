"""Finds (or meets) the user behind an update, and speaks their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update, User

from bot.i18n import Catalogs
from bot.services.users import UserService


class UserMiddleware(BaseMiddleware):
    """Gives handlers `user`, `t` (the translator of the user's language) and `locale`.

    `user` is None outside private chats, where the bot does not talk, and for someone we do not know
    who did anything but write to us: only a message is a first contact. A press on an old button, or
    blocking the bot, after "delete my data" must not bring a user row back.

    The language: the one the user chose; before they choose, Telegram's if it is ours.
    """

    def __init__(self, users: UserService, catalogs: Catalogs) -> None:
        self.users = users
        self.catalogs = catalogs

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        user = None
        if tg_user is not None and not tg_user.is_bot and (chat is None or chat.type == "private"):
            user = await self.users.meet(
                tg_user.id,
                telegram_language=tg_user.language_code,
                username=tg_user.username,
                create=isinstance(event, Update) and event.message is not None,
            )
        t = self.catalogs.pick(user.language if user else None, tg_user.language_code if tg_user else None)
        data["user"] = user
        data["t"] = t
        data["locale"] = t.locale
        return await handler(event, data)
