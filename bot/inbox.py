"""The inbox: every update is stored before it is confirmed to Telegram, then handled from there.

- `receive()` stores a batch in one transaction (an update seen before is not stored twice: webhook
  retries, a poller that asks again) and queues the new ones. Only then are they confirmed.
- Updates run in lanes, one per user (or chat): a user's updates one at a time, in the order they
  came; different users side by side, up to `concurrency` at once. A slow handler holds up only
  its own user.
- A handler that raises is tried again after a pause, `max_attempts` times in all; then the update
  is recorded as failed with its reason, and the user is told. An update that cannot be parsed
  fails at once. Neither stalls anyone else.
- Finished updates are marked done in batches, a few milliseconds after they finish: a crash loses
  at most those marks, and those updates are handled again (at least once, never lost).
- `resume()` at start queues what a stopped process left pending; each such stop counts as an
  attempt, so an update that kills the process is given up after `max_attempts` starts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import Update, User
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

from bot.clock import Clock
from bot.i18n import Catalogs
from bot.views.menu import error_text
from storage.database import Database
from storage.repositories.inbox import StoredUpdate

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class Inbox:
    def __init__(
        self,
        database: Database,
        dispatcher: Dispatcher,
        bot: Bot,
        clock: Clock,
        catalogs: Catalogs,
        *,
        max_attempts: int = 3,
        retry_delays: Sequence[float] = (1.0, 5.0),
        concurrency: int = 64,
        done_flush_delay: float = 0.02,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.database = database
        self.dispatcher = dispatcher
        self.bot = bot
        self.clock = clock
        self.catalogs = catalogs
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.done_flush_delay = done_flush_delay
        self.sleep = sleep
        self._slots = asyncio.Semaphore(concurrency)
        self._lanes: dict[int, deque[StoredUpdate]] = {}
        self._lane_tasks: set[asyncio.Task[None]] = set()
        self._done: list[int] = []
        self._flusher: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def queued(self) -> int:
        """Updates received and not finished yet, in this process."""
        return sum(len(lane) for lane in self._lanes.values())

    async def receive(self, raw_updates: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store the updates that are new, queue them, and return their ids.

        Raises if the database does not take them: then they must not be confirmed to Telegram.
        """
        batch = [_stored(raw) for raw in raw_updates if isinstance(raw.get("update_id"), int)]
        if not batch:
            return []
        async with self.database.transaction() as uow:
            new = set(await uow.inbox.store(batch, now=self.clock.now()))
        for update in batch:
            if update.update_id in new:
                self._enqueue(update)
        return sorted(new)

    async def resume(self) -> int:
        """Queue what was left pending when the process last stopped; returns how many."""
        async with self.database.transaction() as uow:
            await uow.inbox.count_interrupted()
            pending = await uow.inbox.pending()
        for update in pending:
            self._enqueue(update)
        if pending:
            logger.info("Resuming %d update(s) left unfinished", len(pending))
        return len(pending)

    async def wait_idle(self) -> None:
        """Until every queued update is handled and marked (for tests and a clean stop)."""
        while True:
            if self._lanes:
                await self._idle.wait()
            elif self._flusher is not None and not self._flusher.done():
                await asyncio.wait([self._flusher])
            elif self._done:
                await self._flush()
            else:
                return

    async def stop(self, drain_timeout: float) -> None:
        """Let the updates being handled finish (up to `drain_timeout` s); the rest stay pending."""
        if self._lane_tasks:
            logger.info("Waiting for %d update(s) in flight", self.queued)
            _, unfinished = await asyncio.wait(list(self._lane_tasks), timeout=drain_timeout)
            if unfinished:
                logger.error(
                    "%d update(s) did not finish in %.0f s; they are handled again at the next start",
                    len(unfinished),
                    drain_timeout,
                )
                for task in unfinished:
                    task.cancel()
                await asyncio.gather(*unfinished, return_exceptions=True)
        if self._flusher is not None:
            await asyncio.wait([self._flusher])
        await self._flush()

    async def prune(self, keep: timedelta) -> int:
        """Forget updates handled longer than `keep` ago; returns how many."""
        async with self.database.transaction() as uow:
            pruned = await uow.inbox.prune(before=self.clock.now() - keep)
        if pruned:
            logger.info("Pruned %d handled update(s) from the inbox", pruned)
        return pruned

    def _enqueue(self, update: StoredUpdate) -> None:
        # An update with no user or chat has a lane of its own.
        key = update.lane if update.lane is not None else -update.update_id
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            task = asyncio.create_task(self._run_lane(key, lane), name=f"inbox-lane-{key}")
            self._lane_tasks.add(task)
            task.add_done_callback(self._lane_tasks.discard)
            self._idle.clear()
        lane.append(update)

    async def _run_lane(self, key: int, lane: deque[StoredUpdate]) -> None:
        try:
            while lane:
                async with self._slots:
                    await self._handle(lane[0])
                lane.popleft()
        finally:
            del self._lanes[key]
            if not self._lanes:
                self._idle.set()

    async def _handle(self, stored: StoredUpdate) -> None:
        attempts = stored.attempts
        if attempts >= self.max_attempts:
            await self._fail(
                stored.update_id, f"the process stopped while handling it {attempts} times", attempts
            )
            return
        try:
            update = Update.model_validate(json.loads(stored.payload), context={"bot": self.bot})
        except (ValueError, ValidationError) as error:
            await self._fail(stored.update_id, f"unparsable: {_first_line(error)}", attempts + 1)
            return
        while True:
            try:
                await self.dispatcher.feed_update(self.bot, update)
            except TelegramForbiddenError:
                # The user blocked the bot: nothing more to say to them, and nothing to retry.
                break
            except Exception as error:
                attempts += 1
                if attempts >= self.max_attempts:
                    logger.error(
                        "Update %s failed %d times; giving up", update.update_id, attempts, exc_info=error
                    )
                    await self._fail(
                        update.update_id, f"{type(error).__name__}: {_first_line(error)}", attempts
                    )
                    await self._tell_user(update)
                    return
                delay = self.retry_delays[min(attempts, len(self.retry_delays)) - 1]
                logger.warning(
                    "Update %s failed (%s: %s); trying again in %.1f s",
                    update.update_id,
                    type(error).__name__,
                    _first_line(error),
                    delay,
                )
                await self.sleep(delay)
                continue
            break
        self._mark_done([update.update_id])

    def _mark_done(self, update_ids: Iterable[int]) -> None:
        self._done.extend(update_ids)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_after_delay(), name="inbox-flush")

    async def _flush_after_delay(self) -> None:
        await asyncio.sleep(self.done_flush_delay)  # let the updates finishing now join this batch
        await self._flush()

    async def _flush(self) -> None:
        while self._done:
            batch, self._done = self._done, []
            try:
                async with self.database.transaction() as uow:
                    await uow.inbox.mark_done(batch, now=self.clock.now())
            except Exception:
                logger.exception("Could not mark %d update(s) done", len(batch))

    async def _fail(self, update_id: int, reason: str, attempts: int) -> None:
        logger.error("Update %s recorded as failed: %s", update_id, reason)
        async with self.database.transaction() as uow:
            await uow.inbox.mark_failed(update_id, reason, attempts=attempts, now=self.clock.now())

    async def _tell_user(self, update: Update) -> None:
        """Say in the user's language that something went wrong (private chats only)."""
        sender, chat_type = _sender(update)
        if sender is None or chat_type not in (None, "private") or sender.is_bot:
            return
        async with self.database.reading() as uow:
            user = await uow.users.get(sender.id)
        t = self.catalogs.pick(user.language if user else None, sender.language_code)
        try:
            await self.bot.send_message(sender.id, error_text(t))
        except TelegramAPIError as error:
            logger.warning("Could not report the failure of update %s: %s", update.update_id, error)


def _stored(raw: Mapping[str, Any]) -> StoredUpdate:
    return StoredUpdate(
        update_id=raw["update_id"],
        lane=_lane(raw),
        payload=json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
        attempts=0,
    )


def _lane(raw: Mapping[str, Any]) -> int | None:
    """The user behind a raw update, else its chat: whose updates must be handled in order."""
    for key, event in raw.items():
        if key == "update_id" or not isinstance(event, dict):
            continue
        sender = event.get("from") or event.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
        chat = event.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


def _sender(update: Update) -> tuple[User | None, str | None]:
    try:
        event = update.event
    except UpdateTypeLookupError:  # a kind of update aiogram does not know
        return None, None
    sender: User | None = getattr(event, "from_user", None)
    chat = getattr(event, "chat", None)
    if chat is None and update.callback_query is not None and update.callback_query.message is not None:
        chat = update.callback_query.message.chat
    return sender, getattr(chat, "type", None)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__
