"""`python -m bench.taps`: how fast users' taps are answered while a broadcast runs.

The real bot process (`python -m bot`) against the fake Telegram with Telegram's limits on (30/s
overall, 1/s per chat): `--tappers` users go through the onboarding first (limits off, off the clock),
then `--recipients` notices are planned in the outbox and, for `--seconds`, each tapper keeps tapping
while the bot sends them: /menu, the menu's Help button, its Back button, /help, … with 1.5-3.5 s
between two taps (a person reading). The replies count against the same 30/s as the broadcast.

Prints the reply latency (from the tap reaching the fake to the answer: the bot's next message for a
text, the callback answered for a press, which comes after the handler's edit) as p50, p95 and max,
and what the broadcast got meanwhile: its messages/s, the replies' messages/s, the 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.e2e import keep_log, play_step
from bench.outbox_runs import (
    TOKEN,
    bot_process,
    migrate,
    notice,
    percentile,
    plan_rows,
    received,
    started,
    stopped,
    watched,
)
from bench.report import BenchmarkError
from bench.workload import ONBOARDING, name_of
from bot.timezones import use_packaged_tzdata
from bot.views.menu import MenuAction, MenuCallback
from fake_telegram import FakeTelegram, FakeUser

TAPPERS_FROM = 800_000_001
RECIPIENTS_FROM = 1_000_000
TARGET_P95_MS = 250.0
STEP_TIMEOUT = 30.0
ONBOARDING_TIME = 60.0  # seconds from planning the broadcast to its start: the bot starts, tappers onboard
HELP = MenuCallback(action=MenuAction.HELP).pack()
BACK = MenuCallback(action=MenuAction.MENU).pack()


async def answered(tg: FakeTelegram, user: FakeUser, done: object) -> None:
    chat = user.chat
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP_TIMEOUT
    while not done():  # type: ignore[operator]
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise BenchmarkError(f"user {user.id} waited {STEP_TIMEOUT:.0f} s for an answer")
        await chat.changed.wait(remaining)


async def tap(tg: FakeTelegram, user: FakeUser, step: str) -> float:
    """One tap; returns the seconds until it was answered."""
    chat = user.chat
    started_at = time.perf_counter()
    if step.startswith("/"):
        before = chat.sent_log.total
        await user.send(step)
        await answered(tg, user, lambda: chat.sent_log.total > before)
    else:
        update = await user.press_data(step)
        query = tg.bot_state().callbacks[update["callback_query"]["id"]]
        await answered(tg, user, lambda: query.answer is not None)
    return time.perf_counter() - started_at


async def tapper(tg: FakeTelegram, user: FakeUser, until: float, latencies: list[float]) -> None:
    steps = ("/menu", HELP, BACK, "/help")
    index = 0
    while True:
        await asyncio.sleep(random.uniform(1.5, 3.5))
        if time.perf_counter() >= until:
            return
        latencies.append(await tap(tg, user, steps[index % len(steps)]))
        index += 1


async def run(recipients_count: int, tappers_count: int, seconds: float) -> int:
    use_packaged_tzdata()
    with tempfile.TemporaryDirectory(prefix="bench-taps-") as name:
        folder = Path(name)
        await migrate(folder)
        async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
            # Planned before the bot starts (a second process writing 10,000 rows beside it would hold
            # SQLite's lock for seconds), due once the tappers are onboarded.
            recipients = range(RECIPIENTS_FROM, RECIPIENTS_FROM + recipients_count)
            due = datetime.now(UTC) + timedelta(seconds=ONBOARDING_TIME)
            await plan_rows(folder, ((r, notice(r, due)) for r in recipients), tg)
            bot = await started(bot_process(tg, folder, "taps", OUTBOX_WAKE_INTERVAL="1"), tg)
            try:
                figures = await watched(bot, measure(tg, folder, recipients_count, tappers_count, seconds))
                await stopped(bot)
            except BenchmarkError as failure:
                print(f"FAILED: {failure} (log: {keep_log(bot)})")
                if bot.running:
                    await bot.kill()
                return 1
    return report(figures, recipients_count, tappers_count)


async def measure(
    tg: FakeTelegram, folder: Path, recipients_count: int, tappers_count: int, seconds: float
) -> dict[str, float]:
    tappers = [
        tg.user(user_id, first_name=name_of(user_id), language_code="kk")
        for user_id in range(TAPPERS_FROM, TAPPERS_FROM + tappers_count)
    ]
    for user in tappers:  # onboarded before the clock, limits off
        for step in ONBOARDING:
            await play_step(tg, user, step)
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    recipients = range(RECIPIENTS_FROM, RECIPIENTS_FROM + recipients_count)
    # The broadcast is under way (the wake job looks every second) before the taps start.
    deadline = time.perf_counter() + ONBOARDING_TIME + STEP_TIMEOUT
    while recipients and sum(received(tg, recipients[:200]).values()) < 30:
        if time.perf_counter() > deadline:
            raise BenchmarkError("the broadcast did not start")
        await asyncio.sleep(0.1)
    latencies: list[float] = []
    sent_before, refused_before = tg.stats.total_sent, tg.stats.too_many_requests
    broadcast_before = sum(received(tg, recipients).values())
    started_at = time.perf_counter()
    until = started_at + seconds
    await asyncio.gather(*(tapper(tg, user, until, latencies) for user in tappers))
    elapsed = time.perf_counter() - started_at
    broadcast = sum(received(tg, recipients).values()) - broadcast_before
    sent = tg.stats.total_sent - sent_before
    return {
        "seconds": elapsed,
        "taps": len(latencies),
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "max": max(latencies) * 1000 if latencies else float("nan"),
        "broadcast_per_second": broadcast / elapsed,
        "replies_per_second": (sent - broadcast) / elapsed,
        "all_per_second": sent / elapsed,
        "refused": tg.stats.too_many_requests - refused_before,
        "requests": sent + tg.stats.too_many_requests - refused_before,
    }


def report(figures: dict[str, float], recipients: int, tappers: int) -> int:
    print(
        f"{tappers} users tapping (1.5-3.5 s apart) for {figures['seconds']:.0f} s during a broadcast "
        f"to {recipients:,}; fake Telegram at 30/s overall, 1/s per chat; real bot process"
    )
    print(
        f"taps answered: {int(figures['taps'])}  p50 {figures['p50']:.0f} ms  p95 {figures['p95']:.0f} ms  "
        f"max {figures['max']:.0f} ms"
    )
    print(
        f"meanwhile: broadcast {figures['broadcast_per_second']:.1f} msg/s + replies "
        f"{figures['replies_per_second']:.1f} msg/s = {figures['all_per_second']:.1f} msg/s; "
        f"429: {int(figures['refused'])} of {int(figures['requests'])} requests"
    )
    met = figures["p95"] <= TARGET_P95_MS
    print(f"target: p95 <= {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000, help="broadcast size (default 10,000)")
    parser.add_argument("--tappers", type=int, default=20, help="users tapping meanwhile (default 20)")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long they tap (default 120)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(run(arguments.recipients, arguments.tappers, arguments.seconds)))
