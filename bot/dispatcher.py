"""The one place where the bot, the dispatcher and their middlewares are put together."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.i18n import I18n
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import set_default_commands
from bot.middlewares.callback_answers import CallbackAnswers
from bot.middlewares.locale import LocaleMiddleware
from bot.middlewares.long_messages import SplitLongMessages
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.settings import Settings
from bot.telegram.resilience import (
    BeforeCall,
    OnForbidden,
    RecipientUnavailableError,
    ResilientRequests,
    RetryPolicy,
    on_recipient_unavailable,
)
from handlers import setup_routers
from storage.fsm import SQLStorage

BOT_DEFAULTS = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)


def create_bot(
    settings: Settings,
    session: AiohttpSession | None = None,
    *,
    on_forbidden: OnForbidden | None = None,
    before_call: BeforeCall | None = None,
) -> Bot:
    """A Bot for Telegram or the server at TELEGRAM_API_URL, splitting texts too long to send and riding
    out Telegram's limits; `on_forbidden(chat_id)` hears of users who blocked the bot, `before_call()`
    runs before every Bot API call (see bot/telegram/resilience.py)."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    policy = RetryPolicy(
        flood_retries=settings.telegram_flood_retries,
        network_retries=settings.telegram_network_retries,
        max_wait=settings.telegram_max_wait,
    )
    prepare_session(session, ResilientRequests(policy, on_forbidden=on_forbidden, before_call=before_call))
    return Bot(token=settings.token, session=session, default=BOT_DEFAULTS)


def prepare_session(session: BaseSession, resilience: ResilientRequests) -> None:
    """The bot-session middlewares, outermost first: a long text is split, then each part is retried
    on its own (the other way round, a refused second part would send the first again)."""
    session.middleware(SplitLongMessages())
    session.middleware(resilience)


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
    # Every button press is answered, even when a handler fails or none matches, and within the deadline
    # even when its handler is slow. Before throttling, which sets the text of a dropped press's answer.
    CallbackAnswers(settings.callback_answer_deadline).register(dispatcher.callback_query)
    # A reply to someone who blocked the bot ends the update quietly (the dispatcher's own error
    # handlers are tried before its routers').
    dispatcher.errors.register(on_recipient_unavailable, ExceptionTypeFilter(RecipientUnavailableError))
    throttling = ThrottlingMiddleware(settings.throttle_rate, settings.throttle_burst)
    dispatcher.message.middleware(throttling)
    dispatcher.callback_query.middleware(throttling)
    dispatcher.include_router(setup_routers())
    dispatcher.startup.register(_on_startup)
    return dispatcher


async def _on_startup(bot: Bot, i18n: I18n) -> None:
    await set_default_commands(bot, i18n)
