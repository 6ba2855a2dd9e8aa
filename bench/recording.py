"""A bot whose session records every request and answers like Telegram, in-process (no network).

The same idea as tests/recording_bot.py (aiogram's MockedBot pattern), kept here so that the benchmark
type-checks on its own and does not move when the tests' helper does: a sent or edited message gets a
made-up `Message` with the next id, anything else `True`. The production bot's session middleware
(long texts split) and defaults (HTML) are applied, as in production.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, GetMe, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message, User

from bot.dispatcher import BOT_DEFAULTS
from bot.middlewares.long_messages import SplitLongMessages

BOT_ID = 42
TOKEN = f"{BOT_ID}:BENCH-token-for-the-recording-session"


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._next_message_id = 1

    async def close(self) -> None:
        pass

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        self.requests.append(method)
        return self._made_up(method)  # type: ignore[no-any-return]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    def _made_up(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return User(id=BOT_ID, is_bot=True, first_name="Belsendi", username="belsendi_bot")
        if isinstance(method, SendMessage | EditMessageText):
            return self._message(method.chat_id, text=method.text, reply_markup=method.reply_markup)
        if isinstance(method, EditMessageReplyMarkup):
            return self._message(method.chat_id, reply_markup=method.reply_markup)
        return True

    def _message(self, chat_id: Any, **fields: Any) -> Message:
        message_id = self._next_message_id
        self._next_message_id += 1
        fields = {key: value for key, value in fields.items() if not isinstance(value, Default)}
        if not isinstance(fields.get("reply_markup"), InlineKeyboardMarkup):
            fields.pop("reply_markup", None)  # Telegram's Message carries inline keyboards only
        return Message.model_validate(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": Chat(id=int(chat_id or 0), type="private"),
                "from": User(id=BOT_ID, is_bot=True, first_name="Belsendi"),
                **fields,
            }
        )


def recording_bot() -> tuple[Bot, RecordingSession]:
    """A bot configured like production's (HTML by default, long texts split) over a recording session."""
    session = RecordingSession()
    session.middleware(SplitLongMessages())
    return Bot(TOKEN, session=session, default=BOT_DEFAULTS), session
