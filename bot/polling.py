"""Long polling into the inbox: an update is confirmed to Telegram only once the inbox has stored it.

getUpdates is read as raw JSON, not through aiogram's models: one update aiogram cannot parse would
fail the whole batch there, and the poller would ask for the same offset forever. Here each update is
stored as it came, and one that cannot be parsed is recorded as failed by the inbox.

Telegram confirms updates when it is asked for a higher offset; the next offset is asked for only
after the batch is stored, so a crash at any point loses nothing (what was not stored comes again,
what was stored twice is kept once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.inbox import Inbox

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = 30.0


class PollingError(Exception):
    """Telegram refused getUpdates (a conflict with a webhook or another poller, a bad token...)."""

    def __init__(self, code: int | None, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.retry_after = retry_after


class Poller:
    def __init__(
        self,
        bot: Bot,
        inbox: Inbox,
        *,
        allowed_updates: Sequence[str] | None = None,
        polling_timeout: int = 25,
        max_queued: int = 1000,
        on_round_trip: Callable[[], None] | None = None,
    ) -> None:
        if not isinstance(bot.session, AiohttpSession):
            raise TypeError("the poller reads Telegram over the bot's aiohttp session")
        self.bot = bot
        self.session: AiohttpSession = bot.session
        self.inbox = inbox
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.polling_timeout = polling_timeout
        self.max_queued = max_queued
        self.on_round_trip = on_round_trip
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then confirm what was stored."""
        retry_delay = 1.0
        while not stop.is_set():
            if self.inbox.queued >= self.max_queued:
                await _unless_stopped(asyncio.sleep(0.05), stop)  # the handlers are behind: let them catch up
                continue
            try:
                updates = await _unless_stopped(self.get_updates(self.offset, self.polling_timeout), stop)
                if updates is None:
                    break  # stopped while waiting
                if self.on_round_trip is not None:
                    self.on_round_trip()
                await self.inbox.receive(updates)
            except Exception as error:  # noqa: BLE001 - Telegram, the network or the database: try again
                delay = retry_delay
                if isinstance(error, PollingError) and error.retry_after:
                    delay = error.retry_after
                logger.error(
                    "getUpdates failed (%s: %s); retrying in %.0f s", type(error).__name__, error, delay
                )
                await _unless_stopped(asyncio.sleep(delay), stop)
                retry_delay = min(retry_delay * 2, MAX_RETRY_DELAY)
                continue
            retry_delay = 1.0
            ids = [update["update_id"] for update in updates if isinstance(update.get("update_id"), int)]
            if ids:
                self.offset = max(ids) + 1  # stored: the next call confirms them
        await self._confirm()

    async def get_updates(self, offset: int | None, wait: int, limit: int = 100) -> list[dict[str, Any]]:
        """One getUpdates round trip; the updates as Telegram sent them."""
        payload: dict[str, Any] = {"timeout": wait, "limit": limit}
        if offset is not None:
            payload["offset"] = offset
        if self.allowed_updates is not None:
            payload["allowed_updates"] = self.allowed_updates
        client = await self.session.create_session()
        url = self.session.api.api_url(token=self.bot.token, method="getUpdates")
        request_timeout = aiohttp.ClientTimeout(total=wait + self.session.timeout)
        async with client.post(url, json=payload, timeout=request_timeout) as response:
            body = await response.json(content_type=None)
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            parameters = body.get("parameters") or {}
            raise PollingError(
                body.get("error_code"), str(body.get("description")), parameters.get("retry_after")
            )
        result = body.get("result")
        if not isinstance(result, list):
            raise PollingError(None, "getUpdates answered without a list of updates")
        return [update for update in result if isinstance(update, dict)]

    async def _confirm(self) -> None:
        """Tell Telegram what is stored, so that it is not handed out again after the restart."""
        if self.offset is None:
            return
        try:
            await self.get_updates(self.offset, wait=0, limit=1)
        except Exception as error:  # noqa: BLE001 - at worst, stored updates come again and are skipped
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
