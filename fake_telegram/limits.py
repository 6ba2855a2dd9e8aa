"""Telegram-style flood control: per chat, per group and overall, each refusing with its own penalty.

Telegram asks bots to stay under about 1 message a second in one chat (short bursts allowed), 20 a minute
in one group, and about 30 a second overall, and answers 429 "Too Many Requests: retry after N" with
``parameters.retry_after`` past them. Requests made during the penalty are refused too. A chat's flood
penalises that chat only; going over the overall rate penalises the whole bot.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

__all__ = ["Limits", "RateLimiter", "Refusal"]

# Float sums of send intervals must not refuse a send that is due to the microsecond.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Limits:
    """Rate limits; each ``None`` (the default) is off.

    ``global_per_second``: sends across all chats within any one-second window (Telegram: about 30).
    ``per_chat_per_second``: sustained sends to one chat per second (Telegram: about 1).
    ``retry_after``: a fixed penalty in seconds after a refusal; ``None`` computes it from the limit that
    refused (when a send would next be allowed, at least 1 s).
    ``per_chat_burst``: sends one chat may get at once before ``per_chat_per_second`` paces them (a token
    bucket of this size, refilled at that rate); ``None`` is ``per_chat_per_second`` rounded up, at least 1.
    ``per_group_per_minute``: sends to one group chat within any 60 seconds (Telegram: 20). Group chats
    have negative ids; the fake has none yet, so only the limiter itself meets this limit today.

    A limit of 0 refuses every send (to test a client's 429 handling).
    """

    global_per_second: int | None = None
    per_chat_per_second: float | None = None
    retry_after: int | None = None
    per_chat_burst: int | None = None
    per_group_per_minute: int | None = None

    def __post_init__(self) -> None:
        for name in ("global_per_second", "per_chat_per_second", "retry_after", "per_group_per_minute"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.per_chat_burst is not None and self.per_chat_burst < 1:
            raise ValueError("per_chat_burst must be at least 1")
        if self.retry_after == 0:
            raise ValueError("retry_after must be at least 1 second")

    @property
    def enabled(self) -> bool:
        """True when any limit applies."""
        return any(
            value is not None
            for value in (self.global_per_second, self.per_chat_per_second, self.per_group_per_minute)
        )

    @property
    def chat_burst(self) -> int:
        """The per-chat bucket size in effect."""
        if self.per_chat_burst is not None:
            return self.per_chat_burst
        return max(1, math.ceil(self.per_chat_per_second or 0))


@dataclass(frozen=True)
class Refusal:
    """A 429: which limit refused (``"global"``, ``"chat"`` or ``"group"``) and the penalty in seconds."""

    scope: str
    retry_after: int

    @property
    def description(self) -> str:
        """Telegram's wording."""
        return f"Too Many Requests: retry after {self.retry_after}"


class RateLimiter:
    """One bot's flood control. ``check`` decides; ``record`` counts a send that went through.

    The overall limit and the group limit are sliding windows (at most N sends in any 1 s, or 60 s); the
    per-chat limit is a token bucket (GCRA): ``per_chat_burst`` sends at once, then one every
    ``1 / per_chat_per_second`` seconds. A refusal starts a penalty of ``retry_after`` seconds in the
    refusing scope: every send to that chat (or, for the overall limit, to any chat) is refused until it
    ends, so a client that retries too early keeps failing, as on Telegram.
    """

    def __init__(self) -> None:
        self._global: deque[float] = deque()
        self._global_penalty = 0.0
        self._chat_next: dict[int, float] = {}  # the bucket's theoretical arrival time per chat
        self._groups: dict[int, deque[float]] = {}
        self._chat_penalty: dict[int, tuple[float, str]] = {}

    @staticmethod
    def _trim(window: deque[float], now: float, seconds: float) -> None:
        while window and window[0] <= now - seconds:
            window.popleft()

    def check(self, limits: Limits, chat_id: int, now: float, *, group: bool = False) -> Refusal | None:
        """Whether a send to ``chat_id`` at ``now`` must be refused, and how; None lets it through."""
        if now < self._global_penalty:
            return Refusal("global", max(1, math.ceil(self._global_penalty - now)))
        penalty = self._chat_penalty.get(chat_id)
        if penalty is not None:
            until, scope = penalty
            if now < until:
                return Refusal(scope, max(1, math.ceil(until - now)))
            del self._chat_penalty[chat_id]
        if not limits.enabled:
            return None
        frees_at = self._global_frees_at(limits, now)
        if frees_at is not None:
            return self._refuse(limits, "global", chat_id, frees_at, now)
        frees_at = self._chat_frees_at(limits, chat_id, now)
        if frees_at is not None:
            return self._refuse(limits, "chat", chat_id, frees_at, now)
        if group:
            frees_at = self._group_frees_at(limits, chat_id, now)
            if frees_at is not None:
                return self._refuse(limits, "group", chat_id, frees_at, now)
        return None

    def _global_frees_at(self, limits: Limits, now: float) -> float | None:
        limit = limits.global_per_second
        if limit is None:
            return None
        self._trim(self._global, now, 1.0)
        if len(self._global) < limit:
            return None
        return self._global[0] + 1.0 if self._global else now + 1.0

    def _chat_frees_at(self, limits: Limits, chat_id: int, now: float) -> float | None:
        rate = limits.per_chat_per_second
        if rate is None:
            return None
        if rate == 0:
            return now + 1.0
        tolerance = (limits.chat_burst - 1) / rate
        earliest = self._chat_next.get(chat_id, now) - tolerance
        return earliest if earliest > now + _EPSILON else None

    def _group_frees_at(self, limits: Limits, chat_id: int, now: float) -> float | None:
        limit = limits.per_group_per_minute
        if limit is None:
            return None
        window = self._groups.setdefault(chat_id, deque())
        self._trim(window, now, 60.0)
        if len(window) < limit:
            return None
        return window[0] + 60.0 if window else now + 60.0

    def _refuse(self, limits: Limits, scope: str, chat_id: int, frees_at: float, now: float) -> Refusal:
        retry_after = limits.retry_after or max(1, math.ceil(frees_at - now))
        if scope == "global":
            self._global_penalty = now + retry_after
        else:
            self._chat_penalty[chat_id] = (now + retry_after, scope)
        return Refusal(scope, retry_after)

    def record(self, limits: Limits, chat_id: int, now: float, *, group: bool = False) -> None:
        """Count one successful send to ``chat_id`` at ``now``."""
        if limits.global_per_second is not None:
            self._global.append(now)
        rate = limits.per_chat_per_second
        if rate:
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, now), now) + 1.0 / rate
        if group and limits.per_group_per_minute is not None:
            self._groups.setdefault(chat_id, deque()).append(now)

    def reset(self) -> None:
        """Forget windows and any penalty."""
        self._global.clear()
        self._global_penalty = 0.0
        self._chat_next.clear()
        self._groups.clear()
        self._chat_penalty.clear()
