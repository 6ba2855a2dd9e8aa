"""What the delivery benchmarks share: a migrated SQLite file with users and outbox rows written the way
the use cases write them, and the real bot process (`python -m bot`) on it, polling the fake Telegram
that runs in the benchmark's process."""

from __future__ import annotations

import asyncio
import statistics
import sys
from collections.abc import Awaitable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.e2e import keep_log, start, stop, watch
from bench.report import BenchmarkError
from fake_telegram import FakeTelegram
from fake_telegram.bot_process import ROOT, BotProcess, bot_environment
from storage.database import Database
from storage.migrate import upgrade
from storage.repositories.outbox import Message

TOKEN = "424244:BENCH-token-for-the-fake-telegram-server"  # noqa: S105 - the fake's
TEXT_KK = "Сенбілік ертең сағат 10-да, Ақтөбе"
TEXT_RU = "Субботник завтра в 10:00, Актобе"
T = TypeVar("T")
PLAN_BATCH = 200  # rows per transaction when planning: short, the running bot writes too


def database_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}"


async def migrate(folder: Path) -> None:
    await asyncio.to_thread(upgrade, database_url(folder))


async def plan_rows(folder: Path, rows: Iterable[tuple[int, Message]], tg: FakeTelegram | None = None) -> int:
    """Each (recipient, row): the recipient is a user of the bot (Russian for odd ids) who has talked to
    it, and the row is pending in the outbox. Returns the rows planned."""
    database = Database(database_url(folder))
    now = datetime.now(UTC)
    planned = 0
    known: set[int] = set()
    batch: list[tuple[int, Message]] = []

    async def flush() -> None:
        async with database.transaction() as uow:
            for recipient, message in batch:
                if recipient not in known:
                    known.add(recipient)
                    if await uow.users.get(recipient) is None:
                        await uow.users.add(recipient, now=now, language="ru" if recipient % 2 else "kk")
                await uow.outbox.add(message, now=now)
        batch.clear()

    try:
        for recipient, message in rows:
            if tg is not None:
                tg.user(recipient).chat.known = True
            batch.append((recipient, message))
            planned += 1
            if len(batch) >= PLAN_BATCH:
                await flush()
        if batch:
            await flush()
    finally:
        await database.dispose()
    return planned


def notice(recipient: int, due_at: datetime) -> Message:
    return Message("notice", recipient, due_at, params={"text_kk": TEXT_KK, "text_ru": TEXT_RU})


def bot_process(tg: FakeTelegram, folder: Path, name: str, **settings: str) -> BotProcess:
    env = bot_environment(
        BOT_TOKEN=TOKEN, TELEGRAM_API_URL=tg.url, DATABASE_URL=database_url(folder), **settings
    )
    return BotProcess([sys.executable, "-m", "bot"], env, ROOT, folder / f"{name}.log")


async def started(bot: BotProcess, tg: FakeTelegram) -> BotProcess:
    await start(bot, tg)
    return bot


async def stopped(bot: BotProcess) -> None:
    code = await stop(bot)
    problem = bot.first_problem()
    if code != 0 or problem is not None:
        raise BenchmarkError(f"the bot stopped with {code}: {problem}; log kept in {keep_log(bot)}")


async def watched(bot: BotProcess, work: Awaitable[T]) -> T:
    """`work`, failed as soon as the bot logs a problem (a BenchmarkError either way)."""
    try:
        async with asyncio.TaskGroup() as group:
            watcher = group.create_task(watch(bot))
            result = await work
            watcher.cancel()
    except* BenchmarkError as failures:
        raise failures.exceptions[0] from None
    return result


def received(tg: FakeTelegram, recipients: Iterable[int]) -> dict[int, int]:
    return {recipient: len(tg.user(recipient).messages) for recipient in recipients}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def peak_rss_mb(pid: int, field: str = "VmHWM") -> float | None:
    """The process's peak resident memory (VmHWM; "VmRSS": now), in MB; None where /proc has no such file."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None
