"""Telegram-style flood control: sliding one-second windows and a bot-wide penalty after a 429."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

__all__ = ["Limits", "RateLimiter"]


@dataclass(frozen=True)
class Limits:
    """Rate limits; ``None`` means unlimited.

    ``global_per_second``: sends across all chats within any one-second window.
    ``per_chat_per_second``: sends to one chat within any one-second window.
    ``retry_after``: seconds of penalty after a refusal; ``None`` computes it from the window (at least 1).
    """

    global_per_second: int | None = None
    per_chat_per_second: int | None = None
    retry_after: int | None = None

    @property
    def enabled(self) -> bool:
        """True when any limit applies."""
        return self.global_per_second is not None or self.per_chat_per_second is not None


class RateLimiter:
    """Per-bot limiter. ``check`` decides, ``record`` counts a send that went through.

    Telegram punishes a flooding bot as a whole: once a request is refused, every send is refused with
    429 until the penalty window ends, so a client that retries each request on its own keeps failing.
    """

    def __init__(self) -> None:
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}
        self._penalty_until = 0.0

    @staticmethod
    def _trim(window: deque[float], now: float) -> None:
        while window and window[0] <= now - 1.0:
            window.popleft()

    def check(self, limits: Limits, chat_id: int, now: float) -> int | None:
        """Return ``retry_after`` seconds if a send to ``chat_id`` must be refused now, else None."""
        if now < self._penalty_until:
            return max(1, math.ceil(self._penalty_until - now))
        if not limits.enabled:
            return None
        self._trim(self._global, now)
        chat_window = self._per_chat.get(chat_id)
        if chat_window is not None:
            self._trim(chat_window, now)
        frees_at: float | None = None
        if limits.global_per_second is not None and len(self._global) >= limits.global_per_second:
            frees_at = self._global[0] + 1.0 if self._global else now + 1.0
        if (
            limits.per_chat_per_second is not None
            and chat_window is not None
            and len(chat_window) >= limits.per_chat_per_second
        ):
            chat_frees = chat_window[0] + 1.0 if chat_window else now + 1.0
            frees_at = chat_frees if frees_at is None else max(frees_at, chat_frees)
        if limits.per_chat_per_second == 0 or limits.global_per_second == 0:
            frees_at = now + 1.0
        if frees_at is None:
            return None
        retry_after = limits.retry_after or max(1, math.ceil(frees_at - now))
        self._penalty_until = now + retry_after
        return retry_after

    def record(self, chat_id: int, now: float) -> None:
        """Count one successful send."""
        self._global.append(now)
        self._per_chat.setdefault(chat_id, deque()).append(now)

    def reset(self) -> None:
        """Forget windows and any penalty."""
        self._global.clear()
        self._per_chat.clear()
        self._penalty_until = 0.0
