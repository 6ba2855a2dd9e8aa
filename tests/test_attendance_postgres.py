"""The attendance and rating SQL on PostgreSQL too (skipped when no server answers at 127.0.0.1:5432):
the rating upsert, the people counts in one query, the registrants with consented phones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.domain.attendance import Attendance
from bot.services.attendance import AttendanceService
from bot.services.events import EventService
from bot.services.ratings import RatingService
from storage.database import Database
from tests.events_support import ADMIN, published_event
from tests.test_postgres import pg_database, pg_url

__all__ = ["pg_database", "pg_url"]  # the fixtures, shared with the PostgreSQL tests

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


async def test_attendance_counts_and_ratings_on_postgres(pg_database: Database) -> None:
    clock = ManualClock(NOW)
    events = EventService(pg_database, clock, admin_ids={ADMIN})
    attendance = AttendanceService(pg_database, clock, admin_ids={ADMIN})
    ratings = RatingService(pg_database, clock, admin_ids={ADMIN})
    async with pg_database.transaction() as uow:
        await uow.users.add(1, now=NOW, name="Дана", phone="+77011234567", consent_at=NOW)
        await uow.users.add(2, now=NOW, name="Ерлан", phone="+77017654321")  # no consent
    event_id = await published_event(events, NOW, capacity=1)
    for user_id in (1, 2, 3):
        await events.register(user_id, event_id)
    _, registrants = await attendance.registrants(ADMIN, event_id)
    assert [(person.user_id, person.phone, person.status) for person in registrants] == [
        (1, "+77011234567", "registered"),
        (2, None, "waitlisted"),
        (3, None, "waitlisted"),
    ]
    clock.advance(timedelta(days=3, hours=1))
    roster = await attendance.roster(ADMIN, event_id)
    await attendance.mark(ADMIN, event_id, roster.people[0].registration_id, Attendance.ATTENDED)
    async with pg_database.reading() as uow:
        counts = (await uow.events.people_counts([event_id]))[event_id]
    assert (counts.registered, counts.waitlisted, counts.attended) == (1, 2, 1)
    clock.advance(timedelta(hours=3))
    assert await ratings.ask_attendees() == 1
    for score in (4, 4, 5):
        await ratings.rate(1, event_id, score)
    await ratings.comment(1, event_id, "Жақсы")
    summary = await ratings.summary(ADMIN, event_id)
    assert (summary.count, summary.average, summary.recent_comments[0].comment) == (1, 5.0, "Жақсы")
