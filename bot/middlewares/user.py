"""Opens the update's database session and finds (or meets) the user behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.users import meet


class UserMiddleware(BaseMiddleware):
    """Gives handlers `session` and `user` (None outside private chats, where the bot does not talk)."""

    def __init__(self, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self.session_maker = session_maker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        async with self.session_maker() as session:
            data["session"] = session
            data["user"] = None
            if tg_user is not None and not tg_user.is_bot and (chat is None or chat.type == "private"):
                data["user"] = await meet(
                    session, tg_user.id, telegram_language=tg_user.language_code, username=tg_user.username
                )
            return await handler(event, data)
