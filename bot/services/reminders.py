"""Reminders of an event for a registered volunteer: outbox rows planned with the registration.

Each is due a set time before the start (REMINDER_HOURS, by default 24 and 2) and expires at the start:
the sender drops one that could only arrive late, so nobody is reminded of an event that has begun,
even after the bot was down. Cancelling drops the ones still pending, in the same transaction; a moved
or renamed event drops them and plans them anew (bot/services/publishing.py).

A day before the start (STILL_COMING_HOURS) the volunteer is asked "still coming?" instead of being
reminded: a message of its own kind, with Yes / No, planned and dropped with the reminders (it shares
their key prefix); its text reminds them too, so that no one gets both at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.repositories.events import EventRecord, RegistrationRecord
from storage.repositories.outbox import Message
from storage.unit_of_work import UnitOfWork

EVENT_REMINDER = "event_reminder"
STILL_COMING = "still_coming"
STILL_COMING_HOURS = 24


def _key_prefix(registration_id: int) -> str:
    return f"{EVENT_REMINDER}:{registration_id}:"


async def plan_reminders(
    uow: UnitOfWork,
    event: EventRecord,
    registration: RegistrationRecord,
    hours_before: Sequence[int],
    *,
    now: datetime,
) -> int:
    """Plan the reminders and the "still coming?" question still ahead; returns how many (one already
    due or past is not planned)."""
    planned = 0
    for hours in sorted({*hours_before, STILL_COMING_HOURS}, reverse=True):
        due = event.starts_at - timedelta(hours=hours)
        if due <= now:
            continue
        asks = hours == STILL_COMING_HOURS
        message = Message(
            kind=STILL_COMING if asks else EVENT_REMINDER,
            recipient=registration.user_id,
            due_at=due,
            expires_at=event.starts_at,
            # What the view shows, as it is now; a changed event re-plans them.
            params={
                "event_id": event.id,
                "hours": hours,
                "title_kk": event.title_kk,
                "title_ru": event.title_ru,
                "starts_at": event.starts_at.isoformat(),
                "address": event.address,
                "city": event.city,
            },
            dedupe_key=f"{_key_prefix(registration.id)}{'still' if asks else hours}:"
            f"{event.starts_at.isoformat()}",
        )
        if await uow.outbox.add(message, now=now) is not None:
            planned += 1
    return planned


async def drop_reminders(uow: UnitOfWork, registration_id: int, reason: str) -> int:
    """Drop the reminders (and the "still coming?" question) of a registration not sent yet. Their keys
    are freed: the same reminders may be planned again (a registration revived after a cancellation, an
    event re-planned)."""
    return await uow.outbox.drop_pending_with_key_prefix(
        _key_prefix(registration_id), reason, release_keys=True
    )
