"""The fake's world without any transport: bots, users, chats, files, limits, and the Bot API calls on them.

A :class:`World` answers Bot API calls given as (bot, method, :class:`~fake_telegram.params.Params`) and
lets a driver play users; :mod:`fake_telegram.transport` serves it over HTTP, and
:class:`~fake_telegram.FakeTelegram` is the two together. A benchmark server or the sandbox can build its
own transport over the same world.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from .clock import Clock
from .errors import ApiError
from .limits import Limits
from .methods import BotApi, Result, command_scope_key
from .params import Params
from .state import (
    DEFAULT_LOG_LIMIT,
    BotState,
    BoundedLog,
    CallbackQueryState,
    FileRecord,
    Signal,
    UserProfile,
    WebhookState,
)
from .users import FakeUser

__all__ = ["TOKEN_RE", "ApiCall", "BotRef", "Stats", "WebhookDriver", "World"]

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# A bot is named by its token, its numeric id, or its state object; None is the default bot.
BotRef = str | int | BotState | None


class ApiCall(NamedTuple):
    """One Bot API call as the fake saw it: method name, parameters (JSON fields decoded), response body."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any]


@dataclass
class Stats:
    """Counters over all bots, for asserting on behaviour and for benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    too_many_requests_by_scope: Counter[str] = field(default_factory=Counter)
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    webhook_peak_connections: int = 0

    def count_refusal(self, scope: str) -> None:
        """Count a 429 of one limit ("global", "chat" or "group")."""
        self.too_many_requests += 1
        self.too_many_requests_by_scope[scope] += 1

    @property
    def total_sent(self) -> int:
        """Messages sent, copied or edited successfully."""
        return sum(self.sent.values())

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly copy."""
        return {
            "calls": dict(self.calls),
            "sent": dict(self.sent),
            "total_sent": self.total_sent,
            "errors": {str(k): v for k, v in self.errors.items()},
            "too_many_requests": self.too_many_requests,
            "too_many_requests_by_scope": dict(self.too_many_requests_by_scope),
            "webhook_deliveries": self.webhook_deliveries,
            "webhook_failures": self.webhook_failures,
            "webhook_peak_connections": self.webhook_peak_connections,
        }


class WebhookDriver(Protocol):
    """What setWebhook and deleteWebhook tell the transport that delivers webhook requests."""

    def restart(self, bot: BotState) -> None:
        """(Re)start delivering ``bot``'s updates to its webhook."""

    async def stop_bot(self, bot: BotState) -> None:
        """Stop delivering; no request to the old webhook starts after this returns."""


class _NoDelivery:
    """A world without a transport stores webhooks but delivers nothing."""

    def restart(self, bot: BotState) -> None:
        """Nothing to start."""

    async def stop_bot(self, bot: BotState) -> None:
        """Nothing to stop."""


class World:
    """Bots (one per token), users and their private chats, answering Bot API calls like Telegram.

    The "default bot" (used when a driver does not name one) is the bot whose ``token`` is given here, or
    else the first bot that calls the API. Private chats only: a chat is known to a bot once its user has
    written to it (before that, sends answer 400 "chat not found").
    """

    def __init__(
        self,
        *,
        bot_username: str = "belsendi_bot",
        bot_first_name: str = "Belsendi",
        token: str | None = None,
        global_per_second: int | None = None,
        per_chat_per_second: float | None = None,
        retry_after: int | None = None,
        limits: Limits | None = None,
        max_file_size: int = 50 * 1024 * 1024,
        callback_timeout: float | None = None,
        record_requests: bool = True,
        clock: Clock | None = None,
        log_limit: int | None = DEFAULT_LOG_LIMIT,
    ) -> None:
        self.bot_username = bot_username
        # "now" for dates, callback query age and rate-limit windows; real time unless a driver moves it.
        self.clock = clock or Clock()
        self.bot_first_name = bot_first_name
        if limits is None:
            limits = Limits(global_per_second, per_chat_per_second, retry_after)
        elif (global_per_second, per_chat_per_second, retry_after) != (None, None, None):
            raise TypeError("give either limits or the separate rate arguments, not both")
        # Telegram's flood control, off unless asked for.
        self.limits = limits
        self.max_file_size = max_file_size
        # Telegram expires unanswered callback queries after about 15 s; None keeps them valid forever.
        self.callback_timeout = callback_timeout
        self.record_requests = record_requests
        # The request log and each chat's message, edit and event logs keep this many entries (None: all).
        self.log_limit = log_limit
        self.requests: BoundedLog[ApiCall] = BoundedLog(log_limit)
        self.stats = Stats()
        self.stopping = False
        self.polled = Signal()
        self.api = BotApi(self)
        self.webhooks: WebhookDriver = _NoDelivery()
        self._bots: dict[int, BotState] = {}
        self._default: BotState | None = None
        self._profiles: dict[int, UserProfile] = {}
        self._handles: dict[tuple[BotState, int], FakeUser] = {}
        self._counter = 0
        if token is not None:
            self.add_bot(token, username=bot_username, first_name=bot_first_name)

    def wake_all(self) -> None:
        """Wake every waiter (long polls, message waits) so that it re-checks; used when stopping."""
        self.polled.fire()
        for bot in self.bots():
            bot.updates_changed.fire()
            bot.confirmed.fire()
            for chat in bot.chats.values():
                chat.changed.fire()

    # -- bots ------------------------------------------------------------------------------------------

    def bots(self) -> list[BotState]:
        """All bot states, the default bot included."""
        bots = list(self._bots.values())
        if self._default is not None and self._default not in bots:
            bots.append(self._default)
        return bots

    def add_bot(self, token: str, *, username: str | None = None, first_name: str | None = None) -> BotState:
        """Register a bot ahead of its first call (to name it); returns its state."""
        bot = self.bot_for_token(token)
        if username is not None:
            bot.username = username
        if first_name is not None:
            bot.first_name = first_name
        return bot

    def _new_bot(self, bot_id: int | None, token: str | None) -> BotState:
        if self._default is None:
            bot = BotState(bot_id, token, self.bot_username, self.bot_first_name, self.log_limit)
            self._default = bot
        else:
            bot = BotState(bot_id, token, f"bot{bot_id}_bot", f"Bot {bot_id}", self.log_limit)
        if bot_id is not None:
            self._bots[bot_id] = bot
        return bot

    def bot_for_token(self, token: str) -> BotState:
        """The bot a token authenticates (created on first use); ApiError 401 for a malformed or wrong one."""
        if not TOKEN_RE.match(token):
            raise ApiError(401, "Unauthorized")
        bot_id = int(token.split(":", 1)[0])
        bot = self._bots.get(bot_id)
        if bot is None:
            if self._default is not None and self._default.bot_id is None:
                # The first bot to connect takes over the chats a driver set up before it started.
                bot = self._default
                bot.bot_id = bot_id
                self._bots[bot_id] = bot
            else:
                bot = self._new_bot(bot_id, token)
        if bot.token is None:
            bot.token = token
        elif bot.token != token:
            raise ApiError(401, "Unauthorized")
        return bot

    def bot_state(self, bot: BotRef = None) -> BotState:
        """The state of a bot: by token, by id, or the default bot when None."""
        if isinstance(bot, BotState):
            return bot
        if isinstance(bot, str):
            return self.bot_for_token(bot)
        if isinstance(bot, int):
            return self._bots.get(bot) or self._new_bot(bot, None)
        if self._default is None:
            return self._new_bot(None, None)
        return self._default

    # -- Bot API calls ---------------------------------------------------------------------------------

    async def call(self, bot: BotState, method: str, params: Params) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call; returns the HTTP status and the JSON body Telegram would answer."""
        found = self.api.lookup(method)
        if found is None:
            self.stats.errors[404] += 1
            return 404, ApiError(404, "Not Found").to_json()
        name, handler = found
        self.stats.calls[name] += 1
        status = 200
        try:
            result = await handler(bot, params)
            if isinstance(result, Result):
                body: dict[str, Any] = {"ok": True, "result": result.value}
                if result.description:
                    body["description"] = result.description
            else:
                body = {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.code, exc.to_json()
            self.stats.errors[exc.code] += 1
        if self.record_requests:
            self.requests.append(ApiCall(name, params.normalized(), body))
        return status, body

    async def execute_webhook_reply(self, bot: BotState, reply: Params) -> None:
        """Run a method call a webhook returned in its response body (Telegram does not report the result)."""
        method = str(reply.values.get("method"))
        values = {k: v for k, v in reply.values.items() if k != "method"}
        await self.call(bot, method, Params(values, reply.uploads))

    def file_for_path(self, bot: BotState, path: str) -> FileRecord | None:
        """The file getFile gave ``path`` (under ``/file/bot<token>/``), or None."""
        return next((record for record in bot.files.values() if record.file_path == path), None)

    # -- users -----------------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone: str | None = None,
        *,
        bot: BotRef = None,
    ) -> FakeUser:
        """Create or return the user ``user_id`` in their private chat with ``bot`` (default bot).

        Given profile fields update an existing user; a new one gets ``first_name`` "User<id>".
        """
        profile = self._profiles.get(user_id)
        if profile is None:
            profile = self._profiles[user_id] = UserProfile(
                id=user_id, first_name=first_name or f"User{user_id}"
            )
        for name, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
            ("phone", phone),
        ):
            if value is not None:
                setattr(profile, name, value)
        state = self.bot_state(bot)
        handle = self._handles.get((state, user_id))
        if handle is None:
            handle = self._handles[(state, user_id)] = FakeUser(self, state, profile)
        return handle

    def block(self, user_id: int, *, bot: BotRef = None) -> None:
        """The user blocks the bot: sends to them answer 403, and the bot gets a my_chat_member update."""
        self._set_blocked(user_id, True, self.bot_state(bot))

    def unblock(self, user_id: int, *, bot: BotRef = None) -> None:
        """The user unblocks (restarts) the bot."""
        self._set_blocked(user_id, False, self.bot_state(bot))

    def _set_blocked(self, user_id: int, blocked: bool, bot: BotState) -> None:
        if (user_id in bot.blocked) == blocked:
            return
        if blocked:
            bot.blocked.add(user_id)
        else:
            bot.blocked.discard(user_id)
        chat = bot.chats.get(user_id)
        if chat is None or not chat.known:
            return
        member: dict[str, Any] = {"user": bot.user_json(), "status": "member"}
        # A "kicked" ChatMember always carries until_date; 0 means banned forever.
        kicked: dict[str, Any] = {"user": bot.user_json(), "status": "kicked", "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        bot.push_update(
            "my_chat_member",
            {
                "chat": chat.user.chat_json(),
                "from": chat.user.to_json(),
                "date": self.clock.timestamp(),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def inject_raw_update(self, update: Mapping[str, Any], *, bot: BotRef = None) -> dict[str, Any]:
        """Queue any JSON object as the bot's next update, even one Telegram would never send.

        ``{"message": {"bogus": True}}`` reaches the bot through getUpdates or its webhook like any other
        update (allowed_updates does not filter it), to test what the bot does with input it cannot
        parse. A missing ``update_id`` is assigned; a given one is kept. Returns the queued update.
        """
        return self.bot_state(bot).push_raw(update)

    # -- inspection ------------------------------------------------------------------------------------

    def calls(self, method: str) -> list[ApiCall]:
        """Logged calls of one method (case-insensitive)."""
        return [call for call in self.requests if call.method.lower() == method.lower()]

    def commands(
        self,
        scope_type: str = "default",
        language_code: str | None = None,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        bot: BotRef = None,
    ) -> list[dict[str, str]]:
        """The command list setMyCommands stored for this scope and language ([] if none)."""
        scope: dict[str, Any] = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        return list(self.bot_state(bot).commands.get(command_scope_key(scope, language_code), []))

    @property
    def webhook(self) -> WebhookState | None:
        """The default bot's webhook, or None."""
        return self.bot_state().webhook

    @property
    def confirmed_update_id(self) -> int:
        """The highest update id the default bot has confirmed."""
        return self.bot_state().confirmed_update_id

    def pending_updates(self, *, bot: BotRef = None) -> list[dict[str, Any]]:
        """Updates queued for the bot and not yet confirmed."""
        return list(self.bot_state(bot).updates)

    def unanswered_callbacks(self, *, bot: BotRef = None) -> list[CallbackQueryState]:
        """Callback queries the bot has not answered with answerCallbackQuery."""
        return [q for q in self.bot_state(bot).callbacks.values() if q.answer is None]

    async def wait_confirmed(self, timeout: float = 5.0, *, bot: BotRef = None) -> None:  # noqa: ASYNC109
        """Return once the bot has confirmed every queued update (by getUpdates offset or webhook 2xx)."""
        state = self.bot_state(bot)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while state.updates:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{len(state.updates)} updates still unconfirmed after {timeout}s "
                    f"(confirmed up to {state.confirmed_update_id})"
                )
            await state.confirmed.wait(remaining)

    async def wait_polling(self, timeout: float = 10.0, *, bot: BotRef = None) -> None:  # noqa: ASYNC109
        """Return once the bot has called getUpdates (so it is up); asyncio.TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if bot is None:
                polled = any(b.poll_calls for b in self.bots())
            else:
                polled = self.bot_state(bot).poll_calls > 0
            if polled:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                calls = Counter(call.method for call in self.requests)
                raise TimeoutError(
                    f"no getUpdates call within {timeout}s; calls so far: {dict(calls) or 'none'}"
                )
            await self.polled.wait(remaining)

    def set_limits(
        self,
        global_per_second: int | None = None,
        per_chat_per_second: float | None = None,
        retry_after: int | None = None,
        *,
        per_chat_burst: int | None = None,
        per_group_per_minute: int | None = None,
    ) -> None:
        """Replace all the rate limits (no arguments: unlimited; see :class:`Limits`). Ends any penalty."""
        self.limits = Limits(
            global_per_second, per_chat_per_second, retry_after, per_chat_burst, per_group_per_minute
        )
        for bot in self.bots():
            bot.limiter.reset()

    # -- helpers for methods and users -----------------------------------------------------------------

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def new_callback_id(self) -> str:
        """A unique callback query id, numeric like Telegram's."""
        return str(4_000_000_000_000_000 + self._next())

    def new_file(
        self, bot: BotState, kind: str, data: bytes, file_name: str | None, mime_type: str | None
    ) -> FileRecord:
        """Store file bytes under a new file_id usable by ``bot``."""
        n = self._next()
        prefix = {"photo": "AgAC", "sticker": "CAAC", "voice": "AwAC"}.get(kind, "BQAC")  # Telegram's
        record = FileRecord(
            file_id=f"{prefix}fake{n:08d}{kind}",
            file_unique_id=f"AQAD{n:08d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        bot.files[record.file_id] = record
        return record
