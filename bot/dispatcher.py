"""The one place where the bot, the dispatcher and their middlewares are put together."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import set_default_commands
from bot.middlewares.locale import LocaleMiddleware
from bot.middlewares.long_messages import SplitLongMessages
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.settings import Settings
from handlers import setup_routers
from storage.fsm import SQLStorage

BOT_DEFAULTS = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)


def create_bot(settings: Settings, session: AiohttpSession | None = None) -> Bot:
    """A Bot for Telegram or the server at TELEGRAM_API_URL, splitting texts too long to send."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(SplitLongMessages())
    return Bot(token=settings.token, session=session, default=BOT_DEFAULTS)


def create_dispatcher(
    settings: Settings,
    session_maker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    *,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    """The production dispatcher; tests build theirs with this same function."""
    # One process owns an SQLite file, so conversation state can be cached in front of it.
    one_process = make_url(settings.database_url).get_backend_name() == "sqlite"
    dispatcher = Dispatcher(
        storage=storage or SQLStorage(session_maker, cache=one_process),
        # One update at a time per user: two quick taps must not race each other.
        events_isolation=SimpleEventIsolation(),
        settings=settings,
        i18n=i18n,
    )
    # Order matters: the user is loaded first, so the locale middleware can read their language.
    dispatcher.update.outer_middleware(UserMiddleware(session_maker))
    dispatcher.update.outer_middleware(LocaleMiddleware(i18n))
    # Every button press is answered, even when a handler fails or none matches.
    dispatcher.callback_query.outer_middleware(CallbackAnswerMiddleware())
    throttling = ThrottlingMiddleware(settings.throttle_rate, settings.throttle_burst)
    dispatcher.message.middleware(throttling)
    dispatcher.callback_query.middleware(throttling)
    dispatcher.include_router(setup_routers())
    dispatcher.startup.register(_on_startup)
    return dispatcher


async def _on_startup(bot: Bot, i18n: I18n) -> None:
    await set_default_commands(bot, i18n)
