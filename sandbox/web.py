"""The chat page and its JSON endpoints, on the fake Telegram server's own aiohttp app.

The page reads a chat's change feed here (long polls) and acts through the fake's control API
(``/_fake/users/{id}/send``, ``/press_data``, ``/contact``, ``/location``) like any other driver.

- ``GET  /`` - the page; ``GET /sandbox/static/{name}`` - its CSS and JavaScript
- ``GET  /sandbox/state`` - the bot, the users, the clock
- ``POST /sandbox/users`` ``{"name", "language", "role"}`` - language kk or ru; role new (onboards in
  the chat), volunteer, ngo, organizer or admin (set up through the services)
- ``GET  /sandbox/users/{id}/chat?after=SEQ&timeout=T`` - the chat's events after SEQ (waiting up to T
  seconds for one), the current reply keyboard, and a download URL on each message with a file
- ``POST /sandbox/clock`` ``{"advance": seconds}`` - jump ahead (the bot's clock and the fake's)
- ``GET  /sandbox/files/{file_id}`` - a file the bot sent, as a download
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from fake_telegram.transport.control import ControlError, check_loopback

if TYPE_CHECKING:
    from .server import Sandbox

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"sandbox.css": "text/css", "sandbox.js": "text/javascript"}
ALMATY = ZoneInfo("Asia/Almaty")
MAX_WAIT = 30.0

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application, sandbox: Sandbox) -> None:
    api = SandboxApi(sandbox)
    r = app.router
    r.add_get("/", _page)
    r.add_get("/sandbox/static/{name}", _static)
    r.add_get("/sandbox/state", api.guard(api.state))
    r.add_post("/sandbox/users", api.guard(api.add_user))
    r.add_get("/sandbox/users/{id}/chat", api.guard(api.chat))
    r.add_post("/sandbox/clock", api.guard(api.jump))
    r.add_get("/sandbox/files/{file_id}", api.guard(api.file))


async def _page(request: web.Request) -> web.Response:
    return web.Response(text=(STATIC / "index.html").read_text(encoding="utf-8"), content_type="text/html")


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound
    return web.Response(text=(STATIC / name).read_text(encoding="utf-8"), content_type=STATIC_FILES[name])


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def file_id_of(message: dict[str, Any]) -> str | None:
    """The file a Bot API message carries (a photo's largest size), if any."""
    for kind in ("document", "audio", "video", "voice", "animation", "sticker"):
        if isinstance(message.get(kind), dict):
            return str(message[kind]["file_id"])
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        return str(photo[-1]["file_id"])
    return None


class SandboxApi:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def guard(self, handler: Callable[[web.Request, dict[str, Any]], Awaitable[Any]]) -> _Handler:
        """Loopback only and JSON bodies only, as the fake's control API (no cross-site forms)."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                check_loopback(request)
                body: dict[str, Any] = {}
                if request.method == "POST":
                    if request.content_type != "application/json":
                        raise ControlError(415, "send JSON (Content-Type: application/json)")
                    try:
                        body = await request.json()
                    except ValueError:
                        raise ControlError(400, "invalid JSON") from None
                    if not isinstance(body, dict):
                        raise ControlError(400, "a JSON object is expected")
                result = await handler(request, body)
            except ControlError as error:
                return _json({"ok": False, "description": error.message}, error.status)
            except ValueError as error:
                return _json({"ok": False, "description": str(error)}, 400)
            if isinstance(result, web.StreamResponse):
                return result
            return _json({"ok": True, "result": result})

        return wrapped

    def _clock(self) -> dict[str, Any]:
        now = self.sandbox.clock.now()
        return {
            "now": now.isoformat(),
            "local": now.astimezone(ALMATY).strftime("%Y-%m-%d %H:%M"),
            "offset_seconds": self.sandbox.clock.offset.total_seconds(),
        }

    async def state(self, request: web.Request, body: dict[str, Any]) -> Any:
        return {
            "ready": self.sandbox.ready.is_set(),
            "bot": {"username": self.sandbox.telegram.bot_username, "name": "Belsendi"},
            "users": self.sandbox.user_views(),
            "clock": self._clock(),
        }

    async def add_user(self, request: web.Request, body: dict[str, Any]) -> Any:
        if not self.sandbox.ready.is_set():
            raise ControlError(503, "the bot is still starting")
        name, language, role = (body.get(key) for key in ("name", "language", "role"))
        if not all(isinstance(value, str) for value in (name, language, role)):
            raise ControlError(400, "name, language and role (strings) are required")
        user = await self.sandbox.add_user(str(name), str(language), str(role))
        return {"id": user.id, "name": user.name, "language": user.language, "role": user.role}

    def _user_id(self, request: web.Request) -> int:
        try:
            user_id = int(request.match_info["id"])
        except ValueError:
            raise ControlError(400, "user id must be an integer") from None
        if user_id not in self.sandbox.users:
            raise ControlError(404, f"no sandbox user {user_id}")
        return user_id

    async def chat(self, request: web.Request, body: dict[str, Any]) -> Any:
        chat = self.sandbox.telegram.user(self._user_id(request)).chat
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(max(float(request.query.get("timeout", "0")), 0.0), MAX_WAIT)
        except ValueError:
            raise ControlError(400, "after and timeout must be numbers") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            events = chat.events.since(after)
            remaining = deadline - loop.time()
            if events or remaining <= 0 or self.sandbox.telegram.stopping:
                break
            await chat.changed.wait(remaining)
        return {
            "events": [self._with_file_url(event) for event in events],
            "last_seq": chat.events.total,
            "reply_keyboard": chat.reply_keyboard,
            "clock": self._clock(),
        }

    @staticmethod
    def _with_file_url(event: dict[str, Any]) -> dict[str, Any]:
        message = event.get("message")
        if not isinstance(message, dict):
            return event
        file_id = file_id_of(message)
        if file_id is None:
            return event
        return {**event, "file_url": f"/sandbox/files/{quote(file_id)}"}

    async def jump(self, request: web.Request, body: dict[str, Any]) -> Any:
        if not self.sandbox.ready.is_set():
            raise ControlError(503, "the bot is still starting")
        seconds = body.get("advance")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ControlError(400, "advance (seconds, a number) is required")
        await self.sandbox.advance(float(seconds))
        return self._clock()

    async def file(self, request: web.Request, body: dict[str, Any]) -> Any:
        record = self.sandbox.telegram.bot_state().files.get(request.match_info["file_id"])
        if record is None:
            raise ControlError(404, "no such file")
        name = record.file_name or record.file_unique_id
        disposition = "inline" if record.kind == "photo" else "attachment"  # photos are shown in the chat
        return web.Response(
            body=record.data,
            content_type=record.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}"},
        )
