"""Playing a user: the updates a Telegram client would cause, and reading what the bot sent back."""

from __future__ import annotations

import asyncio
import copy
import re
from typing import TYPE_CHECKING, Any

from .markup import button_texts, find_button
from .state import BotState, CallbackAnswer, CallbackQueryState, ChatState, SentMessage, UserProfile
from .transcript import render_transcript

if TYPE_CHECKING:
    from .world import World

__all__ = ["FakeUser", "command_entities"]

# Telegram marks /commands (optionally /command@botname) at the start of a word as bot_command.
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
DEFAULT_LOCATION = (43.238949, 76.889709)  # Almaty


# Media whose caption a user can add or change by editing.
_CAPTIONED = ("photo", "document", "voice", "video", "audio", "animation")


def _editable_field(message: dict[str, Any]) -> str | None:
    """What editing a user's message changes: "text", "caption", or None for a sticker, contact, ..."""
    if "text" in message:
        return "text"
    if any(kind in message for kind in _CAPTIONED):
        return "caption"
    return None


def _button_label(message: SentMessage, data: str) -> str | None:
    """The text of the message's inline button that carries ``data`` (None for forged data)."""
    if not message.has_inline_keyboard:
        return None
    button = find_button(message.reply_markup, data, field="callback_data")
    return None if button is None else str(button.get("text", ""))


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities Telegram adds to a user's text."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group().encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": length})
    return entities


class FakeUser:
    """One user's private chat with one bot, as the test sees it.

    Actions (``send``, ``press``, ...) queue the update the bot would get and return it once queued.
    ``wait_message``/``wait_edit`` read the bot's output through per-user cursors, so each message or
    edit is consumed once; they return snapshots taken when the bot sent or edited (later edits do not
    change them), while ``messages`` shows the chat's current state.
    """

    def __init__(self, world: World, bot: BotState, profile: UserProfile) -> None:
        self._world = world
        self._bot = bot
        self.profile = profile
        self._message_cursor = 0
        self._edit_cursor = 0

    # -- identity --------------------------------------------------------------------------------------

    @property
    def id(self) -> int:
        """The user's id, also the private chat's id."""
        return self.profile.id

    @property
    def phone(self) -> str:
        """The phone a contact share sends: the profile's, or a made-up Kazakh mobile number."""
        return self.profile.phone or f"+7701{self.profile.id % 10_000_000:07d}"

    @property
    def chat(self) -> ChatState:
        """The chat state (messages, reply keyboard, answers)."""
        return self._bot.chat(self.profile)

    # -- what the bot sent -----------------------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """The bot's messages in this chat in order, current state, deleted ones left out."""
        return [m for m in self.chat.bot_messages.values() if not m.deleted]

    @property
    def last_message(self) -> SentMessage | None:
        """The bot's newest message in this chat that is not deleted."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def answers(self) -> list[CallbackAnswer]:
        """The bot's answers to this user's callback queries, in order."""
        return list(self.chat.answers)

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard the user's client currently shows."""
        return self.chat.reply_keyboard

    async def wait_message(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109 - the test API
        """The next message the bot sends here that this user has not consumed yet."""
        return await self._wait(timeout, edits=False)

    async def wait_edit(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109 - the test API
        """The next edit (editMessageText/ReplyMarkup) of a bot message here, not consumed yet."""
        return await self._wait(timeout, edits=True)

    def pending_messages(self) -> list[SentMessage]:
        """Messages sent but not yet consumed by wait_message (does not consume them)."""
        return self.chat.sent_log.since(self._message_cursor)

    async def _wait(self, timeout: float, *, edits: bool) -> SentMessage:  # noqa: ASYNC109
        chat = self.chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            log = chat.edit_log if edits else chat.sent_log
            unread = log.since(self._edit_cursor if edits else self._message_cursor)
            if unread:
                # Entries a bounded log forgot before they were read are skipped.
                position = log.total - len(unread) + 1
                if edits:
                    self._edit_cursor = position
                else:
                    self._message_cursor = position
                return unread[0]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report("edit" if edits else "message", timeout))
            await chat.changed.wait(remaining)

    def _timeout_report(self, what: str, timeout: float) -> str:
        chat = self.chat
        bot = self._bot
        lines = [
            f"no new bot {what} in chat {self.id} ({self.profile.first_name}) within {timeout}s.",
            (
                f"bot messages here ({chat.sent_log.total} sent, {self._message_cursor} consumed, "
                f"{chat.edit_log.total} edits, {self._edit_cursor} consumed):"
            ),
        ]
        lines += [f"  {m.describe()}" for m in list(chat.bot_messages.values())[-10:]] or ["  (none)"]
        lines.append(
            f"bot: {bot.poll_calls} getUpdates calls, {len(bot.updates)} updates pending "
            f"(confirmed up to {bot.confirmed_update_id}), "
            f"webhook: {bot.webhook.url if bot.webhook else 'none'}"
        )
        recent = [call for call in self._world.requests if call.method != "getUpdates"][-8:]
        if recent:
            lines.append("last API calls:")
            for call in recent:
                outcome = "ok" if call.response.get("ok") else call.response.get("description")
                lines.append(f"  {call.method} chat_id={call.params.get('chat_id')} -> {outcome}")
        return "\n".join(lines)

    def transcript(self) -> str:
        """The conversation as plain text, one line per message (see :mod:`fake_telegram.transcript`)."""
        presses = [query for query in self._bot.callbacks.values() if query.chat_id == self.id]
        return render_transcript(self.chat, presses)

    # -- actions ---------------------------------------------------------------------------------------

    def _before_action(self) -> ChatState:
        # A user who blocked the bot must restart it before writing: that unblocks it.
        if self.id in self._bot.blocked:
            self._world.unblock(self.id, bot=self._bot)
        chat = self.chat
        chat.known = True
        return chat

    def _push_message(self, content: dict[str, Any]) -> dict[str, Any]:
        chat = self._before_action()
        message: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "from": self.profile.to_json(),
            "chat": self.profile.chat_json(),
            "date": self._world.clock.timestamp(),
            **content,
        }
        chat.user_messages[message["message_id"]] = message
        chat.add_event("user_message", message)
        update = self._bot.push_update("message", message)
        return update if update is not None else {"message": message}

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; /commands get bot_command entities like in Telegram."""
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._push_message(content)

    async def share_contact(self, phone: str | None = None) -> dict[str, Any]:
        """Share the user's own contact (what a request_contact button sends)."""
        contact: dict[str, Any] = {
            "phone_number": phone or self.phone,
            "first_name": self.profile.first_name,
            "user_id": self.id,
        }
        if self.profile.last_name:
            contact["last_name"] = self.profile.last_name
        return self._push_message({"contact": contact})

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Send a location."""
        return self._push_message({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4\n",
        file_name: str = "document.pdf",
        mime_type: str | None = "application/pdf",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a document; the fake keeps the bytes so the bot can getFile and download them."""
        record = self._world.new_file(self._bot, "document", data, file_name, mime_type)
        content: dict[str, Any] = {"document": record.document_json()}
        if caption:
            content["caption"] = caption
        return self._push_message(content)

    async def send_photo(
        self, data: bytes = b"\xff\xd8\xff\xe0fake-jpeg", caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo (the bytes are not decoded)."""
        record = self._world.new_file(self._bot, "photo", data, None, "image/jpeg")
        content: dict[str, Any] = {"photo": record.photo_json()}
        if caption:
            content["caption"] = caption
        return self._push_message(content)

    async def send_sticker(
        self, emoji: str = "👍", data: bytes = b"RIFF\x00\x00\x00\x00WEBPVP8 "
    ) -> dict[str, Any]:
        """Send a (static) sticker showing ``emoji``."""
        record = self._world.new_file(self._bot, "sticker", data, None, "image/webp")
        return self._push_message({"sticker": record.sticker_json(emoji)})

    async def send_voice(
        self, duration: int = 3, data: bytes = b"OggS\x00fake-opus", caption: str | None = None
    ) -> dict[str, Any]:
        """Send a voice message of ``duration`` seconds (the bytes are not decoded)."""
        if duration < 0:
            raise ValueError("a voice message lasts 0 seconds or more")
        record = self._world.new_file(self._bot, "voice", data, None, "audio/ogg")
        content: dict[str, Any] = {"voice": record.voice_json(duration)}
        if caption:
            content["caption"] = caption
        return self._push_message(content)

    async def edit(self, text: str, message_id: int | None = None) -> dict[str, Any]:
        """Edit one of the user's own messages: its text, or a media message's caption.

        ``message_id`` defaults to the user's newest message that has text or can have a caption. The
        bot gets an ``edited_message`` update: the whole message as it now is, with ``edit_date``.
        """
        chat = self.chat
        if message_id is None:
            message_id = next(
                (mid for mid, m in reversed(chat.user_messages.items()) if _editable_field(m) is not None),
                None,
            )
            if message_id is None:
                raise LookupError(f"user {self.id} has no message with text or a caption to edit")
        message = chat.user_messages.get(message_id)
        if message is None:
            raise LookupError(f"no message #{message_id} of user {self.id} to edit")
        field = _editable_field(message)
        if field is None:
            raise ValueError(f"message #{message_id} has no text or caption to edit")
        if field == "text" and not text.strip():
            raise ValueError("a text message cannot be edited to be empty")
        if message.get(field, "") == text:
            raise ValueError(f"message #{message_id} already says that: Telegram sends no edit")
        edited = copy.deepcopy(message)
        entities_field = "entities" if field == "text" else "caption_entities"
        edited.pop(entities_field, None)
        if text:
            edited[field] = text
            entities = command_entities(text) if field == "text" else []
            if entities:
                edited[entities_field] = entities
        else:
            edited.pop(field, None)
        edited["edit_date"] = self._world.clock.timestamp()
        chat.user_messages[message_id] = edited
        chat.add_event("user_edit", edited)
        update = self._bot.push_update("edited_message", edited)
        return update if update is not None else {"edited_message": edited}

    async def press(self, text: str) -> dict[str, Any]:
        """Press a button by its visible text, as the Telegram client would.

        Inline keyboards of the bot's messages here are searched newest first (a callback button gives a
        callback_query); then the current reply keyboard (a text message with the button's text, or the
        user's contact / a location for request_contact / request_location buttons).
        """
        chat = self.chat
        for message in reversed(list(chat.bot_messages.values())):
            if message.deleted or not message.has_inline_keyboard:
                continue
            button = find_button(message.reply_markup, text)
            if button is None:
                continue
            if "callback_data" not in button:
                raise ValueError(
                    f"button {text!r} on message #{message.message_id} is not a callback button: {button}"
                )
            return self._callback(message, str(button["callback_data"]))
        button = find_button(chat.reply_keyboard, text)
        if button is not None:
            if button.get("request_contact"):
                return await self.share_contact()
            if button.get("request_location"):
                return await self.send_location(*DEFAULT_LOCATION)
            return await self.send(text)
        raise LookupError(self._no_button_report(text))

    def _no_button_report(self, text: str) -> str:
        chat = self.chat
        lines = [f"no button {text!r} in chat {self.id}."]
        for message in reversed(list(chat.bot_messages.values())):
            if message.has_inline_keyboard and not message.deleted:
                lines.append(f"  inline on #{message.message_id}: {message.buttons}")
        if chat.reply_keyboard is not None:
            lines.append(f"  reply keyboard: {button_texts(chat.reply_keyboard)}")
        if len(lines) == 1:
            lines.append("  the chat has no keyboards")
        return "\n".join(lines)

    async def press_data(self, data: str, message_id: int | None = None) -> dict[str, Any]:
        """Forge a callback_query with any data.

        It is attached to ``message_id``, or else to the newest bot message with an inline keyboard.
        """
        chat = self.chat
        message: SentMessage | None
        if message_id is not None:
            message = chat.bot_messages.get(message_id)
            if message is None or message.deleted:
                raise LookupError(f"no bot message #{message_id} in chat {self.id}")
        else:
            message = next(
                (
                    m
                    for m in reversed(list(chat.bot_messages.values()))
                    if m.has_inline_keyboard and not m.deleted
                ),
                None,
            )
            if message is None:
                raise LookupError(f"no bot message with an inline keyboard in chat {self.id}")
        return self._callback(message, data)

    def _callback(self, message: SentMessage, data: str) -> dict[str, Any]:
        chat = self._before_action()
        query_id = self._world.new_callback_id()
        query = {
            "id": query_id,
            "from": self.profile.to_json(),
            "message": message.to_json(self._bot.user_json(), self.profile.chat_json()),
            "chat_instance": str((self._bot.bot_id or 0) * 7919 + self.id * 104729),
            "data": data,
        }
        self._bot.callbacks[query_id] = CallbackQueryState(
            id=query_id,
            user_id=self.id,
            chat_id=chat.chat_id,
            message_id=message.message_id,
            data=data,
            created=self._world.clock.now(),
            after_message_id=chat.next_message_id - 1,
            label=_button_label(message, data),
        )
        chat.add_event("callback_query", {"id": query_id, "message_id": message.message_id, "data": data})
        update = self._bot.push_update("callback_query", query)
        return update if update is not None else {"callback_query": query}
