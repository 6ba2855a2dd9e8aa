"""The bot and the dispatcher, with their middlewares, put together from the application's parts."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.clock import Clock
from bot.commands import set_default_commands
from bot.i18n import Catalogs
from bot.middlewares.long_messages import SplitLongMessages
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.services.users import UserService
from bot.settings import Settings
from handlers import setup_routers
from storage.database import Database
from storage.fsm import SQLStorage
from storage.unit_of_work import in_transaction

BOT_DEFAULTS = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)


class NetworkInTransactionError(RuntimeError):
    """A Bot API call was made while a database transaction was open."""


class ForbidCallsInTransaction(BaseRequestMiddleware):
    """Fails a Bot API call made inside a unit of work: it would hold the database while Telegram answers."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if in_transaction():
            raise NetworkInTransactionError(
                f"{type(method).__name__} called inside a unit of work: finish the transaction first"
            )
        return await make_request(bot, method)


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    """A Bot for Telegram or the server at TELEGRAM_API_URL, splitting texts too long to send."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(ForbidCallsInTransaction())
    session.middleware(SplitLongMessages())
    return Bot(token=settings.token, session=session, default=BOT_DEFAULTS)


def create_dispatcher(
    settings: Settings, database: Database, catalogs: Catalogs, clock: Clock, users: UserService
) -> Dispatcher:
    """The production dispatcher; tests build theirs with this same function."""
    dispatcher = Dispatcher(
        storage=SQLStorage(database, now=clock.now),
        # One update at a time per user: two quick taps must not race each other.
        events_isolation=SimpleEventIsolation(),
        settings=settings,
        catalogs=catalogs,
        clock=clock,
        users=users,
    )
    dispatcher.update.outer_middleware(UserMiddleware(users, catalogs))
    # Every button press is answered, even when a handler fails or none matches.
    dispatcher.callback_query.outer_middleware(CallbackAnswerMiddleware())
    throttling = ThrottlingMiddleware(settings.throttle_rate, settings.throttle_burst)
    dispatcher.message.middleware(throttling)
    dispatcher.callback_query.middleware(throttling)
    dispatcher.include_router(setup_routers())
    dispatcher.startup.register(_on_startup)
    return dispatcher


async def _on_startup(bot: Bot, catalogs: Catalogs) -> None:
    await set_default_commands(bot, catalogs)
