"""Per-user flood control: a token bucket per user, kept in memory (one process)."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import Translator
from bot.views.menu import too_many_messages_text

# Buckets idle this long are full again and can be forgotten.
FORGET_AFTER = 600.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class ThrottlingMiddleware(BaseMiddleware):
    """Lets a user send `burst` updates at once and `rate` per second after that.

    Past it, the first dropped update gets a notice in the user's language; the rest are dropped
    quietly until the bucket refills, so a flood cannot make the bot flood back.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._last_sweep = clock()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        if self.rate <= 0 or tg_user is None:
            return await handler(event, data)
        bucket = self._take(tg_user.id)
        if bucket is None:
            return await handler(event, data)
        if not bucket.warned:
            bucket.warned = True
            await self._warn(event, data, wait=math.ceil((1 - bucket.tokens) / self.rate))
        return None

    def _take(self, user_id: int) -> _Bucket | None:
        """Spend a token; returns the bucket when there was none to spend."""
        now = self.clock()
        self._sweep(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return None
        return bucket

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < FORGET_AFTER:
            return
        self._last_sweep = now
        idle = [uid for uid, bucket in self._buckets.items() if now - bucket.updated > FORGET_AFTER]
        for uid in idle:
            del self._buckets[uid]

    @staticmethod
    async def _warn(event: TelegramObject, data: dict[str, Any], wait: int) -> None:
        t: Translator = data["t"]
        text = too_many_messages_text(t, wait)
        if isinstance(event, Message):
            await event.answer(text)
        elif isinstance(event, CallbackQuery):
            answer: CallbackAnswer | None = data.get("callback_answer")
            if answer is not None:
                answer.text = text
            else:
                await event.answer(text)
