"""Webhook mode: Telegram posts updates to WEBHOOK_URL; the secret header proves it is Telegram.

An update is stored in the inbox and Telegram is answered at once: a slow handler never makes
Telegram wait (it gives up after 55 s and sends the update again), and an update Telegram retries is
stored, and so handled, once.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiogram import Bot
from aiohttp import web

from bot.inbox import Inbox
from bot.settings import Settings
from storage.database import Database
from storage.health import schema_version

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret
# A Telegram update is at most a few kilobytes; anything near this is not one.
MAX_BODY = 1024 * 1024


def create_webhook_app(inbox: Inbox, settings: Settings, database: Database) -> web.Application:
    """The webhook route and /healthz for the container's health check."""
    secret = settings.webhook_secret_value.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="the body is not JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="the body is not a Telegram update")
        try:
            await inbox.receive([update])
        except Exception:
            logger.exception("Could not store update %s", update.get("update_id"))
            return web.Response(status=503, text="try again")
        return web.json_response({})

    async def healthz(_request: web.Request) -> web.Response:
        try:
            version = await schema_version(database)  # answers, and is migrated
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            logger.warning("Health check: database unavailable: %s", error)
            return web.json_response({"status": "database unavailable"}, status=503)
        if version is None:
            return web.json_response({"status": "database not migrated"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(settings.webhook_path, receive)
    app.router.add_get("/healthz", healthz)
    return app


async def serve_webhook(
    bot: Bot,
    inbox: Inbox,
    settings: Settings,
    database: Database,
    allowed_updates: list[str],
    stop: asyncio.Event,
) -> None:
    """Serve until `stop`; the updates stored by then are handled by the inbox."""
    settings.require_webhook()
    runner = web.AppRunner(create_webhook_app(inbox, settings, database), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    try:
        await bot.set_webhook(
            settings.webhook_url or "",
            secret_token=settings.webhook_secret_value,
            allowed_updates=allowed_updates,
        )
        logger.info("Webhook mode: listening on %s:%s", settings.webhook_host, settings.webhook_port)
        await stop.wait()
    finally:
        # The webhook stays set: Telegram keeps updates while we are down and sends them after.
        await runner.cleanup()
