"""Plays Telegram users against the production dispatcher, in-process, and records the replies."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.app import Application
from bot.dispatcher import BOT_DEFAULTS, prepare_session
from bot.telegram.resilience import ResilientRequests
from bot.views.onboarding import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from fake_telegram.recording import TOKEN, RecordingSession
from storage.database import Database
from storage.models import Base
from storage.repositories.users import UserProfile

_update_ids = itertools.count(1)
_message_ids = itertools.count(10_000)


@dataclass
class PlayedUser:
    harness: BotHarness
    id: int
    first_name: str = "Aigerim"
    last_name: str | None = None
    language_code: str | None = "kk"
    username: str | None = None
    last_bot_message: Message | None = field(default=None, repr=False)

    @property
    def tg_user(self) -> User:
        return User(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            last_name=self.last_name,
            language_code=self.language_code,
            username=self.username,
        )

    @property
    def chat(self) -> Chat:
        return Chat(id=self.id, type="private", first_name=self.first_name)

    def _message(self, **fields: Any) -> Message:
        return Message(
            message_id=next(_message_ids),
            date=int(time.time()),
            chat=self.chat,
            from_user=self.tg_user,
            **fields,
        )

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        """A text message; a leading /command gets its bot_command entity, as Telegram sends it."""
        entities = None
        if text.startswith("/"):
            entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        return await self.harness.feed(
            self, Update(update_id=next(_update_ids), message=self._message(text=text, entities=entities))
        )

    async def send_contact(self, phone: str, user_id: int | None = None) -> list[TelegramMethod[Any]]:
        contact = Contact(
            phone_number=phone, first_name=self.first_name, user_id=self.id if user_id is None else user_id
        )
        return await self.harness.feed(
            self, Update(update_id=next(_update_ids), message=self._message(contact=contact))
        )

    async def send_document(self) -> list[TelegramMethod[Any]]:
        document = Document(file_id="f1", file_unique_id="u1", file_name="cv.pdf")
        return await self.harness.feed(
            self, Update(update_id=next(_update_ids), message=self._message(document=document))
        )

    async def press(self, data: str | CallbackData) -> list[TelegramMethod[Any]]:
        """A button press with this data, on the last message the bot showed this user."""
        packed = data.pack() if isinstance(data, CallbackData) else data
        message = self.last_bot_message or self._message(text="…")
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.tg_user,
            chat_instance="ci",
            message=message,
            data=packed,
        )
        return await self.harness.feed(self, Update(update_id=next(_update_ids), callback_query=query))

    async def onboard(self, language: str = "kk", role: str = "volunteer", region: str = "astana") -> None:
        """The whole first conversation: /start, language, consent, role, region."""
        await self.send("/start")
        for data in (
            LanguageCallback(code=language),
            ConsentCallback(agree=True),
            RoleCallback(role=role),
            RegionCallback(code=region),
        ):
            await self.press(data)

    async def press_text(self, text: str) -> list[TelegramMethod[Any]]:
        """Press the inline button labelled `text` on the last message the bot showed."""
        markup = self.last_bot_message.reply_markup if self.last_bot_message else None
        assert isinstance(markup, InlineKeyboardMarkup), f"no inline keyboard on {self.last_bot_message}"
        for row in markup.inline_keyboard:
            for button in row:
                if button.text == text:
                    assert button.callback_data is not None
                    return await self.press(button.callback_data)
        labels = [button.text for row in markup.inline_keyboard for button in row]
        raise AssertionError(f"no button {text!r} among {labels}")


class BotHarness:
    """Feeds updates the way Telegram does: into the inbox, then waits until they are handled."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.dispatcher = app.dispatcher
        self.bot = app.bot
        assert isinstance(app.bot.session, RecordingSession)
        self.session: RecordingSession = app.bot.session

    def user(self, user_id: int = 1001, **fields: Any) -> PlayedUser:
        return PlayedUser(self, user_id, **fields)

    async def feed(self, user: PlayedUser, update: Update) -> list[TelegramMethod[Any]]:
        start = len(self.session.requests)
        await self.feed_update(update)
        requests = self.session.requests[start:]
        for request in requests:
            if isinstance(request, SendMessage | EditMessageText) and isinstance(
                request.reply_markup, InlineKeyboardMarkup
            ):
                user.last_bot_message = Message(
                    message_id=next(_message_ids),
                    date=int(time.time()),
                    chat=user.chat,
                    text=request.text,
                    reply_markup=request.reply_markup,
                )
        return requests

    async def feed_update(self, update: Update) -> None:
        await self.feed_raw(update.model_dump(mode="json", by_alias=True, exclude_none=True))

    async def feed_raw(self, raw: dict[str, Any]) -> None:
        """An update as JSON, as Telegram would post it (it may be one aiogram cannot parse)."""
        await self.app.inbox.receive([raw])
        await self.app.inbox.wait_idle()


def texts(requests: list[TelegramMethod[Any]]) -> list[str]:
    """What the user saw: sent and edited texts, and button-press answers that had text."""
    seen = []
    for request in requests:
        if isinstance(request, SendMessage | EditMessageText) or (
            isinstance(request, AnswerCallbackQuery) and request.text
        ):
            seen.append(request.text)
    return seen


async def stored_user(database: Database, user_id: int) -> UserProfile | None:
    """The user as the database has them now."""
    async with database.reading() as uow:
        return await uow.users.get(user_id)


def schema_differences(connection: Connection) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models (empty: none)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def recording_bot(resilience: ResilientRequests | None = None) -> tuple[Bot, RecordingSession]:
    """A bot configured like production's (HTML by default, long texts split, Telegram's limits ridden
    out) over a recording session; `resilience` defaults to the default policy on the instant clock."""
    session = RecordingSession()
    if resilience is None:
        resilience = ResilientRequests(sleep=session.clock.sleep, clock=session.clock)
    prepare_session(session, resilience)
    return Bot(TOKEN, session=session, default=BOT_DEFAULTS), session
