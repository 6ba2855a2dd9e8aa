"""Attendance and ratings: who came to an event (marked by its organizer), the hours it credits, the
registrants' list an organizer exports, and the attendees' ratings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_events = Base.metadata.tables["events"]
_registrations = Base.metadata.tables["registrations"]
_users = Base.metadata.tables["users"]
_ratings = Base.metadata.tables["event_ratings"]

# As the database keeps them (bot/domain/attendance.py names them; storage imports nothing from bot).
_REGISTERED = "registered"
_WAITLISTED = "waitlisted"
_ATTENDED = "attended"
_NO_SHOW = "no_show"
_DRAFT = "draft"
_CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Registrant:
    """One line of an event's registrants (registered or waitlisted), as its organizer sees it."""

    registration_id: int
    user_id: int
    name: str | None
    username: str | None
    # Only when the volunteer shared it and consented to keeping their data.
    phone: str | None
    status: str
    companions: int
    waitlist_number: int | None
    registered_at: datetime
    attendance: str | None
    confirmed_at: datetime | None  # answered "yes" to "still coming?"


@dataclass(frozen=True, slots=True)
class AttendedEvent:
    """An event a volunteer attended: what their hours are counted from."""

    starts_at: datetime
    ends_at: datetime
    volunteer_minutes: int | None


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """An attendee to ask for a rating of an event that has ended."""

    registration_id: int
    user_id: int
    event_id: int
    title_kk: str | None
    title_ru: str | None
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class RatingComment:
    score: int
    comment: str
    at: datetime


class AttendanceRepository:
    """SQL for attendance marks, an event's credited hours, and ratings, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def registrants(self, event_id: int) -> list[Registrant]:
        """The event's registered and waitlisted volunteers, in arrival order."""
        # Shared, and the volunteer consented to keeping their data: otherwise none.
        phone_if_consented = case((_users.c.consent_at.is_not(None), _users.c.phone), else_=None)
        statement = (
            select(
                _registrations.c.id,
                _registrations.c.user_id,
                _users.c.name,
                _users.c.username,
                phone_if_consented,
                _registrations.c.status,
                _registrations.c.companions,
                _registrations.c.waitlist_number,
                _registrations.c.created_at,
                _registrations.c.attendance,
                _registrations.c.confirmed_at,
            )
            .select_from(_registrations.outerjoin(_users, _users.c.id == _registrations.c.user_id))
            .where(
                _registrations.c.event_id == event_id,
                _registrations.c.status.in_((_REGISTERED, _WAITLISTED)),
            )
            .order_by(_registrations.c.created_at, _registrations.c.id)
        )
        rows: Any = await self.connection.execute(statement)
        return [Registrant(*row) for row in rows]

    async def mark(
        self, event_id: int, registration_id: int, attendance: str | None, *, now: datetime
    ) -> bool:
        """Mark a registered volunteer of the event attended, no-show, or not marked (None); False if
        the registration is not a seat at this event."""
        statement = (
            update(_registrations)
            .where(
                _registrations.c.id == registration_id,
                _registrations.c.event_id == event_id,
                _registrations.c.status == _REGISTERED,
            )
            .values(attendance=attendance, attendance_marked_at=now if attendance else None, updated_at=now)
        )
        return int((await self.connection.execute(statement)).rowcount) == 1

    async def volunteer_minutes(self, event_id: int) -> int | None:
        """The minutes the event credits each attendee, as its organizer set them (None: its duration)."""
        statement = select(_events.c.volunteer_minutes).where(_events.c.id == event_id)
        minutes = (await self.connection.execute(statement)).scalar_one_or_none()
        return None if minutes is None else int(minutes)

    async def set_volunteer_minutes(self, event_id: int, minutes: int | None, *, now: datetime) -> None:
        await self.connection.execute(
            update(_events).where(_events.c.id == event_id).values(volunteer_minutes=minutes, updated_at=now)
        )

    async def attendance_of(self, event_id: int, user_id: int) -> str | None:
        """How the user's registration for the event was marked (None: not marked, or none)."""
        statement = select(_registrations.c.attendance).where(
            _registrations.c.event_id == event_id,
            _registrations.c.user_id == user_id,
            _registrations.c.status == _REGISTERED,
        )
        attendance = (await self.connection.execute(statement)).scalar_one_or_none()
        return None if attendance is None else str(attendance)

    async def attended_events(self, user_id: int) -> list[AttendedEvent]:
        """The events the user was marked as having attended (cancelled events do not count)."""
        statement = (
            select(_events.c.starts_at, _events.c.ends_at, _events.c.volunteer_minutes)
            .select_from(_registrations.join(_events, _events.c.id == _registrations.c.event_id))
            .where(
                _registrations.c.user_id == user_id,
                _registrations.c.status == _REGISTERED,
                _registrations.c.attendance == _ATTENDED,
                _events.c.status != _CANCELLED,
            )
        )
        return [AttendedEvent(*row) for row in await self.connection.execute(statement)]

    async def no_shows(self, user_id: int, *, since: datetime) -> int:
        """Events starting since `since` where the user was marked as not having come."""
        statement = (
            select(func.count())
            .select_from(_registrations.join(_events, _events.c.id == _registrations.c.event_id))
            .where(
                _registrations.c.user_id == user_id,
                _registrations.c.status == _REGISTERED,
                _registrations.c.attendance == _NO_SHOW,
                _events.c.starts_at >= since,
                _events.c.status != _CANCELLED,
            )
        )
        return int((await self.connection.execute(statement)).scalar_one())

    # Ratings

    async def attendees_to_ask(self, *, ended_before: datetime, ended_after: datetime) -> list[RatingRequest]:
        """Attendees not yet asked to rate an event that ended in (after, before]."""
        statement = (
            select(
                _registrations.c.id,
                _registrations.c.user_id,
                _events.c.id,
                _events.c.title_kk,
                _events.c.title_ru,
                _events.c.ends_at,
            )
            .select_from(_registrations.join(_events, _events.c.id == _registrations.c.event_id))
            .where(
                _registrations.c.status == _REGISTERED,
                _registrations.c.attendance == _ATTENDED,
                _registrations.c.rating_asked_at.is_(None),
                _events.c.status.not_in((_DRAFT, _CANCELLED)),
                _events.c.ends_at <= ended_before,
                _events.c.ends_at > ended_after,
            )
            .order_by(_events.c.ends_at, _registrations.c.id)
        )
        return [RatingRequest(*row) for row in await self.connection.execute(statement)]

    async def mark_asked(self, registration_ids: Iterable[int], *, now: datetime) -> None:
        ids = list(registration_ids)
        if ids:
            await self.connection.execute(
                update(_registrations).where(_registrations.c.id.in_(ids)).values(rating_asked_at=now)
            )

    async def save_rating(self, event_id: int, user_id: int, score: int, *, now: datetime) -> None:
        """The user's rating of the event: one row per user and event, so a second tap changes it
        (or leaves it as it is) instead of adding one."""
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        statement: Any = insert(_ratings).values(
            event_id=event_id, user_id=user_id, score=score, created_at=now, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_ratings.c.event_id, _ratings.c.user_id],
            set_={"score": score, "updated_at": now},
        )
        await self.connection.execute(statement)

    async def set_comment(self, event_id: int, user_id: int, comment: str, *, now: datetime) -> bool:
        """Add a comment to the user's rating; False if they have not rated the event."""
        statement = (
            update(_ratings)
            .where(_ratings.c.event_id == event_id, _ratings.c.user_id == user_id)
            .values(comment=comment, updated_at=now)
        )
        return int((await self.connection.execute(statement)).rowcount) == 1

    async def score_counts(self, event_id: int) -> dict[int, int]:
        """How many gave each score to the event."""
        statement = (
            select(_ratings.c.score, func.count())
            .where(_ratings.c.event_id == event_id)
            .group_by(_ratings.c.score)
        )
        return {int(score): int(count) for score, count in await self.connection.execute(statement)}

    async def recent_comments(self, event_id: int, limit: int) -> list[RatingComment]:
        statement = (
            select(_ratings.c.score, _ratings.c.comment, _ratings.c.updated_at)
            .where(_ratings.c.event_id == event_id, _ratings.c.comment.is_not(None))
            .order_by(_ratings.c.updated_at.desc(), _ratings.c.id.desc())
            .limit(limit)
        )
        return [RatingComment(*row) for row in await self.connection.execute(statement)]

    async def forget_user(self, user_id: int) -> None:
        """Delete the user's ratings (they erase their data)."""
        await self.connection.execute(delete(_ratings).where(_ratings.c.user_id == user_id))
