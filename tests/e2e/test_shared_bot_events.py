"""End to end on one bot process for the module: registering, cancelling, waitlist offers and the import
command through the real process and the fake Telegram server (issue 8, item 11), in both languages.

Events are written beside the running bot the way the services write them; the users act in the bot.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.services.events import EventService
from fake_telegram import FakeTelegram, SentMessage
from fake_telegram.bot_process import BotProcess, bot_environment
from storage.database import Database
from tests.e2e.conftest import Conversation, until
from tests.e2e.test_bot_process import onboard_kazakh
from tests.e2e.test_events_volunteer import button_data
from tests.e2e.test_shared_bot import onboard_russian
from tests.events_support import draft

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@asynccontextmanager
async def bot_services(bot: BotProcess, organizer: int) -> AsyncIterator[EventService]:
    """The event service on the running bot's database, `organizer` made an organizer."""
    database = Database(bot.env["DATABASE_URL"])
    try:
        async with database.transaction() as uow:
            await uow.users.update(organizer, now=datetime.now(UTC), role="organizer")
        yield EventService(database, SystemClock())
    finally:
        await database.dispose()


LINK = {"kk": ("Сіз іс-шара сілтемесі арқылы келдіңіз", "Іс-шараны ашу", "Көктемгі сенбілік")}
LINK["ru"] = ("Вы перешли по ссылке на мероприятие", "Открыть мероприятие", "Весенний субботник")


async def open_card(chat: Conversation, event_id: int, language: str) -> SentMessage:
    """The event's card, reached through its share link."""
    note, opener, title = LINK[language]
    await chat.user.send(f"/start ev_{event_id}")
    await chat.expect(note)
    await chat.user.press(opener)
    return await chat.expect(title)


async def answered_after(chat: Conversation, count: int) -> str:
    await until(lambda: len(chat.user.answers) > count)
    return chat.user.answers[-1].text


async def test_a_declined_offer_passes_to_the_next_in_line(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    holder = await onboard_kazakh(shared_tg, 5502, first_name="Орынды")
    first = await onboard_russian(shared_tg, 5503, "Первая")
    second = await onboard_kazakh(shared_tg, 5504, first_name="Екінші")
    await onboard_kazakh(shared_tg, 5501, first_name="Ұйымдастырушы")
    async with bot_services(shared_bot, 5501) as events:
        event = await events.create(5501, draft(datetime.now(UTC), capacity=1))
        await events.publish(5501, event.id)
        await events.register(5502, event.id)
        assert (await events.register(5503, event.id)).waitlisted
        assert (await events.register(5504, event.id)).waitlisted

    await open_card(holder, event.id, "kk")
    await holder.user.press("❌ Тіркеуден бас тарту")
    offer = await first.expect("🎉")
    assert "Весенний субботник" in offer.text
    answered = len(first.user.answers)
    await first.user.press("Отказаться")
    assert (
        await answered_after(first, answered) == "Вы отказались: место перейдёт следующему в листе ожидания."
    )

    offer = await second.expect("🎉")
    assert "Көктемгі сенбілік" in offer.text
    answered = len(second.user.answers)
    await second.user.press("✅ Қабылдау")
    assert await answered_after(second, answered) == "Сіз іс-шараға тіркелдіңіз."
    async with bot_services(shared_bot, 5501) as events:
        mine = await events.registration_of(5504, event.id)
        assert mine is not None
        assert mine.place_in_line is None


async def test_a_double_tap_registers_once_and_companions_take_seats(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    tapper = await onboard_kazakh(shared_tg, 5512, first_name="Екіұрған")
    group = await onboard_russian(shared_tg, 5513, "Группа")
    await onboard_kazakh(shared_tg, 5511, first_name="Ұйымдастырушы")
    async with bot_services(shared_bot, 5511) as events:
        event = await events.create(5511, draft(datetime.now(UTC), capacity=10))
        await events.publish(5511, event.id)

    card = await open_card(tapper, event.id, "kk")
    register = button_data(card, "✅ Тіркелу")
    await asyncio.gather(tapper.user.press_data(register), tapper.user.press_data(register))
    await tapper.expect("✅ Сіз тіркелдіңіз.")

    card = await open_card(group, event.id, "ru")
    await group.user.press_data(button_data(card, "+2 спутника"))
    await group.expect("✅ Вы записаны, с вами 2 спутника.")

    await until(lambda: shared_tg.unanswered_callbacks() == [])
    async with bot_services(shared_bot, 5511) as events:
        stored = await events.get(event.id)
        assert stored is not None
        assert stored.seats_left == 10 - 1 - 3  # one seat for the double tap, three for the group
        mine = await events.registration_of(5512, event.id)
        assert mine is not None
        assert mine.registration.companions == 0


async def test_cancelling_past_the_cutoff_is_refused(shared_tg: FakeTelegram, shared_bot: BotProcess) -> None:
    volunteer = await onboard_russian(shared_tg, 5522, "Поздний")
    await onboard_kazakh(shared_tg, 5521, first_name="Ұйымдастырушы")
    now = datetime.now(UTC)
    starts = now + timedelta(hours=5)  # the cutoff, 24 h before the start, has passed
    async with bot_services(shared_bot, 5521) as events:
        event = await events.create(
            5521,
            draft(now, starts_at=starts, ends_at=starts + timedelta(hours=2), cancellation_cutoff_hours=24),
        )
        await events.publish(5521, event.id)
        await events.register(5522, event.id)

    await open_card(volunteer, event.id, "ru")
    answered = len(volunteer.user.answers)
    await volunteer.user.press("❌ Отменить запись")
    refusal = "Отменить запись уже нельзя: мероприятие скоро начнётся. Сообщите организатору."
    await until(
        lambda: (
            len(volunteer.user.answers) > answered
            or any(refusal in message.text for message in volunteer.user.messages)
        )
    )
    said = [answer.text for answer in volunteer.user.answers[answered:]]
    said += [message.text for message in volunteer.user.messages]
    assert any(refusal in text for text in said), said
    async with bot_services(shared_bot, 5521) as events:
        assert await events.registration_of(5522, event.id) is not None


async def test_an_import_with_a_bad_row_reports_it_and_imports_nothing(
    shared_bot: BotProcess, tmp_path: Path
) -> None:
    starts = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=4)
    ends = starts + timedelta(hours=2)
    header = (
        "external_id,title_kk,category,region,city,address,starts_at,ends_at,contact,organizer_telegram_id"
    )
    when = f"{starts.isoformat()},{ends.isoformat()},+77010000001,9191"
    good = f"e2e-good,Жақсы,cleanup,almaty,Алматы,Абай 1,{when}"
    bad = f"e2e-bad,Жаман,cleanup,narnia,Алматы,Абай 2,{when}"  # no such region
    path = tmp_path / "events.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    env = bot_environment(DATABASE_URL=shared_bot.env["DATABASE_URL"], ADMIN_IDS="9191")
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
    said = out.decode() + err.decode()
    assert command.returncode != 0, said
    assert "line 3, region" in said, said
    assert "line 2" not in said, said
    database = Database(shared_bot.env["DATABASE_URL"])
    try:
        async with database.reading() as uow:
            assert await uow.events.by_external_id("e2e-good") is None
    finally:
        await database.dispose()


async def test_not_coming_releases_the_seat_to_the_next_in_line(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    """The "still coming?" question is planned a day before the start: an event starting in a day and a
    few seconds makes it due at once, sent by the running bot's sender."""
    holder = await onboard_russian(shared_tg, 5532, "Занятая")
    waiting = await onboard_kazakh(shared_tg, 5533, first_name="Кезекте")
    await onboard_kazakh(shared_tg, 5531, first_name="Ұйымдастырушы")
    starts = datetime.now(UTC) + timedelta(days=1, seconds=6)
    async with bot_services(shared_bot, 5531) as events:
        event = await events.create(
            5531, draft(datetime.now(UTC), capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=2))
        )
        await events.publish(5531, event.id)

    # Registered in the bot, so that the question is planned by the bot's own use case (which wakes its
    # sender) before it is due.
    await open_card(holder, event.id, "ru")
    await holder.user.press("✅ Записаться")
    await holder.expect("✅ Вы записаны.")
    async with bot_services(shared_bot, 5531) as events:
        assert (await events.register(5533, event.id)).waitlisted

    question = await holder.expect("Вы придёте?", timeout=20)
    assert "Весенний субботник" in question.text
    answered = len(holder.user.answers)
    await holder.user.press("❌ Нет, не смогу")
    assert await answered_after(holder, answered) == (
        "Ваша запись отменена, место перейдёт следующему в листе ожидания. Спасибо, что предупредили."
    )

    offer = await waiting.expect("🎉")
    assert "Көктемгі сенбілік" in offer.text
    answered = len(waiting.user.answers)
    await waiting.user.press("✅ Қабылдау")
    assert await answered_after(waiting, answered) == "Сіз іс-шараға тіркелдіңіз."
