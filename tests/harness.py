"""Plays Telegram users against the production dispatcher, in-process, and records the replies."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
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
from storage.models import Base, is_modelled_table
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
    # The bot's messages in this chat as they are now (edits and removed buttons applied), by id.
    bot_messages: dict[int, Message] = field(default_factory=dict, repr=False)

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

    async def send_photo(self, caption: str | None = None) -> list[TelegramMethod[Any]]:
        photo = [
            PhotoSize(file_id="small-photo", file_unique_id="p1", width=90, height=90),
            PhotoSize(file_id="big-photo", file_unique_id="p2", width=1280, height=960),
        ]
        return await self.harness.feed(
            self, Update(update_id=next(_update_ids), message=self._message(photo=photo, caption=caption))
        )

    async def press(self, data: str | CallbackData, on: int | None = None) -> list[TelegramMethod[Any]]:
        """A button press with this data, on the bot's message `on` (by default the last one the bot
        showed this user with buttons). The data need not be on a button there: old or forged."""
        packed = data.pack() if isinstance(data, CallbackData) else data
        message = self.bot_messages[on] if on is not None else self.last_bot_message
        message = message or self._message(text="…")
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.tg_user,
            chat_instance="ci",
            message=message,
            data=packed,
        )
        return await self.harness.feed(self, Update(update_id=next(_update_ids), callback_query=query))

    async def onboard(
        self,
        language: str = "kk",
        role: str = "volunteer",
        region: str = "astana",
        organization: str = "Жасыл әлем",
        bin_number: str = "-",
    ) -> None:
        """The whole first conversation: /start, language, consent, role, region; an NGO or an
        organizer names the `organization` and its BIN ("-": none) before the region."""
        await self.send("/start")
        for data in (LanguageCallback(code=language), ConsentCallback(agree=True), RoleCallback(role=role)):
            await self.press(data)
        if role in {"ngo", "organizer"}:
            await self.send(organization)
            await self.send(bin_number)
        await self.press(RegionCallback(code=region))

    async def press_text(self, text: str, on: int | None = None) -> list[TelegramMethod[Any]]:
        """Press the inline button labelled `text` on the bot's message `on` (default: the last one
        with buttons); fails if that message shows no such button now."""
        message = self.bot_messages[on] if on is not None else self.last_bot_message
        for label, data in self.buttons(message.message_id if message else None):
            if label == text:
                return await self.press(data, on=message.message_id if message else None)
        raise AssertionError(f"no button {text!r} among {[label for label, _ in self.buttons(on)]}")

    def buttons(self, message_id: int | None = None) -> list[tuple[str, str]]:
        """(label, data) of the inline buttons the bot's message shows now (default: the last one)."""
        message = self.bot_messages.get(message_id) if message_id is not None else self.last_bot_message
        markup = message.reply_markup if message else None
        if not isinstance(markup, InlineKeyboardMarkup):
            return []
        return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]

    def with_buttons(self) -> list[int]:
        """Ids of the bot's messages in this chat that still show inline buttons."""
        return [id_ for id_ in self.bot_messages if self.buttons(id_)]


class BotHarness:
    """Feeds updates the way Telegram does: into the inbox, then waits until they are handled."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.dispatcher = app.dispatcher
        self.bot = app.bot
        assert isinstance(app.bot.session, RecordingSession)
        self.session: RecordingSession = app.bot.session
        # What each request was answered with (a sent message's id is the session's, not ours).
        self.results: dict[int, Any] = {}
        answer = self.session.make_request

        async def make_request(bot: Any, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
            result = await answer(bot, method, timeout)
            self.results[id(method)] = result
            return result

        self.session.make_request = make_request  # type: ignore[method-assign]

    def user(self, user_id: int = 1001, **fields: Any) -> PlayedUser:
        return PlayedUser(self, user_id, **fields)

    async def feed(self, user: PlayedUser, update: Update) -> list[TelegramMethod[Any]]:
        start = len(self.session.requests)
        await self.feed_update(update)
        requests = self.session.requests[start:]
        for request in requests:
            self._apply(user, request)
        return requests

    def _apply(self, user: PlayedUser, request: TelegramMethod[Any]) -> None:
        """What the user's chat looks like after the request, as Telegram would draw it."""
        if isinstance(request, SendMessage):
            sent = self.results.get(id(request))
            if not isinstance(sent, Message):
                return  # refused
            message_id = sent.message_id
        elif isinstance(request, EditMessageText | EditMessageReplyMarkup) and request.message_id:
            message_id = request.message_id  # an edit keeps the message's id
        else:
            return
        markup = request.reply_markup if isinstance(request.reply_markup, InlineKeyboardMarkup) else None
        old = user.bot_messages.get(message_id)
        text = (
            request.text if isinstance(request, SendMessage | EditMessageText) else (old.text if old else "")
        )
        user.bot_messages[message_id] = Message(
            message_id=message_id, date=int(time.time()), chat=user.chat, text=text, reply_markup=markup
        )
        last = user.last_bot_message
        if markup is not None or (last is not None and last.message_id == message_id):
            user.last_bot_message = user.bot_messages[message_id]

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
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            # The search index (SQLite's FTS5 tables) is not in the models.
            "include_name": lambda name, type_, _parent: type_ != "table" or is_modelled_table(name),
        },
    )
    return list(compare_metadata(context, Base.metadata))


def recording_bot(resilience: ResilientRequests | None = None) -> tuple[Bot, RecordingSession]:
    """A bot configured like production's (HTML by default, long texts split, Telegram's limits ridden
    out) over a recording session; `resilience` defaults to the default policy on the instant clock."""
    session = RecordingSession()
    if resilience is None:
        resilience = ResilientRequests(sleep=session.clock.sleep, clock=session.clock)
    prepare_session(session, resilience)
    return Bot(TOKEN, session=session, default=BOT_DEFAULTS), session
