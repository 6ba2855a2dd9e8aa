"""The bot and the dispatcher, with their middlewares, put together from the application's parts."""

from __future__ import annotations

import asyncio
import time

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.clock import Clock as WallClock
from bot.commands import set_default_commands
from bot.i18n import Catalogs
from bot.middlewares.callback_answers import CallbackAnswers
from bot.middlewares.long_messages import SplitLongMessages
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.pacing import PacedRequests, Pacer
from bot.services.admins import AdminService
from bot.services.approvals import ApprovalService
from bot.services.attendance import AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.events import EventService
from bot.services.grant_questions import GrantQuestionService
from bot.services.grant_saves import SavedGrantService
from bot.services.grant_subscriptions import GrantSubscriptionService
from bot.services.grants import GrantService
from bot.services.ngo_profiles import NgoProfileService
from bot.services.publishing import PublishingService
from bot.services.ratings import RatingService
from bot.services.sectors import SectorService
from bot.services.users import UserService
from bot.settings import Settings
from bot.telegram.resilience import (
    BeforeCall,
    Clock,
    OnForbidden,
    RecipientUnavailableError,
    ResilientRequests,
    RetryPolicy,
    Sleep,
    on_recipient_unavailable,
)
from bot.telegram.response_types import KeepResponseTypes
from handlers import setup_routers
from storage.database import Database
from storage.fsm import SQLStorage
from storage.unit_of_work import in_transaction

BOT_DEFAULTS = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)


class NetworkInTransactionError(RuntimeError):
    """A Bot API call was made while a database transaction was open."""


def forbid_calls_in_transaction() -> None:
    """Run before every Bot API call: a call inside a unit of work would hold the database while
    Telegram answers (on SQLite, every user would wait), so it fails at once, loudly."""
    if in_transaction():
        raise NetworkInTransactionError("a Bot API call inside a unit of work: finish the transaction first")


def create_bot(
    settings: Settings,
    session: BaseSession | None = None,
    *,
    on_forbidden: OnForbidden | None = None,
    before_call: BeforeCall = forbid_calls_in_transaction,
    sleep: Sleep = asyncio.sleep,
    monotonic: Clock = time.monotonic,
) -> Bot:
    """A Bot for Telegram or the server at TELEGRAM_API_URL, splitting texts too long to send and riding
    out Telegram's limits; `on_forbidden(chat_id)` hears of users who blocked the bot, `before_call()`
    runs before every Bot API call (see bot/telegram/resilience.py); tests give `sleep` and `monotonic`
    so that riding out a 429 waits no real time."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    policy = RetryPolicy(
        flood_retries=settings.telegram_flood_retries,
        network_retries=settings.telegram_network_retries,
        max_wait=settings.telegram_max_wait,
    )
    resilience = ResilientRequests(
        policy, on_forbidden=on_forbidden, before_call=before_call, sleep=sleep, clock=monotonic
    )
    # One budget for replies and the outbox's sender (bot/pacing.py).
    pacer = Pacer(
        settings.send_rate, paused_for=lambda: resilience.paused_for, monotonic=monotonic, sleep=sleep
    )
    prepare_session(session, resilience, pacer)
    return Bot(token=settings.token, session=session, default=BOT_DEFAULTS)


def prepare_session(session: BaseSession, resilience: ResilientRequests, pacer: Pacer | None = None) -> None:
    """The bot-session middlewares, outermost first: the answers' types are kept built, a long text is
    split, then each part is retried on its own (the other way round, a refused second part would send
    the first again), and each try takes its turn of the bot's sending budget."""
    session.middleware(KeepResponseTypes())
    session.middleware(SplitLongMessages())
    session.middleware(resilience)
    if pacer is not None:
        session.middleware(PacedRequests(pacer))


def create_dispatcher(
    settings: Settings,
    database: Database,
    catalogs: Catalogs,
    clock: WallClock,
    users: UserService,
    approvals: ApprovalService,
    events: EventService,
    broadcasts: BroadcastService,
    publishing: PublishingService,
    attendance: AttendanceService,
    ratings: RatingService,
    grants: GrantService,
    admins: AdminService,
    grant_questions: GrantQuestionService,
    saved_grants: SavedGrantService,
    grant_subscriptions: GrantSubscriptionService,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
) -> Dispatcher:
    """The production dispatcher; tests build theirs with this same function."""
    dispatcher = Dispatcher(
        storage=SQLStorage(database, now=clock.now),
        # One update at a time per user: two quick taps must not race each other.
        events_isolation=SimpleEventIsolation(),
        # Registered below, after the user middleware, which reads the state with the user.
        disable_fsm=True,
        settings=settings,
        catalogs=catalogs,
        clock=clock,
        users=users,
        approvals=approvals,
        events=events,
        broadcasts=broadcasts,
        publishing=publishing,
        attendance=attendance,
        ratings=ratings,
        grants=grants,
        admins=admins,
        grant_questions=grant_questions,
        saved_grants=saved_grants,
        grant_subscriptions=grant_subscriptions,
        ngo_profiles=ngo_profiles,
        sectors=sectors,
    )
    dispatcher.update.outer_middleware(UserMiddleware(users, catalogs, dispatcher.fsm))
    dispatcher.update.outer_middleware(dispatcher.fsm)
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


async def _on_startup(bot: Bot, catalogs: Catalogs) -> None:
    await set_default_commands(bot, catalogs)
