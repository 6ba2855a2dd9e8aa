"""`python -m bench.reminders`: 100,000 pending reminders, and how late the due ones go out.

A fresh SQLite file holds `--pending` event reminders spread over the coming 7 days (the way
bot/services/reminders.py writes them: kind event_reminder, expiring at the event's start), plus
`--due-now` reminders due at once and `--due-later` due at known moments during the run (one every
0.5 s, from 30 s after they were planned, when the bot has started). The real bot process
(`python -m bot`, default settings: the scheduler's look every 5 s) runs on it against the fake
Telegram with Telegram's limits on.

Prints the bot's peak RSS (VmHWM, read at the end of the run) and how late the reminders due during the
run arrived at the fake (arrival minus due time): p50, p95, max. Targets: < 150 MB, <= 2 s late.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.e2e import keep_log
from bench.outbox_runs import (
    TOKEN,
    bot_process,
    migrate,
    peak_rss_mb,
    percentile,
    plan_rows,
    started,
    stopped,
    watched,
)
from bench.report import BenchmarkError
from bot.services.reminders import EVENT_REMINDER
from bot.timezones import use_packaged_tzdata
from fake_telegram import FakeTelegram
from storage.repositories.outbox import Message

RECIPIENTS_FROM = 3_000_000
TARGET_RSS_MB = 150.0
TARGET_LATE_S = 2.0
FIRST_DUE = 30.0  # seconds after the rows are planned
DUE_EVERY = 0.5


def reminder(recipient: int, due_at: datetime, starts_at: datetime) -> Message:
    return Message(
        EVENT_REMINDER,
        recipient,
        due_at,
        params={
            "event_id": 1,
            "hours": 2,
            "title_kk": "Жайық жағасындағы сенбілік",
            "title_ru": "Субботник на берегу Урала",
            "starts_at": starts_at.isoformat(),
            "address": "Жағалау, 1",
            "city": "Ақтөбе",
        },
        expires_at=starts_at,
        dedupe_key=f"{EVENT_REMINDER}:{recipient}:{due_at.isoformat()}",
    )


async def run(pending: int, due_now: int, due_later: int) -> int:
    use_packaged_tzdata()
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as name:
        folder = Path(name)
        await migrate(folder)
        async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
            tg.set_limits(global_per_second=30, per_chat_per_second=1)
            now_ids = range(RECIPIENTS_FROM + due_later, RECIPIENTS_FROM + due_later + due_now)
            far_ids = range(now_ids.stop, now_ids.stop + pending)
            start = datetime.now(UTC)

            def rows() -> Iterator[tuple[int, Message]]:
                for recipient in now_ids:
                    yield recipient, reminder(recipient, start, start + timedelta(hours=2))
                for index, recipient in enumerate(far_ids):  # over the coming 7 days
                    due = start + timedelta(hours=1) + timedelta(seconds=index * 7 * 86_400 / max(pending, 1))
                    yield recipient, reminder(recipient, due, due + timedelta(hours=2))

            planning = time.perf_counter()
            await plan_rows(folder, rows(), tg)
            planned_in = time.perf_counter() - planning
            # Due from FIRST_DUE s on: the bot has started and had its first look by then.
            base = datetime.now(UTC) + timedelta(seconds=FIRST_DUE)
            later = {
                RECIPIENTS_FROM + index: base + timedelta(seconds=index * DUE_EVERY)
                for index in range(due_later)
            }
            await plan_rows(
                folder, ((r, reminder(r, due, due + timedelta(hours=2))) for r, due in later.items()), tg
            )
            bot = await started(bot_process(tg, folder, "reminders"), tg)
            at_start = peak_rss_mb(bot.pid, "VmRSS")  # polling: imports done, the first look under way
            try:
                lateness = await watched(bot, measure(tg, later, list(now_ids)))
                rss = peak_rss_mb(bot.pid)
                await stopped(bot)
            except BenchmarkError as failure:
                print(f"FAILED: {failure} (log: {keep_log(bot)})")
                if bot.running:
                    await bot.kill()
                return 1
    total = pending + due_now + due_later
    print(
        f"{total:,} pending reminders ({pending:,} over the coming 7 days, {due_now} due at start, "
        f"{due_later} due during the run, one every {DUE_EVERY} s); planned in {planned_in:.0f} s; "
        f"real bot process, fake Telegram at 30/s, 1/s per chat"
    )
    print(
        f"bot peak RSS: {rss or 0:.1f} MB (target < {TARGET_RSS_MB:.0f} MB); {at_start or 0:.1f} MB when it "
        f"began polling"
    )
    print(
        f"reminders due during the run, late by: p50 {percentile(lateness, 0.5):.2f} s  "
        f"p95 {percentile(lateness, 0.95):.2f} s  max {max(lateness):.2f} s (target <= {TARGET_LATE_S:.0f} s)"
    )
    met = (rss or 0) < TARGET_RSS_MB and max(lateness) <= TARGET_LATE_S
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0


async def measure(tg: FakeTelegram, later: dict[int, datetime], due_now: list[int]) -> list[float]:
    """Seconds late of each reminder due during the run, as it arrived at the fake."""
    arrived: dict[int, float] = {}
    deadline = time.monotonic() + FIRST_DUE + len(later) * DUE_EVERY + 60
    while len(arrived) < len(later):
        if time.monotonic() > deadline:
            raise BenchmarkError(f"{len(later) - len(arrived)} reminders never arrived")
        for recipient in later:
            if recipient not in arrived and tg.user(recipient).messages:
                arrived[recipient] = time.time()
        await asyncio.sleep(0.02)
    missing = [recipient for recipient in due_now if not tg.user(recipient).messages]
    if missing:
        raise BenchmarkError(f"{len(missing)} reminders due at the start never arrived")
    return [arrived[recipient] - due.timestamp() for recipient, due in later.items()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pending", type=int, default=100_000, help="reminders due later (default 100,000)")
    parser.add_argument("--due-now", type=int, default=300, help="reminders due at start (default 300)")
    parser.add_argument("--due-later", type=int, default=60, help="reminders due during the run (default 60)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(run(arguments.pending, arguments.due_now, arguments.due_later)))
