"""Webhook mode: Telegram posts updates to WEBHOOK_URL; the secret header proves it is Telegram."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings

logger = logging.getLogger(__name__)

# In-flight updates get this long to finish on shutdown.
SHUTDOWN_TIMEOUT = 60.0


def create_webhook_app(
    dispatcher: Dispatcher, bot: Bot, settings: Settings, engine: AsyncEngine
) -> web.Application:
    """The webhook route (secret checked by aiogram) and /healthz for the container's health check."""
    # Answer Telegram only when the handler is done: an update is never acknowledged and then lost.
    handler = SimpleRequestHandler(
        dispatcher,
        bot,
        handle_in_background=False,
        secret_token=settings.webhook_secret_value,
    )
    app = web.Application()
    # Registered by hand: handler.register() would close the bot session before in-flight
    # requests finish on shutdown.
    app.router.add_post(settings.webhook_path, handler.handle)

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with engine.connect() as connection:
                # Answers, and is migrated: the schema's version row is there.
                await connection.execute(text("SELECT version_num FROM alembic_version"))
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            logger.warning("Health check: database unavailable: %s", error)
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    return app


async def serve_webhook(
    dispatcher: Dispatcher, bot: Bot, settings: Settings, engine: AsyncEngine, stop: asyncio.Event
) -> None:
    """Serve until `stop`, then stop taking requests and let the ones in flight finish."""
    settings.require_webhook()
    runner = web.AppRunner(
        create_webhook_app(dispatcher, bot, settings, engine),
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    try:
        await bot.set_webhook(
            settings.webhook_url or "",
            secret_token=settings.webhook_secret_value,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        logger.info("Webhook mode: listening on %s:%s", settings.webhook_host, settings.webhook_port)
        await stop.wait()
    finally:
        # The webhook stays set: Telegram keeps updates while we are down and sends them after.
        await runner.cleanup()
