"""Running the bot: the long-lived objects, polling or webhook, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from bot.dispatcher import create_bot, create_dispatcher
from bot.i18n import create_i18n
from bot.polling import Poller
from bot.settings import Settings
from bot.webhook import serve_webhook
from storage.database import create_engine, create_session_maker

logger = logging.getLogger(__name__)


async def run(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT; updates being handled then are finished first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError):  # no signal handlers on Windows
            loop.add_signal_handler(sig, stop.set)

    engine = create_engine(settings.database_url)
    i18n = create_i18n(settings.default_locale)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, create_session_maker(engine), i18n)
    try:
        me = await bot.get_me()
        logger.info("Bot @%s (id %s) starting in %s mode", me.username, me.id, settings.run_mode)
        await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
        if settings.run_mode == "webhook":
            await serve_webhook(dispatcher, bot, settings, engine, stop)
        else:
            await bot.delete_webhook()
            await Poller(dispatcher, bot).run(stop)
        await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)
    finally:
        await dispatcher.storage.close()
        await bot.session.close()
        await engine.dispose()
        logger.info("Stopped")
