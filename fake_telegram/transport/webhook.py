"""Webhook delivery: POST updates to the bot's URL, up to max_connections at once, one chat's in order."""

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
from ..state import BotState, WebhookState, update_chat_id
from .body import read_multipart

if TYPE_CHECKING:
    from ..world import World

__all__ = ["WebhookDelivery"]

log = logging.getLogger("fake_telegram.webhook")


class WebhookDelivery:
    """One delivery task per bot with a webhook set, running up to ``max_connections`` requests at once.

    Like Telegram, an update stays pending until the webhook answers 2xx, and a chat's next update is
    not sent before the previous one is answered (other chats' updates go meanwhile). A failed attempt
    is retried
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
        self._open = 0  # requests in flight, over all bots

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
        deliveries: dict[asyncio.Task[None], dict[str, Any]] = {}
        try:
            while bot.webhook is not None and not self._world.stopping:
                hook = bot.webhook
                free = hook.max_connections - len(deliveries)
                for update in self._ready(bot.updates, list(deliveries.values()), free):
                    deliveries[asyncio.create_task(self._deliver(bot, hook, update))] = update
                changed = asyncio.ensure_future(bot.updates_changed.wait(None))
                await asyncio.wait({changed, *deliveries}, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                for task in [task for task in deliveries if task.done()]:
                    del deliveries[task]
                    task.result()  # a bug in delivery must not pass silently
        finally:
            for task in deliveries:
                task.cancel()
            await asyncio.gather(*deliveries, return_exceptions=True)

    @staticmethod
    def _ready(
        queue: list[dict[str, Any]], in_flight: list[dict[str, Any]], free: int
    ) -> list[dict[str, Any]]:
        """Queued updates to post now: at most ``free``, and none of a chat that has one in flight.

        Telegram does not send a chat's next update until the previous one is answered, so an update
        waits behind any earlier one of its chat, in flight or not. Updates of no chat wait for nobody.
        """
        sending = {id(update) for update in in_flight}
        held = {chat for chat in map(update_chat_id, in_flight) if chat is not None}
        ready: list[dict[str, Any]] = []
        for update in queue:
            if len(ready) >= free:
                break
            if id(update) in sending:
                continue
            chat = update_chat_id(update)
            if chat is not None:
                if chat in held:
                    continue
                held.add(chat)
            ready.append(update)
        return ready

    async def _deliver(self, bot: BotState, hook: WebhookState, update: dict[str, Any]) -> None:
        """Post one update until the webhook answers 2xx or the attempts run out."""
        world = self._world
        attempt = 0
        while True:
            ok, error, reply = await self._post(hook.url, hook.secret_token, update)
            if bot.webhook is not hook:
                return  # replaced or deleted meanwhile: the update stays for the next webhook
            if ok:
                bot.acknowledge(update)
                world.stats.webhook_deliveries += 1
                if reply is not None:
                    await world.execute_webhook_reply(bot, reply)
                return
            world.stats.webhook_failures += 1
            hook.last_error_date = world.clock.timestamp()
            hook.last_error_message = error
            attempt += 1
            if attempt >= self.max_attempts:
                log.warning("dropping update %s after %d failed deliveries", update.get("update_id"), attempt)
                bot.acknowledge(update)
                return
            await asyncio.sleep(min(self.retry_delay * 2 ** (attempt - 1), self.max_delay))

    async def _post(
        self, url: str, secret: str | None, update: dict[str, Any]
    ) -> tuple[bool, str, Params | None]:
        if self._session is None:
            raise RuntimeError("starting the transport creates the webhook client session")
        self._open += 1
        self._world.stats.webhook_peak_connections = max(
            self._world.stats.webhook_peak_connections, self._open
        )
        try:
            return await self._request(self._session, url, secret, update)
        finally:
            self._open -= 1

    async def _request(
        self, session: aiohttp.ClientSession, url: str, secret: str | None, update: dict[str, Any]
    ) -> tuple[bool, str, Params | None]:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            async with session.post(
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
