"""One budget for every message the bot sends: replies to users and the outbox's sender share Telegram's
~30 messages/s overall, and the sender keeps to 1/s per chat.

Telegram counts every message the bot sends or edits, replies included. One `Pacer` per bot hands out
turns on one timeline, evenly spaced at `SEND_RATE × (1 − RATE_MARGIN)` (29.4/s at 30): a reply takes
its turn in the bot's session (`PacedRequests`, under every Bot API call that sends or edits a message),
the sender takes its turn before each outbox row. The sender asks for one turn at a time, so a reply
never has more than one of the sender's turns ahead of it (at most ~70 ms at 29.4/s), and every turn a
reply takes is one the broadcast does not: broadcasts use whatever the replies leave, nothing is held
idle. Evenly spaced, not a burst of 30 at the top of each second: a burst would make a tap wait for the
next second.

A turn also waits until the bot's last `SEND_RATE` sends include none answered less than a second
before: a send that leaves after the 30th before it was *answered* plus one second arrives after it
arrived plus one second, whatever the network did in between, so Telegram's one-second window never
holds more than 30 (the evenly spaced timeline alone can be bunched by jitter on the way).

Per chat (1/s, plus a margin): the sender sends to a chat only once it is ready again (rows to a chat
paced out wait aside while other chats' rows go). Replies are not held back per chat (a user waits for
their answer; Telegram allows a chat short bursts), but they count: a broadcast row to someone who was
just answered waits its second.

After a 429 the bot-wide pause (bot/telegram/resilience.py) is waited out and the rate halves
(Telegram's real limits are not published and vary); each confirmed send then wins back a little, up to
the configured rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]

# Telegram: about one message a second to one chat (short bursts allowed; the sender does not count on them).
PER_CHAT_RATE = 1.0
# Kept between two sends to one chat on top of 1/rate: the network can bring two sends closer together
# on the way to Telegram than they left here (a 429 seen under load in the end-to-end test).
PER_CHAT_MARGIN = 0.1
# The timeline runs this much under SEND_RATE: room for the network's jitter before the window check
# above has to hold a turn back.
RATE_MARGIN = 0.02
# Telegram's overall window.
WINDOW = 1.0
# Each confirmed send wins back this share of the configured rate after a 429 halved it.
RECOVERY = 0.02
# Chats remembered for per-chat pacing before the ones whose pause is over are forgotten.
CHATS_REMEMBERED = 10_000


@dataclass(eq=False, slots=True)
class Turn:
    """One send's place in the budget: `answered_at` is set when Telegram has answered it (or it failed)."""

    chat_id: int
    answered_at: float = field(default=float("inf"))


# The turn the caller (the sender) took for the call it is making, so the session does not take another.
_taken: ContextVar[Turn | None] = ContextVar("taken_turn", default=None)


class Pacer:
    """`await take(chat)` before each send, `answered(turn)` after it; `chat_ready_at(chat)` says when a
    chat may get its next outbox message.

    `rate` is Telegram's overall limit (SEND_RATE). `paused_for()` is the bot-wide pause a 429 imposed
    (seconds left). `sleep` and `monotonic` are injectable so that tests wait for no real seconds.
    """

    def __init__(
        self,
        rate: float,
        *,
        per_chat_rate: float = PER_CHAT_RATE,
        min_rate: float = 1.0,
        paused_for: Callable[[], float] = lambda: 0.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or per_chat_rate <= 0:
            raise ValueError("rates must be positive")
        self.target_rate = rate * (1.0 - RATE_MARGIN)
        self.rate = self.target_rate
        self.window_limit = max(1, int(rate))
        self.min_rate = min(min_rate, self.target_rate)
        self.chat_interval = (1.0 + PER_CHAT_MARGIN) / per_chat_rate
        self.paused_for = paused_for
        self.monotonic = monotonic
        self.sleep = sleep
        self._next_slot = float("-inf")
        self._chat_next: dict[int, float] = {}
        self._recent: list[Turn] = []  # turns not yet answered, or answered within the last WINDOW
        self._answered = asyncio.Event()

    def chat_ready_at(self, chat_id: int) -> float:
        """The monotonic time from which `chat_id` may get its next outbox message."""
        return self._chat_next.get(chat_id, float("-inf"))

    async def take(self, chat_id: int) -> Turn:
        """Wait for the flood pause to end, for the next turn on the timeline and for room in Telegram's
        window; then count the send (`answered(turn)` when Telegram has answered it)."""
        while (pause := self.paused_for()) > 0:
            await self.sleep(pause)
        now = self.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await self.sleep(slot - now)
        await self._room_in_window()
        sent_at = self.monotonic()
        turn = Turn(chat_id)
        self._recent.append(turn)
        self._chat_next[chat_id] = sent_at + self.chat_interval
        if len(self._chat_next) > CHATS_REMEMBERED:
            self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > sent_at}
        return turn

    def answered(self, turn: Turn) -> None:
        """Telegram answered the send of `turn` (whatever it said), or it failed on the way."""
        if turn.answered_at == float("inf"):
            turn.answered_at = self.monotonic()
            self._answered.set()

    @contextmanager
    def sending(self, turn: Turn) -> Iterator[None]:
        """The call made in this block uses `turn` (taken by the caller); it is answered at the end."""
        token = _taken.set(turn)
        try:
            yield
        finally:
            _taken.reset(token)
            self.answered(turn)

    async def _room_in_window(self) -> None:
        while True:
            now = self.monotonic()
            self._recent = [turn for turn in self._recent if turn.answered_at + WINDOW > now]
            if len(self._recent) < self.window_limit:
                return
            frees_at = min(turn.answered_at for turn in self._recent) + WINDOW
            if frees_at == float("inf"):  # all still unanswered: wait for an answer
                self._answered.clear()
                await self._answered.wait()
            else:
                await self.sleep(frees_at - now)

    def flooded(self) -> None:
        """Telegram answered 429: go slower."""
        self.rate = max(self.min_rate, self.rate / 2)

    def confirmed(self) -> None:
        """A send went through: win back a little of the rate a 429 took."""
        self.rate = min(self.target_rate, self.rate + self.target_rate * RECOVERY)


def find_pacer(bot: Bot) -> Pacer | None:
    """The `Pacer` of a bot's session, if it has one (the sender shares it)."""
    return next((m.pacer for m in bot.session.middleware if isinstance(m, PacedRequests)), None)


class PacedRequests(BaseRequestMiddleware):
    """Bot-session middleware: every call that sends or edits a message takes a turn of the bot's budget,
    unless the caller took one for it (`Pacer.sending`). Register it after the resilience layer, so that
    a call it retries takes a new turn."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        chat_id = _counted_chat(method)
        if chat_id is None:
            return await make_request(bot, method)
        taken = _taken.get()
        if taken is not None and taken.chat_id == chat_id:
            _taken.set(None)  # its turn is used; a second part of a long text takes its own
            return await make_request(bot, method)
        turn = await self.pacer.take(chat_id)
        try:
            result = await make_request(bot, method)
        except TelegramRetryAfter:
            self.pacer.flooded()
            raise
        finally:
            self.pacer.answered(turn)
        self.pacer.confirmed()
        return result


def _counted_chat(method: TelegramMethod[Any]) -> int | None:
    """The chat of a call Telegram counts against its limits (a message sent or edited), else None."""
    name = type(method).__name__
    counted = name.startswith(("Send", "Edit", "Copy", "Forward")) and not isinstance(method, SendChatAction)
    chat_id = getattr(method, "chat_id", None) if counted else None
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None
