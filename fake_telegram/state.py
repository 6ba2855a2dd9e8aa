"""The fake's world: bots, users, private chats, messages, files and the update queue.

Everything here is plain data owned by one :class:`~fake_telegram.FakeTelegram` instance; the HTTP layer
and the test-facing user API both act on it.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from .limits import RateLimiter
from .markup import button_texts, find_button, markup_kind

__all__ = [
    "DEFAULT_LOG_LIMIT",
    "DEFAULT_UPDATE_TYPES",
    "BotState",
    "BoundedLog",
    "CallbackAnswer",
    "CallbackQueryState",
    "ChatState",
    "FileRecord",
    "SentMessage",
    "Signal",
    "UserProfile",
    "WebhookState",
    "update_chat_id",
]

# What Telegram delivers when allowed_updates was never set or set to [].
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


DEFAULT_LOG_LIMIT = 10_000
T = TypeVar("T")


class BoundedLog(Sequence[T]):
    """An append-only log that keeps the newest ``limit`` entries (None: all), for long-running fakes.

    Indexing, slicing and ``len`` cover the entries kept, like a list. Readers that page through it
    (``after=N`` in the control API, a user's ``wait_message``) use absolute positions instead: the n-th
    entry ever appended is at position n - 1, whether or not it is still kept.
    """

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("a log limit must be at least 1 (None keeps everything)")
        self._items: deque[T] = deque(maxlen=limit)
        self.total = 0

    @property
    def limit(self) -> int | None:
        """How many entries are kept."""
        return self._items.maxlen

    @property
    def first(self) -> int:
        """The position of the oldest entry kept (``total`` when empty)."""
        return self.total - len(self._items)

    def append(self, item: T) -> None:
        """Add an entry, forgetting the oldest one beyond the limit."""
        self._items.append(item)
        self.total += 1

    def since(self, position: int) -> list[T]:
        """The kept entries at ``position`` and after."""
        return list(itertools.islice(self._items, max(position - self.first, 0), None))

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self._items)[index]
        return self._items[index]

    def __repr__(self) -> str:
        return f"BoundedLog({list(self._items)!r}, total={self.total}, limit={self.limit})"


class Signal:
    """Wake every coroutine waiting for "something changed" (new update, new message, shutdown)."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    async def wait(self, timeout: float | None) -> bool:  # noqa: ASYNC109 - waiters own their deadline
        """Wait for the next :meth:`fire`; False on timeout."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(future)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(future)

    def fire(self) -> None:
        """Wake all current waiters."""
        for future in self._waiters:
            if not future.done():
                future.set_result(None)
        self._waiters.clear()


def update_chat_id(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (its message's, or its sender's), or None; raw updates may be odd."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        for holder in (payload, payload.get("message")):
            chat = holder.get("chat") if isinstance(holder, dict) else None
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


@dataclass
class UserProfile:
    """A Telegram user who talks to bots through the fake."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat with this user."""
        data: dict[str, Any] = {"id": self.id, "first_name": self.first_name, "type": "private"}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class FileRecord:
    """A file known to the fake (uploaded by the bot or made up for a user's message)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    @property
    def file_path(self) -> str:
        """Path under ``/file/bot<token>/`` where getFile lets the bot download it."""
        suffix = ""
        if self.file_name and "." in self.file_name:
            suffix = "." + self.file_name.rsplit(".", 1)[1]
        folder = {"photo": "photos", "sticker": "stickers", "voice": "voice"}.get(self.kind, "documents")
        return f"{folder}/{self.file_unique_id}{suffix}"

    def sticker_json(self, emoji: str | None) -> dict[str, Any]:
        """A static ``Sticker`` (the fake does not decode the image, so its size is nominal)."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "file_size": self.size,
        }
        if emoji:
            data["emoji"] = emoji
        return data

    def voice_json(self, duration: int) -> dict[str, Any]:
        """The Bot API ``Voice`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": duration,
            "mime_type": self.mime_type or "audio/ogg",
            "file_size": self.size,
        }

    def document_json(self) -> dict[str, Any]:
        """The Bot API ``Document`` object."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_json(self) -> list[dict[str, Any]]:
        """A ``PhotoSize`` list. The fake does not decode images, so sizes are nominal."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": 320,
                "height": 320,
            }
        ]


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (or a snapshot of one, see FakeUser.wait_message).

    ``text`` is the plain text after parse_mode parsing (the caption for media), ``html`` the raw text
    as the bot sent it, ``kind`` one of "text", "document", "photo", "location", "venue", "copy";
    ``content`` is what the Telegram message holds ("text", "document", ..., for copies the source's).
    """

    message_id: int
    chat_id: int
    kind: str
    date: int
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    content: str = "text"
    media: dict[str, Any] = field(default_factory=dict)
    file: FileRecord | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    copied_from: tuple[int, int] | None = None
    method: str = "sendMessage"

    @property
    def caption(self) -> str:
        """The caption of a media message (same as ``text``)."""
        return self.text

    @property
    def has_inline_keyboard(self) -> bool:
        """Whether the message carries an inline keyboard."""
        return markup_kind(self.reply_markup) == "inline"

    @property
    def buttons(self) -> list[list[str]]:
        """Visible button texts of the inline or reply keyboard, row by row."""
        return button_texts(self.reply_markup)

    def callback_data(self, text: str) -> str:
        """callback_data of the inline button labelled ``text``; KeyError if there is none."""
        button = find_button(self.reply_markup, text) if self.has_inline_keyboard else None
        if button is None or "callback_data" not in button:
            raise KeyError(f"no inline callback button {text!r} on message {self.message_id}: {self.buttons}")
        return str(button["callback_data"])

    def snapshot(self) -> SentMessage:
        """A copy that later edits do not change."""
        return copy.copy(self)

    def to_json(self, bot: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        """The Bot API ``Message`` object Telegram returns for this message."""
        data: dict[str, Any] = {"message_id": self.message_id, "from": bot, "chat": chat, "date": self.date}
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.content == "text":
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        else:
            data.update(self.media)
            if self.text:
                data["caption"] = self.text
                if self.entities:
                    data["caption_entities"] = self.entities
        # Telegram only echoes inline keyboards back in Message objects.
        if self.has_inline_keyboard:
            data["reply_markup"] = self.reply_markup
        return data

    def describe(self) -> str:
        """One line for error messages."""
        body = self.text if self.content == "text" else f"<{self.content}> {self.text}".strip()
        short = body if len(body) <= 60 else body[:57] + "..."
        extra = f" buttons={self.buttons}" if self.buttons else ""
        flags = " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {short!r}{extra}{flags}"


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a callback query."""

    callback_query_id: str
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQueryState:
    """A callback query the fake sent to the bot, and whether the bot answered it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answer: CallbackAnswer | None = None
    # Where the press sits in the conversation (the chat's newest message id then) and what it said.
    after_message_id: int = 0
    label: str | None = None


@dataclass
class ChatState:
    """The private chat between one bot and one user."""

    user: UserProfile
    known: bool = False
    next_message_id: int = 1
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent_log: BoundedLog[SentMessage] = field(default_factory=BoundedLog)
    edit_log: BoundedLog[SentMessage] = field(default_factory=BoundedLog)
    events: BoundedLog[dict[str, Any]] = field(default_factory=BoundedLog)
    reply_keyboard: dict[str, Any] | None = None
    answers: list[CallbackAnswer] = field(default_factory=list)
    changed: Signal = field(default_factory=Signal)

    @property
    def chat_id(self) -> int:
        """Private chat ids equal the user's id."""
        return self.user.id

    @property
    def is_group(self) -> bool:
        """Group and supergroup ids are negative on Telegram; the fake's chats are all private so far."""
        return self.chat_id < 0

    def new_message_id(self) -> int:
        """Bot and user messages share one sequence per chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def add_event(self, kind: str, message: dict[str, Any]) -> None:
        """Log a change for the control API's event feed and wake waiters."""
        self.events.append({"seq": self.events.total + 1, "type": kind, "message": message})
        self.changed.fire()


@dataclass
class WebhookState:
    """A webhook set with setWebhook."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


class BotState:
    """Everything one bot (one token) sees: its update queue, chats, commands and webhook."""

    def __init__(
        self,
        bot_id: int | None,
        token: str | None,
        username: str,
        first_name: str,
        log_limit: int | None = DEFAULT_LOG_LIMIT,
    ) -> None:
        self.bot_id = bot_id
        self.log_limit = log_limit
        self.token = token
        self.username = username
        self.first_name = first_name
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.confirmed_update_id = 0
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.callbacks: dict[str, CallbackQueryState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: WebhookState | None = None
        self.limiter = RateLimiter()
        self.files: dict[str, FileRecord] = {}
        self.poll_generation = 0
        self.poll_calls = 0
        self.updates_changed = Signal()
        self.confirmed = Signal()
        self.dropped_updates = 0
        # setMyDescription, setMyShortDescription, setChatMenuButton: stored, not interpreted.
        self.settings: dict[tuple[str, str], Any] = {}

    def user_json(self) -> dict[str, Any]:
        """The bot as a Bot API ``User`` (the ``from`` of its messages)."""
        return {
            "id": self.bot_id or 0,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def chat(self, user: UserProfile) -> ChatState:
        """The chat with ``user``, created on first use."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = ChatState(
                user=user,
                sent_log=BoundedLog(self.log_limit),
                edit_log=BoundedLog(self.log_limit),
                events=BoundedLog(self.log_limit),
            )
        return chat

    def set_allowed_updates(self, allowed: Iterable[str] | None) -> None:
        """Remember allowed_updates; None keeps the previous setting, [] restores the default."""
        if allowed is None:
            return
        chosen = frozenset(allowed)
        self.allowed_updates = chosen or DEFAULT_UPDATE_TYPES

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless the bot's allowed_updates exclude its type (Telegram never creates it)."""
        if kind not in self.allowed_updates:
            self.dropped_updates += 1
            return None
        return self._enqueue({"update_id": self.next_update_id, kind: payload})

    def push_raw(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a copy of any JSON object as an update; allowed_updates does not filter it.

        A missing ``update_id`` gets the next one; a given one must be an integer and is kept as it is
        (duplicates and gaps are the caller's to make), and later updates are numbered after it.
        """
        try:
            raw: dict[str, Any] = json.loads(json.dumps(dict(update), ensure_ascii=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"an update must be a JSON object: {exc}") from None
        update_id = raw.pop("update_id", self.next_update_id)
        if isinstance(update_id, bool) or not isinstance(update_id, int):
            raise ValueError(f"update_id must be an integer, not {update_id!r}")
        return self._enqueue({"update_id": update_id, **raw})

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        self.next_update_id = max(self.next_update_id, update["update_id"] + 1)
        self.updates.append(update)
        self.updates_changed.fire()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates offset semantics: forget updates with id < offset; negative keeps the last -offset."""
        if offset < 0:
            keep = -offset
            dropped = self.updates[:-keep] if keep < len(self.updates) else []
            self.updates = self.updates[-keep:] if keep else []
            if dropped:
                self.confirmed_update_id = max(self.confirmed_update_id, dropped[-1]["update_id"])
        elif offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.confirmed_update_id = max(self.confirmed_update_id, min(offset - 1, self.next_update_id - 1))
        self.confirmed.fire()

    def acknowledge(self, update: dict[str, Any]) -> None:
        """The webhook answered this update (or delivery gave up on it): it leaves the queue."""
        for index, queued in enumerate(self.updates):
            if queued is update:
                del self.updates[index]
                self.confirmed_update_id = max(self.confirmed_update_id, update["update_id"])
                self.confirmed.fire()
                return

    def drop_pending(self) -> None:
        """drop_pending_updates=True."""
        if self.updates:
            self.confirmed_update_id = self.updates[-1]["update_id"]
        self.updates.clear()
        self.confirmed.fire()
