"""End to end: events imported with `python -m bot events import` beside the running bot, then found,
registered for, shown on a map (sendVenue) and downloaded as an .ics file (a multipart sendDocument):
what only the real process against the strict fake server shows."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from fake_telegram import FakeTelegram, SentMessage
from fake_telegram.bot_process import bot_environment
from storage.database import Database
from tests.e2e.conftest import BotFactory, until
from tests.e2e.test_bot_process import onboard_kazakh
from tests.e2e.test_shared_bot import onboard_russian
from tests.events_support import draft

pytestmark = pytest.mark.e2e

ADMIN = 9090


def button_data(message: SentMessage, containing: str) -> str:
    markup = message.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if containing in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button with {containing!r} in {markup}")


async def test_an_imported_event_is_found_registered_for_mapped_and_put_in_a_calendar(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    await start_bot()
    chat = await onboard_kazakh(tg, 6101)  # in Aktobe Region

    starts = datetime.now(ZoneInfo("Asia/Almaty")).replace(tzinfo=None, second=0, microsecond=0)
    starts += timedelta(days=3)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "title_kk", "category", "region", "city", "address", "latitude"])
    writer.writerow(
        ["ekt-1", "Елек жағасын тазалау", "cleanup", "aktobe", "Ақтөбе", "Көпір жанында", "50.28"]
    )
    rows = buffer.getvalue().splitlines()
    extra = ["longitude", "starts_at", "ends_at", "contact", "organizer_telegram_id", "status"]
    values = ["57.167", starts.isoformat(), (starts + timedelta(hours=3)).isoformat(), "+77011234567"]
    values += [str(ADMIN), "published"]
    path = tmp_path / "events.csv"
    path.write_text(f"{rows[0]},{','.join(extra)}\n{rows[1]},{','.join(values)}\n", encoding="utf-8")
    env = bot_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}", ADMIN_IDS=str(ADMIN)
    )
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "events",
        "import",
        str(path),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await command.communicate()
    assert command.returncode == 0, err.decode()
    assert "1 new" in out.decode()

    await chat.user.press("🌿 Экологиялық іс-шаралар")
    listing = await chat.expect("Өңір: Ақтөбе облысы")
    await chat.user.press_data(button_data(listing, "Елек жағасын тазалау"))
    card = await chat.expect("Санаты: Сенбілік")
    await chat.user.press_data(button_data(card, "✅ Тіркелу"))
    card = await chat.expect("✅ Сіз тіркелдіңіз.")

    await chat.user.press_data(button_data(card, "📍 Карта"))
    await until(lambda: any(message.kind == "venue" for message in chat.user.messages))
    (venue,) = [message for message in chat.user.messages if message.kind == "venue"]
    assert venue.media["venue"]["title"] == "Елек жағасын тазалау"
    assert venue.media["venue"]["address"] == "Ақтөбе, Көпір жанында"

    await chat.user.press_data(button_data(card, "📅 Күнтізбеге қосу"))
    await until(lambda: any(message.kind == "document" for message in chat.user.messages))
    (document,) = [message for message in chat.user.messages if message.kind == "document"]
    assert document.file is not None
    assert document.file.file_name is not None
    assert document.file.file_name.endswith(".ics")
    content = document.file.data.decode()
    assert content.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Елек жағасын тазалау\r\n" in content
    await until(lambda: tg.unanswered_callbacks() == [])  # each press answered (after its handler)


async def test_an_offer_that_expired_while_the_bot_was_down_passes_to_the_next_in_line(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    # Here, not at the top: that module imports this one's button_data.
    from tests.e2e.test_shared_bot_events import bot_services

    bot = await start_bot()
    await onboard_kazakh(tg, 6202, first_name="Орынды")
    first = await onboard_russian(tg, 6203, "Первая")
    second = await onboard_kazakh(tg, 6204, first_name="Екінші")
    await onboard_kazakh(tg, 6201, first_name="Ұйымдастырушы")
    async with bot_services(bot, 6201) as events:
        event = await events.create(6201, draft(datetime.now(ZoneInfo("UTC")), capacity=1))
        await events.publish(6201, event.id)
        await events.register(6202, event.id)
        assert (await events.register(6203, event.id)).waitlisted
        assert (await events.register(6204, event.id)).waitlisted
        await events.cancel(6202, event.id)  # the seat is offered to the first in line
    await first.expect("🎉")  # the running bot's sender delivers the offer (on its next look)
    await bot.stop()

    # Nobody answers; the offer's time runs out while the bot is down.
    database = Database(bot.env["DATABASE_URL"])
    try:
        async with database.transaction() as uow:
            await uow.connection.execute(
                text("UPDATE waitlist_offers SET expires_at = :past WHERE status = 'open'"),
                {"past": datetime(2000, 1, 1)},
            )
    finally:
        await database.dispose()

    await start_bot()  # its scans run once at start-up: the expired offer passes on
    offer = await second.expect("🎉")
    assert "Көктемгі сенбілік" in offer.text
    async with bot_services(bot, 6201) as events:
        first_now = await events.registration_of(6203, event.id)
        second_now = await events.registration_of(6204, event.id)
    assert first_now is None  # the first left the line when their offer expired
    assert second_now is not None
    assert second_now.place_in_line == 1  # offered, still to answer
