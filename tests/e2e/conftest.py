"""End to end: the real bot process, started as the README says, against the fake Telegram server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.settings import ENVIRONMENT_VARIABLES
from fake_telegram import FakeTelegram, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "424242:E2E-token-for-the-fake-telegram-server"


class BotProcess:
    """`python -m bot` (or `make run`) as a child process, logging to a file the test can show."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.command = command
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # so that `make` and its child get the signal together
            )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait for the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            os.killpg(self.process.pid, sig)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()
            raise AssertionError(f"the bot did not stop in {timeout} s:\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


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


@pytest.fixture
async def start_bot(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Starts the bot against `tg` on one database file for the whole test (restarts keep it)."""
    processes: list[BotProcess] = []
    database = tmp_path / "data" / "bot.sqlite3"

    async def start(*, via_make: bool = False, **settings: str) -> BotProcess:
        env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT_VARIABLES}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=tg.url,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            THROTTLE_RATE="0",
            PYTHONPATH=str(ROOT),
            **settings,
        )
        if via_make:
            command, cwd = ["make", "--no-print-directory", "run"], ROOT
        else:
            # Run from a folder with no .env, so that only the settings given here count.
            command, cwd = [sys.executable, "-m", "bot"], tmp_path
        process = BotProcess(command, env, cwd, tmp_path / f"bot-{len(processes)}.log")
        processes.append(process)
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

    yield start
    for process in processes:
        if process.process is not None and process.process.returncode is None:
            await process.stop()
