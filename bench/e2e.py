"""End to end: the bot in its own process, long-polling the fake Telegram server over HTTP on
127.0.0.1; the fake and the simulated users in this process.

The bot under test is the real thing: `python -m bot` (production settings, the `Poller`, a fresh
SQLite file that it migrates at start) or `python -m bench.echo_bot` (aiogram's `start_polling`). The
fake runs here so that the users can be played through its Python API (no control-API HTTP on top),
and the bot gets an event loop, and on a 2-core machine a core, to itself.

A user presses the real buttons of the message the bot showed (looked up by their label), so each
step waits for the bot's answer to the previous one: a text step ends when the bot's next message
arrives, a button press when its callback query is answered (after the handler by
bot/middlewares/callback_answers.py, or at its deadline if the handler is slower). The clock runs from
the first update injected until the last answer has arrived and the bot has confirmed every update
(getUpdates offset).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.inprocess import count_onboarded
from bench.report import BenchmarkError, Result, process_cpu_seconds
from bench.workload import ECHO_SCRIPT, REAL_SCRIPT, Step, Timings, Workload, name_of, run_users
from fake_telegram import FakeTelegram, FakeUser
from fake_telegram.bot_process import ROOT, BotProcess, bot_environment

SETUP = "end to end"
TOKEN = "424243:BENCH-token-for-the-fake-telegram-server"  # noqa: S105 - the fake's, not a secret
STEP_TIMEOUT = 30.0  # one answer; a run that stalls fails instead of hanging
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


async def start(bot: BotProcess, tg: FakeTelegram) -> None:
    await bot.start()
    try:
        await tg.wait_polling(timeout=START_TIMEOUT)
    except TimeoutError:
        await bot.kill()
        raise BenchmarkError(f"the bot never polled:\n{bot.output()}") from None


async def stop(bot: BotProcess) -> int:
    """SIGTERM, then the exit code; a BenchmarkError if it does not stop in time."""
    try:
        return await bot.stop(timeout=STOP_TIMEOUT)
    except TimeoutError:
        raise BenchmarkError(f"the bot did not stop in {STOP_TIMEOUT:.0f} s") from None


def keep_log(bot: BotProcess) -> Path:
    """A copy of the log outside the run's temporary folder, for a failed run's post-mortem."""
    handle, name = tempfile.mkstemp(prefix=f"belsendi-bench-{bot.log.stem}-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as kept:
        kept.write(bot.output())
    return Path(name)


async def watch(bot: BotProcess) -> None:
    """Fail the run as soon as the bot logs a problem, instead of when a user gives up waiting."""
    while True:
        await asyncio.sleep(0.25)
        problem = bot.first_problem()
        if problem is not None:
            raise BenchmarkError(f"the bot logged: {problem}")


async def until(tg: FakeTelegram, user: FakeUser, done: Callable[[], bool], what: str) -> None:
    """Wait for `done()`, re-checking whenever the user's chat changes; BenchmarkError after STEP_TIMEOUT."""
    chat = user.chat
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP_TIMEOUT
    while not done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            state = tg.bot_state()
            seen = [f"#{m.message_id} {m.text[:50]!r}" for m in chat.sent_log[-3:]]
            raise BenchmarkError(
                f"no answer within {STEP_TIMEOUT:.0f} s to {what} from user {user.id}; the bot has made "
                f"{state.poll_calls} getUpdates calls, {len(state.updates)} updates are pending (confirmed "
                f"up to {state.confirmed_update_id} of {state.next_update_id - 1}); last messages: {seen}"
            )
        await chat.changed.wait(remaining)


async def play_step(tg: FakeTelegram, user: FakeUser, step: Step) -> None:
    chat = user.chat
    if step.kind == "text":
        before = chat.sent_log.total
        await user.send(step.text)
        await until(tg, user, lambda: chat.sent_log.total > before, repr(step.text))
        return
    try:
        update = await user.press(step.text)
    except LookupError as error:  # the bot did not show the button: it failed, or took another path
        raise BenchmarkError(str(error)) from None
    query = tg.bot_state().callbacks[update["callback_query"]["id"]]
    await until(tg, user, lambda: query.answer is not None, f"a press of {step.text!r}")


async def drive(
    tg: FakeTelegram, bot: BotProcess, workload: Workload, script: tuple[Step, ...], result: Result
) -> None:
    """Warm up, then play `workload` against the bot on the clock, until every update is confirmed."""

    async def play(user_id: int, step: Step) -> None:
        await play_step(tg, tg.user(user_id, first_name=name_of(user_id), language_code="kk"), step)

    try:
        async with asyncio.TaskGroup() as group:
            watcher = group.create_task(watch(bot))
            await run_users(Workload.warmup(), script, play, timings=Timings())
            await tg.wait_confirmed(timeout=STEP_TIMEOUT)
            calls_before = Counter(tg.stats.calls)
            timings = Timings()
            bot_cpu = process_cpu_seconds(bot.pid)
            driver_cpu = time.process_time()
            started = time.perf_counter()
            await run_users(workload, script, play, timings=timings)
            await tg.wait_confirmed(timeout=STEP_TIMEOUT)
            timings.seconds = time.perf_counter() - started
            driver_cpu = time.process_time() - driver_cpu
            bot_cpu_after = process_cpu_seconds(bot.pid)
            watcher.cancel()
    except* BenchmarkError as failures:
        failure = failures.exceptions[0]
        problem = bot.first_problem()  # a user waiting in vain is a symptom; the bot's log has the cause
        if problem is not None and not str(failure).startswith("the bot logged"):
            raise BenchmarkError(f"the bot logged: {problem}; then {failure}") from None
        raise failure from None
    except* TimeoutError as failures:
        raise BenchmarkError(f"updates left unconfirmed: {failures.exceptions[0]}") from None
    result.seconds, result.latencies = timings.seconds, timings.latencies
    result.driver_cpu = driver_cpu
    if bot_cpu is not None and bot_cpu_after is not None:
        result.bot_cpu = bot_cpu_after - bot_cpu
    calls = Counter(tg.stats.calls)
    calls.subtract(calls_before)
    per_update = ", ".join(
        f"{method} {count} ({count / workload.updates:.2f}/update)"
        for method, count in calls.most_common()
        if count > 0
    )
    result.notes.append(f"Bot API calls on the clock: {per_update}")


def check_fake(tg: FakeTelegram) -> None:
    if tg.stats.errors:
        raise BenchmarkError(f"the fake answered the bot with errors {dict(tg.stats.errors)}")
    if tg.unanswered_callbacks():
        raise BenchmarkError(f"{len(tg.unanswered_callbacks())} button presses were never answered")


async def run_echo(workload: Workload, folder: Path) -> Result:
    result = Result(SETUP, "echo", "end to end: aiogram polling, echo", workload.updates)
    async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
        command = [sys.executable, "-m", "bench.echo_bot", "--api", tg.url, "--token", TOKEN]
        bot = BotProcess(command, bot_environment(), ROOT, folder / "echo.log")
        try:
            await start(bot, tg)
            try:
                await drive(tg, bot, workload, ECHO_SCRIPT, result)
            finally:
                code = await stop(bot)
            check_fake(tg)
            expected = [step.text for step in ECHO_SCRIPT]
            wrong = [u for u in workload.user_ids() if [m.text for m in tg.user(u).chat.sent_log] != expected]
            if wrong:
                raise BenchmarkError(f"{len(wrong)} users did not get their messages echoed, in order")
            if code != 0:
                raise BenchmarkError(f"the bot exited with {code}")
            problem = bot.first_problem()
            if problem is not None:
                raise BenchmarkError(f"the bot logged: {problem}")
        except BenchmarkError as error:
            result.failure = f"{error} (the bot's log is kept at {keep_log(bot)})"
    return result


async def run_real(workload: Workload, folder: Path, profile: Path | None = None) -> Result:
    """The production bot; with `profile`, run under the sampling profiler, its report written there."""
    result = Result(SETUP, "real", "end to end: production bot (python -m bot)", workload.updates)
    database = folder / "end-to-end.sqlite3"
    async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
        env = bot_environment(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=tg.url,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            THROTTLE_RATE="0",  # the flood control would drop a simulated user's quick taps
            SEND_RATE="1000000",  # the bot's own rate is measured, not Telegram's 30/s budget for sends
            # A user taps again once the press is answered: answered early (a busy machine makes the
            # 2 s default), the next tap would look for buttons the handler has not shown yet.
            CALLBACK_ANSWER_DEADLINE="14",
        )
        command = [sys.executable, "-m", "bot"]
        if profile is not None:
            command = [sys.executable, "-m", "bench.profiled_bot", str(profile)]
        # From a folder with no .env, so that only the settings above count.
        bot = BotProcess(command, env, folder, folder / "bot.log")
        try:
            await start(bot, tg)
            if profile is not None:
                os.kill(bot.pid, signal.SIGUSR1)  # leave start-up and migration out of the profile
            try:
                await drive(tg, bot, workload, REAL_SCRIPT, result)
            finally:
                code = await stop(bot)
            check_fake(tg)
            texts = sum(step.kind == "text" for step in REAL_SCRIPT)
            presses = len(REAL_SCRIPT) - texts
            unanswered = sum(
                tg.user(u).chat.sent_log.total < texts or len(tg.user(u).chat.answers) != presses
                for u in workload.user_ids()
            )
            if unanswered:
                raise BenchmarkError(f"{unanswered} users were not answered every step")
            if code != 0:
                raise BenchmarkError(f"the bot exited with {code}")
            problem = bot.first_problem()
            if problem is not None:
                raise BenchmarkError(f"the bot logged: {problem}")
            onboarded = count_onboarded(database, workload)
            if onboarded != workload.users:
                raise BenchmarkError(f"{onboarded} of {workload.users} users completed the onboarding")
        except BenchmarkError as error:
            result.failure = f"{error} (the bot's log is kept at {keep_log(bot)})"
    return result
