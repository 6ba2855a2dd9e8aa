"""Bot API method handlers: validate like Telegram, change the fake's state, answer Telegram's shapes.

Each handler takes the calling bot's state and the request parameters and returns the ``result`` value
(or a :class:`Result` when Telegram also sends a ``description``), raising :class:`ApiError` otherwise.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yarl import URL

from .errors import (
    BLOCKED,
    CHAT_NOT_FOUND,
    MESSAGE_EMPTY,
    NOT_MODIFIED,
    QUERY_INVALID,
    ApiError,
    bad_request,
)
from .html import HtmlParseError, parse_html, sort_entities, strip_text, utf16_len
from .markup import markup_kind, validate_reply_markup
from .params import Params
from .state import BotState, CallbackAnswer, ChatState, FileRecord, SentMessage, WebhookState

if TYPE_CHECKING:
    from .world import World

__all__ = ["MAX_CAPTION", "MAX_TEXT", "BotApi", "Result", "command_scope_key"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
# Content a user's message can carry that copyMessage reproduces.
_COPYABLE = ("document", "photo", "location", "venue", "contact", "sticker", "video", "voice", "audio")


@dataclass(frozen=True)
class Result:
    """A successful result with Telegram's optional ``description`` (setWebhook says "Webhook was set")."""

    value: Any
    description: str | None = None


Handler = Callable[[BotState, Params], Awaitable[Any]]


def command_scope_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """Key under which setMyCommands stores a list: ("type[:chat_id[:user_id]]", language or "")."""
    scope = scope or {"type": "default"}
    key = str(scope.get("type", "default"))
    if "chat_id" in scope:
        key += f":{scope['chat_id']}"
    if "user_id" in scope:
        key += f":{scope['user_id']}"
    return key, language_code or ""


@dataclass
class _Text:
    plain: str
    raw: str
    parse_mode: str | None
    entities: list[dict[str, Any]]


class BotApi:
    """The Bot API methods of one :class:`~fake_telegram.world.World`, looked up case-insensitively."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "answerCallbackQuery",
            "deleteMessage",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "sendDocument",
            "sendPhoto",
            "sendLocation",
            "sendVenue",
            "copyMessage",
            "sendChatAction",
            "getFile",
            "editMessageCaption",
            "setMyDescription",
            "getMyDescription",
            "setMyShortDescription",
            "getMyShortDescription",
            "setChatMenuButton",
            "getChatMenuButton",
        ):
            handler: Handler = getattr(self, re.sub("([A-Z])", lambda m: "_" + m.group(1).lower(), name))
            self._handlers[name.lower()] = (name, handler)

    def lookup(self, method: str) -> tuple[str, Handler] | None:
        """(canonical name, handler) for a method name in any letter case, or None."""
        return self._handlers.get(method.lower())

    # -- shared checks -------------------------------------------------------------------------------

    def _chat(
        self, bot: BotState, params: Params, name: str = "chat_id", *, check_blocked: bool = True
    ) -> ChatState:
        raw = params.get_str(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        try:
            chat_id = int(raw)
        except ValueError:
            # Private chats have no @username address; anything else is unknown to the fake.
            raise bad_request(CHAT_NOT_FOUND) from None
        chat = bot.chats.get(chat_id)
        if chat is None or not chat.known:
            raise bad_request(CHAT_NOT_FOUND)
        if check_blocked and chat_id in bot.blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _rate(self, bot: BotState, chat: ChatState) -> None:
        limits, now = self.world.limits, self.world.clock.now()
        refusal = bot.limiter.check(limits, chat.chat_id, now, group=chat.is_group)
        if refusal is not None:
            self.world.stats.count_refusal(refusal.scope)
            raise ApiError(429, refusal.description, {"retry_after": refusal.retry_after})

    def _count_send(self, bot: BotState, chat: ChatState, method: str) -> None:
        bot.limiter.record(self.world.limits, chat.chat_id, self.world.clock.now(), group=chat.is_group)
        self.world.stats.sent[method] += 1

    def _text(
        self,
        params: Params,
        field: str,
        entities_field: str,
        *,
        limit: int,
        too_long: str,
        required: bool,
    ) -> _Text:
        raw = params.get_str(field) or ""
        mode_raw = params.get_str("parse_mode") or ""
        mode = mode_raw.lower()
        if mode == "html":
            try:
                plain, entities = parse_html(raw)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif mode in ("markdownv2", "markdown"):
            # Markdown is not parsed by the fake: the text is stored as sent, without entities.
            plain, entities = raw, []
        elif mode == "":
            plain = raw
            entities = self._explicit_entities(params, entities_field)
        else:
            raise bad_request(f"unsupported parse_mode {mode_raw}")
        plain, entities = strip_text(plain, entities)
        if required and not plain:
            raise bad_request(MESSAGE_EMPTY)
        if utf16_len(plain) > limit:
            raise bad_request(too_long)
        return _Text(plain, raw, mode_raw or None, entities)

    @staticmethod
    def _explicit_entities(params: Params, name: str) -> list[dict[str, Any]]:
        entities = params.get_json(name, "can't parse entities JSON object")
        if entities is None:
            return []
        if not isinstance(entities, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in entities
        ):
            raise bad_request("can't parse entities JSON object")
        return sort_entities([dict(e) for e in entities if e["length"] > 0])

    def _markup(self, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = params.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
        return validate_reply_markup(markup, inline_only=inline_only)

    def _check_reply_to(self, chat: ChatState, params: Params) -> None:
        reply_to = params.get_int("reply_to_message_id")
        allow = params.get_bool("allow_sending_without_reply")
        reply_parameters = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
            allow = allow or bool(reply_parameters.get("allow_sending_without_reply"))
        if reply_to is None or allow:
            return
        exists = reply_to in chat.user_messages or (
            reply_to in chat.bot_messages and not chat.bot_messages[reply_to].deleted
        )
        if not exists:
            raise bad_request("message to be replied not found")

    def _store(self, bot: BotState, chat: ChatState, message: SentMessage) -> dict[str, Any]:
        # The id is taken only now, so that refused requests leave no gaps, as on Telegram.
        message.message_id = chat.new_message_id()
        chat.bot_messages[message.message_id] = message
        chat.sent_log.append(message.snapshot())
        kind = markup_kind(message.reply_markup)
        if kind == "reply":
            chat.reply_keyboard = message.reply_markup
        elif kind == "remove":
            chat.reply_keyboard = None
        self._count_send(bot, chat, message.method)
        data = message.to_json(bot.user_json(), chat.user.chat_json())
        chat.add_event("message", data)
        return data

    def _new_message(self, chat: ChatState, kind: str, method: str, text: _Text | None) -> SentMessage:
        return SentMessage(
            message_id=0,
            chat_id=chat.chat_id,
            kind=kind,
            date=self.world.clock.timestamp(),
            text=text.plain if text else "",
            html=text.raw if text else "",
            parse_mode=text.parse_mode if text else None,
            entities=text.entities if text else [],
            content=kind,
            method=method,
        )

    # -- bot identity and lifecycle -------------------------------------------------------------------

    async def get_me(self, bot: BotState, params: Params) -> Any:
        """getMe: the bot as a User."""
        return {
            **bot.user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, bot: BotState, params: Params) -> Any:
        """logOut: accepted, nothing to do."""
        return True

    async def close(self, bot: BotState, params: Params) -> Any:
        """close: accepted, nothing to do."""
        return True

    # -- updates ---------------------------------------------------------------------------------------

    async def get_updates(self, bot: BotState, params: Params) -> Any:
        """getUpdates: long polling with Telegram's offset, limit, timeout and conflict rules."""
        if bot.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset") or 0
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_int("timeout") or 0, 0)
        allowed = params.get_json("allowed_updates", "can't parse allowed updates JSON object")
        if isinstance(allowed, list):
            bot.set_allowed_updates(str(a) for a in allowed)
        bot.confirm(offset)
        bot.poll_calls += 1
        # A newer getUpdates terminates the one still waiting, as Telegram does.
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.updates_changed.fire()
        self.world.polled.fire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if bot.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if bot.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            remaining = deadline - loop.time()
            if bot.updates or remaining <= 0 or self.world.stopping:
                return bot.updates[:limit]
            await bot.updates_changed.wait(remaining)

    def _validate_webhook_url(self, url: str) -> None:
        try:
            parsed = URL(url)
        except ValueError:
            raise bad_request("bad webhook: invalid URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parsed.host not in _LOOPBACK_HOSTS:
            raise bad_request(
                "bad webhook: the fake Telegram server only delivers to 127.0.0.1 or localhost, "
                f"not to {parsed.host}"
            )

    async def set_webhook(self, bot: BotState, params: Params) -> Any:
        """setWebhook: loopback URLs only; an empty URL deletes the webhook."""
        url = params.get_str("url") or ""
        if not url:
            return await self.delete_webhook(bot, params)
        self._validate_webhook_url(url)
        secret = params.get_str("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get_json("allowed_updates", "can't parse allowed updates JSON object")
        allowed_list = [str(a) for a in allowed] if isinstance(allowed, list) else None
        bot.set_allowed_updates(allowed_list)
        if params.get_bool("drop_pending_updates"):
            bot.drop_pending()
        old = bot.webhook
        same = old is not None and old.url == url and old.secret_token == secret
        bot.webhook = WebhookState(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed_list
            if allowed_list is not None
            else (old.allowed_updates if old else None),
        )
        bot.updates_changed.fire()  # a waiting getUpdates now answers 409
        self.world.webhooks.restart(bot)
        return Result(True, "Webhook is already set" if same else "Webhook was set")

    async def delete_webhook(self, bot: BotState, params: Params) -> Any:
        """deleteWebhook."""
        if params.get_bool("drop_pending_updates"):
            bot.drop_pending()
        existed = bot.webhook is not None
        bot.webhook = None
        await self.world.webhooks.stop_bot(bot)
        return Result(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    async def get_webhook_info(self, bot: BotState, params: Params) -> Any:
        """getWebhookInfo."""
        hook = bot.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.updates),
        }
        if hook is not None:
            info["ip_address"] = "127.0.0.1"
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    # -- sending ---------------------------------------------------------------------------------------

    async def send_message(self, bot: BotState, params: Params) -> Any:
        """sendMessage."""
        chat = self._chat(bot, params)
        self._rate(bot, chat)
        text = self._text(
            params, "text", "entities", limit=MAX_TEXT, too_long="message is too long", required=True
        )
        markup = self._markup(params)
        self._check_reply_to(chat, params)
        message = self._new_message(chat, "text", "sendMessage", text)
        message.reply_markup = markup
        return self._store(bot, chat, message)

    def _caption(self, params: Params) -> _Text:
        return self._text(
            params,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION,
            too_long="message caption is too long",
            required=False,
        )

    def _input_file(self, bot: BotState, params: Params, field: str, kind: str) -> FileRecord:
        upload = params.uploads.get(field)
        value = params.get_str(field)
        if upload is None and value is not None and value.startswith("attach://"):
            upload = params.uploads.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"there is no {kind} in the request")
        if upload is not None:
            if len(upload.data) > self.world.max_file_size:
                raise ApiError(413, "Request Entity Too Large")
            if not upload.data:
                raise bad_request("file must be non-empty")
            return self.world.new_file(bot, kind, upload.data, upload.filename, upload.content_type)
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            # The fake never fetches from the network.
            raise bad_request("failed to get HTTP URL content")
        record = bot.files.get(value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return record

    async def _send_file(self, bot: BotState, params: Params, kind: str, method: str) -> Any:
        chat = self._chat(bot, params)
        self._rate(bot, chat)
        caption = self._caption(params)
        record = self._input_file(bot, params, kind, kind)
        markup = self._markup(params)
        self._check_reply_to(chat, params)
        message = self._new_message(chat, kind, method, caption)
        message.reply_markup = markup
        message.file = record
        message.media = (
            {"document": record.document_json()} if kind == "document" else {"photo": record.photo_json()}
        )
        return self._store(bot, chat, message)

    async def send_document(self, bot: BotState, params: Params) -> Any:
        """sendDocument: a multipart upload or a known file_id."""
        return await self._send_file(bot, params, "document", "sendDocument")

    async def send_photo(self, bot: BotState, params: Params) -> Any:
        """sendPhoto: a multipart upload or a known file_id."""
        return await self._send_file(bot, params, "photo", "sendPhoto")

    @staticmethod
    def _coordinates(params: Params) -> dict[str, float]:
        latitude = params.get_float("latitude")
        longitude = params.get_float("longitude")
        if latitude is None or longitude is None:
            raise bad_request("wrong latitude/longitude specified")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong latitude/longitude specified")
        return {"latitude": latitude, "longitude": longitude}

    async def send_location(self, bot: BotState, params: Params) -> Any:
        """sendLocation."""
        chat = self._chat(bot, params)
        self._rate(bot, chat)
        location = self._coordinates(params)
        markup = self._markup(params)
        message = self._new_message(chat, "location", "sendLocation", None)
        message.reply_markup = markup
        message.media = {"location": location}
        return self._store(bot, chat, message)

    async def send_venue(self, bot: BotState, params: Params) -> Any:
        """sendVenue."""
        chat = self._chat(bot, params)
        self._rate(bot, chat)
        location = self._coordinates(params)
        title = params.get_str("title") or ""
        address = params.get_str("address") or ""
        if not title:
            raise bad_request("venue title is empty")
        if not address:
            raise bad_request("venue address is empty")
        markup = self._markup(params)
        venue: dict[str, Any] = {"location": location, "title": title, "address": address}
        for optional in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            value = params.get_str(optional)
            if value:
                venue[optional] = value
        message = self._new_message(chat, "venue", "sendVenue", None)
        message.reply_markup = markup
        message.media = {"venue": venue, "location": location}
        return self._store(bot, chat, message)

    async def copy_message(self, bot: BotState, params: Params) -> Any:
        """copyMessage: copies a bot or user message; answers a MessageId."""
        chat = self._chat(bot, params)
        source_chat = self._chat(bot, params, "from_chat_id", check_blocked=False)
        message_id = params.get_int("message_id", "message to copy not found")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        self._rate(bot, chat)
        copy = self._new_message(chat, "copy", "copyMessage", None)
        source = source_chat.bot_messages.get(message_id)
        if source is not None and not source.deleted:
            copy.content = source.content
            copy.text, copy.html, copy.parse_mode = source.text, source.html, source.parse_mode
            copy.entities = list(source.entities)
            copy.media = dict(source.media)
            copy.file = source.file
        elif message_id in source_chat.user_messages:
            self._copy_user_content(source_chat.user_messages[message_id], copy)
        else:
            raise bad_request("message to copy not found")
        if copy.content != "text" and params.has("caption"):
            caption = self._caption(params)
            copy.text, copy.html, copy.parse_mode, copy.entities = (
                caption.plain,
                caption.raw,
                caption.parse_mode,
                caption.entities,
            )
        copy.reply_markup = self._markup(params)
        copy.copied_from = (source_chat.chat_id, message_id)
        self._store(bot, chat, copy)
        return {"message_id": copy.message_id}

    @staticmethod
    def _copy_user_content(data: dict[str, Any], copy: SentMessage) -> None:
        if "text" in data:
            copy.content = "text"
            copy.text = copy.html = str(data["text"])
            copy.entities = list(data.get("entities", []))
            return
        for content in _COPYABLE:
            if content in data:
                copy.content = content
                copy.media = {content: data[content]}
                if content == "venue":
                    copy.media["location"] = data[content]["location"]
                copy.text = copy.html = str(data.get("caption", ""))
                copy.entities = list(data.get("caption_entities", []))
                return
        raise bad_request("message can't be copied")

    async def send_chat_action(self, bot: BotState, params: Params) -> Any:
        """sendChatAction."""
        self._chat(bot, params)
        action = params.get_str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing and deleting --------------------------------------------------------------------------

    def _message_to_edit(self, bot: BotState, params: Params) -> tuple[ChatState, SentMessage]:
        if params.get_str("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(bot, params)
        message_id = params.get_int("message_id", "message to edit not found")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        self._rate(bot, chat)
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            if message_id in chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    def _replace_content(
        self,
        bot: BotState,
        chat: ChatState,
        message: SentMessage,
        content: _Text,
        params: Params,
        method: str,
    ) -> dict[str, Any]:
        """An edit of the text or caption; Telegram drops the inline keyboard when none is passed."""
        markup = self._markup(params, inline_only=True)
        current = message.reply_markup if message.has_inline_keyboard else None
        if content.plain == message.text and content.entities == message.entities and markup == current:
            raise bad_request(NOT_MODIFIED)
        message.text, message.html, message.parse_mode, message.entities = (
            content.plain,
            content.raw,
            content.parse_mode,
            content.entities,
        )
        message.reply_markup = markup
        return self._apply_edit(bot, chat, message, method)

    def _apply_edit(
        self, bot: BotState, chat: ChatState, message: SentMessage, method: str
    ) -> dict[str, Any]:
        message.edits += 1
        message.edit_date = self.world.clock.timestamp()
        chat.edit_log.append(message.snapshot())
        self._count_send(bot, chat, method)
        data = message.to_json(bot.user_json(), chat.user.chat_json())
        chat.add_event("edit", data)
        return data

    async def edit_message_text(self, bot: BotState, params: Params) -> Any:
        """editMessageText: no reply_markup given removes the inline keyboard, as on Telegram."""
        chat, message = self._message_to_edit(bot, params)
        if message.content != "text":
            raise bad_request("there is no text in the message to edit")
        text = self._text(
            params, "text", "entities", limit=MAX_TEXT, too_long="MESSAGE_TOO_LONG", required=True
        )
        return self._replace_content(bot, chat, message, text, params, "editMessageText")

    async def edit_message_reply_markup(self, bot: BotState, params: Params) -> Any:
        """editMessageReplyMarkup."""
        chat, message = self._message_to_edit(bot, params)
        markup = self._markup(params, inline_only=True)
        current = message.reply_markup if message.has_inline_keyboard else None
        if markup == current:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        return self._apply_edit(bot, chat, message, "editMessageReplyMarkup")

    async def delete_message(self, bot: BotState, params: Params) -> Any:
        """deleteMessage: the bot's messages and the user's (private chats allow both)."""
        chat = self._chat(bot, params, check_blocked=False)
        message_id = params.get_int("message_id", "message to delete not found")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            chat.add_event("delete", {"message_id": message_id, "chat": chat.user.chat_json()})
            return True
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            chat.add_event("delete", {"message_id": message_id, "chat": chat.user.chat_json()})
            return True
        raise bad_request("message to delete not found")

    # -- callback queries ------------------------------------------------------------------------------

    async def answer_callback_query(self, bot: BotState, params: Params) -> Any:
        """answerCallbackQuery: once per query."""
        query_id = params.get_str("callback_query_id") or ""
        text = params.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query = bot.callbacks.get(query_id)
        timeout = self.world.callback_timeout
        if (
            query is None
            or query.answer is not None
            or (timeout is not None and self.world.clock.now() - query.created > timeout)
        ):
            raise bad_request(QUERY_INVALID)
        answer = CallbackAnswer(
            callback_query_id=query_id,
            data=query.data,
            text=text or None,
            show_alert=params.get_bool("show_alert"),
            url=params.get_str("url") or None,
            cache_time=params.get_int("cache_time") or 0,
        )
        query.answer = answer
        chat = bot.chats.get(query.chat_id)
        if chat is not None:
            chat.answers.append(answer)
            chat.add_event(
                "callback_answer",
                {"callback_query_id": query_id, "text": answer.text, "show_alert": answer.show_alert},
            )
        return True

    # -- commands --------------------------------------------------------------------------------------

    @staticmethod
    def _scope(params: Params) -> dict[str, Any] | None:
        scope = params.get_json("scope", "can't parse BotCommandScope JSON object")
        if scope is None:
            return None
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        return scope

    async def set_my_commands(self, bot: BotState, params: Params) -> Any:
        """setMyCommands: stored per (scope, language_code)."""
        commands = params.get_json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        stored: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = command_scope_key(self._scope(params), params.get_str("language_code"))
        bot.commands[key] = stored
        return True

    async def get_my_commands(self, bot: BotState, params: Params) -> Any:
        """getMyCommands."""
        key = command_scope_key(self._scope(params), params.get_str("language_code"))
        return bot.commands.get(key, [])

    async def delete_my_commands(self, bot: BotState, params: Params) -> Any:
        """deleteMyCommands."""
        key = command_scope_key(self._scope(params), params.get_str("language_code"))
        bot.commands.pop(key, None)
        return True

    async def edit_message_caption(self, bot: BotState, params: Params) -> Any:
        """editMessageCaption: media messages only; no reply_markup given removes the inline keyboard."""
        chat, message = self._message_to_edit(bot, params)
        if message.content == "text" or message.content in ("location", "venue"):
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        return self._replace_content(bot, chat, message, caption, params, "editMessageCaption")

    # -- bot profile settings (stored for inspection, not interpreted) ----------------------------------

    async def set_my_description(self, bot: BotState, params: Params) -> Any:
        """setMyDescription."""
        bot.settings[("description", params.get_str("language_code") or "")] = (
            params.get_str("description") or ""
        )
        return True

    async def get_my_description(self, bot: BotState, params: Params) -> Any:
        """getMyDescription."""
        return {"description": bot.settings.get(("description", params.get_str("language_code") or ""), "")}

    async def set_my_short_description(self, bot: BotState, params: Params) -> Any:
        """setMyShortDescription."""
        key = ("short_description", params.get_str("language_code") or "")
        bot.settings[key] = params.get_str("short_description") or ""
        return True

    async def get_my_short_description(self, bot: BotState, params: Params) -> Any:
        """getMyShortDescription."""
        key = ("short_description", params.get_str("language_code") or "")
        return {"short_description": bot.settings.get(key, "")}

    async def set_chat_menu_button(self, bot: BotState, params: Params) -> Any:
        """setChatMenuButton."""
        button = params.get_json("menu_button", "can't parse menu button JSON object")
        bot.settings[("menu_button", params.get_str("chat_id") or "")] = button or {"type": "default"}
        return True

    async def get_chat_menu_button(self, bot: BotState, params: Params) -> Any:
        """getChatMenuButton."""
        return bot.settings.get(("menu_button", params.get_str("chat_id") or ""), {"type": "default"})

    # -- files -----------------------------------------------------------------------------------------

    async def get_file(self, bot: BotState, params: Params) -> Any:
        """getFile: the file_path serves the bytes under /file/bot<token>/."""
        file_id = params.get_str("file_id") or ""
        record = bot.files.get(file_id)
        if record is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.file_path,
        }
