"""FakeTelegram: a world served over HTTP, the object tests, benchmarks and the sandbox start."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

from .clock import Clock
from .limits import Limits
from .state import DEFAULT_LOG_LIMIT
from .transport import HttpTransport
from .world import ApiCall, BotRef, Stats, World

__all__ = ["ApiCall", "BotRef", "FakeTelegram", "Stats"]


class FakeTelegram(World):
    """A strict, in-memory Telegram Bot API on 127.0.0.1 that a test drives by playing users.

    Point aiogram at :attr:`url` (``TelegramAPIServer.from_base(url)``). Everything about bots, users
    and chats is :class:`~fake_telegram.world.World`'s; this adds the HTTP server
    (:class:`~fake_telegram.transport.HttpTransport`) and its lifecycle.

    parse_mode HTML is parsed and checked like Telegram does; MarkdownV2/Markdown text is stored as sent,
    unparsed and without entities.
    """

    def __init__(
        self,
        *,
        bot_username: str = "belsendi_bot",
        bot_first_name: str = "Belsendi",
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        global_per_second: int | None = None,
        per_chat_per_second: float | None = None,
        retry_after: int | None = None,
        limits: Limits | None = None,
        max_file_size: int = 50 * 1024 * 1024,
        callback_timeout: float | None = None,
        record_requests: bool = True,
        clock: Clock | None = None,
        log_limit: int | None = DEFAULT_LOG_LIMIT,
        webhook_retry_delay: float = 0.05,
        webhook_max_delay: float = 2.0,
        webhook_max_attempts: int = 8,
        webhook_timeout: float = 10.0,
        extra_routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        super().__init__(
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            token=token,
            global_per_second=global_per_second,
            per_chat_per_second=per_chat_per_second,
            retry_after=retry_after,
            limits=limits,
            max_file_size=max_file_size,
            callback_timeout=callback_timeout,
            record_requests=record_requests,
            clock=clock,
            log_limit=log_limit,
        )
        self.transport = HttpTransport(
            self,
            host=host,
            port=port,
            webhook_retry_delay=webhook_retry_delay,
            webhook_max_delay=webhook_max_delay,
            webhook_max_attempts=webhook_max_attempts,
            webhook_timeout=webhook_timeout,
            extra_routes=extra_routes,
        )

    async def start(self) -> None:
        """Bind ``host:port`` (port 0 picks a free one) and start serving."""
        await self.transport.start()

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook deliveries and close the server."""
        await self.transport.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def host(self) -> str:
        """The address served."""
        return self.transport.host

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self.transport.port

    @property
    def url(self) -> str:
        """Base URL for TELEGRAM_API_URL / ``TelegramAPIServer.from_base``."""
        return self.transport.url
