"""A Bot whose session records every request and answers like Telegram, without a network.

Used by the tests and by the benchmark (bench/inprocess.py), so it type-checks under mypy --strict.

aiogram's own tests' MockedBot pattern: queued responses are taken first-in-first-out; with none
queued, a plausible success is made up from the method (a sent message gets the next id). A queued
exception is raised instead, so a test can play Telegram's 429, 403 or 400 answers; the retry layer's
waits go to an instant clock (`session.clock`) that records them, so no test sleeps for real.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Document, InlineKeyboardMarkup, Message, PhotoSize, User

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


BOT_ID = 42
TOKEN = f"{BOT_ID}:TEST-token-for-the-recording-session"


class InstantClock:
    """A monotonic clock that `sleep` moves forward at once; the sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # like a real sleep, lets the other tasks run


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.responses: deque[Any] = deque()
        self.clock = InstantClock()
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
        if self.responses:
            response = self.responses.popleft()
            if isinstance(response, Exception):
                raise response
            return response  # type: ignore[no-any-return]
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
            if utf16_length(method.text or "") > TEXT_LIMIT:
                too_long: TelegramMethod[Any] = method
                raise TelegramBadRequest(too_long, "Bad Request: message is too long")
            return self._message(method.chat_id, text=method.text, reply_markup=method.reply_markup)
        if isinstance(method, EditMessageReplyMarkup):
            return self._message(method.chat_id, reply_markup=method.reply_markup)
        if isinstance(method, SendDocument | SendPhoto):
            if utf16_length(method.caption or "") > CAPTION_LIMIT:
                too_long_caption: TelegramMethod[Any] = method
                raise TelegramBadRequest(too_long_caption, "Bad Request: message caption is too long")
            if isinstance(method, SendPhoto):
                photo = [PhotoSize(file_id="photo", file_unique_id="photo", width=90, height=90)]
                return self._message(
                    method.chat_id, photo=photo, caption=method.caption, reply_markup=method.reply_markup
                )
            document = Document(file_id="doc", file_unique_id="doc", file_name="file")
            return self._message(
                method.chat_id, document=document, caption=method.caption, reply_markup=method.reply_markup
            )
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
