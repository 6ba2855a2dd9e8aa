"""The composition root: the one place that builds the long-lived objects and runs them.

settings → clock → database → catalogs → services → bot and dispatcher → inbox → sender and scheduler →
polling or webhook.
Nothing else creates these; tests build the same application with `build_application`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.broadcast_progress import PROGRESS_EVERY, ProgressBoard
from bot.clock import Clock, SystemClock
from bot.dispatcher import create_bot, create_dispatcher
from bot.heartbeat import Heartbeat
from bot.i18n import Catalogs
from bot.inbox import Inbox
from bot.outbox_kinds import RENDERERS
from bot.pacing import RATE_MARGIN, find_pacer
from bot.polling import Poller
from bot.scheduling import build_scheduler
from bot.sender import Sender
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
from bot.services.notices import NoticeService
from bot.services.publishing import PublishingService
from bot.services.ratings import RatingService
from bot.services.reminders import EVENT_REMINDER, STILL_COMING
from bot.services.sectors import SectorService
from bot.services.users import UserService
from bot.settings import Settings
from bot.webhook import serve_webhook
from storage.database import Database

logger = logging.getLogger(__name__)

# Updates being handled at a stop get this long to finish.
DRAIN_TIMEOUT = 60.0
# Sends in flight at a stop get this long to be answered (each is one call; the sender does not retry
# inside it); what is unanswered then goes again after its lease.
SENDER_DRAIN_TIMEOUT = 10.0
INBOX_PRUNE_EVERY = timedelta(hours=1)
# Scheduled broadcasts start at most this late.
BROADCASTS_START_EVERY = timedelta(seconds=15)
MAX_CONNECT_DELAY = 60.0


@dataclass(frozen=True, slots=True)
class Application:
    settings: Settings
    clock: Clock
    database: Database
    catalogs: Catalogs
    users: UserService
    bot: Bot
    dispatcher: Dispatcher
    inbox: Inbox
    sender: Sender
    scheduler: AsyncIOScheduler
    notices: NoticeService
    approvals: ApprovalService
    events: EventService
    broadcasts: BroadcastService
    publishing: PublishingService
    attendance: AttendanceService
    ratings: RatingService
    broadcast_progress: ProgressBoard
    grants: GrantService
    admins: AdminService
    grant_questions: GrantQuestionService
    saved_grants: SavedGrantService
    grant_subscriptions: GrantSubscriptionService
    ngo_profiles: NgoProfileService
    sectors: SectorService

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.database.dispose()


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    bot_session: BaseSession | None = None,
    inbox_options: dict[str, object] | None = None,
    bot_options: dict[str, object] | None = None,
    sender_options: dict[str, object] | None = None,
) -> Application:
    """Everything the bot is made of, built and wired; nothing started. `*_options` are for tests
    (`bot_options` may hold the `sleep` and `monotonic` of the resilience layer and of the pacer)."""
    clock = clock or SystemClock()
    database = Database(settings.database_url)
    catalogs = Catalogs(settings.default_locale, settings.tz)

    async def blocked_by(chat_id: int) -> None:  # Telegram answered 403: stop writing to them
        await users.set_blocked(chat_id, blocked=True)

    bot = create_bot(settings, bot_session, on_forbidden=blocked_by, **(bot_options or {}))  # type: ignore[arg-type]
    sender = _build_sender(settings, database, bot, clock, catalogs, dict(sender_options or {}))
    # Use cases that write outbox rows wake the sender once they have committed them.
    users = UserService(database, clock, admins=settings.admin_ids, wake_sender=sender.wake)
    approvals = ApprovalService(database, clock, admins=settings.admin_ids, wake_sender=sender.wake)
    admins = AdminService(database, clock, settings.admin_ids, wake_sender=sender.wake)
    events = EventService(
        database,
        clock,
        settings.admin_ids,
        reminder_hours=settings.reminder_hours,
        offer_hours=settings.offer_hours,
        offer_hours_near_start=settings.offer_hours_near_start,
        max_companions=settings.max_companions,
        wake_sender=sender.wake,
    )
    broadcasts = BroadcastService(
        database,
        clock,
        admins=settings.admin_ids,
        tz=settings.tz,
        send_rate=settings.send_rate * (1 - RATE_MARGIN),  # for the time-left estimate
        wake_sender=sender.wake,
    )
    broadcast_progress = ProgressBoard(broadcasts, bot, catalogs)
    publishing = PublishingService(
        database,
        clock,
        events,
        settings.admin_ids,
        reminder_hours=settings.reminder_hours,
        wake_sender=sender.wake,
    )
    grants = GrantService(database, clock, catalogs, settings.admin_ids, wake_sender=sender.wake)
    grant_questions = GrantQuestionService(database, clock, settings.admin_ids, wake_sender=sender.wake)
    saved_grants = SavedGrantService(database, clock, settings.tz, wake_sender=sender.wake)
    grant_subscriptions = GrantSubscriptionService(database, clock, settings.tz, wake_sender=sender.wake)
    attendance = AttendanceService(database, clock, settings.admin_ids)
    ratings = RatingService(database, clock, settings.admin_ids, wake_sender=sender.wake)
    ngo_profiles = NgoProfileService(database, clock)
    sectors = SectorService(database, clock, catalogs, settings.admin_ids)
    dispatcher = create_dispatcher(
        settings,
        database,
        catalogs,
        clock,
        users,
        approvals,
        events,
        broadcasts,
        publishing,
        attendance,
        ratings,
        grants,
        admins,
        grant_questions,
        saved_grants,
        grant_subscriptions,
        ngo_profiles,
        sectors,
    )
    inbox = Inbox(database, dispatcher, bot, clock, catalogs, **(inbox_options or {}))  # type: ignore[arg-type]
    keep_updates = timedelta(days=settings.inbox_keep_days)

    async def prune_inbox() -> int:
        return await inbox.prune(keep_updates)

    scheduler = build_scheduler(
        sender,
        wake_every=settings.outbox_wake_interval,
        keep_sent=timedelta(days=settings.outbox_keep_days),
        # Events whose end has passed are marked finished (they read as finished at once anyway).
        # Waitlist offers nobody answered in time go to the next in line who fits.
        scans={
            "inbox-prune": (prune_inbox, INBOX_PRUNE_EVERY),
            "events-finish": (events.finish_ended, timedelta(minutes=5)),
            "waitlist-offers-expire": (events.expire_offers, timedelta(minutes=1)),
            # Attendees of events that have ended are asked to rate them (once each).
            "event-ratings-ask": (ratings.ask_attendees, timedelta(minutes=5)),
            # Scheduled broadcasts whose time has come start (once, also after downtime); the
            # progress messages of running ones are edited to their counts now.
            "broadcasts-start": (broadcasts.start_due, BROADCASTS_START_EVERY),
            "broadcasts-progress": (broadcast_progress.refresh, PROGRESS_EVERY),
            # Grant calls whose deadline has passed are closed (they read as closed at once anyway).
            "grants-close": (grants.close_past_deadline, timedelta(minutes=5)),
            "grant-searches-prune": (grants.prune_searches, timedelta(hours=1)),
            # Once Monday 10:00 has passed, weekly subscribers get the week's matching calls (once).
            "grant-digests": (grant_subscriptions.send_digests, timedelta(minutes=10)),
        },
    )
    notices = NoticeService(database, clock, sender.wake)
    return Application(
        settings,
        clock,
        database,
        catalogs,
        users,
        bot,
        dispatcher,
        inbox,
        sender,
        scheduler,
        notices,
        approvals,
        events,
        broadcasts,
        publishing,
        attendance,
        ratings,
        broadcast_progress,
        grants,
        admins,
        grant_questions,
        saved_grants,
        grant_subscriptions,
        ngo_profiles,
        sectors,
    )


def _build_sender(
    settings: Settings,
    database: Database,
    bot: Bot,
    clock: Clock,
    catalogs: Catalogs,
    options: dict[str, object],
) -> Sender:
    # The bot's one sending budget, shared with the replies (bot/pacing.py).
    pacer = find_pacer(bot)
    if pacer is None:
        raise RuntimeError("the bot's session has no pacer (create_bot adds it)")
    options.setdefault("lease", timedelta(seconds=settings.outbox_lease))
    options.setdefault("max_attempts", settings.outbox_max_attempts)
    # A volunteer can turn reminders off; the day-before "still coming?" is a reminder too.
    options.setdefault("mutable_kinds", frozenset({EVENT_REMINDER, STILL_COMING}))
    return Sender(database, bot, clock, catalogs, RENDERERS, pacer, **options)  # type: ignore[arg-type]


async def run(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
    on_started: Callable[[Application], Awaitable[None]] | None = None,
) -> None:
    """Run until SIGTERM or SIGINT (or until `stop` is set, when the caller owns the signals, as the
    sandbox does); updates being handled then are finished first. `on_started` gets the application
    once it sends and before it polls (the sandbox seeds its sample data there)."""
    own_signals = stop is None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    if own_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError):  # no signal handlers on Windows
                loop.add_signal_handler(sig, stop.set)

    app = build_application(settings, clock=clock)
    bot, dispatcher, inbox = app.bot, app.dispatcher, app.inbox
    try:
        if not await _reach_telegram(bot, settings, stop):
            return
        if not settings.admin_ids:
            logger.info("ADMIN_IDS is empty: requests to be an organizer or an NGO reach nobody")
        await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
        await inbox.resume()
        # Due rows left from before the stop go out now (expired ones are dropped); then the scheduler
        # and the use cases that write rows wake it.
        app.sender.start()
        app.scheduler.start()
        if on_started is not None:
            await on_started(app)
        allowed_updates = dispatcher.resolve_used_update_types()
        try:
            if settings.run_mode == "webhook":
                await serve_webhook(bot, inbox, settings, app.database, allowed_updates, stop)
            else:
                await bot.delete_webhook()
                poller = Poller(
                    bot,
                    inbox,
                    allowed_updates=allowed_updates,
                    on_round_trip=Heartbeat(settings.heartbeat_file),
                )
                await poller.run(stop)
        finally:
            app.scheduler.shutdown(wait=False)
            await asyncio.gather(app.sender.stop(SENDER_DRAIN_TIMEOUT), inbox.stop(DRAIN_TIMEOUT))
        await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)
    finally:
        await app.close()
        for sig in (signal.SIGTERM, signal.SIGINT) if own_signals else ():
            # Now, not in the loop's close(), which closes its wake-up pipe first: a signal arriving
            # in between would be reported as a write to a closed file.
            with suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
        logger.info("Stopped")


async def _reach_telegram(bot: Bot, settings: Settings, stop: asyncio.Event) -> bool:
    """Ask Telegram who we are until it answers (a network blip at boot is survived); False if stopped."""
    delay = 1.0
    while not stop.is_set():
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise  # a wrong token does not get better by waiting
        except (TelegramAPIError, OSError, TimeoutError) as error:
            logger.error(
                "Cannot reach Telegram at %s (%s: %s); retrying in %.0f s",
                settings.telegram_api_url,
                type(error).__name__,
                str(error).splitlines()[0] if str(error) else "",
                delay,
            )
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, MAX_CONNECT_DELAY)
            continue
        logger.info("Bot @%s (id %s) starting in %s mode", me.username, me.id, settings.run_mode)
        return True
    return False
