"""The sender's pace: a share of Telegram's ~30 messages/s overall, and 1 message/s per chat.

Telegram counts every message the bot sends, replies included. The sender takes `SEND_RATE` minus the
share kept for replies (`REPLY_SHARE`): at 30 and 0.2 it sends at most 24 a second, evenly spaced (a bucket
of one token: a burst would crowd out the replies of that second), so the replies to users' taps still
have 6 a second of their own while a broadcast runs.

After a 429 the pacer waits out the bot-wide pause and halves its rate (Telegram's real limits are not
published and vary); each confirmed send then wins back a little, up to the configured rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]

# Telegram: about one message a second to one chat (short bursts allowed; we do not count on them).
PER_CHAT_RATE = 1.0
# Kept between two sends to one chat on top of 1/rate: the network can bring two sends closer together
# on the way to Telegram than they left here (a 429 seen under load in the end-to-end test).
PER_CHAT_MARGIN = 0.1
# Each confirmed send wins back this share of the configured rate after a 429 halved it.
RECOVERY = 0.02
# Chats remembered for per-chat pacing before the ones whose pause is over are forgotten.
CHATS_REMEMBERED = 10_000


def sender_rate(send_rate: float, reply_share: float) -> float:
    """Messages per second the sender may use: what Telegram allows minus the replies' share."""
    return send_rate * (1.0 - reply_share)


class Pacer:
    """`await take()` before each send; `chat_ready_at(chat)` says when a chat may get its next one.

    `paused_for()` is the bot-wide pause a 429 imposed (seconds left), waited out before each send.
    `sleep` and `monotonic` are injectable so that tests wait for no real seconds.
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
        self.target_rate = rate
        self.rate = rate
        self.min_rate = min(min_rate, rate)
        self.chat_interval = (1.0 + PER_CHAT_MARGIN) / per_chat_rate
        self.paused_for = paused_for
        self.monotonic = monotonic
        self.sleep = sleep
        self._next_slot = float("-inf")
        self._chat_next: dict[int, float] = {}

    def chat_ready_at(self, chat_id: int) -> float:
        """The monotonic time from which `chat_id` may get its next message."""
        return self._chat_next.get(chat_id, float("-inf"))

    async def take(self, chat_id: int) -> None:
        """Wait for the flood pause to end and for the next overall slot, then book `chat_id`'s next."""
        while (pause := self.paused_for()) > 0:
            await self.sleep(pause)
        now = self.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await self.sleep(slot - now)
        sent_at = max(slot, self.monotonic())
        self._chat_next[chat_id] = sent_at + self.chat_interval
        if len(self._chat_next) > CHATS_REMEMBERED:
            self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > sent_at}

    def flooded(self) -> None:
        """Telegram answered 429: go slower."""
        self.rate = max(self.min_rate, self.rate / 2)

    def confirmed(self) -> None:
        """A send went through: win back a little of the rate a 429 took."""
        self.rate = min(self.target_rate, self.rate + self.target_rate * RECOVERY)
