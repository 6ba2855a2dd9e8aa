"""Every Bot API call survives Telegram's limits: flood control, network failures and blocked users.

One bot-session middleware (`ResilientRequests`) sits under every outgoing call, replies and
broadcasts alike:

- 429 (`TelegramRetryAfter`): the whole bot pauses for `retry_after` seconds, not just the call that
  was refused. Telegram punishes a flooding bot as a whole, so other calls that went on sending would
  only be refused too and lengthen the penalty. The call is then retried, within a number of retries
  and a total wait per call.
- A network failure or a 5xx (`TelegramNetworkError`, `TelegramServerError`): retried after an
  exponential backoff, within a number of retries and the same total wait. A send may then arrive
  twice (Telegram has no idempotency key); a lost reply is worse.
- 403 (`TelegramForbiddenError`: the user blocked the bot or deleted their account): `on_forbidden`
  hears of it, and the call raises `RecipientUnavailableError`, which the dispatcher's error handler takes
  quietly (no traceback, no notice to someone who cannot receive it).

The outbox's sender retries on its own, from the database (`retried_by_caller()`): for its sends a 429
still pauses the whole bot, but the call raises at once instead of waiting and retrying here, and a
network failure is not retried here either. Waiting here would hold the send (its lease, its slot among
the sends in flight) for up to `max_wait`, then release every held send at the same moment when the pause
ends, past the sender's pacer; and a retry here on top of the sender's own would wait twice and send twice
as often. The sender instead waits out the pause in its pacer, slows the pacer down, and sends the row again
in its turn; a network failure goes back to the database with a backoff and counts as an attempt.

Register it after `SplitLongMessages`, so that each part of a long text is retried on its own and a
refused second part does not send the first again.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import ErrorEvent

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

OnForbidden = Callable[[int], Awaitable[None]]
BeforeCall = Callable[[], None]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class RecipientUnavailableError(TelegramForbiddenError):
    """Telegram refused a call to `chat_id` with 403: blocked by the user, or the account is gone.

    Not a failure of the bot: `on_forbidden` has been told, and nothing more should be sent there.
    """

    def __init__(self, method: TelegramMethod[Any], message: str, chat_id: int) -> None:
        super().__init__(method=method, message=message)
        self.chat_id = chat_id


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard one call tries before its error is raised.

    `flood_retries`: retries after a 429; `network_retries`: retries after a network failure or a 5xx;
    `max_wait`: seconds one call may spend waiting in all (flood pauses and backoff together), so that a
    reply arrives late rather than never, but not minutes late; `backoff` doubles from
    `backoff_initial` after each network failure, up to `backoff_max`.
    """

    flood_retries: int = 5
    network_retries: int = 3
    max_wait: float = 30.0
    backoff_initial: float = 0.5
    backoff_max: float = 8.0

    def backoff(self, attempt: int) -> float:
        """The wait before network retry number `attempt` (0 for the first)."""
        return float(min(self.backoff_initial * 2**attempt, self.backoff_max))


_caller_retries: ContextVar[bool] = ContextVar("caller_retries", default=False)


@contextmanager
def retried_by_caller() -> Iterator[None]:
    """Calls made in this block are not retried after a 429 or a network failure: the caller retries
    them itself (the outbox's sender). A 429 still pauses the whole bot; a 403 is still reported."""
    token = _caller_retries.set(True)
    try:
        yield
    finally:
        _caller_retries.reset(token)


def find_resilience(bot: Bot) -> ResilientRequests | None:
    """The `ResilientRequests` on a bot's session, if it has one (the sender reads its pause)."""
    return next((m for m in bot.session.middleware if isinstance(m, ResilientRequests)), None)


async def _no_forbidden_hook(chat_id: int) -> None:
    pass


def _no_guard() -> None:
    pass


class ResilientRequests(BaseRequestMiddleware):
    """Bot-session middleware: retries what is worth retrying, pauses the whole bot on a 429, reports 403s.

    `before_call` runs before every call (a guard: storage can raise if a transaction is open);
    `on_forbidden(chat_id)` runs when Telegram answers 403 for a chat. `sleep` and `clock` are
    injectable so that tests wait for no real seconds.
    """

    # Button-press answers do not wait for a pause that sends caused: a tap answered late looks broken,
    # and a 429 for the answer itself is still retried.
    PAUSE_EXEMPT: tuple[type[TelegramMethod[Any]], ...] = (AnswerCallbackQuery,)

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        on_forbidden: OnForbidden | None = None,
        before_call: BeforeCall | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.on_forbidden = on_forbidden or _no_forbidden_hook
        self.before_call = before_call or _no_guard
        self.sleep = sleep
        self.clock = clock
        self._paused_until = float("-inf")

    @property
    def paused_for(self) -> float:
        """Seconds left of the pause the last 429 imposed (0 when calls go straight through)."""
        return max(0.0, self._paused_until - self.clock())

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        self.before_call()
        long_poll = isinstance(method, GetUpdates)  # (a variable: narrowing would lose TelegramType)
        if long_poll:
            return await make_request(bot, method)  # the poller has its own backoff for the long poll
        shares_pause = not isinstance(method, self.PAUSE_EXEMPT)
        caller_retries = _caller_retries.get()
        max_flood_retries = 0 if caller_retries else self.policy.flood_retries
        max_network_retries = 0 if caller_retries else self.policy.network_retries
        waited = 0.0
        flood_retries = network_retries = 0
        while True:
            if shares_pause:
                waited += await self._wait_out_pause(method, waited)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                self._pause(error.retry_after)
                out_of_budget = waited + error.retry_after > self.policy.max_wait
                if flood_retries >= max_flood_retries or out_of_budget:
                    raise
                flood_retries += 1
                if not shares_pause:
                    await self.sleep(error.retry_after)
                    waited += error.retry_after
            except TelegramEntityTooLarge:
                raise  # a 413 (aiogram files it under network errors): the same request fails again
            except (TelegramNetworkError, TelegramServerError) as error:
                delay = self.policy.backoff(network_retries)
                if network_retries >= max_network_retries or waited + delay > self.policy.max_wait:
                    raise
                network_retries += 1
                logger.info(
                    "%s failed (%s); retry %d in %.1f s",
                    type(method).__name__,
                    type(error).__name__,
                    network_retries,
                    delay,
                )
                await self.sleep(delay)
                waited += delay
            except TelegramForbiddenError as error:
                chat_id = _chat_id(method)
                if chat_id is None:
                    raise
                await self._report_forbidden(chat_id)
                raise RecipientUnavailableError(method, error.message, chat_id) from error

    def _pause(self, retry_after: int) -> None:
        until = self.clock() + retry_after
        if until > self._paused_until:
            self._paused_until = until
            logger.info("Telegram's flood control: calls paused for %d s", retry_after)

    async def _wait_out_pause(self, method: TelegramMethod[Any], waited: float) -> float:
        """Sleep until the bot-wide pause ends (it may grow meanwhile); returns the seconds slept."""
        slept = 0.0
        while (left := self._paused_until - self.clock()) > 0:
            if waited + slept + left > self.policy.max_wait:
                raise TelegramRetryAfter(
                    method, "the flood-control pause outlasts this call's wait", math.ceil(left)
                )
            await self.sleep(left)
            slept += left
        return slept

    async def _report_forbidden(self, chat_id: int) -> None:
        try:
            await self.on_forbidden(chat_id)
        except Exception:  # the 403 is still raised: the caller must stop sending either way
            logger.exception("on_forbidden failed for a refused chat")


def _chat_id(method: TelegramMethod[Any]) -> int | None:
    """The numeric chat a method was addressed to, if any (not @channel names)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


async def on_recipient_unavailable(event: ErrorEvent) -> None:
    """Error handler: an update whose reply went to someone who blocked the bot ends quietly."""
    error = event.exception
    assert isinstance(error, RecipientUnavailableError)  # noqa: S101 - registered with an ExceptionTypeFilter
    logger.info("Update %s stopped: %s", event.update.update_id, error.message)
