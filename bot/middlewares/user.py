"""Finds (or meets) the user behind an update, and speaks their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import Chat, TelegramObject, Update, User

from bot.i18n import Catalogs
from bot.services.users import UserService
from storage.fsm import SQLStorage


class UserMiddleware(BaseMiddleware):
    """Gives handlers `user`, `t` (the translator of the user's language) and `locale`.

    `user` is None outside private chats, where the bot does not talk, and for someone we do not know
    who did anything but write to us: only a message is a first contact. A press on an old button, or
    blocking the bot, after "delete my data" must not bring a user row back.

    Runs before aiogram's FSM middleware and reads the user's conversation state with the user, in
    one statement.

    The language: the one the user chose; before they choose, Telegram's if it is ours.
    """

    def __init__(self, users: UserService, catalogs: Catalogs, fsm: FSMContextMiddleware) -> None:
        self.users = users
        self.catalogs = catalogs
        self.fsm = fsm

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        user = None
        key, conversation = None, None
        storage = self.fsm.storage
        if tg_user is not None and not tg_user.is_bot and (chat is None or chat.type == "private"):
            context = self.fsm.resolve_event_context(data["bot"], data)
            if context is not None and isinstance(storage, SQLStorage):
                key = storage.storage_key(context.key)
            user, conversation = await self.users.meet(
                tg_user.id,
                telegram_language=tg_user.language_code,
                username=tg_user.username,
                create=isinstance(event, Update) and event.message is not None,
                conversation_key=key,
            )
        t = self.catalogs.pick(user.language if user else None, tg_user.language_code if tg_user else None)
        data["user"] = user
        data["t"] = t
        data["locale"] = t.locale
        if key is None or conversation is None or not isinstance(storage, SQLStorage):
            return await handler(event, data)
        # The conversation came with the user: aiogram's read of it (next) costs nothing.
        with storage.primed(key, conversation):
            return await handler(event, data)
