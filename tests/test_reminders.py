"""Reminders of an event: planned with a registration, 24 h and 2 h before the start, in the volunteer's
language at the time they go out; never after the start (even after downtime); gone with a cancellation
or with the volunteer's data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendMessage

from bot.app import Application
from bot.clock import ManualClock
from bot.services.events import EventService
from fake_telegram.recording import RecordingSession
from storage.repositories.outbox import OutboxStatus
from tests.events_support import published_event
from tests.harness import BotHarness, PlayedUser, stored_user, texts


async def sent_to(app: Application, chat_id: int) -> list[str]:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r.text for r in session.requests[start:] if isinstance(r, SendMessage) and r.chat_id == chat_id]


async def volunteer(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, language_code=language)
    await user.onboard(language, region="almaty")
    return user


async def test_a_registered_volunteer_is_reminded_a_day_and_two_hours_before_in_their_language(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    events: EventService = app.events
    event_id = await published_event(events, clock.now())  # starts in 3 days
    user = await volunteer(harness, 9201, "ru")
    await events.register(9201, event_id)
    assert await sent_to(app, 9201) == []  # nothing due yet

    clock.advance(timedelta(days=2, minutes=1))  # 24 h before, and a minute
    (day_before,) = await sent_to(app, 9201)
    assert day_before.startswith("⏰ <b>Весенний субботник</b> начнётся через 24 часа:")
    assert "Адрес: Алматы, Бас ботаникалық бақ" in day_before

    await user.send("/language")
    await user.press_text("Қазақша")  # changed after the reminders were planned
    clock.advance(timedelta(hours=22))  # 2 h before
    (two_hours,) = await sent_to(app, 9201)
    assert two_hours.startswith("⏰ <b>Көктемгі сенбілік</b> 2 сағаттан кейін басталады:")
    assert await sent_to(app, 9201) == []  # each once


async def test_no_reminder_after_the_start_even_after_downtime(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    await volunteer(harness, 9202, "kk")
    await app.events.register(9202, event_id)
    clock.advance(timedelta(days=3, minutes=5))  # the bot was down through both reminders and the start
    assert await sent_to(app, 9202) == []


async def test_reminders_after_downtime_go_out_once_if_still_before_the_start(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    await volunteer(harness, 9203, "kk")
    await app.events.register(9203, event_id)
    clock.advance(timedelta(days=2, hours=23))  # down through the 24 h one; 1 h to the start
    sent = await sent_to(app, 9203)
    assert len(sent) == 2  # both were due and neither has lost its meaning yet
    assert await sent_to(app, 9203) == []


async def test_cancelling_drops_the_reminders_and_the_waitlist_gets_none(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=1)
    await volunteer(harness, 9204, "kk")
    await volunteer(harness, 9205, "kk")
    await app.events.register(9204, event_id)
    waitlisted = await app.events.register(9205, event_id)
    assert waitlisted.place_in_line == 1
    await app.events.cancel(9204, event_id)
    clock.advance(timedelta(days=2, hours=23))
    assert await sent_to(app, 9204) == []
    assert await sent_to(app, 9205) == []  # waiting in line is no registration (yet)


async def test_registering_close_to_the_start_plans_only_what_is_still_ahead(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), starts_at=clock.now() + timedelta(hours=5))
    await volunteer(harness, 9206, "kk")
    await app.events.register(9206, event_id)
    clock.advance(timedelta(hours=3, minutes=1))
    assert len(await sent_to(app, 9206)) == 1  # the 2 h one only


async def test_deleting_ones_data_drops_what_was_planned(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    await volunteer(harness, 9207, "kk")
    await app.events.register(9207, event_id)
    await app.users.erase(9207)
    clock.advance(timedelta(days=2, hours=23))
    assert await sent_to(app, 9207) == []


@pytest.mark.parametrize(
    ("language", "off", "on"),
    [
        ("kk", "Іс-шара туралы еске салғыштар: өшірулі", "🔔 Еске салғыштарды қосу"),
        ("ru", "Напоминания о мероприятиях: выключены", "🔔 Включить напоминания"),
    ],
)
async def test_a_volunteer_turns_reminders_off_and_on_in_the_profile(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, off: str, on: str
) -> None:
    event_id = await published_event(app.events, clock.now())
    user = await volunteer(harness, 9208, language)
    await app.events.register(9208, event_id)
    await user.send("/profile")
    button = next(label for label, _ in user.buttons() if label.startswith("🔕"))
    seen = texts(await user.press_text(button))
    assert any(off in text for text in seen)
    stored = await stored_user(app.database, 9208)
    assert stored is not None
    assert stored.reminders_muted_at == clock.now()
    # The export of one's data says so.
    assert (await app.users.export_data(9208))["reminders_muted_at"] == clock.now().isoformat()

    clock.advance(timedelta(days=2, minutes=1))  # the day-before question falls due while they are off
    assert await sent_to(app, 9208) == []
    async with app.database.reading() as uow:
        counts = await uow.outbox.counts()
    assert counts["still_coming"][OutboxStatus.DROPPED] == 1

    await user.press_text(on)  # on again before the 2 h one
    clock.advance(timedelta(hours=22))
    assert len(await sent_to(app, 9208)) == 1
    assert (await app.users.export_data(9208))["reminders_muted_at"] is None
