"""`python -m bench.broadcast [--recipients N]`: one message to N users through the fake Telegram with
Telegram's limits on (30/s overall, 1/s per chat), twice in one run:

- the outbox: N rows in a fresh SQLite database, sent by the production `Sender` (built by
  `build_application`, over HTTP to the fake: pacer, resilience layer, leases, marks);
- naive: a bare aiogram `Bot` doing `send; sleep(0.05)` to the same N users (a 429 is lost).

Prints messages/s (confirmed deliveries over the wall clock), the share of requests answered 429, what
was lost or duplicated, and the time 90,000 recipients would take at each measured rate.
The fake server runs in this process; the bot's side is light at these rates.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError

from bot.app import build_application
from bot.settings import Settings
from bot.timezones import use_packaged_tzdata
from fake_telegram import FakeTelegram
from storage.migrate import upgrade
from storage.repositories.outbox import Message

TOKEN = "424242:BENCH-token-for-the-fake-telegram-server"  # noqa: S105 - the fake's
TEXT_KK = "Сенбілік ертең сағат 10-да, Ақтөбе"
TEXT_RU = "Субботник завтра в 10:00, Актобе"
NATIONAL = 90_000  # a national notice
TARGET_RATE = 28.5  # 95 % of Telegram's 30/s
TARGET_429 = 0.001


async def outbox_run(tg: FakeTelegram, recipients: range, folder: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        bot_token=TOKEN,
        telegram_api_url=tg.url,
        database_url=url,
        _env_file=None,
    )
    app = build_application(settings)
    now = datetime.now(UTC)
    async with app.database.transaction() as uow:
        for recipient in recipients:
            await uow.users.add(recipient, now=now, language="ru" if recipient % 2 else "kk")
            message = Message("notice", recipient, now, params={"text_kk": TEXT_KK, "text_ru": TEXT_RU})
            await uow.outbox.add(message, now=now)
    before = _snapshot(tg)
    started = time.perf_counter()
    try:
        sent = await app.sender.send_due()
    finally:
        elapsed = time.perf_counter() - started
        await app.close()
    return _figures(tg, recipients, before, elapsed, confirmed=sent)


async def naive_run(tg: FakeTelegram, recipients: range) -> dict[str, float]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    before = _snapshot(tg)
    started = time.perf_counter()
    confirmed = 0
    try:
        for recipient in recipients:
            try:
                await bot.send_message(recipient, TEXT_KK)
                confirmed += 1
            except TelegramAPIError:
                pass  # a naive loop: a refused message is lost
            await asyncio.sleep(0.05)
    finally:
        elapsed = time.perf_counter() - started
        await bot.session.close()
    return _figures(tg, recipients, before, elapsed, confirmed=confirmed)


def _snapshot(tg: FakeTelegram) -> tuple[int, int, int]:
    calls = tg.stats.calls["sendMessage"] + tg.stats.calls["sendmessage"]
    return calls, tg.stats.too_many_requests, tg.stats.total_sent


def _figures(
    tg: FakeTelegram, recipients: range, before: tuple[int, int, int], elapsed: float, *, confirmed: int
) -> dict[str, float]:
    calls, refused, delivered = (now - then for now, then in zip(_snapshot(tg), before, strict=True))
    return {
        "recipients": len(recipients),
        "seconds": elapsed,
        "per_second": delivered / elapsed,
        "requests": calls,
        "share_429": refused / calls if calls else 0.0,
        "delivered": delivered,
        "confirmed": confirmed,
        "lost": len(recipients) - delivered,
    }


def _line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name:<8} {figures['per_second']:6.1f} msg/s  {figures['seconds']:7.1f} s  "
        f"429: {figures['share_429']:6.2%} of {int(figures['requests'])} requests  "
        f"delivered {int(figures['delivered'])}/{int(figures['recipients'])}  lost {int(figures['lost'])}"
    )


async def main(recipients_count: int) -> int:
    use_packaged_tzdata()
    async with FakeTelegram(token=TOKEN, record_requests=False) as tg:
        tg.set_limits(global_per_second=30, per_chat_per_second=1)
        outbox_users = range(1_000_000, 1_000_000 + recipients_count)
        naive_users = range(2_000_000, 2_000_000 + recipients_count)
        for user_id in (*outbox_users, *naive_users):
            tg.user(user_id).chat.known = True
        with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
            outbox = await outbox_run(tg, outbox_users, Path(folder))
        naive = await naive_run(tg, naive_users)
    print(f"one message to {recipients_count} recipients; fake Telegram at 30/s overall, 1/s per chat")
    print(_line("outbox", outbox))
    print(_line("naive", naive))
    for name, figures in (("outbox", outbox), ("naive", naive)):
        minutes = NATIONAL / figures["per_second"] / 60
        print(
            f"{name:<8} {NATIONAL:,} recipients at {figures['per_second']:.1f} msg/s: {minutes:.1f} min "
            f"(floor at 30/s: {NATIONAL / 30 / 60:.0f} min)"
        )
    print(
        f"targets: >= {TARGET_RATE} msg/s: {'met' if outbox['per_second'] >= TARGET_RATE else 'NOT met'}; "
        f"429 <= {TARGET_429:.1%}: {'met' if outbox['share_429'] <= TARGET_429 else 'NOT met'}"
    )
    ok = outbox["lost"] == 0 and outbox["delivered"] == recipients_count
    if not ok:
        print("FAILED: the outbox lost or duplicated messages")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000, help="users to write to (default 10,000)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.recipients)))
