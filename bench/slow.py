"""In-process through the inbox: one slow handler among the quick ones.

The production application (`build_application`: inbox, dispatcher, SQLite) with one extra user whose
update is held for the whole timed run, as a handler waiting on a slow service would be. The quick
users play the usual script; each update is handed to `Inbox.receive` as Telegram's JSON and timed
until its handler has finished. The run is made twice, without and with the slow one, and the p95 of
the quick updates is printed for both: with an inbox that isolates users, they are alike.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from bench.inprocess import LogCounter, UpdateFactory, check_real
from bench.report import BenchmarkError, Result
from bench.workload import REAL_SCRIPT, RUN_TIMEOUT, Step, Timings, Workload, run_users
from bot.app import Application, build_application
from bot.settings import Settings
from fake_telegram.recording import TOKEN, RecordingSession
from storage.migrate import upgrade

SETUP = "in-process, inbox"
SLOW_USER_ID = 500_000_001
SLOW = Step("text", "/help")


class Timed:
    """Wraps the dispatcher's feed_update: marks each update finished, holds the slow one."""

    def __init__(self, app: Application, slow_update_id: int | None) -> None:
        self.finished: dict[int, asyncio.Event] = {}
        self.release = asyncio.Event()
        self.slow_update_id = slow_update_id
        feed: Callable[..., Awaitable[Any]] = app.dispatcher.feed_update

        async def timed_feed(bot: Bot, update: Update, **kwargs: Any) -> Any:
            try:
                if update.update_id == self.slow_update_id:
                    await self.release.wait()  # the slow handler: busy until the quick ones are done
                return await feed(bot, update, **kwargs)
            finally:
                self.finished.setdefault(update.update_id, asyncio.Event()).set()

        # Instrumentation of this run only: the inbox calls the dispatcher through this attribute.
        setattr(app.dispatcher, "feed_update", timed_feed)  # noqa: B010

    async def wait(self, update_id: int) -> None:
        await self.finished.setdefault(update_id, asyncio.Event()).wait()


async def _run(workload: Workload, folder: Path, *, with_slow: bool) -> tuple[Timings, float | None, Path]:
    database = folder / f"inbox-{'slow' if with_slow else 'alone'}.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        # the bot's own rate is measured, not Telegram's 30/s budget for sends
        bot_token=TOKEN,
        database_url=url,
        throttle_rate=0,
        send_rate=1_000_000,
        _env_file=None,
    )
    session = RecordingSession()
    app = build_application(settings, bot_session=session)
    factory = UpdateFactory(app.bot)
    slow_raw = factory.raw(SLOW_USER_ID, SLOW) if with_slow else None
    timed = Timed(app, slow_raw["update_id"] if slow_raw else None)
    updates = {
        user_id: iter([factory.raw(user_id, step) for step in REAL_SCRIPT]) for user_id in workload.user_ids()
    }

    async def play(user_id: int, _step: Step) -> None:
        raw = next(updates[user_id])
        await app.inbox.receive([raw])
        await timed.wait(raw["update_id"])

    try:
        timings = Timings()
        slow_seconds = None
        slow_started = time.perf_counter()
        if slow_raw is not None:
            await app.inbox.receive([slow_raw])
        await run_users(workload, REAL_SCRIPT, play, timings=timings)
        if slow_raw is not None:
            if timed.finished.get(slow_raw["update_id"], asyncio.Event()).is_set():
                raise BenchmarkError("the slow update finished before the quick ones: it held nothing up")
            timed.release.set()
            async with asyncio.timeout(RUN_TIMEOUT):
                await timed.wait(slow_raw["update_id"])
            slow_seconds = time.perf_counter() - slow_started
        async with asyncio.timeout(RUN_TIMEOUT):
            await app.inbox.wait_idle()
    finally:
        await app.inbox.stop(drain_timeout=10)
        await app.close()
    check_real(workload, session, database)
    return timings, slow_seconds, database


async def run_slow_among_quick(workload: Workload, folder: Path) -> Result:
    """The quick users' p95 alone and beside one slow handler; the rate is that of the second run."""
    result = Result(SETUP, "slow", "in-process: inbox, one slow handler", workload.updates)
    try:
        with LogCounter() as log:
            alone, _, _ = await _run(workload, folder, with_slow=False)
            beside, slow_seconds, _ = await _run(workload, folder, with_slow=True)
        log.check()
    except BenchmarkError as error:
        result.failure = str(error)
        return result
    result.seconds, result.latencies = beside.seconds, beside.latencies
    quick_alone = Result(SETUP, "quick", "", workload.updates, alone.seconds, alone.latencies)
    result.notes.append(
        f"p95 of the quick updates: {quick_alone.percentile(0.95) * 1000:.1f} ms alone, "
        f"{result.percentile(0.95) * 1000:.1f} ms beside one slow handler busy for the whole run "
        f"({slow_seconds or 0:.1f} s); {quick_alone.rate:.0f} and {result.rate:.0f} updates/s"
    )
    return result
