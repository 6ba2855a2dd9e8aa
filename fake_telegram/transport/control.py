"""The JSON control API under ``/_fake/``: the Python API over HTTP, for out-of-process drivers.

Only loopback peers with a loopback Host header may use it, and POSTs must be JSON: a web page on
another origin can then neither reach it through DNS rebinding nor send it "simple" cross-site forms.

Routes (``bot`` may be given as a query parameter or JSON field to pick a bot by id; default bot else):

- ``GET  /_fake/`` - server info: url, bots, limits
- ``POST /_fake/users/{id}`` - create/update a user: first_name, last_name, username, language_code, phone
- ``POST /_fake/users/{id}/send`` ``{"text"}`` · ``/press`` ``{"text"}``
  · ``/press_data`` ``{"data", "message_id"?}`` · ``/contact`` ``{"phone"?}``
  · ``/location`` ``{"latitude", "longitude"}``
  · ``/document`` ``{"file_name"?, "content_base64"?, "caption"?}`` · ``/photo`` ``{"caption"?}``
  · ``/sticker`` ``{"emoji"?}`` · ``/voice`` ``{"duration"?, "caption"?}``
  · ``/edit`` ``{"text", "message_id"?}`` - the user edits an earlier message (edited_message update)
- ``GET  /_fake/users/{id}/messages?after=N&timeout=T`` - bot messages with message_id > N (current
  state); with ``timeout`` waits up to T seconds for one to exist
- ``GET  /_fake/users/{id}/events?after=SEQ&timeout=T`` - the chat's change feed (message, edit, delete,
  user_message, callback_query, callback_answer) after sequence number SEQ
- ``GET  /_fake/users/{id}/answers`` - callback query answers
- ``GET  /_fake/users/{id}/transcript`` - the conversation as plain text (see :mod:`..transcript`)
- ``GET|POST /_fake/clock`` ``{"advance": seconds}`` or ``{"set": unix_time}``, and/or ``{"frozen": bool}``
  - the fake's "now" (message dates, callback query age, rate-limit windows); it only moves forward
- ``GET|POST /_fake/limits`` ``{"global_per_second", "per_chat_per_second", "per_chat_burst",
  "per_group_per_minute", "retry_after"}`` - a POST replaces all of them (absent: off)
- ``POST /_fake/block/{id}``, ``POST /_fake/unblock/{id}``
- ``GET  /_fake/stats``, ``GET /_fake/requests?after=N``, ``GET /_fake/commands?scope_type=&language_code=``
- ``GET  /_fake/updates`` - updates pending for the bot
- ``POST /_fake/updates?bot=ID`` ``{any JSON object}`` - queue it as a raw update (update_id assigned if
  missing), delivered through getUpdates and the webhook like any other
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..state import ChatState, SentMessage
from ..users import FakeUser

if TYPE_CHECKING:
    from ..world import World

__all__ = ["ControlApi", "ControlError", "check_loopback", "message_view"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_MAX_WAIT = 60.0
_USER_ACTIONS = (
    "send",
    "press",
    "press_data",
    "contact",
    "location",
    "document",
    "photo",
    "sticker",
    "voice",
    "edit",
)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    """A 4xx answer from the control API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_loopback(request: web.Request) -> None:
    """Refuse (403) a request that does not come from this machine to a loopback name."""
    remote = request.remote or ""
    host = (request.host or "").rsplit(":", 1)[0].strip("[]") if request.host else ""
    if remote not in _LOOPBACK or host not in _LOOPBACK:
        raise ControlError(403, "the control API is only available on loopback")


def message_view(message: SentMessage) -> dict[str, Any]:
    """A bot message for control API clients: raw and parsed text, keyboards, state."""
    view: dict[str, Any] = {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "kind": message.kind,
        "content": message.content,
        "date": message.date,
        "text": message.text,
        "html": message.html,
        "parse_mode": message.parse_mode,
        "entities": message.entities,
        "reply_markup": message.reply_markup,
        "buttons": message.buttons,
        "edits": message.edits,
        "deleted": message.deleted,
        "media": message.media,
    }
    if message.file is not None:
        view["file"] = {
            "file_id": message.file.file_id,
            "file_name": message.file.file_name,
            "size": message.file.size,
        }
    return view


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


class ControlApi:
    """Routes of the control API bound to one world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def add_routes(self, app: web.Application) -> None:
        """Register the ``/_fake/`` routes on ``app``."""
        r = app.router
        r.add_get("/_fake/", self._guard(self._info))
        r.add_post("/_fake/users/{id}", self._guard(self._upsert_user))
        for action in _USER_ACTIONS:
            r.add_post(f"/_fake/users/{{id}}/{action}", self._guard(self._action(action)))
        r.add_get("/_fake/users/{id}/messages", self._guard(self._messages))
        r.add_get("/_fake/users/{id}/events", self._guard(self._events))
        r.add_get("/_fake/users/{id}/answers", self._guard(self._answers))
        r.add_get("/_fake/users/{id}/transcript", self._guard(self._transcript))
        r.add_get("/_fake/clock", self._guard(self._get_clock))
        r.add_post("/_fake/clock", self._guard(self._set_clock))
        r.add_get("/_fake/limits", self._guard(self._get_limits))
        r.add_post("/_fake/limits", self._guard(self._set_limits))
        r.add_post("/_fake/block/{id}", self._guard(self._block))
        r.add_post("/_fake/unblock/{id}", self._guard(self._unblock))
        r.add_get("/_fake/stats", self._guard(self._stats))
        r.add_get("/_fake/requests", self._guard(self._requests))
        r.add_get("/_fake/commands", self._guard(self._commands))
        r.add_get("/_fake/updates", self._guard(self._updates))
        r.add_post("/_fake/updates", self._guard(self._inject_update))

    def _guard(self, handler: Callable[[web.Request, dict[str, Any]], Awaitable[Any]]) -> _Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                check_loopback(request)
                body = await self._body(request)
                result = await handler(request, body)
            except ControlError as exc:
                return _json({"ok": False, "description": exc.message}, exc.status)
            except (LookupError, ValueError) as exc:
                return _json({"ok": False, "description": str(exc)}, 400)
            if isinstance(result, web.StreamResponse):
                return result
            return _json({"ok": True, "result": result})

        return wrapped

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if request.method != "POST":
            return {}
        raw = await request.read()
        if not raw.strip():
            return {}
        if request.content_type != "application/json":
            raise ControlError(415, "send JSON (Content-Type: application/json)")
        try:
            body = json.loads(raw)
        except ValueError:
            raise ControlError(400, "invalid JSON") from None
        if not isinstance(body, dict):
            raise ControlError(400, "a JSON object is expected")
        return body

    # -- helpers ---------------------------------------------------------------------------------------

    @staticmethod
    def _int(value: Any, name: str) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ControlError(400, f"{name} must be an integer") from None

    def _bot_ref(self, request: web.Request, body: dict[str, Any]) -> int | None:
        bot = body.get("bot", request.query.get("bot"))
        return None if bot is None else self._int(bot, "bot")

    def _user(self, request: web.Request, body: dict[str, Any]) -> FakeUser:
        user_id = self._int(request.match_info["id"], "user id")
        return self.world.user(user_id, bot=self._bot_ref(request, body))

    @staticmethod
    def _timeout(request: web.Request) -> float:
        try:
            return min(max(float(request.query.get("timeout", "0")), 0.0), _MAX_WAIT)
        except ValueError:
            raise ControlError(400, "timeout must be a number") from None

    # -- handlers --------------------------------------------------------------------------------------

    async def _info(self, request: web.Request, body: dict[str, Any]) -> Any:
        bots = [
            {
                "id": bot.bot_id,
                "username": bot.username,
                "pending_updates": len(bot.updates),
                "confirmed_update_id": bot.confirmed_update_id,
                "polling": bot.poll_calls > 0,
                "webhook": bot.webhook.url if bot.webhook else None,
                "chats": sorted(bot.chats),
            }
            for bot in self.world.bots()
        ]
        return {"url": str(request.url.origin()), "bots": bots, "limits": asdict(self.world.limits)}

    async def _upsert_user(self, request: web.Request, body: dict[str, Any]) -> Any:
        fields = {k: body.get(k) for k in ("first_name", "last_name", "username", "language_code", "phone")}
        for key, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise ControlError(400, f"{key} must be a string")
        user_id = self._int(request.match_info["id"], "user id")
        user = self.world.user(user_id, **fields, bot=self._bot_ref(request, body))
        return {**user.profile.to_json(), "phone": user.phone}

    def _action(self, action: str) -> Callable[[web.Request, dict[str, Any]], Awaitable[Any]]:
        async def run(request: web.Request, body: dict[str, Any]) -> Any:
            return await self._act(action, self._user(request, body), body)

        return run

    async def _act(self, action: str, user: FakeUser, body: dict[str, Any]) -> Any:
        """One user action; the answer is the update it queued."""
        caption = self._optional_str(body, "caption")
        match action:
            case "send":
                return await user.send(self._str(body, "text"))
            case "press":
                return await user.press(self._str(body, "text"))
            case "press_data":
                return await user.press_data(self._str(body, "data"), self._optional_int(body, "message_id"))
            case "edit":
                return await user.edit(self._str(body, "text"), self._optional_int(body, "message_id"))
            case "contact":
                phone = body.get("phone")
                return await user.share_contact(None if phone is None else str(phone))
            case "location":
                try:
                    return await user.send_location(float(body["latitude"]), float(body["longitude"]))
                except (KeyError, TypeError, ValueError):
                    raise ControlError(400, "latitude and longitude are required numbers") from None
            case "sticker":
                return await user.send_sticker(self._optional_str(body, "emoji") or "👍")
            case "voice":
                duration = self._optional_int(body, "duration")
                return await user.send_voice(3 if duration is None else duration, caption=caption)
            case "document":
                try:
                    data = base64.b64decode(body.get("content_base64", ""), validate=True) or b"%PDF-1.4\n"
                except (binascii.Error, TypeError):
                    raise ControlError(400, "content_base64 is not base64") from None
                file_name = self._optional_str(body, "file_name") or "document.pdf"
                return await user.send_document(data, file_name=file_name, caption=caption)
            case "photo":
                return await user.send_photo(caption=caption)
        raise ControlError(404, f"no user action {action!r}")

    @staticmethod
    def _str(body: dict[str, Any], name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str):
            raise ControlError(400, f"{name} (a string) is required")
        return value

    @staticmethod
    def _optional_str(body: dict[str, Any], name: str) -> str | None:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise ControlError(400, f"{name} must be a string")
        return value

    def _optional_int(self, body: dict[str, Any], name: str) -> int | None:
        value = body.get(name)
        return None if value is None else self._int(value, name)

    async def _messages(self, request: web.Request, body: dict[str, Any]) -> Any:
        chat = self._user(request, body).chat
        after = self._int(request.query.get("after", "0"), "after")
        found = await self._long_poll(
            request,
            chat,
            lambda: [message_view(m) for m in chat.bot_messages.values() if m.message_id > after],
        )
        return {"messages": found, "reply_keyboard": chat.reply_keyboard}

    async def _events(self, request: web.Request, body: dict[str, Any]) -> Any:
        chat = self._user(request, body).chat
        after = self._int(request.query.get("after", "0"), "after")
        found = await self._long_poll(request, chat, lambda: chat.events.since(after))
        return {"events": found, "last_seq": chat.events.total}

    async def _long_poll(
        self, request: web.Request, chat: ChatState, collect: Callable[[], list[Any]]
    ) -> list[Any]:
        """What `collect` finds, waiting up to the request's timeout for the chat to have something."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout(request)
        while True:
            found = collect()
            remaining = deadline - loop.time()
            if found or remaining <= 0 or self.world.stopping:
                return found
            await chat.changed.wait(remaining)

    async def _transcript(self, request: web.Request, body: dict[str, Any]) -> Any:
        return web.Response(text=self._user(request, body).transcript() + "\n", content_type="text/plain")

    async def _answers(self, request: web.Request, body: dict[str, Any]) -> Any:
        return [asdict(answer) for answer in self._user(request, body).answers]

    async def _get_clock(self, request: web.Request, body: dict[str, Any]) -> Any:
        return self.world.clock.to_json()

    async def _set_clock(self, request: web.Request, body: dict[str, Any]) -> Any:
        clock = self.world.clock
        frozen = body.get("frozen")
        if frozen is not None and not isinstance(frozen, bool):
            raise ControlError(400, "frozen must be true or false")
        if "advance" in body and "set" in body:
            raise ControlError(400, "give advance or set, not both")
        try:
            if "advance" in body:
                clock.advance(self._number(body["advance"], "advance"))
            elif "set" in body:
                clock.set(self._number(body["set"], "set"))
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        if frozen is True:
            clock.freeze()
        elif frozen is False:
            clock.resume()
        return clock.to_json()

    @staticmethod
    def _number(value: Any, name: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ControlError(400, f"{name} must be a number")
        return float(value)

    async def _get_limits(self, request: web.Request, body: dict[str, Any]) -> Any:
        return asdict(self.world.limits)

    async def _set_limits(self, request: web.Request, body: dict[str, Any]) -> Any:
        rates: dict[str, int | None] = {}
        for key in ("global_per_second", "retry_after", "per_chat_burst", "per_group_per_minute"):
            value = body.get(key)
            rates[key] = None if value is None else self._int(value, key)
        per_chat = body.get("per_chat_per_second")
        self.world.set_limits(
            per_chat_per_second=None if per_chat is None else self._number(per_chat, "per_chat_per_second"),
            **rates,
        )
        return asdict(self.world.limits)

    async def _block(self, request: web.Request, body: dict[str, Any]) -> Any:
        self.world.block(self._int(request.match_info["id"], "user id"), bot=self._bot_ref(request, body))
        return True

    async def _unblock(self, request: web.Request, body: dict[str, Any]) -> Any:
        self.world.unblock(self._int(request.match_info["id"], "user id"), bot=self._bot_ref(request, body))
        return True

    async def _stats(self, request: web.Request, body: dict[str, Any]) -> Any:
        return self.world.stats.to_json()

    async def _requests(self, request: web.Request, body: dict[str, Any]) -> Any:
        after = self._int(request.query.get("after", "0"), "after")
        return [call._asdict() for call in self.world.requests.since(after)]

    async def _commands(self, request: web.Request, body: dict[str, Any]) -> Any:
        return self.world.commands(
            request.query.get("scope_type", "default"),
            request.query.get("language_code") or None,
            bot=self._bot_ref(request, body),
        )

    async def _updates(self, request: web.Request, body: dict[str, Any]) -> Any:
        return self.world.pending_updates(bot=self._bot_ref(request, body))

    async def _inject_update(self, request: web.Request, body: dict[str, Any]) -> Any:
        # The body is the update itself, so the bot can only be named in the query string.
        return self.world.inject_raw_update(body, bot=self._bot_ref(request, {}))
