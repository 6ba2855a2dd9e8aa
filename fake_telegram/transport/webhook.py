"""Webhook delivery: POST each update, in order, to the bot's URL, retrying with bounded backoff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import aiohttp

from ..errors import ApiError
from ..params import Params, Upload
from ..state import BotState
from .body import read_multipart

if TYPE_CHECKING:
    from ..world import World

__all__ = ["WebhookDelivery"]

log = logging.getLogger("fake_telegram.webhook")


class WebhookDelivery:
    """One delivery task per bot with a webhook set.

    Like Telegram, an update stays pending until the webhook answers 2xx; a failed attempt is retried
    after ``retry_delay`` doubling up to ``max_delay``, and after ``max_attempts`` the update is dropped
    (Telegram gives up too, after much longer). A JSON body with a ``method`` field in the webhook's
    answer (JSON, urlencoded, or multipart as aiogram's SimpleRequestHandler writes it) is executed as a
    Bot API call, as Telegram does.
    """

    def __init__(
        self,
        world: World,
        *,
        retry_delay: float = 0.05,
        max_delay: float = 2.0,
        max_attempts: int = 8,
        timeout: float = 10.0,
    ) -> None:
        self._world = world
        self.retry_delay = retry_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts
        self.timeout = timeout
        self._tasks: dict[BotState, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Create the HTTP client (called when the transport starts)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        """Stop all deliveries and close the HTTP client."""
        for bot in list(self._tasks):
            await self.stop_bot(bot)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def restart(self, bot: BotState) -> None:
        """(Re)start delivery for ``bot`` after setWebhook."""
        old = self._tasks.pop(bot, None)
        if old is not None:
            old.cancel()
        self._tasks[bot] = asyncio.get_running_loop().create_task(self._run(bot, old))

    async def stop_bot(self, bot: BotState) -> None:
        """Stop delivery for ``bot`` (deleteWebhook, shutdown)."""
        task = self._tasks.pop(bot, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, bot: BotState, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await previous
        attempt = 0
        world = self._world
        while bot.webhook is not None and not world.stopping:
            if not bot.updates:
                await bot.updates_changed.wait(None)
                continue
            hook = bot.webhook
            update = bot.updates[0]
            ok, error, reply = await self._post(hook.url, hook.secret_token, update)
            if bot.webhook is not hook:
                continue
            if ok:
                bot.confirm(update["update_id"] + 1)
                world.stats.webhook_deliveries += 1
                attempt = 0
                if reply is not None:
                    await world.execute_webhook_reply(bot, reply)
                continue
            world.stats.webhook_failures += 1
            hook.last_error_date = world.clock.timestamp()
            hook.last_error_message = error
            attempt += 1
            if attempt >= self.max_attempts:
                log.warning("dropping update %s after %d failed deliveries", update["update_id"], attempt)
                bot.confirm(update["update_id"] + 1)
                attempt = 0
                continue
            await asyncio.sleep(min(self.retry_delay * 2 ** (attempt - 1), self.max_delay))

    async def _post(
        self, url: str, secret: str | None, update: dict[str, Any]
    ) -> tuple[bool, str, Params | None]:
        if self._session is None:
            raise RuntimeError("starting the transport creates the webhook client session")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            async with self._session.post(
                url,
                data=json.dumps(update, ensure_ascii=False).encode("utf-8"),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                allow_redirects=False,
            ) as response:
                if not 200 <= response.status < 300:
                    await response.read()
                    return (
                        False,
                        f"Wrong response from the webhook: {response.status} {response.reason}",
                        None,
                    )
                reply = await self._read_reply(response)
        except TimeoutError:
            return False, "Read timeout expired", None
        except aiohttp.ClientError as exc:
            return False, f"Connection failed: {exc}", None
        return True, "", reply

    async def _read_reply(self, response: aiohttp.ClientResponse) -> Params | None:
        """A method call in the webhook's answer, if there is one (anything unreadable is ignored)."""
        values: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        try:
            if response.content_type == "multipart/form-data":
                reader = aiohttp.MultipartReader.from_response(response)
                values, uploads = await read_multipart(reader, self._world.max_file_size)
            else:
                body = await response.read()
                if response.content_type == "application/x-www-form-urlencoded":
                    values = dict(parse_qsl(body.decode("utf-8")))
                elif body.strip():
                    parsed = json.loads(body)
                    values = parsed if isinstance(parsed, dict) else {}
        except (ValueError, ApiError):
            return None
        if not isinstance(values.get("method"), str):
            return None
        return Params(values, uploads)
