"""`python -m bench.faults`: the outbox through crashes, stops, downtime, a 403 and a 429, full size.

The real bot process (`python -m bot`, OUTBOX_LEASE=5 so that a killed process's rows come back soon)
against the fake Telegram with Telegram's limits on (30/s, 1/s per chat), each scenario with its own
recipients in one SQLite file:

1. kill -9 at three random moments of a `--recipients` broadcast, restarting at once each time;
2. SIGTERM in the middle of a broadcast of a third of that, then a restart;
3. reminders that fell due while the bot was down: half for events still ahead, half for events that
   have begun;
4. in the middle of a broadcast of a third of that: 20 recipients not reached yet block the bot (403),
   and Telegram refuses everything for a moment (429 with retry_after 2).

Prints lost and duplicated messages for each (duplicates against the bound: the sends in flight at
each crash, at most the sender's 8), and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.outbox_runs import TOKEN, bot_process, migrate, notice, plan_rows, received, started, stopped
from bench.reminders import reminder
from bench.report import BenchmarkError
from bot.timezones import use_packaged_tzdata
from fake_telegram import FakeTelegram
from fake_telegram.bot_process import BotProcess

SENDS_IN_FLIGHT = 8  # the sender's concurrency
FAST = {"OUTBOX_LEASE": "5", "OUTBOX_WAKE_INTERVAL": "1"}
WAIT = 900.0


async def until_all(tg: FakeTelegram, recipients: range, bot: BotProcess | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not all(received(tg, recipients).values()):
        if time.monotonic() > deadline:
            raise BenchmarkError("the broadcast never reached everyone")
        if bot is not None and bot.first_problem() is not None:
            raise BenchmarkError(f"the bot logged: {bot.first_problem()}")
        await asyncio.sleep(0.2)


async def until_count(tg: FakeTelegram, recipients: range, count: int) -> None:
    while sum(received(tg, recipients).values()) < count:  # noqa: ASYNC110 - polls the fake
        await asyncio.sleep(0.05)


def tally(tg: FakeTelegram, recipients: range) -> tuple[int, int]:
    counts = received(tg, recipients).values()
    return sum(1 for count in counts if count == 0), sum(count - 1 for count in counts if count > 1)


async def kills(tg: FakeTelegram, folder: Path, size: int) -> tuple[int, int, int]:
    recipients = range(4_000_000, 4_000_000 + size)
    await plan_rows(folder, ((r, notice(r, datetime.now(UTC))) for r in recipients), tg)
    moments = sorted(random.sample(range(size // 10, size * 9 // 10), 3))  # after this many delivered
    bot = await started(bot_process(tg, folder, "kill-0", **FAST), tg)
    for crash, moment in enumerate(moments, start=1):
        await until_count(tg, recipients, moment)
        await bot.kill()
        print(f"  kill -9 number {crash} after {sum(received(tg, recipients).values())} delivered")
        bot = await started(bot_process(tg, folder, f"kill-{crash}", **FAST), tg)
    await until_all(tg, recipients, bot)
    await stopped(bot)
    lost, duplicated = tally(tg, recipients)
    return lost, duplicated, len(moments) * SENDS_IN_FLIGHT


async def sigterm(tg: FakeTelegram, folder: Path, size: int) -> tuple[int, int]:
    recipients = range(5_000_000, 5_000_000 + size)
    await plan_rows(folder, ((r, notice(r, datetime.now(UTC))) for r in recipients), tg)
    bot = await started(bot_process(tg, folder, "term-0", **FAST), tg)
    await until_count(tg, recipients, size // 2)
    if await bot.stop(signal.SIGTERM) != 0:
        raise BenchmarkError(f"the bot did not stop cleanly: {bot.first_problem()}")
    bot = await started(bot_process(tg, folder, "term-1", **FAST), tg)
    await until_all(tg, recipients, bot)
    await stopped(bot)
    return tally(tg, recipients)


async def downtime(tg: FakeTelegram, folder: Path, size: int) -> tuple[int, int, int]:
    """Returns (ahead missed, ahead duplicated, begun sent)."""
    ahead = range(6_000_000, 6_000_000 + size)
    begun = range(6_500_000, 6_500_000 + size)
    now = datetime.now(UTC)
    # Due an hour ago, while the bot was down; the events start in an hour, or started 10 minutes ago.
    due = now - timedelta(hours=1)
    rows = [(r, reminder(r, due, now + timedelta(hours=1))) for r in ahead]
    rows += [(r, reminder(r, due, now - timedelta(minutes=10))) for r in begun]
    await plan_rows(folder, rows, tg)
    bot = await started(bot_process(tg, folder, "downtime", **FAST), tg)
    await until_all(tg, ahead, bot)
    await asyncio.sleep(3)  # anything for the begun events would have gone out by now
    await stopped(bot)
    missed, duplicated = tally(tg, ahead)
    return missed, duplicated, sum(received(tg, begun).values())


async def refusals(tg: FakeTelegram, folder: Path, size: int) -> tuple[int, int, int, int]:
    """Returns (lost, duplicated, blocked recipients who got something, 429s)."""
    recipients = range(7_000_000, 7_000_000 + size)
    await plan_rows(folder, ((r, notice(r, datetime.now(UTC))) for r in recipients), tg)
    blocking = range(recipients[size * 2 // 3], recipients[size * 2 // 3] + 20)
    refused_before = tg.stats.too_many_requests
    bot = await started(bot_process(tg, folder, "refusals", **FAST), tg)
    await until_count(tg, recipients, size // 3)
    for user_id in blocking:
        tg.block(user_id)
    tg.set_limits(global_per_second=0, retry_after=2)  # everything refused...
    await asyncio.sleep(1.0)
    tg.set_limits(global_per_second=30, per_chat_per_second=1)  # ... for a second
    others = [r for r in recipients if r not in blocking]
    deadline = time.monotonic() + WAIT
    while not all(received(tg, others).values()):
        if time.monotonic() > deadline:
            raise BenchmarkError("the broadcast never reached everyone after the refusals")
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)
    await stopped(bot)
    counts = received(tg, others)
    lost = sum(1 for count in counts.values() if count == 0)
    duplicated = sum(count - 1 for count in counts.values() if count > 1)
    to_blocked = sum(received(tg, blocking).values())
    return lost, duplicated, to_blocked, tg.stats.too_many_requests - refused_before


async def run(size: int) -> int:
    use_packaged_tzdata()
    third = max(30, size // 3)
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as name:
        folder = Path(name)
        await migrate(folder)
        async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
            tg.set_limits(global_per_second=30, per_chat_per_second=1)
            try:
                print(f"1. kill -9 three times during a broadcast to {size:,}, restarting each time")
                lost, duplicated, bound = await kills(tg, folder, size)
                print(
                    f"   lost {lost}, duplicated {duplicated} "
                    f"(bound: {bound}, {SENDS_IN_FLIGHT} in flight x 3 kills)"
                )
                ok &= lost == 0 and duplicated <= bound
                print(f"2. SIGTERM in the middle of a broadcast to {third:,}, then a restart")
                lost, duplicated = await sigterm(tg, folder, third)
                print(f"   lost {lost}, duplicated {duplicated}")
                ok &= lost == 0 and duplicated == 0
                print("3. reminders due while the bot was down: 100 for events ahead, 100 for events begun")
                missed, duplicated, late = await downtime(tg, folder, 100)
                print(f"   events ahead: missed {missed}, twice {duplicated}; events begun: {late} sent")
                ok &= missed == 0 and duplicated == 0 and late == 0
                print(f"4. a 403 (20 recipients block the bot) and a 429 (1 s) amid a broadcast to {third:,}")
                lost, duplicated, to_blocked, refused = await refusals(tg, folder, third)
                print(
                    f"   lost {lost}, duplicated {duplicated}; to the blocked: {to_blocked}; "
                    f"429 answers: {refused}"
                )
                ok &= lost == 0 and duplicated == 0 and to_blocked == 0
            except BenchmarkError as failure:
                print(f"FAILED: {failure}")
                return 1
    print("targets: " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=3_000, help="the killed broadcast (default 3,000)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(run(arguments.recipients)))
