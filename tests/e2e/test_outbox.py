"""The real bot process sends the outbox through the fake Telegram: with Telegram's limits on, after a
`kill -9` in the middle of a mailing (nobody missed, duplicates at most the sends in flight), and after
a SIGTERM in the middle of one (nothing lost, nothing sent twice)."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fake_telegram import FakeTelegram
from storage.database import Database
from storage.repositories.outbox import Message, OutboxStatus
from tests.e2e.conftest import BotFactory, until

pytestmark = pytest.mark.e2e

KK = "Сенбілік ертең сағат 10-да"
RU = "Субботник завтра в 10:00"
# Quick looks for due rows and a short lease, so that a restart takes back a killed process's rows soon.
FAST = {"OUTBOX_WAKE_INTERVAL": "0.2", "OUTBOX_LEASE": "2"}
SENDS_IN_FLIGHT = 8  # the sender's concurrency


def database_of(tmp_path: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}")


async def plan_notices(tg: FakeTelegram, tmp_path: Path, recipients: range, *, per_user: int = 1) -> None:
    """Users who talked to the bot before (Russian for the even ids), and a notice for each."""
    now = datetime.now(UTC)
    database = database_of(tmp_path)
    try:
        async with database.transaction() as uow:
            for recipient in recipients:
                tg.user(recipient).chat.known = True
                await uow.users.add(recipient, now=now, language="ru" if recipient % 2 == 0 else "kk")
                for _ in range(per_user):
                    message = Message("notice", recipient, now, params={"text_kk": KK, "text_ru": RU})
                    await uow.outbox.add(message, now=now)
    finally:
        await database.dispose()


def received(tg: FakeTelegram, recipients: range) -> dict[int, int]:
    return {recipient: len(tg.user(recipient).messages) for recipient in recipients}


async def outbox_statuses(tmp_path: Path) -> dict[OutboxStatus, int]:
    database = database_of(tmp_path)
    try:
        async with database.reading() as uow:
            counts = await uow.outbox.counts()
    finally:
        await database.dispose()
    return counts.get("notice", dict.fromkeys(OutboxStatus, 0))


async def test_the_bot_delivers_the_outbox_at_telegrams_pace(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot(**FAST)
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    recipients = range(7000, 7030)
    await plan_notices(tg, tmp_path, recipients, per_user=2)
    try:
        await until(lambda: sum(received(tg, recipients).values()) >= 60, timeout=30)
    except TimeoutError:
        raise AssertionError(f"delivered: {received(tg, recipients)}\n{bot.output()}") from None
    for recipient in recipients:
        texts = [message.text for message in tg.user(recipient).messages]
        assert texts == [RU, RU] if recipient % 2 == 0 else [KK, KK], recipient
    assert tg.stats.too_many_requests == 0  # paced under both limits, not refused into them
    statuses = await outbox_statuses(tmp_path)
    assert statuses[OutboxStatus.SENT] == 60
    assert bot.first_problem() is None, bot.output()


async def test_kill_9_three_times_in_the_middle_of_a_mailing_misses_nobody(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    recipients = range(8000, 8150)
    bot = await start_bot(**FAST)
    await plan_notices(tg, tmp_path, recipients)
    for crash, after in enumerate((20, 50, 90), start=1):
        await until(lambda after=after: sum(received(tg, recipients).values()) >= after, timeout=30)
        await bot.kill()
        assert sum(received(tg, recipients).values()) < 150, f"the mailing was over before kill {crash}"
        bot = await start_bot(**FAST)
    try:
        await until(lambda: all(received(tg, recipients).values()), timeout=60)
    except TimeoutError:
        raise AssertionError(f"delivered: {received(tg, recipients)}\n{bot.output()}") from None
    duplicates = sum(received(tg, recipients).values()) - len(recipients)
    assert 0 <= duplicates <= 3 * SENDS_IN_FLIGHT
    # Sent marks are written in batches after Telegram's answers: the last ones follow shortly.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while (statuses := await outbox_statuses(tmp_path))[OutboxStatus.SENT] < 150 and loop.time() < deadline:
        await asyncio.sleep(0.1)
    assert statuses[OutboxStatus.SENT] == 150
    assert tg.stats.too_many_requests == 0
    assert bot.first_problem() is None, bot.output()


async def test_a_403_and_a_429_in_the_middle_of_a_mailing(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    recipients = range(8500, 8590)
    blocking = range(8570, 8575)  # not reached yet when they block the bot
    bot = await start_bot(**FAST)
    await plan_notices(tg, tmp_path, recipients)
    await until(lambda: sum(received(tg, recipients).values()) >= 30, timeout=30)
    for user_id in blocking:
        tg.block(user_id)
    tg.set_limits(global_per_second=0, retry_after=2)  # Telegram refuses everything for a moment
    await asyncio.sleep(0.5)
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    others = [r for r in recipients if r not in blocking]
    try:
        await until(lambda: all(received(tg, others).values()), timeout=30)
    except TimeoutError:
        raise AssertionError(f"delivered: {received(tg, recipients)}\n{bot.output()}") from None
    assert set(received(tg, others).values()) == {1}
    assert sum(received(tg, blocking).values()) == 0
    assert tg.stats.too_many_requests >= 1
    statuses = await outbox_statuses(tmp_path)
    assert statuses[OutboxStatus.SENT] == 85
    assert statuses[OutboxStatus.DROPPED] == 5  # the blocked, with that reason
    assert bot.first_problem() is None, bot.output()


async def test_sigterm_in_the_middle_of_a_mailing_loses_nothing_and_repeats_nothing(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot(**FAST)
    tg.set_limits(global_per_second=30)
    recipients = range(9000, 9060)
    await plan_notices(tg, tmp_path, recipients)
    await until(lambda: sum(received(tg, recipients).values()) >= 15, timeout=30)
    assert await bot.stop(signal.SIGTERM) == 0, bot.output()
    at_stop = received(tg, recipients)
    assert sum(at_stop.values()) < 60, "the mailing was over before the stop: nothing was tested"
    statuses = await outbox_statuses(tmp_path)
    assert statuses[OutboxStatus.SENDING] == 0  # every claimed row given back or recorded
    assert statuses[OutboxStatus.SENT] == sum(at_stop.values())
    assert statuses[OutboxStatus.PENDING] == 60 - sum(at_stop.values())
    restarted = await start_bot(**FAST)
    await until(lambda: all(received(tg, recipients).values()), timeout=30)
    assert set(received(tg, recipients).values()) == {1}  # nobody twice
    assert bot.first_problem() is None, bot.output()
    assert restarted.first_problem() is None, restarted.output()
