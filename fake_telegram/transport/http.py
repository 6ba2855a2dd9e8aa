"""The HTTP server of a world: Bot API routes, file downloads, the control API and webhook delivery."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..params import Params
from ..world import World
from .body import read_params
from .control import ControlApi
from .webhook import WebhookDelivery

__all__ = ["HttpTransport"]

_json_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _error(exc: ApiError) -> web.Response:
    return web.json_response(exc.to_json(), status=exc.code, dumps=_json_dumps)


class HttpTransport:
    """Serves one :class:`World` on ``host:port`` the way api.telegram.org does.

    ``/bot<token>/<method>`` takes parameters in the query string, JSON, urlencoded or multipart bodies;
    ``/file/bot<token>/<path>`` serves what getFile announced; ``/_fake/`` is the control API. Starting
    the transport also starts webhook delivery for the world (it becomes ``world.webhooks``).
    """

    def __init__(
        self,
        world: World,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_retry_delay: float = 0.05,
        webhook_max_delay: float = 2.0,
        webhook_max_attempts: int = 8,
        webhook_timeout: float = 10.0,
        extra_routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        self.world = world
        self.host = host
        self._port = port
        # More routes on the same server (the sandbox's chat page), added when it starts.
        self._extra_routes = extra_routes
        self.webhooks = WebhookDelivery(
            world,
            retry_delay=webhook_retry_delay,
            max_delay=webhook_max_delay,
            max_attempts=webhook_max_attempts,
            timeout=webhook_timeout,
        )
        world.webhooks = self.webhooks
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self._port

    @property
    def url(self) -> str:
        """Base URL for TELEGRAM_API_URL / ``TelegramAPIServer.from_base``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def running(self) -> bool:
        """Whether the server is bound and serving."""
        return self._runner is not None

    async def start(self) -> None:
        """Bind ``host:port`` (port 0 picks a free one) and start serving."""
        if self._runner is not None:
            return
        self.world.stopping = False
        app = web.Application(
            client_max_size=self.world.max_file_size + 1024 * 1024, middlewares=[self._middleware]
        )
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        ControlApi(self.world).add_routes(app)
        if self._extra_routes is not None:
            self._extra_routes(app)
        # handler_cancellation: a client that gives up on a long poll must not keep it alive.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._port)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        await self.webhooks.start()

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook deliveries and close the server."""
        if self._runner is None:
            return
        self.world.stopping = True
        self.world.wake_all()
        await self.webhooks.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except web.HTTPException as exc:
            if request.path.startswith("/_fake/"):
                raise
            # Telegram answers anything it does not know with a JSON 404.
            code = 404 if exc.status in (404, 405) else exc.status
            description = "Not Found" if code == 404 else exc.reason
            return web.json_response(
                {"ok": False, "error_code": code, "description": description}, status=code, dumps=_json_dumps
            )

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            bot = self.world.bot_for_token(request.match_info["token"])
        except ApiError as exc:
            return _error(exc)
        params = Params({})  # an unknown method is answered without reading the body
        if self.world.api.lookup(method) is not None:
            try:
                params = await read_params(request, self.world.max_file_size)
            except ApiError as exc:
                self.world.stats.errors[exc.code] += 1
                return _error(exc)
        status, body = await self.world.call(bot, method, params)
        return web.json_response(body, status=status, dumps=_json_dumps)

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            bot = self.world.bot_for_token(request.match_info["token"])
        except ApiError as exc:
            return _error(exc)
        record = self.world.file_for_path(bot, request.match_info["path"])
        if record is None:
            return _error(ApiError(404, "Not Found"))
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")
