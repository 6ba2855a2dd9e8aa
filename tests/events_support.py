"""What the event tests share on SQLite and PostgreSQL: a published event, a rush of registrations,
and the check that nobody was overbooked."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.services.events import EventDraft, EventService, Registration
from storage.database import Database

ADMIN = 777


def draft(now: datetime, **changes: object) -> EventDraft:
    values: dict[str, object] = {
        "title_kk": "Көктемгі сенбілік",
        "title_ru": "Весенний субботник",
        "category": "cleanup",
        "region": "almaty",
        "city": "Алматы",
        "address": "Бас ботаникалық бақ, Тимирязев к-сі, 36Д",
        "starts_at": now + timedelta(days=3),
        "ends_at": now + timedelta(days=3, hours=3),
        "contact": "+77010000001",
        "capacity": 50,
    }
    values.update(changes)
    return EventDraft(**values)  # type: ignore[arg-type]


async def published_event(events: EventService, now: datetime, **changes: object) -> int:
    event = await events.create(ADMIN, draft(now, **changes))
    await events.publish(ADMIN, event.id)
    return event.id


async def rush(events: EventService, event_id: int, users: int, companions: int = 0) -> list[Registration]:
    """`users` volunteers tap Register at once (all through the service)."""
    return await asyncio.gather(*(events.register(1000 + n, event_id, companions) for n in range(users)))


async def check_no_overbooking(database: Database, event_id: int, capacity: int) -> tuple[int, int]:
    """The event's taken seats equal its registrations' seats and stay within capacity; waitlist
    numbers run 1..N without gaps in arrival (creation) order. Returns (registered, waitlisted)."""
    async with database.reading() as uow:
        taken, rows = await uow.events.seat_ledger(event_id)
    registered_seats = sum(seats for status, seats, _ in rows if status == "registered")
    assert taken == registered_seats, (
        f"the event counts {taken} seats, its registrations hold {registered_seats}"
    )
    assert taken <= capacity, f"{taken} seats taken of {capacity}"
    numbers = [number for status, _, number in rows if status == "waitlisted"]
    assert numbers == list(range(1, len(numbers) + 1)), "waitlist numbers out of arrival order or with gaps"
    statuses = [status for status, _, _ in rows]
    first_waitlisted = statuses.index("waitlisted") if "waitlisted" in statuses else len(statuses)
    assert "registered" not in statuses[first_waitlisted:], "someone got a seat after the waitlist began"
    return statuses.count("registered"), len(numbers)
