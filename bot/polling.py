"""Long polling that never confirms an update before its handler has finished.

aiogram's own polling confirms a batch as soon as it is handed to handler tasks, so a crash or a
restart loses whatever was still running. Here the offset only moves past updates whose handlers
are done: after a crash Telegram hands the unfinished ones out again (at least once), and on
SIGTERM the handlers in flight are waited for before the process exits.

A batch is handled concurrently (one user's updates still in order: see SimpleEventIsolation), and
the next getUpdates waits until the batch is done, so that it confirms the whole batch and long-polls
for new updates. A straggler does not hold the rest up for long: after `straggler_wait` seconds the
poller asks again with the straggler's id as offset, starting only what it has not started yet.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

logger = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        polling_timeout: int = 25,
        max_in_flight: int = 200,
        straggler_wait: float = 0.5,
        drain_timeout: float = 60.0,
        **workflow_data: Any,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.polling_timeout = polling_timeout
        self.max_in_flight = max_in_flight
        self.straggler_wait = straggler_wait
        self.drain_timeout = drain_timeout
        self.workflow_data = workflow_data
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.last_started: int | None = None  # every update up to this id has been handed out

    @property
    def offset(self) -> int | None:
        """Confirm only what is finished: everything below the oldest update still running."""
        if self.in_flight:
            return min(self.in_flight)
        return None if self.last_started is None else self.last_started + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let running handlers finish and confirm their updates."""
        allowed_updates = self.dispatcher.resolve_used_update_types()
        retry_delay = 1.0
        while not stop.is_set():
            await self._let_handlers_finish(stop)
            if len(self.in_flight) >= self.max_in_flight or stop.is_set():
                continue
            method = GetUpdates(
                offset=self.offset, timeout=self.polling_timeout, allowed_updates=allowed_updates
            )
            try:
                updates = await _unless_stopped(self._fetch(method), stop)
            except Exception as error:  # noqa: BLE001 - Telegram or the network failed: try again
                logger.error(
                    "getUpdates failed (%s: %s); retrying in %.0f s", type(error).__name__, error, retry_delay
                )
                await _unless_stopped(asyncio.sleep(retry_delay), stop)
                retry_delay = min(retry_delay * 2, 30.0)
                continue
            if updates is None:  # stopped while waiting
                break
            retry_delay = 1.0
            for update in updates:
                if self.last_started is None or update.update_id > self.last_started:
                    self._start(update)  # the others are still being handled
        await self._drain()

    async def _fetch(self, method: GetUpdates) -> list[Update]:
        timeout = int(self.bot.session.timeout + self.polling_timeout)
        return await self.bot(method, request_timeout=timeout)

    def _start(self, update: Update) -> None:
        self.last_started = update.update_id
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self.in_flight[update.update_id] = task

    async def _handle(self, update: Update) -> None:
        try:
            await self.dispatcher.feed_update(self.bot, update, **self.workflow_data)
        except Exception:
            # The error handler has told the user; this is what it could not handle.
            logger.exception("Update %s failed", update.update_id)
        finally:
            del self.in_flight[update.update_id]

    async def _let_handlers_finish(self, stop: asyncio.Event) -> None:
        """Wait for the running batch (at most `straggler_wait`, and any if over `max_in_flight`)."""
        if not self.in_flight:
            return
        handlers = list(self.in_flight.values())
        # Cancelling a wait (on stop) stops only the waiting; the handlers themselves go on.
        if len(handlers) >= self.max_in_flight:
            # Full: room for one more is enough.
            await _unless_stopped(asyncio.wait(handlers, return_when=asyncio.FIRST_COMPLETED), stop)
        else:
            await _unless_stopped(asyncio.wait(handlers, timeout=self.straggler_wait), stop)

    async def _drain(self) -> None:
        if self.in_flight:
            logger.info("Waiting for %d update(s) in flight", len(self.in_flight))
            _, pending = await asyncio.wait(list(self.in_flight.values()), timeout=self.drain_timeout)
            if pending:
                logger.error(
                    "%d update(s) did not finish in %.0f s; Telegram will resend them",
                    len(pending),
                    self.drain_timeout,
                )
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        if self.offset is not None and not self.in_flight:
            # Tell Telegram what is done, so it is not handed out again after the restart.
            try:
                await self.bot(GetUpdates(offset=self.offset, timeout=0, limit=1))
            except Exception as error:  # noqa: BLE001 - at worst, finished updates come back
                logger.warning("Could not confirm the last updates: %s", error)


async def _unless_stopped(coroutine: Any, stop: asyncio.Event) -> Any:
    """The coroutine's result, or None if `stop` is set first (the coroutine is then cancelled)."""
    work = asyncio.ensure_future(coroutine)
    stopped = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait([work, stopped], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if work in done:
        return work.result()
    work.cancel()
    await asyncio.gather(work, return_exceptions=True)
    return None
