"""End to end: the real bot process, started as the README says, against the fake Telegram server."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from fake_telegram import FakeTelegram, FakeUser, SentMessage
from fake_telegram.bot_process import ROOT, BotProcess, bot_environment

TOKEN = "424242:E2E-token-for-the-fake-telegram-server"


BotFactory = Callable[..., Awaitable[BotProcess]]


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait for `condition`, checking every 50 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.05)


class Conversation:
    """A user's side of the chat: waits for the bot's next new or edited message saying something."""

    def __init__(self, tg: FakeTelegram, user: FakeUser) -> None:
        self.tg = tg
        self.user = user
        self._seen: set[tuple[int, int]] = set()

    async def expect(self, phrase: str, timeout: float = 10) -> SentMessage:
        found: list[SentMessage] = []

        def fresh_with_phrase() -> bool:
            for message in self.user.messages:
                if (message.message_id, message.edits) in self._seen:
                    continue
                if phrase in message.text:
                    found.append(message)
                    return True
            return False

        try:
            await until(fresh_with_phrase, timeout)
        except TimeoutError:
            recent = [m.text[:120] for m in self.user.messages[-5:]]
            raise AssertionError(f"the bot never said {phrase!r}; last messages: {recent}") from None
        # Read: the match and what came before it; later messages stay to be expected.
        for message in self.user.messages:
            self._seen.add((message.message_id, message.edits))
            if message.message_id == found[0].message_id:
                break
        return found[0]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="belsendi_bot") as fake:
        yield fake


async def launch(
    tg: FakeTelegram, folder: Path, log: Path, *, via_make: bool = False, **settings: str
) -> BotProcess:
    """Start the bot against `tg`, its database in `folder`; returns once it polls (or set its webhook)."""
    database = folder / "data" / "bot.sqlite3"
    env = bot_environment(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=tg.url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        THROTTLE_RATE="0",
        **settings,
    )
    if via_make:
        command, cwd = ["make", "--no-print-directory", "run"], ROOT
    else:
        # Run from a folder with no .env, so that only the settings given here count.
        command, cwd = [sys.executable, "-m", "bot"], folder
    process = BotProcess(command, env, cwd, log)
    polls_before = tg.bot_state().poll_calls

    def ready() -> bool:
        if settings.get("RUN_MODE") == "webhook":
            return tg.webhook is not None
        return tg.bot_state().poll_calls > polls_before

    await process.start()
    try:
        await until(ready, timeout=60)
    except TimeoutError:
        await process.stop(signal.SIGKILL)
        raise AssertionError(f"the bot never came up:\n{process.output()}") from None
    return process


@pytest.fixture
async def start_bot(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Starts the bot against `tg` on one database file for the whole test (restarts keep it)."""
    processes: list[BotProcess] = []

    async def start(*, via_make: bool = False, **settings: str) -> BotProcess:
        log = tmp_path / f"bot-{len(processes)}.log"
        processes.append(await launch(tg, tmp_path, log, via_make=via_make, **settings))
        return processes[-1]

    yield start
    for process in processes:
        if process.running:
            await process.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_tg() -> AsyncIterator[FakeTelegram]:
    """One fake Telegram for a module's tests that need only a running bot (each plays its own users)."""
    async with FakeTelegram(token=TOKEN, bot_username="belsendi_bot") as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_bot(
    shared_tg: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    """One bot process for the module: starting one costs seconds, and most tests need no restart."""
    folder = tmp_path_factory.mktemp("shared-bot")
    process = await launch(shared_tg, folder, folder / "bot.log")
    yield process
    if process.running:
        assert await process.stop() == 0, process.output()
    assert process.first_problem() is None, process.output()
