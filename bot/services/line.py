"""Telling the people in line that they moved up: when someone ahead of them leaves the line (cancels,
takes an offer, declines it or lets it expire), each one still waiting behind them hears their new
place.

One pending notice per place in line: a newer move drops it and writes its own, and it waits
`LINE_NOTICE_DELAY` first, so a burst of moves ends in one message with the place as it is then. It
expires when registration closes (a place in line means nothing after that).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from storage.repositories.events import EventRecord, RegistrationRecord
from storage.repositories.outbox import Message
from storage.unit_of_work import UnitOfWork

LINE_MOVED = "line_moved"
LINE_NOTICE_DELAY = timedelta(minutes=2)


def _key(registration_id: int) -> str:
    # Ends with ":" so that registration 1's notice leaves registration 12's alone.
    return f"{LINE_MOVED}:{registration_id}:"


async def tell_line_moved(
    uow: UnitOfWork, event: EventRecord, left: RegistrationRecord, now: datetime
) -> int:
    """`left` has just left the event's line: a notice of their new place to each one behind them (not
    to those holding an offer, who have heard better news); how many."""
    if left.waitlist_number is None:
        return 0
    closes = min(event.registration_deadline, event.starts_at)
    if now >= closes:
        return 0
    await drop_line_notice(uow, left.id, "left the line")
    behind = await uow.events.behind_in_line(event.id, left.waitlist_number)
    for registration, place in behind:
        await drop_line_notice(uow, registration.id, "moved up again")
        message = Message(
            kind=LINE_MOVED,
            recipient=registration.user_id,
            due_at=now + LINE_NOTICE_DELAY,
            expires_at=closes,
            params={
                "event_id": event.id,
                "title_kk": event.title_kk,
                "title_ru": event.title_ru,
                "starts_at": event.starts_at.isoformat(),
                "place": place,
            },
            # Unique per notice (the sent ones keep theirs), under the registration's prefix.
            dedupe_key=f"{_key(registration.id)}{uuid4().hex}",
        )
        await uow.outbox.add(message, now=now)
    return len(behind)


async def drop_line_notice(uow: UnitOfWork, registration_id: int, reason: str) -> int:
    """Drop the registration's notice of a new place in line if it has not gone out yet."""
    return await uow.outbox.drop_pending_with_key_prefix(_key(registration_id), reason)
