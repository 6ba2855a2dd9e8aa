"""In-process: updates fed straight to `Dispatcher.feed_update`, the bot's requests answered by a
recording session (fake_telegram/recording.py, no network). Measures the dispatcher, middlewares,
handlers, FSM storage and database; not HTTP, JSON or polling.

Updates are built before the clock starts, from Telegram-shaped dicts, and mounted on the bot as
polling does (otherwise `feed_update` re-validates each one through a JSON round trip).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.types import Message, Update

from bench.report import BenchmarkError, Result
from bench.workload import ECHO_SCRIPT, REAL_SCRIPT, Step, Timings, Workload, name_of, run_users
from bot.app import build_application
from bot.dispatcher import BOT_DEFAULTS
from bot.settings import Settings
from fake_telegram.recording import BOT_ID, TOKEN, RecordingSession
from storage.migrate import upgrade

SETUP = "in-process"
BOT_MESSAGE_ID = 1


class LogCounter(logging.Handler):
    """Keeps warnings and errors from any logger while a scenario runs: any one fails the run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> LogCounter:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger().removeHandler(self)

    def check(self) -> None:
        if self.records:
            first = self.records[0]
            raise BenchmarkError(
                f"{len(self.records)} warning(s)/error(s) logged; first: {first.name}: {first.getMessage()}"
                + (f" ({first.exc_info[1]!r})" if first.exc_info else "")
            )


class UpdateFactory:
    """Telegram-shaped updates, numbered like Telegram's, mounted on `bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.next_update_id = 1
        self.next_message_id: Counter[int] = Counter()

    def build(self, user_id: int, step: Step) -> Update:
        return Update.model_validate(self.raw(user_id, step), context={"bot": self.bot})

    def raw(self, user_id: int, step: Step) -> dict[str, Any]:
        """The update as Telegram sends it (JSON), for the inbox."""
        user = {"id": user_id, "is_bot": False, "first_name": name_of(user_id), "language_code": "kk"}
        chat = {"id": user_id, "type": "private", "first_name": name_of(user_id)}
        self.next_message_id[user_id] += 1
        raw: dict[str, Any] = {"update_id": self.next_update_id}
        self.next_update_id += 1
        if step.kind == "text":
            message: dict[str, Any] = {
                "message_id": 100 + self.next_message_id[user_id],
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": step.text,
            }
            if step.text.startswith("/"):
                length = len(step.text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            raw["message"] = message
        else:
            raw["callback_query"] = {
                "id": f"{user_id}-{raw['update_id']}",
                "from": user,
                "chat_instance": str(user_id * 7919),
                "data": step.data,
                # The message the button is on: the bot's screen, which handlers edit in place.
                "message": {
                    "message_id": BOT_MESSAGE_ID,
                    "date": int(time.time()),
                    "chat": chat,
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Belsendi"},
                    "text": "…",
                },
            }
        return raw


async def feed(
    dispatcher: Dispatcher,
    bot: Bot,
    workload: Workload,
    script: tuple[Step, ...],
    factory: UpdateFactory,
) -> tuple[Timings, float]:
    """Play `workload` through `dispatcher`; the timings and this process's CPU seconds meanwhile."""
    updates: dict[int, Iterator[Update]] = {
        user_id: iter([factory.build(user_id, step) for step in script]) for user_id in workload.user_ids()
    }

    async def play(user_id: int, step: Step) -> None:
        await dispatcher.feed_update(bot, next(updates[user_id]))

    timings = Timings()
    cpu_before = time.process_time()  # all threads: aiosqlite's included
    await run_users(workload, script, play, timings=timings)
    return timings, time.process_time() - cpu_before


async def run_echo(workload: Workload) -> Result:
    """aiogram's bare Dispatcher with one echo handler."""
    result = Result(SETUP, "echo", "in-process: aiogram Dispatcher, echo", workload.updates)
    session = RecordingSession()
    bot = Bot(TOKEN, session=session, default=BOT_DEFAULTS)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    factory = UpdateFactory(bot)
    try:
        with LogCounter() as log:
            await feed(dispatcher, bot, Workload.warmup(), ECHO_SCRIPT, factory)
            session.requests.clear()
            timings, result.bot_cpu = await feed(dispatcher, bot, workload, ECHO_SCRIPT, factory)
        log.check()
        sent = Counter(r.text for r in session.requests if isinstance(r, SendMessage))
        expected = Counter(
            {text: n * workload.users for text, n in Counter(s.text for s in ECHO_SCRIPT).items()}
        )
        if sent != expected:
            raise BenchmarkError(f"{sent.total()} echoes for {workload.updates} messages, or wrong texts")
    except BenchmarkError as error:
        result.failure = str(error)
        return result
    finally:
        await bot.session.close()
    result.seconds, result.latencies = timings.seconds, timings.latencies
    return result


async def run_real(
    workload: Workload, folder: Path, profiler: AbstractContextManager[object] | None = None
) -> Result:
    """The production dispatcher on a fresh, migrated SQLite file; `profiler` wraps the timed run."""
    result = Result(SETUP, "real", "in-process: production dispatcher", workload.updates)
    database = folder / "in-process.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        bot_token=TOKEN,
        database_url=url,
        throttle_rate=0,  # the flood control would drop a simulated user's quick taps
        send_rate=1_000_000,  # the bot's own rate is measured, not Telegram's 30/s budget for sends
        _env_file=None,
    )
    session = RecordingSession()
    app = build_application(settings, bot_session=session)
    bot, dispatcher = app.bot, app.dispatcher
    factory = UpdateFactory(bot)
    try:
        with LogCounter() as log:
            await feed(dispatcher, bot, Workload.warmup(), REAL_SCRIPT, factory)
            session.requests.clear()
            with profiler or nullcontext():
                timings, result.bot_cpu = await feed(dispatcher, bot, workload, REAL_SCRIPT, factory)
        log.check()
        check_real(workload, session, database)
    except BenchmarkError as error:
        result.failure = str(error)
        return result
    finally:
        await app.close()
    result.seconds, result.latencies = timings.seconds, timings.latencies
    return result


def check_real(workload: Workload, session: RecordingSession, database: Path) -> None:
    presses = sum(step.kind == "press" for step in REAL_SCRIPT) * workload.users
    texts = sum(step.kind == "text" for step in REAL_SCRIPT)
    answers = sum(isinstance(r, AnswerCallbackQuery) for r in session.requests)
    if answers != presses:
        raise BenchmarkError(f"{answers} button presses answered out of {presses}")
    shown: Counter[int] = Counter()
    for request in session.requests:
        if isinstance(request, SendMessage | EditMessageText) and isinstance(request.chat_id, int):
            shown[request.chat_id] += 1
    unanswered = sum(shown[user_id] < texts for user_id in workload.user_ids())
    if unanswered:
        raise BenchmarkError(f"{unanswered} users were not answered every message")
    onboarded = count_onboarded(database, workload)
    if onboarded != workload.users:
        raise BenchmarkError(f"{onboarded} of {workload.users} users completed the onboarding")


def count_onboarded(database: Path, workload: Workload) -> int:
    """The workload's users whose onboarding is complete, read with the standard sqlite3 module."""
    ids = workload.user_ids()
    connection = sqlite3.connect(database)
    try:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM users WHERE id BETWEEN ? AND ? AND language = 'kk' "
            "AND consent_at IS NOT NULL AND role = 'volunteer' AND region = 'aktobe' AND name IS NOT NULL",
            (ids.start, ids.stop - 1),
        ).fetchone()
    finally:
        connection.close()
    return int(count)
