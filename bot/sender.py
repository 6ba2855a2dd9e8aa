"""The sender: sends the outbox's due rows at Telegram's pace, each rendered in its recipient's language.

- **Claim.** Due rows are claimed a batch at a time under this sender's lease (one UPDATE … RETURNING,
  storage/repositories/outbox.py); rows too late to send are dropped as "expired" in the same
  transaction. A row whose lease ran out (its process died) is claimed again; two senders on one
  database never hold the same row.
- **Render at send time**, with the renderer registered for the row's kind (bot/outbox_kinds.py), in the
  recipient's language of the moment it was claimed, read from users.
- **Paced** (bot/pacing.py): one turn at a time of the bot's ~30 messages/s, shared with the replies
  (whatever they leave is the sender's), 1/s per chat. Rows to a chat that had a message less than a
  second ago wait aside while other chats' rows go.
- **Marked sent only after Telegram confirms.** A crash between Telegram's answer and the mark leaves
  the outcome unknown; the row is sent again after its lease runs out. Nothing is lost, and duplicates
  are bounded by the sends in flight at the crash (`concurrency`).
- **Outcomes**: 429 → the pause is waited out (bot-wide, bot/telegram/resilience.py), the pacer slows
  down and the row goes again in its turn, without counting an attempt; 403 → the user is marked
  blocked (the resilience layer's `on_forbidden`) and every row still to be sent to them is dropped as
  "blocked"; 400 → failed, with Telegram's reason; a network failure or a 5xx → back to pending after a
  backoff, failed after `max_attempts`.
- `stop()` lets the sends in flight finish and gives back the rows claimed and not sent yet.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.pacing import Pacer, Turn
from bot.replies import send_view
from bot.telegram.resilience import RecipientUnavailableError, retried_by_caller
from bot.views import View
from storage.database import Database
from storage.repositories.outbox import ClaimedMessage, OutboxStatus
from storage.repositories.users import Recipient

logger = logging.getLogger(__name__)

# A pure view of one kind of message: (the recipient's language, the row's params) → text and keyboard.
Renderer = Callable[[Translator, Mapping[str, Any]], View]
Sleep = Callable[[float], Awaitable[None]]

BLOCKED = "blocked"
MUTED = "muted by the recipient"


def sender_id() -> str:
    """Who holds a lease: this host and process, and a random part (a restarted process with the same
    pid must not think it holds its predecessor's rows)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Sender:
    def __init__(
        self,
        database: Database,
        bot: Bot,
        clock: Clock,
        catalogs: Catalogs,
        renderers: Mapping[str, Renderer],
        pacer: Pacer,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 50,
        max_attempts: int = 5,
        retry_delays: Sequence[float] = (10.0, 60.0, 300.0, 900.0),
        concurrency: int = 8,
        mutable_kinds: frozenset[str] = frozenset(),
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.database = database
        self.bot = bot
        self.clock = clock
        self.catalogs = catalogs
        self.renderers = dict(renderers)
        self.pacer = pacer
        self.owner = owner or sender_id()
        self.lease = lease
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.concurrency = concurrency
        # Kinds a recipient can turn off (event reminders): dropped at send time while they are off.
        self.mutable_kinds = mutable_kinds
        self.monotonic = monotonic
        self.sleep = sleep
        self.sent = 0  # confirmed by Telegram, by this sender, since it was made
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._queue: deque[ClaimedMessage] = deque()
        self._waiting: list[tuple[float, int, ClaimedMessage]] = []  # (chat ready at, order, row)
        self._order = 0
        # Rows to a chat whose last send is still unanswered: they wait for its answer (a 403 drops them).
        self._parked: dict[int, list[ClaimedMessage]] = {}
        self._busy_chats: set[int] = set()
        self._recipients: dict[int, Recipient] = {}
        self._blocked: set[int] = set()
        self._pass = asyncio.Lock()
        # Confirmed sends waiting for their mark, and the future of the transaction that will record them.
        self._marks: tuple[list[int], asyncio.Future[None]] | None = None
        self._marking = asyncio.Lock()
        self._recording: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- running -----------------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for due rows now (a use case committed one; the scheduler's tick)."""
        self._wake.set()

    def start(self) -> None:
        """Send in the background until `stop()`: what is due at once, then whenever woken."""
        if self._task is None:
            self._wake.set()  # due rows left from before a stop go out at start-up
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, drain_timeout: float = 30.0) -> None:
        """Stop claiming; let the sends in flight finish (up to `drain_timeout` s); give back what was claimed
        and not sent. A send still unanswered then is left to its lease (its outcome is
        unknown: it is sent again after the lease runs out)."""
        self._stopping.set()
        self._wake.set()
        if self._task is None:
            return
        _, running = await asyncio.wait([self._task], timeout=drain_timeout)
        if running:
            logger.error("The sender did not stop in %.0f s; unanswered sends go again later", drain_timeout)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), await self._until_next_due())
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                await self.send_due()
            except Exception:
                logger.exception("The sender's pass failed; trying again in a second")
                await self._sleep_unless_stopped(1.0)

    async def _until_next_due(self) -> float | None:
        """Seconds until the earliest pending row is due (None: none is pending), so that a reminder goes
        out when it is due, not at the scheduler's next tick; a row added meanwhile wakes the sender."""
        try:
            async with self.database.reading() as uow:
                due = await uow.outbox.next_due()
        except Exception:
            logger.exception("Could not read when the next outbox row is due")
            return None
        if due is None:
            return None
        return max(0.0, (due - self.clock.now()).total_seconds())

    # -- one pass ----------------------------------------------------------------------------------

    async def send_due(self) -> int:
        """Send everything due now, at the pacer's pace; returns how many Telegram confirmed.

        Claims a batch at a time, and the next one while the last is still going out, so a long
        mailing holds only a few seconds' worth of rows under its lease at once.
        """
        async with self._pass:
            sent_before = self.sent
            drained = False
            try:
                while not self._stopping.is_set():
                    if not drained and len(self._queue) + len(self._waiting) < self.batch_size // 2:
                        drained = await self._claim() < self.batch_size
                    row = self._next_ready()
                    if row is not None:
                        await self._dispatch(row)
                    elif self._waiting:
                        await self._sleep_unless_stopped(self._waiting[0][0] - self.monotonic())
                    elif self._in_flight:
                        # Nothing to send now; a 429 may still put one of these back in the queue.
                        await asyncio.wait(list(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
                    else:
                        break
            finally:
                if self._in_flight:
                    await asyncio.gather(*self._in_flight, return_exceptions=True)
                await self._give_back_unsent()
            sent = self.sent - sent_before
            if sent:
                logger.info("Sent %d message(s) from the outbox", sent)
            return sent

    async def _claim(self) -> int:
        now = self.clock.now()
        async with self.database.transaction() as uow:
            expired = await uow.outbox.drop_expired(now=now)
            rows = await uow.outbox.claim(
                self.owner, now=now, lease_until=now + self.lease, limit=self.batch_size
            )
            recipients = await uow.users.recipients(row.recipient for row in rows)
        if expired:
            logger.info("Dropped %d outbox message(s) that were too late to send", expired)
        self._recipients.update(recipients)
        self._queue.extend(rows)
        return len(rows)

    def _next_ready(self) -> ClaimedMessage | None:
        """The next row whose chat may have a message now; rows to a chat paced out wait aside, in order."""
        now = self.monotonic()
        ready: list[ClaimedMessage] = []
        while self._waiting and self._waiting[0][0] <= now:
            ready.append(heapq.heappop(self._waiting)[2])
        self._queue.extendleft(reversed(ready))  # they were claimed first: they go first
        while self._queue:
            row = self._queue.popleft()
            if row.recipient in self._busy_chats:
                self._parked.setdefault(row.recipient, []).append(row)
                continue
            ready_at = self.pacer.chat_ready_at(row.recipient)
            if ready_at <= now:
                return row
            self._order += 1
            heapq.heappush(self._waiting, (ready_at, self._order, row))
        return None

    async def _dispatch(self, row: ClaimedMessage) -> None:
        recipient = self._recipients.get(row.recipient)
        if row.recipient in self._blocked or (recipient is not None and recipient.blocked):
            await self._finish(row, OutboxStatus.DROPPED, BLOCKED)
            return
        if recipient is not None and recipient.reminders_muted and row.kind in self.mutable_kinds:
            await self._finish(row, OutboxStatus.DROPPED, MUTED)
            return
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            await self._finish(row, OutboxStatus.FAILED, f"no renderer for kind {row.kind!r}")
            return
        translator = self.catalogs.pick(
            recipient.language if recipient else None, recipient.telegram_language if recipient else None
        )
        try:
            view = renderer(translator, row.params)
        except Exception as error:  # a row the renderer cannot take fails alone
            logger.exception("Could not render outbox message %s (%s)", row.id, row.kind)
            await self._finish(row, OutboxStatus.FAILED, f"render: {_reason(error)}")
            return
        await self._slots.acquire()
        try:
            turn = await self.pacer.take(row.recipient)
        except BaseException:
            self._slots.release()
            raise
        if self._stopping.is_set():  # stopped while waiting for its turn: given back, not sent
            self.pacer.answered(turn)
            self._slots.release()
            self._queue.appendleft(row)
            return
        self._busy_chats.add(row.recipient)
        task = asyncio.create_task(self._send(row, view, turn), name=f"outbox-send-{row.id}")
        self._in_flight.add(task)
        task.add_done_callback(lambda done: self._sent_one(done, row.recipient))

    def _sent_one(self, task: asyncio.Task[None], chat_id: int) -> None:
        self._in_flight.discard(task)
        self._busy_chats.discard(chat_id)
        # The chat's next rows go before what was claimed after them.
        self._queue.extendleft(reversed(self._parked.pop(chat_id, [])))

    async def _send(self, row: ClaimedMessage, view: View, turn: Turn) -> None:
        try:
            try:
                with retried_by_caller(), self.pacer.sending(turn):
                    await send_view(self.bot, row.recipient, view)
            except TelegramRetryAfter as error:
                # The whole bot is paused already; this row goes again in its turn, not as an attempt.
                logger.info("Outbox message %s refused by flood control (%s s)", row.id, error.retry_after)
                self.pacer.flooded()
                self._queue.appendleft(row)
                return
            except (RecipientUnavailableError, TelegramForbiddenError):
                await self._recipient_gone(row)
                return
            except TelegramBadRequest as error:
                await self._finish(row, OutboxStatus.FAILED, _reason(error))
                return
            except (TelegramNetworkError, TelegramServerError, OSError, TimeoutError) as error:
                await self._retry_later(row, _reason(error))
                return
            except TelegramAPIError as error:  # 401, 404, 409…: sending it again would not help
                await self._finish(row, OutboxStatus.FAILED, _reason(error))
                return
            self.sent += 1
            self.pacer.confirmed()
            await self._mark_sent(row.id)
        except Exception:
            # The database refused the outcome: the lease runs out and the row is tried again.
            logger.exception("Could not record the outcome of outbox message %s", row.id)
        finally:
            self._slots.release()

    async def _mark_sent(self, message_id: int) -> None:
        """Record a confirmed send, in one transaction with the others confirmed meanwhile (a write per
        send would queue the users' own writes behind 30 a second on SQLite's one writer). Returns once
        it is recorded: the send holds its slot until then, so what a crash can send twice stays within
        `concurrency`."""
        if self._marks is None:
            self._marks = ([], asyncio.get_running_loop().create_future())
            recording = asyncio.create_task(self._record_marks(), name="outbox-marks")
            self._recording.add(recording)  # held until done (the loop keeps only a weak reference)
            recording.add_done_callback(self._recording.discard)
        ids, recorded = self._marks
        ids.append(message_id)
        await recorded

    async def _record_marks(self) -> None:
        async with self._marking:  # one at a time: the next batch grows while this one is written
            assert self._marks is not None  # noqa: S101 - set by the _mark_sent that made this task
            ids, recorded = self._marks
            self._marks = None
            try:
                async with self.database.transaction() as uow:
                    await uow.outbox.mark_sent(ids, now=self.clock.now())
            except Exception as error:  # noqa: BLE001 - handed to each send waiting for it
                recorded.set_exception(error)
            else:
                recorded.set_result(None)

    async def _recipient_gone(self, row: ClaimedMessage) -> None:
        # The resilience layer has marked the user blocked (on_forbidden) before raising.
        self._blocked.add(row.recipient)
        async with self.database.transaction() as uow:
            dropped = await uow.outbox.drop_for_recipient(row.recipient, BLOCKED, owner=self.owner)
        logger.info("A recipient blocked the bot; %d outbox message(s) to them dropped", dropped)

    async def _retry_later(self, row: ClaimedMessage, reason: str) -> None:
        if row.attempts >= self.max_attempts:
            logger.warning("Outbox message %s failed %d times; giving up: %s", row.id, row.attempts, reason)
            await self._finish(row, OutboxStatus.FAILED, f"{row.attempts} attempts: {reason}")
            return
        delay = self.retry_delays[min(row.attempts, len(self.retry_delays)) - 1]
        logger.info("Outbox message %s not sent (%s); trying again in %.0f s", row.id, reason, delay)
        async with self.database.transaction() as uow:
            await uow.outbox.release(
                row.id, self.owner, due_at=self.clock.now() + timedelta(seconds=delay), error=reason
            )

    async def _finish(self, row: ClaimedMessage, status: OutboxStatus, reason: str) -> None:
        if status is OutboxStatus.FAILED:
            logger.warning("Outbox message %s (%s) failed: %s", row.id, row.kind, reason)
        async with self.database.transaction() as uow:
            await uow.outbox.finish(row.id, self.owner, status, reason)

    async def _give_back_unsent(self) -> None:
        unsent = [
            *self._queue,
            *(row for _, _, row in self._waiting),
            *(row for rows in self._parked.values() for row in rows),
        ]
        self._queue.clear()
        self._waiting.clear()
        self._parked.clear()
        self._busy_chats.clear()
        self._recipients.clear()
        self._blocked.clear()
        if unsent:
            async with self.database.transaction() as uow:
                await uow.outbox.release_all(self.owner, [row.id for row in unsent])

    async def _sleep_unless_stopped(self, seconds: float) -> None:
        if seconds <= 0:
            return
        waits = [asyncio.ensure_future(self._stopping.wait()), asyncio.ensure_future(self.sleep(seconds))]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    # -- scans (the scheduler runs them; each is safe to run twice) ---------------------------------

    async def release_expired_leases(self) -> int:
        """Rows held by a sender that died: pending again (claiming takes them anyway; this keeps the
        counts of `python -m bot outbox` true)."""
        async with self.database.transaction() as uow:
            return await uow.outbox.release_expired_leases(now=self.clock.now())

    async def prune(self, keep: timedelta) -> int:
        """Forget sent and dropped rows older than `keep`; returns how many."""
        async with self.database.transaction() as uow:
            return await uow.outbox.prune(before=self.clock.now() - keep)


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    first = text.splitlines()[0][:300] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
